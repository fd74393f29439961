"""The default process definition: the national LCSPR process with this partnership's rules.

Assembled here, once, from its parts: the stages, triggers, transitions, approval
chain, completion rule and national clocks (:mod:`cspr_workflow.states`), the
guards (:mod:`cspr_workflow.guards`), the roles (:mod:`cspr_workflow.roles`), the
statutory properties (:mod:`cspr_workflow.statutory`) and the scenario the
simulation starts from (:mod:`cspr_workflow.practice`).
"""

from __future__ import annotations

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
)
from .statutory import DEFAULT_PROPERTIES

__all__ = ["DEFAULT_DEFINITION", "MODULES", "WORKING_TOGETHER_2023_TITLES"]

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
)
"""The national process with this partnership's local rules, validated."""

WORKING_TOGETHER_2023_TITLES: dict[str, str] = {
    Role.EXECUTIVE: "Lead and delegated safeguarding partners",
}
"""Working Together to Safeguard Children 2023's terms: the lead safeguarding partners
(LSPs) and the delegated safeguarding partners (DSPs) sit where this definition says
"Executive". A partnership that uses them derives
``DEFAULT_DEFINITION.evolve(role_titles=WORKING_TOGETHER_2023_TITLES)``, and its refusals,
diagrams, reports and tables use the titles."""
