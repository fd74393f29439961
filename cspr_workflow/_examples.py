"""Example details of the default triggers, given a review's state and the instant.

The verifier and the stateful tests fire triggers with these details. Each set
is small but covers the choices the rules read: a methodology the Chair and the
Lead Reviewer may disagree on; a panel member who is independent, involved with
a justification, or involved without one (and then replaced); a draft with two recommendations or
one (so that actions can be orphaned); a delay notified to both recipients, or
(once the review is overdue) to the National Panel alone.

Where agencies are interchangeable, only the first one varies: the second
agency's member is always independent, information is requested from and a
substitute recorded for the first seated agency only, and substitutes are
recorded once there is a draft, where panel members speak for their agency. This
keeps the verifier's state space small without losing a rule: every guard is
still met and unmet on some path. Examples are data attached to the triggers;
a partnership adding a trigger with details may add examples for it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pendulum

from ._definition import Examples
from ._records import ActionStatus, ReviewState
from .roles import Role

__all__ = ["EXAMPLES"]


def _fixed(*details: Mapping[str, Any]) -> Examples:
    def examples(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
        return details

    return examples


def _seats(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
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


def _substitutes(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    first = state.panel[0] if state.panel else None
    if first is None or first.substitutes or state.current_draft is None:
        return []
    return [{"agency": first.agency, "substitute": f"{first.agency} deputy"}]


def _requests(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    agency = _first_seat(state)
    if agency is None or any(r.agency == agency for r in state.information_requests):
        return []
    return [{"agency": agency}]


def _actions(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
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


def _withdrawals(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    draft = state.current_draft
    current = draft.recommendation_ids() if draft else frozenset()
    return [
        {"action": a.id, "reason": "No longer answers the report"}
        for a in state.actions
        if a.recommendation not in current
    ]


def _updates(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    return [
        {"action": a.id, "status": ActionStatus.COMPLETE.value}
        for a in state.actions
        if a.status is ActionStatus.OPEN
    ]


def _revised(state: ReviewState, at: pendulum.DateTime) -> str:
    due = state.completion_due or at.date()
    return max(due, at.date()).add(days=30).to_date_string()


def _delays(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    both = {
        "reason": "Delay",
        "revised_date": _revised(state, at),
        "recipients": [Role.NATIONAL_PANEL, Role.EXECUTIVE],
    }
    due = state.completion_due
    if due is None or at.date() <= due:
        return [both]
    return [both, {**both, "recipients": [Role.NATIONAL_PANEL]}]


def _deferral(state: ReviewState, at: pendulum.DateTime) -> Sequence[Mapping[str, Any]]:
    return [{"reason": "Criminal proceedings", "revised_date": _revised(state, at)}]


_REASON = _fixed({"reason": "Recorded reason"})

EXAMPLES: dict[str, Examples] = {
    "submit_rapid_review": _fixed({"kloes": ["KLOE 1"], "agencies": ["Police", "Health"]}),
    "commission_review": _REASON,
    "decline_review": _REASON,
    "record_national_review": _REASON,
    "appoint_reviewers": _fixed({"chair": "Chair", "lead_reviewer": "Lead Reviewer"}),
    "set_terms_of_reference": _fixed({"terms": "Terms of reference"}),
    "share_kloes": _fixed({}),
    "agree_methodology": _fixed({"methodology": "Systems"}, {"methodology": "SILP"}),
    "appoint_panel_member": _seats,
    "record_substitute": _substitutes,
    "request_information": _requests,
    "return_information": _fixed({}),
    "explain_missing_information": _fixed({"reason": "Records not held"}),
    "record_family_response": _fixed({"response": "declined"}),
    "submit_draft": _fixed(
        {"findings": ["Finding"], "recommendations": {"R1": "First", "R2": "Second"}},
        {"findings": ["Finding"], "recommendations": {"R1": "First"}},
    ),
    "confirm_facts": _fixed({}),
    "return_comments": _fixed({"comments": "Chronology incomplete"}),
    "add_action": _actions,
    "withdraw_action": _withdrawals,
    "return_to_drafting": _REASON,
    "defer_publication": _deferral,
    "update_action": _updates,
    "put_on_hold": _REASON,
    "notify_delay": _delays,
}
"""Example details by trigger; a trigger left out gets examples made from its details."""
