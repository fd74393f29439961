"""The review document: versioned, canonical JSON, loaded strictly, migrated, replayed.

A review document is canonical JSON::

    {"schema_version": 4, "definition": "LCSPR (England)", "head": "<sha-256>",
     "review": {... every field of ReviewState, history included ...}}

``head`` seals the review: it closes the history's hash chain and covers every
fact the review holds, so a stored fact edited without the engine shows on
loading, with no need to replay. Refused steps are not in the document (a
refusal changes nothing in the review); they are kept in the review's refusal
log, which ``dumps_refusals`` writes as a document of its own::

    {"log_version": 1, "reference": "Child A", "complete": true, "head": "<sha-256>",
     "refusals": [... steps attempted and refused, hash-chained ...]}

``dumps`` writes the review with the library's one converter. ``loads`` is
strict: it collects *every* problem (unknown or missing fields, wrong types,
naive date-times, unknown stages or triggers, details a trigger does not take, a
stage or a history that contradicts itself, a broken hash chain, a head that
does not seal the review) and raises one :class:`InvalidDocument` naming each
with its path (``$.review.panel[2].agency``). Older documents are migrated first,
one schema version at a time; since they did not seal the review's facts, their
facts are checked by replaying the history once, as they are loaded.

``replay`` rebuilds the review from its opening record through the engine and
names the first entry where the stored review and the replayed one part.
"""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from ._args import check_arg
from ._clocks import with_declared_clocks
from ._codec import canonical_json, converter, digest, document_json, opening_digest
from ._definition import ProcessDefinition
from ._details import LATE_REASON, DetailSpec
from ._engine import Review
from ._errors import InvalidDocument, InvalidInput, Problem, ReplayMismatch
from ._fallback import default_definition
from ._hashchain import chain_problems
from ._limits import DocumentLimits
from ._records import AuditEntry, Refusal, ReviewState, reference_problem
from ._refusals import RefusalLog
from ._sequence import item_type
from ._text import shown, text_problem, visible
from ._time import before

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "dumps",
    "dumps_refusals",
    "loads",
    "replay",
    "to_document",
]

SCHEMA_VERSION = 4
"""The version of the review document this library writes."""

LOG_VERSION = 1
"""The version of the refusal log document this library writes."""

TOP_FIELDS = ("schema_version", "definition", "head", "review")
LOG_FIELDS = ("log_version", "reference", "complete", "head", "refusals")

_MIGRATED = "migrated"  # what the migration to version 4 sets aside: the old refusals


def to_document(review: Review) -> dict[str, Any]:
    """The review as a plain JSON object (what :func:`dumps` writes)."""
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    return {
        "schema_version": SCHEMA_VERSION,
        "definition": review.definition.name,
        "head": review.history_head,
        "review": converter().unstructure(review.state, ReviewState),
    }


def dumps(review: Review) -> str:
    """The review as canonical JSON text: sorted keys, no spaces, one text per review.

    A refused step changes nothing here: refusals are kept apart, in the refusal
    log (:func:`dumps_refusals`).

    >>> from cspr_workflow import dumps, loads
    >>> from cspr_workflow.demo import demo_review
    >>> text = dumps(demo_review())
    >>> loads(text).state == demo_review().state
    True
    """
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    # canonical_json(to_document(review)), each chunk of the history written once
    return document_json(review.definition.name, SCHEMA_VERSION, review.state)


def dumps_refusals(review: Review) -> str:
    """The review's refusal log as canonical JSON text, to keep beside its document and
    read back with ``loads(document, refusals=log)``.

    >>> from cspr_workflow import dumps, loads
    >>> from cspr_workflow.demo import demo_review
    >>> review = demo_review()
    >>> again = loads(dumps(review), refusals=dumps_refusals(review))
    >>> [r.trigger for r in again.refusals]
    ['hold_panel_meeting', 'confirm_facts']
    """
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    return canonical_json(
        {
            "log_version": LOG_VERSION,
            "reference": review.reference,
            "complete": review.refusals_complete,
            "head": review.refusals_head,
            "refusals": converter().unstructure(review.refusals, tuple[Refusal, ...]),
        }
    )


