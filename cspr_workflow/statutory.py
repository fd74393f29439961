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

from collections.abc import Mapping, Sequence
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
from ._records import AuditEntry, MeetingKind, ReviewState
from ._specs import Property
from .roles import Role
from .states import NATIONAL_LIMITS, ApprovalBody, Stage, Trigger

__all__ = ["APPROVAL_OWNERS", "DEFAULT_PROPERTIES", "MEANING_OWNERS", "STATUTORY_OWNERS"]

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


# -- what a step did, read from the record before and after it -------------------------------
#
# A property applies to a step by what the step *does* (a panel meeting held, a draft
# recorded, a fact confirmed, a body's approval, the completion clock stopped, a delay
# notified), read from the review's record before and after it, so a renamed, duplicated
# or re-routed step is checked as the default one is. Where the record cannot be rebuilt
# (a history the definition's effects cannot replay), the default step's trigger says it.

PANEL_MEETING = "a panel meeting"
DRAFT = "a draft"
FACTS_CONFIRMED = "a confirmation of the facts"
METHODOLOGY = "an agreement of the methodology"
KLOES_SHARED = "the KLOEs shared"
COMPLETION = "the completion clock stopped (publication)"
DELAY_NOTICE = "a delay notice"

#: Who alone may do what a step does, whatever its trigger is called.
MEANING_OWNERS: Mapping[str, frozenset[str]] = {
    PANEL_MEETING: frozenset({Role.CHAIR}),
    DRAFT: frozenset({Role.LEAD_REVIEWER}),
    FACTS_CONFIRMED: frozenset({Role.PANEL_MEMBER}),
    METHODOLOGY: frozenset({Role.CHAIR, Role.LEAD_REVIEWER}),
    KLOES_SHARED: frozenset({Role.CHAIR}),
    COMPLETION: frozenset({Role.EXECUTIVE}),
    DELAY_NOTICE: frozenset({Role.PDEO}),
}
"""Who alone may hold a panel meeting, record a draft, confirm the facts, agree the
methodology, share the KLOEs, stop the completion clock or notify a delay, by what the
step does (read from the review's record), whatever the step is called."""

_BY_NAME: Mapping[str, str] = {
    T.HOLD_PANEL_MEETING: PANEL_MEETING,
    T.SUBMIT_DRAFT: DRAFT,
    T.CONFIRM_FACTS: FACTS_CONFIRMED,
    T.AGREE_METHODOLOGY: METHODOLOGY,
    T.SHARE_KLOES: KLOES_SHARED,
    T.NOTIFY_DELAY: DELAY_NOTICE,
}


def _panel_meetings(state: ReviewState) -> int:
    return sum(1 for m in state.meetings if m.kind is MeetingKind.PANEL)


def _did(path: PathSoFar, step: AuditEntry) -> tuple[ReviewState, ReviewState] | None:
    before = path.record()
    after = path.record_after(step)
    return None if before is None or after is None else (before, after)


def _new(before: Sequence[Any], after: Sequence[Any]) -> list[Any]:
    """The records in ``after`` that ``before`` does not hold (an unchanged field is the
    same object, so most steps cost nothing here)."""
    if after is before:
        return []
    return [r for r in after if r not in before]


def _meanings(path: PathSoFar, step: AuditEntry) -> frozenset[str]:
    """What ``step`` did, by the record before and after it (by its trigger's name when
    the record cannot be rebuilt)."""
    cached = path._memo.get("meanings")
    if isinstance(cached, tuple) and cached[0] is step:
        return cached[1]  # type: ignore[no-any-return]
    meanings = _meanings_of(path, step)
    path._memo["meanings"] = (step, meanings)
    return meanings


def _meanings_of(path: PathSoFar, step: AuditEntry) -> frozenset[str]:
    definition = path.definition
    found = set()
    if any(step.enters(s) for s in definition.policy.completion.stops):
        found.add(COMPLETION)
    facts = _did(path, step)
    if facts is None:
        meaning = _BY_NAME.get(step.trigger)
        return frozenset(found | ({meaning} if meaning else set()))
    before, after = facts
    if _panel_meetings(after) > _panel_meetings(before):
        found.add(PANEL_MEETING)
    if len(after.drafts) > len(before.drafts):
        found.add(DRAFT)
    if _new(before.fact_checks, after.fact_checks):
        found.add(FACTS_CONFIRMED)
    if len(after.methodology) > len(before.methodology):
        found.add(METHODOLOGY)
    if before.kloes_shared_at is None and after.kloes_shared_at is not None:
        found.add(KLOES_SHARED)
    notices = len(after.delay_notices) > len(before.delay_notices)
    if notices and step.trigger not in definition.completion.revise:
        found.add(DELAY_NOTICE)  # a deferral's notice to everyone at once is the body's own
    return frozenset(found)


def _approved(path: PathSoFar, step: AuditEntry) -> list[int]:
    """The positions in the approval chain of the bodies ``step`` approves for: its trigger
    is the body's approval step, or the record gains the body's approval."""
    cached = path._memo.get("approved")
    if isinstance(cached, tuple) and cached[0] is step:
        return cached[1]  # type: ignore[no-any-return]
    chain = path.definition.approvals
    if chain is None:
        return []
    bodies = {n for n, s in enumerate(chain.steps) if s.trigger == step.trigger}
    facts = _did(path, step)
    if facts is not None:
        before, after = facts
        new = _new(before.approvals, after.approvals)
        bodies |= {chain.bodies.index(a.body) for a in new if a.body in chain.bodies}
    path._memo["approved"] = (step, sorted(bodies))
    return sorted(bodies)


