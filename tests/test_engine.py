"""The engine: roles, the six-month check, delays, holds, atomicity, time, details."""

from __future__ import annotations

import datetime as dt
import logging

import attrs
import pendulum
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Actor,
    NotPermitted,
    Review,
    Role,
    Stage,
    TimeWentBackwards,
    TransitionRefused,
    Trigger,
)
from cspr_workflow.errors import InvalidTime, UnknownTrigger

from .builders import AWARE, HANDLING_DELAY, WHO, Walker, actor_for, walker_at

T = Trigger
TIMING = "within_due_date"
LONDON = "Europe/London"


def _walker_in(stage: Stage) -> Walker:
    """A review in ``stage``, including the stages off the main line."""
    decisions = {
        Stage.NOT_COMMISSIONED: T.DECLINE_REVIEW,
        Stage.NATIONAL_REVIEW: T.RECORD_NATIONAL_REVIEW,
    }
    if stage in (Stage.AWARE, Stage.NOTIFIED, Stage.RAPID_REVIEW_SUBMITTED, *decisions):
        w = Walker()
        if stage != Stage.AWARE:
            w(T.NOTIFY_NATIONAL_PANEL, "la")
        if stage not in (Stage.AWARE, Stage.NOTIFIED):
            w(T.SUBMIT_RAPID_REVIEW, "pdeo", kloes=["K"], agencies=["Police", "Health"])
        if stage in decisions:
            w(decisions[stage], "executive", reason="Recorded reason")
        return w
    if stage == Stage.SCOPING:
        return Walker().ready_for_first_meeting()
    if stage == Stage.ON_HOLD:
        w = walker_at(Stage.DRAFTING)
        w(T.PUT_ON_HOLD, "executive", reason="Criminal trial")
        return w
    if stage == Stage.PUBLICATION_DEFERRED:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-12-01")
        return w
    return walker_at(stage)


_SOURCES = sorted({row.source for row in DEFAULT_DEFINITION.transitions})


@pytest.fixture(scope="module")
def walkers() -> dict[str, Walker]:
    return {stage: _walker_in(Stage(stage)) for stage in _SOURCES}


