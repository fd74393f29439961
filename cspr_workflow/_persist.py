"""Durable reviews: versioned JSON documents, strict loading, the hash chain, replay.

A review document is canonical JSON::

    {"schema_version": 2, "definition": "LCSPR (England)", "head": "<sha-256>",
     "review": {... every field of ReviewState, history included ...}}

``dumps`` writes it with the library's one converter. ``loads`` is strict: it
collects *every* problem (unknown or missing fields, wrong types, naive
date-times, unknown stages or triggers, details a trigger does not take, a stage
or a history that contradicts itself, a broken hash chain) and raises one
:class:`InvalidDocument` naming each with its path (``$.review.panel[2].agency``).
Older documents are migrated first, one schema version at a time.

``verify_history`` recomputes the hash chain and names the first entry that was
edited, deleted, inserted or moved. ``replay`` rebuilds the review from its
opening record through the engine and names the first entry where the stored
review and the replayed one part.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import cattrs
import pendulum

from ._codec import CONVERTER, canonical_json, digest, entry_digest, opening_digest
from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import (
    CsprWorkflowError,
    HistoryTampered,
    InvalidDocument,
    Problem,
    ReplayMismatch,
)
from ._records import AuditEntry, Refusal, ReviewState

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "dumps",
    "json_schema",
    "loads",
    "replay",
    "to_document",
    "verify_history",
]

SCHEMA_VERSION = 2
"""The version of the review document this library writes."""

_TOP = ("schema_version", "definition", "head", "review", "refusals")


def to_document(review: Review) -> dict[str, Any]:
    """The review as a plain JSON object (what :func:`dumps` writes)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "definition": review.definition.name,
        "head": review.history_head,
        "review": CONVERTER.unstructure(review.state, ReviewState),
        "refusals": CONVERTER.unstructure(review.refusals, tuple[Refusal, ...]),
    }


def dumps(review: Review) -> str:
    """The review as canonical JSON text: sorted keys, no spaces, one text per review.

    >>> from cspr_workflow import demo_review, dumps, loads
    >>> text = dumps(demo_review())
    >>> loads(text).state == demo_review().state
    True
    """
    return canonical_json(to_document(review))


