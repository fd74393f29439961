"""Effects: what each trigger records. Pure: (state, step) -> next state.

An effect never edits the state it is given; it returns a new one built with
``ReviewState.evolve``. When the step's details do not fit the record (confirming a
draft twice, an action for a recommendation that does not exist), it raises
:class:`StepProblems` with every problem, and the engine refuses the step.
The engine sets the stage and appends the history entry; effects do neither.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._definition import StepContext
from ._errors import Reason, StepProblems
from ._records import (
    Action,
    ActionStatus,
    Approval,
    ApprovalBody,
    DelayNotice,
    Draft,
    FactCheck,
    FamilyResponse,
    InformationRequest,
    Meeting,
    MeetingKind,
    MethodologyAgreement,
    PanelMember,
    Recommendation,
    ReviewState,
)
from .roles import Role

__all__ = ["EFFECTS"]

_Effect = Callable[[ReviewState, StepContext], ReviewState]
EFFECTS: dict[str, _Effect] = {}


def _effect(name: str) -> Callable[[_Effect], _Effect]:
    def register(function: _Effect) -> _Effect:
        EFFECTS[name] = function
        return function

    return register


def _problem(rule: str, message: str, remedy: str, kind: str = "details") -> StepProblems:
    return StepProblems([Reason(rule, message, remedy, kind)])


def _speaker_agency(ctx: StepContext) -> str:
    """The agency a panel member speaks for in this step (their own, unless they named it)."""
    named = ctx.details.get("agency")
    agency = named if isinstance(named, str) else ctx.actor.agency
    if agency is None:
        raise _problem(
            "agency named", "the step does not say which agency it is for.", "pass agency=..."
        )
    return agency


@_effect("notify_national_panel")
def _notify(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(notified_at=ctx.at)


@_effect("submit_rapid_review")
def _rapid_review(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(
        rapid_review_at=ctx.at,
        kloes=ctx.details["kloes"],
        case_agencies=tuple(dict.fromkeys(ctx.details["agencies"])),
    )


@_effect("commission_review")
def _commission(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(decided_at=ctx.at, decision_reason=ctx.details["reason"])


@_effect("decline_review")
@_effect("record_national_review")
def _decision_without_review(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(decision_reason=ctx.details["reason"])


@_effect("appoint_reviewers")
def _appoint(state: ReviewState, ctx: StepContext) -> ReviewState:
    chair, lead = ctx.details["chair"], ctx.details["lead_reviewer"]
    if chair == lead:
        raise _problem(
            "independent Lead Reviewer",
            "the Chair and the Lead Reviewer are the same person.",
            "appoint an independent Lead Reviewer.",
        )
    return state.evolve(chair=chair, lead_reviewer=lead)


@_effect("set_terms_of_reference")
def _terms(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(terms_of_reference=ctx.details["terms"])


@_effect("share_kloes")
def _share_kloes(state: ReviewState, ctx: StepContext) -> ReviewState:
    emerging = ctx.details.get("emerging", ())
    return state.evolve(
        kloes_shared_at=ctx.at,
        kloes=tuple(dict.fromkeys(state.kloes + tuple(emerging))),
    )


@_effect("agree_methodology")
def _agree_methodology(state: ReviewState, ctx: StepContext) -> ReviewState:
    agreement = MethodologyAgreement(ctx.actor.role, ctx.details["methodology"], ctx.at)
    return state.evolve(methodology=(*state.methodology, agreement))


@_effect("appoint_panel_member")
def _appoint_member(state: ReviewState, ctx: StepContext) -> ReviewState:
    seat = PanelMember(
        agency=ctx.details["agency"],
        member=ctx.details["member"],
        independent=ctx.details["independent"],
        justification=ctx.details.get("justification"),
    )
    others = tuple(s for s in state.panel if s.agency != seat.agency)
    return state.evolve(panel=(*others, seat))


@_effect("record_substitute")
def _substitute(state: ReviewState, ctx: StepContext) -> ReviewState:
    agency = ctx.details["agency"]
    seat = state.panel_member(agency)
    if seat is None:
        raise _problem(
            "substitute for a panel seat",
            f"{agency} has no seat on the panel.",
            "appoint the agency's member first (appoint_panel_member).",
        )
    updated = attrs.evolve(seat, substitutes=(*seat.substitutes, ctx.details["substitute"]))
    return state.evolve(panel=tuple(updated if s is seat else s for s in state.panel))


def _meeting(kind: MeetingKind) -> _Effect:
    def record(state: ReviewState, ctx: StepContext) -> ReviewState:
        return state.evolve(meetings=(*state.meetings, Meeting(kind, ctx.at)))

    return record


EFFECTS["hold_panel_meeting"] = _meeting(MeetingKind.PANEL)
EFFECTS["hold_learning_event"] = _meeting(MeetingKind.LEARNING_EVENT)
EFFECTS["hold_feedback_session"] = _meeting(MeetingKind.FEEDBACK_SESSION)


@_effect("request_information")
def _request(state: ReviewState, ctx: StepContext) -> ReviewState:
    agency = ctx.details["agency"]
    if state.panel_member(agency) is None:
        raise _problem(
            "information requested through the panel",
            f"{agency} has no seat on the panel to answer the request.",
            "appoint the agency's panel member first (appoint_panel_member).",
        )
    request = InformationRequest(len(state.information_requests) + 1, agency, ctx.at)
    return state.evolve(information_requests=(*state.information_requests, request))


def _outstanding(state: ReviewState, ctx: StepContext, agency: str) -> list[InformationRequest]:
    number = ctx.details.get("number")
    mine = [r for r in state.information_requests if r.agency == agency and not r.answered]
    if number is not None:
        mine = [r for r in mine if r.number == number]
    if not mine:
        which = f"request {number}" if number is not None else "any request"
        raise _problem(
            "an outstanding request",
            f"{agency} has no outstanding {which}.",
            "check the request number (information requests are numbered from 1).",
        )
    return mine


def _replace_requests(state: ReviewState, updated: dict[int, InformationRequest]) -> ReviewState:
    return state.evolve(
        information_requests=tuple(updated.get(r.number, r) for r in state.information_requests),
    )


@_effect("return_information")
def _return_information(state: ReviewState, ctx: StepContext) -> ReviewState:
    agency = _speaker_agency(ctx)
    return _replace_requests(
        state,
        {r.number: attrs.evolve(r, returned_at=ctx.at) for r in _outstanding(state, ctx, agency)},
    )


@_effect("explain_missing_information")
def _explain_missing(state: ReviewState, ctx: StepContext) -> ReviewState:
    agency = _speaker_agency(ctx)
    reason = ctx.details["reason"]
    return _replace_requests(
        state,
        {
            r.number: attrs.evolve(r, absence_reason=reason)
            for r in _outstanding(state, ctx, agency)
        },
    )


@_effect("share_information")
def _share_information(state: ReviewState, ctx: StepContext) -> ReviewState:
    pending = [r for r in state.information_requests if r.returned_at and not r.shared_at]
    if not pending:
        raise _problem(
            "information to share",
            "no returned information is waiting to be shared.",
            "share once an agency has returned information.",
        )
    return _replace_requests(state, {r.number: attrs.evolve(r, shared_at=ctx.at) for r in pending})


@_effect("invite_family")
def _invite_family(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(family_invited_at=ctx.at, family_response=None)


@_effect("record_family_response")
def _family_response(state: ReviewState, ctx: StepContext) -> ReviewState:
    if state.family_invited_at is None:
        raise _problem(
            "family invited first",
            "the family has not been invited, so there is no answer to record.",
            "invite them first (invite_family).",
        )
    return state.evolve(family_response=FamilyResponse(ctx.details["response"]))


@_effect("submit_draft")
def _submit_draft(state: ReviewState, ctx: StepContext) -> ReviewState:
    draft = Draft(
        version=len(state.drafts) + 1,
        at=ctx.at,
        findings=ctx.details["findings"],
        recommendations=tuple(Recommendation(i, t) for i, t in ctx.details["recommendations"]),
    )
    return state.evolve(drafts=(*state.drafts, draft))


@_effect("confirm_facts")
def _confirm_facts(state: ReviewState, ctx: StepContext) -> ReviewState:
    agency = _speaker_agency(ctx)
    draft = state.current_draft
    if draft is None:  # unreachable through the default table; kept for local definitions
        raise _problem("a draft to check", "there is no draft report.", "submit a draft first.")
    if any(f.agency == agency and f.version == draft.version for f in state.fact_checks):
        raise _problem(
            "one confirmation per agency and draft",
            f"{agency} has already confirmed draft {draft.version}.",
            "nothing to do; wait for the other agencies.",
        )
    check = FactCheck(agency, draft.version, ctx.at)
    return state.evolve(fact_checks=(*state.fact_checks, check))


def _approval(body: ApprovalBody) -> _Effect:
    def record(state: ReviewState, ctx: StepContext) -> ReviewState:
        draft = state.current_draft
        if draft is None:  # the approval guards refuse first in the default table
            raise _problem("a draft to approve", "there is no draft report.", "submit one.")
        return state.evolve(approvals=(*state.approvals, Approval(body, draft.version, ctx.at)))

    return record


EFFECTS["agree_report"] = _approval(ApprovalBody.CRP)
EFFECTS["crg_approve"] = _approval(ApprovalBody.CRG)
EFFECTS["executive_approve"] = _approval(ApprovalBody.EXECUTIVE)


@_effect("return_to_drafting")
def _return_to_drafting(state: ReviewState, ctx: StepContext) -> ReviewState:
    draft = state.current_draft
    version = draft.version if draft else 0
    return state.evolve(approvals=tuple(a for a in state.approvals if a.version != version))


@_effect("add_action")
def _add_action(state: ReviewState, ctx: StepContext) -> ReviewState:
    draft = state.current_draft
    recommendation = ctx.details["recommendation"]
    owner = ctx.details["owner"]
    due = ctx.details["due"]
    problems = []
    if draft is None or recommendation not in draft.recommendation_ids():
        known = ", ".join(sorted(draft.recommendation_ids())) if draft else "none"
        problems.append(
            Reason(
                "action answers a recommendation",
                f"recommendation {recommendation!r} is not in the current draft "
                f"(it has: {known}).",
                "name one of the current draft's recommendations.",
                "details",
            )
        )
    if due < ctx.at.date():
        problems.append(
            Reason(
                "action due date in the future",
                f"the due date {due.to_date_string()} is already past.",
                "give a due date on or after the day the action is added.",
                "details",
            )
        )
    if problems:
        raise StepProblems(problems)
    number = 1 + sum(1 for e in state.history if e.trigger == "add_action")
    action = Action(f"A{number}", recommendation, owner, due, ctx.details["description"])
    return state.evolve(actions=(*state.actions, action))


def _find_action(state: ReviewState, ctx: StepContext) -> Action:
    wanted = ctx.details["action"]
    for action in state.actions:
        if action.id == wanted:
            return action
    raise _problem(
        "an existing action",
        f"there is no action {wanted!r} "
        f"(actions: {', '.join(a.id for a in state.actions) or 'none'}).",
        "name an action of the plan.",
    )


@_effect("withdraw_action")
def _withdraw_action(state: ReviewState, ctx: StepContext) -> ReviewState:
    action = _find_action(state, ctx)
    return state.evolve(actions=tuple(a for a in state.actions if a is not action))


@_effect("update_action")
def _update_action(state: ReviewState, ctx: StepContext) -> ReviewState:
    action = _find_action(state, ctx)
    status = ActionStatus(ctx.details["status"])
    reason = ctx.details.get("reason")
    problems = []
    if ctx.actor.role is Role.PANEL_MEMBER and action.owner != ctx.actor.agency:
        problems.append(
            Reason(
                "panel member speaks for their own agency",
                f"action {action.id} is owned by {action.owner}, not {ctx.actor.agency}.",
                "that agency's panel member, or the CRG, updates it.",
                "permission",
            )
        )
    if action.status is not ActionStatus.OPEN:
        problems.append(
            Reason(
                "an open action",
                f"action {action.id} is already {action.status.value}.",
                "nothing to do.",
                "details",
            )
        )
    if status is ActionStatus.CLOSED and not reason:
        problems.append(
            Reason(
                "closing an action needs a reason",
                f"action {action.id} is being closed without a reason.",
                "pass reason=... explaining why it is closed incomplete.",
                "details",
            )
        )
    if problems:
        raise StepProblems(problems)
    updated = attrs.evolve(action, status=status, closing_reason=reason)
    return state.evolve(actions=tuple(updated if a is action else a for a in state.actions))


@_effect("send_final_report")
def _send_final_report(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(report_sent_at=ctx.at)


@_effect("inform_family")
def _inform_family(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(family_told_at=ctx.at)


@_effect("publish")
def _publish(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(published_at=ctx.at)


def _delay(state: ReviewState, ctx: StepContext, recipients: frozenset[Role]) -> ReviewState:
    revised = ctx.details["revised_date"]
    due = state.completion_due
    problems = []
    if revised <= ctx.at.date():
        problems.append(
            Reason(
                "revised date in the future",
                f"the revised date {revised.to_date_string()} is not after the notice's date.",
                "give the date by which the review will now be published.",
                "details",
            )
        )
    if due is not None and revised <= due:
        problems.append(
            Reason(
                "revised date after the current due date",
                f"the revised date {revised.to_date_string()} is not after the current due date "
                f"{due.to_date_string()}, so it is no delay.",
                "give a later revised date.",
                "details",
            )
        )
    if problems:
        raise StepProblems(problems)
    notice = DelayNotice(recipients, ctx.details["reason"], revised, ctx.at)
    return state.evolve(delay_notices=(*state.delay_notices, notice))


@_effect("notify_delay")
def _notify_delay(state: ReviewState, ctx: StepContext) -> ReviewState:
    recipients = frozenset(ctx.details["recipients"])
    allowed = {Role.NATIONAL_PANEL, Role.EXECUTIVE}
    if not recipients <= allowed:
        others = ", ".join(sorted(r.label for r in recipients - allowed))
        raise _problem(
            "delay notified to the National Panel and the Executive",
            f"delay notices go to the National Panel and the Executive, not to {others}.",
            "name national_panel and executive as recipients.",
        )
    return _delay(state, ctx, recipients)


@_effect("defer_publication")
def _defer(state: ReviewState, ctx: StepContext) -> ReviewState:
    return _delay(state, ctx, frozenset({Role.NATIONAL_PANEL, Role.EXECUTIVE}))


@_effect("put_on_hold")
def _hold(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(held_from=ctx.source)


@_effect("resume")
def _resume(state: ReviewState, ctx: StepContext) -> ReviewState:
    return state.evolve(held_from=None)
