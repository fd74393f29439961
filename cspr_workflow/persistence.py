"""Keeping reviews: the versioned JSON document, its hash chain, replay, its JSON Schema,
and the database store."""

from __future__ import annotations

from ._document import (
    MIGRATIONS,
    SCHEMA_VERSION,
    dumps,
    loads,
    replay,
    to_document,
)
from ._hashchain import verify_history
from ._schema import json_schema
from ._store import (
    OverdueClock,
    ReviewStore,
    StoredReview,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "OverdueClock",
    "ReviewStore",
    "StoredReview",
    "dumps",
    "json_schema",
    "loads",
    "replay",
    "to_document",
    "verify_history",
]
