"""The trust contract: time is real time, what is stored is what happened, bad input is refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
import sqlalchemy as sa
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Actor,
    CsprWorkflowError,
    Review,
    ReviewStore,
    TimeWentBackwards,
    TransitionRefused,
    Trigger,
    audit_report,
    check_review,
    diagram,
    simulate,
    verify,
)
from cspr_workflow._codec import (
    chain_tip,
    converter,
    digest,
    opening_digest,
    refusal_digest,
    seal,
)
from cspr_workflow._declared import _RESERVED
from cspr_workflow._oracle import violations
from cspr_workflow._text import markdown_text, visible
from cspr_workflow.clocks import WorkingDayCalendar
from cspr_workflow.demo import ACTORS as DEMO_ACTORS
from cspr_workflow.demo import demo_review
from cspr_workflow.errors import (
    HistoryTampered,
    InvalidDefinition,
    InvalidDocument,
    InvalidInput,
    InvalidTime,
    NotAnExtension,
    ReplayMismatch,
)
from cspr_workflow.persistence import (
    DocumentLimits,
    dumps,
    dumps_refusals,
    json_schema,
    loads,
    replay,
    to_document,
    verify_history,
    verify_refusals,
)
from cspr_workflow.records import FactCheck, Refusal
from cspr_workflow.simulation import simulated_review
from cspr_workflow.verification import history_forward

from .builders import AWARE, WHO, Walker
from .test_report import _open

DATA = Path(__file__).parent / "data"

T = Trigger
UTC = dt.UTC

# The last Sundays of March (clocks go forward at 01:00 UTC) and of October (clocks go
# back at 01:00 UTC), for several years.
CHANGES = {
    2026: (29, 25),
    2027: (28, 31),
    2028: (26, 29),
    2029: (25, 28),
    2030: (31, 27),
}


def _opened_before(at: dt.datetime) -> Review:
    return Review.open("Child A", aware_at=at - dt.timedelta(hours=2))


def _notify(review: Review, at: dt.datetime) -> None:
    review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=at)


def _submit(review: Review, at: dt.datetime) -> None:
    review.fire(
        T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=at, kloes=["KLOE 1"], agencies=["Police"]
    )


class TestInstantsAreComparedAsInstants:
    """Invariant: time never runs backwards, judged by the instant, not the wall clock."""

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_an_earlier_step_in_the_autumn_repeated_hour_is_refused(self, year: int) -> None:
        day = CHANGES[year][1]
        first = dt.datetime(year, 10, day, 1, 10, tzinfo=UTC)  # 01:10 GMT, the second 01:10
        earlier = dt.datetime(year, 10, day, 0, 50, tzinfo=UTC)  # 01:50 BST, 20 minutes before
        review = _opened_before(first)
        _notify(review, first)
        with pytest.raises(TimeWentBackwards, match="time never runs backwards"):
            _submit(review, earlier)
        assert len(review.history) == 1

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_later_step_in_the_autumn_repeated_hour_is_accepted(self, year: int) -> None:
        day = CHANGES[year][1]
        first = dt.datetime(year, 10, day, 0, 30, tzinfo=UTC)  # 01:30 BST
        later = dt.datetime(year, 10, day, 1, 10, tzinfo=UTC)  # 01:10 GMT, 40 minutes on
        review = _opened_before(first)
        _notify(review, first)
        _submit(review, later)
        entries = review.history
        assert entries[-1].at.timestamp() - entries[-2].at.timestamp() == 40 * 60
        assert [e.at.isoformat() for e in entries] == [
            f"{year}-10-{day:02d}T01:30:00+01:00",
            f"{year}-10-{day:02d}T01:10:00+00:00",
        ]
        # The stored document reads back, replays and satisfies the forward property.
        again = loads(dumps(review))
        assert dumps(replay(again)) == dumps(review)
        assert violations(DEFAULT_DEFINITION, review.state, [history_forward()]) == ()

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_step_put_back_in_time_is_caught_by_the_forward_property(self, year: int) -> None:
        day = CHANGES[year][1]
        review = _opened_before(dt.datetime(year, 10, day, 0, 0, tzinfo=UTC))
        _notify(review, dt.datetime(year, 10, day, 1, 10, tzinfo=UTC))
        _submit(review, dt.datetime(year, 10, day, 1, 20, tzinfo=UTC))
        first, second = review.history
        back = dt.datetime(year, 10, day, 0, 50, tzinfo=UTC)  # 01:50 BST
        moved = attrs.evolve(second, at=pendulum.instance(back).in_timezone("Europe/London"))
        state = attrs.evolve(review.state, history=(first, moved))
        found = violations(DEFAULT_DEFINITION, state, [history_forward()])
        assert [v.message for v in found] == ["the step is dated before the one it follows"]

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_document_written_out_of_order_in_the_repeated_hour_is_refused(
        self, year: int
    ) -> None:
        day = CHANGES[year][1]
        review = _opened_before(dt.datetime(year, 10, day, 0, 0, tzinfo=UTC))
        _notify(review, dt.datetime(year, 10, day, 0, 30, tzinfo=UTC))  # 01:30 BST
        _submit(review, dt.datetime(year, 10, day, 1, 10, tzinfo=UTC))  # 01:10 GMT
        document = json.loads(dumps(review))
        assert loads(json.dumps(document)).history == review.history
        # The same wall clocks with the occurrences swapped: 01:30 GMT then 01:10 BST.
        document["review"]["history"][0]["at"] = f"{year}-10-{day:02d}T01:30:00+00:00"
        document["review"]["history"][1]["at"] = f"{year}-10-{day:02d}T01:10:00+01:00"
        with pytest.raises(Exception, match="earlier than the step before it"):
            loads(json.dumps(document))

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_steps_either_side_of_the_spring_change_keep_their_order(self, year: int) -> None:
        day = CHANGES[year][0]
        first = dt.datetime(year, 3, day, 0, 59, tzinfo=UTC)  # 00:59 GMT
        second = dt.datetime(year, 3, day, 1, 0, tzinfo=UTC)  # 02:00 BST, a minute later
        review = _opened_before(first)
        _notify(review, first)
        _submit(review, second)
        assert [e.at.hour for e in review.history] == [0, 2]
        with pytest.raises(TimeWentBackwards):
            review.fire(T.COMMISSION_REVIEW, by=WHO["executive"], at=first, reason="Criteria met")

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_time_in_the_spring_gap_means_what_python_says(self, year: int) -> None:
        day = CHANGES[year][0]
        gap = dt.datetime(year, 3, day, 1, 30, tzinfo=ZoneInfo("Europe/London"))
        review = _opened_before(gap.astimezone(UTC))
        _notify(review, gap)
        recorded = review.history[-1].at
        assert recorded.timestamp() == gap.timestamp()
        assert recorded == gap.astimezone(UTC)

    @pytest.mark.parametrize("fold", [0, 1])
    def test_the_repeated_hour_read_by_fold(self, fold: int) -> None:
        local = dt.datetime(2026, 10, 25, 1, 30, fold=fold, tzinfo=ZoneInfo("Europe/London"))
        review = _opened_before(local.astimezone(UTC))
        _notify(review, local)
        assert review.history[-1].at.timestamp() == local.timestamp()
        assert review.history[-1].at.utcoffset() == local.utcoffset()

    def test_a_document_instant_in_another_offset_is_refused_clearly(self) -> None:
        review = _opened_before(dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
        _notify(review, dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
        document = json.loads(dumps(review))
        assert document["review"]["history"][0]["at"] == "2026-07-01T10:00:00+01:00"
        document["review"]["history"][0]["at"] = "2026-07-01T09:00:00+00:00"  # the same instant
        with pytest.raises(Exception, match="not written in Europe/London time"):
            loads(json.dumps(document))


# -- what is stored is what happened ------------------------------------------------------------

DEMO = demo_review()
DEMO_TEXT = dumps(DEMO)


def _doc(review: Review | None = None) -> dict[str, Any]:
    return json.loads(dumps(review or DEMO))


def _refused(doc: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidDocument) as caught:
        loads(json.dumps(doc))
    assert says in str(caught.value), str(caught.value)


def _fact_check_review() -> Review:
    return Walker().to_fact_check().review


def _all_agencies_confirm(doc: dict[str, Any]) -> None:
    """Fact checks for every agency of the case, with no step that recorded them."""
    body = doc["review"]
    version = body["drafts"][-1]["version"]
    at = body["history"][-1]["at"]
    body["fact_checks"] = [
        {"agency": a, "at": at, "version": version} for a in body["case_agencies"]
    ]


def _as_version_3(review: Review) -> dict[str, Any]:
    """The review as this library wrote it before version 4: the head closing the chain
    alone, and the refusals in the document."""
    doc = _doc(review)
    doc["schema_version"] = 3
    doc["head"] = chain_tip(review.state)
    doc["refusals"] = [
        {k: v for k, v in converter().unstructure(r, Refusal).items() if k not in ("seq", "prev")}
        for r in review.refusals
    ]
    return doc


class TestFactsAreSealed:
    """A stored fact edited without the engine shows against the document's own head."""

    def test_fact_checks_added_without_steps_do_not_load(self) -> None:
        doc = _doc(_fact_check_review())
        _all_agencies_confirm(doc)
        _refused(doc, "the head does not seal the review")

    def test_a_changed_recommendation_does_not_load(self) -> None:
        doc = _doc()
        doc["review"]["drafts"][-1]["recommendations"][0]["text"] = "Something milder"
        _refused(doc, "the head does not seal the review")

    def test_a_fake_approval_does_not_load(self) -> None:
        doc = _doc(Walker().to_crp_agreed().review)
        approvals = doc["review"]["approvals"]
        approvals.append({**approvals[0], "body": "crg"})
        _refused(doc, "the head does not seal the review")

    @pytest.mark.parametrize(
        "field", ["stage_note", "kloes", "chair", "terms_of_reference", "clocks", "panel"]
    )
    def test_any_fact_edited_does_not_load(self, field: str) -> None:
        doc = _doc()
        body = doc["review"]
        if field == "stage_note":
            body["decision_reason"] = "Another reason"
        elif field == "kloes":
            body["kloes"] = [*body["kloes"], "An extra line of enquiry"]
        elif field == "chair":
            body["chair"] = "Someone Else"
        elif field == "terms_of_reference":
            body["terms_of_reference"] = "Other terms"
        elif field == "clocks":
            body["clocks"][0]["limit"] += 1
        else:
            body["panel"] = body["panel"][:-1]
        _refused(doc, "the head does not seal the review")

    def test_a_kept_head_catches_a_resealed_edit(self) -> None:
        review = _fact_check_review()
        kept = review.history_head
        doc = _doc(review)
        _all_agencies_confirm(doc)
        edited = loads(json.dumps(doc), check_history=False)
        doc["head"] = seal(edited.state)  # the editor reseals the document...
        resealed = loads(json.dumps(doc))
        with pytest.raises(HistoryTampered, match="does not seal the review"):
            verify_history(resealed, head=kept)  # ...but not the head kept elsewhere
        with pytest.raises(ReplayMismatch, match="fact_checks"):
            replay(resealed)

    def test_the_store_refuses_a_review_whose_row_was_edited(self, tmp_path: Path) -> None:
        store = ReviewStore(f"sqlite:///{tmp_path / 'r.db'}")
        store.add(_fact_check_review())
        doc = json.loads(_document_row(store))
        _all_agencies_confirm(doc)
        _set_document_row(store, json.dumps(doc))
        with pytest.raises(InvalidDocument, match="does not seal the review"):
            store.fire("Child A", T.AGREE_REPORT, by=WHO["chair"], at=LATER)
        store.engine.dispose()


