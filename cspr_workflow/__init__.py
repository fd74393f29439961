"""cspr_workflow: Local Child Safeguarding Practice Reviews as a verified state machine.

The top level holds what running a review needs; the rest is grouped in
namespaces: :mod:`~cspr_workflow.records`, :mod:`~cspr_workflow.errors`,
:mod:`~cspr_workflow.extension` (declaring a process), :mod:`~cspr_workflow.clocks`,
:mod:`~cspr_workflow.effects`, :mod:`~cspr_workflow.persistence`,
:mod:`~cspr_workflow.views`, :mod:`~cspr_workflow.simulation`,
:mod:`~cspr_workflow.verification` and :mod:`~cspr_workflow.demo`. The default
process is declared in :mod:`~cspr_workflow.states`, :mod:`~cspr_workflow.guards`,
:mod:`~cspr_workflow.roles`, :mod:`~cspr_workflow.statutory` and
:mod:`~cspr_workflow.practice`, and assembled in :mod:`~cspr_workflow.default`.

The public API is exactly what ``__all__`` and those modules' ``__all__`` list;
every module whose name starts with an underscore is private.
"""

from ._definition import ProcessDefinition
from ._definition import use_as_default as _use_as_default
from ._document import dumps, loads
from ._draw import diagram
from ._engine import Option, Review, Verdict
from ._errors import CsprWorkflowError, NotPermitted, Reason, TimeWentBackwards, TransitionRefused
from ._oracle import check_review
from ._records import Actor
from ._report import audit_report
from ._scenario import Scenario
from ._simulate import simulate
from ._store import ReviewStore
from ._verify import verify
from .default import DEFAULT_DEFINITION
from .roles import Role
from .states import Stage, Trigger

_use_as_default(DEFAULT_DEFINITION)

__all__ = [
    "DEFAULT_DEFINITION",
    "Actor",
    "CsprWorkflowError",
    "NotPermitted",
    "Option",
    "ProcessDefinition",
    "Reason",
    "Review",
    "ReviewStore",
    "Role",
    "Scenario",
    "Stage",
    "TimeWentBackwards",
    "TransitionRefused",
    "Trigger",
    "Verdict",
    "audit_report",
    "check_review",
    "diagram",
    "dumps",
    "loads",
    "simulate",
    "verify",
]
