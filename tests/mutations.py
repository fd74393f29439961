"""Deliberately broken process definitions: every one must be caught.

Each mutation names the property it breaks. A proof that cannot fail proves
nothing, so the verifier and the stateful tests are both run against those the
definition accepts. Two of them (an approval that skips a body, a step without
the completion check) can no longer be built: the definition refuses them with
the rule they break, which :data:`REFUSED_AT_BUILD` names.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from cspr_workflow import DEFAULT_DEFINITION, ProcessDefinition, Role, Stage, Trigger
from cspr_workflow.extension import Guard, TransitionSpec

S, T, R = Stage, Trigger, Role
D = DEFAULT_DEFINITION


def _without_guard(trigger: str, source: str, guard: str) -> ProcessDefinition:
    return D.evolve(
        transitions=[
            attrs.evolve(row, guards=tuple(g for g in row.guards if g != guard))
            if (row.trigger, row.source) == (trigger, source)
            else row
            for row in D.transitions
        ]
    )


def approval_bypassed() -> ProcessDefinition:
    """A fast track: the Executive approves straight after CRP agreement, skipping the CRG."""
    fast_track = TransitionSpec(
        T.EXECUTIVE_APPROVE,
        S.CRP_AGREED,
        S.EXECUTIVE_APPROVED,
        {R.EXECUTIVE},
        ("within_due_date", "action_plan_complete"),
    )
    return D.extend(name="approval bypassed", transitions=[fast_track])


def fact_check_dropped() -> ProcessDefinition:
    """CRP agreement no longer waits for every agency's confirmation of the draft."""
    return _without_guard(T.AGREE_REPORT, S.FACT_CHECK, "facts_confirmed").evolve(
        name="fact check dropped"
    )


def timing_removed() -> ProcessDefinition:
    """One transition (confirming facts) forgets the six-month timing check."""
    return _without_guard(T.CONFIRM_FACTS, S.FACT_CHECK, "within_due_date").evolve(
        name="timing check removed"
    )


def wrong_role() -> ProcessDefinition:
    """The PDEO may publish the report: a step opened to a role that does not own it."""
    return D.evolve(
        name="publication opened to the PDEO",
        transitions=[
            attrs.evolve(row, roles=row.roles | {R.PDEO}) if row.trigger == T.PUBLISH else row
            for row in D.transitions
        ],
    )


def action_plan_weakened() -> ProcessDefinition:
    """The action-plan guard asks only for *some* action, not one per recommendation."""

    def some_action(review, actor, at):  # type: ignore[no-untyped-def]
        return [] if review.actions else [("no action at all.", "add one.")]

    weak = Guard(
        "action_plan_complete", "action plan tied to recommendations", "weak", some_action
    )
    return D.evolve(name="action plan weakened", guards={**D.guards, weak.id: weak})


def methodology_skipped() -> ProcessDefinition:
    """The first panel meeting no longer waits for the methodology to be agreed by both."""
    return _without_guard(T.HOLD_PANEL_MEETING, S.SCOPING, "methodology_agreed").evolve(
        name="methodology skipped"
    )


REFUSED_AT_BUILD: dict[str, str] = {
    "approval bypassed": "needs the chain's guard 'crg_approved'",
    "timing check removed": "needs the completion check 'within_due_date'",
}
"""Mutation name -> what the definition says when it refuses to build it."""

MUTATIONS: dict[str, tuple[Callable[[], ProcessDefinition], str]] = {
    "approval bypassed": (approval_bypassed, "approvals"),
    "fact check dropped": (fact_check_dropped, "fact_check"),
    "timing check removed": (timing_removed, "timing"),
    "step opened to the wrong role": (wrong_role, "owners"),
    "action plan weakened": (action_plan_weakened, "action_plan"),
    "methodology skipped": (methodology_skipped, "methodology"),
}
"""Mutation name -> (builder, the property it must be caught by)."""
