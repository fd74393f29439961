"""Every guard, failing and passing, enforced through the engine.

Each test drives a real review to the step the guard protects and asserts that
the step is refused with the guard's readable name, then that it passes once
the rule is met. Removing the guard from the process table fails the test.
"""

from __future__ import annotations

import attrs
import pendulum
import pytest

from cspr_workflow import DEFAULT_DEFINITION, Stage, TransitionRefused, Trigger
from cspr_workflow.default import with_local_choices
from cspr_workflow.errors import InvalidDefinition
from cspr_workflow.extension import TransitionSpec
from cspr_workflow.guards import DEFAULT_GUARDS
from cspr_workflow.records import Approval, ReviewState
from cspr_workflow.states import ApprovalBody

from .builders import WHO, Walker, walker_at

T = Trigger


def refused_by(walker: Walker, trigger: str, who: str, guard_id: str, **details: object) -> None:
    before = walker.review.state
    with pytest.raises(TransitionRefused) as caught:
        walker(trigger, who, **details)
    assert guard_id in caught.value.rules, caught.value
    reason = next(r for r in caught.value.reasons if r.rule_id == guard_id)
    assert reason.title == DEFAULT_DEFINITION.guard(guard_id).title
    assert walker.review.state is before


def test_every_guard_is_used_by_the_table() -> None:
    """Every guard is named by a row, but a local choice the default leaves off, which
    the choice puts on."""
    used = {g for row in DEFAULT_DEFINITION.transitions for g in row.guards}
    assert set(DEFAULT_DEFINITION.all_guards) - used == {"learning_event_held"}
    chosen = with_local_choices(learning_event=True)
    assert {g for row in chosen.transitions for g in row.guards} == set(chosen.all_guards)
    assert set(DEFAULT_GUARDS) < set(chosen.all_guards)


def test_every_remedy_names_who_takes_which_step() -> None:
    reason = DEFAULT_DEFINITION.bound_guard("kloes_shared").reasons(
        Walker().review.state, WHO["chair"], Walker().now
    )[0]
    assert reason.remedy == "Chair: share the key lines of enquiry (share_kloes)."
    timing = DEFAULT_DEFINITION.bound_guard("within_due_date").remedy
    assert timing == (
        "PDEO: notify a delay (notify_delay) to National Panel and SSCP Executive, with a "
        "reason and a revised date."
    )


