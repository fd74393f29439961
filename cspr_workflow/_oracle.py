"""The oracle: properties of a review's path, checked from its recorded history alone.

A :class:`Property` looks at one step and the path before it (the opening instant
and the earlier steps, with their times, actors and details) and says what is
wrong, if anything. It never calls the guards: it is an independent reading of
the rules, not a copy of them. A definition lists the properties its reviews must
keep (``ProcessDefinition.properties``); :func:`check_review` runs them over any
review's history, and the verifier runs them after every step it explores.

The properties made here read the definition's declared rules (its approval
chain, its completion rule, its clocks), so a partnership that renames a body or
a trigger is checked by the same properties, in its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._args import check_arg, check_review_arg
from ._clocks import ClockSpec, NationalLimits, Policy
from ._engine import opened, opening, recorded_after
from ._records import AuditEntry, ClockKind, ReviewState, first_entering
from ._specs import Property, PropertyDates
from ._time import before

if TYPE_CHECKING:
    from ._definition import ProcessDefinition
    from ._engine import Review

__all__ = [
    "PathSoFar",
    "Violation",
    "approvals_in_order",
    "check_review",
    "completion_timing",
    "history_forward",
    "late_explained",
    "nothing_after_final",
    "notice_period",
]


@attrs.frozen
class PathSoFar:
    """What a property may read about a step: the review's opening and the steps before it."""

    definition: ProcessDefinition
    opened_at: pendulum.DateTime
    earlier: Sequence[AuditEntry]
    #: The review's record before the step and after it: what the step *did*, whatever
    #: its trigger is called. None when it is not known (a history the definition's
    #: effects cannot replay, or a path built by hand without them).
    before: ReviewState | None = attrs.field(default=None, kw_only=True)
    after: ReviewState | None = attrs.field(default=None, kw_only=True)
    # What a property worked out from the path, kept for the next step tried from the
    # same path (the verifier tries several): the path is immutable, so it stays true.
    _memo: dict[str, object] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def facing(self, after: ReviewState | None) -> PathSoFar:
        """This path, with ``after`` as the record the next step leaves (what it worked out
        from the path so far is kept)."""
        facing = attrs.evolve(self, after=after)
        object.__setattr__(facing, "_memo", self._memo)
        return facing

    def record(self) -> ReviewState | None:
        """The review's record before the step: ``before`` when given, else rebuilt by
        applying the earlier steps' effects from the opening (None if they cannot be)."""
        if self.before is not None:
            return self.before
        if "record" not in self._memo:
            record: ReviewState | None = opened(self.definition, "Path", self.opened_at)
            for entry in self.earlier:
                if record is None:
                    break
                record = recorded_after(self.definition, record, entry)
            self._memo["record"] = record
        return self._memo["record"]  # type: ignore[return-value]

    def record_after(self, step: AuditEntry) -> ReviewState | None:
        """The review's record after ``step``: ``after`` when it is that step's, else
        rebuilt from :meth:`record` (None if it cannot be)."""
        after = self.after
        if after is not None and after.history and after.history[-1] is step:
            return after
        record = self.record()
        return None if record is None else recorded_after(self.definition, record, step)

    def last_index(self, *triggers: str) -> int | None:
        """The position of the latest earlier step of one of ``triggers``."""
        for i in range(len(self.earlier) - 1, -1, -1):
            if self.earlier[i].trigger in triggers:
                return i
        return None

    def entered_at(self, stage: str) -> pendulum.DateTime | None:
        """When the path first entered ``stage`` (the opening, for the initial stage)."""
        if stage == self.definition.initial_stage.name:
            return self.opened_at
        entry = first_entering(self.earlier, stage)
        return None if entry is None else entry.at

    def notice_given_at(self, stage: str) -> pendulum.DateTime | None:
        """When the path last entered ``stage`` on its way forward: a return from a
        side path (a hold, a deferral) does not give notice again. None if never."""
        sides = {s.name for s in self.definition.stages if s.side_path}
        for entry in reversed(self.earlier):
            if entry.enters(stage) and entry.source not in sides:
                return entry.at
        return None


