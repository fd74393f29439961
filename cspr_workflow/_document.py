"""The review document: versioned, canonical JSON, loaded strictly, migrated, replayed.

A review document is canonical JSON::

    {"schema_version": 3, "definition": "LCSPR (England)", "head": "<sha-256>",
     "review": {... every field of ReviewState, history included ...},
     "refusals": [... steps attempted and refused ...]}

``dumps`` writes it with the library's one converter. ``loads`` is strict: it
collects *every* problem (unknown or missing fields, wrong types, naive
date-times, unknown stages or triggers, details a trigger does not take, a stage
or a history that contradicts itself, a broken hash chain) and raises one
:class:`InvalidDocument` naming each with its path (``$.review.panel[2].agency``).
Older documents are migrated first, one schema version at a time.

``replay`` rebuilds the review from its opening record through the engine and
names the first entry where the stored review and the replayed one part.
"""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import cattrs
import pendulum

from ._codec import CONVERTER, canonical_json, digest, opening_digest
from ._definition import ProcessDefinition, default_definition
from ._details import LATE_REASON
from ._engine import Review
from ._errors import CsprWorkflowError, InvalidDocument, Problem, ReplayMismatch
from ._hashchain import chain_problems
from ._records import AuditEntry, Refusal, ReviewState
from ._time import before

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "dumps",
    "loads",
    "replay",
    "to_document",
]

SCHEMA_VERSION = 3
"""The version of the review document this library writes."""

TOP_FIELDS = ("schema_version", "definition", "head", "review", "refusals")


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

    >>> from cspr_workflow import dumps, loads
    >>> from cspr_workflow.demo import demo_review
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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "rule"


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Version 2 named a refused step's rules by their titles only: each reason gains a
    ``rule_id`` (the title made into an identifier, since version 2 kept no id) and its
    ``rule`` becomes its ``title``."""
    refusals = document.get("refusals")
    if not isinstance(refusals, list):
        return {**document, "schema_version": 3}  # loading will say what is wrong
    moved = []
    for refusal in refusals:
        reasons = refusal.get("reasons") if isinstance(refusal, dict) else None
        if not isinstance(reasons, list):
            moved.append(refusal)
            continue
        new = []
        for reason in reasons:
            if isinstance(reason, dict) and "rule" in reason and "title" not in reason:
                title = reason["rule"]
                rest = {k: v for k, v in reason.items() if k != "rule"}
                rule_id = _slug(title) if isinstance(title, str) else title
                new.append({"rule_id": rule_id, "title": title, **rest})
            else:
                new.append(reason)
        moved.append({**refusal, "reasons": new})
    return {**document, "schema_version": 3, "refusals": moved}


MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
}
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
    definition = definition or default_definition()
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
    for key in sorted(set(document) - set(TOP_FIELDS)):
        problems.append(Problem(f"$.{key}", "unknown field"))
    for key in TOP_FIELDS:
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
        problems += chain_problems(state, head)
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
def field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _missing_fields(value: object, cls: type, path: str) -> list[Problem]:
    """Every field of ``cls`` (and of the records inside it) absent from ``value``.

    A document states every field, defaults included, so that a field dropped by
    accident is an error rather than a silent default.
    """
    if not isinstance(value, dict):
        return []
    hints = field_types(cls)
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
    stages = {s.name for s in definition.stages}
    for name in ("stage", "held_from"):
        value = body.get(name)
        if isinstance(value, str) and value not in stages:
            problems.append(Problem(f"$.review.{name}", f"unknown stage {value!r}"))
    roles = {r.id for r in definition.roles}
    bodies = set(definition.approvals.bodies) if definition.approvals else set()
    for field, key, known, what in (
        ("methodology", "role", roles, "role"),
        ("approvals", "body", bodies, "approval body"),
        ("delay_notices", "recipients", roles, "role"),
        ("history", "actor", roles, "role"),
    ):
        items = body.get(field)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            value = item.get(key) if isinstance(item, dict) else None
            where = f"$.review.{field}[{i}].{key}"
            if isinstance(value, dict):  # an actor: its role
                value, where = value.get("role"), where + ".role"
            for one in value if isinstance(value, list) else [value]:
                if isinstance(one, str) and one not in known:
                    problems.append(Problem(where, f"unknown {what} {one!r}"))
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
        specs = {d.name: d for d in (*definition.trigger(trigger).details, LATE_REASON)}
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
        if before(entry.at, previous.at if previous else state.aware_at):
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