# -- migrations -------------------------------------------------------------------------


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no hash chain and no refusals: link each entry to its predecessor,
    add the head and an empty list of refusals.

    Version 1 documents were written by this library's converter, so each entry's
    JSON is what the converter gives and its digest is the one the engine computes.
    A document that says it is version 1 but carries a head, a link or refusals was
    written later and relabelled (which would re-chain an edit): it is refused.
    """
    review = document.get("review")
    relabelled = [
        Problem(f"$.{key}", f"a version 1 document has no {what}: this one was relabelled")
        for key, what in (("head", "head"), ("refusals", "refusals"))
        if key in document
    ]
    history = review.get("history") if isinstance(review, dict) else None
    for i, entry in enumerate(history if isinstance(history, list) else ()):
        if isinstance(entry, dict) and "prev" in entry:
            relabelled.append(
                Problem(
                    f"$.review.history[{i}].prev",
                    "a version 1 document has no hash chain: this one was relabelled",
                )
            )
    if relabelled:
        raise InvalidDocument(relabelled)
    if not isinstance(review, dict) or not isinstance(history, list):
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
        return converter().structure(value, pendulum.DateTime)
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


def _v3_to_v4(document: dict[str, Any]) -> dict[str, Any]:
    """Version 3 kept refused steps in the document, outside the hash chain, and its head
    closed the chain alone. Version 4 keeps refusals in a log apart from the document and
    its head seals the review's facts too. The refusals are set aside (under
    ``"migrated"``) for ``loads`` to start the review's refusal log with; ``loads``
    checks the old head and, since the facts were not sealed, replays the history to
    check them before the review is given its new head."""
    rest = {k: v for k, v in document.items() if k != "refusals"}
    refusals = document.get("refusals")
    if isinstance(refusals, list):
        refusals = [
            {**r, "seq": i + 1, "prev": ""} if isinstance(r, dict) else r
            for i, r in enumerate(refusals)
        ]
    return {**rest, "schema_version": 4, _MIGRATED: {"refusals": refusals}}


MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
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
    refusals: str | bytes | None = None,
    limits: DocumentLimits | None = None,
) -> Review:
    """A review from its JSON document, or :class:`InvalidDocument` listing every problem.

    ``definition`` is the process the review follows (the default one unless
    given; the document names it). With ``check_history`` (the default) the hash
    chain and the head that seals the review are verified as well, so that an
    edited document does not load. ``refusals`` is the review's refusal log (as
    :func:`dumps_refusals` wrote it), checked the same way; without it the review
    notes only the refusals made from now on (``refusals_complete`` is False).
    A document older than version 4 carries its refusals itself. ``limits`` bound
    what is read (size, nesting, steps, refusals, text length; see
    :class:`DocumentLimits`), so that no document can make loading, replay or a
    report run for hours.
    """
    for argument, value, kind in (
        ("definition", definition, ProcessDefinition),
        ("limits", limits, DocumentLimits),
    ):
        if value is not None and not isinstance(value, kind):
            raise InvalidInput(
                argument,
                argument,
                f"expected a {kind.__name__}, got {type(value).__name__}",
                f"Pass a {kind.__name__}, or leave it out.",
            )
    definition = definition or default_definition()
    problems: list[Problem] = []
    limits = limits or DocumentLimits()
    raw = _json_object(text, "review document", limits)
    version = raw.get("schema_version")
    document = _migrate(raw, problems)
    if document is None:
        raise InvalidDocument(problems)
    migrated = document.pop(_MIGRATED, None) if type(version) is int and version < 4 else None
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
                f"the review follows {_definition_name(name)}, not {definition.name!r}: pass its "
                "definition (loads(..., definition=...))",
            )
        )
    body = document.get("review")
    state = None
    if isinstance(body, dict):
        problems += _body_limits(body, limits)
        problems += _missing_fields(body, ReviewState, "$.review")
        details = _names(body, definition, problems)
        state = _structure(body if problems else _with_details(body, details), problems)
        if state is not None and not problems:
            _consistent(state, definition, problems)
    elif "review" in document:
        problems.append(Problem("$.review", "expected an object"))
    legacy: tuple[Refusal, ...] = ()
    if migrated is not None:
        legacy = _refusal_records(migrated.get("refusals"), "$.refusals", problems)
        if refusals is not None:
            problems.append(
                Problem(
                    "$.refusals",
                    f"a version {version} document carries its own refusals: pass no "
                    "refusal log with it",
                )
            )
    if state is not None and not problems and check_history:
        problems += chain_problems(state, document.get("head"), sealed=migrated is None)
    if state is not None and not problems:
        # a review stored before its policy declared a clock gains the clock's record
        state = with_declared_clocks(definition.policy, state)
        if check_history and migrated is not None:
            problems += _facts_follow(state, definition, version)
    if problems:
        raise InvalidDocument(problems)
    assert state is not None
    if migrated is not None:
        log = RefusalLog(state.reference, state.aware_at)
        for r in legacy:
            log.append(r.at, r.actor, r.trigger, r.stage, r.reasons)
    elif refusals is not None:
        log = _load_log(refusals, state, check_history, limits)
    else:
        log = None
    return Review(state, definition, refusals=log)


def _json_object(text: object, what: str, limits: DocumentLimits) -> dict[str, Any]:
    """The JSON object ``text`` holds, within ``limits``; or :class:`InvalidDocument`."""
    if not isinstance(text, str | bytes | bytearray):
        problem = f"expected JSON text (str or bytes), got {type(text).__name__}"
        raise InvalidDocument([Problem("$", problem)], what)
    if len(text) > limits.max_bytes:
        problem = (
            f"{len(text)} bytes, more than the limit of {limits.max_bytes} "
            "(DocumentLimits.max_bytes)"
        )
        raise InvalidDocument([Problem("$", problem)], what)
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKey as duplicate:
        problem = f"the key {shown(duplicate.key)} appears twice in one object"
        raise InvalidDocument([Problem("$", problem)], what) from None
    except RecursionError:
        problem = f"arrays and objects nest deeper than {limits.max_depth} levels"
        raise InvalidDocument([Problem("$", problem)], what) from None
    except (ValueError, TypeError) as error:
        problem = f"not a JSON document ({_json_error(error)})"
        raise InvalidDocument([Problem("$", problem)], what) from None
    if not isinstance(raw, dict):
        raise InvalidDocument([Problem("$", "expected a JSON object")], what)
    problems = _within_limits(raw, limits)
    if problems:
        raise InvalidDocument(problems, what)
    return raw


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's keys, each once: JSON allows a key twice, and readers differ on which
    one counts, so a document where a key appears twice could say two things."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _json_error(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno}, column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text at byte {error.start}"
    return type(error).__name__


def _within_limits(raw: dict[str, Any], limits: DocumentLimits) -> list[Problem]:
    """Every text too long or not valid Unicode, and nesting too deep (the first 20)."""
    if _plainly_within(raw, limits):
        return []
    problems: list[Problem] = []
    stack: list[tuple[object, str, int]] = [(raw, "$", 1)]
    while stack and len(problems) < 20:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value, limits.max_text)
            if problem is not None:
                problems.append(Problem(path, problem))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > limits.max_depth:
            problems.append(
                Problem(path, f"nested deeper than {limits.max_depth} levels (max_depth)")
            )
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if text_problem(key, limits.max_text) is not None:
                    problems.append(Problem(path, "a key is not valid Unicode text"))
                    continue
                stack.append(
                    (item, f"{path}.{key}" if _PLAIN_KEY.fullmatch(key) else path, depth + 1)
                )
        else:
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
    problems.sort(key=lambda p: p.path)
    return problems


def _plainly_within(raw: dict[str, Any], limits: DocumentLimits) -> bool:
    """The quick check, without paths: True when no text is too long or holds a lone
    surrogate and nothing nests too deep (the usual case, which then costs one pass)."""
    max_text, max_depth = limits.max_text, limits.max_depth
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(raw, 1)]
    texts: list[str] = []
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            return False
        if type(value) is dict:
            texts.extend(value)
            items: Any = value.values()
        else:
            items = value
        for item in items:
            kind = type(item)
            if kind is str:
                if len(item) > max_text:
                    return False
                texts.append(item)
            elif kind is dict or kind is list:
                stack.append((item, depth + 1))
    try:
        "\x00".join(texts).encode("utf-8")  # a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return False
    return True


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _definition_name(name: object) -> str:
    if isinstance(name, str) and len(name) <= 100 and text_problem(name, 100) is None:
        return repr(visible(name))
    return shown(name)


def _too_many(
    path: str, items: object, noun: str, limits: DocumentLimits, field: str
) -> list[Problem]:
    """A problem when ``items`` is a list longer than ``limits.<field>``."""
    limit = getattr(limits, field)
    if not isinstance(items, list) or len(items) <= limit:
        return []
    return [
        Problem(
            path, f"{len(items)} {noun}, more than the limit of {limit} (DocumentLimits.{field})"
        )
    ]


def _body_limits(body: dict[str, Any], limits: DocumentLimits) -> list[Problem]:
    problems = _too_many("$.review.history", body.get("history"), "steps", limits, "max_steps")
    if "reference" in body:
        problem = reference_problem(body["reference"])
        if problem is not None:
            problems.append(Problem("$.review.reference", problem))
    return problems


def _facts_follow(
    state: ReviewState, definition: ProcessDefinition, version: object
) -> list[Problem]:
    """A document from before version 4 did not seal the review's facts: they must be
    what the engine makes of the history, which replaying it shows."""
    try:
        replay(Review(state, definition))
    except ReplayMismatch as error:
        return [
            Problem(
                "$.review",
                f"the review's facts do not follow from its history (version {version} "
                f"documents did not seal them, so loading replays the history): {error}",
            )
        ]
    return []


def _load_log(
    text: str | bytes, state: ReviewState, check: bool, limits: DocumentLimits
) -> RefusalLog:
    """The review's refusal log from its document, or :class:`InvalidDocument`."""
    what = "refusal log"
    raw = _json_object(text, what, limits)
    entries_raw = raw.get("refusals")
    problems = _too_many("$.refusals", entries_raw, "refusals", limits, "max_refusals")
    if problems:
        raise InvalidDocument(problems, what)
    if raw.get("log_version") != LOG_VERSION:
        problems.append(
            Problem("$.log_version", f"expected {LOG_VERSION}, the refusal log's version")
        )
    for key in sorted(set(raw) - set(LOG_FIELDS)):
        problems.append(Problem(f"$.{key}", "unknown field"))
    for key in LOG_FIELDS:
        if key not in raw:
            problems.append(Problem(f"$.{key}", "required field missing"))
    if "reference" in raw and raw["reference"] != state.reference:
        problems.append(Problem("$.reference", "the log is another review's, not this one's"))
    complete = raw.get("complete")
    if "complete" in raw and type(complete) is not bool:
        problems.append(Problem("$.complete", "expected true or false"))
    entries = _refusal_records(raw.get("refusals", []), "$.refusals", problems)
    log = RefusalLog(state.reference, state.aware_at, entries, complete=complete is True)
    if not problems and check:
        problems += log.problems(raw.get("head"))
    if problems:
        raise InvalidDocument(problems, what)
    return log


