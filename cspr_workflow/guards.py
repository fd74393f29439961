"""Guards: pure functions of (review, actor, time) that return the reasons they fail.

A guard never mutates anything. It returns a list of ``(message, remedy)``
pairs, empty when it is satisfied; :class:`Guard` turns those into
:class:`~cspr_workflow.Reason` values named after the guard's readable title,
which is also what the docs and diagrams show.

Transitions name their guards by id (``"methodology_agreed"``); a process
definition resolves the ids against its guard registry (:data:`DEFAULT_GUARDS`
plus any a partnership adds) and rejects ids it cannot resolve.

Selectors are the other kind of predicate: they do not refuse a step, they
choose which of several transitions of one trigger applies (``resume`` goes
back to the stage the review was put on hold from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs
import pendulum

from ._errors import Reason
from ._records import ActionStatus, ApprovalBody, ClockKind, MeetingKind, ReviewState
from .roles import Actor, Role

__all__ = [
    "DEFAULT_GUARDS",
    "DEFAULT_SELECTORS",
    "Guard",
    "GuardFunction",
    "Selector",
    "SelectorFunction",
]

Unmet = tuple[str, str]
"""A failed guard's (message, remedy)."""

GuardFunction = Callable[[ReviewState, Actor, pendulum.DateTime], Iterable[Unmet]]
SelectorFunction = Callable[[ReviewState, str], bool]


@attrs.frozen
class Guard:
    """A named, pure precondition of a transition."""

    id: str
    title: str
    description: str
    function: GuardFunction = attrs.field(repr=False)

    def __call__(self, review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Reason]:
        """Every reason this guard fails for ``actor`` at ``at`` (empty when it passes)."""
        unmet = self.function(review, actor, at)
        if not unmet:
            return []
        return [Reason(self.title, message, remedy) for message, remedy in unmet]


@attrs.frozen
class Selector:
    """A named predicate choosing which transition of a trigger applies, given its destination."""

    id: str
    title: str
    function: SelectorFunction = attrs.field(repr=False)

    def __call__(self, review: ReviewState, dest: str) -> bool:
        return self.function(review, dest)


_GUARDS: dict[str, Guard] = {}


def _guard(id: str, title: str) -> Callable[[GuardFunction], GuardFunction]:
    """Register a default guard; its docstring is its description."""

    def register(function: GuardFunction) -> GuardFunction:
        description = " ".join((function.__doc__ or title).split())
        _GUARDS[id] = Guard(id, title, description, function)
        return function

    return register


