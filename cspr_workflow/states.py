"""The default process as data: stages, triggers, ONE table of transitions, the approval
chain, the completion rule and the national clocks.

The engine fires what the table allows; the docs' process table, the diagrams,
the verifier and the simulation all read the definition assembled from this
module (:data:`cspr_workflow.DEFAULT_DEFINITION`). It is the national process
(Working Together to Safeguard Children; the Child Safeguarding Practice Review
and Relevant Agency (England) Regulations 2018) with one set of local arrangements
(the report approved by a Case Review Panel, a Case Review Group and the Executive; the
roles as a safeguarding partnership's role profiles describe them); a partnership
derives its own with :meth:`ProcessDefinition.evolve` or
:meth:`ProcessDefinition.extend`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import pendulum

from . import _effects as effects
from . import _examples as examples
from ._clocks import ClockSpec, CompletionRule, NationalLimits, Policy
from ._details import DetailKind, DetailSpec
from ._errors import Reason, StepProblems
from ._records import (
    ActionStatus,
    ClockKind,
    ClockUnit,
    FamilyResponse,
    InformationRequest,
    MeetingKind,
    ReviewState,
)
from ._specs import (
    ApprovalChain,
    ApprovalStep,
    Effect,
    Examples,
    StageSpec,
    StepContext,
    TransitionSpec,
    TriggerSpec,
)
from .roles import Role

__all__ = [
    "APPROVAL_CHAIN",
    "COMPLETION_RULE",
    "DEFAULT_STAGES",
    "DEFAULT_TRANSITIONS",
    "DEFAULT_TRIGGERS",
    "EXPECTED_WORKING_DAYS",
    "NATIONAL_CLOCKS",
    "NATIONAL_LIMITS",
    "NATIONAL_POLICY",
    "UNEXPLORED",
    "ApprovalBody",
    "Stage",
    "Trigger",
]


class Stage(enum.StrEnum):
    """The stages of the default process."""

    AWARE = "aware"
    NOTIFIED = "notified"
    RAPID_REVIEW_SUBMITTED = "rapid_review_submitted"
    COMMISSIONED = "commissioned"
    SCOPING = "scoping"
    PANEL_REVIEW = "panel_review"
    DRAFTING = "drafting"
    FACT_CHECK = "fact_check"
    CRP_AGREED = "crp_agreed"
    CRG_APPROVED = "crg_approved"
    EXECUTIVE_APPROVED = "executive_approved"
    PRE_PUBLICATION = "pre_publication"
    PUBLISHED = "published"
    IMPROVEMENTS_PUBLISHED = "improvements_published"
    MONITORING = "monitoring"
    CLOSED = "closed"
    ON_HOLD = "on_hold"
    PUBLICATION_DEFERRED = "publication_deferred"
    NOT_COMMISSIONED = "not_commissioned"
    NATIONAL_REVIEW = "national_review"
    NOTIFICATION_WITHDRAWN = "notification_withdrawn"
    LOCAL_PROCESS_ENDED = "local_process_ended"


class Trigger(enum.StrEnum):
    """The triggers of the default process."""

    NOTIFY_NATIONAL_PANEL = "notify_national_panel"
    WITHDRAW_NOTIFICATION = "withdraw_notification"
    SUBMIT_RAPID_REVIEW = "submit_rapid_review"
    COMMISSION_REVIEW = "commission_review"
    DECLINE_REVIEW = "decline_review"
    RECORD_NATIONAL_REVIEW = "record_national_review"
    APPOINT_REVIEWERS = "appoint_reviewers"
    REPLACE_REVIEWER = "replace_reviewer"
    SET_TERMS_OF_REFERENCE = "set_terms_of_reference"
    SHARE_KLOES = "share_kloes"
    AGREE_METHODOLOGY = "agree_methodology"
    APPOINT_PANEL_MEMBER = "appoint_panel_member"
    RECORD_SUBSTITUTE = "record_substitute"
    WITHDRAW_SUBSTITUTE = "withdraw_substitute"
    HOLD_PANEL_MEETING = "hold_panel_meeting"
    REQUEST_INFORMATION = "request_information"
    RETURN_INFORMATION = "return_information"
    EXPLAIN_MISSING_INFORMATION = "explain_missing_information"
    SHARE_INFORMATION = "share_information"
    HOLD_LEARNING_EVENT = "hold_learning_event"
    INVITE_FAMILY = "invite_family"
    RECORD_FAMILY_RESPONSE = "record_family_response"
    BEGIN_DRAFTING = "begin_drafting"
    SUBMIT_DRAFT = "submit_draft"
    CONFIRM_FACTS = "confirm_facts"
    RETURN_COMMENTS = "return_comments"
    AGREE_REPORT = "agree_report"
    ADD_ACTION = "add_action"
    WITHDRAW_ACTION = "withdraw_action"
    CRG_APPROVE = "crg_approve"
    EXECUTIVE_APPROVE = "executive_approve"
    RETURN_TO_DRAFTING = "return_to_drafting"
    SEND_FINAL_REPORT = "send_final_report"
    HOLD_FEEDBACK_SESSION = "hold_feedback_session"
    INFORM_FAMILY = "inform_family"
    PUBLISH = "publish"
    PUBLISH_IMPROVEMENTS = "publish_improvements"
    DEFER_PUBLICATION = "defer_publication"
    LIFT_DEFERRAL = "lift_deferral"
    REMOVE_REPORT = "remove_report"
    BEGIN_MONITORING = "begin_monitoring"
    UPDATE_ACTION = "update_action"
    CLOSE_REVIEW = "close_review"
    PUT_ON_HOLD = "put_on_hold"
    RESUME = "resume"
    NOTIFY_DELAY = "notify_delay"
    REVIEW_PROGRESS = "review_progress"
    REQUEST_FROM_REVIEWER = "request_from_reviewer"
    RESPOND_TO_RAPID_REVIEW = "respond_to_rapid_review"
    RAISE_CORRECTION = "raise_correction"
    CORRECT_DRAFT = "correct_draft"
    RAISE_ISSUE = "raise_issue"
    RECORD_PRACTITIONER = "record_practitioner"
    HOLD_FAMILY_MEETING = "hold_family_meeting"
    END_LOCAL_PROCESS = "end_local_process"


S, T, R = Stage, Trigger, Role

COMPLETION_RECIPIENTS = (R.NATIONAL_PANEL, R.EXECUTIVE)

DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        S.AWARE,
        "Serious incident known",
        "The local authority has become aware of a serious incident; clock C1 runs.",
        initial=True,
    ),
    StageSpec(
        S.NOTIFIED,
        "Notified",
        "The National Panel has been notified; the Rapid Review is under way (C2).",
    ),
    StageSpec(
        S.RAPID_REVIEW_SUBMITTED,
        "Rapid Review submitted",
        "The Rapid Review has gone to the National Panel; the partners decide.",
    ),
    StageSpec(
        S.COMMISSIONED,
        "Commissioned",
        "The partners decided to initiate a local review; the completion clock (C3) runs.",
    ),
    StageSpec(
        S.SCOPING,
        "Scoping",
        "Chair and Lead Reviewer appointed: terms of reference, KLOEs, panel, methodology.",
    ),
    StageSpec(
        S.PANEL_REVIEW,
        "Panel review",
        "Panel meetings, agency information, the Practitioner Learning Event, the family.",
    ),
    StageSpec(S.DRAFTING, "Drafting", "The Lead Reviewer writes the next draft report."),
    StageSpec(
        S.FACT_CHECK, "Fact check", "Every panel agency checks the draft for factual accuracy."
    ),
    StageSpec(
        S.CRP_AGREED,
        "CRP agreed",
        "The Case Review Panel agreed the draft and produces the action plan.",
    ),
    StageSpec(
        S.CRG_APPROVED,
        "CRG approved",
        "The Case Review Group approved the report and the action plan.",
    ),
    StageSpec(
        S.EXECUTIVE_APPROVED,
        "Executive approved",
        "The Executive gave final approval of the report and action plan.",
    ),
    StageSpec(
        S.PRE_PUBLICATION,
        "Pre-publication",
        "Report sent to the National Panel and Secretary of State; feedback; family told.",
    ),
    StageSpec(S.PUBLISHED, "Published", "The report is published (C3 stops)."),
    StageSpec(
        S.IMPROVEMENTS_PUBLISHED,
        "Improvements published",
        "Publishing the report was judged inappropriate: information about the improvements "
        "is published instead, the reasons sent to the National Panel and the Secretary of "
        "State (C3 stops; SI 2018/789, Working Together 2023).",
    ),
    StageSpec(S.MONITORING, "Monitoring", "The CRG monitors the action plan."),
    StageSpec(
        S.CLOSED, "Closed", "Every action is complete or closed; the review is over.", final=True
    ),
    StageSpec(
        S.ON_HOLD,
        "On hold",
        "Paused for parallel proceedings; resumes at the stage it left.",
        side_path=True,
    ),
    StageSpec(
        S.PUBLICATION_DEFERRED,
        "Publication deferred",
        "Publication deferred (e.g. criminal proceedings): a notified delay.",
        side_path=True,
    ),
    StageSpec(
        S.NOT_COMMISSIONED,
        "Not commissioned",
        "The partners decided not to commission a review; learning is taken another way. "
        "The decision can be revisited (the National Panel may disagree) until the local "
        "process ends.",
        side_path=True,
    ),
    StageSpec(
        S.NATIONAL_REVIEW,
        "National review",
        "The National Panel took a national review; the Panel may still conclude that a "
        "local review is more appropriate (SI 2018/789 reg 11(d)) until the local process "
        "ends.",
        side_path=True,
    ),
    StageSpec(
        S.NOTIFICATION_WITHDRAWN,
        "Notification withdrawn",
        "The case was found not to meet the criteria for notification; the notification "
        "is withdrawn with the reason, and no rapid review follows (National Panel FAQ).",
        final=True,
        side_path=True,
    ),
    StageSpec(
        S.LOCAL_PROCESS_ENDED,
        "Local process ended",
        "No local review: the decision not to commission one, or the national review, "
        "stands after the National Panel's response; learning is taken another way.",
        final=True,
        side_path=True,
    ),
)
"""The stages of the default process, in the order tables list them."""


def _d(
    name: str,
    kind: DetailKind,
    help: str,
    *,
    required: bool = True,
    choices: Iterable[str] = (),
    personal: bool = False,
) -> DetailSpec:
    return DetailSpec(name, kind, help, required, tuple(choices), personal)


_REASON = _d("reason", DetailKind.TEXT, "the recorded reason")
_SUBSTITUTE = (
    _d("agency", DetailKind.TEXT, "the agency"),
    _d("substitute", DetailKind.TEXT, "the substitute's name", personal=True),
)
_AGENCY_OPT = _d(
    "agency", DetailKind.TEXT, "the agency spoken for (default: the actor's)", required=False
)


class ApprovalBody(enum.StrEnum):
    """The bodies of the default approval chain, in the order they sign off a draft."""

    CRP = "crp"
    CRG = "crg"
    EXECUTIVE = "executive"


def _t(
    name: Trigger,
    title: str,
    description: str,
    *details: DetailSpec,
    effect: Effect | None = None,
    examples: Examples | None = None,
    agency_detail: str | None = None,
) -> TriggerSpec:
    return TriggerSpec(name, title, description, tuple(details), effect, agency_detail, examples)


_fixed = examples.fixed

#: What the partners may ask the Lead Reviewer for in writing (reg 14).
REQUESTS = ("information", "draft")


#: The reviewers a replacement may name, by the review's field.
REVIEWERS = ("chair", "lead_reviewer")

#: How the National Panel may answer a Rapid Review and the partners' decision.
PANEL_RESPONSES = ("agrees", "disagrees", "local_review_more_appropriate", "asks_for_information")

#: The stages in which the partners' decision not to run a local review stands, and may
#: be revisited until the local process ends.
NO_LOCAL_REVIEW: tuple[Stage, ...] = (Stage.NOT_COMMISSIONED, Stage.NATIONAL_REVIEW)


def _refusal(
    rule_id: str, title: str, message: str, remedy: str, kind: str = "guard"
) -> StepProblems:
    """A step's refusal by one rule of the default process's records."""
    return StepProblems([Reason(rule_id, title, message, remedy, kind)])


def outstanding_corrections(review: ReviewState) -> list[str]:
    """The agencies whose factual corrections to the draft in fact check the Lead Reviewer
    has not yet made (in raising order; empty outside fact check)."""
    if review.stage != Stage.FACT_CHECK:
        return []
    pending: dict[str, None] = {}
    for entry in review.history:
        if entry.trigger == Trigger.SUBMIT_DRAFT:
            pending.clear()
        elif entry.trigger == Trigger.RAISE_CORRECTION:
            pending[str(entry.details.get("agency", entry.actor.agency))] = None
        elif entry.trigger == Trigger.CORRECT_DRAFT:
            pending.pop(str(entry.details["agency"]), None)
    return list(pending)


def _corrected(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A correction made for an agency that asked for one in this draft round."""
    agency = str(ctx.details["agency"])
    if agency not in outstanding_corrections(state):
        raise _refusal(
            "correction_raised",
            "a correction asked for by the agency",
            f"{agency} has no factual correction waiting in this draft round.",
            "the agency's panel member asks for it first (raise_correction).",
            "details",
        )
    return state


