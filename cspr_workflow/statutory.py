"""The statutory properties of the default process: who owns each step, and what every path keeps.

This is the oracle's specification, written from Working Together to Safeguard
Children, the 2018 Regulations and a safeguarding partnership's role profiles,
separately from the process table it checks (the verifier checks the table against it,
never the other way round). Each property reads a review's recorded history
only, never the guards.

The properties about the approval chain and the completion clock read the
definition's declared rules (see :mod:`cspr_workflow.verification`), so a
partnership that renames a body or the approval triggers is checked in its own
words; the others read the default process's own steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._oracle import (
    PathSoFar,
    approvals_in_order,
    completion_timing,
    history_forward,
    late_explained,
    nothing_after_final,
    notice_period,
)
from ._records import AuditEntry
from ._specs import Property
from .roles import Role
from .states import ApprovalBody, Stage, Trigger

__all__ = ["APPROVAL_OWNERS", "DEFAULT_PROPERTIES", "STATUTORY_OWNERS"]

T = Trigger

#: Who alone may take the statutory steps (Working Together to Safeguard Children,
#: the 2018 Regulations and a safeguarding partnership's role profiles).
STATUTORY_OWNERS: Mapping[str, frozenset[str]] = {
    T.NOTIFY_NATIONAL_PANEL: frozenset({Role.LOCAL_AUTHORITY}),
    T.COMMISSION_REVIEW: frozenset({Role.EXECUTIVE}),
    T.DECLINE_REVIEW: frozenset({Role.EXECUTIVE}),
    T.AGREE_METHODOLOGY: frozenset({Role.CHAIR, Role.LEAD_REVIEWER}),
    T.SHARE_KLOES: frozenset({Role.CHAIR}),
    T.HOLD_PANEL_MEETING: frozenset({Role.CHAIR}),
    T.SUBMIT_DRAFT: frozenset({Role.LEAD_REVIEWER}),
    T.CONFIRM_FACTS: frozenset({Role.PANEL_MEMBER}),
    T.RETURN_COMMENTS: frozenset({Role.PANEL_MEMBER}),
    T.PUBLISH: frozenset({Role.EXECUTIVE}),
    T.NOTIFY_DELAY: frozenset({Role.PDEO}),
    T.RESPOND_TO_RAPID_REVIEW: frozenset({Role.NATIONAL_PANEL}),
    T.END_LOCAL_PROCESS: frozenset({Role.EXECUTIVE}),
}
"""Who alone may take each statutory step, by trigger."""

#: Who alone may record each approval body's sign-off, whatever the trigger is called:
#: the Chair records the Case Review Panel's agreement. A body not listed here (a
#: partnership's own) is owned by the role its approval step names.
APPROVAL_OWNERS: Mapping[str, frozenset[str]] = {
    ApprovalBody.CRP: frozenset({Role.CHAIR}),
    ApprovalBody.CRG: frozenset({Role.CRG}),
    ApprovalBody.EXECUTIVE: frozenset({Role.EXECUTIVE}),
}
"""Who alone may record each approval body's sign-off, by body."""


def _methodology_first(path: PathSoFar, step: AuditEntry) -> str | None:
    if step.trigger != T.HOLD_PANEL_MEETING:
        return None
    latest: dict[str, object] = {}
    for entry in path.earlier:
        if entry.trigger == T.AGREE_METHODOLOGY:
            latest[entry.actor.role] = entry.details.get("methodology")
    problems = []
    if Role.CHAIR not in latest or Role.LEAD_REVIEWER not in latest:
        problems.append("the methodology was not agreed by both the Chair and the Lead Reviewer")
    elif latest[Role.CHAIR] != latest[Role.LEAD_REVIEWER]:
        problems.append("the Chair and the Lead Reviewer agreed different methodologies")
    if not any(e.trigger == T.SHARE_KLOES for e in path.earlier):
        problems.append("the key lines of enquiry were not shared")
    return "; ".join(problems) or None


def _fact_check(path: PathSoFar, step: AuditEntry) -> str | None:
    chain = path.definition.approvals
    if chain is None or not chain.steps or step.trigger != chain.steps[0].trigger:
        return None
    draft = path.last_index(chain.draft)
    if draft is None:
        return "the panel agreed a report with no draft"
    earlier = path.earlier
    seated = {e.details["agency"] for e in earlier if e.trigger == T.APPOINT_PANEL_MEMBER}
    confirmed = {
        e.details.get("agency", e.actor.agency)
        for e in earlier[draft + 1 :]
        if e.trigger == T.CONFIRM_FACTS
    }
    missing = sorted(str(a) for a in seated - confirmed)
    if missing:
        return f"the panel agreed a draft not confirmed by {', '.join(missing)}"
    asked: dict[str, None] = {}
    for e in earlier[draft + 1 :]:
        if e.trigger == T.RAISE_CORRECTION:
            asked[str(e.details.get("agency", e.actor.agency))] = None
        elif e.trigger == T.CORRECT_DRAFT:
            asked.pop(str(e.details.get("agency")), None)
    if asked:
        return f"the panel agreed a draft with factual corrections not made for {', '.join(asked)}"
    return None


