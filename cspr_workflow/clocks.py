"""Clocks: their declaration (:class:`ClockSpec`, :class:`Policy`, the national floors
:class:`NationalLimits`), the working-day
calendar, and where a review's clocks stand (:class:`DeadlineReport`)."""

from __future__ import annotations

from ._calendar import WorkingDayCalendar
from ._clocks import ClockSpec, CompletionRule, NationalLimits, OwedNotice, Policy
from ._deadlines import ClockStatus, Deadline, DeadlineReport

__all__ = [
    "ClockSpec",
    "ClockStatus",
    "CompletionRule",
    "Deadline",
    "DeadlineReport",
    "NationalLimits",
    "OwedNotice",
    "Policy",
    "WorkingDayCalendar",
]
