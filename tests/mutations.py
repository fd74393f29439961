"""Deliberately broken process definitions: every one must be caught.

Each mutation names the property it breaks. A proof that cannot fail proves
nothing, so the verifier and the stateful tests are both run against those the
definition accepts. Four of them (an approval that skips a body, a step without
the completion check, publication declared a delay-managing step, the improvements
published without the approvals) can no longer be built: the definition refuses
them with the rule they break, which :data:`REFUSED_AT_BUILD` names. Those neither
search reaches reliably yet are in :data:`SEARCH_MISSES`, each walked by hand in a
test instead.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from cspr_workflow import DEFAULT_DEFINITION, ProcessDefinition, Role, Stage, Trigger, effects
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


def publication_exempt() -> ProcessDefinition:
    """Publication declared a step that only manages a delay, so it escapes the timing
    check."""
    rule = attrs.evolve(D.completion, manage=(*D.completion.manage, T.PUBLISH))
    return D.evolve(name="publication exempt from timing", completion=rule)


def improvements_unapproved() -> ProcessDefinition:
    """The improvements are published instead of the report without the approvals."""
    return D.evolve(
        name="improvements published unapproved",
        transitions=[
            attrs.evolve(row, guards=tuple(g for g in row.guards if g != "fully_approved"))
            if row.trigger == T.PUBLISH_IMPROVEMENTS
            else row
            for row in D.transitions
        ],
    )


def notice_not_given_again() -> ProcessDefinition:
    """The report goes back from pre-publication by a step that does not start the
    approval chain again, so the first sending's notice still counts for the second."""
    reopen = attrs.evolve(D.trigger(T.RETURN_TO_DRAFTING), name="reopen_report")
    return D.evolve(
        name="notice not given again",
        triggers=[*D.triggers, reopen],
        transitions=[
            attrs.evolve(row, trigger="reopen_report")
            if (row.trigger, row.source) == (T.RETURN_TO_DRAFTING, S.PRE_PUBLICATION)
            else row
            for row in D.transitions
        ],
    )


def national_review_undone() -> ProcessDefinition:
    """A national review gives way to a local one without the National Panel concluding
    that a local review is more appropriate (reg 11(d))."""
    return _without_guard(T.COMMISSION_REVIEW, S.NATIONAL_REVIEW, "local_review_preferred").evolve(
        name="national review undone unasked"
    )


def panel_not_heard() -> ProcessDefinition:
    """A decision not to commission is closed before the National Panel has answered."""
    return _without_guard(T.END_LOCAL_PROCESS, S.NOT_COMMISSIONED, "panel_responded").evolve(
        name="decision closed before the Panel answered"
    )


def corrections_skipped() -> ProcessDefinition:
    """An agency's confirmation no longer waits for its factual correction, and the panel
    agrees a draft with corrections still to make."""
    confirm = attrs.evolve(D.trigger(T.CONFIRM_FACTS), effect=effects.record_fact_check)
    plain = _without_guard(T.AGREE_REPORT, S.FACT_CHECK, "corrections_made")
    return plain.evolve(
        name="corrections skipped",
        triggers=[confirm if t.name == T.CONFIRM_FACTS else t for t in plain.triggers],
    )


REFUSED_AT_BUILD: dict[str, str] = {
    "approval bypassed": "needs the chain's guard 'crg_approved'",
    "timing check removed": "needs the completion check 'within_due_date'",
    "publication exempt from timing": "'publish' manages a delay",
    "improvements published unapproved": "needs the chain's guard 'fully_approved'",
}
"""Mutation name -> what the definition says when it refuses to build it."""


def any_agency_confirms() -> ProcessDefinition:
    """A panel member may confirm the facts for any agency, not only their own."""
    confirm = attrs.evolve(D.trigger(T.CONFIRM_FACTS), agency_detail=None)
    return D.evolve(
        name="any agency confirms",
        triggers=[confirm if t.name == T.CONFIRM_FACTS else t for t in D.triggers],
    )


MUTATIONS: dict[str, tuple[Callable[[], ProcessDefinition], str]] = {
    "approval bypassed": (approval_bypassed, "approvals"),
    "fact check dropped": (fact_check_dropped, "fact_check"),
    "timing check removed": (timing_removed, "timing"),
    "step opened to the wrong role": (wrong_role, "owners"),
    "action plan weakened": (action_plan_weakened, "action_plan"),
    "methodology skipped": (methodology_skipped, "methodology"),
    "publication exempt from timing": (publication_exempt, "timing"),
    "improvements published unapproved": (improvements_unapproved, "approvals"),
    "notice not given again": (notice_not_given_again, "notice_period"),
    "national review undone unasked": (national_review_undone, "panel_heard"),
    "decision closed before the Panel answered": (panel_not_heard, "panel_heard"),
    "corrections skipped": (corrections_skipped, "fact_check"),
    "any agency confirms": (any_agency_confirms, "own_agency"),
}

ON_SIDE_PATHS: frozenset[str] = frozenset(
    {"national review undone unasked", "decision closed before the Panel answered"}
)
"""Mutations whose broken rule lies on a side path (a decision against a local review):
the stateful tests look for them with every walk taking a side path."""

SEARCH_MISSES: dict[str, str] = {
    "notice not given again": (
        "the verifier's search waits only for a running clock's due date and merges "
        "states by their unmet rules, so it never reaches a second sending after the "
        "first notice ran out (32,895 states explored, no violation); the stateful "
        "tests' 300 fixed examples reach it only by chance. tests/test_paths.py walks "
        "the path by hand and the property catches it"
    ),
}
"""Mutations that neither search reaches reliably yet, and why. Each is walked by hand
in a test instead, so the property that must catch it is shown to."""
"""Mutation name -> (builder, the property it must be caught by)."""