def _methodology_first(path: PathSoFar, step: AuditEntry) -> str | None:
    if PANEL_MEETING not in _meanings(path, step):
        return None
    before = path.record()
    if before is None:
        return None
    latest = {a.role: a.methodology for a in before.methodology}
    problems = []
    if Role.CHAIR not in latest or Role.LEAD_REVIEWER not in latest:
        problems.append("the methodology was not agreed by both the Chair and the Lead Reviewer")
    elif latest[Role.CHAIR] != latest[Role.LEAD_REVIEWER]:
        problems.append("the Chair and the Lead Reviewer agreed different methodologies")
    if before.kloes_shared_at is None:
        problems.append("the key lines of enquiry were not shared")
    return "; ".join(problems) or None


def _fact_check(path: PathSoFar, step: AuditEntry) -> str | None:
    chain = path.definition.approvals
    if chain is None or not chain.steps or 0 not in _approved(path, step):
        return None
    before = path.record()
    draft = None if before is None else before.current_draft
    if before is None or draft is None:
        return "the panel agreed a report with no draft"
    seated = {p.agency for p in before.panel}
    confirmed = {f.agency for f in before.fact_checks if f.version == draft.version}
    missing = sorted(str(a) for a in seated - confirmed)
    if missing:
        return f"the panel agreed a draft not confirmed by {', '.join(missing)}"
    start = path.last_index(chain.draft)
    asked: dict[str, None] = {}
    for e in path.earlier[(start or 0) + 1 :]:
        if e.trigger == T.RAISE_CORRECTION:
            asked[str(e.details.get("agency", e.actor.agency))] = None
        elif e.trigger == T.CORRECT_DRAFT:
            asked.pop(str(e.details.get("agency")), None)
    if asked:
        return f"the panel agreed a draft with factual corrections not made for {', '.join(asked)}"
    return None


def _action_plan(path: PathSoFar, step: AuditEntry) -> str | None:
    chain = path.definition.approvals
    if chain is None:
        return None
    signs = any(n > 0 for n in _approved(path, step))
    if not signs and COMPLETION not in _meanings(path, step):
        return None
    before = path.record()
    draft = None if before is None else before.current_draft
    if before is None or draft is None:
        return f"{step.trigger} with no draft and so no recommendations"
    wanted = draft.recommendation_ids()
    unanswered = sorted(wanted - {a.recommendation for a in before.actions})
    orphans = sorted(a.id for a in before.actions if a.recommendation not in wanted)
    problems = []
    if unanswered:
        problems.append(f"recommendations with no action: {', '.join(unanswered)}")
    if orphans:
        problems.append(f"actions answering no recommendation: {', '.join(orphans)}")
    return "; ".join(problems) or None


def _draft_kept(path: PathSoFar, step: AuditEntry) -> str | None:
    facts = _did(path, step)
    if facts is None:
        return None
    before, after = facts
    if after.drafts is before.drafts:
        return None
    kept = after.drafts[: len(before.drafts)]
    for old, new in zip(before.drafts, kept, strict=False):
        if old != new:
            return f"{step.trigger} changed draft {old.version} in place"
    if len(kept) < len(before.drafts):
        return f"{step.trigger} removed a recorded draft"
    return None


def _owners(path: PathSoFar, step: AuditEntry) -> str | None:
    definition = path.definition
    wanted = [STATUTORY_OWNERS.get(step.trigger)]
    wanted += [MEANING_OWNERS[m] for m in sorted(_meanings(path, step))]
    chain = definition.approvals
    if chain is not None:
        for n in _approved(path, step):
            approval = chain.steps[n]
            # the body's owners, else the role the chain says speaks for it
            declared = frozenset({approval.role}) if approval.role is not None else None
            wanted.append(APPROVAL_OWNERS.get(approval.body, declared))
    if any(owners is not None and step.actor.role not in owners for owners in wanted):
        return f"{step.trigger} was taken by the {definition.role_title(step.actor.role)}"
    return None


def _spoken_for(path: PathSoFar, step: AuditEntry) -> list[str]:
    """Every agency ``step`` speaks or commits for: the details naming an agency, the
    agencies whose confirmations it records, the owners of the actions it adds or changes."""
    named = ["agency", path.definition.trigger(step.trigger).agency_detail]
    found = [str(step.details[d]) for d in named if d is not None and d in step.details]
    facts = _did(path, step)
    if facts is not None:
        before, after = facts
        found += [f.agency for f in _new(before.fact_checks, after.fact_checks)]
        found += [a.owner for a in _new(before.actions, after.actions)]
    return found


def _own_agency(path: PathSoFar, step: AuditEntry) -> str | None:
    if step.actor.role != Role.PANEL_MEMBER:
        return None
    for spoken in _spoken_for(path, step):
        if spoken != step.actor.agency:
            return f"a panel member for {step.actor.agency} took {step.trigger} for {spoken}"
    before = path.record()
    if before is None:
        return None
    seat = before.panel_member(str(step.actor.agency))
    if seat is None:
        return f"{step.trigger} by a panel member for {step.actor.agency}, which has no seat"
    if step.actor.substitute:
        if step.actor.name not in seat.substitutes:
            return f"{step.trigger} by an unrecorded substitute for {step.actor.agency}"
    elif step.actor.name != seat.member:
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
    completion_timing(NATIONAL_LIMITS),
    late_explained(NATIONAL_LIMITS),
    notice_period(NATIONAL_LIMITS),
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
    Property(
        "draft_kept",
        "a recorded draft is never changed or removed: a change is a new draft version",
        _draft_kept,
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