# Who may fire what, written out from the process and the partnership's role profiles: an
# oracle for the table, not read from it.
_LA, _EX, _CRG, _CH, _LR, _PM, _PD = (
    Role.LOCAL_AUTHORITY,
    Role.EXECUTIVE,
    Role.CRG,
    Role.CHAIR,
    Role.LEAD_REVIEWER,
    Role.PANEL_MEMBER,
    Role.PDEO,
)
EXPECTED_ROLES: dict[str, set[Role]] = {
    T.NOTIFY_NATIONAL_PANEL: {_LA},
    T.WITHDRAW_NOTIFICATION: {_LA},
    T.SUBMIT_RAPID_REVIEW: {_EX, _PD},
    T.COMMISSION_REVIEW: {_EX},
    T.DECLINE_REVIEW: {_EX},
    T.RECORD_NATIONAL_REVIEW: {_EX},
    T.APPOINT_REVIEWERS: {_EX},
    T.REPLACE_REVIEWER: {_EX},
    T.SET_TERMS_OF_REFERENCE: {_CH},
    T.SHARE_KLOES: {_CH},
    T.AGREE_METHODOLOGY: {_CH, _LR},
    T.APPOINT_PANEL_MEMBER: {_CH, _PD},
    T.RECORD_SUBSTITUTE: {_CH, _PD},
    T.WITHDRAW_SUBSTITUTE: {_CH, _PD},
    T.HOLD_PANEL_MEETING: {_CH},
    T.REQUEST_INFORMATION: {_LR, _PD},
    T.RETURN_INFORMATION: {_PM, _PD},
    T.EXPLAIN_MISSING_INFORMATION: {_PM, _PD},
    T.SHARE_INFORMATION: {_PD},
    T.HOLD_LEARNING_EVENT: {_CH, _LR},
    T.INVITE_FAMILY: {_CH, _LR},
    T.RECORD_FAMILY_RESPONSE: {_CH, _LR},
    T.BEGIN_DRAFTING: {_LR},
    T.SUBMIT_DRAFT: {_LR},
    T.CONFIRM_FACTS: {_PM},
    T.RETURN_COMMENTS: {_PM},
    T.AGREE_REPORT: {_CH},
    T.ADD_ACTION: {_CH, _PM},
    T.WITHDRAW_ACTION: {_CH},
    T.CRG_APPROVE: {_CRG},
    T.EXECUTIVE_APPROVE: {_EX},
    T.SEND_FINAL_REPORT: {_PD},
    T.HOLD_FEEDBACK_SESSION: {_CH, _LR},
    T.INFORM_FAMILY: {_CH, _PD},
    T.PUBLISH: {_EX},
    T.PUBLISH_IMPROVEMENTS: {_EX},
    T.DEFER_PUBLICATION: {_EX},
    T.LIFT_DEFERRAL: {_EX},
    T.REMOVE_REPORT: {_EX},
    T.BEGIN_MONITORING: {_CRG},
    T.UPDATE_ACTION: {_CRG, _PM},
    T.CLOSE_REVIEW: {_CRG},
    T.PUT_ON_HOLD: {_EX},
    T.RESUME: {_EX},
    T.NOTIFY_DELAY: {_PD},
    T.REVIEW_PROGRESS: {_EX},
    T.REQUEST_FROM_REVIEWER: {_EX},
    T.RESPOND_TO_RAPID_REVIEW: {Role.NATIONAL_PANEL},
    T.END_LOCAL_PROCESS: {_EX},
    T.RAISE_CORRECTION: {_PM},
    T.CORRECT_DRAFT: {_LR},
    T.RAISE_ISSUE: {_PM},
    T.RECORD_PRACTITIONER: {_PM},
    T.HOLD_FAMILY_MEETING: {_CH, _LR},
}
_RETURN_ROLES = {
    Stage.CRP_AGREED: {_CRG},
    Stage.CRG_APPROVED: {_EX},
    Stage.EXECUTIVE_APPROVED: {_EX},
    Stage.PRE_PUBLICATION: {_EX},
    Stage.PUBLICATION_DEFERRED: {_EX},
}


def _expected_roles(row) -> set[Role]:
    if row.trigger == T.RETURN_TO_DRAFTING:
        return _RETURN_ROLES[row.source]
    if row.trigger in (T.ADD_ACTION, T.WITHDRAW_ACTION) and row.source == Stage.MONITORING:
        return {_CRG}  # the action plan revised in monitoring, by the Case Review Group
    return EXPECTED_ROLES[row.trigger]


class TestRoles:
    @pytest.mark.parametrize(
        "row", DEFAULT_DEFINITION.transitions, ids=lambda r: f"{r.trigger}@{r.source}"
    )
    def test_only_the_owning_roles_may_fire_each_transition(self, row, walkers) -> None:
        w = walkers[row.source]
        assert w.review.state.stage == row.source
        for role in Role:
            verdict = w.review.check(row.trigger, by=actor_for(role), at=w.tick())
            permission = [r for r in verdict.reasons if r.rule_id == "role"]
            if role in _expected_roles(row):
                assert not permission, (role, verdict.reasons)
            else:
                assert permission, role

    def test_refusal_for_the_wrong_role_is_not_permitted(self) -> None:
        w = Walker()
        with pytest.raises(NotPermitted, match="Chair may not notify the National Panel"):
            w(T.NOTIFY_NATIONAL_PANEL, "chair")
        assert w.review.history == ()

    def test_renamed_bodies_appear_in_refusals(self) -> None:
        local = DEFAULT_DEFINITION.evolve(role_titles={Role.EXECUTIVE: "Partnership Board"})
        w = Walker(local)
        with pytest.raises(NotPermitted, match="Partnership Board may not notify"):
            w(T.NOTIFY_NATIONAL_PANEL, "executive")

    def test_only_the_appointed_chair_acts_as_chair(self) -> None:
        w = Walker().to_scoping()
        impostor = Actor("Someone else", Role.CHAIR)
        with pytest.raises(NotPermitted, match="not the Chair appointed"):
            w(T.SHARE_KLOES, impostor)
        w(T.SHARE_KLOES, "chair")

    def test_only_the_appointed_lead_reviewer_acts(self) -> None:
        w = Walker().to_scoping()
        with pytest.raises(NotPermitted, match="not the Lead Reviewer appointed"):
            w(
                T.AGREE_METHODOLOGY,
                Actor("Other reviewer", Role.LEAD_REVIEWER),
                methodology="Systems",
            )

    def test_chair_and_lead_reviewer_must_differ(self) -> None:
        w = Walker().to_commissioned()
        with pytest.raises(TransitionRefused, match="same person"):
            w(T.APPOINT_REVIEWERS, "executive", chair="A. Person", lead_reviewer="A. Person")


