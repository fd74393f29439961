"""Process definitions: validated when built; a partnership derives its own."""

from __future__ import annotations

import attrs
import pendulum
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    ProcessDefinition,
    Role,
    Stage,
    TransitionRefused,
    Trigger,
)
from cspr_workflow.errors import InvalidDefinition, InvalidInput
from cspr_workflow.extension import Guard, StageSpec, TransitionSpec, TriggerSpec

from .builders import HANDLING_DELAY, Walker
from .variants import with_legal_review

T, S, R = Trigger, Stage, Role
D = DEFAULT_DEFINITION


def build(**changes: object) -> ProcessDefinition:
    return D.evolve(**changes)


def problems_of(**changes: object) -> tuple[str, ...]:
    """The messages of every problem building the changed definition finds."""
    with pytest.raises(InvalidDefinition) as caught:
        build(**changes)
    return tuple(p.message for p in caught.value.problems)


def paths_of(**changes: object) -> tuple[str, ...]:
    """Where each problem is: its path in the definition."""
    with pytest.raises(InvalidDefinition) as caught:
        build(**changes)
    return tuple(p.path for p in caught.value.problems)


class TestDefaultDefinition:
    def test_it_covers_the_whole_lifecycle(self) -> None:
        assert {s.name for s in D.stages} == set(Stage)
        assert {t.name for t in D.triggers} == set(Trigger)
        assert D.initial_stage.name == S.AWARE
        finals = {s.name for s in D.stages if s.final}
        assert finals == {S.CLOSED, S.LOCAL_PROCESS_ENDED, S.NOTIFICATION_WITHDRAWN}

    def test_every_transition_but_those_handling_a_delay_carries_the_timing_check(self) -> None:
        for row in D.transitions:
            assert ("within_due_date" in row.guards) == (row.trigger not in HANDLING_DELAY), row

    def test_the_approval_chain_and_the_completion_rule_are_declared_once(self) -> None:
        chain = D.approvals
        assert chain is not None
        assert chain.triggers == (T.AGREE_REPORT, T.CRG_APPROVE, T.EXECUTIVE_APPROVE)
        assert [D.body_title(b) for b in chain.bodies] == [
            "Case Review Panel",
            "Case Review Group",
            "SSCP Executive",
        ]
        assert D.completion.notify == T.NOTIFY_DELAY
        assert set(D.completion.recipients) == {R.NATIONAL_PANEL, R.EXECUTIVE}
        generated = set(D.all_guards) - set(D.guards)
        assert generated == {"within_due_date", "crp_agreed", "crg_approved", "fully_approved"}
        assert D.guard("within_due_date").title == "six-month timing check"

    def test_approval_chain_is_the_only_route_to_publication(self) -> None:
        into = {row.target for row in D.transitions if row.source != row.target}
        assert S.CRG_APPROVED in into
        sources_of = {
            stage: {r.source for r in D.transitions if r.dest == stage and r.trigger != T.RESUME}
            for stage in (S.CRP_AGREED, S.CRG_APPROVED, S.EXECUTIVE_APPROVED, S.PUBLISHED)
        }
        assert sources_of == {
            S.CRP_AGREED: {S.FACT_CHECK},
            S.CRG_APPROVED: {S.CRP_AGREED},
            S.EXECUTIVE_APPROVED: {S.CRG_APPROVED},
            S.PUBLISHED: {S.PRE_PUBLICATION},
        }

    def test_process_table_lists_every_transition(self) -> None:
        table = D.process_table()
        lines = [line for line in table.splitlines() if line.startswith("| `")]
        assert len(lines) == len(D.transitions)
        for trigger in Trigger:
            assert f"`{trigger}`" in table
        assert "methodology agreed by Chair and Lead Reviewer" in table
        assert "*when it returns to the stage it left*" in table

    def test_stage_table_lists_every_stage(self) -> None:
        table = D.stage_table()
        for stage in D.stages:
            assert f"`{stage.name}`" in table


