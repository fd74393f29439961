"""Governance views: diagrams of a process or a review's path, a review's path as a
timeline, a review's audit report, the report of many reviews over a period (the
partnership's yearly report), and the portfolio of every review at one instant."""

from __future__ import annotations

from ._diagrams import Diagram
from ._draw import diagram
from ._period import Completion, PeriodReport, period_report
from ._portfolio import Attention, Portfolio, PortfolioRow, portfolio, report_file
from ._report import (
    AuditReport,
    audit_report,
)
from ._timeline import Timeline, timeline

__all__ = [
    "Attention",
    "AuditReport",
    "Completion",
    "Diagram",
    "PeriodReport",
    "Portfolio",
    "PortfolioRow",
    "Timeline",
    "audit_report",
    "diagram",
    "period_report",
    "portfolio",
    "report_file",
    "timeline",
]