def _refusal_records(raw: object, root: str, problems: list[Problem]) -> tuple[Refusal, ...]:
    import cattrs  # when first needed, as the converter is (see _codec.converter)

    if not isinstance(raw, list):
        problems.append(Problem(root, "expected a list"))
        return ()
    for i, item in enumerate(raw):
        problems += _missing_fields(item, Refusal, f"{root}[{i}]")
    try:
        refusals: tuple[Refusal, ...] = converter().structure(raw, tuple[Refusal, ...])
    except cattrs.BaseValidationError as error:
        problems += _converter_problems(error, root)
        return ()
    return refusals


def _converter_problems(error: cattrs.BaseValidationError, root: str) -> list[Problem]:
    import cattrs  # when first needed, as the converter is (see _codec.converter)

    problems = []
    for line in cattrs.transform_error(error, path=root, format_exception=_explain):
        message, _, path = line.rpartition(" @ ")
        if "required field missing" not in message:  # reported by _missing_fields
            problems.append(Problem(path, message))
    return problems


def _structure(body: dict[str, Any], problems: list[Problem]) -> ReviewState | None:
    import cattrs  # when first needed, as the converter is (see _codec.converter)

    try:
        state: ReviewState = converter().structure(body, ReviewState)
    except cattrs.BaseValidationError as error:
        problems += _converter_problems(error, "$.review")
        return None
    except (TypeError, ValueError, KeyError) as error:
        problems.append(Problem("$.review", f"not a review ({error})"))
        return None
    return state