LATER = pendulum.datetime(2026, 12, 1, 10, tz="Europe/London")


def _document_row(store: ReviewStore, reference: str = "Child A") -> str:
    with store.engine.connect() as conn:
        return str(
            conn.execute(
                sa.text("SELECT document FROM cspr_reviews WHERE reference = :r"),
                {"r": reference},
            ).scalar_one()
        )


def _set_document_row(store: ReviewStore, text: str, reference: str = "Child A") -> None:
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE cspr_reviews SET document = :d WHERE reference = :r"),
            {"d": text, "r": reference},
        )


class TestSavesExtendWhatIsStored:
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[ReviewStore]:
        store = ReviewStore(f"sqlite:///{tmp_path / 'r.db'}")
        store.add(DEMO)
        yield store
        store.engine.dispose()

    def test_a_shorter_history_is_not_saved_over_a_longer_one(self, store: ReviewStore) -> None:
        before = _document_row(store)
        short = demo_review(upto=3)
        assert (len(short.history), len(DEMO.history)) == (3, 52)
        with pytest.raises(NotAnExtension, match="the store holds 52 steps, the review 3"):
            store.save(short, expected_version=1)
        assert _document_row(store) == before

    def test_a_changed_stored_step_is_not_saved(self, store: ReviewStore) -> None:
        first = DEMO.history[0]
        other = attrs.evolve(first, details={"late_reason": "Inserted later"})
        forged = Review(DEMO.state.evolve(history=(other, *DEMO.history[1:])), DEMO.definition)
        with pytest.raises(NotAnExtension, match="stored step 1 was changed"):
            store.save(forged, expected_version=1)

    def test_forged_facts_are_not_saved(self, tmp_path: Path) -> None:
        store = ReviewStore(f"sqlite:///{tmp_path / 'f.db'}")
        store.add(_fact_check_review())
        stored = store.load("Child A")
        state = stored.review.state
        checks = tuple(
            FactCheck(agency, state.history[-1].at, state.drafts[-1].version)
            for agency in state.case_agencies
        )
        forged = Review(state.evolve(fact_checks=checks), stored.review.definition)
        with pytest.raises(NotAnExtension, match="facts do not follow"):
            store.save(forged, expected_version=stored.version)
        store.engine.dispose()

    def test_a_step_taken_through_the_engine_is_saved(self, tmp_path: Path) -> None:
        store = ReviewStore(f"sqlite:///{tmp_path / 'g.db'}")
        store.add(_fact_check_review())
        stored = store.load("Child A")
        at = stored.review.state.last_at.add(hours=1)
        stored.review.fire(T.CONFIRM_FACTS, by=WHO["police"], at=at)
        assert store.save(stored.review, expected_version=stored.version) == 2
        assert store.get("Child A").state == stored.review.state
        store.engine.dispose()