class TestValidation:
    def test_unreachable_stage(self) -> None:
        lonely = StageSpec("lonely", "Lonely", "Nothing leads here", final=True)
        assert "stage 'lonely' is unreachable from the initial stage 'aware'" in problems_of(
            stages=(*D.stages, lonely)
        )

    def test_trap_stage(self) -> None:
        trap = StageSpec("limbo", "Limbo", "No way out")
        row = TransitionSpec("limbo_in", S.SCOPING, "limbo", {R.CHAIR})
        trig = TriggerSpec("limbo_in", "enter limbo", "Goes nowhere")
        found = problems_of(
            stages=(*D.stages, trap),
            triggers=(*D.triggers, trig),
            transitions=(*D.transitions, row),
        )
        assert "stage 'limbo' is not final but no final stage can be reached from it" in found

    def test_trigger_no_role_may_fire(self) -> None:
        rows = tuple(
            TransitionSpec(r.trigger, r.source, r.dest, set(), r.guards, r.selector)
            if r.trigger == T.PUBLISH
            else r
            for r in D.transitions
        )
        assert "'publish' from 'pre_publication': no role may fire it" in problems_of(
            transitions=rows
        )

    def test_trigger_without_a_transition(self) -> None:
        spare = TriggerSpec("spare", "spare", "Never used")
        assert "trigger 'spare' has no transition, so no role may fire it" in problems_of(
            triggers=(*D.triggers, spare)
        )

    def test_recipient_only_role_may_not_fire(self) -> None:
        silent = [
            attrs.evolve(r, receives_only=True) if r.id == R.NATIONAL_PANEL else r for r in D.roles
        ]
        found = problems_of(roles=silent)  # the National Panel's answer is a row of its own
        assert any("National Panel receives notices and fires no trigger" in p for p in found)

    def test_unknown_guard_selector_stage_and_trigger(self) -> None:
        rows = (
            TransitionSpec(
                T.PUBLISH, S.PRE_PUBLICATION, S.PUBLISHED, {R.EXECUTIVE}, ("no_such_guard",)
            ),
            TransitionSpec(T.RESUME, "nowhere", "elsewhere", {R.EXECUTIVE}, (), "no_selector"),
            TransitionSpec("mystery", S.AWARE, S.NOTIFIED, {R.EXECUTIVE}),
        )
        found = problems_of(transitions=(*D.transitions, *rows))
        for expected in (
            "unknown guard 'no_such_guard'",
            "unknown source stage 'nowhere'",
            "unknown destination stage 'elsewhere'",
            "unknown selector 'no_selector'",
            "unknown trigger 'mystery'",
        ):
            assert any(expected in p for p in found), expected

    def test_every_problem_is_listed_at_once(self) -> None:
        spare = TriggerSpec("spare", "spare", "Never used")
        lonely = StageSpec("lonely", "Lonely", "Nothing leads here", final=True)
        bad = TransitionSpec(T.PUBLISH, S.PRE_PUBLICATION, S.PUBLISHED, {R.EXECUTIVE}, ("nope",))
        found = problems_of(
            triggers=(*D.triggers, spare),
            transitions=(*D.transitions, bad),
            stages=(*D.stages, lonely),
        )
        assert len(found) >= 3
        with pytest.raises(InvalidDefinition, match=r"invalid \(\d+ problem\(s\)\)"):
            build(triggers=(*D.triggers, spare), transitions=(*D.transitions, bad))

    def test_final_stage_must_have_no_way_out(self) -> None:
        row = TransitionSpec(T.RESUME, S.CLOSED, S.MONITORING, {R.CRG}, (), "left_stage")
        found = problems_of(transitions=(*D.transitions, row))
        assert any("final stage 'closed' must have no way out" in p for p in found)

    def test_initial_and_final_stages(self) -> None:
        stages = tuple(
            StageSpec(s.name, s.title, s.description, initial=True, final=False) for s in D.stages
        )
        found = problems_of(stages=stages)
        assert any(
            f"exactly one initial stage is needed; found {len(D.stages)}" in p for p in found
        )
        assert "no final stage: a review could never end" in found

    def test_duplicates(self) -> None:
        found = problems_of(stages=(*D.stages, D.stages[3]), triggers=(*D.triggers, D.triggers[0]))
        assert "stage 'commissioned' is declared more than once" in found
        assert "trigger 'notify_national_panel' is declared more than once" in found

    def test_ambiguous_transitions_need_selectors(self) -> None:
        row = TransitionSpec(T.PUBLISH, S.PRE_PUBLICATION, S.MONITORING, {R.EXECUTIVE})
        found = problems_of(transitions=(*D.transitions, row))
        assert any("'publish' has 2 transitions from 'pre_publication'" in p for p in found)

    def test_policy_limits_are_checked(self) -> None:
        with pytest.raises(InvalidInput, match=r"C3: .*at least 1 \[clock_limit\]"):
            D.policy.with_limits(C3=0)