# -- migrations -------------------------------------------------------------------------


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no hash chain and no refusals: link each entry to its predecessor,
    add the head and an empty list of refusals.

    Version 1 documents were written by this library's converter, so each entry's
    JSON is what the converter gives and its digest is the one the engine computes.
    """
    review = document.get("review")
    if not isinstance(review, dict) or not isinstance(review.get("history"), list):
        return {**document, "schema_version": 2}  # loading will say what is wrong
    prev = opening_digest(
        str(review.get("reference")),
        _instant_or_epoch(review.get("aware_at")),
    )
    history = []
    for entry in review["history"]:
        if not isinstance(entry, dict):
            history.append(entry)
            continue
        linked = {**entry, "prev": prev}
        history.append(linked)
        prev = digest(linked)
    return {
        **document,
        "schema_version": 2,
        "head": prev,
        "review": {**review, "history": history},
        "refusals": [],
    }


def _instant_or_epoch(value: object) -> pendulum.DateTime:
    try:
        return CONVERTER.structure(value, pendulum.DateTime)
    except (TypeError, ValueError):
        return pendulum.datetime(1970, 1, 1)


MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}
"""Schema version -> the function taking a document of that version to the next."""


def _migrate(document: dict[str, Any], problems: list[Problem]) -> dict[str, Any] | None:
    version = document.get("schema_version")
    if type(version) is not int:
        problems.append(Problem("$.schema_version", "required: the document's schema version"))
        return None
    if version > SCHEMA_VERSION:
        problems.append(
            Problem(
                "$.schema_version",
                f"version {version} was written by a newer cspr_workflow (this one reads up "
                f"to {SCHEMA_VERSION}); upgrade the library",
            )
        )
        return None
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            problems.append(Problem("$.schema_version", f"no migration from version {version}"))
            return None
        document = step(document)
        version = document["schema_version"]
    return document


# -- loading ----------------------------------------------------------------------------


def loads(
    text: str | bytes,
    *,
    definition: ProcessDefinition | None = None,
    check_history: bool = True,
) -> Review:
    """A review from its JSON document, or :class:`InvalidDocument` listing every problem.

    ``definition`` is the process the review follows (the default one unless
    given; the document names it). With ``check_history`` (the default) the hash
    chain is verified as well, so that an edited document does not load.
    """
    definition = _default(definition)
    problems: list[Problem] = []
    try:
        raw = json.loads(text)
    except (ValueError, TypeError) as error:
        raise InvalidDocument([Problem("$", f"not a JSON document ({error})")]) from None
    if not isinstance(raw, dict):
        raise InvalidDocument([Problem("$", "expected a JSON object")])
    document = _migrate(raw, problems)
    if document is None:
        raise InvalidDocument(problems)
    for key in sorted(set(document) - set(_TOP)):
        problems.append(Problem(f"$.{key}", "unknown field"))
    for key in _TOP:
        if key not in document:
            problems.append(Problem(f"$.{key}", "required field missing"))
    name = document.get("definition")
    if "definition" in document and name != definition.name:
        problems.append(
            Problem(
                "$.definition",
                f"the review follows {name!r}, not {definition.name!r}: pass its "
                "definition (loads(..., definition=...))",
            )
        )
    body = document.get("review")
    state = None
    if isinstance(body, dict):
        problems += _missing_fields(body, ReviewState, "$.review")
        details = _names(body, definition, problems)
        state = _structure(body, problems)
        if state is not None and not problems:
            state = _consistent(state, details, definition, problems)
    elif "review" in document:
        problems.append(Problem("$.review", "expected an object"))
    refusals = _refusals(document.get("refusals", []), problems)
    if state is not None and not problems and check_history:
        head = document.get("head")
        problems += [Problem(p.path, p.message) for p in _chain_problems(state, head)]
    if problems:
        raise InvalidDocument(problems)
    assert state is not None
    return Review(state, definition, refusals=refusals)


def _refusals(raw: object, problems: list[Problem]) -> tuple[Refusal, ...]:
    if not isinstance(raw, list):
        problems.append(Problem("$.refusals", "expected a list"))
        return ()
    for i, item in enumerate(raw):
        problems += _missing_fields(item, Refusal, f"$.refusals[{i}]")
    try:
        refusals: tuple[Refusal, ...] = CONVERTER.structure(raw, tuple[Refusal, ...])
    except cattrs.BaseValidationError as error:
        problems += _converter_problems(error, "$.refusals")
        return ()
    return refusals


def _default(definition: ProcessDefinition | None) -> ProcessDefinition:
    if definition is not None:
        return definition
    from .states import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION


def _converter_problems(error: cattrs.BaseValidationError, root: str) -> list[Problem]:
    problems = []
    for line in cattrs.transform_error(error, path=root, format_exception=_explain):
        message, _, path = line.rpartition(" @ ")
        if "required field missing" not in message:  # reported by _missing_fields
            problems.append(Problem(path, message))
    return problems


def _structure(body: dict[str, Any], problems: list[Problem]) -> ReviewState | None:
    try:
        state: ReviewState = CONVERTER.structure(body, ReviewState)
    except cattrs.BaseValidationError as error:
        problems += _converter_problems(error, "$.review")
        return None
    except (TypeError, ValueError, KeyError) as error:
        problems.append(Problem("$.review", f"not a review ({error})"))
        return None
    return state


def _explain(error: BaseException, wanted: type | None) -> str:
    """One problem in words: the converter's own message, which says what was expected."""
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(error.extra_fields))}"
    if isinstance(error, TypeError) and "not iterable" in str(error):
        return "expected a list"
    return str(error) or f"invalid value for {getattr(wanted, '__name__', wanted)}"


def _attrs_class(hint: Any) -> type | None:
    return hint if isinstance(hint, type) and attrs.has(hint) else None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _missing_fields(value: object, cls: type, path: str) -> list[Problem]:
    """Every field of ``cls`` (and of the records inside it) absent from ``value``.

    A document states every field, defaults included, so that a field dropped by
    accident is an error rather than a silent default.
    """
    if not isinstance(value, dict):
        return []
    hints = _hints(cls)
    problems = []
    for field in attrs.fields(cls):
        where = f"{path}.{field.name}"
        if field.name not in value:
            problems.append(Problem(where, "required field missing"))
            continue
        for inner, sub, sub_path in _nested(hints[field.name], value[field.name], where):
            problems += _missing_fields(inner, sub, sub_path)
    return problems