class TestOlderDocuments:
    def test_a_version_3_document_loads_with_its_refusals(self) -> None:
        review = loads(json.dumps(_as_version_3(DEMO)))
        assert review.state == DEMO.state
        assert [r.trigger for r in review.refusals] == [r.trigger for r in DEMO.refusals]
        assert review.refusals_complete
        assert dumps(review) == DEMO_TEXT

    def test_a_version_3_document_with_an_edited_fact_does_not_load(self) -> None:
        doc = _as_version_3(_fact_check_review())
        _all_agencies_confirm(doc)
        _refused(doc, "the review's facts do not follow from its history (version 3")

    def test_a_document_relabelled_as_version_1_does_not_load(self) -> None:
        doc = _doc()
        doc["schema_version"] = 1
        doc["review"]["drafts"][-1]["recommendations"][0]["text"] = "Something milder"
        with pytest.raises(InvalidDocument) as caught:
            loads(json.dumps(doc))
        message = str(caught.value)
        assert "$.head: a version 1 document has no head: this one was relabelled" in message
        assert "$.review.history[0].prev: a version 1 document has no hash chain" in message

    def test_an_actor_recorded_with_spaces_around_its_agency_still_loads(self) -> None:
        """Before Actor stripped its fields, an agency such as "Northshire Council " was
        recorded as given: the document keeps loading, exactly as it was written."""
        doc = _doc()
        history = doc["review"]["history"]
        history[0]["actor"]["agency"] = "Northshire Council "
        prev = opening_digest("Child A", DEMO.state.aware_at)
        for entry in history:  # chained as the library then wrote it
            entry["prev"] = prev
            prev = digest(entry)
        doc["head"] = seal(loads(json.dumps(doc), check_history=False).state)
        review = loads(json.dumps(doc))
        assert review.history[0].actor.agency == "Northshire Council "
        assert json.loads(dumps(review)) == doc
        replay(review)

    @pytest.mark.parametrize(("field", "value"), [("substitute", 0), ("substitute", 1.0)])
    def test_an_actor_already_read_is_not_taken_for_one_of_another_type(
        self, field: str, value: object
    ) -> None:
        """Loading keeps the actors it read (each is checked and built once); ``0`` equals
        ``false`` and hashes alike in Python, but a document that writes it is refused
        even after the same actor was read with ``false``."""
        doc = _doc()
        loads(json.dumps(doc))  # (the actors are now kept)
        doc["review"]["history"][0]["actor"][field] = value
        with pytest.raises(InvalidDocument, match=r"history\[0\]\.actor\.substitute"):
            loads(json.dumps(doc))

    def test_a_version_1_document_with_an_edited_fact_does_not_load(self) -> None:
        doc = json.loads((DATA / "child-a-schema-1.json").read_text())
        doc["review"]["drafts"][-1]["recommendations"][0]["text"] = "Something milder"
        _refused(doc, "the review's facts do not follow from its history (version 1")


# -- refusals never change the review ---------------------------------------------------------


def _refusal_cases() -> list[tuple[str, Callable[[Walker], Any]]]:
    def wrong_role(w: Walker) -> Any:
        return w.review.fire(T.PUBLISH, by=WHO["police"], at=w.tick())

    def backwards(w: Walker) -> Any:
        return w.review.fire(T.HOLD_PANEL_MEETING, by=WHO["chair"], at=AWARE)

    def not_available(w: Walker) -> Any:
        return w.review.fire(T.PUBLISH, by=WHO["executive"], at=w.tick())

    def bad_details(w: Walker) -> Any:
        return w.review.fire(T.HOLD_PANEL_MEETING, by=WHO["chair"], at=w.tick(), note=5)

    def other_agency(w: Walker) -> Any:
        return w.review.fire(T.ADD_ACTION, by=WHO["police"], at=w.tick())

    return [
        ("wrong role", wrong_role),
        ("time backwards", backwards),
        ("not available here", not_available),
        ("details that do not parse", bad_details),
        ("another agency's step", other_agency),
    ]


class TestRefusalsLeaveTheReviewAsItWas:
    @pytest.mark.parametrize(
        ("what", "attempt"), [pytest.param(*c, id=c[0]) for c in _refusal_cases()]
    )
    def test_a_refused_call_leaves_the_document_byte_for_byte(
        self, what: str, attempt: Callable[[Walker], Any]
    ) -> None:
        walker = Walker().to_panel_review()
        before = dumps(walker.review)
        head = walker.review.history_head
        with pytest.raises(TransitionRefused):
            attempt(walker)
        assert dumps(walker.review) == before
        assert walker.review.history_head == head
        assert len(walker.review.refusals) == 1

    def test_the_demo_refusals_leave_its_document_unchanged(self) -> None:
        assert len(DEMO.refusals) == 2
        assert dumps(DEMO) == dumps(Review(DEMO.state, DEMO.definition))

    def test_the_log_is_chained_and_checked_against_a_kept_head(self) -> None:
        log = json.loads(dumps_refusals(DEMO))
        kept = DEMO.refusals_head
        erased = {**log, "refusals": log["refusals"][:1]}
        erased["head"] = refusal_digest(converter().structure(erased["refusals"][0], Refusal))
        review = loads(DEMO_TEXT, refusals=json.dumps(erased))  # a consistent, shorter log...
        with pytest.raises(HistoryTampered, match="refusal log is not as it was recorded"):
            verify_refusals(review, head=kept)  # ...which the kept head shows
        report = audit_report(review, refusals_head=kept)
        assert [c.ok for c in report.checks() if c.name == "Refusal log"] == [False]

    @pytest.mark.parametrize("edit", ["erase first", "forge reason", "reorder", "other review"])
    def test_an_edited_log_does_not_load(self, edit: str) -> None:
        log = json.loads(dumps_refusals(DEMO))
        refusals = log["refusals"]
        if edit == "erase first":
            del refusals[0]
        elif edit == "forge reason":
            refusals[0]["reasons"][0]["message"] = "A different reason"
        elif edit == "reorder":
            refusals.reverse()
        else:
            log["reference"] = "Child B"
        with pytest.raises(InvalidDocument) as caught:
            loads(DEMO_TEXT, refusals=json.dumps(log))
        assert "refusal log does not load" in str(caught.value)


