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

import importlib as _importlib
import typing as _typing

from ._fallback import use_as_default as _use_as_default

if _typing.TYPE_CHECKING:
    from ._definition import ProcessDefinition
    from ._document import dumps, loads
    from ._draw import diagram
    from ._engine import Option, Review, Verdict
    from ._errors import (
        CsprWorkflowError,
        NotPermitted,
        Reason,
        TimeWentBackwards,
        TransitionRefused,
    )
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

# Every name is imported from its module when first used, so that importing the package
# costs almost nothing and each use pays for what it needs: the command line's help for
# argparse, a simulation worker for the engine and the simulation, the store for
# SQLAlchemy. The default process is built when a call given no definition first needs it.
_FROM = {
    "Actor": "._records",
    "CsprWorkflowError": "._errors",
    "DEFAULT_DEFINITION": ".default",
    "NotPermitted": "._errors",
    "Option": "._engine",
    "ProcessDefinition": "._definition",
    "Reason": "._errors",
    "Review": "._engine",
    "ReviewStore": "._store",
    "Role": ".roles",
    "Scenario": "._scenario",
    "Stage": ".states",
    "TimeWentBackwards": "._errors",
    "TransitionRefused": "._errors",
    "Trigger": ".states",
    "Verdict": "._engine",
    "audit_report": "._report",
    "check_review": "._oracle",
    "diagram": "._draw",
    "dumps": "._document",
    "loads": "._document",
    "simulate": "._simulate",
    "verify": "._verify",
}


def _default() -> "ProcessDefinition":
    from .default import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION


_use_as_default(_default)


def __getattr__(name: str) -> _typing.Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'cspr_workflow' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FROM))


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
