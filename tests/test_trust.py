"""The trust contract: time is real time, what is stored is what happened, bad input is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
import sqlalchemy as sa

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Review,
    ReviewStore,
    TimeWentBackwards,
    TransitionRefused,
    Trigger,
    audit_report,
)
from cspr_workflow._codec import CONVERTER, chain_tip, refusal_digest, seal
from cspr_workflow._oracle import violations
from cspr_workflow.demo import demo_review
from cspr_workflow.errors import HistoryTampered, InvalidDocument, NotAnExtension, ReplayMismatch
from cspr_workflow.persistence import (
    dumps,
    dumps_refusals,
    loads,
    replay,
    verify_history,
    verify_refusals,
)
from cspr_workflow.records import FactCheck, Refusal
from cspr_workflow.verification import history_forward

from .builders import AWARE, WHO, Walker

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
        {k: v for k, v in CONVERTER.unstructure(r, Refusal).items() if k not in ("seq", "prev")}
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
    @pytest.mark.parametrize(("what", "attempt"), _refusal_cases(), ids=lambda c: str(c))
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
        erased["head"] = refusal_digest(CONVERTER.structure(erased["refusals"][0], Refusal))
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
