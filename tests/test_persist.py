"""Review documents: round trips, strict loading, migration, the hash chain, replay, schema."""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspr_workflow import CsprWorkflowError, Review, Trigger, dumps, loads
from cspr_workflow._cli import main
from cspr_workflow._codec import (
    canonical_json,
    chain_tip,
    converter,
    digest,
    entry_digest,
    opening_digest,
    seal,
    state_json,
)
from cspr_workflow._records import AuditEntry, ReviewState
from cspr_workflow.demo import ACTORS, SCRIPT, demo_review
from cspr_workflow.errors import HistoryTampered, InvalidDocument, ReplayMismatch
from cspr_workflow.persistence import (
    SCHEMA_VERSION,
    dumps_refusals,
    json_schema,
    replay,
    to_document,
    verify_history,
)

from .builders import Walker
from .strategies import reviews

DATA = Path(__file__).parent / "data"
DEMO = demo_review()
DEMO_TEXT = dumps(DEMO)


def document() -> dict[str, Any]:
    return json.loads(DEMO_TEXT)


def problems(doc: object) -> list[tuple[str, str]]:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with pytest.raises(InvalidDocument) as caught:
        loads(text)
    return [(p.path, p.message) for p in caught.value.problems]


def paths(doc: object) -> list[str]:
    return [path for path, _ in problems(doc)]


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("upto", range(0, len(SCRIPT) + 1, 5))
def test_every_stage_of_the_demo_round_trips(upto: int) -> None:
    review = demo_review(upto=upto)
    text = dumps(review)
    loaded = loads(text)
    assert loaded.state == review.state
    assert dumps(loaded) == text
    assert loaded.history_head == review.history_head


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reviews)
def test_any_reachable_review_round_trips_exactly(review: Review) -> None:
    text = dumps(review)
    loaded = loads(text)
    assert loaded.state == review.state
    assert dumps(loaded) == text
    verify_history(loaded, head=review.history_head)
    assert replay(loaded).state == review.state


def _slow_document(review: Review) -> tuple[str, str]:
    """The document and the seal as their definitions say, every value through the
    converter and every entry written again: what the chunked writer must equal."""
    state = review.state
    facts = converter().unstructure(state.evolve(history=()), ReviewState)
    head = digest({"chain": chain_tip(state), "facts": facts})
    document = {
        "schema_version": SCHEMA_VERSION,
        "definition": review.definition.name,
        "head": head,
        "review": converter().unstructure(state, ReviewState),
    }
    return canonical_json(document), head


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reviews)
def test_dumps_and_the_seal_are_the_canonical_json_of_every_value(review: Review) -> None:
    assert (dumps(review), review.history_head) == _slow_document(review)


def test_a_value_not_of_its_fields_type_is_written_as_the_converter_writes_it() -> None:
    """Each field has a writer of its own (text, instants, enums, tuples kept by identity);
    a state built by hand with a value of another kind is still written as the converter
    writes it."""
    state = demo_review(upto=18).state
    for field, value in [
        ("chair", 5),
        ("decided_at", state.aware_at.date()),
        ("family_response", "declined"),
        ("kloes", ["a list"]),
        ("stage", None),
    ]:
        odd = attrs.evolve(state, **{field: value})
        assert state_json(odd)[0] == canonical_json(converter().unstructure(odd, ReviewState))


def test_a_long_review_is_written_chunk_by_chunk_as_in_full() -> None:
    """Past several full chunks of history and meetings (32 items each), and again after
    a step, when the earlier chunks' texts are the ones kept from the first document."""
    review = demo_review(upto=18)
    at = review.state.last_at
    for minutes in range(1, 100):
        review.fire(Trigger.HOLD_PANEL_MEETING, by=ACTORS["chair"], at=at.add(minutes=minutes))
        if minutes in (1, 14, 15, 46, 47, 78, 99):
            assert len(review.state.meetings) > minutes
            assert (dumps(review), review.history_head) == _slow_document(review)


