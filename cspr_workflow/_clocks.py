"""Statutory clocks as declared policy, their enforcement in a step, and the deadline report.

A clock is data (:class:`ClockSpec`): a name, a limit in a unit, the stage whose
entry starts it and the stage whose entry stops it, what kind of demand it makes,
and the rule it comes from. When a step enters a clock's start stage the engine
records the clock with its due date (:class:`ClockRecord`), so guards read due
dates from the review itself. When a step enters a clock's stop stage after the
due date, the step must carry a ``late_reason``: a missed clock is always
explained. That rule is the engine's; no policy can switch it off.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._calendar import WorkingDayCalendar
from ._errors import Reason, StepProblems
from ._records import ClockKind, ClockRecord, ClockUnit, ReviewState
from ._time import add_months

if TYPE_CHECKING:
    from ._definition import ProcessDefinition

__all__ = [
    "NATIONAL_CLOCK_IDS",
    "ClockSpec",
    "ClockStatus",
    "Deadline",
    "DeadlineReport",
    "Policy",
    "deadline_report",
    "running_clocks",
    "start_clocks",
    "track_clocks",
]

NATIONAL_CLOCK_IDS = ("C1", "C2", "C3", "C4")
"""The national clocks every policy keeps (their limits may change, not their existence)."""


@attrs.frozen
class ClockSpec:
    """One statutory clock, as data."""

    id: str
    name: str
    limit: int = attrs.field()
    unit: ClockUnit
    kind: ClockKind
    starts: str = attrs.field(converter=str)
    stops: str = attrs.field(converter=str)
    source: str
    description: str = ""

    @limit.validator
    def _check_limit(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise ValueError(f"clock {self.id} ({self.name}): the limit must be at least 1")

    def due(self, start: pendulum.Date, calendar: WorkingDayCalendar) -> pendulum.Date:
        """The due date of a clock started on ``start``."""
        if self.unit is ClockUnit.CALENDAR_MONTHS:
            return add_months(start, self.limit)
        return calendar.add_working_days(start, self.limit)

    @property
    def unit_label(self) -> str:
        """``working days`` or ``calendar months``."""
        return self.unit.value.replace("_", " ")


def _clock_tuple(value: Iterable[ClockSpec]) -> tuple[ClockSpec, ...]:
    return tuple(value)


def _durations(value: Mapping[str, int]) -> Mapping[str, int]:
    return {str(k): int(v) for k, v in value.items()}


@attrs.frozen(eq=False)
class Policy:
    """The clocks of a process definition, its working-day calendar and expected durations.

    ``expected_working_days`` says how long each stage usually takes; the deadline
    report uses it to call a running clock *at risk* when the stages still to run
    would finish after its due date.

    A partnership changes limits with :meth:`with_limits`; the national clocks
    C1-C4 cannot be removed, and exactly one clock is the completion clock.
    """

    clocks: tuple[ClockSpec, ...] = attrs.field(converter=_clock_tuple)
    calendar: WorkingDayCalendar = attrs.field(factory=WorkingDayCalendar.england_and_wales)
    expected_working_days: Mapping[str, int] = attrs.field(factory=dict, converter=_durations)

    def __attrs_post_init__(self) -> None:
        ids = [c.id for c in self.clocks]
        problems = [
            f"clock {i} is declared more than once" for i in sorted(set(ids)) if ids.count(i) > 1
        ]
        problems += [
            f"national clock {i} is missing: its limit may change, but it cannot be removed"
            for i in NATIONAL_CLOCK_IDS
            if i not in ids
        ]
        completions = [c.id for c in self.clocks if c.kind is ClockKind.COMPLETION]
        if len(completions) != 1:
            problems.append(f"exactly one completion clock is needed; found {len(completions)}")
        problems += [
            f"stage {stage!r}: expected working days must not be negative"
            for stage, days in self.expected_working_days.items()
            if days < 0
        ]
        if problems:
            raise ValueError("invalid clock policy: " + "; ".join(problems))

    def clock(self, id: str) -> ClockSpec:
        """The clock called ``id`` (KeyError if there is none)."""
        for spec in self.clocks:
            if spec.id == id:
                return spec
        raise KeyError(id)

    @property
    def completion(self) -> ClockSpec:
        """The completion clock (C3 by default)."""
        return next(c for c in self.clocks if c.kind is ClockKind.COMPLETION)

    def with_limits(self, **limits: int) -> Policy:
        """A copy with some clocks' limits changed, e.g. ``with_limits(C3=4)``."""
        unknown = sorted(set(limits) - {c.id for c in self.clocks})
        if unknown:
            raise KeyError(f"no clock {', '.join(unknown)} in this policy")
        clocks = tuple(
            attrs.evolve(c, limit=limits[c.id]) if c.id in limits else c for c in self.clocks
        )
        return attrs.evolve(self, clocks=clocks)

    def record(self, spec: ClockSpec, started_at: pendulum.DateTime) -> ClockRecord:
        """The record of ``spec`` started at ``started_at``, with its due date."""
        return ClockRecord(
            id=spec.id,
            kind=spec.kind,
            started_at=started_at,
            due=spec.due(started_at.date(), self.calendar),
            limit=spec.limit,
            unit=spec.unit,
            calendar=self.calendar.name,
        )