def _action_plan(path: PathSoFar, step: AuditEntry) -> str | None:
    chain = path.definition.approvals
    if chain is None or step.trigger not in chain.triggers[1:]:
        return None
    draft = path.last_index(chain.draft)
    if draft is None:
        return f"{step.trigger} with no draft and so no recommendations"
    recommendations: Any = path.earlier[draft].details["recommendations"]
    wanted = {str(rec_id) for rec_id, _ in recommendations}
    live: dict[str, str] = {}
    added = 0
    for entry in path.earlier:
        if entry.trigger == T.ADD_ACTION:
            added += 1
            live[f"A{added}"] = str(entry.details["recommendation"])
        elif entry.trigger == T.WITHDRAW_ACTION:
            live.pop(str(entry.details["action"]), None)
    unanswered = sorted(wanted - set(live.values()))
    orphans = sorted(a for a, rec in live.items() if rec not in wanted)
    problems = []
    if unanswered:
        problems.append(f"recommendations with no action: {', '.join(unanswered)}")
    if orphans:
        problems.append(f"actions answering no recommendation: {', '.join(orphans)}")
    return "; ".join(problems) or None


def _owners(path: PathSoFar, step: AuditEntry) -> str | None:
    owners = STATUTORY_OWNERS.get(step.trigger)
    chain = path.definition.approvals
    approval = chain.step_of(step.trigger) if chain is not None else None
    if approval is not None:  # the body's owners, else the role the chain says speaks for it
        declared = frozenset({approval.role}) if approval.role is not None else owners
        owners = APPROVAL_OWNERS.get(approval.body, declared)
    if owners is not None and step.actor.role not in owners:
        return f"{step.trigger} was taken by the {path.definition.role_title(step.actor.role)}"
    return None


def _own_agency(path: PathSoFar, step: AuditEntry) -> str | None:
    if step.actor.role != Role.PANEL_MEMBER:
        return None
    earlier = path.earlier
    spoken = step.details.get("agency")
    if spoken is not None and spoken != step.actor.agency:
        return f"a panel member for {step.actor.agency} took {step.trigger} for {spoken}"
    seats = [e for e in earlier if e.trigger == T.APPOINT_PANEL_MEMBER]
    seat = next((e for e in reversed(seats) if e.details["agency"] == step.actor.agency), None)
    if seat is None:
        return f"{step.trigger} by a panel member for {step.actor.agency}, which has no seat"
    if step.actor.substitute:
        recorded = any(
            e.trigger == T.RECORD_SUBSTITUTE
            and e.details["agency"] == step.actor.agency
            and e.details["substitute"] == step.actor.name
            for e in earlier
        )
        if not recorded:
            return f"{step.trigger} by an unrecorded substitute for {step.actor.agency}"
    elif step.actor.name != seat.details["member"]:
        return f"{step.trigger} by someone other than {step.actor.agency}'s panel member"
    return None


def _panel_answers(path: PathSoFar, after: int) -> list[object]:
    return [
        e.details.get("response")
        for e in path.earlier[after:]
        if e.trigger == T.RESPOND_TO_RAPID_REVIEW
    ]


def _panel_heard(path: PathSoFar, step: AuditEntry) -> str | None:
    """A local review after a national review only on the Panel's conclusion that a local
    review is more appropriate (reg 11(d)); no case closed without a local review before the
    Panel has answered the Rapid Review."""
    entered = [
        i
        for i, e in enumerate(path.earlier)
        if e.dest == Stage.NATIONAL_REVIEW and e.source != Stage.NATIONAL_REVIEW
    ]
    undone = step.source == Stage.NATIONAL_REVIEW and step.dest == Stage.COMMISSIONED
    if undone and "local_review_more_appropriate" not in _panel_answers(path, entered[-1] + 1):
        return (
            "a local review followed the national review without the National Panel "
            "concluding that a local review is more appropriate"
        )
    if step.trigger == T.END_LOCAL_PROCESS:
        answers = _panel_answers(path, 0)
        if not answers or answers[-1] == "asks_for_information":
            return "the case was closed without a local review before the National Panel answered"
    return None


DEFAULT_PROPERTIES: tuple[Property, ...] = (
    approvals_in_order(),
    Property(
        "methodology",
        "no panel meeting before the KLOEs are shared and both Chair and Lead Reviewer "
        "agree the methodology",
        _methodology_first,
    ),
    completion_timing(),
    late_explained(),
    notice_period(),
    Property(
        "fact_check",
        "no panel agreement before every panel agency confirmed that exact draft, with "
        "every factual correction asked for made",
        _fact_check,
    ),
    Property(
        "action_plan",
        "no later sign-off of an action plan not tied to the recommendations",
        _action_plan,
    ),
    Property("owners", "statutory steps are taken only by the role that owns them", _owners),
    Property(
        "own_agency", "a panel member speaks only for their own seat and agency", _own_agency
    ),
    Property(
        "panel_heard",
        "a decision against a local review stands only after the National Panel has "
        "answered, and a national review gives way to a local one only on its conclusion",
        _panel_heard,
    ),
    history_forward(),
    nothing_after_final(),
)
"""The statutory properties every path of the default process keeps (the invariants of
Working Together to Safeguard Children and the 2018 Regulations)."""