def test_the_document_is_canonical_json() -> None:
    doc = json.loads(DEMO_TEXT)
    assert json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == DEMO_TEXT
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["definition"] == "LCSPR (England)"
    assert doc["head"] == DEMO.history_head
    assert doc["review"]["reference"] == "Child A"


def test_refusals_are_kept_in_a_log_apart_from_the_document() -> None:
    assert "refusals" not in document()
    log = json.loads(dumps_refusals(DEMO))
    assert set(log) == {"log_version", "reference", "complete", "head", "refusals"}
    assert (log["reference"], log["complete"], log["head"]) == (
        "Child A",
        True,
        DEMO.refusals_head,
    )
    assert [r["trigger"] for r in log["refusals"]] == ["hold_panel_meeting", "confirm_facts"]
    assert [r["seq"] for r in log["refusals"]] == [1, 2]
    reason = log["refusals"][1]["reasons"][0]
    assert (reason["rule_id"], reason["title"]) == (
        "own_agency",
        "a panel member speaks only for their own agency",
    )
    again = loads(DEMO_TEXT, refusals=dumps_refusals(DEMO))
    assert again.refusals == DEMO.refusals
    assert again.refusals_complete
    alone = loads(DEMO_TEXT)
    assert (alone.refusals, alone.refusals_complete) == ((), False)


def test_instants_keep_their_offset_and_dates_are_plain() -> None:
    doc = document()["review"]
    assert doc["aware_at"] == "2026-01-05T09:00:00+00:00"
    summer = next(e for e in doc["history"] if e["trigger"] == "publish")
    assert summer["at"] == "2026-09-01T09:00:00+01:00"  # British Summer Time
    delay = next(e for e in doc["history"] if e["trigger"] == "notify_delay")
    assert delay["details"]["revised_date"] == "2026-09-30"
    assert delay["details"]["recipients"] == ["executive", "national_panel"]


# -- strict loading ------------------------------------------------------------------------


def edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = document()
    change(doc)
    return doc


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        ("surplus", 1, "$.surplus", "unknown field"),
        ("review.surplus", 1, "$.review", "unknown field(s): surplus"),
        ("review.panel.2.surplus", 1, "$.review.panel[2]", "unknown field(s): surplus"),
        ("review.kloes", _DELETE, "$.review.kloes", "required field missing"),
        ("review.panel.1.justification", _DELETE, "$.review.panel[1].justification", "missing"),
        ("review.history.4.actor.agency", _DELETE, "$.review.history[4].actor.agency", "missing"),
        ("head", _DELETE, "$.head", "required field missing"),
        ("review.panel.2.agency", 5, "$.review.panel[2].agency", "expected text, got int"),
        ("review.history.3.seq", "4", "$.review.history[3].seq", "expected a whole number"),
        ("review.panel.0.independent", "yes", "$.review.panel[0].independent", "true or false"),
        ("review.kloes", "one", "$.review.kloes", "expected a list, got str"),
        ("review.history.3.at", "2026-02-02T09:00:00", "$.review.history[3].at", "time zone"),
        ("review.aware_at", "yesterday", "$.review.aware_at", "not an ISO 8601 date-time"),
        ("review.actions.0.due", "31/12/2026", "$.review.actions[0].due", "not an ISO 8601 date"),
        ("review.clocks.0.kind", "soon", "$.review.clocks[0].kind", "expected one of deadline"),
        ("review.history.0.actor.role", "mayor", "$.review.history[0].actor.role", "unknown role"),
        ("review.stage", "limbo", "$.review.stage", "unknown stage 'limbo'"),
        ("review.held_from", "limbo", "$.review.held_from", "unknown stage"),
        ("review.history.5.trigger", "fly", "$.review.history[5].trigger", "unknown trigger"),
        ("review.history.5.dest", "moon", "$.review.history[5].dest", "unknown stage 'moon'"),
        ("review.history.8.details.bogus", 1, "$.review.history[8].details", "no detail 'bogus'"),
        (
            "review.history.8.details.independent",
            "no",
            "$.review.history[8].details.independent",
            "expected True or False",
        ),
        ("review.stage", "drafting", "$.review.stage", "its history ends at 'closed'"),
        ("review.history.6.seq", 9, "$.review.history[6].seq", "expected step 7, found 9"),
        ("review.history.6.source", "drafting", "$.review.history[6].source", "review was at"),
        (
            "review.history.6.at",
            "2026-01-01T09:00:00+00:00",
            "$.review.history[6].at",
            "earlier than the step before it",
        ),
        ("definition", "Elsewhere LCSPR", "$.definition", "pass its definition"),
        ("schema_version", 99, "$.schema_version", "newer cspr_workflow"),
        ("schema_version", "2", "$.schema_version", "required"),
        ("review", [], "$.review", "expected an object"),
    ],
)
def test_each_problem_is_named_with_its_path(
    path: str, value: object, where: str, says: str
) -> None:
    found = problems(edit(_set(path, value)))
    assert any(p == where and says in m for p, m in found), found


