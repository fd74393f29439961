"""Governance views: diagrams of a process or a review's path, and a review's audit report."""

from __future__ import annotations

from ._diagrams import Diagram
from ._draw import diagram
from ._report import (
    AuditReport,
    audit_report,
)

__all__ = [
    "AuditReport",
    "Diagram",
    "audit_report",
    "diagram",
]