class TestTheStoreKeepsTheRefusalLog:
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[ReviewStore]:
        store = ReviewStore(f"sqlite:///{tmp_path / 'r.db'}")
        store.add(Walker().to_panel_review().review)
        yield store
        store.engine.dispose()

    def _refuse(self, store: ReviewStore, n: int = 1) -> None:
        for _ in range(n):
            with pytest.raises(TransitionRefused):
                store.fire("Child A", T.PUBLISH, by=WHO["executive"], at=LATER)

    def test_a_refused_step_is_logged_and_the_review_row_is_unchanged(
        self, store: ReviewStore
    ) -> None:
        before, version = _document_row(store), store.load("Child A").version
        self._refuse(store, 2)
        assert _document_row(store) == before
        stored = store.load("Child A")
        assert stored.version == version
        assert [r.trigger for r in stored.review.refusals] == ["publish", "publish"]
        assert stored.review.refusals_complete
        report = audit_report(stored.review).markdown()
        assert "No step was refused" not in report
        assert report.count("| publish the report | Panel review |") == 2

    @pytest.mark.parametrize("where", ["first", "last"])
    def test_an_erased_refusal_row_shows(self, store: ReviewStore, where: str) -> None:
        self._refuse(store, 3)
        seq = 1 if where == "first" else 3
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM cspr_refusals WHERE seq = :s"), {"s": seq})
        with pytest.raises(HistoryTampered, match="refusal log is not as it was recorded"):
            store.load("Child A")
        with pytest.raises(HistoryTampered):
            store.fire("Child A", T.HOLD_PANEL_MEETING, by=WHO["chair"], at=LATER)

    def test_an_erased_log_shows(self, store: ReviewStore) -> None:
        self._refuse(store)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM cspr_refusals"))
            conn.execute(sa.text("DELETE FROM cspr_refusal_heads"))
        with pytest.raises(HistoryTampered, match="holds no refusal log"):
            store.load("Child A")

    def test_an_erasure_covered_in_the_database_shows_against_a_kept_head(
        self, store: ReviewStore
    ) -> None:
        self._refuse(store, 2)
        kept = store.refusals_head("Child A")
        first = store.load("Child A").review.refusals[0]
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM cspr_refusals WHERE seq = 2"))
            conn.execute(
                sa.text("UPDATE cspr_refusal_heads SET logged = 1, head = :h"),
                {"h": refusal_digest(first)},
            )
        review = store.get("Child A")  # consistent again inside the database...
        assert len(review.refusals) == 1
        with pytest.raises(HistoryTampered):
            verify_refusals(review, head=kept)  # ...but not with the head kept elsewhere

    def test_a_refusal_row_added_to_an_empty_log_shows(self, store: ReviewStore) -> None:
        self._refuse(store)
        store.add(Review.open("Child B", aware_at=AWARE))
        with store.engine.begin() as conn:  # Child A's refusal copied into Child B's log
            conn.execute(
                sa.text(
                    "INSERT INTO cspr_refusals (reference, seq, record) "
                    "SELECT 'Child B', seq, record FROM cspr_refusals"
                )
            )
        with pytest.raises(HistoryTampered, match="refusal log"):
            store.load("Child B")
        with pytest.raises(HistoryTampered, match="refusal log"):
            store.fire("Child B", T.HOLD_PANEL_MEETING, by=WHO["chair"], at=LATER)

    def test_a_forged_refusal_row_shows(self, store: ReviewStore) -> None:
        self._refuse(store)
        with store.engine.begin() as conn:
            record = json.loads(
                conn.execute(sa.text("SELECT record FROM cspr_refusals")).scalar_one()
            )
            record["actor"]["role"] = "chair"
            conn.execute(
                sa.text("UPDATE cspr_refusals SET record = :r"), {"r": json.dumps(record)}
            )
        with pytest.raises(HistoryTampered, match="refusal log"):
            store.load("Child A")

    def test_a_version_3_row_keeps_its_refusals_when_next_written(self, tmp_path: Path) -> None:
        store = ReviewStore(f"sqlite:///{tmp_path / 'v3.db'}")
        store.add(DEMO)
        with store.engine.begin() as conn:  # as a store of the previous version left it
            conn.execute(sa.text("DELETE FROM cspr_refusals"))
            conn.execute(sa.text("DELETE FROM cspr_refusal_heads"))
        _set_document_row(store, json.dumps(_as_version_3(DEMO)))
        assert len(store.get("Child A").refusals) == 2
        with pytest.raises(TransitionRefused):
            store.fire("Child A", T.PUBLISH, by=WHO["executive"], at=LATER)
        review = store.get("Child A")
        assert [r.seq for r in review.refusals] == [1, 2, 3]
        assert json.loads(_document_row(store))["schema_version"] == 3  # the row is unchanged
        with store.engine.begin() as conn:  # the older document's refusals head the log
            conn.execute(sa.text("DELETE FROM cspr_refusals WHERE seq > 1"))
            conn.execute(
                sa.text("UPDATE cspr_refusal_heads SET logged = 1, head = :h"),
                {"h": refusal_digest(review.refusals[0])},
            )
        with pytest.raises(HistoryTampered, match="does not begin with the refusals"):
            store.load("Child A")
        store.engine.dispose()


# -- revised dates and the calendar's years ---------------------------------------------------


def _notify_delay(w: Walker, revised: str) -> Any:
    return w(
        T.NOTIFY_DELAY,
        "pdeo",
        reason="Criminal trial",
        revised_date=revised,
        recipients=["national_panel", "executive"],
    )


