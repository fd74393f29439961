"""The default process's guards: pure functions of (review, actor, time) that say what is unmet.

A guard never mutates anything. It returns what is wrong (a message, or a
``(message, remedy)`` pair when it knows a precise remedy), empty when it is
satisfied. :class:`~cspr_workflow.extension.Guard` gives it a stable id, a
readable title and the triggers that can satisfy it; the definition writes the
remedy from those (who takes which step) and the refusal carries the id.

Transitions name their guards by id (``"methodology_agreed"``); a process
definition resolves the ids against its guards (:data:`DEFAULT_GUARDS` plus any a
partnership adds, and those its approval chain and completion rule generate)
and rejects ids it cannot resolve, and remedies that are not its triggers.

Selectors are the other kind of predicate: they do not refuse a step, they
choose which of several transitions of one trigger applies (``resume`` goes
back to the stage the review was put on hold from).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pendulum

from ._calendar import WorkingDayCalendar
from ._errors import InvalidInput
from ._records import ActionStatus, Actor, ClockKind, MeetingKind, ReviewState
from ._specs import Guard, GuardFunction, Selector, Unmet
from ._time import add_months
from .roles import Role
from .states import Stage, Trigger, outstanding_corrections, requests_due

__all__ = [
    "DEFAULT_GUARDS",
    "DEFAULT_SELECTORS",
    "INFORMATION_LEAD_DAYS",
    "information_shared_in_advance",
]

_GUARDS: dict[str, Guard] = {}


def _register(
    function: GuardFunction,
    id: str,
    title: str,
    *remedies: str,
    ready_on: Callable[[ReviewState], pendulum.Date | None] | None = None,
) -> None:
    """Register a default guard; its docstring is its description.

    Each guard is registered by a call after its definition, not by a decorator: the
    mutation tests (``scripts/mutation.sh``) leave decorated functions unchanged, and
    these are the rules they are for.
    """
    description = " ".join((function.__doc__ or title).split())
    _GUARDS[id] = Guard(id, title, description, function, remedies, ready_on=ready_on)


def _kloes_shared(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The Chair has shared the key lines of enquiry identified at the Rapid Review."""
    if review.kloes_shared_at is not None:
        return []
    return ["the key lines of enquiry have not been shared."]


_register(_kloes_shared, "kloes_shared", "key lines of enquiry shared by the Chair", "share_kloes")