def _nested(hint: Any, value: object, path: str) -> Iterator[tuple[object, type, str]]:
    """The (value, attrs class, path) of the records nested in a field's value."""
    cls = _attrs_class(hint)
    if cls is not None:
        yield value, cls, path
        return
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        element = _attrs_class(args[0])
        if element is not None and isinstance(value, list):
            for i, item in enumerate(value):
                yield item, element, f"{path}[{i}]"
        return
    if value is not None:  # X | None
        for arg in args:
            cls = _attrs_class(arg)
            if cls is not None:
                yield value, cls, path


def _names(
    body: dict[str, Any], definition: ProcessDefinition, problems: list[Problem]
) -> list[dict[str, object]]:
    """Check the stages, triggers and details the document names against the definition.

    Works on the JSON itself, so that these problems are reported alongside any
    type errors. Returns each step's details parsed by its trigger's detail specs
    into the values the engine recorded.
    """
    from ._engine import _LATE_REASON

    stages = {s.name for s in definition.stages}
    for name in ("stage", "held_from"):
        value = body.get(name)
        if isinstance(value, str) and value not in stages:
            problems.append(Problem(f"$.review.{name}", f"unknown stage {value!r}"))
    history = body.get("history")
    parsed_details: list[dict[str, object]] = []
    for i, entry in enumerate(history if isinstance(history, list) else ()):
        where = f"$.review.history[{i}]"
        details: dict[str, object] = {}
        parsed_details.append(details)
        if not isinstance(entry, dict):
            continue
        for name in ("source", "dest"):
            value = entry.get(name)
            if isinstance(value, str) and value not in stages:
                problems.append(Problem(f"{where}.{name}", f"unknown stage {value!r}"))
        trigger = entry.get("trigger")
        if not isinstance(trigger, str):
            continue
        if not definition.has_trigger(trigger):
            problems.append(Problem(f"{where}.trigger", f"unknown trigger {trigger!r}"))
            continue
        raw = entry.get("details")
        specs = {d.name: d for d in (*definition.trigger(trigger).details, _LATE_REASON)}
        for name, value in raw.items() if isinstance(raw, dict) else ():
            spec = specs.get(name)
            if spec is None:
                problems.append(
                    Problem(f"{where}.details.{name}", f"{trigger!r} takes no detail {name!r}")
                )
                continue
            parsed, error = spec.parse(value)
            if error is not None:
                problems.append(Problem(f"{where}.details.{name}", error))
            details[name] = parsed
    return parsed_details


def _consistent(
    state: ReviewState,
    details: list[dict[str, object]],
    definition: ProcessDefinition,
    problems: list[Problem],
) -> ReviewState:
    """The review with its steps' parsed details, once its history is checked against itself.

    Steps are numbered 1, 2, 3..., each starts where the one before ended (the first
    at the initial stage), none is earlier than the one before, and the review's
    stage is where the last one ended.
    """
    entries = []
    previous: AuditEntry | None = None
    for i, entry in enumerate(state.history):
        where = f"$.review.history[{i}]"
        if entry.seq != i + 1:
            problems.append(Problem(f"{where}.seq", f"expected step {i + 1}, found {entry.seq}"))
        expected = previous.dest if previous else definition.initial_stage.name
        if entry.source != expected:
            problems.append(
                Problem(
                    f"{where}.source",
                    f"the step starts at {entry.source!r}, but the review was at {expected!r}",
                )
            )
        if entry.at < (previous.at if previous else state.aware_at):
            problems.append(Problem(f"{where}.at", "earlier than the step before it"))
        entry = attrs.evolve(entry, details=details[i])
        entries.append(entry)
        previous = entry
    last = previous.dest if previous else definition.initial_stage.name
    if state.stage != last:
        problems.append(
            Problem(
                "$.review.stage",
                f"the review says {state.stage!r}, but its history ends at {last!r}",
            )
        )
    return state.evolve(history=tuple(entries))


# -- the hash chain -----------------------------------------------------------------------