def _explain(error: BaseException, wanted: type | None) -> str:
    """One problem in words: the converter's own message, which says what was expected."""
    import cattrs  # when first needed, as the converter is (see _codec.converter)

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
    problems: list[Problem] = []
    _missing(value, _plan(cls), path, problems)
    return problems


_Plan = tuple[tuple[str, str, "_Plan | None"], ...]
"""For each field of a record: its name, how records nest in it ("record": the value is
one, "list": a list of them, "optional": one or null) and the nested record's plan."""


@functools.cache
def _plan(cls: type) -> _Plan:
    """Where records nest in ``cls``, worked out once from its type hints (a record's own
    type hints do not change)."""
    hints = field_types(cls)
    plan = []
    for field in attrs.fields(cls):
        how, inner = _nesting(hints[field.name])
        plan.append((field.name, how, None if inner is None else _plan(inner)))
    return tuple(plan)


def _nesting(hint: Any) -> tuple[str, type | None]:
    cls = _attrs_class(hint)
    if cls is not None:
        return "record", cls
    item = item_type(hint)
    if item is not None:
        return "list", _attrs_class(item)
    for arg in typing.get_args(hint):  # X | None
        cls = _attrs_class(arg)
        if cls is not None:
            return "optional", cls
    return "", None


def _missing(value: object, plan: _Plan, path: str, problems: list[Problem]) -> None:
    if not isinstance(value, dict):
        return
    for name, how, inner in plan:
        if name not in value:
            problems.append(Problem(f"{path}.{name}", "required field missing"))
            continue
        if inner is None:
            continue
        nested = value[name]
        if how == "list":
            if isinstance(nested, list):
                for i, item in enumerate(nested):
                    _missing(item, inner, f"{path}.{name}[{i}]", problems)
        elif nested is not None or how == "record":
            _missing(nested, inner, f"{path}.{name}", problems)


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
            problems.append(Problem(f"$.review.{name}", f"unknown stage {shown(value)}"))
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
                    problems.append(Problem(where, f"unknown {what} {shown(one)}"))
    history = body.get("history")
    parsed_details: list[dict[str, object]] = []
    takes: dict[str, dict[str, DetailSpec]] = {}  # each trigger's detail specs, by name
    for i, entry in enumerate(history if isinstance(history, list) else ()):
        where = f"$.review.history[{i}]"
        details: dict[str, object] = {}
        parsed_details.append(details)
        if not isinstance(entry, dict):
            continue
        for name in ("source", "dest"):
            value = entry.get(name)
            if isinstance(value, str) and value not in stages:
                problems.append(Problem(f"{where}.{name}", f"unknown stage {shown(value)}"))
        trigger = entry.get("trigger")
        if not isinstance(trigger, str):
            continue
        specs = takes.get(trigger)
        if specs is None:
            if not definition.has_trigger(trigger):
                problems.append(Problem(f"{where}.trigger", f"unknown trigger {shown(trigger)}"))
                continue
            specs = {d.name: d for d in (*definition.trigger(trigger).details, LATE_REASON)}
            takes[trigger] = specs
        raw = entry.get("details")
        for name, value in raw.items() if isinstance(raw, dict) else ():
            spec = specs.get(name)
            if spec is None:
                problems.append(
                    Problem(f"{where}.details", f"{trigger!r} takes no detail {shown(name)}")
                )
                continue
            parsed, error = spec.parse(value)
            if error is not None:
                problems.append(Problem(f"{where}.details.{name}", error))
            details[name] = parsed
    return parsed_details


