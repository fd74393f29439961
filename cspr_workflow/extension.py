"""What a partnership needs to declare or extend a process: the parts of a definition.

A :class:`ProcessDefinition` is built from stages, triggers, transitions, roles,
guards, selectors, an approval chain, a completion rule and a clock policy; see
the how-to "Build your partnership's own process".
"""

from __future__ import annotations

from ._calendar import WorkingDayCalendar
from ._clocks import ClockSpec, CompletionRule, Policy
from ._definition import ProcessDefinition
from ._details import DetailKind, DetailSpec
from ._graph import StageGraph
from ._specs import (
    ApprovalChain,
    ApprovalStep,
    Cast,
    Effect,
    Examples,
    Guard,
    GuardFunction,
    Property,
    PropertyCheck,
    RoleSpec,
    Selector,
    SelectorFunction,
    StageSpec,
    StepContext,
    TransitionSpec,
    TriggerSpec,
    Unmet,
)
from ._time import Clock

__all__ = [
    "ApprovalChain",
    "ApprovalStep",
    "Cast",
    "Clock",
    "ClockSpec",
    "CompletionRule",
    "DetailKind",
    "DetailSpec",
    "Effect",
    "Examples",
    "Guard",
    "GuardFunction",
    "Policy",
    "ProcessDefinition",
    "Property",
    "PropertyCheck",
    "RoleSpec",
    "Selector",
    "SelectorFunction",
    "StageGraph",
    "StageSpec",
    "StepContext",
    "TransitionSpec",
    "TriggerSpec",
    "Unmet",
    "WorkingDayCalendar",
]