class TestRulesOnEveryPath:
    """The rules a definition declares are refused at build when a path could skip them."""

    def _without_guard(self, trigger: str, source: str, guard: str) -> tuple[TransitionSpec, ...]:
        return tuple(
            attrs.evolve(row, guards=tuple(g for g in row.guards if g != guard))
            if (row.trigger, row.source) == (trigger, source)
            else row
            for row in D.transitions
        )

    def test_a_step_where_the_clock_runs_without_the_completion_check(self) -> None:
        rows = self._without_guard(T.CONFIRM_FACTS, S.FACT_CHECK, "within_due_date")
        index = next(i for i, r in enumerate(rows) if r.trigger == T.CONFIRM_FACTS)
        assert paths_of(transitions=rows) == (f"transitions[{index}].guards",)
        [message] = problems_of(transitions=rows)
        assert "'confirm_facts' from 'fact_check': the completion clock C3 runs here" in message
        assert "needs the completion check 'within_due_date'" in message

    def test_no_completion_check_anywhere_is_refused(self) -> None:
        rows = tuple(
            attrs.evolve(row, guards=tuple(g for g in row.guards if g != "within_due_date"))
            for row in D.transitions
        )
        found = problems_of(transitions=rows)
        assert len(found) == sum(1 for r in D.transitions if r.source in D.region) - len(
            [r for r in D.transitions if r.trigger in D.completion.exempt]
        )

    def test_steps_before_the_clock_starts_need_no_check(self) -> None:
        rows = self._without_guard(T.NOTIFY_NATIONAL_PANEL, S.AWARE, "within_due_date")
        assert D.evolve(transitions=rows)

    def test_an_approval_that_skips_the_body_before_it(self) -> None:
        fast_track = TransitionSpec(
            T.EXECUTIVE_APPROVE,
            S.CRP_AGREED,
            S.EXECUTIVE_APPROVED,
            {R.EXECUTIVE},
            ("within_due_date", "action_plan_complete"),
        )
        [message] = problems_of(transitions=(*D.transitions, fast_track))
        assert message.startswith("'executive_approve' from 'crp_agreed' records approval by")
        assert "needs the chain's guard 'crg_approved'" in message

    def test_entering_the_clocks_stop_needs_every_approval(self) -> None:
        rows = self._without_guard(T.PUBLISH, S.PRE_PUBLICATION, "fully_approved")
        [message] = problems_of(transitions=rows)
        assert "enters 'published', where the completion clock stops" in message

    def test_a_generated_guard_cannot_also_be_declared(self) -> None:
        fake = Guard("crp_agreed", "fake", "fake", lambda review, actor, at: [])
        assert problems_of(guards={**D.guards, "crp_agreed": fake}) == (
            "guard 'crp_agreed' is generated by the approval chain; it cannot also be declared "
            "(give the rule another guard id, or drop this guard)",
        )

    def test_remedies_must_be_triggers(self) -> None:
        typo = attrs.evolve(D.guards["kloes_shared"], remedies=("share_kloe",))
        assert paths_of(guards={**D.guards, "kloes_shared": typo}) == (
            "guards['kloes_shared'].remedies[0]",
        )

    def test_role_titles_must_name_roles(self) -> None:
        assert problems_of(role_titles={"exec": "Board"}) == ("unknown role 'exec'",)

    def test_a_definition_needs_its_completion_rule(self) -> None:
        found = problems_of(completion=None)
        assert found[0].startswith("a definition needs a completion rule")

    def test_the_delay_notice_must_take_its_details(self) -> None:
        notify = D.trigger(T.NOTIFY_DELAY)
        bare = attrs.evolve(notify, details=notify.details[:2])
        triggers = tuple(bare if t.name == T.NOTIFY_DELAY else t for t in D.triggers)
        assert problems_of(triggers=triggers) == (
            "'notify_delay' records a delay notice, so it needs a roles detail 'recipients'",
        )

    def test_scenario_keys_must_name_stages_and_triggers(self) -> None:
        from cspr_workflow.simulation import Duration

        assert D.scenario is not None
        scenario = D.scenario.with_days(draftng=Duration(1, 2, 3)).with_chances(
            {"return_to_drafting@crg_aproved": 0.5}
        )
        assert paths_of(scenario=scenario) == (
            "scenario.stage_days['draftng']",
            "scenario.chances['return_to_drafting@crg_aproved']",
        )

    def test_renaming_a_trigger_renames_it_everywhere(self) -> None:
        renamed = D.rename(triggers={T.CRG_APPROVE: "board_endorse"}, bodies={"crg": "board"})
        assert renamed.approvals is not None
        assert renamed.approvals.triggers[1] == "board_endorse"
        assert renamed.permissions()["board_endorse"] == {R.CRG}
        assert "board_endorse" in renamed.guard("fully_approved").remedies
        assert not renamed.has_trigger(T.CRG_APPROVE)