def _confirmed(state: ReviewState, ctx: StepContext) -> ReviewState:
    """An agency's confirmation, once the corrections it asked for in this round are made."""
    agency = ctx.spoken_for
    if agency is not None and agency in outstanding_corrections(state):
        raise _refusal(
            "corrections_made",
            "every factual correction made in this draft round",
            f"the factual correction {agency} asked for is not yet made.",
            "the {role:lead_reviewer} makes it first (correct_draft), then confirm.",
        )
    return effects.record_fact_check(state, ctx)


def _correction_raised(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A correction asked for: the agency's confirmation of this draft, if any, no longer
    stands (it confirms the corrected draft)."""
    agency = ctx.spoken_for
    draft = state.current_draft
    if agency is None or draft is None:
        return state
    kept = tuple(
        f for f in state.fact_checks if not (f.agency == agency and f.version == draft.version)
    )
    return state.evolve(fact_checks=kept)


def _corrections(state: ReviewState, at: pendulum.DateTime) -> list[dict[str, object]]:
    return [{"agency": a, "correction": "Correction made"} for a in outstanding_corrections(state)]


#: Where a practitioner stands in the review (recorded by role and agency, never by name).
PRACTITIONER_STATUSES = ("identified", "invited", "attended", "did_not_attend")


def _supporters_seated(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The panel members who support a family meeting sit for agencies on the panel."""
    unseated = [
        str(a) for a in ctx.details.get("supported_by") or () if state.panel_member(str(a)) is None
    ]
    if unseated:
        raise _refusal(
            "supporter_seated",
            "a family meeting supported by panel members",
            f"{', '.join(unseated)} has no seat on this review's panel.",
            "name agencies seated on the panel in supported_by.",
            "details",
        )
    return state


def _requested(state: ReviewState, ctx: StepContext) -> ReviewState:
    """A request for any agency's information (with a seat on the panel or not), numbered
    from 1; its due date, if given, stays in the step's details."""
    request = InformationRequest(
        len(state.information_requests) + 1, str(ctx.details["agency"]), ctx.at
    )
    return state.evolve(information_requests=(*state.information_requests, request))


def _for_an_agency_without_a_seat(effect: Effect) -> Effect:
    """``effect``, where the PDEO records an answer only for an agency with no seat on the
    panel (a seated agency answers through its own panel member)."""

    def recorded(state: ReviewState, ctx: StepContext) -> ReviewState:
        agency = ctx.spoken_for
        if ctx.actor.agency is None and agency and state.panel_member(agency) is not None:
            raise _refusal(
                "answered_by_its_member",
                "a seated agency answers through its panel member",
                f"{agency} has a seat on the panel: its panel member answers for it.",
                f"{agency}'s panel member takes the step.",
            )
        return effect(state, ctx)

    recorded.__doc__ = effect.__doc__
    return recorded


def requests_due(review: ReviewState) -> dict[int, pendulum.Date]:
    """The due dates given to information requests, by request number."""
    due: dict[int, pendulum.Date] = {}
    number = 0
    for entry in review.history:
        if entry.trigger == Trigger.REQUEST_INFORMATION:
            number += 1
            value = entry.details.get("due")
            if isinstance(value, pendulum.Date):
                due[number] = value
    return due


#: What a notified serious incident was.
INCIDENTS = ("death", "serious_harm")

#: Whom the death of a looked-after child is notified to, besides the National Panel.
LOOKED_AFTER_DEATH_NOTIFIED = ("Ofsted", "Secretary of State")


def _record_notification(state: ReviewState, ctx: StepContext) -> ReviewState:
    """The notification recorded; a looked-after child's death must name Ofsted and the
    Secretary of State among those told."""
    details = ctx.details
    if details.get("incident") == "death" and details.get("looked_after") is True:
        told = {str(t).casefold() for t in details.get("notified") or ()}
        missing = [w for w in LOOKED_AFTER_DEATH_NOTIFIED if w.casefold() not in told]
        if missing:
            raise _refusal(
                "looked_after_death_notified",
                "a looked-after child's death notified to Ofsted and the Secretary of State",
                f"the death of a looked-after child is notified to "
                f"{' and '.join(LOOKED_AFTER_DEATH_NOTIFIED)} too; not recorded: "
                f"{', '.join(missing)}.",
                "notify them and name them in notified=[...].",
                "details",
            )
    return effects.record_notification(state, ctx)


DEFAULT_TRIGGERS: tuple[TriggerSpec, ...] = (
    _t(
        T.NOTIFY_NATIONAL_PANEL,
        "notify the National Panel",
        "The local authority notifies the National Panel of the serious incident (the duty "
        "is the local authority's: National Panel FAQ), recording what happened and who "
        "else was told: for a looked-after child's death, Ofsted and the Secretary of State "
        "whether or not abuse or neglect is suspected (local procedures).",
        _d(
            "incident",
            DetailKind.CHOICE,
            "what happened: death or serious_harm",
            required=False,
            choices=INCIDENTS,
        ),
        _d("looked_after", DetailKind.BOOL, "True for a looked-after child", required=False),
        _d(
            "regulated_setting",
            DetailKind.BOOL,
            "True if it happened in a regulated setting",
            required=False,
        ),
        _d(
            "notified",
            DetailKind.TEXTS,
            "who else was told, e.g. Ofsted, Secretary of State, safeguarding partners",
            required=False,
        ),
        effect=_record_notification,
        examples=_fixed(
            {},
            {
                "incident": "death",
                "looked_after": True,
                "regulated_setting": False,
                "notified": ["Ofsted", "Secretary of State", "safeguarding partners"],
            },
        ),
    ),
    _t(
        T.WITHDRAW_NOTIFICATION,
        "withdraw the notification",
        "The local authority withdraws the notification when the case is found not to meet "
        "the criteria; a rapid review follows every notification unless it is so "
        "determined (National Panel FAQ).",
        _d("reason", DetailKind.TEXT, "why the case does not meet the criteria"),
        examples=examples.REASON,
    ),
    _t(
        T.SUBMIT_RAPID_REVIEW,
        "submit the Rapid Review",
        "The Rapid Review, with its key lines of enquiry, goes to the National Panel.",
        _d("kloes", DetailKind.TEXTS, "key lines of enquiry identified"),
        _d("agencies", DetailKind.TEXTS, "agencies relevant to the case"),
        effect=effects.record_rapid_review,
        examples=_fixed({"kloes": ["KLOE 1"], "agencies": ["Police", "Health"]}),
    ),
    _t(
        T.COMMISSION_REVIEW,
        "commission a local review",
        "The partners decide to initiate a local review: a recorded judgement with reasons. "
        "A decision not to commission can be revisited, and after a national review the "
        "National Panel may conclude that a local review is more appropriate (SI 2018/789 "
        "reg 11(d)); the completion clock runs from the decision to initiate.",
        _REASON,
        effect=effects.record_decision,
        examples=examples.REASON,
    ),
    _t(
        T.DECLINE_REVIEW,
        "decide not to commission",
        "The partners decide not to commission a review, with reasons.",
        _REASON,
        effect=effects.record_decision_reason,
        examples=examples.REASON,
    ),
    _t(
        T.RECORD_NATIONAL_REVIEW,
        "record a national review",
        "The National Panel takes a national review; the local process waits for the "
        "Panel's response and then ends, unless the Panel concludes a local review is more "
        "appropriate.",
        _REASON,
        effect=effects.record_decision_reason,
        examples=examples.REASON,
    ),
    _t(
        T.APPOINT_REVIEWERS,
        "appoint Chair and Lead Reviewer",
        "The Executive appoints the panel Chair and the independent Lead Reviewer.",
        _d("chair", DetailKind.TEXT, "the Chair's name", personal=True),
        _d("lead_reviewer", DetailKind.TEXT, "the Lead Reviewer's name", personal=True),
        effect=effects.record_reviewers,
        examples=_fixed({"chair": "Chair", "lead_reviewer": "Lead Reviewer"}),
    ),
    _t(
        T.REPLACE_REVIEWER,
        "replace the Chair or the Lead Reviewer",
        "The Executive replaces the Chair or the Lead Reviewer; the history shows who held "
        "the role for each step (reg 5 shows replacement for national reviews).",
        _d("reviewer", DetailKind.CHOICE, "chair or lead_reviewer", choices=REVIEWERS),
        _d("name", DetailKind.TEXT, "the new holder's name", personal=True),
        effect=effects.record_reviewer_replaced,
        examples=_fixed({"reviewer": "chair", "name": "Replacement chair"}),
    ),
    _t(
        T.SET_TERMS_OF_REFERENCE,
        "set the terms of reference",
        "The Chair records the review's terms of reference, or revises them as the review "
        "goes on.",
        _d("terms", DetailKind.TEXT, "the terms of reference"),
        effect=effects.record_terms,
        examples=_fixed({"terms": "Terms of reference"}),
    ),
    _t(
        T.SHARE_KLOES,
        "share the key lines of enquiry",
        "The Chair shares the KLOEs from the Rapid Review and any emerging ones.",
        _d("emerging", DetailKind.TEXTS, "emerging key lines of enquiry", required=False),
        effect=effects.record_kloes_shared,
        examples=_fixed({}),
    ),
    _t(
        T.AGREE_METHODOLOGY,
        "agree the methodology",
        "The Chair or the Lead Reviewer agrees the methodology; both must agree the same one.",
        _d("methodology", DetailKind.TEXT, "the methodology agreed"),
        effect=effects.record_methodology,
        examples=_fixed({"methodology": "Systems"}, {"methodology": "SILP"}),
    ),
    _t(
        T.APPOINT_PANEL_MEMBER,
        "appoint a panel member",
        "An agency's senior manager takes its seat on the Case Review Panel.",
        _d("agency", DetailKind.TEXT, "the agency represented"),
        _d("member", DetailKind.TEXT, "the member's name", personal=True),
        _d("independent", DetailKind.BOOL, "True if they had no direct involvement in the case"),
        _d(
            "justification",
            DetailKind.TEXT,
            "why a member involved in the case is acceptable",
            required=False,
        ),
        effect=effects.record_panel_seat,
        examples=examples.seats,
    ),
    _t(
        T.RECORD_SUBSTITUTE,
        "record a substitute",
        "A substitute of equivalent seniority is recorded for an agency's panel member.",
        *_SUBSTITUTE,
        effect=effects.record_panel_substitute,
        examples=examples.substitutes,
    ),
    _t(
        T.WITHDRAW_SUBSTITUTE,
        "withdraw a substitute",
        "A recorded substitute for an agency's panel member stands down.",
        *_SUBSTITUTE,
        effect=effects.record_substitute_withdrawn,
        examples=examples.substitutes_withdrawn,
    ),
    _t(
        T.HOLD_PANEL_MEETING,
        "hold a panel meeting",
        "The Chair holds a panel meeting.",
        effect=effects.meeting(MeetingKind.PANEL),
    ),
    _t(
        T.REQUEST_INFORMATION,
        "request agency information",
        "Information is requested from an agency, on the panel or not (local procedures: "
        "members give information in a timely manner), by a date if one is set.",
        _d("agency", DetailKind.TEXT, "the agency asked"),
        _d("due", DetailKind.DATE, "when the information is due", required=False),
        effect=_requested,
        examples=examples.requests,
    ),
    _t(
        T.RETURN_INFORMATION,
        "return agency information",
        "A panel member returns their agency's requested information (the PDEO records "
        "it for an agency with no seat on the panel).",
        _d(
            "number",
            DetailKind.INT,
            "the request's number (default: all outstanding)",
            required=False,
        ),
        _AGENCY_OPT,
        agency_detail="agency",
        effect=_for_an_agency_without_a_seat(effects.record_information_returned),
        examples=_fixed({}),
    ),
    _t(
        T.EXPLAIN_MISSING_INFORMATION,
        "explain missing information",
        "A panel member explains why their agency's information cannot be provided.",
        _d(
            "number",
            DetailKind.INT,
            "the request's number (default: all outstanding)",
            required=False,
        ),
        _REASON,
        _AGENCY_OPT,
        agency_detail="agency",
        effect=_for_an_agency_without_a_seat(effects.record_information_missing),
        examples=_fixed({"reason": "Records not held"}),
    ),
    _t(
        T.SHARE_INFORMATION,
        "share collated information",
        "The PDEO collates returned information and shares it with panel members.",
        effect=effects.record_information_shared,
    ),
    _t(
        T.HOLD_LEARNING_EVENT,
        "hold a Practitioner Learning Event",
        "The Chair or the Lead Reviewer holds a Practitioner Learning Event; a review may "
        "hold several, during the panel's review or drafting (local procedures).",
        effect=effects.meeting(MeetingKind.LEARNING_EVENT),
    ),
    _t(
        T.INVITE_FAMILY,
        "invite the family",
        "Family members are invited to contribute to the review.",
        effect=effects.record_family_invited,
    ),
    _t(
        T.RECORD_FAMILY_RESPONSE,
        "record the family's answer",
        "The family's answer to the invitation is recorded (they may decline).",
        _d(
            "response",
            DetailKind.CHOICE,
            "the family's answer",
            choices=[r.value for r in FamilyResponse],
        ),
        effect=effects.record_family_answer,
        examples=_fixed({"response": "declined"}),
    ),
    _t(T.BEGIN_DRAFTING, "begin drafting", "The Lead Reviewer begins the draft report."),
    _t(
        T.SUBMIT_DRAFT,
        "submit a draft",
        "The Lead Reviewer submits draft n for fact check; earlier confirmations are void.",
        _d("findings", DetailKind.TEXTS, "the findings"),
        _d("recommendations", DetailKind.RECOMMENDATIONS, "the recommendations"),
        effect=effects.record_draft,
        examples=_fixed(
            {"findings": ["Finding"], "recommendations": {"R1": "First", "R2": "Second"}},
            {"findings": ["Finding"], "recommendations": {"R1": "First"}},
        ),
    ),
    _t(
        T.CONFIRM_FACTS,
        "confirm factual accuracy",
        "A panel member confirms the draft is factually accurate for their own agency.",
        _AGENCY_OPT,
        agency_detail="agency",
        effect=_confirmed,
        examples=examples.confirmations,
    ),
    _t(
        T.RETURN_COMMENTS,
        "return fact-check comments",
        "A panel member returns comments that need a new draft, sending it back to "
        "drafting (a factual correction is made in the same round: raise_correction).",
        _d("comments", DetailKind.TEXT, "the comments"),
        _AGENCY_OPT,
        agency_detail="agency",
        examples=_fixed({"comments": "Chronology incomplete"}),
    ),
    _t(
        T.RAISE_CORRECTION,
        "ask for a factual correction",
        "A panel member asks for a factual correction for their own agency: the Lead "
        "Reviewer makes it in the same draft round, without a new draft (local procedures: "
        "not every comment sends the whole draft back); the agency then confirms the "
        "corrected draft (an earlier confirmation of it no longer stands).",
        _d("correction", DetailKind.TEXT, "what is factually wrong, and the correction"),
        _AGENCY_OPT,
        agency_detail="agency",
        effect=_correction_raised,
        examples=_fixed({"correction": "The referral was made on 3 March"}),
    ),
    _t(
        T.CORRECT_DRAFT,
        "make a factual correction",
        "The Lead Reviewer makes an agency's factual correction in the draft under fact "
        "check; the draft round goes on.",
        _d("agency", DetailKind.TEXT, "the agency that asked for the correction"),
        _d("correction", DetailKind.TEXT, "what was corrected", required=False),
        effect=_corrected,
        examples=_corrections,
    ),
    _t(
        T.RAISE_ISSUE,
        "raise an issue for the panel",
        "A panel member raises an issue that is not a factual error (an analysis, a "
        "finding, a recommendation) for the panel to consider when it agrees the report; "
        "the draft stays in fact check.",
        _d("issue", DetailKind.TEXT, "the issue for the panel"),
        _AGENCY_OPT,
        agency_detail="agency",
        examples=_fixed({"issue": "The finding on information sharing needs discussion"}),
    ),
    _t(
        T.RECORD_PRACTITIONER,
        "record a practitioner",
        "A panel member records a practitioner of their own agency who worked with the "
        "child or family, by role (never by name): identified, invited to contribute or to "
        "the learning event, attended or not (role profiles: the member identifies "
        "practitioners).",
        _d("practitioner_role", DetailKind.TEXT, "the practitioner's role, e.g. Health visitor"),
        _d("status", DetailKind.CHOICE, "where they stand", choices=PRACTITIONER_STATUSES),
        _AGENCY_OPT,
        agency_detail="agency",
        examples=_fixed({"practitioner_role": "Health visitor", "status": "invited"}),
    ),
    _t(
        T.HOLD_FAMILY_MEETING,
        "meet the family",
        "The Chair or the Lead Reviewer meets family members, once they have been invited "
        "and their answer recorded, supported by panel members (role profiles: members "
        "support family meetings).",
        _d(
            "supported_by",
            DetailKind.TEXTS,
            "the agencies whose panel members supported the meeting",
            required=False,
        ),
        effect=_supporters_seated,
        examples=_fixed({}),
    ),
    _t(
        T.AGREE_REPORT,
        "record CRP agreement",
        "The Chair records the Case Review Panel's agreement of the final draft.",
    ),
    _t(
        T.ADD_ACTION,
        "add an action",
        "An action answering a recommendation is added to the action plan.",
        _d("recommendation", DetailKind.TEXT, "the recommendation's id, e.g. R1"),
        _d("owner", DetailKind.TEXT, "the owner agency"),
        _d("due", DetailKind.DATE, "the due date"),
        _d("description", DetailKind.TEXT, "what will be done"),
        agency_detail="owner",
        effect=effects.record_action,
        examples=examples.actions,
    ),
    _t(
        T.WITHDRAW_ACTION,
        "withdraw an action",
        "An action is withdrawn from the action plan, with a reason.",
        _d("action", DetailKind.TEXT, "the action's id, e.g. A1"),
        _REASON,
        effect=effects.record_action_withdrawn,
        examples=examples.withdrawals,
    ),
    _t(
        T.CRG_APPROVE,
        "CRG approval",
        "The Case Review Group approves the report and the action plan.",
    ),
    _t(
        T.EXECUTIVE_APPROVE,
        "Executive approval",
        "The Executive gives final approval of the report and the action plan.",
    ),
    _t(
        T.RETURN_TO_DRAFTING,
        "return to drafting",
        "The report goes back to drafting, from an approval stage or, on new information "
        "(parallel proceedings, say), after the Executive's approval; its approvals are "
        "cleared and a pre-publication notice runs again from the next sending.",
        _REASON,
        examples=examples.REASON,
    ),
    _t(
        T.SEND_FINAL_REPORT,
        "send the final report",
        "The final report goes to the National Panel and the Secretary of State.",
        effect=effects.record_report_sent,
    ),
    _t(
        T.HOLD_FEEDBACK_SESSION,
        "hold the practitioner feedback session",
        "Practitioners hear the findings before publication.",
        effect=effects.meeting(MeetingKind.FEEDBACK_SESSION),
    ),
    _t(
        T.INFORM_FAMILY,
        "tell the family",
        "The family is told before publication.",
        effect=effects.record_family_told,
    ),
    _t(
        T.PUBLISH,
        "publish the report",
        "The Executive publishes the report (C3 stops).",
        effect=effects.record_publication,
    ),
    _t(
        T.PUBLISH_IMPROVEMENTS,
        "publish the improvements instead",
        "The Executive decides that publishing the report is inappropriate, publishes "
        "information about the improvements made instead, and sends the reasons to the "
        "National Panel and the Secretary of State (SI 2018/789, Working Together 2023; "
        "C3 stops).",
        _d("reason", DetailKind.TEXT, "why publishing the report is inappropriate"),
        _d("improvements", DetailKind.TEXT, "the information about improvements published"),
        examples=_fixed(
            {
                "reason": "The child's siblings could be identified",
                "improvements": "Summary of the improvements made",
            }
        ),
    ),
    _t(
        T.DEFER_PUBLICATION,
        "defer publication",
        "Publication is deferred; this is a delay notified to the National Panel and the "
        "Executive with a reason and a revised date.",
        _REASON,
        _d("revised_date", DetailKind.DATE, "the revised publication date"),
        examples=examples.deferral,
    ),
    _t(T.LIFT_DEFERRAL, "lift the deferral", "Publication may go ahead again."),
    _t(
        T.REMOVE_REPORT,
        "remove the published report",
        "The Executive takes the published report down; it must have been available for at "
        "least a year (SI 2018/789; Working Together 2023).",
        _REASON,
        examples=examples.REASON,
    ),
    _t(T.BEGIN_MONITORING, "begin monitoring", "The CRG takes on monitoring of the action plan."),
    _t(
        T.UPDATE_ACTION,
        "update an action",
        "An action is marked complete, or closed with a reason.",
        _d("action", DetailKind.TEXT, "the action's id, e.g. A1"),
        _d(
            "status",
            DetailKind.CHOICE,
            "the new status",
            choices=[ActionStatus.COMPLETE.value, ActionStatus.CLOSED.value],
        ),
        _d("reason", DetailKind.TEXT, "why it is closed (required to close)", required=False),
        effect=effects.record_action_status,
        examples=examples.updates,
    ),
    _t(T.CLOSE_REVIEW, "close the review", "Monitoring is over and the review is closed."),
    _t(
        T.PUT_ON_HOLD,
        "put on hold",
        "The review is paused (e.g. parallel proceedings).",
        _REASON,
        effect=effects.record_held,
        examples=examples.REASON,
    ),
    _t(
        T.RESUME,
        "resume",
        "The review resumes at the stage it was put on hold from.",
        effect=effects.record_resumed,
    ),
    _t(
        T.NOTIFY_DELAY,
        "notify a delay",
        "A delay against the completion date is notified with a reason and a revised date.",
        _REASON,
        _d("revised_date", DetailKind.DATE, "the revised completion date"),
        _d(
            "recipients",
            DetailKind.ROLES,
            "who is notified: national_panel and executive",
            choices=COMPLETION_RECIPIENTS,
        ),
        examples=examples.delays,
    ),
)
"""The triggers of the default process, with their details, records and examples."""

DEFAULT_TRIGGERS += (
    _t(
        T.REVIEW_PROGRESS,
        "review the time and quality",
        "The safeguarding partners monitor the time being taken and the quality of the "
        "review, at regular intervals (SI 2018/789 reg 14), and record what they found.",
        _d("time", DetailKind.TEXT, "how the time taken stands"),
        _d("quality", DetailKind.TEXT, "how the quality stands"),
        examples=_fixed({"time": "On track", "quality": "Good"}),
    ),
    _t(
        T.REQUEST_FROM_REVIEWER,
        "request information or a draft from the reviewer",
        "The safeguarding partners ask the Lead Reviewer, in writing, for information or a "
        "draft of the report (SI 2018/789 reg 14).",
        _d("request", DetailKind.CHOICE, "information or draft", choices=REQUESTS),
        _d("details", DetailKind.TEXT, "what is asked for", required=False),
        examples=_fixed({"request": "draft"}),
    ),
    _t(
        T.RESPOND_TO_RAPID_REVIEW,
        "respond to the Rapid Review",
        "The National Panel responds to the Rapid Review and the partners' decision (in "
        "about 10 days in practice): it agrees, disagrees, concludes that a local review is "
        "more appropriate (SI 2018/789 reg 11(d)), or asks for more information. Its latest "
        "response is the one that stands.",
        _d("response", DetailKind.CHOICE, "the Panel's response", choices=PANEL_RESPONSES),
        _d("note", DetailKind.TEXT, "what the Panel said or asked for", required=False),
        examples=_fixed(*({"response": r} for r in PANEL_RESPONSES)),
    ),
    _t(
        T.END_LOCAL_PROCESS,
        "end the local process",
        "The partners close the case without a local review: their decision not to "
        "commission one, or the national review, stands after the National Panel's "
        "response.",
        _REASON,
        examples=examples.REASON,
    ),
)

APPROVAL_CHAIN = ApprovalChain(
    draft=T.SUBMIT_DRAFT,
    steps=(
        ApprovalStep(ApprovalBody.CRP, T.AGREE_REPORT, "crp_agreed", title="Case Review Panel"),
        ApprovalStep(ApprovalBody.CRG, T.CRG_APPROVE, "crg_approved", role=R.CRG),
        ApprovalStep(
            ApprovalBody.EXECUTIVE, T.EXECUTIVE_APPROVE, "fully_approved", role=R.EXECUTIVE
        ),
    ),
    resets=(T.RETURN_TO_DRAFTING,),
)
"""The approval chain: the Case Review Panel agrees a draft, then the Case Review Group
approves it, then the Executive; a new draft or a return to drafting starts it again."""

COMPLETION_RULE = CompletionRule(
    guard="within_due_date",
    notify=T.NOTIFY_DELAY,
    recipients=COMPLETION_RECIPIENTS,
    revise=(T.DEFER_PUBLICATION,),
    manage=(
        T.PUT_ON_HOLD,
        T.RESUME,
        T.LIFT_DEFERRAL,
        T.REVIEW_PROGRESS,
        T.REQUEST_FROM_REVIEWER,
    ),
)
"""The completion rule: once past the completion due date, nothing moves on until the
PDEO has notified a delay, with a reason and a revised date, to both the National Panel
and the Executive. A deferral of publication is such a notice to both. The steps that
record or manage a delay (the notice, a deferral, putting on hold, resuming, lifting a
deferral, and the partners' oversight of time and quality with their written requests)
are never blocked by the lateness they handle."""

#: The stages a commissioned review can be put on hold from, in order.
HOLDABLE: tuple[Stage, ...] = (
    S.COMMISSIONED,
    S.SCOPING,
    S.PANEL_REVIEW,
    S.DRAFTING,
    S.FACT_CHECK,
    S.CRP_AGREED,
    S.CRG_APPROVED,
    S.EXECUTIVE_APPROVED,
    S.PRE_PUBLICATION,
)

#: The stages after the Executive's approval from which new information (from parallel
#: proceedings, say) can send the report back to drafting: approvals again, in order,
#: and the pre-publication notice again.
AFTER_APPROVAL: tuple[Stage, ...] = (
    S.EXECUTIVE_APPROVED,
    S.PRE_PUBLICATION,
    S.PUBLICATION_DEFERRED,
)

#: The stages of a review under way, from scoping until publication: the panel and its
#: reviewers may change at any of them.
BEFORE_PUBLICATION: tuple[Stage, ...] = (
    S.SCOPING,
    S.PANEL_REVIEW,
    S.DRAFTING,
    S.FACT_CHECK,
    S.CRP_AGREED,
    S.CRG_APPROVED,
    S.EXECUTIVE_APPROVED,
    S.PRE_PUBLICATION,
)

#: The stages in which the completion clock runs and a delay can be notified.
DELAYABLE: tuple[Stage, ...] = (*HOLDABLE, S.ON_HOLD, S.PUBLICATION_DEFERRED)

_TIMING = COMPLETION_RULE.guard


def _row(
    trigger: Trigger,
    sources: Stage | Iterable[Stage],
    dest: Stage | None,
    roles: Iterable[Role],
    *guards: str,
    selector: str | None = None,
) -> list[TransitionSpec]:
    """Rows for one trigger from each source; the completion check is on every row but
    those of the steps that record or manage a delay (``COMPLETION_RULE.exempt``)."""
    timing = trigger not in COMPLETION_RULE.exempt
    names = ((_TIMING,) if timing else ()) + guards
    sources = (sources,) if isinstance(sources, Stage) else tuple(sources)
    return [TransitionSpec(trigger, s, dest, frozenset(roles), names, selector) for s in sources]


_MEETING_GUARDS = (
    "kloes_shared",
    "methodology_agreed",
    "terms_of_reference_set",
    "panel_breadth",
    "panel_independent",
    "information_shared",
)

# The process table. One call per trigger and route: trigger, source stage(s),
# destination (None: the step records a fact and stays), the roles that may fire
# it, then its guards (_row adds the completion check to every row of a progressing step).
# fmt: off
DEFAULT_TRANSITIONS: tuple[TransitionSpec, ...] = tuple(row for rows in (
    _row(T.NOTIFY_NATIONAL_PANEL, S.AWARE, S.NOTIFIED, {R.LOCAL_AUTHORITY}),
    _row(T.WITHDRAW_NOTIFICATION, S.NOTIFIED, S.NOTIFICATION_WITHDRAWN, {R.LOCAL_AUTHORITY}),
    _row(T.SUBMIT_RAPID_REVIEW, S.NOTIFIED, S.RAPID_REVIEW_SUBMITTED, {R.EXECUTIVE, R.PDEO}),
    _row(T.COMMISSION_REVIEW, S.RAPID_REVIEW_SUBMITTED, S.COMMISSIONED, {R.EXECUTIVE}),
    _row(T.DECLINE_REVIEW, S.RAPID_REVIEW_SUBMITTED, S.NOT_COMMISSIONED, {R.EXECUTIVE}),
    _row(T.RECORD_NATIONAL_REVIEW, S.RAPID_REVIEW_SUBMITTED, S.NATIONAL_REVIEW, {R.EXECUTIVE}),
    _row(T.RESPOND_TO_RAPID_REVIEW, (S.RAPID_REVIEW_SUBMITTED, *NO_LOCAL_REVIEW), None,
         {R.NATIONAL_PANEL}),
    _row(T.COMMISSION_REVIEW, S.NOT_COMMISSIONED, S.COMMISSIONED, {R.EXECUTIVE}),
    _row(T.COMMISSION_REVIEW, S.NATIONAL_REVIEW, S.COMMISSIONED, {R.EXECUTIVE},
         "local_review_preferred"),
    _row(T.END_LOCAL_PROCESS, NO_LOCAL_REVIEW, S.LOCAL_PROCESS_ENDED, {R.EXECUTIVE},
         "panel_responded"),
    _row(T.APPOINT_REVIEWERS, S.COMMISSIONED, S.SCOPING, {R.EXECUTIVE}),
    _row(T.REPLACE_REVIEWER, BEFORE_PUBLICATION, None, {R.EXECUTIVE}),
    _row(T.SET_TERMS_OF_REFERENCE, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None, {R.CHAIR}),
    _row(T.SHARE_KLOES, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None, {R.CHAIR}),
    _row(T.AGREE_METHODOLOGY, S.SCOPING, None, {R.CHAIR, R.LEAD_REVIEWER}),
    _row(T.APPOINT_PANEL_MEMBER, (S.SCOPING, S.PANEL_REVIEW), None, {R.CHAIR, R.PDEO}),
    _row(T.RECORD_SUBSTITUTE, BEFORE_PUBLICATION, None, {R.CHAIR, R.PDEO}),
    _row(T.WITHDRAW_SUBSTITUTE, BEFORE_PUBLICATION, None, {R.CHAIR, R.PDEO}),
    _row(T.HOLD_PANEL_MEETING, S.SCOPING, S.PANEL_REVIEW, {R.CHAIR}, *_MEETING_GUARDS),
    _row(T.HOLD_PANEL_MEETING, (S.PANEL_REVIEW, S.DRAFTING, S.FACT_CHECK), None, {R.CHAIR},
         *_MEETING_GUARDS),
    _row(T.REQUEST_INFORMATION, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.LEAD_REVIEWER, R.PDEO}),
    _row(T.RETURN_INFORMATION, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.PANEL_MEMBER, R.PDEO}),
    _row(T.EXPLAIN_MISSING_INFORMATION, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.PANEL_MEMBER, R.PDEO}),
    _row(T.SHARE_INFORMATION, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None, {R.PDEO}),
    _row(T.HOLD_LEARNING_EVENT, (S.PANEL_REVIEW, S.DRAFTING), None,
         {R.CHAIR, R.LEAD_REVIEWER}),
    _row(T.INVITE_FAMILY, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.CHAIR, R.LEAD_REVIEWER}),
    _row(T.RECORD_FAMILY_RESPONSE, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.CHAIR, R.LEAD_REVIEWER}),
    _row(T.RECORD_PRACTITIONER, (S.SCOPING, S.PANEL_REVIEW, S.DRAFTING), None,
         {R.PANEL_MEMBER}),
    _row(T.HOLD_FAMILY_MEETING, (S.PANEL_REVIEW, S.DRAFTING), None,
         {R.CHAIR, R.LEAD_REVIEWER}, "family_invited"),
    _row(T.BEGIN_DRAFTING, S.PANEL_REVIEW, S.DRAFTING, {R.LEAD_REVIEWER}),
    _row(T.SUBMIT_DRAFT, S.DRAFTING, S.FACT_CHECK, {R.LEAD_REVIEWER},
         "information_answered", "family_invited"),
    _row(T.CONFIRM_FACTS, S.FACT_CHECK, None, {R.PANEL_MEMBER}),
    _row(T.RETURN_COMMENTS, S.FACT_CHECK, S.DRAFTING, {R.PANEL_MEMBER}),
    _row(T.RAISE_CORRECTION, S.FACT_CHECK, None, {R.PANEL_MEMBER}),
    _row(T.CORRECT_DRAFT, S.FACT_CHECK, None, {R.LEAD_REVIEWER}, "correction_waiting"),
    _row(T.RAISE_ISSUE, S.FACT_CHECK, None, {R.PANEL_MEMBER}),
    _row(T.AGREE_REPORT, S.FACT_CHECK, S.CRP_AGREED, {R.CHAIR}, "facts_confirmed",
         "corrections_made"),
    _row(T.ADD_ACTION, S.CRP_AGREED, None, {R.CHAIR, R.PANEL_MEMBER}),
    _row(T.WITHDRAW_ACTION, S.CRP_AGREED, None, {R.CHAIR}),
    _row(T.ADD_ACTION, S.MONITORING, None, {R.CRG}),
    _row(T.WITHDRAW_ACTION, S.MONITORING, None, {R.CRG}),
    _row(T.CRG_APPROVE, S.CRP_AGREED, S.CRG_APPROVED, {R.CRG},
         "crp_agreed", "action_plan_complete"),
    _row(T.RETURN_TO_DRAFTING, S.CRP_AGREED, S.DRAFTING, {R.CRG}),
    _row(T.EXECUTIVE_APPROVE, S.CRG_APPROVED, S.EXECUTIVE_APPROVED, {R.EXECUTIVE},
         "crg_approved", "action_plan_complete"),
    _row(T.RETURN_TO_DRAFTING, S.CRG_APPROVED, S.DRAFTING, {R.EXECUTIVE}),
    _row(T.RETURN_TO_DRAFTING, AFTER_APPROVAL, S.DRAFTING, {R.EXECUTIVE}),
    _row(T.SEND_FINAL_REPORT, S.EXECUTIVE_APPROVED, S.PRE_PUBLICATION, {R.PDEO},
         "fully_approved"),
    _row(T.HOLD_FEEDBACK_SESSION, S.PRE_PUBLICATION, None, {R.CHAIR, R.LEAD_REVIEWER}),
    _row(T.INFORM_FAMILY, (S.PRE_PUBLICATION, S.PUBLICATION_DEFERRED), None, {R.CHAIR, R.PDEO}),
    _row(T.PUBLISH, S.PRE_PUBLICATION, S.PUBLISHED, {R.EXECUTIVE},
         "fully_approved", "notice_period_observed", "feedback_session_held", "family_told"),
    _row(T.PUBLISH_IMPROVEMENTS, (S.PRE_PUBLICATION, S.PUBLICATION_DEFERRED),
         S.IMPROVEMENTS_PUBLISHED, {R.EXECUTIVE}, "fully_approved", "family_told"),
    _row(T.DEFER_PUBLICATION, S.PRE_PUBLICATION, S.PUBLICATION_DEFERRED, {R.EXECUTIVE}),
    _row(T.LIFT_DEFERRAL, S.PUBLICATION_DEFERRED, S.PRE_PUBLICATION, {R.EXECUTIVE}),
    _row(T.BEGIN_MONITORING, (S.PUBLISHED, S.IMPROVEMENTS_PUBLISHED), S.MONITORING, {R.CRG}),
    _row(T.REMOVE_REPORT, (S.PUBLISHED, S.MONITORING), None, {R.EXECUTIVE},
         "report_available_a_year"),
    _row(T.UPDATE_ACTION, S.MONITORING, None, {R.CRG, R.PANEL_MEMBER}),
    _row(T.CLOSE_REVIEW, S.MONITORING, S.CLOSED, {R.CRG}, "actions_resolved"),
    _row(T.PUT_ON_HOLD, HOLDABLE, S.ON_HOLD, {R.EXECUTIVE}),
    *(_row(T.RESUME, S.ON_HOLD, stage, {R.EXECUTIVE}, selector="left_stage")
      for stage in HOLDABLE),
    _row(T.NOTIFY_DELAY, DELAYABLE, None, {R.PDEO}),
    _row(T.REVIEW_PROGRESS, DELAYABLE, None, {R.EXECUTIVE}),
    _row(T.REQUEST_FROM_REVIEWER, BEFORE_PUBLICATION, None, {R.EXECUTIVE}),
) for row in rows)
"""The process table: one row per trigger and route."""
# fmt: on