@_guard("within_due_date", "six-month timing check")
def _within_due_date(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Once the review is past its completion due date (decision to initiate plus the
    policy's months, clamped at month end, or the revised date of the latest delay
    notified to both the National Panel and the Executive), nothing progresses until
    a delay has been notified."""
    due = review.completion_due
    if due is None or review.published_at is not None or at.date() <= due:
        return []
    return [
        (
            f"the review is past its completion due date {due.to_date_string()} "
            f"(today is {at.date().to_date_string()}).",
            "the PDEO notifies a delay to both the National Panel and the Executive "
            "with a reason and a revised date (trigger notify_delay).",
        )
    ]


@_guard("kloes_shared", "key lines of enquiry shared by the Chair")
def _kloes_shared(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The Chair has shared the key lines of enquiry identified at the Rapid Review."""
    if review.kloes_shared_at is not None:
        return []
    return [
        (
            "the key lines of enquiry have not been shared.",
            "the Chair shares them (trigger share_kloes).",
        )
    ]


@_guard("methodology_agreed", "methodology agreed by Chair and Lead Reviewer")
def _methodology_agreed(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Both the Chair and the Lead Reviewer have agreed the same methodology (their
    latest agreements name the same one) before the first panel meeting."""
    latest: dict[Role, str] = {}
    for agreement in review.methodology:
        latest[agreement.role] = agreement.methodology
    missing = [r for r in (Role.CHAIR, Role.LEAD_REVIEWER) if r not in latest]
    if missing:
        who = " and ".join(r.label for r in missing)
        return [
            (
                f"the methodology has not been agreed by the {who}.",
                f"the {who} {'agrees' if len(missing) == 1 else 'agree'} it "
                "(trigger agree_methodology).",
            )
        ]
    if latest[Role.CHAIR] != latest[Role.LEAD_REVIEWER]:
        return [
            (
                "the Chair and the Lead Reviewer have agreed different methodologies.",
                "both agree the same methodology (trigger agree_methodology).",
            )
        ]
    return []


@_guard("terms_of_reference_set", "terms of reference set")
def _terms_of_reference_set(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """The review's terms of reference are recorded."""
    if review.terms_of_reference:
        return []
    return [
        (
            "the terms of reference have not been set.",
            "the Chair sets them (trigger set_terms_of_reference).",
        )
    ]


@_guard("panel_breadth", "a panel member for every agency relevant to the case")
def _panel_breadth(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every agency identified as relevant to the case at the Rapid Review has a seat
    on the Case Review Panel."""
    seated = {seat.agency for seat in review.panel}
    missing = [a for a in review.case_agencies if a not in seated]
    if not missing:
        return []
    return [
        (
            f"no panel member for: {', '.join(missing)}.",
            "appoint a member for each (trigger appoint_panel_member).",
        )
    ]


@_guard("panel_independent", "panel members independent of the case, or the exception justified")
def _panel_independent(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Each panel member had no direct involvement with the case, or the exception is
    justified in the record."""
    unjustified = [s.agency for s in review.panel if not s.independent and not s.justification]
    if not unjustified:
        return []
    return [
        (
            f"panel members with direct involvement and no recorded justification: "
            f"{', '.join(unjustified)}.",
            "record a justification or appoint an independent member (trigger "
            "appoint_panel_member).",
        )
    ]


@_guard("information_shared", "agency information collated and shared before the meeting")
def _information_shared(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every piece of agency information returned so far has been collated and shared
    with the panel members by the PDEO before the meeting."""
    unshared = sorted(
        {r.agency for r in review.information_requests if r.returned_at and not r.shared_at}
    )
    if not unshared:
        return []
    return [
        (
            f"information returned by {', '.join(unshared)} has not been shared with the panel.",
            "the PDEO collates and shares it (trigger share_information).",
        )
    ]


@_guard("information_answered", "agency information returned, or its absence explained")
def _information_answered(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every information request has been returned by its agency, or the agency's
    panel member has explained why it cannot be."""
    waiting = sorted({r.agency for r in review.information_requests if not r.answered})
    if not waiting:
        return []
    return [
        (
            f"information requested from {', '.join(waiting)} is outstanding.",
            "each agency returns it or explains its absence (return_information / "
            "explain_missing_information).",
        )
    ]


@_guard("family_invited", "family invited to contribute")
def _family_invited(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Family members have been invited to contribute and their answer (contributed,
    declined or no response) is recorded."""
    if review.family_invited_at is None:
        return [
            (
                "the family has not been invited to contribute.",
                "invite them (trigger invite_family).",
            )
        ]
    if review.family_response is None:
        return [
            (
                "the family's answer to the invitation is not recorded.",
                "record it, including a refusal or no response (trigger record_family_response).",
            )
        ]
    return []


@_guard("facts_confirmed", "draft fact-checked by all agencies")
def _facts_confirmed(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every agency on the panel has confirmed the factual accuracy of this exact draft
    version; a new draft voids earlier confirmations."""
    draft = review.current_draft
    if draft is None:
        return [("there is no draft report.", "the Lead Reviewer submits one (submit_draft).")]
    confirmed = {f.agency for f in review.fact_checks if f.version == draft.version}
    missing = [s.agency for s in review.panel if s.agency not in confirmed]
    if not missing:
        return []
    return [
        (
            f"draft {draft.version} has not been confirmed as factually accurate by: "
            f"{', '.join(missing)}.",
            "each agency's panel member confirms it (trigger confirm_facts).",
        )
    ]


def _approved_in_order(review: ReviewState, bodies: tuple[ApprovalBody, ...]) -> list[Unmet]:
    draft = review.current_draft
    if draft is None:
        return [("there is no draft report.", "the Lead Reviewer submits one (submit_draft).")]
    of_draft = [a for a in review.approvals if a.version == draft.version]
    got = tuple(a.body for a in of_draft)
    if got[: len(bodies)] == bodies:
        return []
    need = " then ".join(b.label for b in bodies)
    have = ", ".join(b.label for b in got) or "none"
    return [
        (
            f"draft {draft.version} needs approval by {need}, in that order; it has: {have}.",
            "take the approvals in order on this draft (agree_report, crg_approve, "
            "executive_approve).",
        )
    ]


@_guard("crp_agreed", "Case Review Panel agreed this draft")
def _crp_agreed(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The Case Review Panel has agreed the current draft version."""
    return _approved_in_order(review, (ApprovalBody.CRP,))


@_guard("crg_approved", "CRP agreement then CRG approval of this draft")
def _crg_approved(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The panel agreed, then the Case Review Group approved, the current draft version."""
    return _approved_in_order(review, (ApprovalBody.CRP, ApprovalBody.CRG))


@_guard("fully_approved", "CRP, CRG and Executive approval of this draft, in order")
def _fully_approved(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The panel agreed, the CRG approved and the Executive approved the current draft
    version, in that order."""
    return _approved_in_order(review, (ApprovalBody.CRP, ApprovalBody.CRG, ApprovalBody.EXECUTIVE))


@_guard("action_plan_complete", "action plan tied to recommendations")
def _action_plan_complete(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every recommendation of the current draft has at least one action with an owner
    agency and a due date, and every action answers a recommendation of that draft."""
    draft = review.current_draft
    if draft is None:
        return [("there is no draft report.", "the Lead Reviewer submits one (submit_draft).")]
    ids = draft.recommendation_ids()
    answered = {a.recommendation for a in review.actions if a.owner and a.due}
    unanswered = [r.id for r in draft.recommendations if r.id not in answered]
    orphans = [a.id for a in review.actions if a.recommendation not in ids]
    unmet: list[Unmet] = []
    if unanswered:
        unmet.append(
            (
                f"recommendations with no action: {', '.join(unanswered)}.",
                "add an action with an owner agency and a due date for each (trigger add_action).",
            )
        )
    if orphans:
        unmet.append(
            (
                f"actions answering no recommendation of draft {draft.version}: "
                f"{', '.join(orphans)}.",
                "withdraw them or tie them to a current recommendation (trigger withdraw_action).",
            )
        )
    return unmet


@_guard("notice_period_observed", "pre-publication notice period observed")
def _notice_period_observed(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """The final report went to the National Panel and the Secretary of State at least
    the policy's notice period (7 working days) before publication."""
    record = review.clock_of_kind(ClockKind.NOTICE_PERIOD)
    if record is None:
        return [
            (
                "the final report has not been sent to the National Panel and the "
                "Secretary of State.",
                "the PDEO sends it (trigger send_final_report), then waits the notice period.",
            )
        ]
    if at.date() >= record.due:
        return []
    return [
        (
            f"the final report went to the National Panel and the Secretary of State on "
            f"{record.started_at.date().to_date_string()}; publication is allowed from "
            f"{record.due.to_date_string()} ({record.limit} working days later).",
            f"publish on or after {record.due.to_date_string()}.",
        )
    ]


@_guard("family_told", "family told before publication")
def _family_told(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The family has been told about the report before it is published."""
    if review.family_told_at is not None:
        return []
    return [("the family has not been told of publication.", "tell them (trigger inform_family).")]


@_guard("feedback_session_held", "practitioner feedback session held")
def _feedback_session_held(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """Practitioners have had their feedback session on the findings."""
    if review.meetings_of(MeetingKind.FEEDBACK_SESSION):
        return []
    return [
        (
            "no practitioner feedback session has been held.",
            "hold one (trigger hold_feedback_session).",
        )
    ]


@_guard("actions_resolved", "every action complete or closed with a reason")
def _actions_resolved(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Monitoring ends only when every action of the plan is complete or closed with a
    recorded reason."""
    still_open = [a.id for a in review.actions if a.status is ActionStatus.OPEN]
    if not still_open:
        return []
    return [
        (
            f"actions still open: {', '.join(still_open)}.",
            "complete each, or close it with a reason (trigger update_action).",
        )
    ]


DEFAULT_GUARDS: Mapping[str, Guard] = dict(_GUARDS)
"""The default guards, by id."""


def _returns_to_left_stage(review: ReviewState, dest: str) -> bool:
    return review.held_from == dest


DEFAULT_SELECTORS: Mapping[str, Selector] = {
    "left_stage": Selector("left_stage", "returns to the stage it left", _returns_to_left_stage),
}
"""The default selectors, by id."""
