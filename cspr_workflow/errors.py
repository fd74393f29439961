"""Every error the library raises on purpose, under one root: :class:`CsprWorkflowError`.

The tree, and what each error means, is in the docs (Reference, Errors).
"""

from __future__ import annotations

from ._errors import (
    CalendarRangeError,
    ConcurrentUpdate,
    CsprWorkflowError,
    GraphvizMissing,
    HistoryTampered,
    InvalidDefinition,
    InvalidDocument,
    InvalidInput,
    InvalidTime,
    MissingExtra,
    NotAnExtension,
    NotPermitted,
    Problem,
    Reason,
    RenderFailed,
    ReplayMismatch,
    ReviewExists,
    ReviewNotFound,
    SimulationError,
    TimeWentBackwards,
    TransitionRefused,
    UnknownDefinition,
    UnknownName,
    UnknownTrigger,
    WorkersFailed,
)

__all__ = [
    "CalendarRangeError",
    "ConcurrentUpdate",
    "CsprWorkflowError",
    "GraphvizMissing",
    "HistoryTampered",
    "InvalidDefinition",
    "InvalidDocument",
    "InvalidInput",
    "InvalidTime",
    "MissingExtra",
    "NotAnExtension",
    "NotPermitted",
    "Problem",
    "Reason",
    "RenderFailed",
    "ReplayMismatch",
    "ReviewExists",
    "ReviewNotFound",
    "SimulationError",
    "TimeWentBackwards",
    "TransitionRefused",
    "UnknownDefinition",
    "UnknownName",
    "UnknownTrigger",
    "WorkersFailed",
]
