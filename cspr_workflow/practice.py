"""How long the default process usually takes: the scenario its simulation starts from.

Where each number comes from:

- **Set inside a statutory time limit** (Working Together to Safeguard Children 2023
  and the Child Safeguarding Practice Review Panel's guidance): notification to the
  National Panel in about two working days (the limit is five), and the Rapid Review
  in about twelve (the limit is fifteen) - times a partnership meeting its limits
  would show.
- **This library's assumptions, with no published measurement behind them**: scoping
  in about three weeks, agency information asked for early in scoping and returned
  in about two to three weeks, panel meetings six weeks apart, four weeks to the first
  draft, one draft in three sent back at the fact check, the Case Review Group and
  the Executive each taking under two weeks and sometimes sending the report back,
  one review in a hundred put on hold for around three months (parallel
  proceedings), and the times of the steps after publication.

Together they leave most simulated reviews past six months (14% on time, 2,000
reviews, seed 1). They are a starting point, not a finding: fit them to your own
reviews (:func:`cspr_workflow.simulation.fit`) or change any of them
(``DEFAULT_SCENARIO.with_days(...)``).

Panel meetings wait for the agencies' information (``waits_for``): the panel meets
on what was asked for, once it has been returned and the PDEO has shared it with
the members before the meeting, as the definition's own rule for meetings asks.
So how fast agencies answer moves the results. The Case Review Group and the
Executive sit whenever a report is ready: their meeting calendars differ from one
partnership to the next, so the default gives them none, and their step times
stand for the wait for a sitting; a partnership gives its own (``sittings``, see
:class:`~cspr_workflow.simulation.Sitting`).
"""

from __future__ import annotations

from ._args import check_arg
from ._errors import InvalidInput
from ._scenario import Duration, Repeat, Scenario
from .states import Stage, Trigger

__all__ = ["DEFAULT_SCENARIO", "with_agencies"]

S, T, D = Stage, Trigger, Duration

AGENCIES = (
    "Police",
    "Health",
    "Children's Social Care",
    "Education",
    "Probation",
    "Housing",
    "Ambulance",
    "Mental Health",
)

DEFAULT_SCENARIO = Scenario(
    stage_days={
        S.AWARE: D(1, 2, 6),
        S.NOTIFIED: D(8, 12, 18),
        S.RAPID_REVIEW_SUBMITTED: D(1, 3, 10),
        S.COMMISSIONED: D(3, 5, 15),
        S.SCOPING: D(10, 15, 30),
        S.PANEL_REVIEW: D(0, 1, 2),
        S.DRAFTING: D(10, 20, 35),
        S.FACT_CHECK: D(0, 0, 0),
        S.CRP_AGREED: D(0, 0, 0),
        S.CRG_APPROVED: D(0, 0, 0),
        S.EXECUTIVE_APPROVED: D(0, 0, 0),
        S.PRE_PUBLICATION: D(0, 0, 0),
        S.PUBLISHED: D(0, 0, 0),
        S.MONITORING: D(0, 0, 0),
        S.ON_HOLD: D(20, 60, 120),
        S.PUBLICATION_DEFERRED: D(20, 40, 80),
    },
    revisit_days={S.DRAFTING: D(5, 8, 15)},
    step_days={
        T.NOTIFY_NATIONAL_PANEL: D(0, 0, 1),
        T.SUBMIT_RAPID_REVIEW: D(0, 0, 1),
        T.COMMISSION_REVIEW: D(0, 0, 1),
        T.APPOINT_REVIEWERS: D(0, 0, 1),
        T.APPOINT_PANEL_MEMBER: D(1, 2, 4),
        T.AGREE_METHODOLOGY: D(2, 5, 10),
        T.RETURN_INFORMATION: D(5, 10, 30),
        T.EXPLAIN_MISSING_INFORMATION: D(5, 10, 30),
        T.RECORD_FAMILY_RESPONSE: D(5, 15, 40),
        T.BEGIN_DRAFTING: D(1, 1, 2),
        T.CONFIRM_FACTS: D(3, 5, 10),
        T.RETURN_COMMENTS: D(3, 5, 10),
        T.AGREE_REPORT: D(1, 3, 8),
        T.ADD_ACTION: D(2, 5, 10),
        T.CRG_APPROVE: D(3, 8, 15),
        f"{T.RETURN_TO_DRAFTING}@{S.CRP_AGREED}": D(3, 8, 15),
        T.EXECUTIVE_APPROVE: D(3, 8, 15),
        f"{T.RETURN_TO_DRAFTING}@{S.CRG_APPROVED}": D(3, 8, 15),
        T.SEND_FINAL_REPORT: D(2, 2, 2),
        T.HOLD_FEEDBACK_SESSION: D(2, 2, 2),
        T.INFORM_FAMILY: D(1, 1, 1),
        T.PUBLISH: D(0, 1, 8),
        T.BEGIN_MONITORING: D(5, 5, 5),
        T.UPDATE_ACTION: D(40, 120, 250),
        T.CLOSE_REVIEW: D(5, 5, 5),
        T.PUT_ON_HOLD: D(0, 0, 1),
        T.RESUME: D(0, 0, 1),
    },
    chances={
        f"{T.RETURN_COMMENTS}@{S.FACT_CHECK}": 0.35,
        f"{T.RETURN_TO_DRAFTING}@{S.CRP_AGREED}": 0.15,
        f"{T.RETURN_TO_DRAFTING}@{S.CRG_APPROVED}": 0.1,
        T.PUT_ON_HOLD: 0.01,
    },
    repeats={
        f"{T.INVITE_FAMILY}@{S.SCOPING}": Repeat(D(1, 1, 1), 1),
        f"{T.REQUEST_INFORMATION}@{S.SCOPING}": Repeat(D(1, 1, 1), 3),
        f"{T.HOLD_LEARNING_EVENT}@{S.PANEL_REVIEW}": Repeat(D(0, 1, 1), 15),
        f"{T.HOLD_PANEL_MEETING}@{S.PANEL_REVIEW}": Repeat(D(0, 1, 2), 30),
    },
    waits_for={
        T.HOLD_PANEL_MEETING: (T.RETURN_INFORMATION, T.SHARE_INFORMATION),
    },
    details={
        T.SUBMIT_RAPID_REVIEW: {
            "kloes": ["Information sharing between agencies"],
            "agencies": list(AGENCIES[:4]),
        },
    },
)
"""The default process's simulation scenario (``DEFAULT_DEFINITION.scenario``)."""


def with_agencies(count: int, scenario: Scenario = DEFAULT_SCENARIO) -> Scenario:
    """``scenario`` with ``count`` agencies relevant to each case (and so on its panel)."""
    check_arg("count", count, int, "a whole number of agencies")
    if count < 1:
        raise InvalidInput(
            "count", "agency_count", "a case has at least one agency", "Pass count=1 or more."
        )
    names = [AGENCIES[i] if i < len(AGENCIES) else f"Agency {i + 1}" for i in range(count)]
    details = dict(scenario.details.get(T.SUBMIT_RAPID_REVIEW, {"kloes": ["A line of enquiry"]}))
    details["agencies"] = names
    return scenario.evolve(details={**scenario.details, T.SUBMIT_RAPID_REVIEW: details})