class TestRevisedDatesAreBounded:
    """A delay notice cannot switch the completion check off."""

    def test_a_revised_date_in_9999_is_refused_and_the_check_stays_on(self) -> None:
        w = Walker().to_scoping()  # commissioned 2026-01-05: due 2026-07-05
        before = dumps(w.review)
        with pytest.raises(TransitionRefused) as caught:
            _notify_delay(w, "9999-12-31")
        assert caught.value.rules == ("revised_date_within_limit", "revised_date_in_calendar")
        assert "give a revised date no later than 2027-07-05" in str(caught.value)
        assert "outside the years the England and Wales calendar knows (1990-2100)" in str(
            caught.value
        )
        assert dumps(w.review) == before
        assert w.review.completion_due == pendulum.date(2026, 7, 5)
        w.now = pendulum.datetime(2026, 7, 6, 10, tz="Europe/London")
        with pytest.raises(TransitionRefused) as late:
            w(T.HOLD_PANEL_MEETING, "chair")
        assert "within_due_date" in late.value.rules

    def test_one_notice_moves_the_due_date_by_twelve_months_at_most(self) -> None:
        w = Walker().to_scoping()
        with pytest.raises(TransitionRefused, match="more than 12 months after the current"):
            _notify_delay(w, "2027-07-06")
        _notify_delay(w, "2027-07-05")
        assert w.review.completion_due == pendulum.date(2027, 7, 5)
        _notify_delay(w, "2028-07-05")  # a second notice, when the longer delay is known
        assert w.review.completion_due == pendulum.date(2028, 7, 5)

    def test_past_the_due_date_the_bound_counts_from_the_notice(self) -> None:
        w = Walker().to_scoping()
        w.now = pendulum.datetime(2026, 9, 1, 10, tz="Europe/London")
        with pytest.raises(TransitionRefused, match="after the notice's date 2026-09-01"):
            _notify_delay(w, "2027-09-02")
        _notify_delay(w, "2027-09-01")

    def test_the_bound_is_the_definitions_to_set(self) -> None:
        longer = attrs.evolve(
            DEFAULT_DEFINITION,
            name="longer delays",
            completion=attrs.evolve(DEFAULT_DEFINITION.completion, max_extension_months=24),
        )
        w = Walker(longer).to_scoping()
        _notify_delay(w, "2028-07-05")
        assert w.review.completion_due == pendulum.date(2028, 7, 5)
        with pytest.raises(ValueError, match="at least 1"):
            attrs.evolve(DEFAULT_DEFINITION.completion, max_extension_months=0)

    def test_a_publication_deferral_is_bounded_too(self) -> None:
        w = Walker().ready_to_publish()
        w.wait_notice_period()
        with pytest.raises(TransitionRefused) as caught:
            w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2090-01-01")
        assert caught.value.rules == ("revised_date_within_limit",)


class TestTheCalendarsYears:
    def test_a_review_due_late_in_2075_reports_its_deadlines(self) -> None:
        aware = pendulum.datetime(2075, 6, 2, 9, tz="Europe/London")
        review = Review.open("Child A", aware_at=aware)
        at = aware.add(hours=1)
        review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=at)
        review.fire(T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=at, kloes=["K"], agencies=["Police"])
        review.fire(T.COMMISSION_REVIEW, by=WHO["executive"], at=at, reason="Criteria met")
        assert review.completion_due == pendulum.date(2075, 12, 2)
        report = review.deadlines(at=pendulum.datetime(2075, 11, 20, tz="Europe/London"))
        assert report["C3"].remaining == 12

    def test_beyond_the_calendars_years_the_report_says_what_it_can(self) -> None:
        aware = pendulum.datetime(2100, 6, 1, 9, tz="Europe/London")
        review = Review.open("Child A", aware_at=aware)
        at = aware.add(hours=1)
        review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=at)
        review.fire(T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=at, kloes=["K"], agencies=["Police"])
        review.fire(T.COMMISSION_REVIEW, by=WHO["executive"], at=at, reason="Criteria met")
        report = review.deadlines(at=pendulum.datetime(2101, 1, 10, tz="Europe/London"))
        c3 = report["C3"]
        assert (c3.due, c3.remaining, c3.projected) == (pendulum.date(2100, 12, 1), -40, None)
        assert "C3" in str(report)


# -- free text is shown, never acted on -------------------------------------------------------

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1">',
    "[click](javascript:window.__pwned=1)",
    "![x](javascript:window.__pwned=1)",
    '<a href="javascript:window.__pwned=1">x</a>',
    "<svg onload=window.__pwned=1>",
    "<javascript:window.__pwned=1>",
    "a | b | c",
    "line one\rline two",
    "line one\n\n# A heading\n\n- a list",
    "```\n</pre><script>window.__pwned = 1</script>",
    "\x1b[2J\x1b[31mred\x1b]0;title\x07",
    "\u202egnp.exe",
    "**bold** _it_ ~~struck~~ `code` \\| \\",
    "&lt;script&gt;",
]


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return renderer.render(text)


def _payload_review(payload: str) -> Review:
    """A review carrying ``payload`` in every kind of free text a report shows: step
    details (texts, lists, recommendations), a delay notice, an action, a late reason,
    and a refused attempt by someone whose agency is the payload."""
    w = Walker().to_fact_check()
    w(T.RETURN_COMMENTS, "health", comments=payload)
    w(T.SUBMIT_DRAFT, "lead", findings=[payload], recommendations=[payload, "Second"])
    w.confirm_all()
    w(T.AGREE_REPORT, "chair")
    w(
        T.ADD_ACTION,
        "chair",
        recommendation="R1",
        owner="Police",
        due="2027-06-30",
        description=payload,
    )
    w(
        T.ADD_ACTION,
        "chair",
        recommendation="R2",
        owner="Police",
        due="2027-06-30",
        description=payload,
    )
    w(
        T.NOTIFY_DELAY,
        "pdeo",
        reason=payload,
        revised_date="2026-12-31",
        recipients=["national_panel", "executive"],
    )
    stranger = Actor("Someone", WHO["police"].role, agency=payload[:200])
    with pytest.raises(TransitionRefused):
        w.review.fire(T.CRG_APPROVE, by=stranger, at=w.tick())
    return w.review


