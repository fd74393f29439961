"""Example details of the default process's triggers, given a review's state and the instant.

The verifier and the stateful tests fire triggers with these details. Each set
is small but covers the choices the rules read: a methodology the Chair and the
Lead Reviewer may disagree on; a panel member who is independent, involved with
a justification, or involved without one (and then replaced); a draft with two recommendations or
one (so that actions can be orphaned); a delay notified to both recipients, or
(once the review is overdue) to the National Panel alone.

Where agencies are interchangeable, only the first one varies: the second
agency's member is always independent, information is requested from and a
substitute recorded for the first seated agency only, and substitutes are
recorded once there is a draft, where panel members speak for their agency. A
confirmation of the facts names each seated agency in turn (a member may confirm only
for their own, so the others must be refused). This
keeps the verifier's state space small without losing a rule: every guard is
still met and unmet on some path. Examples are data bound to the triggers in
:mod:`cspr_workflow.states`; a partnership adding a trigger with details may add
examples for it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pendulum

from ._records import ActionStatus, ReviewState
from ._specs import Examples
from .roles import Role

__all__: list[str] = []


def fixed(*details: Mapping[str, Any]) -> Examples:
    def examples(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
        return details

    return examples


def seats(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    unjustified = {s.agency for s in state.panel if not s.independent and not s.justification}
    seated = {s.agency for s in state.panel} - unjustified
    result: list[Mapping[str, Any]] = []
    for n, agency in enumerate(state.case_agencies):
        if agency in seated:
            continue
        seat = {"agency": agency, "member": f"{agency} member", "independent": True}
        result.append(seat)
        if agency in unjustified:  # an involved member is replaced by an independent one
            continue
        if n == 0:
            involved = {**seat, "independent": False}
            result += [involved, {**involved, "justification": "Only specialist available"}]
    return result


def _first_seat(state: ReviewState) -> str | None:
    return state.panel[0].agency if state.panel else None


def confirmations(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    """A confirmation naming no agency (the member's own), and one naming each seated
    agency: a member may speak only for their own, so the rest must be refused."""
    return [{}, *({"agency": s.agency} for s in state.panel)]


def substitutes(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    first = state.panel[0] if state.panel else None
    if first is None or first.substitutes or state.current_draft is None:
        return []
    return [{"agency": first.agency, "substitute": f"{first.agency} deputy"}]


def substitutes_withdrawn(
    state: ReviewState, at: pendulum.DateTime
) -> Sequence[Mapping[str, Any]]:
    """Each recorded substitute standing down (the first seat's, as they are recorded)."""
    first = state.panel[0] if state.panel else None
    if first is None:
        return []
    return [{"agency": first.agency, "substitute": name} for name in first.substitutes]


def requests(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    agency = _first_seat(state)
    if agency is None or any(r.agency == agency for r in state.information_requests):
        return []
    return [{"agency": agency}]


def actions(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    draft = state.current_draft
    owner = _first_seat(state)
    if draft is None or owner is None:
        return []
    answered = {a.recommendation for a in state.actions}
    due = at.date().add(years=1).to_date_string()
    return [
        {"recommendation": r.id, "owner": owner, "due": due, "description": f"Answer {r.id}"}
        for r in draft.recommendations
        if r.id not in answered
    ]


def withdrawals(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    """Each orphaned action (answering no recommendation of the current draft), and the
    first action that still answers one: withdrawing it leaves a recommendation with no
    action, which a sign-off must then refuse."""
    draft = state.current_draft
    current = draft.recommendation_ids() if draft else frozenset()
    live = [a for a in state.actions if a.recommendation in current][:1]
    return [
        {"action": a.id, "reason": "No longer answers the report"}
        for a in state.actions
        if a.recommendation not in current or a in live
    ]


def updates(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    return [
        {"action": a.id, "status": ActionStatus.COMPLETE.value}
        for a in state.actions
        if a.status is ActionStatus.OPEN
    ]


def _revised(state: ReviewState, at: pendulum.DateTime) -> str:
    """30 days after the latest date a due date could be: later than any revision."""
    dates = [at.date(), *(n.revised_date for n in state.delay_notices)]
    if state.due_date is not None:
        dates.append(state.due_date)
    return max(dates).add(days=30).to_date_string()


def _overdue(state: ReviewState, at: pendulum.DateTime) -> bool:
    """Past every date the completion could be due by (a conservative reading)."""
    if state.due_date is None:
        return False
    return at.date() > max([state.due_date, *(n.revised_date for n in state.delay_notices)])


def delays(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    """A delay to both recipients; once overdue, also one to the National Panel alone."""
    both = {
        "reason": "Delay",
        "revised_date": _revised(state, at),
        "recipients": [Role.NATIONAL_PANEL, Role.EXECUTIVE],
    }
    if not _overdue(state, at):
        return [both]
    return [both, {**both, "recipients": [Role.NATIONAL_PANEL]}]


def deferral(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    return [{"reason": "Criminal proceedings", "revised_date": _revised(state, at)}]


REASON = fixed({"reason": "Recorded reason"})
"""One recorded reason."""