@attrs.frozen
class Violation:
    """A step of a history that breaks a property."""

    property: str
    title: str
    message: str
    seq: int

    def __str__(self) -> str:
        return f"step {self.seq}: [{self.title}] {self.message}"


def check_review(
    review: Review, *, properties: Sequence[Property] | None = None, since: int = 1
) -> tuple[Violation, ...]:
    """Every step of ``review``'s history that breaks one of ``properties`` (by default,
    the ones its definition lists), in order.

    Reads the opening instant and the history alone (never the guards), so it
    audits a review however it was produced. ``since`` skips the steps numbered
    before it (already checked).

    >>> from cspr_workflow.demo import demo_review
    >>> check_review(demo_review())
    ()
    """
    check_review_arg(review)
    check_arg("since", since, int, "a step number")
    definition = review.definition
    chosen = definition.properties if properties is None else properties
    check_arg("properties", chosen, Sequence, "a list of Property", optional=True)
    for prop in chosen:
        check_arg("properties", prop, Property, "Property objects")
    return violations(definition, review.state, chosen, since)


def violations(
    definition: ProcessDefinition,
    state: ReviewState,
    properties: Sequence[Property],
    since: int = 1,
    *,
    start: ReviewState | None = None,
) -> tuple[Violation, ...]:
    """Every step of ``state``'s history from ``since`` on that breaks a property.

    Each step is shown the record before and after it, rebuilt by applying the steps'
    effects from the opening (never their guards); ``start``, when given, is the
    record before step ``since`` (so only the later steps are applied).
    """
    history = state.history
    first = max(since, 1) - 1
    if start is not None and len(start.history) == first:
        record: ReviewState | None = start
        begin = first
    else:
        record = opening(definition, state)
        begin = 0
    found = []
    for i in range(begin, len(history)):
        step = history[i]
        after = None if record is None else recorded_after(definition, record, step)
        if i >= first:
            path = PathSoFar(definition, state.aware_at, history[:i], before=record, after=after)
            for prop in properties:
                problem = prop.check(path, step)
                if problem is not None:
                    found.append(Violation(prop.id, prop.title, problem, step.seq))
        record = after
    return tuple(found)


# -- properties read from the definition's rules -------------------------------------------


def _chain_since_draft(path: PathSoFar) -> list[str] | None:
    """The approval steps taken on the current draft, in order (None before any draft).

    A draft, or a step that starts the chain again, clears them: what counts is after
    the later of the last draft and the last reset.
    """
    chain = path.definition.approvals
    assert chain is not None
    draft = path.last_index(chain.draft)
    if draft is None:
        return None
    reset = path.last_index(*chain.resets) if chain.resets else None
    start = draft if reset is None or reset < draft else reset
    triggers = set(chain.triggers)
    return [e.trigger for e in path.earlier[start + 1 :] if e.trigger in triggers]


def _enters(step: AuditEntry, stages: Sequence[str]) -> bool:
    return any(step.enters(s) for s in stages)


def _approval_stages(definition: ProcessDefinition) -> dict[str, int]:
    """Each stage an approval step leads to, with how many of the chain's bodies must have
    approved the current draft for a review to stand there (the latest such body's)."""
    chain = definition.approvals
    assert chain is not None
    stages: dict[str, int] = {}
    for n, approval in enumerate(chain.steps, start=1):
        for row in definition.transitions:
            if row.trigger == approval.trigger and row.dest is not None:
                stages[row.dest] = max(stages.get(row.dest, 0), n)
    return stages


