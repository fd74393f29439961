"""The paths real reviews take (issue: the real process, no dead ends): each rule is
exercised through the public API and fails if the rule is removed."""

from __future__ import annotations

from pathlib import Path

import attrs
import pendulum
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Actor,
    Review,
    ReviewStore,
    Role,
    Stage,
    TransitionRefused,
    Trigger,
    audit_report,
    check_review,
    diagram,
    dumps,
    loads,
    simulate,
)
from cspr_workflow._cli import main
from cspr_workflow.clocks import ClockStatus, OwedNotice
from cspr_workflow.default import WORKING_TOGETHER_2023_TITLES, with_local_choices
from cspr_workflow.demo import ACTORS, SCRIPT, demo_review
from cspr_workflow.errors import InvalidDefinition, InvalidInput
from cspr_workflow.guards import information_shared_in_advance
from cspr_workflow.simulation import simulated_review
from cspr_workflow.states import NATIONAL_LIMITS
from cspr_workflow.views import period_report

from .builders import HANDLING_DELAY, WHO, Walker, walker_at
from .mutations import MUTATIONS

T = Trigger
PAST_DUE = pendulum.datetime(2026, 7, 20, 9, tz="Europe/London")
DATA = Path(__file__).parent / "data"


def _past_due(stage: Stage):
    w = walker_at(stage)
    w.now = PAST_DUE
    return w