class TestFirstPanelMeeting:
    """KLOEs, methodology, terms of reference, breadth, independence, information."""

    def test_kloes_must_be_shared(self) -> None:
        w = Walker().to_scoping()
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w.seat_panel()
        w(T.AGREE_METHODOLOGY, "chair", methodology="Systems")
        w(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "kloes_shared")
        w(T.SHARE_KLOES, "chair", emerging=["Emerging KLOE"])
        w(T.HOLD_PANEL_MEETING, "chair")
        assert w.review.stage == Stage.PANEL_REVIEW
        assert w.review.state.kloes == ("KLOE 1", "Emerging KLOE")

    def test_methodology_needs_both_chair_and_lead_reviewer(self) -> None:
        w = Walker().to_scoping()
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w(T.SHARE_KLOES, "chair")
        w.seat_panel()
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "methodology_agreed")
        w(T.AGREE_METHODOLOGY, "chair", methodology="Systems")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "methodology_agreed")
        w(T.AGREE_METHODOLOGY, "lead", methodology="SILP")
        with pytest.raises(TransitionRefused, match="different methodologies"):
            w(T.HOLD_PANEL_MEETING, "chair")
        w(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        w(T.HOLD_PANEL_MEETING, "chair")

    def test_lead_reviewer_alone_is_not_enough(self) -> None:
        w = Walker().to_scoping()
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w(T.SHARE_KLOES, "chair")
        w.seat_panel()
        w(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        with pytest.raises(TransitionRefused, match="not been agreed by the Chair"):
            w(T.HOLD_PANEL_MEETING, "chair")

    def test_terms_of_reference_must_be_set(self) -> None:
        w = Walker().to_scoping()
        w(T.SHARE_KLOES, "chair")
        w.seat_panel()
        w(T.AGREE_METHODOLOGY, "chair", methodology="Systems")
        w(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "terms_of_reference_set")
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w(T.HOLD_PANEL_MEETING, "chair")

    def test_panel_covers_every_relevant_agency(self) -> None:
        w = Walker().to_scoping()
        w(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        w(T.SHARE_KLOES, "chair")
        w(T.AGREE_METHODOLOGY, "chair", methodology="Systems")
        w(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        w(T.APPOINT_PANEL_MEMBER, "pdeo", agency="Police", member="Police DCI", independent=True)
        with pytest.raises(TransitionRefused, match="no panel member for: Health"):
            w(T.HOLD_PANEL_MEETING, "chair")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "panel_breadth")
        w(
            T.APPOINT_PANEL_MEMBER,
            "chair",
            agency="Health",
            member="Designated nurse",
            independent=True,
        )
        w(T.HOLD_PANEL_MEETING, "chair")

    def test_involved_member_needs_a_recorded_justification(self) -> None:
        w = Walker().ready_for_first_meeting()
        w(
            T.APPOINT_PANEL_MEMBER,
            "pdeo",
            agency="Health",
            member="Designated nurse",
            independent=False,
        )
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "panel_independent")
        w(
            T.APPOINT_PANEL_MEMBER,
            "pdeo",
            agency="Health",
            member="Designated nurse",
            independent=False,
            justification="Only designated nurse in the area",
        )
        w(T.HOLD_PANEL_MEETING, "chair")

    def test_returned_information_is_shared_before_a_meeting(self) -> None:
        w = Walker().to_panel_review()
        w(T.REQUEST_INFORMATION, "pdeo", agency="Police")
        w(T.RETURN_INFORMATION, "police")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "information_shared")
        w(T.SHARE_INFORMATION, "pdeo")
        refused_by(w, T.HOLD_PANEL_MEETING, "chair", "information_shared")  # too soon
        w.tick(days=4)  # two working days and more, whatever the weekday
        w(T.HOLD_PANEL_MEETING, "chair")
        assert len(w.review.state.meetings) == 2


class TestFinishingTheDraft:
    def test_agency_information_returned_or_absence_explained(self) -> None:
        w = Walker().to_panel_review()
        w(T.REQUEST_INFORMATION, "lead", agency="Police")
        w(T.REQUEST_INFORMATION, "lead", agency="Health")
        w(T.INVITE_FAMILY, "lead")
        w(T.RECORD_FAMILY_RESPONSE, "lead", response="contributed")
        w(T.BEGIN_DRAFTING, "lead")
        with pytest.raises(TransitionRefused, match="outstanding") as caught:
            w.submit_draft()
        assert "information_answered" in caught.value.rules
        w(T.RETURN_INFORMATION, "police", number=1)
        refused_by(
            w,
            T.SUBMIT_DRAFT,
            "lead",
            "information_answered",
            findings=["F"],
            recommendations=["R"],
        )
        w(T.EXPLAIN_MISSING_INFORMATION, "health", reason="Records not held")
        w.submit_draft()
        assert w.review.stage == Stage.FACT_CHECK

    def test_family_invited_and_answer_recorded(self) -> None:
        w = Walker().to_panel_review()
        w(T.BEGIN_DRAFTING, "lead")
        refused_by(
            w, T.SUBMIT_DRAFT, "lead", "family_invited", findings=["F"], recommendations=["R"]
        )
        w(T.INVITE_FAMILY, "chair")
        with pytest.raises(TransitionRefused, match="answer to the invitation"):
            w.submit_draft()
        w(T.RECORD_FAMILY_RESPONSE, "chair", response="declined")
        w.submit_draft()


class TestFactCheck:
    def test_every_panel_agency_confirms_before_crp_agreement(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w(T.CONFIRM_FACTS, "police")
        with pytest.raises(TransitionRefused, match="confirmed as factually accurate by: Health"):
            w(T.AGREE_REPORT, "chair")
        refused_by(w, T.AGREE_REPORT, "chair", "facts_confirmed")
        w(T.CONFIRM_FACTS, "health")
        w(T.AGREE_REPORT, "chair")
        assert w.review.stage == Stage.CRP_AGREED

    def test_a_new_draft_voids_earlier_confirmations(self) -> None:
        w = walker_at(Stage.FACT_CHECK)
        w(T.CONFIRM_FACTS, "police")
        w(T.RETURN_COMMENTS, "health", comments="Chronology incomplete")
        assert w.review.stage == Stage.DRAFTING
        w.submit_draft()
        w(T.CONFIRM_FACTS, "health")
        with pytest.raises(TransitionRefused, match=r"draft 2 .* by: Police"):
            w(T.AGREE_REPORT, "chair")
        w(T.CONFIRM_FACTS, "police")
        w(T.AGREE_REPORT, "chair")
        assert w.review.state.approvals[-1].version == 2


class TestActionPlan:
    def test_every_recommendation_needs_an_action(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        w(
            T.ADD_ACTION,
            "chair",
            recommendation="R1",
            owner="Police",
            due="2027-01-31",
            description="Answer R1",
        )
        with pytest.raises(TransitionRefused, match="recommendations with no action: R2"):
            w(T.CRG_APPROVE, "crg")
        refused_by(w, T.CRG_APPROVE, "crg", "action_plan_complete")
        w(
            T.ADD_ACTION,
            "police",
            recommendation="R2",
            owner="Police",
            due="2027-01-31",
            description="Answer R2",
        )
        w(T.CRG_APPROVE, "crg")
        assert w.review.stage == Stage.CRG_APPROVED

    def test_every_action_answers_a_current_recommendation(self) -> None:
        w = walker_at(Stage.CRG_APPROVED)
        w(T.RETURN_TO_DRAFTING, "executive", reason="R2 is not achievable")
        w.submit_draft("Recommendation one")
        w.confirm_all()
        w(T.AGREE_REPORT, "chair")
        with pytest.raises(TransitionRefused, match=r"answering no recommendation .*A2"):
            w(T.CRG_APPROVE, "crg")
        refused_by(w, T.CRG_APPROVE, "crg", "action_plan_complete")
        w(T.WITHDRAW_ACTION, "chair", action="A2", reason="R2 dropped")
        w(T.CRG_APPROVE, "crg")

    def test_executive_sign_off_also_checks_the_plan(self) -> None:
        # A partnership table that lets the plan change after CRG approval still
        # cannot get an Executive sign-off of a plan with gaps.
        loose = DEFAULT_DEFINITION.extend(
            transitions=[
                TransitionSpec(
                    T.WITHDRAW_ACTION,
                    Stage.CRG_APPROVED,
                    None,
                    {WHO["chair"].role},
                    ("within_due_date",),
                )
            ]
        )
        w = Walker(loose).to_crg_approved()
        w(T.WITHDRAW_ACTION, "chair", action="A1", reason="Testing")
        refused_by(w, T.EXECUTIVE_APPROVE, "executive", "action_plan_complete")


class TestApprovalChain:
    """Approvals CRP -> CRG -> Executive, of one draft version, in order."""

    def test_return_clears_approvals_of_the_draft(self) -> None:
        w = walker_at(Stage.CRG_APPROVED)
        assert [a.body for a in w.review.state.approvals] == [ApprovalBody.CRP, ApprovalBody.CRG]
        w(T.RETURN_TO_DRAFTING, "executive", reason="Needs plainer English")
        assert w.review.stage == Stage.DRAFTING
        assert w.review.state.approvals == ()

    def test_crg_return_goes_back_to_drafting(self) -> None:
        w = walker_at(Stage.CRP_AGREED)
        w(T.RETURN_TO_DRAFTING, "crg", reason="Analysis thin")
        assert w.review.stage == Stage.DRAFTING
        assert w.review.state.approvals == ()

    def test_crg_cannot_approve_without_crp_agreement(self) -> None:
        skip_crp = DEFAULT_DEFINITION.extend(
            transitions=[
                TransitionSpec(
                    T.CRG_APPROVE,
                    Stage.FACT_CHECK,
                    Stage.CRG_APPROVED,
                    {WHO["crg"].role},
                    ("within_due_date", "crp_agreed"),
                )
            ]
        )
        w = Walker(skip_crp).to_fact_check()
        w.confirm_all()
        refused_by(w, T.CRG_APPROVE, "crg", "crp_agreed")

    def test_executive_cannot_approve_without_crg(self) -> None:
        skip_crg = DEFAULT_DEFINITION.extend(
            transitions=[
                TransitionSpec(
                    T.EXECUTIVE_APPROVE,
                    Stage.CRP_AGREED,
                    Stage.EXECUTIVE_APPROVED,
                    {WHO["executive"].role},
                    ("within_due_date", "crg_approved"),
                )
            ]
        )
        w = Walker(skip_crg).to_crp_agreed()
        w.plan_actions()
        refused_by(w, T.EXECUTIVE_APPROVE, "executive", "crg_approved")

    def test_a_table_where_an_approval_skips_a_body_is_refused(self) -> None:
        fast_track = TransitionSpec(
            T.EXECUTIVE_APPROVE,
            Stage.CRP_AGREED,
            Stage.EXECUTIVE_APPROVED,
            {WHO["executive"].role},
            ("within_due_date",),
        )
        with pytest.raises(InvalidDefinition, match="needs the chain's guard 'crg_approved'"):
            DEFAULT_DEFINITION.extend(transitions=[fast_track])

    def test_a_table_that_publishes_without_every_approval_is_refused(self) -> None:
        unguarded = [
            attrs.evolve(r, guards=("within_due_date",)) if r.trigger == T.PUBLISH else r
            for r in DEFAULT_DEFINITION.transitions
        ]
        with pytest.raises(InvalidDefinition, match="needs the chain's guard 'fully_approved'"):
            DEFAULT_DEFINITION.evolve(transitions=unguarded)

    def test_the_chain_guard_names_the_approvals_a_draft_has(self) -> None:
        state = walker_at(Stage.CRP_AGREED).review.state
        draft = state.current_draft
        assert draft is not None
        skipped = state.evolve(
            approvals=(
                *state.approvals,
                Approval(ApprovalBody.EXECUTIVE, draft.version, state.last_at),
            )
        )
        [reason] = DEFAULT_DEFINITION.bound_guard("fully_approved").reasons(
            skipped, WHO["executive"], state.last_at
        )
        assert reason.message == (
            f"draft {draft.version} needs approval by Case Review Panel then Case Review Group "
            "then SSCP Executive, in that order; it has: Case Review Panel, SSCP Executive."
        )


class TestPublicationAndClosure:
    def test_feedback_session_and_family_told_before_publication(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        with pytest.raises(TransitionRefused) as caught:
            w(T.PUBLISH, "executive")
        assert set(caught.value.rules) == {
            "feedback_session_held",
            "family_told",
            "notice_period_observed",
        }
        w(T.HOLD_FEEDBACK_SESSION, "lead")
        w.wait_notice_period()
        refused_by(w, T.PUBLISH, "executive", "family_told")
        w(T.INFORM_FAMILY, "chair")
        w(T.PUBLISH, "executive")
        assert w.review.stage == Stage.PUBLISHED

    def test_family_told_alone_is_not_enough(self) -> None:
        w = walker_at(Stage.PRE_PUBLICATION)
        w(T.INFORM_FAMILY, "pdeo")
        refused_by(w, T.PUBLISH, "executive", "feedback_session_held")

    def test_review_closes_only_when_every_action_is_resolved(self) -> None:
        w = walker_at(Stage.MONITORING)
        w(T.UPDATE_ACTION, "police", action="A1", status="complete")
        refused_by(w, T.CLOSE_REVIEW, "crg", "actions_resolved")
        with pytest.raises(TransitionRefused, match="closing an action needs a reason"):
            w(T.UPDATE_ACTION, "crg", action="A2", status="closed")
        w(T.UPDATE_ACTION, "crg", action="A2", status="closed", reason="Superseded")
        w(T.CLOSE_REVIEW, "crg")
        assert w.review.stage == Stage.CLOSED
        assert w.review.is_final


class TestGuardsArePure:
    def test_guards_return_reasons_and_do_not_mutate(self) -> None:
        state = walker_at(Stage.CRP_AGREED).review.state
        snapshot = attrs.asdict(state, recurse=False)
        now = pendulum.datetime(2026, 3, 1, tz="Europe/London")
        for guard in DEFAULT_DEFINITION.all_guards.values():
            first = guard(state, WHO["chair"], now)
            assert guard(state, WHO["chair"], now) == first
            assert all((r.rule_id, r.title) == (guard.id, guard.title) for r in first)
        assert attrs.asdict(state, recurse=False) == snapshot

    def test_empty_review_fails_the_draft_guards_with_reasons(self) -> None:
        empty = ReviewState("Child A", pendulum.datetime(2026, 1, 5, tz="Europe/London"), "aware")
        now = pendulum.datetime(2026, 1, 6, tz="Europe/London")
        for gid in ("facts_confirmed", "crp_agreed", "action_plan_complete"):
            reasons = DEFAULT_DEFINITION.guard(gid)(empty, WHO["chair"], now)
            assert reasons
            assert "no draft" in reasons[0].message