# -- in a step -------------------------------------------------------------------


def start_clocks(policy: Policy, state: ReviewState) -> ReviewState:
    """Start the clocks whose start stage is the review's opening stage."""
    records = tuple(
        policy.record(spec, state.aware_at) for spec in policy.clocks if spec.starts == state.stage
    )
    return state.evolve(clocks=state.clocks + records)


def running_clocks(policy: Policy, state: ReviewState) -> list[tuple[ClockSpec, pendulum.Date]]:
    """Every clock started and not yet stopped, with its due date as it stands now
    (the completion clock's moved by delay notices to both recipients)."""
    result = []
    for spec in policy.clocks:
        record = state.clock(spec.id)
        if record is None or _entry_at(state, spec.stops) is not None:
            continue
        due = state.completion_due if spec.kind is ClockKind.COMPLETION else record.due
        result.append((spec, due or record.due))
    return result


def _entered_before(state: ReviewState, stage: str) -> bool:
    return any(e.dest == stage and e.source != stage for e in state.history)


def track_clocks(
    policy: Policy,
    before: ReviewState,
    after: ReviewState,
    source: str,
    dest: str,
    at: pendulum.DateTime,
    late_reason: str | None,
) -> ReviewState:
    """Record clocks this step starts; refuse a late stop without a reason.

    Raises :class:`StepProblems` when the step stops a clock after its due date
    with no ``late_reason``, or gives a ``late_reason`` when nothing is late.
    """
    if source == dest:
        if late_reason is not None:
            raise StepProblems([_needless_late_reason()])
        return after
    late = []
    for spec in policy.clocks:
        if spec.stops != dest or spec.kind is ClockKind.NOTICE_PERIOD:
            continue
        record = before.clock(spec.id)
        if record is None or _entered_before(before, dest):
            continue
        due = after.completion_due if spec.kind is ClockKind.COMPLETION else record.due
        if due is not None and at.date() > due:
            late.append((spec, due))
    if late and late_reason is None:
        raise StepProblems(
            [
                Reason(
                    "a missed clock is explained",
                    f"clock {spec.id} ({spec.name}) was due by {due.to_date_string()}; this step "
                    f"stops it {policy.calendar.working_days_between(due, at.date())} working "
                    "day(s) late.",
                    "record why it is late (late_reason=...).",
                    "details",
                )
                for spec, due in late
            ]
        )
    if late_reason is not None and not late:
        raise StepProblems([_needless_late_reason()])
    started = tuple(
        policy.record(spec, at)
        for spec in policy.clocks
        if spec.starts == dest and after.clock(spec.id) is None
    )
    return after.evolve(clocks=after.clocks + started) if started else after


