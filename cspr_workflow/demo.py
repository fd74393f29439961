"""The demo: a complete, fictional review of the default process, from awareness to closure.

Everything here is invented. The script is data (date, who, trigger, details)
over the default definition; two steps are expected to be refused and are shown
with their reasons. The same script is the test suite's end-to-end fixture, and
``cspr-workflow demo`` runs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TextIO

import attrs
import pendulum

from ._args import check_arg
from ._engine import Review
from ._errors import TransitionRefused
from ._records import Actor
from ._time import LONDON
from .default import DEFAULT_DEFINITION
from .roles import Role
from .states import Trigger as T

__all__ = ["ACTORS", "AGENCIES", "SCRIPT", "DemoStep", "demo_review", "run_demo"]

ACTORS: Mapping[str, Actor] = {  # the demo's fictional people, by key
    "la": Actor("Duty team manager", Role.LOCAL_AUTHORITY, agency="Northshire Council"),
    "executive": Actor("Partnership lead", Role.EXECUTIVE),
    "crg": Actor("CRG chair", Role.CRG),
    "pdeo": Actor("Partnership officer", Role.PDEO),
    "chair": Actor("Panel chair", Role.CHAIR),
    "lead": Actor("Independent reviewer", Role.LEAD_REVIEWER),
    "police": Actor("Police DCI", Role.PANEL_MEMBER, agency="Police"),
    "health": Actor("Designated nurse", Role.PANEL_MEMBER, agency="Health"),
    "social_care": Actor("Service manager", Role.PANEL_MEMBER, agency="Children's Social Care"),
    "education": Actor("Head of inclusion", Role.PANEL_MEMBER, agency="Education"),
    "education_sub": Actor(
        "Deputy head of inclusion", Role.PANEL_MEMBER, agency="Education", substitute=True
    ),
}
"""The demo's fictional people, by key."""

AGENCIES = ("Police", "Health", "Children's Social Care", "Education")
"""The agencies on the demo review's panel."""


@attrs.frozen
class DemoStep:
    """One line of the script; ``refused`` marks a step the rules must refuse."""

    when: str
    actor: str
    trigger: T
    details: Mapping[str, Any] = attrs.field(factory=dict)
    refused: bool = False

    @property
    def at(self) -> pendulum.DateTime:
        return pendulum.parse(self.when, tz=LONDON)  # type: ignore[return-value]


def _s(when: str, actor: str, trigger: T, refused: bool = False, **details: Any) -> DemoStep:
    return DemoStep(when, actor, trigger, details, refused)


_MEMBERS = {
    "Police": "police",
    "Health": "health",
    "Children's Social Care": "social_care",
    "Education": "education",
}


