"""Keeping reviews: the versioned JSON document and its seal, the refusal log, replay,
the JSON Schema, and the database store."""

from __future__ import annotations

from ._document import (
    MIGRATIONS,
    SCHEMA_VERSION,
    dumps,
    dumps_refusals,
    loads,
    replay,
    to_document,
)
from ._hashchain import verify_history, verify_refusals
from ._limits import DocumentLimits
from ._schema import json_schema
from ._store import (
    OverdueClock,
    ReviewStore,
    StoredReview,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DocumentLimits",
    "OverdueClock",
    "ReviewStore",
    "StoredReview",
    "dumps",
    "dumps_refusals",
    "json_schema",
    "loads",
    "replay",
    "to_document",
    "verify_history",
    "verify_refusals",
]