def _needless_late_reason() -> Reason:
    return Reason(
        "a missed clock is explained",
        "late_reason was given, but this step stops no clock after its due date.",
        "leave late_reason out.",
        "details",
    )


# -- the deadline report ------------------------------------------------------------


class ClockStatus(enum.StrEnum):
    """Where a clock stands at one instant."""

    NOT_STARTED = "not started"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OVERDUE = "overdue"
    DELAY_NOTIFIED = "delay notified"
    MET = "met"
    MET_LATE = "met late"


@attrs.frozen
class Deadline:
    """One clock of one review at one instant, and where its due date came from."""

    clock: ClockSpec
    status: ClockStatus
    started_at: pendulum.DateTime | None
    due: pendulum.Date | None
    stopped_at: pendulum.DateTime | None
    remaining: int | None
    remaining_unit: str
    projected: pendulum.Date | None
    provenance: str
    late_reason: str | None = None

    def describe(self) -> str:
        """One line: clock, status, due date, remaining."""
        due = self.due.to_date_string() if self.due else "-"
        left = "" if self.remaining is None else f", {self.remaining} {self.remaining_unit} left"
        return f"{self.clock.id} {self.clock.name}: {self.status.value} (due {due}{left})"


@attrs.frozen
class DeadlineReport:
    """Every clock of a review at one instant.

    ``str(report)`` is a plain-text table; :meth:`to_markdown` a Markdown one.
    """

    reference: str
    at: pendulum.DateTime
    deadlines: tuple[Deadline, ...]

    def __getitem__(self, clock_id: str) -> Deadline:
        for deadline in self.deadlines:
            if deadline.clock.id == clock_id:
                return deadline
        raise KeyError(clock_id)

    def _rows(self) -> list[tuple[str, ...]]:
        def day(value: pendulum.DateTime | pendulum.Date | None) -> str:
            if value is None:
                return "-"
            return (
                value.date().to_date_string()
                if isinstance(value, pendulum.DateTime)
                else (value.to_date_string())
            )

        return [
            (
                d.clock.id,
                d.clock.name,
                d.status.value,
                day(d.started_at),
                day(d.due),
                day(d.stopped_at),
                "-" if d.remaining is None else f"{d.remaining} {d.remaining_unit}",
            )
            for d in self.deadlines
        ]

    _HEADER = ("clock", "name", "status", "started", "due", "stopped", "remaining")

    def __str__(self) -> str:
        rows = [self._HEADER, *self._rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEADER))]
        lines = [f"Deadlines for {self.reference} at {self.at.to_datetime_string()}"]
        lines += [
            "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        lines += [f"  {d.clock.id}: {d.provenance}" for d in self.deadlines]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The report as a Markdown table, provenance below it."""
        lines = ["| " + " | ".join(self._HEADER) + " |", "|" + "---|" * len(self._HEADER)]
        lines += ["| " + " | ".join(r) + " |" for r in self._rows()]
        lines += [""] + [f"- **{d.clock.id}**: {d.provenance}" for d in self.deadlines]
        return "\n".join(lines) + "\n"


def _entry_at(state: ReviewState, stage: str) -> pendulum.DateTime | None:
    for entry in state.history:
        if entry.dest == stage and entry.source != stage:
            return entry.at
    return None


def _entered_current_at(state: ReviewState) -> pendulum.DateTime:
    for entry in reversed(state.history):
        if entry.source != entry.dest:
            return entry.at
    return state.aware_at


def _projected_finish(
    definition: ProcessDefinition, state: ReviewState, spec: ClockSpec, at: pendulum.DateTime
) -> pendulum.Date | None:
    """When the clock's stop stage would be reached at the expected stage durations."""
    policy = definition.policy
    expected = policy.expected_working_days
    current = state.held_from if state.held_from is not None else state.stage
    path = definition.shortest_path(current, spec.stops)
    if path is None:
        return None
    elapsed = policy.calendar.working_days_between(_entered_current_at(state).date(), at.date())
    remaining = max(expected.get(current, 0) - elapsed, 0)
    remaining += sum(expected.get(stage, 0) for stage in path[1:-1])
    return policy.calendar.add_working_days(at.date(), remaining)


def _provenance(
    policy: Policy, spec: ClockSpec, record: ClockRecord | None, state: ReviewState
) -> str:
    rule = f"{spec.source}: {spec.description or spec.name}"
    if record is None:
        return f"{rule}; starts on entering {spec.starts!r}"
    text = (
        f"{rule}; {record.started_at.date().to_date_string()} + {record.limit} "
        f"{record.unit.value.replace('_', ' ')} = {record.due.to_date_string()}"
    )
    if record.unit is ClockUnit.WORKING_DAYS:
        text += f" ({record.calendar} working days)"
    else:
        text += " (clamped at month end)"
    if spec.kind is ClockKind.COMPLETION and state.completion_due != record.due:
        notices = ", ".join(
            f"{n.at.date().to_date_string()} to {'+'.join(sorted(r.label for r in n.recipients))}"
            f" -> {n.revised_date.to_date_string()}"
            for n in state.delay_notices
        )
        text += f"; revised by delay notices ({notices})"
    return text


def _late_reason(state: ReviewState, stage: str) -> str | None:
    for entry in state.history:
        if entry.dest == stage and entry.source != stage:
            value = entry.details.get("late_reason")
            return str(value) if value is not None else None
    return None


def deadline_report(
    definition: ProcessDefinition, state: ReviewState, at: pendulum.DateTime
) -> DeadlineReport:
    """Every clock of ``state`` at ``at``: status, due date, remaining time, provenance."""
    policy = definition.policy
    calendar = policy.calendar
    today = at.date()
    deadlines = []
    for spec in policy.clocks:
        record = state.clock(spec.id)
        stopped = _entry_at(state, spec.stops) if record is not None else None
        if stopped is not None and stopped > at:
            stopped = None
        provenance = _provenance(policy, spec, record, state)
        if record is None or record.started_at > at:
            deadlines.append(
                Deadline(
                    spec,
                    ClockStatus.NOT_STARTED,
                    None,
                    None,
                    None,
                    None,
                    spec.unit_label,
                    None,
                    provenance,
                )
            )
            continue
        due = record.due
        if spec.kind is ClockKind.COMPLETION:
            due = state.completion_due or due
        months = spec.unit is ClockUnit.CALENDAR_MONTHS
        unit = "calendar days" if months else "working days"

        def until(date: pendulum.Date, months: bool = months) -> int:
            return (
                (date - today).in_days() if months else calendar.working_days_between(today, date)
            )

        projected = None
        late_reason = None
        if spec.kind is ClockKind.NOTICE_PERIOD:
            status = (
                ClockStatus.MET if stopped is not None or today >= due else ClockStatus.ON_TRACK
            )
            remaining = None if status is ClockStatus.MET else until(due)
        elif stopped is not None:
            met = stopped.date() <= record.due
            status = ClockStatus.MET if met else ClockStatus.MET_LATE
            remaining = None
            late_reason = _late_reason(state, spec.stops)
        else:
            remaining = until(due)
            projected = _projected_finish(definition, state, spec, at)
            if today > due:
                status = ClockStatus.OVERDUE
            elif projected is not None and projected > due:
                status = ClockStatus.AT_RISK
            elif due != record.due:
                status = ClockStatus.DELAY_NOTIFIED
            else:
                status = ClockStatus.ON_TRACK
        deadlines.append(
            Deadline(
                spec,
                status,
                record.started_at,
                due,
                stopped,
                remaining,
                unit,
                projected,
                provenance,
                late_reason,
            )
        )
    return DeadlineReport(state.reference, at, tuple(deadlines))
