"""The frozen records of a review: its state, its history, and every fact it keeps."""

from __future__ import annotations

from ._records import (
    Action,
    ActionStatus,
    Actor,
    Approval,
    AuditEntry,
    ClockKind,
    ClockRecord,
    ClockUnit,
    DelayNotice,
    Draft,
    FactCheck,
    FamilyResponse,
    InformationRequest,
    Meeting,
    MeetingKind,
    MethodologyAgreement,
    PanelMember,
    Recommendation,
    Refusal,
    ReviewState,
)

__all__ = [
    "Action",
    "ActionStatus",
    "Actor",
    "Approval",
    "AuditEntry",
    "ClockKind",
    "ClockRecord",
    "ClockUnit",
    "DelayNotice",
    "Draft",
    "FactCheck",
    "FamilyResponse",
    "InformationRequest",
    "Meeting",
    "MeetingKind",
    "MethodologyAgreement",
    "PanelMember",
    "Recommendation",
    "Refusal",
    "ReviewState",
]