_WT = "Working Together to Safeguard Children (2018, 2023)"

# fmt: off
NATIONAL_CLOCKS: tuple[ClockSpec, ...] = (
    ClockSpec("C1", "notification", 5, ClockUnit.WORKING_DAYS, ClockKind.DEADLINE,
              starts=S.AWARE, stops=S.NOTIFIED,
              source=f"national: Children Act 2004 s16C; {_WT}",
              description="the local authority notifies the National Panel within 5 working "
                          "days of becoming aware of a serious incident"),
    ClockSpec("C2", "rapid review", 15, ClockUnit.WORKING_DAYS, ClockKind.DEADLINE,
              starts=S.NOTIFIED, stops=S.RAPID_REVIEW_SUBMITTED,
              ends=(S.NOTIFICATION_WITHDRAWN,),
              source="national: Child Safeguarding Practice Review Panel guidance",
              description="the Rapid Review and its decision go to the National Panel within "
                          "15 working days of the notification"),
    ClockSpec("C3", "completion", 6, ClockUnit.CALENDAR_MONTHS, ClockKind.COMPLETION,
              starts=S.COMMISSIONED, stops=(S.PUBLISHED, S.IMPROVEMENTS_PUBLISHED),
              source=f"national: {_WT}; SI 2018/789",
              description="the review is completed and published within 6 calendar months of "
                          "the decision to initiate (or, where publishing the report is "
                          "inappropriate, information about the improvements is published); "
                          "any delay is notified with a revised date"),
    ClockSpec("C4", "pre-publication", 7, ClockUnit.WORKING_DAYS, ClockKind.NOTICE_PERIOD,
              starts=S.PRE_PUBLICATION, stops=S.PUBLISHED, ends=(S.IMPROVEMENTS_PUBLISHED,),
              source="national: SI 2018/789 (CSPR and Relevant Agency Regulations 2018)",
              description="the final report goes to the National Panel and the Secretary of "
                          "State at least 7 working days before publication (no longer needed "
                          "once the partners decide not to publish it)"),
    ClockSpec("C5", "decision", 15, ClockUnit.WORKING_DAYS, ClockKind.DEADLINE,
              starts=S.NOTIFIED,
              stops=(S.COMMISSIONED, S.NOT_COMMISSIONED, S.NATIONAL_REVIEW),
              ends=(S.NOTIFICATION_WITHDRAWN,),
              source=f"national: {_WT}; Child Safeguarding Practice Review Panel guidance",
              description="the partners record their decision (a local review, none, or a "
                          "national review) and send it to the National Panel with the Rapid "
                          "Review, within 15 working days of the notification; a decision "
                          "revisited later starts the completion clock from its own date"),
)
"""The national clocks: notification, Rapid Review, completion, pre-publication, and the
partners' decision."""

