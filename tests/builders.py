"""Reusable example reviews: walk a review to any stage with a running clock."""

from __future__ import annotations

from typing import Any

import pendulum

from cspr_workflow import Actor, ProcessDefinition, Review, Role, Stage, Trigger
from cspr_workflow.demo import ACTORS
from cspr_workflow.records import AuditEntry

T = Trigger
AGENCIES = ("Police", "Health")
AWARE = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")

#: The steps that record or manage a delay, which lateness never blocks (an oracle for
#: the default completion rule, written out, not read from it).
HANDLING_DELAY = frozenset(
    (
        T.NOTIFY_DELAY,
        T.DEFER_PUBLICATION,
        T.PUT_ON_HOLD,
        T.RESUME,
        T.LIFT_DEFERRAL,
        T.REVIEW_PROGRESS,
        T.REQUEST_FROM_REVIEWER,
    )
)

WHO: dict[str, Actor] = {
    "la": ACTORS["la"],
    "executive": ACTORS["executive"],
    "crg": ACTORS["crg"],
    "pdeo": ACTORS["pdeo"],
    "chair": ACTORS["chair"],
    "lead": ACTORS["lead"],
    "police": ACTORS["police"],
    "health": ACTORS["health"],
    "panel": Actor("National Panel", Role.NATIONAL_PANEL),
}


