"""Local variants of the default process, built only through the public API.

Each is a module-level definition (so that worker processes can import it by name)
and each must build, verify with no false violation, simulate with one worker and
two, and draw and report in its own names and limits (see ``test_variants.py``).
"""

from __future__ import annotations

import attrs

from cspr_workflow import DEFAULT_DEFINITION, Role, Stage, Trigger
from cspr_workflow.extension import ProcessDefinition, StageSpec, TransitionSpec, TriggerSpec
from cspr_workflow.simulation import Duration

T, S, R = Trigger, Stage, Role
D = DEFAULT_DEFINITION


def with_legal_review(*clear_guards: str, name: str = "with legal review") -> ProcessDefinition:
    """The default process with a legal review after the Executive's approval, before the
    final report is sent: the approval leads into it, and clearing it (a step with
    ``clear_guards``) leads to "Executive approved"."""
    legal = StageSpec("legal_review", "Legal review", "Legal reads the approved report")
    clear = TriggerSpec("clear_legal_review", "clear legal review", "No legal concerns")
    return D.extend(
        name=name,
        stages=[legal],
        triggers=[clear],
        transitions=[
            TransitionSpec(
                T.EXECUTIVE_APPROVE,
                S.CRG_APPROVED,
                "legal_review",
                {R.EXECUTIVE},
                ("within_due_date", "crg_approved", "action_plan_complete"),
            ),
            TransitionSpec(
                "clear_legal_review",
                "legal_review",
                S.EXECUTIVE_APPROVED,
                {R.EXECUTIVE},
                clear_guards,
            ),
            TransitionSpec(T.NOTIFY_DELAY, "legal_review", None, {R.PDEO}),
            TransitionSpec(
                T.PUT_ON_HOLD, "legal_review", S.ON_HOLD, {R.EXECUTIVE}, ("within_due_date",)
            ),
            TransitionSpec(
                T.RESUME,
                S.ON_HOLD,
                "legal_review",
                {R.EXECUTIVE},
                ("within_due_date",),
                "left_stage",
            ),
        ],
        without=lambda row: row.trigger == T.EXECUTIVE_APPROVE,
    )


#: 1. An extra stage between two existing ones (legal review after Executive approval).
LEGAL_REVIEW = with_legal_review("within_due_date", name="Northshire with legal review")

#: 2. Other clock limits: stricter notification, Rapid Review and pre-publication notice.
STRICTER_CLOCKS = D.evolve(
    name="Eastshire stricter clocks",
    policy=D.policy.with_limits(C1=3, C2=10, C4=10),
)


#: 3. A renamed approval body and trigger: the CRG is a "Practice Review Board" that
#: "endorses" the report.
def _renamed_body() -> ProcessDefinition:
    renamed = D.rename(
        name="Westshire review board",
        triggers={T.CRG_APPROVE: "board_endorse"},
        bodies={"crg": "review_board"},
    )
    return renamed.evolve(
        triggers=[
            attrs.evolve(t, title="endorsement by the Practice Review Board")
            if t.name == "board_endorse"
            else t
            for t in renamed.triggers
        ],
        role_titles={**D.role_titles, R.CRG: "Practice Review Board"},
    )


RENAMED_BODY = _renamed_body()

#: 4. Retitled guards and roles: the partnership's own words for them.
RETITLED = D.evolve(
    name="Southshire own words",
    guards={
        **D.guards,
        "facts_confirmed": attrs.evolve(
            D.guards["facts_confirmed"], title="every agency signed off the facts"
        ),
        "kloes_shared": attrs.evolve(
            D.guards["kloes_shared"], title="lines of enquiry circulated"
        ),
    },
    role_titles={
        R.EXECUTIVE: "Safeguarding Partnership Board",
        R.CHAIR: "Independent Chair",
        R.PDEO: "Business Manager",
        R.NATIONAL_PANEL: "Child Safeguarding Practice Review Panel",
    },
)

#: 5. A shorter completion clock: four calendar months, with a shorter scenario to match.
FOUR_MONTHS = D.evolve(
    name="Northshire four months",
    policy=D.policy.with_limits(C3=4),
    scenario=D.scenario.with_days(drafting=Duration(5, 12, 20)) if D.scenario else None,
)

VARIANTS: dict[str, ProcessDefinition] = {
    "extra stage": LEGAL_REVIEW,
    "stricter clocks": STRICTER_CLOCKS,
    "renamed body and trigger": RENAMED_BODY,
    "retitled guards and roles": RETITLED,
    "four-month completion": FOUR_MONTHS,
}