class TestLocalVariants:
    def test_change_a_limit(self) -> None:
        quicker = D.evolve(name="Quick", policy=D.policy.with_limits(C3=4))
        w = Walker(quicker).to_commissioned()
        assert w.review.state.due_date == pendulum.date(2026, 5, 5)
        assert D.policy.clock("C3").limit == 6

    def test_rename_the_bodies(self) -> None:
        local = D.evolve(role_titles={R.EXECUTIVE: "Safeguarding Board", R.CRG: "Review Group"})
        assert local.role_title(R.EXECUTIVE) == "Safeguarding Board"
        assert "Safeguarding Board" in local.process_table()
        assert "SSCP Executive" not in local.process_table()

    def test_add_a_stage(self) -> None:
        local = with_legal_review("within_due_date")
        w = Walker(local).to_crg_approved()
        w(T.EXECUTIVE_APPROVE, "executive")
        assert w.review.stage == "legal_review"
        with pytest.raises(TransitionRefused, match="not available"):
            w(T.SEND_FINAL_REPORT, "pdeo")
        w("clear_legal_review", "executive")
        w(T.SEND_FINAL_REPORT, "pdeo")
        assert w.review.stage == S.PRE_PUBLICATION
        assert len(D.stages) == 22

    def test_a_stage_where_the_clock_runs_needs_the_delay_notice(self) -> None:
        legal = with_legal_review("within_due_date")
        rows = [
            r
            for r in legal.transitions
            if not (r.trigger == T.NOTIFY_DELAY and r.source == "legal_review")
        ]
        found = problems_of(stages=legal.stages, triggers=legal.triggers, transitions=rows)
        assert found == (
            "the completion clock C3 runs in 'legal_review', so its delay notice "
            "'notify_delay' must be available there: once the review is past its due date, "
            "nothing else moves (add a transition of it from this stage)",
        )

    def test_add_a_guard(self) -> None:
        def needs_two_meetings(review, actor, at):
            if len(review.meetings) >= 2:
                return []
            return [("the panel has met fewer than twice.", "hold another panel meeting.")]

        guard = Guard(
            "two_meetings", "two panel meetings before drafting", "Local rule", needs_two_meetings
        )
        local = D.extend(
            guards=[guard],
            transitions=[
                TransitionSpec(
                    T.BEGIN_DRAFTING,
                    S.PANEL_REVIEW,
                    S.DRAFTING,
                    {R.LEAD_REVIEWER},
                    ("within_due_date", "two_meetings"),
                )
            ],
            without=lambda r: r.trigger == T.BEGIN_DRAFTING,
        )
        w = Walker(local).to_panel_review()
        with pytest.raises(TransitionRefused, match="two panel meetings before drafting"):
            w(T.BEGIN_DRAFTING, "lead")
        w(T.HOLD_PANEL_MEETING, "chair")
        w(T.BEGIN_DRAFTING, "lead")

    def test_a_review_cannot_follow_a_definition_without_its_stage(self) -> None:
        w = Walker().to_commissioned()
        minimal = D.extend(name="other")
        from cspr_workflow import Review
        from cspr_workflow.records import ReviewState

        state = ReviewState("Child B", w.review.state.aware_at, "legal_review")
        with pytest.raises(ValueError, match="does not have"):
            Review(state, minimal)