def _approvals(path: PathSoFar, step: AuditEntry) -> str | None:
    definition = path.definition
    chain = definition.approvals
    if chain is None:
        return None
    order = chain.triggers
    publishing = _enters(step, definition.policy.completion.stops)
    if "approval_stages" not in path._memo:
        path._memo["approval_stages"] = _approval_stages(definition)
    stages: dict[str, int] = path._memo["approval_stages"]  # type: ignore[assignment]
    entering = max((n for s, n in stages.items() if step.enters(s)), default=0)
    if step.trigger not in order and not publishing and not entering:
        return None
    taken = _chain_since_draft(path)
    if taken is None:
        return f"{step.trigger} with no draft submitted"
    if publishing:
        needed = list(order)
    elif step.trigger in order:
        needed = list(order[: order.index(step.trigger)])
    else:  # another step leading where only an approval leads
        needed = list(order[:entering])
    if taken != needed:
        got = " then ".join(taken) or "no approval"
        want = " then ".join(needed) or "no earlier approval"
        return f"{step.trigger} after {got} of the current draft; needed {want}"
    return None


def approvals_in_order() -> Property:
    """Entering the stage where the completion clock stops needs every body of the approval
    chain, in order, on the current draft; and no body approves before those before it."""
    return Property(
        "approvals",
        "the approval chain's bodies approve the published draft in order, none skipped",
        _approvals,
    )


def _limits(policy: Policy, national: NationalLimits | None) -> NationalLimits | None:
    """The national limits a path is held to: ``national``, unless the definition's policy
    is under another named national decision (a relaxation, say), which then sets them."""
    own = policy.national
    if own is not None and (national is None or own.name != national.name):
        return own
    return national


def _due(
    clock: ClockSpec, start: pendulum.Date, policy: Policy, national: NationalLimits | None
) -> pendulum.Date:
    """``clock``'s due date from ``start``, held to the national limit: the definition's own
    limit counts only where it is stricter (an earlier deadline, a longer notice)."""
    due = clock.due(start, policy.calendar)
    limits = _limits(policy, national)
    floor = None if limits is None else limits.limits.get(clock.id)
    if floor is None or floor == clock.limit:
        return due
    floored = attrs.evolve(clock, limit=floor).due(start, policy.calendar)
    return max(due, floored) if clock.kind is ClockKind.NOTICE_PERIOD else min(due, floored)


def _completion_due(path: PathSoFar, national: NationalLimits | None) -> pendulum.Date | None:
    """The completion due date the history sets, or None when the clock is not running."""
    key = f"completion_due {id(national)}"
    if key not in path._memo:
        path._memo[key] = _completion_due_from(path, national)
    return path._memo[key]  # type: ignore[return-value]


def _completion_due_from(path: PathSoFar, national: NationalLimits | None) -> pendulum.Date | None:
    definition = path.definition
    clock = definition.policy.completion
    rule = definition.completion
    start = path.entered_at(clock.starts)
    if start is None or any(_enters(e, clock.closing) for e in path.earlier):
        return None
    due = _due(clock, start.date(), definition.policy, national)
    latest: dict[str, pendulum.Date] = {}
    for entry in path.earlier:
        revised = entry.details.get("revised_date")
        if not isinstance(revised, pendulum.Date):
            continue
        if entry.trigger == rule.notify:
            recipients: Sequence[str] = tuple(entry.details.get("recipients", ()))  # type: ignore[arg-type]
        elif entry.trigger in rule.revise:  # a notice to every recipient at once
            recipients = rule.recipients
        else:
            continue
        for recipient in recipients:
            latest[str(recipient)] = revised
    if all(r in latest for r in rule.recipients):
        due = max(due, min(latest[r] for r in rule.recipients))
    return due


def completion_timing(national: NationalLimits | None = None) -> Property:
    """No step past the completion due date, unless a delay has been notified to every
    recipient the completion rule names, but those that record or manage a delay (the
    completion rule's exempt triggers).

    With ``national`` limits, the due date is held to them: a local policy that gives
    more time than the national limit is checked against the national one.
    """

    def timing(path: PathSoFar, step: AuditEntry) -> str | None:
        definition = path.definition
        rule = definition.completion
        if step.trigger in rule.exempt:
            return None
        due = _completion_due(path, national)
        if due is not None and step.at.date() > due:
            told = " and ".join(definition.role_title(r) for r in rule.recipients)
            return (
                f"{step.trigger} taken on {step.at.date().to_date_string()}, past the due date "
                f"{due.to_date_string()}, with no delay notified to {told}"
            )
        return None

    return Property(
        "timing",
        "no step past the completion due date without a delay notified to every recipient "
        "the completion rule names (steps that record or manage a delay excepted)",
        timing,
        dates=_floor_dates(national, ClockKind.COMPLETION),
    )


