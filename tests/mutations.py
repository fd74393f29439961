"""Deliberately broken process definitions: every one must be caught.

Each mutation names the property it breaks. A proof that cannot fail proves
nothing, so the verifier and the stateful tests are both run against those the
definition accepts. Four of them (an approval that skips a body, a step without
the completion check, publication declared a delay-managing step, the improvements
published without the approvals) can no longer be built: the definition refuses
them with the rule they break, which :data:`REFUSED_AT_BUILD` names.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from cspr_workflow import DEFAULT_DEFINITION, ProcessDefinition, Role, Stage, Trigger, effects
from cspr_workflow.extension import Effect, Guard, StepContext, TransitionSpec, TriggerSpec
from cspr_workflow.records import Approval, ClockKind, ReviewState

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


# -- broken by meaning: the step is renamed, duplicated or re-routed ---------------------------


def _rows(trigger: str, source: str) -> list[TransitionSpec]:
    return [r for r in D.transitions if (r.trigger, r.source) == (trigger, source)]


def _new_trigger(name: str, like: str, **changes: object) -> TriggerSpec:
    return attrs.evolve(D.trigger(like), name=name, **changes)


def _second_way(trigger: str, source: str, name: str, role: str) -> ProcessDefinition:
    """A copy of ``trigger`` called ``name``, with the same effect, details and guards from
    ``source``, that ``role`` alone may take."""
    row = _rows(trigger, source)[0]
    return D.extend(
        triggers=[_new_trigger(name, trigger)],
        transitions=[attrs.evolve(row, trigger=name, roles={role})],
    )


def publish_online() -> ProcessDefinition:
    """A second way to publish, ``publish_online``, with the same effect and guards, that
    the PDEO may take (the statutory owner of publication is the Executive)."""
    return _second_way(T.PUBLISH, S.PRE_PUBLICATION, "publish_online", R.PDEO).evolve(
        name="publish online by the PDEO"
    )


def first_meeting_unguarded() -> ProcessDefinition:
    """The first panel meeting as its own step, ``open_panel``, without the methodology
    guard."""
    row = _rows(T.HOLD_PANEL_MEETING, S.SCOPING)[0]
    guards = tuple(g for g in row.guards if g != "methodology_agreed")
    return D.extend(
        name="first panel meeting as its own step",
        triggers=[_new_trigger("open_panel", T.HOLD_PANEL_MEETING)],
        transitions=[attrs.evolve(row, trigger="open_panel", guards=guards)],
    )


def fact_check_to_crg() -> ProcessDefinition:
    """A step straight from fact check to CRG approved (the CRP never agrees the report)."""
    return D.extend(
        name="fact check straight to CRG approved",
        triggers=[_new_trigger("fast_track", T.CRG_APPROVE)],
        transitions=[
            TransitionSpec(
                "fast_track", S.FACT_CHECK, S.CRG_APPROVED, {R.CRG}, ("within_due_date",)
            )
        ],
    )


def _rewritten(state: ReviewState, ctx: StepContext) -> ReviewState:
    draft = state.current_draft
    if draft is None:
        return state
    first = draft.recommendations[0]
    changed = attrs.evolve(first, text=f"{first.text} (as amended)")
    amended = attrs.evolve(draft, recommendations=(changed, *draft.recommendations[1:]))
    return state.evolve(drafts=(*state.drafts[:-1], amended))


def recommendation_rewritten() -> ProcessDefinition:
    """After the CRG's approval the Lead Reviewer amends a recommendation in place (the
    Executive then approves words the CRG never saw)."""
    amend = TriggerSpec(
        "amend_recommendation",
        "amend a recommendation",
        "The Lead Reviewer rewords a recommendation of the approved draft.",
        effect=_rewritten,
    )
    return D.extend(
        name="recommendation rewritten after approval",
        triggers=[amend],
        transitions=[
            TransitionSpec(
                "amend_recommendation",
                S.CRG_APPROVED,
                None,
                {R.LEAD_REVIEWER},
                ("within_due_date",),
            )
        ],
    )


def action_for_another_agency() -> ProcessDefinition:
    """A panel member may commit another agency to an action (``owner`` is no longer the
    detail the member speaks for their agency by)."""
    add = attrs.evolve(D.trigger(T.ADD_ACTION), agency_detail=None)
    return D.evolve(
        name="action for another agency",
        triggers=[add if t.name == T.ADD_ACTION else t for t in D.triggers],
    )


def withdraw_after_sign_off() -> ProcessDefinition:
    """The Executive may withdraw actions after its approval, so the report is published
    with recommendations no action answers."""
    row = _rows(T.WITHDRAW_ACTION, S.CRP_AGREED)[0]
    return D.extend(
        name="actions withdrawn after sign-off",
        transitions=[attrs.evolve(row, source=S.EXECUTIVE_APPROVED, roles={R.EXECUTIVE})],
    )


def _national_cut(name: str, clock: str, limit: int) -> ProcessDefinition:
    clocks = [attrs.evolve(c, limit=limit) if c.id == clock else c for c in D.policy.clocks]
    policy = attrs.evolve(D.policy, clocks=clocks, national=None)
    return D.evolve(name=name, policy=policy)


def notice_cut() -> ProcessDefinition:
    """A local policy that drops the national limits and cuts the national pre-publication
    notice (C4, 7 working days) to 1 working day."""
    return _national_cut("notice period cut locally", "C4", 1)


def completion_extended() -> ProcessDefinition:
    """A local policy that drops the national limits and gives itself nine months to
    complete (C3, 6 months nationally)."""
    return _national_cut("completion time extended locally", "C3", 9)


def renamed_delay_by_chair() -> ProcessDefinition:
    """Delays are notified by ``report_delay`` (the completion rule's own notice step),
    which the Chair may take: notifying a delay is the PDEO's."""
    return _renamed_delay({R.CHAIR}).evolve(name="delay notified by the Chair")


def _renamed_delay(roles: set[str]) -> ProcessDefinition:
    notify = _new_trigger("report_delay", T.NOTIFY_DELAY)
    return D.evolve(
        triggers=[notify if t.name == T.NOTIFY_DELAY else t for t in D.triggers],
        transitions=[
            attrs.evolve(r, trigger="report_delay", roles=roles)
            if r.trigger == T.NOTIFY_DELAY
            else r
            for r in D.transitions
        ],
        completion=attrs.evolve(D.completion, notify="report_delay"),
    )


def renamed_delay() -> ProcessDefinition:
    """Correct: the delay notice is called ``report_delay`` and taken by the PDEO. No proof
    may flag it."""
    return _renamed_delay({R.PDEO}).evolve(name="delay notice renamed")


def draft_by_chair() -> ProcessDefinition:
    """A second way to submit a draft, ``chair_redraft``, that the Chair may take."""
    return _second_way(T.SUBMIT_DRAFT, S.DRAFTING, "chair_redraft", R.CHAIR).evolve(
        name="draft submitted by the Chair"
    )


def kloes_unshared() -> ProcessDefinition:
    """The first panel meeting no longer waits for the key lines of enquiry to be shared."""
    return _without_guard(T.HOLD_PANEL_MEETING, S.SCOPING, "kloes_shared").evolve(
        name="KLOEs not shared"
    )


def old_draft_confirmed() -> ProcessDefinition:
    """The facts-confirmed guard counts an agency's confirmation of any draft, not the one
    under fact check."""

    def any_version(review, actor, at):  # type: ignore[no-untyped-def]
        confirmed = {f.agency for f in review.fact_checks}
        missing = sorted(p.agency for p in review.panel if p.agency not in confirmed)
        return [(f"{', '.join(missing)} to confirm.", "confirm.")] if missing else []

    weak = Guard("facts_confirmed", "draft fact-checked by all agencies", "weak", any_version)
    return D.evolve(name="an old draft's confirmation counts", guards={**D.guards, weak.id: weak})


def _approved_by(body: str) -> Effect:
    def approve(state: ReviewState, ctx: StepContext) -> ReviewState:
        draft = state.current_draft
        version = 0 if draft is None else draft.version
        return state.evolve(approvals=(*state.approvals, Approval(body, version, ctx.at)))

    return approve


def crg_sign_off_by_pdeo() -> ProcessDefinition:
    """A second CRG sign-off step, recording the CRG's approval, that the PDEO may take."""
    row = _rows(T.CRG_APPROVE, S.CRP_AGREED)[0]
    sign = TriggerSpec(
        "crg_sign_off",
        "sign off for the CRG",
        "The CRG's approval, recorded by the PDEO.",
        effect=_approved_by("crg"),
    )
    return D.extend(
        name="CRG sign-off by the PDEO",
        triggers=[sign],
        transitions=[attrs.evolve(row, trigger="crg_sign_off", roles={R.PDEO})],
    )


def meeting_by_lead_reviewer() -> ProcessDefinition:
    """The Lead Reviewer may hold panel meetings (the Chair's step)."""
    return D.evolve(
        name="panel meeting by the Lead Reviewer",
        transitions=[
            attrs.evolve(row, roles=row.roles | {R.LEAD_REVIEWER})
            if row.trigger == T.HOLD_PANEL_MEETING
            else row
            for row in D.transitions
        ],
    )


def notice_from_utc_date() -> ProcessDefinition:
    """The publication notice counted from the UTC date the report was sent, not the London
    date: a report sent between midnight and one in the morning in summer may be published
    a day early."""

    def utc_notice(review, actor, at):  # type: ignore[no-untyped-def]
        record = review.clock_of_kind(ClockKind.NOTICE_PERIOD)
        if record is None:
            return ["the final report has not been sent."]
        sent = record.started_at.in_timezone("UTC").date()
        due = D.policy.calendar.add_working_days(sent, record.limit)
        return [] if at.date() >= due else [f"publish from {due}."]

    weak = Guard(
        "notice_period_observed", "pre-publication notice period observed", "utc", utc_notice
    )
    return D.evolve(name="notice counted from the UTC date", guards={**D.guards, weak.id: weak})


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
    "publish online by the PDEO": (publish_online, "owners"),
    "first panel meeting as its own step": (first_meeting_unguarded, "methodology"),
    "fact check straight to CRG approved": (fact_check_to_crg, "approvals"),
    "recommendation rewritten after approval": (recommendation_rewritten, "draft_kept"),
    "action for another agency": (action_for_another_agency, "own_agency"),
    "actions withdrawn after sign-off": (withdraw_after_sign_off, "action_plan"),
    "notice period cut locally": (notice_cut, "notice_period"),
    "completion time extended locally": (completion_extended, "timing"),
    "delay notified by the Chair": (renamed_delay_by_chair, "owners"),
    "draft submitted by the Chair": (draft_by_chair, "owners"),
    "KLOEs not shared": (kloes_unshared, "methodology"),
    "an old draft's confirmation counts": (old_draft_confirmed, "fact_check"),
    "CRG sign-off by the PDEO": (crg_sign_off_by_pdeo, "owners"),
    "panel meeting by the Lead Reviewer": (meeting_by_lead_reviewer, "owners"),
    "notice counted from the UTC date": (notice_from_utc_date, "notice_period"),
}
"""Mutation name -> (builder, the property it must be caught by)."""