def test_permission_table_is_read_from_the_transitions() -> None:
    perms = D.permissions()
    assert perms[T.RETURN_TO_DRAFTING] == {R.CRG, R.EXECUTIVE}
    assert perms[T.PUBLISH] == {R.EXECUTIVE}
    assert [t for t, roles in perms.items() if R.NATIONAL_PANEL in roles] == [
        T.RESPOND_TO_RAPID_REVIEW
    ]
    table = D.permission_table()
    assert len([line for line in table.splitlines() if line.startswith("| `")]) == len(Trigger)
    assert "| SSCP Executive |" in table


def test_history_details_are_read_only() -> None:
    from cspr_workflow.demo import demo_review

    entry = demo_review(upto=3).history[-1]
    with pytest.raises(TypeError):
        entry.details["reason"] = "rewritten"  # type: ignore[index]


class TestExampleDetails:
    """The verifier's examples: given by the trigger, or made from its detail specs."""

    AT = pendulum.datetime(2026, 3, 2, 10, tz="Europe/London")

    def test_made_from_the_details_when_none_are_given(self) -> None:
        from cspr_workflow.extension import DetailKind, DetailSpec

        spec = TriggerSpec(
            "record_outcome",
            "record the outcome",
            "An outcome",
            details=(
                DetailSpec("note", DetailKind.TEXT, "a note"),
                DetailSpec("urgent", DetailKind.BOOL, "is it urgent"),
                DetailSpec("level", DetailKind.CHOICE, "level", choices=("low", "high")),
                DetailSpec("by", DetailKind.DATE, "by when", required=False),
            ),
        )
        review = Walker().review.state
        examples = spec.example_details(review, self.AT)
        assert examples[0] == {"note": "Example note", "urgent": True, "level": "low"}
        assert {"note": "Example note", "urgent": False, "level": "low"} in examples
        assert {"note": "Example note", "urgent": True, "level": "high"} in examples
        assert examples[-1]["by"] == "2026-04-01"
        assert len(examples) == 4

    def test_every_sample_parses(self) -> None:
        from cspr_workflow.extension import DetailKind, DetailSpec

        for kind in DetailKind:
            choices = ("a", "b") if kind in (DetailKind.CHOICE, DetailKind.ROLES) else ()
            spec = DetailSpec("x", kind, "x", choices=choices)
            for value in spec.samples(self.AT):
                assert spec.parse(value)[1] is None, (kind, value)

    def test_a_trigger_without_details_has_one_empty_example(self) -> None:
        spec = D.trigger(T.BEGIN_DRAFTING)
        assert spec.example_details(Walker().review.state, self.AT) == [{}]

    def test_default_examples_fire_in_the_engine(self) -> None:
        walker = Walker().to_crp_agreed()
        state = walker.review.state
        examples = D.trigger(T.ADD_ACTION).example_details(state, walker.now)
        assert [e["recommendation"] for e in examples] == ["R1", "R2"]
        walker(T.ADD_ACTION, "chair", **examples[0])
        assert walker.review.state.actions[0].recommendation == "R1"