def _cells(html_text: str) -> list[list[int]]:
    """Each table's rows, as the number of cells in each."""
    from html.parser import HTMLParser

    tables: list[list[int]] = []

    class Cells(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                tables.append([])
            elif tag == "tr":
                tables[-1].append(0)
            elif tag in ("td", "th"):
                tables[-1][-1] += 1

    Cells().feed(html_text)
    return tables


def _active(html_text: str) -> list[str]:
    """Every element or attribute in ``html_text`` that could run or load something."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Active(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "img", "svg", "iframe", "object", "embed"):
                found.append(tag)
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"{tag}[{name}]")
                if name in ("href", "src") and "javascript:" in (value or "").lower():
                    found.append(f"{tag}[{name}=javascript:]")

    Active().feed(html_text)
    return found


class TestFreeTextInOutputs:
    @pytest.fixture(scope="class")
    def clean(self) -> str:
        return audit_report(_payload_review("Plain words"), at=LATER).markdown()

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_the_markdown_report_keeps_payloads_as_text(self, payload: str, clean: str) -> None:
        markdown = audit_report(_payload_review(payload), at=LATER).markdown()
        html_text = _markdown_html(markdown)
        assert _active(html_text) == []
        assert _cells(html_text) == _cells(_markdown_html(clean))  # no row or cell escapes
        assert html_text.count("<h1>") == 1
        assert html_text.count("<h2>") == _markdown_html(clean).count("<h2>")
        assert "\x1b" not in markdown
        assert "\r" not in markdown
        fence = markdown.split("```mermaid", 1)[1].split("```", 1)[0]
        assert "script" not in fence

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_the_html_report_keeps_payloads_as_text(self, payload: str) -> None:
        html_text = audit_report(_payload_review(payload), at=LATER).html()
        assert [a for a in _active(html_text) if a != "svg"] == []

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_status_prints_no_control_sequence(
        self, payload: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The payload is an agency of the case: status names it among what blocks the
        first panel meeting."""
        from cspr_workflow._cli import main

        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        w(T.SUBMIT_RAPID_REVIEW, "pdeo", kloes=[payload], agencies=["Police", payload])
        w(T.COMMISSION_REVIEW, "executive", reason=payload)
        w(T.APPOINT_REVIEWERS, "executive", chair="Panel chair", lead_reviewer="Reviewer")
        path = tmp_path / "review.json"
        path.write_text(dumps(w.review))
        assert main(["status", str(path), "--at", "2026-01-06"]) == 0
        out = capsys.readouterr().out
        assert "no panel member for: Police, " in out
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)

    def test_the_reports_run_no_script_in_chromium(self, browser: Any, tmp_path: Path) -> None:
        every = audit_report(_payload_review(" ".join(PAYLOADS)), at=LATER)
        each = "".join(
            _markdown_html(audit_report(_payload_review(p), at=LATER).markdown()) for p in PAYLOADS
        )
        pages = {
            "markdown, each payload": each,
            "markdown, every payload at once": _markdown_html(every.markdown()),
        }
        paths = []
        for i, (name, body) in enumerate(pages.items()):
            path = tmp_path / f"page-{i}.html"
            path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><title>{name}</title>{body}")
            paths.append(path)
        path = tmp_path / "report.html"
        path.write_text(every.html())
        paths.append(path)
        for path in paths:
            page, problems = _open(browser, path.as_uri())
            assert page.locator("a").count() == 0, path.name
            assert page.evaluate("() => window.__pwned") is None, path.name
            assert problems == [], (path.name, problems)
            page.close()


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&|\\`*_[]()~#!\r\n\x1b"),
        max_size=60,
    )
)
def test_any_text_is_one_cell_of_literal_text(text: str) -> None:
    html_text = _markdown_html(f"| head |\n|---|\n| {markdown_text(text)} |\n")
    assert _cells(html_text) == [[1, 1]]
    cell = html_text.split("<td>", 1)[1].rsplit("</td>", 1)[0]
    assert _active(html_text) == []
    assert html.unescape(cell).strip() == visible(text).strip()


# -- definition names every diagram format reads --------------------------------------------

BREAKING_NAMES = [
    "legal review", "end", "graph", "subgraph", "class", "node", "edge", "digraph",
    "style", "click", "x;y", "a-b", "A", "1st", "é", "clock", "approval_chain", "",
    "a" * 65,
]  # fmt: skip
ODD_BUT_VALID = ["o", "x", "a", "ox", "xo", "end_of_review", "graph_2", "node_a", "classify"]


@pytest.mark.parametrize("name", BREAKING_NAMES)
def test_a_stage_name_no_diagram_can_read_is_refused_at_build(name: str) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        DEFAULT_DEFINITION.rename(stages={"drafting": name})
    assert [p.path for p in caught.value.problems][:1] == ["stages[6].name"]


def _renamed(name: str) -> Any:
    return DEFAULT_DEFINITION.rename(name=f"renamed {name}", stages={"drafting": name})


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@settings(max_examples=25, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True) | st.sampled_from(ODD_BUT_VALID))
def test_any_valid_stage_name_draws_in_dot(name: str) -> None:
    assume(name not in _RESERVED and name not in {s.name for s in DEFAULT_DEFINITION.stages})
    definition = _renamed(name)
    svg = diagram(definition).render("svg").decode()
    drawn = re.findall(r'class="node">\s*<title>([^<]*)</title>', svg)
    # every stage, and the key (its id begins with a capital, as no stage's can)
    assert sorted(drawn) == sorted(["Key", *(s.name for s in definition.stages)])


def test_valid_odd_stage_names_draw_in_mermaid(browser: Any, tmp_path: Path) -> None:
    script = os.environ.get("CSPR_MERMAID_JS")
    if not script or not Path(script).is_file():
        if os.environ.get("CSPR_REQUIRE_BROWSER") == "1":
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but CSPR_MERMAID_JS names no mermaid.min.js")
        pytest.skip("set CSPR_MERMAID_JS to a mermaid.min.js to check the Mermaid text")
    page_file = tmp_path / "mermaid.html"
    page_file.write_text(
        f"<html><body><script src='{Path(script).as_uri()}'></script></body></html>"
    )
    page, problems = _open(browser, page_file.as_uri())
    for name in ODD_BUT_VALID:
        definition = _renamed(name)
        svg = page.evaluate(
            """async (src) => {
                mermaid.initialize({startOnLoad: false});
                try { const {svg} = await mermaid.render('d' + Date.now(), src); return svg; }
                catch (e) { return 'ERROR ' + e.message; }
            }""",
            diagram(definition).mermaid(),
        )
        assert not svg.startswith("ERROR"), (name, svg)
        drawn = re.findall(r'<g class="node [^"]*" id="[^"]*?-flowchart-([^"]+)-\d+"', svg)
        stages = [n for n in drawn if not n[0].isupper()]  # the legend's and key's are
        assert sorted(stages) == sorted(s.name for s in definition.stages), name
    assert problems == []
    page.close()


# -- every input checked at the boundary ------------------------------------------------------


class TestInputsAreChecked:
    @pytest.mark.parametrize(
        "reference",
        ["<script>alert(1)</script>", "", "Child A\n", "Jane Smith, 1 High St", "x" * 10_000, 5],
    )
    def test_a_bad_reference_is_refused_by_open_and_by_loads(self, reference: object) -> None:
        with pytest.raises(InvalidInput) as caught:
            Review.open(reference, aware_at=AWARE)  # type: ignore[arg-type]
        assert caught.value.rule == "reference"
        doc = _doc(demo_review(upto=0))
        doc["review"]["reference"] = reference
        with pytest.raises(InvalidDocument) as loading:
            loads(json.dumps(doc), check_history=False)
        assert "$.review.reference" in [p.path for p in loading.value.problems]

    def test_a_lone_surrogate_in_a_detail_is_refused_and_nothing_breaks(self) -> None:
        w = Walker().to_scoping()
        before = dumps(w.review)
        with pytest.raises(TransitionRefused, match="lone surrogate"):
            w(T.SET_TERMS_OF_REFERENCE, "chair", terms="bad \ud800")
        assert dumps(w.review) == before
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="good")
        dumps(w.review)

    def test_an_actor_with_a_lone_surrogate_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="lone surrogate"):
            Actor("Someone", "chair", agency="bad \udfff")

    def test_an_agency_with_spaces_around_it_can_act(self) -> None:
        w = Walker().to_fact_check()
        police = Actor("Police DCI", WHO["police"].role, agency="Police ")
        assert police.agency == "Police"
        w(T.CONFIRM_FACTS, police)

    @pytest.mark.parametrize("by", ["x", None, 5, {"role": "chair"}])
    def test_by_must_be_an_actor(self, by: object) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(InvalidInput, match="expected an Actor") as caught:
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=by, at=AWARE.add(hours=1))  # type: ignore[arg-type]
        assert caught.value.argument == "by"

    @pytest.mark.parametrize("trigger", [5, None, ["notify_national_panel"]])
    def test_a_trigger_must_be_text(self, trigger: object) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(InvalidInput, match="trigger"):
            review.fire(trigger, by=WHO["la"], at=AWARE.add(hours=1))  # type: ignore[arg-type]

    def test_a_text_too_long_for_a_document_is_refused_by_the_engine(self) -> None:
        w = Walker().to_scoping()
        with pytest.raises(TransitionRefused, match="longer than 20000 characters"):
            w(T.SET_TERMS_OF_REFERENCE, "chair", terms="x" * 20_001)

    def test_deep_nesting_is_refused_with_the_rule(self) -> None:
        text = '{"schema_version": 4, "review": ' + "[" * 100_000 + "]" * 100_000 + "}"
        with pytest.raises(InvalidDocument, match="nest deeper than 32 levels"):
            loads(text)
        text = '{"schema_version": 4, "review": ' + "[" * 40 + "]" * 40 + "}"
        with pytest.raises(InvalidDocument, match="nested deeper than 32 levels"):
            loads(text)

    def test_a_key_twice_is_refused_even_inside_a_chained_entry(self) -> None:
        text = DEMO_TEXT.replace('"trigger":"publish"', '"trigger":"publish","trigger":"publish"')
        with pytest.raises(InvalidDocument, match="the key 'trigger' appears twice"):
            loads(text)

    def test_a_document_over_its_limits_is_refused_with_the_limit(self) -> None:
        with pytest.raises(
            InvalidDocument, match=r"more than the limit of 10 \(DocumentLimits.max_steps\)"
        ):
            loads(DEMO_TEXT, limits=DocumentLimits(max_steps=10))
        with pytest.raises(InvalidDocument, match=r"DocumentLimits\.max_bytes"):
            loads(DEMO_TEXT, limits=DocumentLimits(max_bytes=1000))
        with pytest.raises(InvalidDocument, match="longer than 20 characters"):
            loads(DEMO_TEXT, limits=DocumentLimits(max_text=20))
        log = dumps_refusals(DEMO)
        with pytest.raises(InvalidDocument, match=r"DocumentLimits\.max_refusals"):
            loads(DEMO_TEXT, refusals=log, limits=DocumentLimits(max_refusals=1))

    def test_a_name_in_a_role_field_is_not_repeated(self) -> None:
        doc = _doc()
        doc["review"]["history"][0]["actor"]["role"] = "Jane Smith"
        doc["review"]["meetings"][0]["kind"] = "Jane Smith"
        with pytest.raises(InvalidDocument) as caught:
            loads(json.dumps(doc))
        assert "Jane Smith" not in str(caught.value)
        assert "$.review.history[0].actor.role" in str(caught.value)

    def test_names_stay_out_of_reprs(self) -> None:
        names = {a.name for a in DEMO_ACTORS.values()}
        names |= {
            v for e in DEMO.history for k, v in e.details.items()
            if k in ("chair", "lead_reviewer", "member", "substitute")
        }  # fmt: skip
        shown_reprs = repr(DEMO.state) + "".join(map(repr, DEMO.history)) + repr(DEMO.refusals)
        assert [n for n in names if n in shown_reprs] == []

    @pytest.mark.parametrize(
        "instant",
        [
            dt.datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Etc/GMT+12")),
            dt.datetime(1, 1, 1, 0, 0, tzinfo=ZoneInfo("Etc/GMT-14")),
        ],
        ids=["after-9999-in-UTC", "before-year-1-in-UTC"],
    )
    def test_an_instant_with_no_utc_equivalent_is_refused(self, instant: dt.datetime) -> None:
        """Found by CI's fuzzing: an aware time that UTC cannot hold raised OverflowError."""
        with pytest.raises(InvalidTime, match="outside the years Python can hold in UTC"):
            Review.open("Child A", aware_at=instant)
        review = Review(_COMMISSIONED.state, _COMMISSIONED.definition)
        before = dumps(review)
        with pytest.raises(InvalidTime, match="outside the years"):
            review.fire(T.NOTIFY_DELAY, by=WHO["chair"], at=instant)
        assert dumps(review) == before

    def test_store_queries_check_their_arguments(self, tmp_path: Path) -> None:
        store = ReviewStore(f"sqlite:///{tmp_path / 'q.db'}")
        with pytest.raises(InvalidTime):
            store.overdue(at="2026-11-02")  # type: ignore[arg-type]
        with pytest.raises(InvalidTime, match="without a time zone"):
            store.overdue(at=dt.datetime(2026, 11, 2))  # noqa: DTZ001
        with pytest.raises(InvalidInput):
            store.overdue(at=LATER, clock=3)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            store.load("Jane Smith\n")
        with pytest.raises(InvalidInput):
            store.save("not a review", expected_version=1)  # type: ignore[arg-type]
        store.add(Review.open("Child A", aware_at=AWARE))
        with pytest.raises(InvalidInput):
            store.save(store.get("Child A"), expected_version="1")  # type: ignore[arg-type]
        store.engine.dispose()

    def test_a_definition_option_naming_a_function_that_fails_is_a_usage_error(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from cspr_workflow._cli import main

        assert main(["table", "--definition", "json:dumps"]) == 2
        err = capsys.readouterr().err
        assert "calling it with no arguments failed" in err
        assert "Traceback" not in err


# -- the public API, fuzzed ---------------------------------------------------------------------

_ODD_TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Z", "C", "Cs")), max_size=80)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    _ODD_TEXT,
    st.sampled_from(["", "Child A", "chair", "notify_national_panel", "2026-11-02", "x" * 10_001]),
    st.binary(max_size=20),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.timezones()),
    st.dates(),
    st.lists(_ODD_TEXT, max_size=3),
    st.dictionaries(_ODD_TEXT, _ODD_TEXT, max_size=3),
    st.builds(object),
)


def _only_library_errors(call: Callable[[], object]) -> None:
    with contextlib.suppress(CsprWorkflowError):
        call()


_COMMISSIONED = Walker().to_commissioned().review
_LONDON_INSTANTS = st.integers(0, 2 * 365 * 24 * 60).map(
    lambda minutes: pendulum.datetime(2026, 1, 6, tz="Europe/London").add(minutes=minutes)
)


@settings(max_examples=150, deadline=None)
@given(ANYTHING, ANYTHING, ANYTHING)
def test_open_and_actor_take_anything(reference: Any, aware_at: Any, other: Any) -> None:
    _only_library_errors(lambda: Review.open(reference, aware_at=aware_at))
    _only_library_errors(lambda: Review.open("Child A", aware_at=AWARE, clock=other))
    _only_library_errors(lambda: Review.open("Child A", aware_at=AWARE, definition=other))
    _only_library_errors(lambda: Actor(reference, "chair", agency=aware_at))
    _only_library_errors(lambda: Actor("Someone", other, substitute=aware_at))


@settings(max_examples=150, deadline=None)
@given(
    ANYTHING,
    ANYTHING | st.sampled_from(list(WHO.values())),
    ANYTHING | _LONDON_INSTANTS,
    st.dictionaries(
        st.sampled_from(
            ["kloes", "agencies", "reason", "late_reason", "revised_date", "recipients", "bogus"]
        ),
        ANYTHING | st.sampled_from(["2026-09-30", ["national_panel", "executive"], "A reason"]),
        max_size=4,
    ),
)
def test_a_review_takes_anything(trigger: Any, by: Any, at: Any, details: dict[str, Any]) -> None:
    review = Review(_COMMISSIONED.state, _COMMISSIONED.definition)
    before = dumps(review)
    for attempt in (trigger, T.NOTIFY_DELAY, T.APPOINT_REVIEWERS):
        _only_library_errors(lambda t=attempt: review.fire(t, by=by, at=at, **details))
        _only_library_errors(
            lambda t=attempt: review.check(t, by=WHO["executive"], at=at, **details)
        )
    _only_library_errors(lambda: review.deadlines(at=at))
    _only_library_errors(lambda: review.options(at=at))
    _only_library_errors(lambda: audit_report(review, at=at, head=trigger).markdown())
    _only_library_errors(lambda: diagram(review, at=at).mermaid())
    assert dumps(review) == before or len(review.history) > 3


@settings(max_examples=150, deadline=None)
@given(ANYTHING, ANYTHING, ANYTHING)
def test_loads_takes_anything(text: Any, refusals: Any, definition: Any) -> None:
    _only_library_errors(lambda: loads(text))
    _only_library_errors(lambda: loads(DEMO_TEXT, refusals=refusals))
    _only_library_errors(lambda: loads(DEMO_TEXT, definition=definition))
    _only_library_errors(lambda: audit_report(definition))
    _only_library_errors(lambda: diagram(definition))
    _only_library_errors(lambda: DocumentLimits(max_steps=text))


@settings(max_examples=60, deadline=None)
@given(ANYTHING, ANYTHING)
def test_store_queries_take_anything(
    tmp_path_factory: pytest.TempPathFactory, first: Any, second: Any
) -> None:
    store = _fuzz_store(tmp_path_factory)
    _only_library_errors(lambda: store.overdue(at=first, clock=second))
    _only_library_errors(lambda: store.load(first))
    _only_library_errors(lambda: store.references(stage=first))
    _only_library_errors(lambda: store.fire("Child A", second, by=WHO["la"], at=first))
    _only_library_errors(lambda: store.save(first, expected_version=second))
    _only_library_errors(lambda: store.add(first))


_CALENDAR = WorkingDayCalendar.england_and_wales()
_DEMO = demo_review(upto=12)


@settings(max_examples=100, deadline=None)
@given(ANYTHING, ANYTHING)
def test_the_other_public_functions_take_anything(first: Any, second: Any) -> None:
    """Every other public function refuses a wrong argument with a library error (found
    by fuzzing: a bare AttributeError or TypeError from each of these before)."""
    _only_library_errors(lambda: json_schema(first))
    for call in (dumps, dumps_refusals, to_document, replay, check_review):
        _only_library_errors(lambda c=call: c(first))
    _only_library_errors(lambda: verify_history(first, head=second))
    _only_library_errors(lambda: verify_history(_DEMO, head=second))
    _only_library_errors(lambda: verify_refusals(first, head=second))
    _only_library_errors(lambda: _CALENDAR.add_working_days(first, second))
    _only_library_errors(lambda: _CALENDAR.add_working_days(pendulum.date(2026, 1, 5), second))
    _only_library_errors(lambda: _CALENDAR.working_days_between(first, second))
    _only_library_errors(lambda: _CALENDAR.holiday(first))
    _only_library_errors(lambda: _CALENDAR.is_working_day(first))
    _only_library_errors(lambda: DEFAULT_DEFINITION.policy.with_limits(C3=first))
    _only_library_errors(lambda: DEFAULT_DEFINITION.rename(stages={"drafting": first}))
    _only_library_errors(lambda: DEFAULT_DEFINITION.rename(stages=first, name=second))
    _only_library_errors(lambda: demo_review(upto=first if not isinstance(first, int) else 3))
    cheap = not isinstance(first, int) or isinstance(first, bool)
    if cheap:
        _only_library_errors(lambda: simulate(first, seed=1, workers=1))
        _only_library_errors(lambda: simulated_review(first, seed=second))
        _only_library_errors(lambda: verify(max_states=first))
    if first is not None:
        _only_library_errors(lambda: verify(first, max_states=20))


_STORES: dict[str, ReviewStore] = {}


def _fuzz_store(factory: pytest.TempPathFactory) -> ReviewStore:
    if "store" not in _STORES:
        store = ReviewStore(f"sqlite:///{factory.mktemp('fuzz') / 'f.db'}")
        store.add(Review.open("Child A", aware_at=AWARE))
        _STORES["store"] = store
    return _STORES["store"]