def test_every_problem_is_reported_at_once() -> None:
    doc = document()
    for change in (
        _set("surplus", 1),
        _set("review.kloes", _DELETE),
        _set("review.panel.2.agency", 5),
        _set("review.history.3.at", "2026-02-02T09:00:00"),
        _set("review.stage", "limbo"),
        _set("review.history.5.trigger", "fly"),
    ):
        change(doc)
    assert set(paths(doc)) == {
        "$.surplus",
        "$.review.kloes",
        "$.review.panel[2].agency",
        "$.review.history[3].at",
        "$.review.stage",
        "$.review.history[5].trigger",
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not a JSON document"),
        ("[1, 2]", "expected a JSON object"),
        ("{}", "schema version"),
        ('{"schema_version": 0}', "no migration from version 0"),
    ],
)
def test_not_a_review_at_all(text: str, says: str) -> None:
    assert any(says in m for _, m in problems(text))


def test_the_message_lists_every_problem_and_what_to_do() -> None:
    with pytest.raises(InvalidDocument) as caught:
        loads(json.dumps(edit(_set("review.panel.2.agency", 5))))
    message = str(caught.value)
    assert "$.review.panel[2].agency: expected text, got int" in message
    assert "Fix the review document" in message


# -- migration -----------------------------------------------------------------------------


def test_a_schema_1_document_is_migrated() -> None:
    """Version 1 had no hash chain: loading links the entries and the review is intact."""
    text = (DATA / "child-a-schema-1.json").read_text()
    assert json.loads(text)["schema_version"] == 1
    assert "prev" not in json.loads(text)["review"]["history"][0]
    review = loads(text)
    assert review.state == DEMO.state
    assert review.refusals == ()  # version 1 did not keep them
    assert review.refusals_complete
    assert dumps(review) == DEMO_TEXT
    verify_history(review, head=DEMO.history_head)


def test_a_tampered_schema_1_document_does_not_load_after_migration() -> None:
    doc = json.loads((DATA / "child-a-schema-1.json").read_text())
    doc["review"]["stage"] = "drafting"
    assert "$.review.stage" in paths(doc)


# -- the hash chain ---------------------------------------------------------------------------


def _linked(entries: list[dict[str, Any]], reference: str, aware_at: str) -> None:
    """Recompute the chain, as someone covering their tracks would."""
    prev = digest({"reference": reference, "aware_at": aware_at})
    for entry in entries:
        entry["prev"] = prev
        prev = digest(entry)


