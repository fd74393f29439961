"""cspr_workflow: Local Child Safeguarding Practice Reviews as a verified state machine.

The public API is exactly what ``__all__`` lists; every other module is private.
"""

from ._calendar import CalendarRangeError, WorkingDayCalendar
from ._clocks import ClockSpec, ClockStatus, Deadline, DeadlineReport, Policy
from ._definition import (
    DetailKind,
    DetailSpec,
    ProcessDefinition,
    StageSpec,
    StepContext,
    TransitionSpec,
    TriggerSpec,
)
from ._demo import ACTORS as DEMO_ACTORS
from ._demo import demo_review
from ._engine import Option, Review, Verdict
from ._errors import (
    CsprWorkflowError,
    InvalidDefinition,
    InvalidTime,
    NotPermitted,
    Reason,
    StepProblems,
    TimeWentBackwards,
    TransitionRefused,
    UnknownTrigger,
)
from ._records import (
    Action,
    ActionStatus,
    Approval,
    ApprovalBody,
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
    ReviewState,
)
from .guards import DEFAULT_GUARDS, DEFAULT_SELECTORS, Guard, Selector
from .roles import Actor, Role
from .states import DEFAULT_DEFINITION, Stage, Trigger

__all__ = [
    "DEFAULT_DEFINITION",
    "DEFAULT_GUARDS",
    "DEFAULT_SELECTORS",
    "DEMO_ACTORS",
    "Action",
    "ActionStatus",
    "Actor",
    "Approval",
    "ApprovalBody",
    "AuditEntry",
    "CalendarRangeError",
    "ClockKind",
    "ClockRecord",
    "ClockSpec",
    "ClockStatus",
    "ClockUnit",
    "CsprWorkflowError",
    "Deadline",
    "DeadlineReport",
    "DelayNotice",
    "DetailKind",
    "DetailSpec",
    "Draft",
    "FactCheck",
    "FamilyResponse",
    "Guard",
    "InformationRequest",
    "InvalidDefinition",
    "InvalidTime",
    "Meeting",
    "MeetingKind",
    "MethodologyAgreement",
    "NotPermitted",
    "Option",
    "PanelMember",
    "Policy",
    "ProcessDefinition",
    "Reason",
    "Recommendation",
    "Review",
    "ReviewState",
    "Role",
    "Selector",
    "Stage",
    "StageSpec",
    "StepContext",
    "StepProblems",
    "TimeWentBackwards",
    "TransitionRefused",
    "TransitionSpec",
    "Trigger",
    "TriggerSpec",
    "UnknownTrigger",
    "Verdict",
    "WorkingDayCalendar",
    "demo_review",
]
