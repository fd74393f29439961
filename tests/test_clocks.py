"""Clocks C1-C4: policy as data, enforcement in the engine, and the deadline report."""

from __future__ import annotations

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Review,
    Stage,
    TimeWentBackwards,
    TransitionRefused,
    Trigger,
)
from cspr_workflow.clocks import ClockStatus
from cspr_workflow.demo import SCRIPT, demo_review
from cspr_workflow.errors import CsprWorkflowError, InvalidDefinition, InvalidInput
from cspr_workflow.records import ClockKind

from .builders import WHO, walker_at

T = Trigger
LONDON = "Europe/London"
MISSED = "late_reason"


def day(text: str, hour: int = 10) -> pendulum.DateTime:
    date = pendulum.parse(text).date()
    return pendulum.datetime(date.year, date.month, date.day, hour, tz=LONDON)


class TestPolicy:
    def test_national_clocks(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        summary = [
            (c.id, c.limit, c.unit.value, c.kind.value, c.starts, c.stops) for c in policy.clocks
        ]
        assert summary == [
            ("C1", 5, "working_days", "deadline", "aware", ("notified",)),
            ("C2", 15, "working_days", "deadline", "notified", ("rapid_review_submitted",)),
            (
                "C3",
                6,
                "calendar_months",
                "completion",
                "commissioned",
                ("published", "improvements_published"),
            ),
            ("C4", 7, "working_days", "notice_period", "pre_publication", ("published",)),
            (
                "C5",
                15,
                "working_days",
                "deadline",
                "notified",
                ("commissioned", "not_commissioned", "national_review"),
            ),
        ]
        assert all(c.source.startswith("national:") for c in policy.clocks)
        assert policy.calendar.name == "England and Wales"

    def test_limits_change_but_national_clocks_cannot_be_removed(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        assert policy.with_limits(C1=3).clock("C1").limit == 3
        with pytest.raises(InvalidInput, match="clock C2 is required: its limit may change") as e:
            attrs.evolve(policy, clocks=[c for c in policy.clocks if c.id != "C2"])
        assert (e.value.argument, e.value.rule) == ("clocks", "clock_policy")
        with pytest.raises(InvalidInput, match="no clock C9 in this policy") as e:
            policy.with_limits(C9=1)
        assert (e.value.argument, e.value.rule) == ("C9", "clock_known")
        assert "C1, C2, C3, C4, C5" in str(e.value)

    def test_a_clock_is_declared_once(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        with pytest.raises(InvalidInput, match="clock C1 is declared more than once") as e:
            attrs.evolve(policy, clocks=[*policy.clocks, policy.clock("C1")])
        assert isinstance(e.value, CsprWorkflowError)
        assert e.value.rule == "clock_policy"

    @pytest.mark.parametrize("limit", [0, -1, 2.5, "6"])
    def test_a_new_limit_is_a_positive_whole_number(self, limit: object) -> None:
        with pytest.raises(InvalidInput) as info:
            DEFAULT_DEFINITION.policy.with_limits(C3=limit)  # type: ignore[arg-type]
        assert (info.value.argument, info.value.rule) == ("C3", "clock_limit")

    def test_exactly_one_completion_clock(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        c1 = attrs.evolve(policy.clock("C1"), kind=ClockKind.COMPLETION)
        with pytest.raises(InvalidInput, match="exactly one completion clock"):
            attrs.evolve(policy, clocks=[c1, *policy.clocks[1:]])

    def test_clock_stages_must_exist(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        c2 = attrs.evolve(policy.clock("C2"), stops="rapid_review_sent")
        broken = attrs.evolve(policy, clocks=[policy.clock("C1"), c2, *policy.clocks[2:]])
        with pytest.raises(InvalidDefinition, match=r"clock C2 .* unknown stage"):
            DEFAULT_DEFINITION.evolve(policy=broken)

    def test_a_shorter_notification_limit_is_enforced(self) -> None:
        strict = DEFAULT_DEFINITION.evolve(policy=DEFAULT_DEFINITION.policy.with_limits(C1=2))
        review = Review.open("Child A", aware_at=day("2026-01-05"), definition=strict)
        with pytest.raises(TransitionRefused, match="2026-01-07"):
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=day("2026-01-08"))


class TestEnforcement:
    def test_late_notification_needs_a_recorded_reason(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        late = day("2026-01-13")  # due by Mon 12 Jan: 5 working days after Mon 5 Jan
        with pytest.raises(TransitionRefused) as caught:
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=late)
        assert caught.value.rules == (MISSED,)
        assert "clock C1 (notification) was due by 2026-01-12" in str(caught.value)
        assert "1 working day(s) late" in str(caught.value)
        assert review.history == ()
        entry = review.fire(
            T.NOTIFY_NATIONAL_PANEL,
            by=WHO["la"],
            at=late,
            late_reason="Incident reported to the wrong team",
        )
        assert entry.details["late_reason"] == "Incident reported to the wrong team"

    def test_notification_on_the_due_date_is_on_time(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=day("2026-01-12", 23))

    def test_due_dates_count_london_days_across_clock_changes(self) -> None:
        # Aware Thu 26 Mar 2026; clocks go forward on Sun 29 Mar. Due Thu 2 Apr
        # (Good Friday is 3 Apr: the clock counts it out, see below).
        review = Review.open("Child A", aware_at=day("2026-03-26"))
        assert review.state.clock("C1").due == pendulum.date(2026, 4, 2)
        # 23:30 UTC on Thu 2 Apr is 00:30 on Fri 3 Apr in London: late.
        just_late = pendulum.datetime(2026, 4, 2, 23, 30, tz="UTC")
        with pytest.raises(TransitionRefused, match=MISSED):
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=just_late)
        review.fire(
            T.NOTIFY_NATIONAL_PANEL,
            by=WHO["la"],
            at=pendulum.datetime(2026, 4, 2, 22, 59, tz="UTC"),
        )

    def test_easter_is_not_counted(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-03-27"))
        assert review.state.clock("C1").due == pendulum.date(2026, 4, 7)

    def test_due_dates_across_the_october_change(self) -> None:
        # Aware Fri 23 Oct 2026 at 00:30 London (BST): the date is the 23rd.
        aware = pendulum.datetime(2026, 10, 22, 23, 30, tz="UTC")
        review = Review.open("Child A", aware_at=aware)
        assert review.state.clock("C1").due == pendulum.date(2026, 10, 30)
        assert review.state.clock("C1").started_at.day == 23

    def test_late_rapid_review_needs_a_recorded_reason(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=day("2026-01-07"))
        details = {"kloes": ["K"], "agencies": ["Police"]}
        assert review.state.clock("C2").due == pendulum.date(2026, 1, 28)
        with pytest.raises(TransitionRefused, match=r"clock C2 .* due by 2026-01-28"):
            review.fire(T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=day("2026-01-29"), **details)
        review.fire(
            T.SUBMIT_RAPID_REVIEW,
            by=WHO["pdeo"],
            at=day("2026-01-29"),
            late_reason="Health chronology arrived late",
            **details,
        )

    def test_late_reason_is_refused_when_nothing_is_late(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        with pytest.raises(TransitionRefused, match="stops no clock after its due date"):
            review.fire(
                T.NOTIFY_NATIONAL_PANEL,
                by=WHO["la"],
                at=day("2026-01-06"),
                late_reason="Not late at all",
            )
        w = walker_at(Stage.SCOPING)
        with pytest.raises(TransitionRefused, match="stops no clock"):
            w(T.SHARE_KLOES, "chair", late_reason="Nothing is late")

    def test_publication_waits_seven_working_days_after_sending(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        sent = w.review.state.clock("C4")
        w(T.HOLD_FEEDBACK_SESSION, "chair")
        w(T.INFORM_FAMILY, "pdeo")
        earliest = w.review.definition.policy.calendar.add_working_days(sent.started_at.date(), 7)
        assert sent.due == earliest
        day_before = w.review.definition.policy.calendar.add_working_days(earliest, -1)
        w.now = day(day_before.to_date_string(), 17)
        with pytest.raises(TransitionRefused, match="publication is allowed from"):
            w(T.PUBLISH, "executive")
        w.now = day(earliest.to_date_string(), 9)
        w(T.PUBLISH, "executive")

    def test_deferral_and_the_notice_period(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-12-15")
        w(T.LIFT_DEFERRAL, "executive")
        assert [c.id for c in w.review.state.clocks].count("C4") == 1


class TestDeadlineReport:
    def test_statuses_through_the_demo(self) -> None:
        # (steps taken, instant, expected statuses of C1..C5)
        ns, ok, met = "not started", "on track", "met"
        within = "met within the notified delay"  # after 26 July, by the revised 30 September
        cases = [
            (0, "2026-01-06", [ok, ns, ns, ns, ns]),
            (0, "2026-01-13", ["overdue", ns, ns, ns, ns]),
            (1, "2026-01-20", [met, ok, ns, ns, ok]),
            (3, "2026-02-02", [met, met, ok, ns, met]),
            (33, "2026-06-02", [met, met, "at risk", ns, met]),
            (43, "2026-06-22", [met, met, "delay notified", ns, met]),
            (46, "2026-08-04", [met, met, "delay notified", "notice running", met]),
            (48, "2026-08-17", [met, met, "delay notified", "notice given", met]),
            (len(SCRIPT), "2027-03-02", [met, met, within, "notice given", met]),
        ]
        for upto, when, statuses in cases:
            review = demo_review(upto=upto)
            report = review.deadlines(at=day(when, 18))
            assert [d.status.value for d in report.deadlines] == statuses, (upto, when)

    def test_overdue_completion_clock(self) -> None:
        w = walker_at(Stage.DRAFTING)
        report = w.review.deadlines(at=day("2026-07-06"))
        c3 = report["C3"]
        assert c3.status is ClockStatus.OVERDUE
        assert c3.remaining == -1
        assert c3.remaining_unit == "calendar days"

    def test_an_overdue_notice_is_owed_from_the_day_after_the_due_date_and_blocks(
        self,
    ) -> None:
        review = walker_at(Stage.DRAFTING).review
        assert review.completion_due == pendulum.date(2026, 7, 5)
        assert [o.kind for o in review.owed(at=day("2026-07-05", 23))] != ["overdue"]
        (owed,) = review.owed(at=day("2026-07-06", 0))
        assert (owed.kind, owed.due, owed.blocks, owed.trigger) == (
            "overdue",
            pendulum.date(2026, 7, 5),
            True,
            T.NOTIFY_DELAY,
        )

    def test_remaining_working_days_and_provenance(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        c1 = review.deadlines(at=day("2026-01-07"))["C1"]
        assert (c1.due, c1.remaining, c1.remaining_unit) == (
            pendulum.date(2026, 1, 12),
            3,
            "working days",
        )
        assert "2026-01-05 + 5 working days = 2026-01-12" in c1.provenance
        assert "England and Wales" in c1.provenance
        assert "Children Act 2004 s16C" in c1.provenance

    def test_late_reason_is_reported(self) -> None:
        review = Review.open("Child A", aware_at=day("2026-01-05"))
        review.fire(
            T.NOTIFY_NATIONAL_PANEL,
            by=WHO["la"],
            at=day("2026-01-14"),
            late_reason="Out-of-hours referral not passed on",
        )
        c1 = review.deadlines(at=day("2026-01-14", 12))["C1"]
        assert c1.status is ClockStatus.MET_LATE
        assert c1.late_reason == "Out-of-hours referral not passed on"

    def test_delay_notices_appear_in_the_provenance(self) -> None:
        review = demo_review()
        c3 = review.deadlines(at=review.state.last_at)["C3"]
        assert c3.due == pendulum.date(2026, 9, 30)
        assert "2026-01-26 + 6 calendar months = 2026-07-26" in c3.provenance
        assert "revised by delay notices" in c3.provenance

    def test_on_hold_projects_from_the_stage_it_left(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.PUT_ON_HOLD, "executive", reason="Trial")
        c3 = w.review.deadlines(at=w.tick())["C3"]
        assert c3.projected is not None
        assert c3.status is ClockStatus.ON_TRACK

    def test_before_the_last_step_they_are_the_clocks_as_they_stood_then(self) -> None:
        review = demo_review()
        at = day("2026-01-08")  # after the notification (7 January), before the rest
        by_then = sum(1 for e in review.history if e.at <= at)
        assert 0 < by_then < len(review.history)
        then = Review.open("Child A", aware_at=review.state.aware_at)
        for entry in review.history[:by_then]:
            then.fire(entry.trigger, by=entry.actor, at=entry.at, **entry.details)
        assert review.deadlines(at=at) == then.deadlines(at=at)
        with pytest.raises(TimeWentBackwards, match="before the review opened"):
            review.deadlines(at=day("2026-01-04"))

    def test_text_and_markdown(self) -> None:
        report = demo_review().deadlines(at=day("2027-03-02"))
        text = str(report)
        assert "C3     completion       met within the notified delay" in text
        assert "2026-07-26, revised to 2026-09-30" in text
        markdown = report.to_markdown()
        assert "| C4 | pre-publication | notice given | 2026-08-03 | not before 2026-08-12 |" in (
            markdown
        )
        assert report["C3"].describe() == (
            "C3 completion: met within the notified delay (due 2026-07-26, revised to 2026-09-30)"
        )

    def test_an_overdue_clock_says_how_far_past_its_due_date_not_minus_days_left(self) -> None:
        # The demo after its first 40 steps: past its completion date of 2026-07-26, no
        # delay notified yet.
        report = demo_review(upto=40).deadlines(at=day("2026-09-10"))
        assert report["C3"].status is ClockStatus.OVERDUE
        assert report["C3"].remaining == -46
        assert report["C3"].describe() == (
            "C3 completion: overdue (due 2026-07-26, 46 calendar days overdue)"
        )
        row = "| C3 | completion | overdue | 2026-01-26 | 2026-07-26 | - | 46 calendar days over"
        assert row in report.to_markdown()
        assert "-46" not in str(report)
        running = demo_review(upto=40).deadlines(at=day("2026-07-25"))["C3"]
        assert running.remaining_text == "1 calendar day left"

    @given(st.integers(min_value=0, max_value=len(SCRIPT)), st.integers(0, 400))
    def test_any_stage_any_review_has_a_report(self, upto: int, days: int) -> None:
        review = demo_review(upto=upto)
        at = review.state.last_at.add(days=days)
        report = review.deadlines(at=at)
        assert [d.clock.id for d in report.deadlines] == ["C1", "C2", "C3", "C4", "C5"]
        for deadline in report.deadlines:
            if deadline.status is ClockStatus.NOT_STARTED:
                assert deadline.due is None
            else:
                assert deadline.started_at is not None
                assert deadline.due is not None
            if deadline.status is ClockStatus.OVERDUE:
                assert deadline.remaining is not None
                assert deadline.remaining < 0


def test_walker_dates_stay_within_every_clock() -> None:
    # The shared example reviews never need a late reason: a guard against tests
    # passing only because a clock was ignored.
    w = walker_at(Stage.MONITORING)
    assert all("late_reason" not in e.details for e in w.review.history)