def _tamperings(n: int) -> list[tuple[str, Callable[[list[dict[str, Any]]], None], int]]:
    """(what, edit of the history, the step the chain breaks at) for entry ``n``."""
    last = len(DEMO.history) - 1

    def edit_detail(h: list[dict[str, Any]]) -> None:
        h[n]["details"] = {**h[n]["details"], "late_reason": "inserted later"}

    def edit_time(h: list[dict[str, Any]]) -> None:
        h[n]["at"] = h[n]["at"].replace(":00+", ":01+", 1)

    def edit_actor(h: list[dict[str, Any]]) -> None:
        h[n]["actor"] = {**h[n]["actor"], "name": "Someone else"}

    def delete(h: list[dict[str, Any]]) -> None:
        del h[n]

    def insert(h: list[dict[str, Any]]) -> None:
        h.insert(n, copy.deepcopy(h[n]))

    def swap(h: list[dict[str, Any]]) -> None:
        h[n], h[n + 1] = h[n + 1], h[n]

    # An edit of entry n shows at entry n + 1 (whose link no longer matches), or at the
    # head for the last entry; a removal, insertion or swap shows where it happened.
    after = n + 2 if n < last else None
    cases = [
        ("edited details", edit_detail, after),
        ("edited time", edit_time, after),
        ("edited actor", edit_actor, after),
        ("deleted", delete, n + 1 if n < last else None),
        ("inserted", insert, n + 2),
    ]
    if n < last:
        cases.append(("reordered", swap, n + 1))
    return cases  # type: ignore[return-value]


ALL_TAMPERINGS = [
    (n, what, change, breaks)
    for n in range(len(DEMO.history))
    for what, change, breaks in _tamperings(n)
]


@pytest.mark.parametrize(
    ("n", "what", "change", "breaks"),
    ALL_TAMPERINGS,
    ids=[f"{what}-{n + 1}" for n, what, _, _ in ALL_TAMPERINGS],
)
def test_every_tampering_is_detected_and_located(
    n: int, what: str, change: Callable[[list[dict[str, Any]]], None], breaks: int | None
) -> None:
    doc = document()
    change(doc["review"]["history"])
    # On loading: the document does not load.
    found = problems(doc)
    assert found, what
    # On a review built from the tampered history (say, read by other means).
    state = attrs.evolve(DEMO.state, history=tuple(_entries(doc["review"]["history"])))
    tampered = Review(state, DEMO.definition)
    with pytest.raises(HistoryTampered) as caught:
        verify_history(tampered, head=DEMO.history_head)
    if breaks is not None:
        assert caught.value.seq == breaks, (what, n)


def _entries(raw: list[dict[str, Any]]) -> list[AuditEntry]:
    """History entries read from JSON as they stand (details as raw JSON values)."""
    return [converter().structure(entry, AuditEntry) for entry in raw]


def test_the_number_of_tamperings_tried() -> None:
    assert len(ALL_TAMPERINGS) == 6 * len(DEMO.history) - 1


def test_a_changed_opening_record_is_detected() -> None:
    state = attrs.evolve(DEMO.state, reference="Child B")
    with pytest.raises(HistoryTampered) as caught:
        verify_history(Review(state, DEMO.definition))
    assert caught.value.seq == 1
    assert "opening record" in str(caught.value)


def test_without_the_head_only_the_last_step_can_change_unseen() -> None:
    doc = document()
    doc["review"]["history"][-1]["at"] = "2027-03-02T10:00:00+00:00"
    state = attrs.evolve(DEMO.state, history=tuple(_entries(doc["review"]["history"])))
    verify_history(Review(state, DEMO.definition))  # no head: nothing to compare the end with
    with pytest.raises(HistoryTampered):
        verify_history(Review(state, DEMO.definition), head=DEMO.history_head)


def test_each_entry_links_to_its_predecessor() -> None:
    history = DEMO.history
    assert history[0].prev == opening_digest("Child A", DEMO.state.aware_at)
    for before, after in itertools.pairwise(history):
        assert after.prev == entry_digest(before)
    assert chain_tip(DEMO.state) == entry_digest(history[-1])
    assert DEMO.history_head == seal(DEMO.state) != entry_digest(history[-1])


