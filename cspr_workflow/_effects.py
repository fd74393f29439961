"""Effects: what a step records. Pure: (state, step) -> next state.

An effect never edits the state it is given; it returns a new one built with
``ReviewState.evolve``. When the step's details do not fit the record (confirming a
draft twice, an action for a recommendation that does not exist), it raises
:class:`StepProblems` with every problem, and the engine refuses the step.
The engine sets the stage and appends the history entry; effects do neither.

Each function here records one kind of fact of the review's record. A process
definition binds them to its triggers by reference (``TriggerSpec(effect=...)``);
nothing here knows which trigger it is bound to. The approval chain's records
and the delay notices are written by the definition's own effects (see
:func:`approval_effect`, :func:`reset_effect` and :func:`delay_effect`).
"""

from __future__ import annotations

import attrs
import pendulum

from ._errors import Reason, StepProblems
from ._records import (
    Action,
    ActionStatus,
    Approval,
    ClockKind,
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
from ._specs import Effect, StepContext
from ._time import add_months

__all__ = [
    "meeting",
    "record_action",
    "record_action_status",
    "record_action_withdrawn",
    "record_decision",
    "record_decision_reason",
    "record_draft",
    "record_fact_check",
    "record_family_answer",
    "record_family_invited",
    "record_family_told",
    "record_held",
    "record_information_missing",
    "record_information_request",
    "record_information_returned",
    "record_information_shared",
    "record_kloes_shared",
    "record_methodology",
    "record_notification",
    "record_panel_seat",
    "record_panel_substitute",
    "record_publication",
    "record_rapid_review",
    "record_report_sent",
    "record_resumed",
    "record_reviewer_replaced",
    "record_reviewers",
    "record_substitute_withdrawn",
    "record_terms",
]


def _problem(
    rule_id: str, title: str, message: str, remedy: str, kind: str = "details"
) -> StepProblems:
    return StepProblems([Reason(rule_id, title, message, remedy, kind)])


def _agency(ctx: StepContext) -> str:
    """The agency the actor speaks for in this step (their own, unless they named it)."""
    agency = ctx.spoken_for
    if agency is None:
        raise _problem(
            "agency_named",
            "the step names its agency",
            "the step does not say which agency it is for.",
            "pass the agency, or act as an actor with an agency.",
        )
    return agency


def record_notification(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The serious incident has been notified: when."""
    return state.evolve(notified_at=ctx.at)


def record_rapid_review(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The rapid review: when, its key lines of enquiry and the agencies relevant to the case."""
    return state.evolve(
        rapid_review_at=ctx.at,
        kloes=ctx.details["kloes"],
        case_agencies=tuple(dict.fromkeys(ctx.details["agencies"])),
    )


def record_decision(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The decision to initiate a review: when, and why."""
    return state.evolve(decided_at=ctx.at, decision_reason=ctx.details["reason"])


def record_decision_reason(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A decision that ends the local process: why."""
    return state.evolve(decision_reason=ctx.details["reason"])


def record_reviewers(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The review's Chair and independent Lead Reviewer, who must be different people."""
    chair, lead = ctx.details["chair"], ctx.details["lead_reviewer"]
    if chair == lead:
        raise _problem(
            "independent_reviewer",
            "independent Lead Reviewer",
            "the Chair and the Lead Reviewer are the same person.",
            "appoint an independent Lead Reviewer.",
        )
    return state.evolve(chair=chair, lead_reviewer=lead)


def record_reviewer_replaced(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The Chair or the Lead Reviewer replaced: the history keeps who held the role when
    (each step records its actor), the review holds the new holder from now on."""
    field = ctx.details["reviewer"]
    name = ctx.details["name"]
    other = state.lead_reviewer if field == "chair" else state.chair
    if name == other:
        raise _problem(
            "independent_reviewer",
            "independent Lead Reviewer",
            "the Chair and the Lead Reviewer would be the same person.",
            "appoint someone else.",
        )
    if name == getattr(state, field):
        raise _problem(
            "reviewer_replaced",
            "a replacement is someone new",
            "the person named already holds the role.",
            "name the new holder.",
        )
    return state.evolve(**{field: name})


def record_substitute_withdrawn(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A recorded substitute for an agency's panel member withdrawn."""
    agency, name = ctx.details["agency"], ctx.details["substitute"]
    seat = state.panel_member(agency)
    if seat is None or name not in seat.substitutes:
        raise _problem(
            "substitute_recorded",
            "a withdrawn substitute was recorded",
            f"no such substitute is recorded for {agency}.",
            "name a recorded substitute of the agency.",
        )
    updated = attrs.evolve(seat, substitutes=tuple(s for s in seat.substitutes if s != name))
    return state.evolve(panel=tuple(updated if s is seat else s for s in state.panel))


def record_terms(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The terms of reference."""
    return state.evolve(terms_of_reference=ctx.details["terms"])


def record_kloes_shared(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The key lines of enquiry shared, with any emerging ones added."""
    emerging = ctx.details.get("emerging", ())
    return state.evolve(
        kloes_shared_at=ctx.at,
        kloes=tuple(dict.fromkeys(state.kloes + tuple(emerging))),
    )


def record_methodology(state: ReviewState, ctx: StepContext) -> ReviewState:
    """One role's agreement of the methodology."""
    agreement = MethodologyAgreement(ctx.actor.role, ctx.details["methodology"], ctx.at)
    return state.evolve(methodology=(*state.methodology, agreement))


def record_panel_seat(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An agency's seat on the panel (replacing its earlier member, if any)."""
    seat = PanelMember(
        agency=ctx.details["agency"],
        member=ctx.details["member"],
        independent=ctx.details["independent"],
        justification=ctx.details.get("justification"),
    )
    others = tuple(s for s in state.panel if s.agency != seat.agency)
    return state.evolve(panel=(*others, seat))


def record_panel_substitute(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A substitute for an agency's panel member."""
    agency = ctx.details["agency"]
    seat = state.panel_member(agency)
    if seat is None:
        raise _problem(
            "substitute_for_a_seat",
            "substitute for a panel seat",
            f"{agency} has no seat on the panel.",
            "appoint the agency's panel member first.",
        )
    updated = attrs.evolve(seat, substitutes=(*seat.substitutes, ctx.details["substitute"]))
    return state.evolve(panel=tuple(updated if s is seat else s for s in state.panel))


def meeting(kind: MeetingKind) -> Effect:
    """An effect recording a meeting of ``kind``."""

    def record(state: ReviewState, ctx: StepContext) -> ReviewState:
        return state.evolve(meetings=state.meetings.add(Meeting(kind, ctx.at)))

    record.__doc__ = f"A {kind.value.replace('_', ' ')}."
    return record


def record_information_request(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A request for an agency's information, numbered from 1."""
    agency = ctx.details["agency"]
    if state.panel_member(agency) is None:
        raise _problem(
            "request_through_the_panel",
            "information requested through the panel",
            f"{agency} has no seat on the panel to answer the request.",
            "appoint the agency's panel member first.",
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
            "outstanding_request",
            "an outstanding request",
            f"{agency} has no outstanding {which}.",
            "check the request number (information requests are numbered from 1).",
        )
    return mine


def _replace_requests(state: ReviewState, updated: dict[int, InformationRequest]) -> ReviewState:
    return state.evolve(
        information_requests=tuple(updated.get(r.number, r) for r in state.information_requests),
    )


def record_information_returned(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An agency's outstanding requests (or one, by number) returned."""
    agency = _agency(ctx)
    return _replace_requests(
        state,
        {r.number: attrs.evolve(r, returned_at=ctx.at) for r in _outstanding(state, ctx, agency)},
    )


def record_information_missing(state: ReviewState, ctx: StepContext) -> ReviewState:
    """Why an agency's outstanding requests (or one, by number) cannot be answered."""
    agency = _agency(ctx)
    reason = ctx.details["reason"]
    return _replace_requests(
        state,
        {
            r.number: attrs.evolve(r, absence_reason=reason)
            for r in _outstanding(state, ctx, agency)
        },
    )


def record_information_shared(state: ReviewState, ctx: StepContext) -> ReviewState:
    """Every returned, unshared piece of information collated and shared."""
    pending = [r for r in state.information_requests if r.returned_at and not r.shared_at]
    if not pending:
        raise _problem(
            "information_to_share",
            "information to share",
            "no returned information is waiting to be shared.",
            "share once an agency has returned information.",
        )
    return _replace_requests(state, {r.number: attrs.evolve(r, shared_at=ctx.at) for r in pending})


def record_family_invited(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The family invited to contribute (an earlier answer no longer stands)."""
    return state.evolve(family_invited_at=ctx.at, family_response=None)


def record_family_answer(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The family's answer to the invitation."""
    if state.family_invited_at is None:
        raise _problem(
            "family_invited_first",
            "family invited first",
            "the family has not been invited, so there is no answer to record.",
            "invite them first.",
        )
    return state.evolve(family_response=FamilyResponse(ctx.details["response"]))


def record_draft(state: ReviewState, ctx: StepContext) -> ReviewState:
    """Draft *n*, with its findings and recommendations."""
    draft = Draft(
        version=len(state.drafts) + 1,
        at=ctx.at,
        findings=ctx.details["findings"],
        recommendations=tuple(Recommendation(i, t) for i, t in ctx.details["recommendations"]),
    )
    return state.evolve(drafts=(*state.drafts, draft))


def record_fact_check(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An agency confirming the current draft is factually accurate (once per draft)."""
    agency = _agency(ctx)
    draft = state.current_draft
    if draft is None:
        raise _problem(
            "draft_to_check",
            "a draft to check",
            "there is no draft report.",
            "submit a draft first.",
        )
    if any(f.agency == agency and f.version == draft.version for f in state.fact_checks):
        raise _problem(
            "one_confirmation",
            "one confirmation per agency and draft",
            f"{agency} has already confirmed draft {draft.version}.",
            "nothing to do; wait for the other agencies.",
        )
    check = FactCheck(agency, draft.version, ctx.at)
    return state.evolve(fact_checks=(*state.fact_checks, check))


def record_action(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An action of the action plan, answering a recommendation of the current draft.

    Actions are numbered A1, A2, ... by how many times this step has been taken, so
    a withdrawn action's number is never given again.
    """
    draft = state.current_draft
    recommendation = ctx.details["recommendation"]
    owner = ctx.details["owner"]
    due = ctx.details["due"]
    problems = []
    if draft is None or recommendation not in draft.recommendation_ids():
        known = ", ".join(sorted(draft.recommendation_ids())) if draft else "none"
        problems.append(
            Reason(
                "action_answers_a_recommendation",
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
                "action_due_later",
                "action due date in the future",
                f"the due date {due.to_date_string()} is already past.",
                "give a due date on or after the day the action is added.",
                "details",
            )
        )
    if problems:
        raise StepProblems(problems)
    number = 1 + sum(1 for e in state.history if e.trigger == ctx.trigger.name)
    action = Action(f"A{number}", recommendation, owner, due, ctx.details["description"])
    return state.evolve(actions=(*state.actions, action))


def _find_action(state: ReviewState, ctx: StepContext) -> Action:
    wanted = ctx.details["action"]
    for action in state.actions:
        if action.id == wanted:
            return action
    raise _problem(
        "an_existing_action",
        "an existing action",
        f"there is no action {wanted!r} "
        f"(actions: {', '.join(a.id for a in state.actions) or 'none'}).",
        "name an action of the plan.",
    )


def record_action_withdrawn(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An action taken out of the plan."""
    action = _find_action(state, ctx)
    return state.evolve(actions=tuple(a for a in state.actions if a is not action))


def record_action_status(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An open action marked complete, or closed with a reason. An actor whose role acts
    for an agency updates only that agency's actions."""
    action = _find_action(state, ctx)
    status = ActionStatus(ctx.details["status"])
    reason = ctx.details.get("reason")
    problems = []
    speaks_for = ctx.role is not None and ctx.role.agency
    if speaks_for and action.owner != ctx.actor.agency:
        problems.append(
            Reason(
                "own_agency",
                "an actor speaks only for their own agency",
                f"action {action.id} is owned by {action.owner}, not {ctx.actor.agency}.",
                "that agency's own actor, or a role acting for no one agency, updates it.",
                "permission",
            )
        )
    if action.status is not ActionStatus.OPEN:
        problems.append(
            Reason(
                "open_action",
                "an open action",
                f"action {action.id} is already {action.status.value}.",
                "nothing to do.",
                "details",
            )
        )
    if status is ActionStatus.CLOSED and not reason:
        problems.append(
            Reason(
                "closing_reason",
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


def record_report_sent(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The final report sent ahead of publication."""
    return state.evolve(report_sent_at=ctx.at)


def record_family_told(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The family told of publication."""
    return state.evolve(family_told_at=ctx.at)


def record_publication(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The report published."""
    return state.evolve(published_at=ctx.at)


def record_held(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The stage a review was paused from (a selector returns it there)."""
    return state.evolve(held_from=ctx.source)


def record_resumed(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The pause is over."""
    return state.evolve(held_from=None)


# -- the definition's own effects: the approval chain and delay notices ----------------


def approval_effect(body: str) -> Effect:
    """The approval chain's record: ``body`` approved the current draft."""

    def record(state: ReviewState, ctx: StepContext) -> ReviewState:
        draft = state.current_draft
        if draft is None:  # the chain's guards refuse first in a sound definition
            raise _problem(
                "draft_to_approve",
                "a draft to approve",
                "there is no draft report.",
                "submit one.",
            )
        return state.evolve(approvals=(*state.approvals, Approval(body, draft.version, ctx.at)))

    return record


def reset_effect(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The approval chain starts again: the current draft's approvals are cleared, and
    so is any notice period given for the approved report (with its sending), so the
    report sent again gives its notice again."""
    draft = state.current_draft
    version = draft.version if draft else 0
    notices = {c.id for c in ctx.policy.clocks if c.kind is ClockKind.NOTICE_PERIOD}
    return state.evolve(
        approvals=tuple(a for a in state.approvals if a.version != version),
        clocks=tuple(c for c in state.clocks if c.id not in notices),
        report_sent_at=None,
    )


def _revised_date_bounds(
    revised: pendulum.Date, due: pendulum.Date | None, ctx: StepContext
) -> list[Reason]:
    """A notice's revised date within the longest delay one notice may give, and within
    the years the policy's calendar knows."""
    rule = ctx.completion
    today = ctx.at.date()
    basis = due if due is not None and due > today else today
    latest = add_months(basis, rule.max_extension_months)
    problems = []
    if revised > latest:
        what = "the current due date" if basis is due else "the notice's date"
        problems.append(
            Reason(
                "revised_date_within_limit",
                "revised date within the longest delay one notice may give",
                f"the revised date {revised.to_date_string()} is more than "
                f"{rule.max_extension_months} months after {what} {basis.to_date_string()}: "
                "one notice moves the due date by at most that much, and a longer delay is "
                "notified again once it is known.",
                f"give a revised date no later than {latest.to_date_string()}.",
                "details",
            )
        )
    calendar = ctx.policy.calendar
    if not calendar.covers(revised):
        problems.append(
            Reason(
                "revised_date_in_calendar",
                "revised date within the calendar's years",
                f"the revised date {revised.to_date_string()} is outside the years the "
                f"{calendar.name} calendar knows ({calendar.first_year}-{calendar.last_year}).",
                "give a date within them, or a policy with a calendar that covers it.",
                "details",
            )
        )
    return problems


def delay_effect(everyone: bool) -> Effect:
    """A delay notice with the step's ``reason`` and ``revised_date``: to the recipients the
    step names (each one of the completion rule's), or, with ``everyone``, to all of them."""

    def record(state: ReviewState, ctx: StepContext) -> ReviewState:
        rule = ctx.completion
        allowed = set(rule.recipients)
        if everyone:
            recipients = frozenset(allowed)
        else:
            recipients = frozenset(ctx.details["recipients"])
            if not recipients <= allowed:
                titles = ctx.titles
                others = ", ".join(sorted(titles.get(r, r) for r in recipients - allowed))
                wanted = " and ".join(titles.get(r, r) for r in rule.recipients)
                raise _problem(
                    "delay_recipients",
                    "a delay goes to the recipients the rule names",
                    f"delay notices go to {wanted}, not to {others}.",
                    f"name {', '.join(rule.recipients)} as recipients.",
                )
        revised = ctx.details["revised_date"]
        due = ctx.completion_due(state)
        problems = []
        if revised <= ctx.at.date():
            problems.append(
                Reason(
                    "revised_date_later",
                    "revised date in the future",
                    f"the revised date {revised.to_date_string()} is not after the notice's date.",
                    "give the date by which the review will now be completed.",
                    "details",
                )
            )
        if due is not None and revised <= due:
            problems.append(
                Reason(
                    "revised_date_after_due",
                    "revised date after the current due date",
                    f"the revised date {revised.to_date_string()} is not after the current due "
                    f"date {due.to_date_string()}, so it is no delay.",
                    "give a later revised date.",
                    "details",
                )
            )
        problems += _revised_date_bounds(revised, due, ctx)
        if problems:
            raise StepProblems(problems)
        notice = DelayNotice(recipients, ctx.details["reason"], revised, ctx.at)
        return state.evolve(delay_notices=(*state.delay_notices, notice))

    return record
