"""Where a review's clocks stand at one instant: the deadline report."""

from __future__ import annotations

import enum

import attrs
import pendulum

from ._clocks import ClockSpec, OwedNotice, finishes_late, notices_owed, projected_finish
from ._definition import ProcessDefinition
from ._errors import CalendarRangeError, UnknownName
from ._records import ClockKind, ClockRecord, ClockUnit, ReviewState, first_entering
from ._text import markdown_text
from ._time import before

__all__ = ["ClockStatus", "Deadline", "DeadlineReport"]


class ClockStatus(enum.StrEnum):
    """Where a clock stands at one instant.

    A deadline or completion clock is on track, at risk, overdue, or running on a date
    revised by a delay notice, until it stops: met (by its first due date), met within
    the notified delay (after its first due date, by the revised one), or met late. A
    notice period is not a deadline: its due date is the earliest date the step it
    guards may be taken, so it is running, then given.
    """

    NOT_STARTED = "not started"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OVERDUE = "overdue"
    DELAY_NOTIFIED = "delay notified"
    MET = "met"
    MET_WITHIN_DELAY = "met within the notified delay"
    MET_LATE = "met late"
    NOTICE_RUNNING = "notice running"
    NOTICE_GIVEN = "notice given"
    NOT_NEEDED = "no longer needed"


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
    first_due: pendulum.Date | None = None  # the due date set when it started, if revised since

    @property
    def due_text(self) -> str:
        """The due date in words that cannot be misread: a notice period's is the earliest
        date ("not before ..."); a completion date a delay notice moved shows both."""
        if self.due is None:
            return "-"
        if self.clock.kind is ClockKind.NOTICE_PERIOD:
            return f"not before {self.due.to_date_string()}"
        if self.first_due is not None and self.first_due != self.due:
            return f"{self.first_due.to_date_string()}, revised to {self.due.to_date_string()}"
        return self.due.to_date_string()

    @property
    def remaining_text(self) -> str:
        """The time left in words: ``12 working days left``, ``1 calendar day left``,
        ``46 calendar days overdue`` (past the due date); ``-`` when nothing is left to
        count (a clock not started, or stopped)."""
        if self.remaining is None:
            return "-"
        if self.remaining < 0:
            return f"{amount(-self.remaining, self.remaining_unit)} overdue"
        return f"{amount(self.remaining, self.remaining_unit)} left"

    def describe(self) -> str:
        """One line: clock, status, due date, remaining."""
        due = self.due_text
        due = due if due.startswith("not before") else f"due {due}"
        left = "" if self.remaining is None else f", {self.remaining_text}"
        return f"{self.clock.id} {self.clock.name}: {self.status.value} ({due}{left})"


def amount(n: int, unit: str) -> str:
    """``15 calendar days``; ``1 working day``."""
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


@attrs.frozen
class DeadlineReport:
    """Every clock of a review at one instant.

    ``str(report)`` is a plain-text table; :meth:`to_markdown` a Markdown one.
    """

    reference: str
    at: pendulum.DateTime
    deadlines: tuple[Deadline, ...]
    owed: tuple[OwedNotice, ...] = ()

    def __getitem__(self, clock_id: str) -> Deadline:
        """The deadline of the clock ``clock_id`` (:class:`UnknownName`, a ``KeyError``, if
        the report has none)."""
        for deadline in self.deadlines:
            if deadline.clock.id == clock_id:
                return deadline
        raise UnknownName(
            f"the deadline report of review {self.reference!r}",
            "clock",
            str(clock_id),
            [d.clock.id for d in self.deadlines],
        )

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
                d.due_text,
                day(d.stopped_at),
                d.remaining_text,
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
        lines += [f"  Owed: {o.message}" for o in self.owed]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The report as a Markdown table, provenance below it, then any notice owed."""
        lines = ["| " + " | ".join(self._HEADER) + " |", "|" + "---|" * len(self._HEADER)]
        lines += ["| " + " | ".join(markdown_text(c) for c in r) + " |" for r in self._rows()]
        lines += [""] + [
            f"- **{markdown_text(d.clock.id)}**: {markdown_text(d.provenance)}"
            for d in self.deadlines
        ]
        lines += [f"- **Owed**: {markdown_text(o.message)}" for o in self.owed]
        return "\n".join(lines) + "\n"


def _projected_finish(
    definition: ProcessDefinition, state: ReviewState, spec: ClockSpec, at: pendulum.DateTime
) -> pendulum.Date | None:
    """When the clock's stop stage would be reached at the expected stage durations."""
    return projected_finish(definition.policy, definition.shortest_path, state, spec, at)


def _provenance(
    definition: ProcessDefinition, spec: ClockSpec, record: ClockRecord | None, state: ReviewState
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
    if spec.kind is ClockKind.COMPLETION and definition.completion_due(state) != record.due:
        notices = ", ".join(
            f"{n.at.date().to_date_string()} to "
            f"{' + '.join(sorted(definition.role_title(r) for r in n.recipients))}"
            f" → {n.revised_date.to_date_string()}"
            for n in state.delay_notices
        )
        text += f"; revised by delay notices ({notices})"
    return text


def _late_reason(state: ReviewState, stages: tuple[str, ...]) -> str | None:
    entries = [e for s in stages if (e := first_entering(state.history, s)) is not None]
    if not entries:
        return None
    value = min(entries, key=lambda e: e.seq).details.get("late_reason")
    return None if value is None else str(value)


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
        stopped = spec.ended_at(state) if record is not None else None
        if stopped is not None and before(at, stopped):
            stopped = None
        needed = stopped is None or spec.stopped_at(state) == stopped
        provenance = _provenance(definition, spec, record, state)
        if record is None or before(at, record.started_at):
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
            due = definition.completion_due(state) or due
        months = spec.unit is ClockUnit.CALENDAR_MONTHS
        unit = "calendar days" if months else "working days"

        def until(date: pendulum.Date, months: bool = months) -> int | None:
            if months:
                return (date - today).in_days()
            try:
                return calendar.working_days_between(today, date)
            except CalendarRangeError:
                return None  # beyond the years the calendar knows

        projected = None
        late_reason = None
        if not needed:
            status = ClockStatus.NOT_NEEDED
            remaining = None
        elif spec.kind is ClockKind.NOTICE_PERIOD:
            given = stopped is not None or today >= due
            status = ClockStatus.NOTICE_GIVEN if given else ClockStatus.NOTICE_RUNNING
            remaining = None if given else until(due)
        elif stopped is not None:
            if stopped.date() <= record.due:
                status = ClockStatus.MET
            elif stopped.date() <= due:  # after the first due date, by the revised one
                status = ClockStatus.MET_WITHIN_DELAY
            else:
                status = ClockStatus.MET_LATE
            remaining = None
            late_reason = _late_reason(state, spec.stops)
        else:
            remaining = until(due)
            projected = _projected_finish(definition, state, spec, at)
            if today > due:
                status = ClockStatus.OVERDUE
            elif finishes_late(projected, due):
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
                None if due == record.due else record.due,
            )
        )
    owed = notices_owed(policy, definition.completion, definition.shortest_path, state, at)
    return DeadlineReport(state.reference, at, tuple(deadlines), owed)