# -- replay -----------------------------------------------------------------------------------


def test_the_demo_replays_to_the_same_review() -> None:
    assert replay(DEMO).state == DEMO.state


def test_a_state_changed_outside_the_engine_does_not_replay() -> None:
    changed = Review(attrs.evolve(DEMO.state, approvals=DEMO.state.approvals[:1]), DEMO.definition)
    verify_history(changed)  # the history's chain itself is intact...
    with pytest.raises(HistoryTampered, match="does not seal the review"):
        verify_history(changed, head=DEMO.history_head)  # ...but not the kept seal
    with pytest.raises(ReplayMismatch) as caught:
        replay(changed)
    assert "approvals" in str(caught.value)
    assert caught.value.seq == len(DEMO.history)


def test_a_rewritten_and_relinked_history_does_not_replay() -> None:
    """Someone re-points the action for R3 at R1 and recomputes the whole chain: the
    chain is consistent again, but the engine would never have let the CRG approve."""
    doc = document()
    history = doc["review"]["history"]
    last_action = max(i for i, e in enumerate(history) if e["trigger"] == "add_action")
    history[last_action]["details"]["recommendation"] = "R1"
    crg = next(i for i, e in enumerate(history) if e["trigger"] == "crg_approve")
    _linked(history, "Child A", doc["review"]["aware_at"])
    doc["head"] = seal(loads(json.dumps(doc), check_history=False).state)
    review = loads(json.dumps(doc))  # the chain and the seal are consistent again...
    with pytest.raises(ReplayMismatch) as caught:  # ...but the engine refuses that path
        replay(review)
    assert caught.value.seq == crg + 1
    assert "refuses" in str(caught.value)


# -- fuzzing ------------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _locations(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _locations(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _locations(value, (*path, i))
    return found


_SMALL = dumps(demo_review(upto=12))
_LOCATIONS = _locations(json.loads(_SMALL))


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_LOCATIONS), st.sampled_from(("replace", "delete", "add")), _JSON
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_documents_fail_only_with_library_errors(
    mutations: list[tuple[tuple[Any, ...], str, Any]],
) -> None:
    doc = json.loads(_SMALL)
    for path, how, value in mutations:
        _mutate(doc, path, how, value)
    with contextlib.suppress(CsprWorkflowError):
        loads(json.dumps(doc))


def _mutate(doc: Any, path: tuple[Any, ...], how: str, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if not path:
        return
    last = path[-1]
    try:
        if how == "delete":
            del node[last]
        elif how == "add" and isinstance(node, list):
            node.insert(last, value)
        elif how == "add" and isinstance(node, dict):
            node[f"{last}_extra"] = value
        else:
            node[last] = value
    except (KeyError, IndexError, TypeError):
        return


@settings(deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200) | _JSON.map(json.dumps))
def test_arbitrary_input_fails_only_with_library_errors(data: bytes | str) -> None:
    with pytest.raises(CsprWorkflowError):
        loads(data)


# -- the JSON Schema ---------------------------------------------------------------------------


def test_documents_validate_against_the_json_schema() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for upto in (0, 10, 30, len(SCRIPT)):
        validator.validate(to_document(demo_review(upto=upto)))
    validator.validate(to_document(Walker().to_monitoring().review))


@pytest.mark.parametrize(
    "change",
    [
        _set("surplus", 1),
        _set("review.kloes", _DELETE),
        _set("review.panel.2.agency", 5),
        _set("review.history.3.at", "2026-02-02T09:00:00"),
        _set("review.clocks.0.kind", "soon"),
        _set("head", "not a digest"),
    ],
)
def test_the_json_schema_rejects_what_loading_rejects(
    change: Callable[[dict[str, Any]], None],
) -> None:
    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    doc = edit(change)
    assert not validator.is_valid(doc)


def test_cli_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json_schema()