class TestPanelMembers:
    def test_member_confirms_only_for_their_own_agency(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        before = w.review.state
        with pytest.raises(NotPermitted, match="speaks only for their own agency"):
            w(T.CONFIRM_FACTS, "police", agency="Health")
        assert w.review.state is before
        w(T.CONFIRM_FACTS, "police", agency="Police")
        assert w.review.state.fact_checks[-1].agency == "Police"

    def test_agency_without_a_seat_cannot_act(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        outsider = Actor("Probation manager", Role.PANEL_MEMBER, agency="Probation")
        with pytest.raises(NotPermitted, match="Probation has no seat"):
            w(T.CONFIRM_FACTS, outsider)

    def test_someone_else_cannot_speak_for_a_seat(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        other = Actor("Another officer", Role.PANEL_MEMBER, agency="Police")
        with pytest.raises(NotPermitted, match="not Police's recorded panel member"):
            w(T.CONFIRM_FACTS, other)

    def test_recorded_substitute_may_act_for_an_absent_member(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        deputy = Actor("Deputy", Role.PANEL_MEMBER, agency="Police", substitute=True)
        with pytest.raises(NotPermitted, match="not a recorded substitute"):
            w(T.CONFIRM_FACTS, deputy)
        w(T.RECORD_SUBSTITUTE, "pdeo", agency="Police", substitute="Deputy")
        w(T.CONFIRM_FACTS, deputy)
        assert w.review.history[-1].actor.substitute

    def test_substitute_for_an_agency_without_a_seat_is_refused(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        with pytest.raises(TransitionRefused, match="Probation has no seat"):
            w(T.RECORD_SUBSTITUTE, "pdeo", agency="Probation", substitute="Deputy")

    def test_member_adds_actions_only_for_their_own_agency(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        with pytest.raises(NotPermitted, match="for Health"):
            w(
                T.ADD_ACTION,
                "police",
                recommendation="R1",
                owner="Health",
                due="2027-01-01",
                description="Not theirs",
            )

    def test_member_updates_only_their_own_agency_actions(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        w(
            T.ADD_ACTION,
            "chair",
            recommendation="R1",
            owner="Health",
            due="2027-01-01",
            description="Health action",
        )
        w(
            T.ADD_ACTION,
            "chair",
            recommendation="R2",
            owner="Police",
            due="2027-01-01",
            description="Police action",
        )
        w(T.CRG_APPROVE, "crg")
        w(T.EXECUTIVE_APPROVE, "executive")
        w(T.SEND_FINAL_REPORT, "pdeo")
        w(T.HOLD_FEEDBACK_SESSION, "chair")
        w(T.INFORM_FAMILY, "pdeo")
        w.wait_notice_period()
        w(T.PUBLISH, "executive")
        w(T.BEGIN_MONITORING, "crg")
        with pytest.raises(NotPermitted, match="owned by Health"):
            w(T.UPDATE_ACTION, "police", action="A1", status="complete")
        w(T.UPDATE_ACTION, "health", action="A1", status="complete")
        with pytest.raises(TransitionRefused, match="already complete"):
            w(T.UPDATE_ACTION, "crg", action="A1", status="complete")


class TestSixMonthCheck:
    """Once past the due date, nothing progresses until a delay is notified to both; the
    steps that record or manage a delay are never blocked by it."""

    def test_due_date_is_six_calendar_months_after_the_decision(self) -> None:
        w = Walker().to_commissioned()
        assert w.review.state.due_date == pendulum.date(2026, 7, 5)

    def test_due_date_clamps_at_month_end(self) -> None:
        w = Walker()
        w.review = Review.open("Child A", aware_at=pendulum.datetime(2026, 8, 27, tz=LONDON))
        w.now = pendulum.datetime(2026, 8, 28, 9, tz=LONDON)
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        w(T.SUBMIT_RAPID_REVIEW, "executive", kloes=["K"], agencies=["Police"])
        w.now = pendulum.datetime(2026, 8, 31, 9, tz=LONDON)
        w(T.COMMISSION_REVIEW, "executive", reason="Criteria met")
        assert w.review.state.due_date == pendulum.date(2027, 2, 28)

    def test_on_the_due_date_the_review_may_progress(self) -> None:
        w = Walker().to_scoping()
        w.now = pendulum.datetime(2026, 7, 5, 22, tz=LONDON)
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")

    def test_the_day_after_the_due_date_nothing_progresses(self) -> None:
        w = Walker().to_scoping()
        w.now = pendulum.datetime(2026, 7, 6, 0, 1, tz=LONDON)
        before = w.review.state
        with pytest.raises(TransitionRefused) as caught:
            w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        assert caught.value.rules == (TIMING,)
        assert "notify_delay" in str(caught.value)
        assert w.review.state is before

    @pytest.mark.parametrize(
        "stage",
        [
            s
            for s in _SOURCES
            if s
            not in (
                Stage.AWARE,
                Stage.NOTIFIED,
                Stage.RAPID_REVIEW_SUBMITTED,
                Stage.NOT_COMMISSIONED,
                Stage.NATIONAL_REVIEW,
                Stage.PUBLISHED,
                Stage.IMPROVEMENTS_PUBLISHED,
                Stage.MONITORING,
            )
        ],
    )
    def test_every_transition_is_checked_past_the_due_date(self, stage: str, walkers) -> None:
        review = walkers[stage].review
        late = pendulum.datetime(2027, 6, 1, 9, tz=LONDON)
        assert review.completion_due is not None
        assert late.date() > review.completion_due
        for row in DEFAULT_DEFINITION.rows_from(stage):
            role = min(row.roles)
            verdict = review.check(row.trigger, by=actor_for(role), at=late)
            if row.trigger in HANDLING_DELAY:
                assert TIMING not in verdict.rules
            else:
                assert TIMING in verdict.rules, row

    def test_after_publication_the_clock_has_stopped(self) -> None:
        w = walker_at(Stage.PUBLISHED)
        w.now = pendulum.datetime(2028, 1, 1, tz=LONDON)
        w(T.BEGIN_MONITORING, "crg")

    def test_delay_must_reach_both_national_panel_and_executive(self) -> None:
        w = Walker().to_scoping()
        w.now = pendulum.datetime(2026, 7, 10, 9, tz=LONDON)
        w(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="Panel availability",
            revised_date="2026-10-31",
            recipients=["national_panel"],
        )
        with pytest.raises(TransitionRefused, match="past its completion due date 2026-07-05"):
            w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="Panel availability",
            revised_date="2026-10-31",
            recipients=["executive"],
        )
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        assert w.review.completion_due == pendulum.date(2026, 10, 31)

    def test_each_revised_date_is_enforced_in_turn(self) -> None:
        w = Walker().to_scoping()
        w.now = pendulum.datetime(2026, 6, 30, 9, tz=LONDON)
        w(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="Projected",
            revised_date="2026-08-31",
            recipients=["national_panel", "executive"],
        )
        w.now = pendulum.datetime(2026, 9, 1, 9, tz=LONDON)
        with pytest.raises(TransitionRefused, match="2026-08-31"):
            w(T.SHARE_KLOES, "chair")
        w(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="Still slipping",
            revised_date="2026-11-30",
            recipients=["national_panel", "executive"],
        )
        w(T.SHARE_KLOES, "chair")

    def test_the_earlier_of_two_revised_dates_counts(self) -> None:
        w = Walker().to_scoping()
        w(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="R",
            revised_date="2026-12-31",
            recipients=["national_panel"],
        )
        w(T.NOTIFY_DELAY, "pdeo", reason="R", revised_date="2026-09-30", recipients=["executive"])
        assert w.review.completion_due == pendulum.date(2026, 9, 30)

    def test_delay_notice_details_are_checked(self) -> None:
        w = Walker().to_scoping()
        with pytest.raises(TransitionRefused) as caught:
            w(
                T.NOTIFY_DELAY,
                "pdeo",
                reason="R",
                revised_date="2026-07-01",
                recipients=["national_panel", "crg"],
            )
        assert "expected roles among national_panel, executive, not crg" in str(caught.value)
        with pytest.raises(TransitionRefused) as caught:
            w(
                T.NOTIFY_DELAY,
                "pdeo",
                reason="R",
                revised_date="2026-07-01",
                recipients=["national_panel", "executive"],
            )
        assert caught.value.rules == ("revised_date_after_due",)
        w.now = pendulum.datetime(2026, 8, 1, tz=LONDON)
        with pytest.raises(TransitionRefused, match="not after the notice's date"):
            w(
                T.NOTIFY_DELAY,
                "pdeo",
                reason="R",
                revised_date="2026-07-30",
                recipients=["national_panel", "executive"],
            )

    def test_publication_deferral_counts_as_a_delay(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.DEFER_PUBLICATION, "executive", reason="Criminal trial", revised_date="2026-12-15")
        assert w.review.stage == Stage.PUBLICATION_DEFERRED
        notice = w.review.state.delay_notices[-1]
        assert notice.recipients == {Role.NATIONAL_PANEL, Role.EXECUTIVE}
        assert w.review.completion_due == pendulum.date(2026, 12, 15)
        w.now = pendulum.datetime(2026, 12, 1, tz=LONDON)
        w(T.LIFT_DEFERRAL, "executive")
        w(T.HOLD_FEEDBACK_SESSION, "chair")
        w(T.INFORM_FAMILY, "pdeo")
        w.wait_notice_period()
        w(T.PUBLISH, "executive")


class TestHold:
    @pytest.mark.parametrize("stage", [Stage.COMMISSIONED, Stage.DRAFTING, Stage.CRG_APPROVED])
    def test_resume_returns_to_the_stage_it_left(self, stage: Stage) -> None:
        w = walker_at(stage)
        w(T.PUT_ON_HOLD, "executive", reason="Parallel proceedings")
        assert w.review.stage == Stage.ON_HOLD
        assert w.review.state.held_from == stage
        w(T.RESUME, "executive")
        assert w.review.stage == stage
        assert w.review.state.held_from is None

    def test_nothing_but_resume_a_delay_notice_or_oversight_while_on_hold(self) -> None:
        w = _walker_in(Stage.ON_HOLD)
        executive = set(w.review.available(by=WHO["executive"], at=w.tick()))
        assert executive == {T.RESUME, T.REVIEW_PROGRESS}
        assert set(w.review.available(by=WHO["pdeo"], at=w.tick())) == {T.NOTIFY_DELAY}
        with pytest.raises(TransitionRefused, match="not available at stage 'On hold'"):
            w.submit_draft()

    def test_resume_past_due_date_then_a_delay_notice_before_progress(self) -> None:
        w = _walker_in(Stage.ON_HOLD)
        w.now = pendulum.datetime(2026, 9, 1, tz=LONDON)
        w(T.RESUME, "executive")  # managing the delay is never blocked by it
        left = w.review.stage
        row = next(
            r for r in DEFAULT_DEFINITION.rows_from(left) if r.trigger not in HANDLING_DELAY
        )
        verdict = w.review.check(row.trigger, by=actor_for(min(row.roles)), at=w.tick())
        assert TIMING in verdict.rules


class TestAtomicity:
    def test_exception_in_an_effect_leaves_the_review_unchanged(self) -> None:
        def boom(state, ctx):
            raise RuntimeError("storage failed mid-step")

        broken = DEFAULT_DEFINITION.evolve(
            triggers=[
                attrs.evolve(t, effect=boom) if t.name == T.HOLD_PANEL_MEETING else t
                for t in DEFAULT_DEFINITION.triggers
            ]
        )
        w = Walker(broken).ready_for_first_meeting()
        before = w.review.state
        with pytest.raises(RuntimeError, match="storage failed"):
            w(T.HOLD_PANEL_MEETING, "chair")
        assert w.review.state is before
        assert w.review.stage == Stage.SCOPING

    def test_refusal_leaves_the_review_unchanged(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        before = w.review.state
        with pytest.raises(TransitionRefused):
            w(T.AGREE_REPORT, "chair")
        assert w.review.state is before

    def test_check_changes_nothing(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        before = w.review.state
        assert w.review.check(T.CONFIRM_FACTS, by=WHO["police"], at=w.tick())
        assert w.review.state is before

    def test_one_machine_per_definition_and_no_models(self) -> None:
        machine = DEFAULT_DEFINITION.machine
        for n in range(200):
            Review.open(f"Child {n}", aware_at=AWARE)
        walker_at(Stage.DRAFTING)
        assert DEFAULT_DEFINITION.machine is machine
        assert machine.models == []


class TestTime:
    def test_time_never_runs_backwards(self) -> None:
        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        earlier = w.now.subtract(minutes=1)
        with pytest.raises(TimeWentBackwards, match="time never runs backwards"):
            w.review.fire(
                T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=earlier, kloes=["K"], agencies=["Police"]
            )
        assert len(w.review.history) == 1

    def test_nothing_before_the_day_of_awareness(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(TimeWentBackwards, match="the day the review opened"):
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=AWARE.subtract(days=1))

    def test_same_instant_is_allowed(self) -> None:
        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        w.review.fire(
            T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=w.now, kloes=["K"], agencies=["Police"]
        )

    def test_naive_datetimes_are_refused(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(InvalidTime, match="timezone-aware"):
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=dt.datetime(2026, 1, 6))  # noqa: DTZ001
        with pytest.raises(InvalidTime):
            Review.open("Child A", aware_at=dt.datetime(2026, 1, 6))  # noqa: DTZ001

    def test_instants_are_stored_in_london_time(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        utc = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
        entry = review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=utc, late_reason="Test")
        assert entry.at.timezone_name == LONDON
        assert entry.at.hour == 10  # BST
        assert entry.at == utc

    def test_an_injected_clock_supplies_the_time(self) -> None:
        ticks = iter([pendulum.datetime(2026, 1, 6, 9, tz=LONDON)])
        review = Review.open("Child A", aware_at=AWARE, clock=lambda: next(ticks))
        entry = review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"])
        assert entry.at.day == 6

    def test_without_at_or_clock_the_error_says_what_to_do(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(InvalidTime, match="pass at="):
            review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"])


class TestDetailsAndErrors:
    def test_unknown_trigger(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(UnknownTrigger, match="'publish_now' is not part"):
            review.fire("publish_now", by=WHO["executive"], at=AWARE)

    def test_missing_wrong_and_unknown_details_are_all_reported(self) -> None:
        w = Walker().to_commissioned()
        with pytest.raises(TransitionRefused) as caught:
            w(T.APPOINT_REVIEWERS, "executive", chair=42, colour="blue")
        text = str(caught.value)
        assert "takes no detail 'colour'" in text
        assert "needs lead_reviewer=" in text
        assert "detail 'chair'" in text
        assert len(caught.value.reasons) == 3

    def test_every_reason_at_once(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w.now = pendulum.datetime(2026, 9, 1, tz=LONDON)
        with pytest.raises(NotPermitted) as caught:
            w(T.AGREE_REPORT, "lead")
        rules = caught.value.rules
        assert "role" in rules
        assert TIMING in rules
        assert "facts_confirmed" in rules

    def test_not_available_says_where_it_is(self) -> None:
        review = Review.open("Child A", aware_at=AWARE)
        with pytest.raises(TransitionRefused, match="available from: Pre-publication"):
            review.fire(T.PUBLISH, by=WHO["executive"], at=AWARE)

    def test_messages_name_the_review_trigger_stage_and_no_person(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        with pytest.raises(TransitionRefused) as caught:
            w(T.CONFIRM_FACTS, "police", agency="Health")
        text = str(caught.value)
        assert "'Child A'" in text
        assert "'confirm_facts'" in text
        assert "'fact_check'" in text
        for actor in WHO.values():
            assert actor.name not in text

    def test_duplicate_confirmation_is_refused(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w(T.CONFIRM_FACTS, "police")
        with pytest.raises(TransitionRefused, match="already confirmed draft 1"):
            w(T.CONFIRM_FACTS, "police")

    def test_action_must_answer_a_recommendation_and_be_due_later(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        with pytest.raises(TransitionRefused) as caught:
            w(
                T.ADD_ACTION,
                "chair",
                recommendation="R9",
                owner="Police",
                due="2020-01-01",
                description="x",
            )
        assert set(caught.value.rules) == {"action_answers_a_recommendation", "action_due_later"}

    def test_information_request_numbers_are_checked(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        w(T.REQUEST_INFORMATION, "pdeo", agency="Police")
        with pytest.raises(TransitionRefused, match="no outstanding request 7"):
            w(T.RETURN_INFORMATION, "police", number=7)
        w(T.REQUEST_INFORMATION, "pdeo", agency="Probation")  # an agency without a seat
        with pytest.raises(TransitionRefused, match="no returned information"):
            w(T.SHARE_INFORMATION, "pdeo")

    def test_family_answer_needs_an_invitation(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        with pytest.raises(TransitionRefused, match="has not been invited"):
            w(T.RECORD_FAMILY_RESPONSE, "lead", response="declined")
        with pytest.raises(TransitionRefused, match="expected one of"):
            w(T.RECORD_FAMILY_RESPONSE, "lead", response="maybe")

    def test_recommendations_accept_texts_mappings_and_pairs(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.SUBMIT_DRAFT, "lead", findings=["F"], recommendations={"REC-A": "Do A"})
        assert w.review.state.current_draft.recommendation_ids() == {"REC-A"}
        w(T.RETURN_COMMENTS, "police", comments="c")
        with pytest.raises(TransitionRefused, match="unique"):
            w(T.SUBMIT_DRAFT, "lead", findings=["F"], recommendations=[("X", "a"), ("X", "b")])
        w(T.SUBMIT_DRAFT, "lead", findings=["F"], recommendations=[("X", "a"), ("Y", "b")])
        assert w.review.state.current_draft.recommendation_ids() == {"X", "Y"}


class TestQueries:
    def test_available_lists_what_the_actor_can_do_now(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        assert w.review.available(by=WHO["police"], at=w.tick()) == (
            T.CONFIRM_FACTS,
            T.RETURN_COMMENTS,
            T.RAISE_CORRECTION,
            T.RAISE_ISSUE,
        )
        chair = w.review.available(by=WHO["chair"], at=w.tick())
        assert T.AGREE_REPORT not in chair
        assert T.HOLD_PANEL_MEETING in chair

    def test_options_say_who_may_act_and_what_blocks(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        options = {o.trigger: o for o in w.review.options(at=w.tick())}
        crg = options[T.CRG_APPROVE]
        assert crg.roles == (Role.CRG,)
        assert crg.dest == Stage.CRG_APPROVED
        assert not crg.ready
        assert "recommendations with no action" in crg.unmet[0].message
        assert options[T.ADD_ACTION].ready

    def test_options_offer_resume_only_to_the_stage_left(self) -> None:
        w = _walker_in(Stage.ON_HOLD)
        resumes = [o for o in w.review.options(at=w.tick()) if o.trigger == T.RESUME]
        assert [o.dest for o in resumes] == [Stage.DRAFTING]

    def test_review_open_refuses_identifying_references(self) -> None:
        with pytest.raises(ValueError, match="pseudonym"):
            Review.open("", aware_at=AWARE)
        with pytest.raises(ValueError, match="pseudonym"):
            Review.open("x" * 80, aware_at=AWARE)

    def test_steps_are_logged_by_role_not_name(self, caplog) -> None:
        caplog.set_level(logging.INFO, logger="cspr_workflow")
        w = walker_at(Stage.FACT_CHECK)
        with pytest.raises(TransitionRefused):
            w(T.AGREE_REPORT, "chair")
        assert "refused" in caplog.text
        for actor in WHO.values():
            assert actor.name not in caplog.text


def test_refusals_are_noted_beside_the_history() -> None:
    walker = Walker().to_scoping()
    before = walker.review.state
    at = walker.tick()
    with pytest.raises(TransitionRefused):
        walker.review.fire(T.HOLD_PANEL_MEETING, by=WHO["chair"], at=at)
    assert walker.review.state is before
    [refusal] = walker.review.refusals
    assert (refusal.trigger, refusal.stage, refusal.at) == (T.HOLD_PANEL_MEETING, "scoping", at)
    assert refusal.actor == WHO["chair"]
    assert "kloes_shared" in refusal.rules
    walker.review.check(T.HOLD_PANEL_MEETING, by=WHO["chair"], at=at)
    assert len(walker.review.refusals) == 1  # check() notes nothing


def test_available_names_exactly_the_steps_check_allows_but_for_their_details() -> None:
    """At every step of the demo review, for every demo actor: ``available`` lists the
    triggers whose ``check`` finds nothing wrong but missing or invalid details."""
    from cspr_workflow.demo import ACTORS, demo_review

    full = demo_review()
    definition = full.definition
    compared = 0
    for n in range(len(full.history) + 1):
        review = demo_review(upto=n)  # as it stood after its first n steps
        at = review.state.last_at.add(hours=1)
        for actor in ACTORS.values():
            expected = {
                t.name
                for t in definition.triggers
                if all(r.kind == "details" for r in review.check(t.name, by=actor, at=at).reasons)
            }
            assert set(review.available(by=actor, at=at)) == expected, (n, actor.role)
            compared += 1
    assert compared == (len(full.history) + 1) * len(ACTORS)


def _first_steps(review: Review, k: int) -> Review:
    """The review rebuilt from its opening with its first ``k`` recorded steps."""
    state = review.state
    rebuilt = Review.open(state.reference, aware_at=state.aware_at, definition=review.definition)
    for entry in state.history[:k]:
        rebuilt.fire(entry.trigger, by=entry.actor, at=entry.at, **entry.details)
    return rebuilt


class TestAsAt:
    """A review as it stood at an earlier instant: replayed, not cut short."""

    def test_each_instant_gives_the_review_after_the_steps_taken_by_then(self) -> None:
        from cspr_workflow.demo import demo_review

        full = demo_review()
        for n, entry in enumerate(full.history, start=1):
            then = full.as_at(entry.at)
            taken = sum(1 for e in full.history if e.at <= entry.at)
            assert taken >= n
            assert then.state == _first_steps(full, taken).state
            assert then.refusals == tuple(r for r in full.refusals if r.at <= entry.at)
            assert then.refusals_complete == full.refusals_complete
        assert full.as_at(full.state.last_at) is full
        assert full.as_at(full.state.last_at.add(days=3)) is full

    def test_the_review_itself_is_left_as_it_was(self) -> None:
        from cspr_workflow import dumps
        from cspr_workflow.demo import demo_review

        full = demo_review()
        before = dumps(full)
        then = full.as_at(full.history[9].at)
        assert len(then.history) == 10
        assert dumps(full) == before
        assert then.state.history == full.history[:10]

    def test_before_the_review_opened_is_refused(self) -> None:
        w = Walker()
        with pytest.raises(TimeWentBackwards, match="before the review opened"):
            w.review.as_at(AWARE.subtract(seconds=1))

    def test_a_step_the_engine_no_longer_takes_is_named(self) -> None:
        from cspr_workflow.errors import ReplayMismatch

        w = Walker().to_panel_review()
        review = w.review
        forged = attrs.evolve(review.history[2], trigger=str(T.HOLD_PANEL_MEETING))
        changed = Review(
            review.state.evolve(history=(*review.history[:2], forged, *review.history[3:])),
            review.definition,
        )
        with pytest.raises(ReplayMismatch, match="step 3"):
            changed.as_at(review.history[-2].at)
