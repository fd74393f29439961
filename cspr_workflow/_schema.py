"""The JSON Schema of the review document, for integrators in other languages."""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import pendulum

from ._document import LOG_FIELDS, LOG_VERSION, SCHEMA_VERSION, TOP_FIELDS, field_types
from ._errors import InvalidInput
from ._records import Refusal, ReviewState
from ._sequence import item_type
from ._text import shown

__all__ = ["json_schema"]


def json_schema(of: Literal["review", "refusals"] = "review") -> dict[str, Any]:
    """The JSON Schema (2020-12) of the review document (or, with ``of="refusals"``, of the
    refusal log), for integrators in other languages.

    Stage and trigger names are text: which ones are valid depends on the process
    definition the document names. Instants are ISO 8601 text with Europe/London's
    offset (``+00:00`` or ``+01:00``), as the library writes them.
    """
    defs: dict[str, Any] = {}
    digest = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    if of == "refusals":
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://cspr-workflow.example/refusal-log.schema.json",
            "title": "cspr_workflow refusal log",
            "description": (
                "The steps attempted and refused on one review, hash-chained, kept apart "
                f"from the review's document (log version {LOG_VERSION})."
            ),
            "type": "object",
            "properties": {
                "log_version": {"const": LOG_VERSION},
                "reference": {"type": "string", "description": "the review's reference"},
                "complete": {
                    "type": "boolean",
                    "description": "whether the log goes back to the day the review opened",
                },
                "head": {**digest, "description": "SHA-256 of the last refusal's JSON"},
                "refusals": {"type": "array", "items": _schema_of(Refusal, defs)},
            },
            "required": list(LOG_FIELDS),
            "additionalProperties": False,
            "$defs": defs,
        }
    if of != "review":
        raise InvalidInput(
            "of",
            "schema_kind",
            f"json_schema(of=...) is 'review' or 'refusals', not {shown(of)}",
            "Pass of='review' or of='refusals'.",
        )
    review = _schema_of(ReviewState, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://cspr-workflow.example/review-document.schema.json",
        "title": "cspr_workflow review document",
        "description": (
            "A Local Child Safeguarding Practice Review, its state and its append-only, "
            "hash-chained history (schema version "
            f"{SCHEMA_VERSION})."
        ),
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "definition": {"type": "string", "description": "the process definition's name"},
            "head": {
                **digest,
                "description": (
                    "SHA-256 sealing the review: the last history entry's digest and the "
                    "review's facts"
                ),
            },
            "review": review,
        },
        "required": list(TOP_FIELDS),
        "additionalProperties": False,
        "$defs": defs,
    }


def _schema_of(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is pendulum.DateTime:
        return {"type": "string", "format": "date-time", "pattern": "[+]0[01]:00$"}
    if hint is pendulum.Date:
        return {"type": "string", "format": "date"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if isinstance(hint, type) and attrs.has(hint):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # placeholder against recursion
            hints = field_types(hint)
            names = [f.name for f in attrs.fields(hint)]
            defs[hint.__name__] = {
                "type": "object",
                "description": (hint.__doc__ or "").strip().split("\n")[0],
                "properties": {n: _schema_of(hints[n], defs) for n in names},
                "required": names,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{hint.__name__}"}
    item = item_type(hint)
    if item is not None:
        return {"type": "array", "items": _schema_of(item, defs)}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is frozenset:
        return {"type": "array", "items": _schema_of(args[0], defs), "uniqueItems": True}
    if origin is Mapping or origin is dict:
        return {
            "type": "object",
            "description": "the step's details, as its trigger's detail specs define them",
        }
    if args and type(None) in args:
        others = [a for a in args if a is not type(None)]
        return {"anyOf": [*(_schema_of(a, defs) for a in others), {"type": "null"}]}
    raise TypeError(f"no JSON Schema for {hint!r}")