class Walker:
    """Fires steps on one review, one hour apart unless told otherwise."""

    def __init__(self, definition: ProcessDefinition | None = None) -> None:
        kwargs: dict[str, Any] = {"definition": definition} if definition else {}
        self.review = Review.open("Child A", aware_at=AWARE, **kwargs)
        self.now = AWARE

    def tick(self, **delta: int) -> pendulum.DateTime:
        self.now = self.now.add(**(delta or {"hours": 1}))
        return self.now

    def __call__(self, trigger: str, who: str | Actor, **details: Any) -> AuditEntry:
        actor = WHO[who] if isinstance(who, str) else who
        return self.review.fire(trigger, by=actor, at=self.tick(), **details)

    def check(self, trigger: str, who: str | Actor, **details: Any):
        actor = WHO[who] if isinstance(who, str) else who
        return self.review.check(trigger, by=actor, at=self.tick(), **details)

    # -- walking to stages -------------------------------------------------------

    def to_commissioned(self) -> Walker:
        self(T.NOTIFY_NATIONAL_PANEL, "la")
        self(T.SUBMIT_RAPID_REVIEW, "executive", kloes=["KLOE 1"], agencies=list(AGENCIES))
        self(T.COMMISSION_REVIEW, "executive", reason="Criteria met")
        return self

    def to_scoping(self) -> Walker:
        self.to_commissioned()
        self(
            T.APPOINT_REVIEWERS,
            "executive",
            chair="Panel chair",
            lead_reviewer="Independent reviewer",
        )
        return self

    def seat_panel(self) -> Walker:
        for agency, who in (("Police", "police"), ("Health", "health")):
            self(
                T.APPOINT_PANEL_MEMBER,
                "pdeo",
                agency=agency,
                member=WHO[who].name,
                independent=True,
            )
        return self

    def ready_for_first_meeting(self) -> Walker:
        self.to_scoping()
        self(T.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
        self(T.SHARE_KLOES, "chair")
        self.seat_panel()
        self(T.AGREE_METHODOLOGY, "chair", methodology="Systems")
        self(T.AGREE_METHODOLOGY, "lead", methodology="Systems")
        return self

    def to_panel_review(self) -> Walker:
        self.ready_for_first_meeting()
        self(T.HOLD_PANEL_MEETING, "chair")
        return self

    def to_drafting(self) -> Walker:
        self.to_panel_review()
        self(T.INVITE_FAMILY, "lead")
        self(T.RECORD_FAMILY_RESPONSE, "lead", response="declined")
        self(T.BEGIN_DRAFTING, "lead")
        return self

    def submit_draft(self, *recommendations: str) -> AuditEntry:
        recs = list(recommendations or ("Recommendation one", "Recommendation two"))
        return self(T.SUBMIT_DRAFT, "lead", findings=["Finding"], recommendations=recs)

    def to_fact_check(self) -> Walker:
        self.to_drafting()
        self.submit_draft()
        return self

    def confirm_all(self) -> Walker:
        self(T.CONFIRM_FACTS, "police")
        self(T.CONFIRM_FACTS, "health")
        return self

    def to_crp_agreed(self) -> Walker:
        self.to_fact_check()
        self.confirm_all()
        self(T.AGREE_REPORT, "chair")
        return self

    def plan_actions(self) -> Walker:
        draft = self.review.state.current_draft
        assert draft is not None
        for rec in draft.recommendations:
            self(
                T.ADD_ACTION,
                "chair",
                recommendation=rec.id,
                owner="Police",
                due="2027-06-30",
                description=f"Answer {rec.id}",
            )
        return self

    def to_crg_approved(self) -> Walker:
        self.to_crp_agreed()
        self.plan_actions()
        self(T.CRG_APPROVE, "crg")
        return self

    def to_executive_approved(self) -> Walker:
        self.to_crg_approved()
        self(T.EXECUTIVE_APPROVE, "executive")
        return self

    def to_pre_publication(self) -> Walker:
        self.to_executive_approved()
        self(T.SEND_FINAL_REPORT, "pdeo")
        return self

    def ready_to_publish(self) -> Walker:
        self.to_pre_publication()
        self(T.HOLD_FEEDBACK_SESSION, "chair")
        self(T.INFORM_FAMILY, "pdeo")
        return self

    def wait_notice_period(self) -> Walker:
        """Move the clock to the first day publication is allowed (C4)."""
        record = self.review.state.clock("C4")
        assert record is not None
        earliest = pendulum.datetime(
            record.due.year, record.due.month, record.due.day, 9, tz="Europe/London"
        )
        self.now = max(self.now, earliest)
        return self

    def to_published(self) -> Walker:
        self.ready_to_publish()
        self.wait_notice_period()
        self(T.PUBLISH, "executive")
        return self

    def to_improvements_published(self) -> Walker:
        self.ready_to_publish()
        self(
            T.PUBLISH_IMPROVEMENTS,
            "executive",
            reason="The child's siblings could be identified",
            improvements="Summary of the improvements made",
        )
        return self

    def to_monitoring(self) -> Walker:
        self.to_published()
        self(T.BEGIN_MONITORING, "crg")
        return self


def walker_at(stage: Stage) -> Walker:
    """A fresh review walked to ``stage`` along the main line."""
    route = {
        Stage.AWARE: lambda w: w,
        Stage.COMMISSIONED: Walker.to_commissioned,
        Stage.SCOPING: Walker.to_scoping,
        Stage.PANEL_REVIEW: Walker.to_panel_review,
        Stage.DRAFTING: Walker.to_drafting,
        Stage.FACT_CHECK: Walker.to_fact_check,
        Stage.CRP_AGREED: Walker.to_crp_agreed,
        Stage.CRG_APPROVED: Walker.to_crg_approved,
        Stage.EXECUTIVE_APPROVED: Walker.to_executive_approved,
        Stage.PRE_PUBLICATION: Walker.to_pre_publication,
        Stage.PUBLISHED: Walker.to_published,
        Stage.IMPROVEMENTS_PUBLISHED: Walker.to_improvements_published,
        Stage.MONITORING: Walker.to_monitoring,
    }
    walker = route[stage](Walker())
    assert walker.review.stage == stage
    return walker


def actor_for(role: Role) -> Actor:
    """A plausible actor of ``role`` for the walker's reviews."""
    return {
        Role.LOCAL_AUTHORITY: WHO["la"],
        Role.EXECUTIVE: WHO["executive"],
        Role.CRG: WHO["crg"],
        Role.PDEO: WHO["pdeo"],
        Role.CHAIR: WHO["chair"],
        Role.LEAD_REVIEWER: WHO["lead"],
        Role.PANEL_MEMBER: WHO["police"],
        Role.NATIONAL_PANEL: Actor("Panel secretariat", Role.NATIONAL_PANEL),
    }[role]