def _script() -> Iterator[DemoStep]:
    yield _s("2026-01-07T11:00", "la", T.NOTIFY_NATIONAL_PANEL)
    yield _s(
        "2026-01-23T15:00",
        "executive",
        T.SUBMIT_RAPID_REVIEW,
        kloes=[
            "Information sharing between school and health visiting",
            "Response to missed medical appointments",
        ],
        agencies=list(AGENCIES),
    )
    yield _s(
        "2026-01-26T10:00",
        "executive",
        T.COMMISSION_REVIEW,
        reason="Criteria of reg 11 met; learning on multi-agency information sharing",
    )
    yield _s(
        "2026-02-02T09:30",
        "executive",
        T.APPOINT_REVIEWERS,
        chair="Panel chair",
        lead_reviewer="Independent reviewer",
    )
    yield _s(
        "2026-02-09T10:00",
        "chair",
        T.SET_TERMS_OF_REFERENCE,
        terms="Period from birth to the incident; agencies in contact with the family",
    )
    yield _s("2026-02-09T10:30", "chair", T.SHARE_KLOES)
    for n, agency in enumerate(AGENCIES):
        seat: dict[str, Any] = {
            "agency": agency,
            "member": ACTORS[_MEMBERS[agency]].name,
            "independent": agency != "Health",
        }
        if agency == "Health":
            seat["justification"] = "Only designated nurse in the area; oversight agreed"
        yield DemoStep(f"2026-02-10T1{n}:00", "pdeo", T.APPOINT_PANEL_MEMBER, seat)
    yield _s("2026-02-12T14:00", "chair", T.AGREE_METHODOLOGY, methodology="Systems approach")
    # Refused: the Lead Reviewer has not yet agreed the methodology.
    yield _s("2026-02-16T10:00", "chair", T.HOLD_PANEL_MEETING, refused=True)
    yield _s("2026-02-17T09:00", "lead", T.AGREE_METHODOLOGY, methodology="Systems approach")
    for n, agency in enumerate(AGENCIES):
        yield _s(f"2026-02-18T1{n}:00", "pdeo", T.REQUEST_INFORMATION, agency=agency)
    yield _s("2026-02-24T10:00", "chair", T.HOLD_PANEL_MEETING)
    yield _s("2026-03-02T11:00", "lead", T.INVITE_FAMILY)
    yield _s("2026-03-09T16:00", "police", T.RETURN_INFORMATION)
    yield _s("2026-03-11T12:00", "health", T.RETURN_INFORMATION)
    yield _s("2026-03-12T15:00", "social_care", T.RETURN_INFORMATION)
    yield _s(
        "2026-03-13T09:00",
        "education",
        T.EXPLAIN_MISSING_INFORMATION,
        reason="Pupil records before 2022 were destroyed under the retention schedule",
    )
    yield _s("2026-03-16T10:00", "pdeo", T.SHARE_INFORMATION)
    yield _s("2026-03-18T10:00", "chair", T.HOLD_PANEL_MEETING)
    yield _s("2026-03-20T14:00", "lead", T.RECORD_FAMILY_RESPONSE, response="contributed")
    yield _s("2026-04-15T09:30", "chair", T.HOLD_LEARNING_EVENT)
    yield _s("2026-04-20T09:00", "lead", T.BEGIN_DRAFTING)
    yield _s(
        "2026-05-11T17:00",
        "lead",
        T.SUBMIT_DRAFT,
        findings=["Health visiting did not know the child had left school roll"],
        recommendations={
            "R1": "Agree a shared protocol for children missing education",
            "R2": "Escalate missed health appointments to social care",
        },
    )
    yield _s("2026-05-18T10:00", "police", T.CONFIRM_FACTS)
    yield _s(
        "2026-05-20T11:00",
        "health",
        T.RETURN_COMMENTS,
        comments="Chronology omits the health visitor's home visit of 3 March",
    )
    yield _s(
        "2026-06-01T17:00",
        "lead",
        T.SUBMIT_DRAFT,
        findings=[
            "Health visiting did not know the child had left school roll",
            "A home visit on 3 March saw no concerns, but was unannounced late",
        ],
        recommendations={
            "R1": "Agree a shared protocol for children missing education",
            "R2": "Escalate missed health appointments to social care",
            "R3": "Audit the use of unannounced home visits",
        },
    )
    # Refused: a panel member may confirm only for their own agency.
    yield _s("2026-06-02T09:00", "police", T.CONFIRM_FACTS, refused=True, agency="Health")
    for n, who in enumerate(("police", "health", "social_care")):
        yield _s(f"2026-06-0{3 + n}T10:00", who, T.CONFIRM_FACTS)
    yield _s(
        "2026-06-05T12:00",
        "pdeo",
        T.RECORD_SUBSTITUTE,
        agency="Education",
        substitute="Deputy head of inclusion",
    )
    yield _s("2026-06-08T09:00", "education_sub", T.CONFIRM_FACTS)
    yield _s("2026-06-10T10:00", "chair", T.AGREE_REPORT)
    yield _s(
        "2026-06-12T10:00",
        "chair",
        T.ADD_ACTION,
        recommendation="R1",
        owner="Education",
        due="2026-12-31",
        description="Joint protocol with health visiting for children leaving roll",
    )
    yield _s(
        "2026-06-12T10:30",
        "health",
        T.ADD_ACTION,
        recommendation="R2",
        owner="Health",
        due="2026-11-30",
        description="Escalation pathway for missed appointments",
    )
    yield _s(
        "2026-06-15T10:00",
        "chair",
        T.ADD_ACTION,
        recommendation="R3",
        owner="Children's Social Care",
        due="2027-01-31",
        description="Audit of unannounced home visits",
    )
    yield _s(
        "2026-06-22T09:00",
        "pdeo",
        T.NOTIFY_DELAY,
        reason="CRG and Executive meet after the six-month date",
        revised_date="2026-09-30",
        recipients=["national_panel", "executive"],
    )
    yield _s("2026-07-15T14:00", "crg", T.CRG_APPROVE)
    yield _s("2026-07-29T10:00", "executive", T.EXECUTIVE_APPROVE)
    yield _s("2026-08-03T09:00", "pdeo", T.SEND_FINAL_REPORT)
    yield _s("2026-08-10T13:00", "chair", T.HOLD_FEEDBACK_SESSION)
    yield _s("2026-08-17T11:00", "pdeo", T.INFORM_FAMILY)
    yield _s("2026-09-01T09:00", "executive", T.PUBLISH)
    yield _s("2026-09-07T10:00", "crg", T.BEGIN_MONITORING)
    yield _s("2026-11-30T15:00", "health", T.UPDATE_ACTION, action="A2", status="complete")
    yield _s("2026-12-14T10:00", "crg", T.UPDATE_ACTION, action="A1", status="complete")
    yield _s(
        "2027-02-01T10:00",
        "crg",
        T.UPDATE_ACTION,
        action="A3",
        status="closed",
        reason="Superseded by the regional audit programme",
    )
    yield _s("2027-03-01T10:00", "crg", T.CLOSE_REVIEW)


