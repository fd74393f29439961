"""Governance views: diagrams of a process or a review's path, a review's audit report,
and the report of many reviews over a period (the partnership's yearly report)."""

from __future__ import annotations

from ._diagrams import Diagram
from ._draw import diagram
from ._period import Completion, PeriodReport, period_report
from ._report import (
    AuditReport,
    audit_report,
)

__all__ = [
    "AuditReport",
    "Completion",
    "Diagram",
    "PeriodReport",
    "audit_report",
    "diagram",
    "period_report",
]