def _floor_dates(national: NationalLimits | None, kind: ClockKind) -> PropertyDates | None:
    """The day after each running clock of ``kind`` falls due under the national limits,
    where they set an earlier date than the definition's own clock: the first day a step
    can break them that the definition's own clocks give the search no reason to try."""
    if national is None:
        return None

    def dates(definition: ProcessDefinition, state: ReviewState) -> list[pendulum.Date]:
        policy = definition.policy
        found = []
        for record in state.clocks:
            if record.kind is not kind or record.id not in {c.id for c in policy.clocks}:
                continue
            spec = policy.clock(record.id)
            due = _due(spec, record.started_at.date(), policy, national)
            if due != record.due:
                found.append(due.add(days=1))
        return found

    return dates


def late_explained(national: NationalLimits | None = None) -> Property:
    """A deadline clock stopped after its due date carries the reason (the due date held
    to ``national`` limits, when given)."""

    def late(path: PathSoFar, step: AuditEntry) -> str | None:
        policy = path.definition.policy
        for clock in policy.clocks:
            if clock.kind is not ClockKind.DEADLINE or not _enters(step, clock.stops):
                continue
            if any(_enters(e, clock.closing) for e in path.earlier):
                continue
            start = path.entered_at(clock.starts)
            if start is None:
                continue
            due = _due(clock, start.date(), policy, national)
            if step.at.date() > due and not step.details.get("late_reason"):
                return (
                    f"{clock.id} ({clock.name}) stopped after {due.to_date_string()} "
                    "with no reason"
                )
        return None

    return Property(
        "late_explained",
        "a clock stopped late carries the reason",
        late,
        dates=_floor_dates(national, ClockKind.DEADLINE),
    )


def notice_period(national: NationalLimits | None = None) -> Property:
    """A notice-period clock's stop comes no earlier than its due date, counted from the
    latest entry into its start stage on the way forward (not a return from a hold or a
    deferral). With ``national`` limits, a notice period is at least the national one,
    whatever the definition's policy says."""

    def notice(path: PathSoFar, step: AuditEntry) -> str | None:
        policy = path.definition.policy
        for clock in policy.clocks:
            if clock.kind is not ClockKind.NOTICE_PERIOD or not _enters(step, clock.stops):
                continue
            start = path.notice_given_at(clock.starts)
            if start is None:
                return f"{step.trigger} with no notice ({clock.name}) given"
            due = _due(clock, start.date(), policy, national)
            if step.at.date() < due:
                return (
                    f"{step.trigger} on {step.at.date().to_date_string()}, before {due} "
                    f"({clock.name})"
                )
        return None

    return Property(
        "notice_period", "a notice period is observed before the step it guards", notice
    )


def _forward(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if not earlier:
        return None if step.seq == 1 else f"the first step is numbered {step.seq}"
    last = earlier[-1]
    if before(step.at, last.at):
        return "the step is dated before the one it follows"
    if step.seq != last.seq + 1 or step.source != last.dest:
        return "the step does not follow on from the one before it"
    return None


def history_forward() -> Property:
    """The history runs forward: numbered, each step starting where the last ended, and
    never back in time."""
    return Property(
        "forward", "the history runs forward: numbered, chained and never back in time", _forward
    )


def _final(path: PathSoFar, step: AuditEntry) -> str | None:
    if path.definition.stage(step.source).final:
        return f"{step.trigger} was taken from the final stage {step.source!r}"
    return None


def nothing_after_final() -> Property:
    """No step leaves a final stage."""
    return Property("final", "nothing happens after a final stage", _final)