SCRIPT: tuple[DemoStep, ...] = tuple(_script())
"""The demo review's script, step by step."""
AWARE_AT = "2026-01-05T09:00"


def demo_review(upto: int | None = None) -> Review:
    """The demo's fictional review ("Child A") after its first ``upto`` scripted steps.

    With no argument, the whole review from awareness to closure. Useful as an
    example in notebooks and tests; :data:`ACTORS` holds its fictional people.
    The script's two refused steps are attempted too and must be refused.

    >>> demo_review(upto=3).stage
    <Stage.COMMISSIONED: 'commissioned'>
    """
    check_arg("upto", upto, int, "a number of scripted steps", optional=True)
    review = Review.open(
        "Child A", aware_at=pendulum.parse(AWARE_AT, tz=LONDON), definition=DEFAULT_DEFINITION
    )
    for step in SCRIPT[:upto]:
        _take(review, step)
    return review


def _take(review: Review, step: DemoStep) -> TransitionRefused | None:
    try:
        review.fire(step.trigger, by=ACTORS[step.actor], at=step.at, **step.details)
    except TransitionRefused as refusal:
        if not step.refused:
            raise
        return refusal
    if step.refused:
        raise AssertionError(f"demo step {step.trigger} at {step.when} should have been refused")
    return None


def run_demo(out: TextIO) -> Review:
    """Run the whole script, printing each step, the refusals and a summary."""
    review = Review.open(
        "Child A", aware_at=pendulum.parse(AWARE_AT, tz=LONDON), definition=DEFAULT_DEFINITION
    )
    definition = review.definition
    out.write(
        f"Review {review.reference}: local authority became aware on "
        f"{review.state.aware_at.format('ddd D MMM YYYY')}\n\n"
    )
    out.write(f"{'date':<16} {'who':<42} {'step':<30} stage\n")
    for step in SCRIPT:
        actor = ACTORS[step.actor]
        refusal = _take(review, step)
        who = definition.describe(actor)
        if refusal is not None:
            out.write(
                f"{step.at.format('YYYY-MM-DD')}       {who:<42} {step.trigger:<30} REFUSED\n"
            )
            for reason in refusal.reasons:
                out.write(f"{'':>17}  - {reason}\n")
            continue
        stage = review.definition.stage(review.state.stage).title
        out.write(f"{step.at.format('YYYY-MM-DD')}       {who:<42} {step.trigger:<30} {stage}\n")
    _summary(review, out)
    out.write("\n")
    out.write(str(review.deadlines(at=review.state.last_at)))
    out.write("\n")
    return review


def _summary(review: Review, out: TextIO) -> None:
    state = review.state
    definition = review.definition
    clock = definition.policy.completion
    assert state.decided_at is not None
    assert state.published_at is not None
    assert state.due_date is not None
    published = state.published_at.date()
    decided = state.decided_at.date()
    rounds = sum(1 for e in state.history if e.trigger == T.RETURN_COMMENTS)
    out.write("\nSummary\n")
    rows = [
        ("reference", review.reference),
        ("final stage", review.definition.stage(state.stage).title),
        ("steps recorded", str(len(state.history))),
        ("decision to initiate", decided.to_date_string()),
        (
            f"{clock.id} due date ({clock.limit} {clock.unit_label})",
            state.due_date.to_date_string(),
        ),
        (
            "delay notices",
            f"{len(state.delay_notices)} (revised date "
            f"{review.completion_due.to_date_string() if review.completion_due else '-'})",
        ),
        (
            "published",
            f"{published.to_date_string()} "
            f"({(published - decided).in_days()} days after the decision)",
        ),
        ("drafts", f"{len(state.drafts)} ({rounds} sent back at fact check)"),
        (
            "approvals of the published draft",
            ", ".join(
                definition.body_title(a.body)
                for a in state.approvals
                if state.current_draft and a.version == state.current_draft.version
            ),
        ),
        ("actions", ", ".join(f"{a.id} {a.status.value}" for a in state.actions)),
    ]
    for name, value in rows:
        out.write(f"  {name:<34} {value}\n")