def _methodology_agreed(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Both the Chair and the Lead Reviewer have agreed the same methodology (their
    latest agreements name the same one) before the first panel meeting."""
    latest: dict[str, str] = {}
    for agreement in review.methodology:
        latest[agreement.role] = agreement.methodology
    missing = [r for r in (Role.CHAIR, Role.LEAD_REVIEWER) if r not in latest]
    if missing:
        who = " and the ".join(f"{{role:{r}}}" for r in missing)
        return [f"the methodology has not been agreed by the {who}."]
    if latest[Role.CHAIR] != latest[Role.LEAD_REVIEWER]:
        return [
            f"the {{role:{Role.CHAIR}}} and the {{role:{Role.LEAD_REVIEWER}}} have agreed "
            "different methodologies."
        ]
    return []


_register(
    _methodology_agreed,
    "methodology_agreed",
    "methodology agreed by Chair and Lead Reviewer",
    "agree_methodology",
)


def _terms_of_reference_set(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """The review's terms of reference are recorded."""
    if review.terms_of_reference:
        return []
    return ["the terms of reference have not been set."]


_register(
    _terms_of_reference_set,
    "terms_of_reference_set",
    "terms of reference set",
    "set_terms_of_reference",
)


def _panel_breadth(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every agency identified as relevant to the case at the Rapid Review has a seat
    on the Case Review Panel."""
    seated = {seat.agency for seat in review.panel}
    missing = [a for a in review.case_agencies if a not in seated]
    if not missing:
        return []
    return [f"no panel member for: {', '.join(missing)}."]


_register(
    _panel_breadth,
    "panel_breadth",
    "a panel member for every agency relevant to the case",
    "appoint_panel_member",
)


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
            "record a justification or appoint an independent member (appoint_panel_member).",
        )
    ]


_register(
    _panel_independent,
    "panel_independent",
    "panel members independent of the case, or the exception justified",
    "appoint_panel_member",
)


INFORMATION_LEAD_DAYS = 2
"""How many working days before a panel meeting the collated agency information reaches
the panel members, by default (local practice: the PDEO "collates agency information for
panel members before meetings"); :func:`information_shared_in_advance` makes the guard
with another number."""


def information_shared_in_advance(
    working_days: int = INFORMATION_LEAD_DAYS, calendar: WorkingDayCalendar | None = None
) -> Guard:
    """The guard ``information_shared``: every piece of agency information returned so far
    has been collated and shared with the panel members by the PDEO at least
    ``working_days`` working days before the meeting (0: any time before it), on
    ``calendar`` (default: England and Wales). A partnership with another lead time
    replaces the default guard: ``definition.extend(guards=[information_shared_in_advance(5)])``.
    """
    if type(working_days) is not int or working_days < 0:
        raise InvalidInput(
            "working_days",
            "argument_type",
            "the lead time must be a whole number of working days, 0 or more "
            f"(got {type(working_days).__name__})",
            "pass an int such as 2.",
        )
    days = calendar or WorkingDayCalendar.england_and_wales()

    def usable_from(review: ReviewState) -> pendulum.Date | None:
        """The first day every returned piece has been with the panel long enough (None if
        a piece is not shared yet, or nothing was returned)."""
        shared = [r.shared_at for r in review.information_requests if r.returned_at]
        if not shared or any(s is None for s in shared):
            return None
        return max(days.add_working_days(s.date(), working_days) for s in shared if s)

    def rule(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
        returned = [r for r in review.information_requests if r.returned_at]
        unshared = sorted({r.agency for r in returned if not r.shared_at})
        if unshared:
            return [
                f"information returned by {', '.join(unshared)} has not been shared with the "
                "panel."
            ]
        ready = usable_from(review)
        if ready is None or at.date() >= ready:
            return []
        return [
            (
                f"the panel members have had the collated information for less than "
                f"{working_days} working days.",
                f"hold the meeting on or after {ready.to_date_string()}.",
            )
        ]

    lead = f"{working_days} working days " if working_days else ""
    return Guard(
        "information_shared",
        f"agency information collated and shared {lead}before the meeting",
        "Every piece of agency information returned so far has been collated and shared "
        f"with the panel members by the PDEO {lead}before the meeting (local practice).",
        rule,
        ("share_information",),
        ready_on=usable_from,
    )


_GUARDS["information_shared"] = information_shared_in_advance()


def _information_answered(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Every information request has been returned by its agency, or the agency's
    panel member has explained why it cannot be."""
    outstanding = [r for r in review.information_requests if not r.answered]
    if not outstanding:
        return []
    due = requests_due(review)
    late = sorted({r.agency for r in outstanding if r.number in due and due[r.number] < at.date()})
    waiting = sorted({r.agency for r in outstanding})
    overdue = f" (past its due date: {', '.join(late)})" if late else ""
    return [f"information requested from {', '.join(waiting)} is outstanding{overdue}."]


_register(
    _information_answered,
    "information_answered",
    "agency information returned, or its absence explained",
    "return_information",
    "explain_missing_information",
)


def _family_invited(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Family members have been invited to contribute and their answer (contributed,
    declined or no response) is recorded."""
    if review.family_invited_at is None:
        return [
            (
                "the family has not been invited to contribute.",
                "invite them (invite_family), then record their answer (record_family_response).",
            )
        ]
    if review.family_response is None:
        return [
            (
                "the family's answer to the invitation is not recorded.",
                "record it, including a refusal or no response (record_family_response).",
            )
        ]
    return []


_register(
    _family_invited,
    "family_invited",
    "family invited to contribute",
    "invite_family",
    "record_family_response",
)


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
        f"draft {draft.version} has not been confirmed as factually accurate by: "
        f"{', '.join(missing)}."
    ]


_register(
    _facts_confirmed, "facts_confirmed", "draft fact-checked by all agencies", "confirm_facts"
)


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
                "add an action with an owner agency and a due date for each (add_action).",
            )
        )
    if orphans:
        unmet.append(
            (
                f"actions answering no recommendation of draft {draft.version}: "
                f"{', '.join(orphans)}.",
                "withdraw them (withdraw_action) or tie them to a current recommendation.",
            )
        )
    return unmet


_register(
    _action_plan_complete,
    "action_plan_complete",
    "action plan tied to recommendations",
    "add_action",
    "withdraw_action",
)


def _notice_period_observed(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """The final report went to the National Panel and the Secretary of State at least
    the policy's notice period (7 working days) before publication."""
    record = review.clock_of_kind(ClockKind.NOTICE_PERIOD)
    if record is None:
        return [
            "the final report has not been sent to the National Panel and the Secretary of State."
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


_register(
    _notice_period_observed,
    "notice_period_observed",
    "pre-publication notice period observed",
    "send_final_report",
)


def _family_told(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The family has been told about the report before it is published."""
    if review.family_told_at is not None:
        return []
    return ["the family has not been told of publication."]


_register(_family_told, "family_told", "family told before publication", "inform_family")


def _feedback_session_held(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """Practitioners have had their feedback session on the findings."""
    if review.meetings_of(MeetingKind.FEEDBACK_SESSION):
        return []
    return ["no practitioner feedback session has been held."]


_register(
    _feedback_session_held,
    "feedback_session_held",
    "practitioner feedback session held",
    "hold_feedback_session",
)


#: How long a published report stays available, at least, in calendar months.
AVAILABLE_MONTHS = 12


def _removable_from(review: ReviewState) -> pendulum.Date | None:
    """The first day the published report may be taken down (None: no report to take
    down, or taken down already)."""
    published = review.published_at
    if published is None or any(e.trigger == Trigger.REMOVE_REPORT for e in review.history):
        return None
    return add_months(published.date(), AVAILABLE_MONTHS)


def _report_available_a_year(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """A published report stays available for at least a year before it is taken down
    (and is taken down once)."""
    published = review.published_at
    if published is None:
        return ["no report was published (information about improvements is not removed)."]
    until = _removable_from(review)
    if until is None:
        return ["the report has already been removed."]
    if at.date() >= until:
        return []
    return [
        (
            f"the report was published on {published.date().to_date_string()} and stays "
            f"available until at least {until.to_date_string()}.",
            f"remove it on or after {until.to_date_string()}.",
        )
    ]


_register(
    _report_available_a_year,
    "report_available_a_year",
    "published report available for at least a year",
    ready_on=_removable_from,
)


def _corrections_made(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The Case Review Panel agrees a draft only once the Lead Reviewer has made every
    factual correction an agency asked for in its fact check (role profiles: members
    check drafts for factual accuracy for their own agency; local procedures)."""
    waiting = outstanding_corrections(review)
    if not waiting:
        return []
    return [f"factual corrections not yet made for: {', '.join(waiting)}."]


_register(
    _corrections_made,
    "corrections_made",
    "every factual correction made in this draft round",
    "correct_draft",
)


def _correction_waiting(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """The Lead Reviewer corrects the draft under fact check where an agency has asked for
    a factual correction in this draft round (the step names the agency; role profiles:
    the Lead Reviewer drafts and revises the report)."""
    if outstanding_corrections(review):
        return []
    return ["no agency has asked for a factual correction in this draft round."]


_register(
    _correction_waiting, "correction_waiting", "a factual correction asked for", "raise_correction"
)


def _panel_responses(review: ReviewState, after: int = 0) -> list[str]:
    """The National Panel's responses to the Rapid Review, in order, from step ``after``."""
    return [
        str(e.details.get("response"))
        for e in review.history
        if e.seq > after and e.trigger == Trigger.RESPOND_TO_RAPID_REVIEW
    ]


def _panel_responded(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Until a local review is commissioned, the case is not closed without one before the
    National Panel has answered the Rapid Review and the partners' decision: the Panel may
    disagree, or conclude that a local review is more appropriate (SI 2018/789 reg 11(d);
    National Panel guidance). A request for more information is not an answer."""
    if review.decided_at is not None:
        return []
    responses = _panel_responses(review)
    if responses and responses[-1] != "asks_for_information":
        return []
    if responses:
        return ["the National Panel asked for more information and has not answered since."]
    return ["the National Panel has not responded to the Rapid Review."]


_register(
    _panel_responded,
    "panel_responded",
    "the National Panel has responded",
    "respond_to_rapid_review",
)


def _local_review_preferred(
    review: ReviewState, actor: Actor, at: pendulum.DateTime
) -> list[Unmet]:
    """After a national review has been recorded, a local review follows only if the
    National Panel then concludes that a local review is more appropriate for the case
    (SI 2018/789 reg 11(d))."""
    national = [
        e.seq
        for e in review.history
        if e.dest == Stage.NATIONAL_REVIEW and e.source != Stage.NATIONAL_REVIEW
    ]
    if not national:
        return []
    if "local_review_more_appropriate" in _panel_responses(review, after=national[-1]):
        return []
    return [
        "the National Panel has not concluded, since the national review was recorded, that "
        "a local review is more appropriate."
    ]


_register(
    _local_review_preferred,
    "local_review_preferred",
    "the National Panel concluded a local review is more appropriate",
    "respond_to_rapid_review",
)


def _learning_event_held(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Practitioners have had a learning event before the report is drafted (a local
    choice: the role profiles say the review "potentially" holds one; see
    :func:`cspr_workflow.default.with_local_choices`)."""
    if review.meetings_of(MeetingKind.LEARNING_EVENT):
        return []
    return ["no Practitioner Learning Event has been held."]


_register(
    _learning_event_held,
    "learning_event_held",
    "Practitioner Learning Event held",
    "hold_learning_event",
)


def _actions_resolved(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    """Monitoring ends only when every action of the plan is complete or closed with a
    recorded reason."""
    still_open = [a.id for a in review.actions if a.status is ActionStatus.OPEN]
    if not still_open:
        return []
    return [f"actions still open: {', '.join(still_open)}."]


_register(
    _actions_resolved,
    "actions_resolved",
    "every action complete or closed with a reason",
    "update_action",
)


DEFAULT_GUARDS: Mapping[str, Guard] = dict(_GUARDS)
"""The default process's declared guards, by id. The approval chain's guards and the
completion check are generated by the definition from its rules."""


def _returns_to_left_stage(review: ReviewState, dest: str) -> bool:
    return review.held_from == dest


DEFAULT_SELECTORS: Mapping[str, Selector] = {
    "left_stage": Selector("left_stage", "returns to the stage it left", _returns_to_left_stage),
}
"""The default selectors, by id."""