#: How long each stage usually takes, in working days: the deadline report's
#: basis for calling a running clock "at risk". Scoping to pre-publication adds up
#: to 125 working days, about the six months the completion clock allows.
EXPECTED_WORKING_DAYS: dict[str, int] = {
    S.AWARE: 2, S.NOTIFIED: 10, S.RAPID_REVIEW_SUBMITTED: 5, S.COMMISSIONED: 5,
    S.SCOPING: 20, S.PANEL_REVIEW: 40, S.DRAFTING: 15, S.FACT_CHECK: 10, S.CRP_AGREED: 10,
    S.CRG_APPROVED: 10, S.EXECUTIVE_APPROVED: 5, S.PRE_PUBLICATION: 10, S.PUBLISHED: 5,
    S.IMPROVEMENTS_PUBLISHED: 5,
    S.MONITORING: 120,
}
"""How long each stage usually takes, in working days (the basis of "at risk")."""
# fmt: on

_SUBSTITUTES_LATE = (
    "the examples record a substitute only once there is a draft, where panel members "
    "speak for their agency (confirm the facts, ask for corrections); before it a "
    "substitute changes no rule the properties read, and recording one there doubles the "
    "states to search"
)

UNEXPLORED: dict[tuple[str, str], str] = {
    (T.APPOINT_PANEL_MEMBER, S.PANEL_REVIEW): (
        "the examples seat every agency in scoping (the first panel meeting needs every "
        "agency's seat); after it, only an involved member without a justification is "
        "replaced, and that member cannot sit at the first meeting, so no seat is left "
        "to fill in the panel review"
    ),
    (T.RECORD_SUBSTITUTE, S.SCOPING): _SUBSTITUTES_LATE,
    (T.RECORD_SUBSTITUTE, S.PANEL_REVIEW): _SUBSTITUTES_LATE,
    (T.WITHDRAW_SUBSTITUTE, S.SCOPING): _SUBSTITUTES_LATE,
    (T.WITHDRAW_SUBSTITUTE, S.PANEL_REVIEW): _SUBSTITUTES_LATE,
}
"""The rows of the default table that the verifier's search does not take, and why."""

NATIONAL_LIMITS = NationalLimits(
    "England: the national limits",
    {c.id: c.limit for c in NATIONAL_CLOCKS},
    f"Children Act 2004 s16C; SI 2018/789; {_WT}; National Panel guidance",
)
"""The national limits of C1-C5: floors no local policy may loosen."""

NATIONAL_POLICY = Policy(
    clocks=NATIONAL_CLOCKS,
    expected_working_days=EXPECTED_WORKING_DAYS,
    required=tuple(c.id for c in NATIONAL_CLOCKS),
    national=NATIONAL_LIMITS,
)
"""The national clocks on the England and Wales working-day calendar; a policy derived
from it keeps every national clock, and their national limits as floors (a limit may be
made stricter, never looser)."""