ON_SIDE_PATHS: frozenset[str] = frozenset(
    {"national review undone unasked", "decision closed before the Panel answered"}
)
"""Mutations whose broken rule lies on a side path (a decision against a local review):
the stateful tests look for them with every walk taking a side path."""

SLOW_TO_WALK_INTO: frozenset[str] = frozenset(
    {"notice not given again", "notice period cut locally", "step opened to the wrong role"}
)
"""Mutations the stateful tests' fixed walks reach only after many examples (18 to 23 s
each on the development machine, a fifth of the default run's work): the thorough
profile (CI) runs them, the default run the rest."""


DEEP: frozenset[str] = frozenset(
    {
        "notice not given again",
        "publish online by the PDEO",
        "fact check straight to CRG approved",
        "recommendation rewritten after approval",
        "action for another agency",
        "actions withdrawn after sign-off",
        "notice period cut locally",
        "draft submitted by the Chair",
        "an old draft's confirmation counts",
        "CRG sign-off by the PDEO",
        "notice counted from the UTC date",
        "step opened to the wrong role",
        "corrections skipped",
        "fact check dropped",
        "action plan weakened",
        "any agency confirms",
    }
)
"""Mutations whose first counterexample lies deep in the verifier's search (7,500 to
12,000 states in, 15-35 s each; the reopened report's second notice 54,905 states in,
166 s): the thorough profile (CI) verifies them, the default run the rest."""

CORRECT: dict[str, Callable[[], ProcessDefinition]] = {"delay notice renamed": renamed_delay}
"""Definitions that differ from the default by name only: no proof may flag them."""