class TestDelayStepsNeverBlocked:
    """Steps that record or manage a delay are never blocked by the lateness they handle;
    progressing steps stay blocked until a delay is notified."""

    def test_progressing_step_blocked_past_due(self) -> None:
        w = _past_due(Stage.DRAFTING)
        before = w.review.state
        with pytest.raises(TransitionRefused) as info:
            w.submit_draft()
        assert "within_due_date" in {r.rule_id for r in info.value.reasons}
        assert w.review.state is before

    def test_hold_and_resume_past_due(self) -> None:
        w = _past_due(Stage.DRAFTING)
        w(T.PUT_ON_HOLD, "executive", reason="Criminal trial")
        assert w.review.stage == Stage.ON_HOLD
        w(T.RESUME, "executive")
        assert w.review.stage == Stage.DRAFTING
        with pytest.raises(TransitionRefused):
            w.submit_draft()

    def test_defer_and_lift_past_due(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w.now = PAST_DUE
        w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-07-25")
        assert w.review.stage == Stage.PUBLICATION_DEFERRED
        w.now = pendulum.datetime(2026, 8, 3, 9, tz="Europe/London")  # past the revised date
        w(T.LIFT_DEFERRAL, "executive")
        assert w.review.stage == Stage.PRE_PUBLICATION
        with pytest.raises(TransitionRefused) as info:
            w(T.HOLD_FEEDBACK_SESSION, "chair")
        assert "within_due_date" in {r.rule_id for r in info.value.reasons}

    def test_the_default_rule_names_them(self) -> None:
        rule = DEFAULT_DEFINITION.completion
        assert set(rule.exempt) == HANDLING_DELAY
        region = DEFAULT_DEFINITION.region
        for row in DEFAULT_DEFINITION.transitions:
            if row.source in region:
                assert (rule.guard in row.guards) == (row.trigger not in rule.exempt), row

    def test_a_managing_step_may_not_progress(self) -> None:
        rule = attrs.evolve(DEFAULT_DEFINITION.completion, manage=(T.PUT_ON_HOLD, T.PUBLISH))
        with pytest.raises(InvalidDefinition) as info:
            DEFAULT_DEFINITION.evolve(completion=rule, name="broken")
        assert "'publish' manages a delay" in str(info.value)


class TestNationalLimitsAreFloors:
    """Local policy may make national limits stricter, never looser; a national relaxation
    is a separate, named national policy."""

    def test_looser_limits_refused_with_the_rule(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        with pytest.raises(InvalidInput) as info:
            policy.with_limits(C4=1, C3=24, C1=30)
        assert info.value.rule == "national_limit_is_a_floor"
        text = str(info.value)
        for clock in ("C1", "C3", "C4"):
            assert f"clock {clock}" in text
        assert "national limit of 6" in text
        assert "national limit of 7" in text

    @pytest.mark.parametrize("limits", [{"C1": 6}, {"C2": 16}, {"C3": 7}, {"C4": 6}])
    def test_each_national_clock_is_a_floor(self, limits: dict[str, int]) -> None:
        with pytest.raises(InvalidInput, match="never looser"):
            DEFAULT_DEFINITION.policy.with_limits(**limits)

    def test_stricter_limits_accepted(self) -> None:
        policy = DEFAULT_DEFINITION.policy.with_limits(C1=3, C2=10, C3=4, C4=10)
        assert [c.limit for c in policy.clocks] == [3, 10, 4, 10, 15]
        assert policy.national == NATIONAL_LIMITS

    def test_evolve_cannot_loosen_either(self) -> None:
        policy = DEFAULT_DEFINITION.policy
        loose = attrs.evolve(policy.clock("C3"), limit=9)
        with pytest.raises(InvalidInput, match="clock C3"):
            attrs.evolve(policy, clocks=[loose if c.id == "C3" else c for c in policy.clocks])

    def test_a_named_national_relaxation(self) -> None:
        relaxed = DEFAULT_DEFINITION.policy.relaxed_nationally(
            "COVID-19 relaxation", "DfE and the National Panel, 2020", C3=9
        )
        assert relaxed.clock("C3").limit == 9
        assert relaxed.national is not None
        assert relaxed.national.name == "COVID-19 relaxation"
        assert relaxed.with_limits(C3=8).clock("C3").limit == 8
        with pytest.raises(InvalidInput, match="national limit of 9 \\(COVID-19 relaxation\\)"):
            relaxed.with_limits(C3=10)
        with pytest.raises(InvalidInput, match="named"):
            DEFAULT_DEFINITION.policy.relaxed_nationally("", "", C3=9)


class TestReturnAfterApproval:
    """New information after the Executive's approval sends the report back to drafting:
    approvals cleared, the pre-publication notice given again."""

    @pytest.mark.parametrize("where", ["executive_approved", "pre_publication", "deferred"])
    def test_back_to_drafting(self, where: str) -> None:
        w = walker_at(
            Stage.EXECUTIVE_APPROVED if where == "executive_approved" else Stage.PRE_PUBLICATION
        )
        if where == "deferred":
            w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-09-30")
        w(T.RETURN_TO_DRAFTING, "executive", reason="New evidence from the trial")
        state = w.review.state
        assert w.review.stage == Stage.DRAFTING
        assert state.current_draft is not None
        assert not [a for a in state.approvals if a.version == state.current_draft.version]
        assert state.clock("C4") is None
        assert state.report_sent_at is None

    def test_approvals_and_notice_again(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        first_sent = w.review.state.clock("C4")
        assert first_sent is not None
        w.wait_notice_period()
        w(T.RETURN_TO_DRAFTING, "executive", reason="New evidence from the inquest")
        w.submit_draft("Recommendation one", "Recommendation two")
        w.confirm_all()
        w(T.AGREE_REPORT, "chair")
        w.plan_actions()
        # the approvals are needed again, in order
        with pytest.raises(TransitionRefused) as info:
            w(T.EXECUTIVE_APPROVE, "executive")
        assert info.value.reasons
        w(T.CRG_APPROVE, "crg")
        w(T.EXECUTIVE_APPROVE, "executive")
        w(T.SEND_FINAL_REPORT, "pdeo")
        again = w.review.state.clock("C4")
        assert again is not None
        assert again.started_at > first_sent.started_at
        w(T.HOLD_FEEDBACK_SESSION, "chair")
        w(T.INFORM_FAMILY, "pdeo")
        # the first notice has run out, but the report sent again gives its notice again
        with pytest.raises(TransitionRefused) as refused:
            w(T.PUBLISH, "executive")
        assert "notice_period_observed" in {r.rule_id for r in refused.value.reasons}
        w.wait_notice_period()
        w(T.PUBLISH, "executive")
        assert w.review.stage == Stage.PUBLISHED

    def test_a_lifted_deferral_keeps_the_notice(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        sent = w.review.state.clock("C4")
        w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-09-30")
        w(T.LIFT_DEFERRAL, "executive")
        assert w.review.state.clock("C4") == sent


class TestNonPublication:
    """Partners may judge publishing the report inappropriate and publish information about
    the improvements instead: C3 stops on that decision, C4 is no longer needed."""

    def test_improvements_published_instead(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.INFORM_FAMILY, "pdeo")
        w(
            T.PUBLISH_IMPROVEMENTS,
            "executive",
            reason="The child's siblings could be identified",
            improvements="Summary of the improvements made",
        )
        assert w.review.stage == Stage.IMPROVEMENTS_PUBLISHED
        report = w.review.deadlines(at=w.tick(days=30))
        assert report["C3"].status is ClockStatus.MET
        assert report["C4"].status is ClockStatus.NOT_NEEDED
        assert report["C3"].stopped_at is not None
        w(T.BEGIN_MONITORING, "crg")
        assert w.review.stage == Stage.MONITORING

    def test_from_a_deferral_and_no_longer_overdue(self, tmp_path: Path) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.DEFER_PUBLICATION, "executive", reason="Trial", revised_date="2026-09-30")
        w(T.INFORM_FAMILY, "pdeo")
        w.now = pendulum.datetime(2026, 9, 1, 9, tz="Europe/London")
        w(T.PUBLISH_IMPROVEMENTS, "executive", reason="Trial outcome", improvements="Summary")
        later = w.review.deadlines(at=pendulum.datetime(2027, 3, 1, 9, tz="Europe/London"))
        # stopped after the first due date, within the notified revised date
        assert later["C3"].status is ClockStatus.MET_WITHIN_DELAY
        assert later["C3"].stopped_at is not None
        store = ReviewStore(f"sqlite:///{tmp_path / 'reviews.db'}")
        store.add(w.review)
        assert store.overdue(at=pendulum.datetime(2027, 3, 1, 9, tz="Europe/London")) == []

    def test_needs_every_approval_and_the_family_told(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        with pytest.raises(TransitionRefused) as info:
            w(T.PUBLISH_IMPROVEMENTS, "executive", reason="r", improvements="i")
        assert {r.rule_id for r in info.value.reasons} == {"family_told"}
        refused = w.check(T.PUBLISH_IMPROVEMENTS, "pdeo", reason="r", improvements="i")
        assert not refused.allowed

    def test_past_due_it_waits_for_a_delay_notice_like_publication(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.INFORM_FAMILY, "pdeo")
        w.now = PAST_DUE
        with pytest.raises(TransitionRefused) as info:
            w(T.PUBLISH_IMPROVEMENTS, "executive", reason="r", improvements="i")
        assert "within_due_date" in {r.rule_id for r in info.value.reasons}


def _notify_past(review: Review, owed: OwedNotice, at: pendulum.DateTime) -> None:
    """The PDEO notifies a delay to a week past the projected finish."""
    assert owed.projected is not None
    review.fire(
        T.NOTIFY_DELAY,
        by=ACTORS["pdeo"],
        at=at,
        reason="Fact check running late",
        revised_date=owed.projected.add(days=7),
        recipients=["national_panel", "executive"],
    )


class TestProjectedDelay:
    """A projected miss of the completion due date owes a delay notice: shown in `owed`,
    `available`, the deadline report (status) and the audit report; the completion rule
    decides whether it blocks."""

    AT_RISK = 33  # demo steps: at the fact check, projected to finish after 2026-07-26

    def test_owed_and_shown(self) -> None:
        review = demo_review(upto=self.AT_RISK)
        at = review.state.last_at
        (owed,) = review.owed(at=at)
        assert (owed.kind, owed.blocks, owed.trigger) == ("projected", False, T.NOTIFY_DELAY)
        assert owed.projected is not None
        assert owed.projected > owed.due
        assert review.available(by=ACTORS["pdeo"], at=at)[0] == T.NOTIFY_DELAY
        report = review.deadlines(at=at)
        assert report.owed == (owed,)
        assert "Owed: a delay notice (notify_delay) is owed" in str(report)
        assert "**Owed**" in audit_report(review, at=at).markdown()

    def test_not_blocking_by_default(self) -> None:
        review = demo_review(upto=self.AT_RISK)
        police = ACTORS["police"]
        verdict = review.check(T.CONFIRM_FACTS, by=police, at=review.state.last_at.add(hours=1))
        assert "within_due_date" not in verdict.rules

    def test_a_notice_covering_the_projection_settles_it(self) -> None:
        review = demo_review(upto=self.AT_RISK)
        at = review.state.last_at.add(hours=1)
        (owed,) = review.owed(at=at)
        assert owed.projected is not None
        _notify_past(review, owed, at)
        assert review.owed(at=at) == ()

    def test_the_policy_can_make_it_block(self) -> None:
        rule = attrs.evolve(DEFAULT_DEFINITION.completion, projected_blocks=True)
        strict = DEFAULT_DEFINITION.evolve(name="projected delays block", completion=rule)
        review = Review(demo_review(upto=self.AT_RISK).state, strict)
        at = review.state.last_at.add(hours=1)
        (owed,) = review.owed(at=at)
        assert owed.blocks
        before = dumps(review)
        with pytest.raises(TransitionRefused) as info:
            review.fire(T.CONFIRM_FACTS, by=ACTORS["police"], at=at)
        assert info.value.rules == ("within_due_date",)
        assert "would finish on" in str(info.value)
        assert dumps(review) == before
        assert review.available(by=ACTORS["pdeo"], at=at) == (T.NOTIFY_DELAY,)
        _notify_past(review, owed, at)
        review.fire(T.CONFIRM_FACTS, by=ACTORS["police"], at=at.add(hours=1))

    def test_a_projected_finish_on_the_due_date_is_in_time(self) -> None:
        """Finishing *on* the completion due date is on time: only a projected finish after
        it blocks (and is owed). The expected durations are set so that the projection
        lands on the due date, then a working day later."""
        state = demo_review(upto=43).state  # CRP agreed; due 2026-09-30 after a notice
        at = state.last_at.add(hours=1)
        rule = attrs.evolve(DEFAULT_DEFINITION.completion, projected_blocks=True)
        policy = DEFAULT_DEFINITION.policy
        due = rule.due(state)
        assert due is not None
        assert policy.calendar.is_working_day(due)
        elapsed = policy.calendar.working_days_between(
            state.entered_current_at().date(), at.date()
        )
        needed = policy.calendar.working_days_between(at.date(), due)
        for late in (0, 1):
            expected = dict.fromkeys(policy.expected_working_days, 0)
            expected[state.stage] = elapsed + needed + late  # every later stage takes no time
            strict = DEFAULT_DEFINITION.evolve(
                name="projected delays block",
                completion=rule,
                policy=attrs.evolve(policy, expected_working_days=expected),
            )
            unmet = strict.guard(rule.guard).function(state, ACTORS["chair"], at)
            review = Review(state, strict)
            owed = review.owed(at=at)
            (completion,) = [d for d in review.deadlines(at=at).deadlines if d.clock.id == "C3"]
            assert completion.projected == due.add(days=late)
            at_risk = completion.status is ClockStatus.AT_RISK
            assert at_risk is bool(late)
            if late:
                assert [o.projected for o in owed] == [due.add(days=1)]
                assert len(unmet) == 1
                assert "would finish on 2026-10-01" in str(unmet[0])
            else:
                assert (unmet, owed) == ([], ())

    def test_projected_blocks_is_a_bool(self) -> None:
        with pytest.raises(InvalidInput, match="projected_blocks"):
            attrs.evolve(DEFAULT_DEFINITION.completion, projected_blocks="yes")

    def test_a_blocking_policy_still_simulates(self) -> None:
        rule = attrs.evolve(DEFAULT_DEFINITION.completion, projected_blocks=True)
        strict = DEFAULT_DEFINITION.evolve(name="projected delays block", completion=rule)
        result = simulate(40, seed=3, definition=strict, workers=1)
        assert len(result.outcomes) == 40

    def test_status_shows_the_owed_notice(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "review.json"
        path.write_text(dumps(demo_review(upto=self.AT_RISK)))
        assert main(["status", str(path)]) == 0
        out = capsys.readouterr().out
        assert "Owed: a delay notice (notify_delay) is owed" in out
        assert "notify a delay -> Fact check; by PDEO; ready; OWED now" in out


def test_a_notice_not_given_again_is_caught_by_the_property() -> None:
    """The broken definition whose reopening keeps the first sending's notice, walked by
    hand (both searches find it too, the verifier only deep in its search): the engine
    lets it publish too early and the notice-period property says so."""
    broken = MUTATIONS["notice not given again"][0]()
    w = Walker(broken).to_pre_publication()
    w(T.HOLD_FEEDBACK_SESSION, "chair")
    w(T.INFORM_FAMILY, "pdeo")
    w.wait_notice_period()
    w("reopen_report", "executive", reason="New evidence")
    w.submit_draft("Recommendation one", "Recommendation two")
    w.confirm_all()
    w(T.AGREE_REPORT, "chair")
    w.plan_actions()
    w(T.CRG_APPROVE, "crg")
    w(T.EXECUTIVE_APPROVE, "executive")
    w(T.SEND_FINAL_REPORT, "pdeo")
    w(T.PUBLISH, "executive")  # the broken process allows it: the old notice counts
    violations = check_review(w.review)
    assert [v.property for v in violations] == ["notice_period"]
    # the default process refuses the same walk (test_approvals_and_notice_again)


def test_a_notice_counted_from_the_utc_date_is_caught_by_the_property() -> None:
    """A report sent at half past midnight in summer (the UTC date still the day before):
    the broken guard counts the notice from the UTC date and allows publication a working
    day early; the notice-period property, counting from the London date, says so."""
    broken = MUTATIONS["notice counted from the UTC date"][0]()
    review = Review.open("Child A", aware_at=demo_review(upto=0).state.aware_at, definition=broken)
    sent = pendulum.datetime(2026, 8, 3, 0, 30, tz="Europe/London")  # a Monday; UTC: Sunday
    for step in SCRIPT:
        if step.refused:
            continue
        at = step.at
        if step.trigger == T.SEND_FINAL_REPORT:
            at = sent
        elif step.trigger in (T.HOLD_FEEDBACK_SESSION, T.INFORM_FAMILY):
            at = sent.add(days=1)
        elif step.trigger == T.PUBLISH:
            at = pendulum.datetime(2026, 8, 11, 0, 30, tz="Europe/London")  # due: 12 August
            before = review.state
            review.fire(step.trigger, by=ACTORS[step.actor], at=at)
            break
        review.fire(step.trigger, by=ACTORS[step.actor], at=at, **step.details)
    assert [v.message for v in check_review(review)] == [
        "publish on 2026-08-11, before 2026-08-12 (pre-publication)"
    ]
    default = Review(before, DEFAULT_DEFINITION)
    refused = default.check(T.PUBLISH, by=ACTORS["executive"], at=review.history[-1].at)
    assert refused.rules == ("notice_period_observed",)  # the default counts in London


@pytest.mark.parametrize(
    ("key", "trigger"),
    [
        ("publish_improvements@pre_publication", T.PUBLISH_IMPROVEMENTS),
        ("return_to_drafting@executive_approved", T.RETURN_TO_DRAFTING),
        ("return_to_drafting@pre_publication", T.RETURN_TO_DRAFTING),
        ("put_on_hold", T.PUT_ON_HOLD),
    ],
)
def test_the_simulation_takes_each_new_path_with_a_chance(key: str, trigger: str) -> None:
    """The default scenario gives the new paths no chance (no data to set one), but a
    scenario can: the generic driver then takes them through the real engine."""
    scenario = DEFAULT_DEFINITION.scenario.with_chances({key: 0.5})
    stage = key.partition("@")[2]
    taken = 0
    for index in range(12):
        review = simulated_review(index, seed=5, scenario=scenario)
        assert review.is_final
        taken += any(
            e.trigger == trigger and (not stage or e.source == stage) for e in review.history
        )
    assert taken >= 2


class TestNotification:
    """The notification records what happened and who was told, and may be withdrawn when
    the case does not meet the criteria."""

    def test_scope_recorded(self) -> None:
        w = Walker()
        entry = w(
            T.NOTIFY_NATIONAL_PANEL,
            "la",
            incident="serious_harm",
            looked_after=False,
            regulated_setting=True,
            notified=["safeguarding partners"],
        )
        assert entry.details["incident"] == "serious_harm"
        assert entry.details["regulated_setting"] is True

    def test_a_looked_after_childs_death_names_ofsted_and_the_secretary_of_state(self) -> None:
        w = Walker()
        with pytest.raises(TransitionRefused) as info:
            w(
                T.NOTIFY_NATIONAL_PANEL,
                "la",
                incident="death",
                looked_after=True,
                notified=["Ofsted"],
            )
        assert info.value.rules == ("looked_after_death_notified",)
        assert "Secretary of State" in str(info.value)
        assert w.review.history == ()
        w(
            T.NOTIFY_NATIONAL_PANEL,
            "la",
            incident="death",
            looked_after=True,
            notified=["Ofsted", "Secretary of State"],
        )
        assert w.review.stage == Stage.NOTIFIED

    def test_an_unknown_incident_is_refused(self) -> None:
        with pytest.raises(TransitionRefused, match="death, serious_harm"):
            Walker()(T.NOTIFY_NATIONAL_PANEL, "la", incident="accident")

    def test_withdrawn_when_the_criteria_are_not_met(self) -> None:
        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        with pytest.raises(TransitionRefused):
            w(T.WITHDRAW_NOTIFICATION, "la")  # a reason is needed
        w.now = pendulum.datetime(2026, 3, 2, 9, tz="Europe/London")  # after C2's due date
        w(T.WITHDRAW_NOTIFICATION, "la", reason="The child's injuries were accidental")
        assert w.review.stage == Stage.NOTIFICATION_WITHDRAWN
        assert w.review.is_final
        report = w.review.deadlines(at=w.tick())
        assert report["C2"].status is ClockStatus.NOT_NEEDED
        assert report.owed == ()

    def test_only_the_local_authority_withdraws(self) -> None:
        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        verdict = w.check(T.WITHDRAW_NOTIFICATION, "executive", reason="r")
        assert "role" in verdict.rules


class TestMidReviewChange:
    """The review changes as it goes: no dead end when people or plans change."""

    def test_emerging_kloes_and_revised_terms_until_drafting_ends(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.SHARE_KLOES, "chair", emerging=["Housing's role"])
        assert "Housing's role" in w.review.state.kloes
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms, revised")
        assert w.review.state.terms_of_reference == "Terms, revised"
        w.submit_draft()
        assert not w.check(T.SHARE_KLOES, "chair").allowed  # drafting has ended

    def test_the_chair_replaced_and_the_history_shows_who_held_it(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        old = w.review.state.chair
        w(T.REPLACE_REVIEWER, "executive", reviewer="chair", name="New chair")
        assert w.review.state.chair == "New chair"
        refused = w.check(T.HOLD_PANEL_MEETING, "chair")  # the old chair acts no more
        assert "appointed_chair" in refused.rules
        w(T.HOLD_PANEL_MEETING, Actor("New chair", Role.CHAIR))
        by = [e.actor.name for e in w.review.history if e.trigger == T.HOLD_PANEL_MEETING]
        assert by == [old, "New chair"]
        with pytest.raises(TransitionRefused, match="same person"):
            w(
                T.REPLACE_REVIEWER,
                "executive",
                reviewer="lead_reviewer",
                name="New chair",
            )

    def test_substitutes_recorded_and_withdrawn_until_publication(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.RECORD_SUBSTITUTE, "pdeo", agency="Police", substitute="Police deputy")
        assert w.review.state.panel_member("Police").substitutes == ("Police deputy",)
        w(T.WITHDRAW_SUBSTITUTE, "pdeo", agency="Police", substitute="Police deputy")
        assert w.review.state.panel_member("Police").substitutes == ()
        with pytest.raises(TransitionRefused) as info:
            w(T.WITHDRAW_SUBSTITUTE, "pdeo", agency="Police", substitute="Police deputy")
        assert info.value.rules == ("substitute_recorded",)

    def test_learning_events_by_chair_or_lead_reviewer_in_drafting_too(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.HOLD_LEARNING_EVENT, "lead")
        w(T.HOLD_LEARNING_EVENT, "chair")
        events = [m for m in w.review.state.meetings if m.kind == "practitioner_learning_event"]
        assert len(events) == 2

    def test_information_requested_during_drafting(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.REQUEST_INFORMATION, "lead", agency="Health")
        assert w.review.state.information_requests[-1].agency == "Health"

    def test_the_action_plan_revised_in_monitoring_by_the_crg(self) -> None:
        w = walker_at(Stage.MONITORING)
        rec = w.review.state.current_draft.recommendations[0].id
        w(
            T.ADD_ACTION,
            "crg",
            recommendation=rec,
            owner="Health",
            due="2027-09-30",
            description="A further action",
        )
        added = w.review.state.actions[-1]
        w(T.WITHDRAW_ACTION, "crg", action=added.id, reason="Superseded")
        assert added.id not in {a.id for a in w.review.state.actions}
        assert (
            "role"
            in w.check(
                T.ADD_ACTION,
                "chair",
                recommendation=rec,
                owner="Health",
                due="2027-09-30",
                description="x",
            ).rules
        )


class TestAfterPublication:
    """A published report stays available for at least a year."""

    def test_removal_refused_within_the_year(self) -> None:
        w = walker_at(Stage.MONITORING)
        published = w.review.state.published_at
        assert published is not None
        before = dumps(w.review)
        with pytest.raises(TransitionRefused) as info:
            w(T.REMOVE_REPORT, "executive", reason="Old news")
        assert info.value.rules == ("report_available_a_year",)
        assert "stays available until at least" in str(info.value)
        assert dumps(w.review) == before
        w.now = published.add(years=1)
        w(T.REMOVE_REPORT, "executive", reason="A year on")
        with pytest.raises(TransitionRefused, match="already been removed"):
            w(T.REMOVE_REPORT, "executive", reason="Again")

    def test_improvements_information_is_not_a_report_to_remove(self) -> None:
        w = walker_at(Stage.IMPROVEMENTS_PUBLISHED)
        w(T.BEGIN_MONITORING, "crg")
        w.now = w.now.add(years=2)
        with pytest.raises(TransitionRefused, match="no report was published"):
            w(T.REMOVE_REPORT, "executive", reason="r")


class TestPeriodReport:
    """The partnership's yearly report data: reviews notified, decided, commissioned,
    published, on time or late with reasons, over a period."""

    def test_counts_and_completions_of_a_year(self) -> None:
        late = walker_at(Stage.PRE_PUBLICATION)
        late(T.INFORM_FAMILY, "pdeo")
        late.now = PAST_DUE
        late(
            T.NOTIFY_DELAY,
            "pdeo",
            reason="Inquest pending",
            revised_date="2026-09-30",
            recipients=["national_panel", "executive"],
        )
        late(T.PUBLISH_IMPROVEMENTS, "executive", reason="r", improvements="i")
        on_time = walker_at(Stage.PUBLISHED)
        withdrawn = Walker()
        withdrawn(T.NOTIFY_NATIONAL_PANEL, "la")
        withdrawn(T.WITHDRAW_NOTIFICATION, "la", reason="Criteria not met")
        reviews = [late.review, on_time.review, withdrawn.review]
        report = period_report(reviews, start="2026-01-01", end="2026-12-31")
        entered = dict(report.entered)
        assert entered["Notified"] == 3
        assert entered["Commissioned"] == 2
        assert entered["Notification withdrawn"] == 1
        assert entered["Published"] == 1
        assert entered["Improvements published"] == 1
        assert (report.reviews, report.on_time, report.late) == (3, 1, 1)
        (slow,) = [c for c in report.completions if not c.on_time]
        assert slow.stage == "Improvements published"
        assert slow.within_notified_delay
        assert slow.reasons == ("Inquest pending",)
        text = report.to_markdown()
        assert "late, within a notified delay" in text
        assert "| Improvements published | 1 |" in text

    def test_the_period_bounds_what_counts(self) -> None:
        review = walker_at(Stage.PUBLISHED).review
        report = period_report([review], start="2027-01-01", end="2027-12-31")
        assert report.entered == ()
        assert report.completions == ()
        with pytest.raises(InvalidInput, match="ends before it starts"):
            period_report([review], start="2027-01-01", end="2026-01-01")
        with pytest.raises(InvalidInput):
            period_report([None], start="2026-01-01", end="2026-12-31")  # type: ignore[list-item]


def test_working_together_2023_titles_appear_everywhere(tmp_path: Path) -> None:
    wt = DEFAULT_DEFINITION.evolve(
        name="LCSPR (WT 2023)", role_titles=WORKING_TOGETHER_2023_TITLES
    )
    w = Walker(wt).to_crg_approved()
    with pytest.raises(TransitionRefused) as info:
        w(T.EXECUTIVE_APPROVE, "crg")
    assert "Lead and delegated safeguarding partners" in str(info.value)
    w(T.EXECUTIVE_APPROVE, "executive")
    texts = [
        str(info.value),
        diagram(w.review).mermaid(),
        diagram(wt).dot(),
        audit_report(w.review).markdown(),
        wt.process_table(),
    ]
    for text in texts:
        assert "SSCP Executive" not in text
    assert all("Lead and delegated safeguarding partners" in t for t in texts[1:])


class TestPartnersOversight:
    """The partners monitor time and quality at intervals and may ask the reviewer in
    writing for information or a draft (reg 14); overseeing a late review is never
    blocked by its lateness."""

    def test_progress_reviewed_and_a_draft_requested_even_past_due(self) -> None:
        w = _past_due(Stage.DRAFTING)
        w(T.REVIEW_PROGRESS, "executive", time="Three weeks late", quality="Good")
        w(T.REQUEST_FROM_REVIEWER, "executive", request="draft", details="The latest draft")
        assert [e.trigger for e in w.review.history[-2:]] == [
            T.REVIEW_PROGRESS,
            T.REQUEST_FROM_REVIEWER,
        ]
        with pytest.raises(TransitionRefused):
            w.submit_draft()  # progress still waits for a delay notice

    def test_only_the_partners_oversee(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        assert "role" in w.check(T.REVIEW_PROGRESS, "pdeo", time="t", quality="q").rules
        with pytest.raises(TransitionRefused, match="information, draft"):
            w(T.REQUEST_FROM_REVIEWER, "executive", request="minutes")


class TestNationalPanel:
    """The National Panel answers the Rapid Review; a decision against a local review can
    be revisited until the local process ends, and has its own clock (C5)."""

    def submitted(self) -> Walker:
        w = Walker()
        w(T.NOTIFY_NATIONAL_PANEL, "la")
        w(T.SUBMIT_RAPID_REVIEW, "executive", kloes=["KLOE 1"], agencies=["Police", "Health"])
        return w

    def test_only_the_panel_answers(self) -> None:
        w = self.submitted()
        assert "role" in w.check(T.RESPOND_TO_RAPID_REVIEW, "executive", response="agrees").rules
        with pytest.raises(TransitionRefused, match="local_review_more_appropriate"):
            w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="maybe")
        entry = w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="agrees", note="Agreed")
        assert (entry.source, entry.dest) == (Stage.RAPID_REVIEW_SUBMITTED,) * 2

    def test_a_decision_not_to_commission_ends_only_after_the_panel_answered(self) -> None:
        w = self.submitted()
        w(T.DECLINE_REVIEW, "executive", reason="Learning taken through a thematic audit")
        assert w.review.stage == Stage.NOT_COMMISSIONED
        assert not w.review.is_final
        before = dumps(w.review)
        with pytest.raises(TransitionRefused) as info:
            w(T.END_LOCAL_PROCESS, "executive", reason="Decision stands")
        assert info.value.rules == ("panel_responded",)
        assert "National Panel" in str(info.value)
        assert dumps(w.review) == before
        w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="asks_for_information")
        with pytest.raises(TransitionRefused, match="asked for more information"):
            w(T.END_LOCAL_PROCESS, "executive", reason="Decision stands")
        w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="agrees")
        w(T.END_LOCAL_PROCESS, "executive", reason="Decision stands")
        assert w.review.stage == Stage.LOCAL_PROCESS_ENDED
        assert w.review.is_final
        assert check_review(w.review) == ()

    def test_the_panel_disagrees_and_the_partners_commission_after_all(self) -> None:
        w = self.submitted()
        declined = w(T.DECLINE_REVIEW, "executive", reason="Single-agency learning")
        w.now = pendulum.datetime(2026, 2, 16, 9, tz="Europe/London")
        w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="disagrees")
        commissioned = w(T.COMMISSION_REVIEW, "executive", reason="The Panel disagreed")
        assert w.review.stage == Stage.COMMISSIONED
        assert w.review.state.decided_at == commissioned.at
        # the completion clock runs from the revisited decision, not the first one
        assert w.review.completion_due == pendulum.date(2026, 8, 16)
        report = w.review.deadlines(at=w.tick())
        assert report["C5"].status is ClockStatus.MET
        assert report["C5"].stopped_at == declined.at
        assert check_review(w.review) == ()

    def test_a_national_review_gives_way_only_on_the_panels_conclusion(self) -> None:
        w = self.submitted()
        w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="local_review_more_appropriate")
        w(T.RECORD_NATIONAL_REVIEW, "executive", reason="The Panel takes a national review")
        before = dumps(w.review)
        with pytest.raises(TransitionRefused) as info:
            w(T.COMMISSION_REVIEW, "executive", reason="Local after all")
        assert info.value.rules == ("local_review_preferred",)  # the earlier answer is spent
        assert dumps(w.review) == before
        w(T.RESPOND_TO_RAPID_REVIEW, "panel", response="local_review_more_appropriate")
        w(T.COMMISSION_REVIEW, "executive", reason="The Panel concluded reg 11(d)")
        assert w.review.stage == Stage.COMMISSIONED
        assert check_review(w.review) == ()

    def test_a_late_decision_is_explained(self) -> None:
        w = self.submitted()
        w.now = pendulum.datetime(2026, 2, 10, 9, tz="Europe/London")  # C5 due 2026-01-27
        with pytest.raises(TransitionRefused) as info:
            w(T.COMMISSION_REVIEW, "executive", reason="Criteria met")
        assert info.value.rules == ("late_reason",)
        assert "C5" in str(info.value)
        entry = w(
            T.COMMISSION_REVIEW, "executive", reason="Criteria met", late_reason="Panel asked"
        )
        assert entry.details["late_reason"] == "Panel asked"
        assert w.review.deadlines(at=w.tick())["C5"].status is ClockStatus.MET_LATE

    def test_the_simulation_takes_the_revisit_and_the_early_end(self) -> None:
        scenario = DEFAULT_DEFINITION.scenario.with_chances(
            {"decline_review": 0.6, "commission_review@not_commissioned": 0.5}
        )
        finals, revisited = set(), 0
        for index in range(16):
            review = simulated_review(index, seed=3, scenario=scenario)
            assert check_review(review) == ()
            finals.add(review.stage)
            revisited += any(
                e.trigger == T.COMMISSION_REVIEW and e.source == Stage.NOT_COMMISSIONED
                for e in review.history
            )
        assert Stage.LOCAL_PROCESS_ENDED in finals
        assert Stage.CLOSED in finals
        assert revisited >= 2

    def test_a_review_stored_before_the_decision_clock_gains_it(self, tmp_path: Path) -> None:
        """Documents of today's format written before C5 existed (tests/data, written by
        the previous release) load, and the clock's record is added from the history."""
        text = (DATA / "child-b-schema-4.json").read_text()
        assert '"C5"' not in text
        review = loads(text)
        record = review.state.clock("C5")
        assert record is not None
        assert record.started_at == review.state.entered_at(Stage.NOTIFIED)
        assert record.due == pendulum.date(2026, 3, 24)  # 15 working days from 3 March
        assert [c.id for c in review.state.clocks] == ["C1", "C2", "C5"]
        assert loads(dumps(review)).state == review.state  # sealed again as it now is
        store = ReviewStore(f"sqlite:///{tmp_path / 'reviews.db'}")
        store.add(review)
        at = pendulum.datetime(2026, 3, 23, 10, tz="Europe/London")
        store.fire("Child B", T.COMMISSION_REVIEW, by=WHO["executive"], at=at, reason="Met")
        assert store.get("Child B").deadlines(at=at)["C5"].status is ClockStatus.MET
        demo = loads((DATA / "child-a-schema-4.json").read_text())
        assert [c.id for c in demo.state.clocks] == ["C1", "C2", "C5", "C3", "C4"]
        assert check_review(demo) == ()


def test_a_simulated_deferral_is_lifted_not_turned_into_non_publication() -> None:
    """From a side path the driver's usual way out is back where the review left the main
    line (a deferral is lifted); publishing the improvements instead is a branch."""
    scenario = DEFAULT_DEFINITION.scenario.with_chances({"defer_publication": 1.0})
    for index in range(4):
        review = simulated_review(index, seed=3, scenario=scenario)
        triggers = [e.trigger for e in review.history]
        assert T.DEFER_PUBLICATION in triggers
        assert T.LIFT_DEFERRAL in triggers
        assert T.PUBLISH in triggers
        assert T.PUBLISH_IMPROVEMENTS not in triggers


class TestFactCheckComments:
    """A factual correction is made in the same draft round; an issue goes to the panel;
    only comments that need a new draft send it back."""

    def test_a_correction_is_made_in_the_same_round(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w(T.CONFIRM_FACTS, "police")
        w(T.RAISE_CORRECTION, "police", correction="The referral was on 3 March")
        assert w.review.stage == Stage.FACT_CHECK
        assert [f.agency for f in w.review.state.fact_checks] == []  # confirm the corrected
        w(T.CONFIRM_FACTS, "health")
        before = dumps(w.review)
        with pytest.raises(TransitionRefused) as info:
            w(T.AGREE_REPORT, "chair")
        assert info.value.rules == ("facts_confirmed", "corrections_made")
        assert "Police" in str(info.value)
        assert dumps(w.review) == before
        with pytest.raises(TransitionRefused) as info:
            w(T.CONFIRM_FACTS, "police")  # not before the correction is made
        assert info.value.rules == ("corrections_made",)
        assert "Lead Reviewer makes it first" in str(info.value)
        with pytest.raises(TransitionRefused) as info:
            w(T.CORRECT_DRAFT, "lead", agency="Health")  # Health asked for none
        assert info.value.rules == ("correction_raised",)
        version = w.review.state.current_draft.version
        w(T.CORRECT_DRAFT, "lead", agency="Police", correction="Date corrected")
        w(T.CONFIRM_FACTS, "police")
        w(T.AGREE_REPORT, "chair")
        assert w.review.state.current_draft.version == version  # no new draft
        assert check_review(w.review) == ()

    def test_nothing_to_correct_and_only_ones_own_agency(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        verdict = w.check(T.CORRECT_DRAFT, "lead", agency="Police")
        assert verdict.rules == ("correction_waiting", "correction_raised")
        verdict = w.check(T.RAISE_CORRECTION, "police", correction="c", agency="Health")
        assert "own_agency" in verdict.rules

    def test_an_issue_for_the_panel_does_not_send_the_draft_back(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        entry = w(T.RAISE_ISSUE, "health", issue="The finding on information sharing")
        assert (entry.source, entry.dest) == (Stage.FACT_CHECK, Stage.FACT_CHECK)
        w.confirm_all()
        w(T.AGREE_REPORT, "chair")
        assert w.review.stage == Stage.CRP_AGREED

    def test_a_new_draft_starts_a_new_round(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w(T.RAISE_CORRECTION, "police", correction="Wrong date")
        w(T.RETURN_COMMENTS, "health", comments="The analysis needs a new draft")
        w.submit_draft()
        w.confirm_all()
        w(T.AGREE_REPORT, "chair")  # the old round's correction went with the old draft
        assert check_review(w.review) == ()


class TestInformationInAdvance:
    """The collated information reaches the panel members a configurable number of working
    days before the meeting (2 by default), not one minute before."""

    def shared(self, definition=None) -> Walker:
        w = Walker(definition).to_panel_review()
        w(T.REQUEST_INFORMATION, "pdeo", agency="Police")
        w(T.RETURN_INFORMATION, "police")
        w.now = pendulum.datetime(2026, 4, 2, 10, tz="Europe/London")  # Thursday before Easter
        w(T.SHARE_INFORMATION, "pdeo")
        return w

    def test_two_working_days_by_default(self) -> None:
        w = self.shared()
        before = dumps(w.review)
        w.now = pendulum.datetime(2026, 4, 3, 9, tz="Europe/London")  # Good Friday
        with pytest.raises(TransitionRefused) as info:
            w(T.HOLD_PANEL_MEETING, "chair")
        assert info.value.rules == ("information_shared",)
        # Good Friday and Easter Monday are not working days: Wednesday 8 April is the second
        assert "on or after 2026-04-08" in str(info.value)
        assert dumps(w.review) == before
        w.now = pendulum.datetime(2026, 4, 7, 17, tz="Europe/London")
        with pytest.raises(TransitionRefused):
            w(T.HOLD_PANEL_MEETING, "chair")
        w.now = pendulum.datetime(2026, 4, 8, 9, tz="Europe/London")
        w(T.HOLD_PANEL_MEETING, "chair")
        assert check_review(w.review) == ()

    def test_a_partnership_sets_its_own_lead_time(self) -> None:
        five = DEFAULT_DEFINITION.extend(
            name="five days ahead", guards=[information_shared_in_advance(5)]
        )
        assert "5 working days" in five.all_guards["information_shared"].title
        w = self.shared(five)
        w.now = pendulum.datetime(2026, 4, 10, 9, tz="Europe/London")
        with pytest.raises(TransitionRefused, match="2026-04-13"):
            w(T.HOLD_PANEL_MEETING, "chair")
        same_day = DEFAULT_DEFINITION.extend(guards=[information_shared_in_advance(0)])
        w = self.shared(same_day)
        w(T.HOLD_PANEL_MEETING, "chair")

    def test_a_partnership_lead_time_still_needs_the_information_shared(self) -> None:
        five = DEFAULT_DEFINITION.extend(
            name="five days ahead", guards=[information_shared_in_advance(5)]
        )
        guard = five.all_guards["information_shared"]
        assert guard.ready_on is not None
        w = Walker(five).to_panel_review()
        w(T.REQUEST_INFORMATION, "pdeo", agency="Police")
        w(T.RETURN_INFORMATION, "police")
        assert guard.ready_on(w.review.state) is None
        with pytest.raises(TransitionRefused) as info:
            w(T.HOLD_PANEL_MEETING, "chair")
        assert info.value.rules == ("information_shared",)
        assert "information returned by Police has not been shared" in str(info.value)
        w.now = pendulum.datetime(2026, 4, 2, 10, tz="Europe/London")  # Thursday before Easter
        w(T.SHARE_INFORMATION, "pdeo")
        # five working days on, past Good Friday and Easter Monday
        assert guard.ready_on(w.review.state) == pendulum.date(2026, 4, 13)

    def test_the_lead_time_is_checked(self) -> None:
        with pytest.raises(InvalidInput, match="working_days"):
            information_shared_in_advance(-1)
        with pytest.raises(InvalidInput, match="float"):
            information_shared_in_advance(2.5)  # type: ignore[arg-type]


class TestPractitionersAndFamily:
    """Practitioners recorded by role and agency (never by name), family meetings supported
    by panel members, and the practitioner events as the partnership's own choices."""

    def test_practitioners_by_role_for_ones_own_agency(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        entry = w(
            T.RECORD_PRACTITIONER,
            "police",
            practitioner_role="Response officer",
            status="identified",
        )
        w(T.RECORD_PRACTITIONER, "police", practitioner_role="Response officer", status="invited")
        assert entry.details["practitioner_role"] == "Response officer"
        assert (
            "own_agency"
            in w.check(
                T.RECORD_PRACTITIONER,
                "police",
                practitioner_role="GP",
                status="invited",
                agency="Health",
            ).rules
        )
        with pytest.raises(TransitionRefused, match="did_not_attend"):
            w(T.RECORD_PRACTITIONER, "health", practitioner_role="GP", status="maybe")
        spec = DEFAULT_DEFINITION.trigger(T.RECORD_PRACTITIONER)
        assert not any(d.personal for d in spec.details)  # no name is ever asked for

    def test_a_family_meeting_after_the_invitation_with_seated_supporters(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        assert "family_invited" in w.check(T.HOLD_FAMILY_MEETING, "lead").rules
        w(T.INVITE_FAMILY, "lead")
        w(T.RECORD_FAMILY_RESPONSE, "lead", response="contributed")
        with pytest.raises(TransitionRefused) as info:
            w(T.HOLD_FAMILY_MEETING, "lead", supported_by=["Probation"])
        assert info.value.rules == ("supporter_seated",)
        entry = w(T.HOLD_FAMILY_MEETING, "chair", supported_by=["Health"])
        assert entry.details["supported_by"] == ("Health",)

    def test_the_practitioner_events_are_local_choices(self) -> None:
        default = with_local_choices()
        assert default.transitions == DEFAULT_DEFINITION.transitions
        strict = with_local_choices(learning_event=True)
        w = walker_at(Stage.PANEL_REVIEW)
        w.review = Review(w.review.state, strict)
        with pytest.raises(TransitionRefused) as info:
            w(T.BEGIN_DRAFTING, "lead")
        assert info.value.rules == ("learning_event_held",)
        w(T.HOLD_LEARNING_EVENT, "chair")
        w(T.BEGIN_DRAFTING, "lead")
        relaxed = with_local_choices(feedback_session=False)
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.INFORM_FAMILY, "pdeo")
        w.now = pendulum.datetime(2026, 1, 26, 9, tz="Europe/London")  # past the notice
        assert "feedback_session_held" in w.check(T.PUBLISH, "executive").rules
        w.review = Review(w.review.state, relaxed)
        w(T.PUBLISH, "executive")
        assert w.review.stage == Stage.PUBLISHED


def test_the_simulation_takes_the_new_routine_steps() -> None:
    """A scenario can have agencies ask for corrections, raise issues and record
    practitioners: the driver then has the Lead Reviewer make each correction before the
    panel agrees the draft."""
    base = DEFAULT_DEFINITION.scenario
    scenario = base.evolve(
        repeats={
            **base.repeats,
            "raise_correction@fact_check": {"count": {"low": 1, "mode": 1, "high": 2}},
            "raise_issue@fact_check": {"count": {"low": 1, "mode": 1, "high": 1}},
            "record_practitioner@panel_review": {"count": {"low": 1, "mode": 2, "high": 3}},
        }
    )
    for index in range(4):
        review = simulated_review(index, seed=2, scenario=scenario)
        assert review.stage == Stage.CLOSED
        assert check_review(review) == ()
        triggers = [e.trigger for e in review.history]
        assert triggers.count(T.CORRECT_DRAFT) >= 1
        assert T.RAISE_ISSUE in triggers
        assert triggers.count(T.RECORD_PRACTITIONER) >= 1


class TestInformationFromAnyAgency:
    """Information is requested from any agency, with or without a seat on the panel, by a
    due date; the PDEO records an unseated agency's answer."""

    def test_an_agency_without_a_seat_with_a_due_date(self) -> None:
        w = walker_at(Stage.DRAFTING)
        w(T.REQUEST_INFORMATION, "lead", agency="Probation", due="2026-01-09")
        assert w.review.state.information_requests[-1].agency == "Probation"
        w.now = pendulum.datetime(2026, 1, 12, 9, tz="Europe/London")
        with pytest.raises(TransitionRefused) as info:
            w.submit_draft()
        assert "past its due date: Probation" in str(info.value)
        with pytest.raises(TransitionRefused) as info:
            w(T.RETURN_INFORMATION, "pdeo")  # the PDEO names the agency it records for
        assert info.value.rules == ("agency_named",)
        with pytest.raises(TransitionRefused) as info:
            w(T.RETURN_INFORMATION, "pdeo", agency="Police")  # Police answers for itself
        assert info.value.rules == ("answered_by_its_member",)
        w(T.RETURN_INFORMATION, "pdeo", agency="Probation")
        assert w.review.state.information_requests[-1].returned_at is not None
        assert check_review(w.review) == ()

    def test_an_unseated_agency_explains_through_the_pdeo(self) -> None:
        w = walker_at(Stage.PANEL_REVIEW)
        w(T.REQUEST_INFORMATION, "pdeo", agency="Education")
        w(T.EXPLAIN_MISSING_INFORMATION, "pdeo", agency="Education", reason="No records")
        assert w.review.state.information_requests[-1].answered
