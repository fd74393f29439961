"""The default process definition: the national LCSPR process with one set of local rules.

Assembled here, once, from its parts: the stages, triggers, transitions, approval
chain, completion rule and national clocks (:mod:`cspr_workflow.states`), the
guards (:mod:`cspr_workflow.guards`), the roles (:mod:`cspr_workflow.roles`), the
statutory properties (:mod:`cspr_workflow.statutory`) and the scenario the
simulation starts from (:mod:`cspr_workflow.practice`).
"""

from __future__ import annotations

import attrs

from ._args import check_arg
from ._definition import ProcessDefinition
from .guards import DEFAULT_GUARDS, DEFAULT_SELECTORS
from .practice import DEFAULT_SCENARIO
from .roles import DEFAULT_ROLES, Role
from .states import (
    APPROVAL_CHAIN,
    COMPLETION_RULE,
    DEFAULT_STAGES,
    DEFAULT_TRANSITIONS,
    DEFAULT_TRIGGERS,
    NATIONAL_POLICY,
    UNEXPLORED,
    Trigger,
)
from .statutory import DEFAULT_PROPERTIES

__all__ = ["DEFAULT_DEFINITION", "MODULES", "WORKING_TOGETHER_2023_TITLES", "with_local_choices"]

MODULES = ("_examples", "default", "demo", "guards", "practice", "roles", "states", "statutory")
"""The modules of the package that declare, assemble or demonstrate the default process.
The generic core imports none of them."""

DEFAULT_DEFINITION = ProcessDefinition(
    name="LCSPR (England)",
    stages=DEFAULT_STAGES,
    triggers=DEFAULT_TRIGGERS,
    transitions=DEFAULT_TRANSITIONS,
    roles=DEFAULT_ROLES,
    policy=NATIONAL_POLICY,
    completion=COMPLETION_RULE,
    approvals=APPROVAL_CHAIN,
    guards=DEFAULT_GUARDS,
    selectors=DEFAULT_SELECTORS,
    role_titles={Role.EXECUTIVE: "SSCP Executive"},
    properties=DEFAULT_PROPERTIES,
    scenario=DEFAULT_SCENARIO,
    unexplored=UNEXPLORED,
)
"""The national process with one set of local rules (the approval chain, the Executive's
title "SSCP Executive"), validated."""

WORKING_TOGETHER_2023_TITLES: dict[str, str] = {
    Role.EXECUTIVE: "Lead and delegated safeguarding partners",
}
"""Working Together to Safeguard Children 2023's terms: the lead safeguarding partners
(LSPs) and the delegated safeguarding partners (DSPs) sit where this definition says
"Executive". A partnership that uses them derives
``DEFAULT_DEFINITION.evolve(role_titles=WORKING_TOGETHER_2023_TITLES)``, and its refusals,
diagrams, reports and tables use the titles."""


#: Each local choice: the step that waits for the event when the choice is "required",
#: and the guard it waits on.
_CHOICES: dict[str, tuple[str, str]] = {
    "feedback_session": (Trigger.PUBLISH, "feedback_session_held"),
    "learning_event": (Trigger.BEGIN_DRAFTING, "learning_event_held"),
}


def with_local_choices(
    definition: ProcessDefinition | None = None,
    *,
    feedback_session: bool = True,
    learning_event: bool = False,
) -> ProcessDefinition:
    """``definition`` (default: :data:`DEFAULT_DEFINITION`) with the partnership's choice
    of the practitioner events it requires: ``feedback_session`` (publication waits for
    the practitioner feedback session; required by default) and ``learning_event``
    (drafting waits for a Practitioner Learning Event; optional by default, since the
    role profiles say a review "potentially" holds one). Either may still be held when
    it is not required. The definition is checked again, so the verifier, diagrams and
    tables show the choice.
    """
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True)
    base = DEFAULT_DEFINITION if definition is None else definition
    wanted = {"feedback_session": feedback_session, "learning_event": learning_event}
    rows = []
    for row in base.transitions:
        guards = row.guards
        for choice, (trigger, guard) in _CHOICES.items():
            if row.trigger != trigger:
                continue
            if not wanted[choice]:
                guards = tuple(g for g in guards if g != guard)
            elif guard not in guards:
                guards += (guard,)
        rows.append(row if guards == row.guards else attrs.evolve(row, guards=guards))
    return base.evolve(transitions=rows)