def _with_details(body: dict[str, Any], details: list[dict[str, object]]) -> dict[str, Any]:
    """``body`` with each step's details as ``_names`` parsed them (the values the engine
    recorded), for a body in which ``_names`` found no fault (a history that is not a list
    is left for the converter to report)."""
    history = body.get("history")
    if not isinstance(history, list):
        return body
    steps = [
        {**entry, "details": parsed} if parsed else entry
        for entry, parsed in zip(history, details, strict=True)
    ]
    return {**body, "history": steps}


def _consistent(
    state: ReviewState, definition: ProcessDefinition, problems: list[Problem]
) -> None:
    """Check the review's history against itself.

    Steps are numbered 1, 2, 3..., each starts where the one before ended (the first
    at the initial stage), none is earlier than the one before, and the review's
    stage is where the last one ended.
    """
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
        previous = entry
    last = previous.dest if previous else definition.initial_stage.name
    if state.stage != last:
        problems.append(
            Problem(
                "$.review.stage",
                f"the review says {state.stage!r}, but its history ends at {last!r}",
            )
        )


# -- replay ----------------------------------------------------------------------------------


def replay(review: Review) -> Review:
    """Rebuild ``review`` from its opening record by firing its history through the engine.

    Returns the rebuilt review, equal to ``review``; raises :class:`ReplayMismatch`
    naming the first step where they part (a refused step, a different entry) or,
    when every step replays, the fields of the state that differ.
    """
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    state = review.state
    rebuilt = review._replayed()
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