def _chain_problems(state: ReviewState, head: object = None) -> list[Problem]:
    """The first break in the hash chain, and a head that does not close it."""
    expected = opening_digest(state.reference, state.aware_at)
    for i, entry in enumerate(state.history):
        if entry.prev != expected:
            what = (
                "the opening record was changed, or the first step was removed or replaced"
                if i == 0
                else f"step {i} (the one before it) was changed, or steps were removed, "
                "inserted or reordered here"
            )
            return [
                Problem(
                    f"$.review.history[{i}].prev", f"the chain is broken at step {i + 1}: {what}"
                )
            ]
        expected = entry_digest(entry)
    if head is not None and head != expected:
        return [
            Problem(
                "$.head",
                "the head does not close the chain: the last step was changed or removed, "
                "or steps were added after it",
            )
        ]
    return []


def verify_history(review: Review, *, head: str | None = None) -> None:
    """Check the history's hash chain; raise :class:`HistoryTampered` at the first break.

    ``head`` is a digest kept elsewhere (``review.history_head`` when it was last
    seen, or the document's head); with it, a change to the last step, or steps
    removed from the end, show too.
    """
    problems = _chain_problems(review.state, head)
    if problems:
        seq = _seq_of(problems[0].path, len(review.history))
        raise HistoryTampered(review.reference, seq, problems[0].message)


def _seq_of(path: str, length: int) -> int:
    if path.startswith("$.review.history["):
        return int(path.split("[", 1)[1].split("]", 1)[0]) + 1
    return length


# -- replay ----------------------------------------------------------------------------------


def replay(review: Review) -> Review:
    """Rebuild ``review`` from its opening record by firing its history through the engine.

    Returns the rebuilt review, equal to ``review``; raises :class:`ReplayMismatch`
    naming the first step where they part (a refused step, a different entry) or,
    when every step replays, the fields of the state that differ.
    """
    state = review.state
    rebuilt = Review.open(state.reference, aware_at=state.aware_at, definition=review.definition)
    for entry in state.history:
        try:
            got = rebuilt.fire(entry.trigger, by=entry.actor, at=entry.at, **entry.details)
        except CsprWorkflowError as error:
            raise ReplayMismatch(
                state.reference, entry.seq, f"the engine refuses it now: {error}"
            ) from None
        if got != entry:
            fields = [
                f.name
                for f in attrs.fields(AuditEntry)
                if getattr(got, f.name) != getattr(entry, f.name)
            ]
            raise ReplayMismatch(
                state.reference, entry.seq, f"the replayed step differs in {', '.join(fields)}"
            )
    if rebuilt.state != state:
        fields = [
            f.name
            for f in attrs.fields(ReviewState)
            if getattr(rebuilt.state, f.name) != getattr(state, f.name)
        ]
        raise ReplayMismatch(
            state.reference,
            len(state.history),
            f"every step replays, but the stored review differs in {', '.join(fields)}",
        )
    return rebuilt


# -- the JSON Schema -------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the review document, for integrators in other languages.

    Stage and trigger names are text: which ones are valid depends on the process
    definition the document names.
    """
    defs: dict[str, Any] = {}
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
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "SHA-256 of the last history entry's canonical JSON",
            },
            "review": review,
            "refusals": {
                "type": "array",
                "items": _schema_of(Refusal, defs),
                "description": "steps attempted and refused, kept beside the history",
            },
        },
        "required": list(_TOP),
        "additionalProperties": False,
        "$defs": defs,
    }


def _schema_of(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    import enum

    if hint is str:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is pendulum.DateTime:
        return {"type": "string", "format": "date-time", "pattern": "(Z|[+-][0-9]{2}:[0-9]{2})$"}
    if hint is pendulum.Date:
        return {"type": "string", "format": "date"}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if isinstance(hint, type) and attrs.has(hint):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # placeholder against recursion
            hints = _hints(hint)
            names = [f.name for f in attrs.fields(hint)]
            defs[hint.__name__] = {
                "type": "object",
                "description": (hint.__doc__ or "").strip().split("\n")[0],
                "properties": {n: _schema_of(hints[n], defs) for n in names},
                "required": names,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{hint.__name__}"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": _schema_of(args[0], defs)}
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
