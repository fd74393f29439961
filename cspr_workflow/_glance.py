"""The first screen of a review's audit report: what a governance board asks first.

Read from the review and its definition at one instant: the stage; on time or late,
and by how much (in the unit each clock counts in); every clock with its due and
revised dates, a notice period worded as the earliest date its step may come, not
as a deadline; the key dates of the completion clock (the stage that starts it, its
due and revised dates, the stage that stops it); the delay notices owed and those
given; what must happen next and who must do it; and the trouble (clocks overdue
or at risk, notices owed, checks failed). Nothing here names a stage, trigger or
role of the default process: titles, clocks and the completion rule come from the
definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pendulum

from ._clocks import OwedNotice
from ._deadlines import ClockStatus, Deadline, DeadlineReport
from ._deadlines import amount as _amount
from ._definition import ProcessDefinition
from ._engine import Option, Review
from ._errors import CalendarRangeError
from ._records import AuditEntry, ClockKind, ClockUnit, ReviewState

__all__: list[str] = []

_LATE = "Late"
_AT_RISK = "At risk"
_DELAYED = "On time, within a notified delay"
_ON_TIME = "On time"


@attrs.frozen
class ClockLine:
    """One clock as the first screen shows it: every field already in words."""

    clock: str  # "C3 completion"
    kind: str  # "deadline", "completion deadline", "minimum notice (not a deadline)"
    status: str
    due: str  # the first due date, or "not before ..." for a notice period
    revised: str  # the date a delay notice moved it to, or "-"
    now: str  # met on ..., N days left, N days overdue...
    trouble: bool


@attrs.frozen
class NextStep:
    """A step that must or may come next, who may take it, and what still blocks it."""

    title: str
    dest: str | None  # the stage it leads to (title), None when it stays
    who: str
    state: str  # "owed now", "ready" or "blocked"
    reasons: tuple[str, ...]


@attrs.frozen
class Glance:
    """What the first screen of the report says, in words, in the order it says it."""

    stage: str
    since: str
    over: bool
    verdict: str  # one of "Late", "At risk", "On time, within a notified delay", "On time"
    verdict_detail: str
    key_dates: tuple[tuple[str, str], ...]
    owed: tuple[str, ...]
    sent: tuple[str, ...]
    clocks: tuple[ClockLine, ...]
    next: tuple[NextStep, ...]
    others: tuple[str, ...]  # the titles of the other steps the stage offers
    trouble: tuple[str, ...]

    @property
    def late(self) -> bool:
        """True when a clock is overdue or was met late."""
        return self.verdict == _LATE


def _day(value: pendulum.DateTime | pendulum.Date | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, pendulum.DateTime):
        return value.date().to_date_string()
    return value.to_date_string()


def _between(
    definition: ProcessDefinition, d: Deadline, start: pendulum.Date, end: pendulum.Date
) -> str | None:
    """The time from ``start`` to ``end`` in the unit the clock counts in."""
    if d.clock.unit is ClockUnit.CALENDAR_MONTHS:
        return _amount((end - start).in_days(), "calendar days")
    try:
        return _amount(definition.policy.calendar.working_days_between(start, end), "working days")
    except CalendarRangeError:
        return None


def _name(d: Deadline) -> str:
    return f"{d.clock.id} {d.clock.name}"


def _kind(d: Deadline) -> str:
    if d.clock.kind is ClockKind.NOTICE_PERIOD:
        return "minimum notice (not a deadline)"
    if d.clock.kind is ClockKind.COMPLETION:
        return "completion deadline"
    return "deadline"


def _now(definition: ProcessDefinition, state: ReviewState, d: Deadline) -> str:
    status, stopped = d.status, d.stopped_at
    left = d.remaining
    if status is ClockStatus.NOT_STARTED:
        return f"starts on entering {definition.stage(d.clock.starts).title}"
    if status is ClockStatus.NOT_NEEDED:
        return f"ended on {_day(stopped)}: no longer needed"
    if status is ClockStatus.NOTICE_RUNNING:
        if left is None:
            return "running"
        return f"{_amount(left, d.remaining_unit)} of notice left"
    if status is ClockStatus.NOTICE_GIVEN:
        if stopped is None:
            return "given: the step it guards may be taken"
        stage = _stop_stage(definition, state, d)
        return f"given; {stage} on {_day(stopped)}" if stage else f"given; {_day(stopped)}"
    if status is ClockStatus.OVERDUE:
        if left is None:
            return "overdue"
        return f"{_amount(-left, d.remaining_unit)} overdue"
    if status in (ClockStatus.ON_TRACK, ClockStatus.AT_RISK, ClockStatus.DELAY_NOTIFIED):
        text = "-" if left is None else f"{_amount(left, d.remaining_unit)} left"
        if status is ClockStatus.AT_RISK and d.projected is not None:
            text += f"; projected to finish {d.projected.to_date_string()}"
        return text
    met = f"met on {_day(stopped)}"
    if status is ClockStatus.MET_LATE and stopped is not None and d.due is not None:
        late = _between(definition, d, d.due, stopped.date())
        return f"{met}, {late} late" if late else met
    return met


def _stop_stage(definition: ProcessDefinition, state: ReviewState, d: Deadline) -> str | None:
    """The title of the stage whose entry stopped ``d``'s clock (None if none did)."""
    for stage in d.clock.closing:
        if d.stopped_at is not None and state.entered_at(stage) == d.stopped_at:
            return definition.stage(stage).title
    return None


def _clock_line(definition: ProcessDefinition, state: ReviewState, d: Deadline) -> ClockLine:
    notice = d.clock.kind is ClockKind.NOTICE_PERIOD
    revised = d.first_due is not None and d.due is not None and d.first_due != d.due
    due = d.due_text if notice else _day(d.first_due if revised else d.due)
    return ClockLine(
        clock=_name(d),
        kind=_kind(d),
        status=d.status.value,
        due=due,
        revised=_day(d.due) if revised else "-",
        now=_now(definition, state, d),
        trouble=d.status in (ClockStatus.OVERDUE, ClockStatus.AT_RISK),
    )


def _verdict(definition: ProcessDefinition, report: DeadlineReport) -> tuple[str, str]:
    """On time or late, and by how much, over the clocks that are deadlines."""
    deadlines = [d for d in report.deadlines if d.clock.kind is not ClockKind.NOTICE_PERIOD]
    parts: list[str] = []
    verdict = _ON_TIME
    for d in deadlines:
        if d.status is ClockStatus.OVERDUE:
            by = "" if d.remaining is None else f" by {_amount(-d.remaining, d.remaining_unit)}"
            parts.append(f"{_name(d)} is overdue{by} (due {d.due_text})")
            verdict = _LATE
    for d in deadlines:
        if d.status is ClockStatus.MET_LATE and d.stopped_at is not None and d.due is not None:
            late = _between(definition, d, d.due, d.stopped_at.date())
            amount = f" {late} late" if late else " late"
            parts.append(
                f"{_name(d)} was met{amount} (due {d.due_text}, met {_day(d.stopped_at)})"
            )
            verdict = _LATE
    for d in deadlines:
        if d.status is ClockStatus.AT_RISK and d.projected is not None:
            parts.append(
                f"{_name(d)} is at risk: at the expected stage durations it would finish on "
                f"{d.projected.to_date_string()}, after its due date {_day(d.due)}"
            )
            verdict = _AT_RISK if verdict == _ON_TIME else verdict
    for d in deadlines:
        first, due, stopped = d.first_due, d.due, d.stopped_at
        if first is None or due is None:
            continue
        if d.status is ClockStatus.MET_WITHIN_DELAY and stopped is not None:
            after = _between(definition, d, first, stopped.date())
            before = _between(definition, d, stopped.date(), due)
            text = f"{_name(d)} was met on {_day(stopped)}"
            if after and before:
                text += (
                    f", {after} after its first due date {first.to_date_string()} and "
                    f"{before} before the date a delay notice revised it to, "
                    f"{due.to_date_string()}"
                )
            parts.append(text)
            verdict = _DELAYED if verdict == _ON_TIME else verdict
        elif d.status is ClockStatus.DELAY_NOTIFIED:
            left = (
                "" if d.remaining is None else f"; {_amount(d.remaining, d.remaining_unit)} left"
            )
            parts.append(
                f"{_name(d)} runs on a date revised by delay notice: first due "
                f"{first.to_date_string()}, revised to {due.to_date_string()}{left}"
            )
            verdict = _DELAYED if verdict == _ON_TIME else verdict
    if not parts:
        running = [d for d in deadlines if d.status is ClockStatus.ON_TRACK]
        met = [d for d in deadlines if d.status is ClockStatus.MET]
        parts += [
            f"{_name(d)}: {_amount(d.remaining, d.remaining_unit)} left (due {_day(d.due)})"
            for d in running
            if d.remaining is not None
        ]
        if met and not running:
            parts.append("every clock that ran was met by its due date")
        elif not running:
            parts.append("no clock has started")
    return verdict, "; ".join(parts) + "."


def _key_dates(review: Review, report: DeadlineReport) -> list[tuple[str, str]]:
    definition, state = review.definition, review.state
    spec = definition.policy.completion
    rows = [
        (f"Opened ({definition.initial_stage.title})", _day(state.aware_at)),
    ]
    d = report[spec.id]
    started = definition.stage(spec.starts).title
    rows.append(
        (f"{started} (starts {_name(d)})", _day(d.started_at) if d.started_at else "not yet")
    )
    rows.append((f"{_name(d)} due", d.due_text))
    reached = [(t, s) for s in spec.stops if (t := state.entered_at(s)) is not None]
    if reached:
        when, stage = min(reached)
        rows.append((f"{definition.stage(stage).title} (stops {_name(d)})", _day(when)))
    elif spec.stops:
        rows.append((f"{definition.stage(spec.stops[0]).title} (stops {_name(d)})", "not yet"))
    return rows


def _owed_text(definition: ProcessDefinition, owed: OwedNotice, who: str) -> str:
    title = (
        definition.trigger(owed.trigger).title
        if definition.has_trigger(owed.trigger)
        else owed.trigger
    )
    to = " and ".join(definition.role_title(r) for r in owed.recipients)
    if owed.kind == "overdue":
        why = f"the review is past its completion due date {owed.due.to_date_string()}"
    else:
        projected = "-" if owed.projected is None else owed.projected.to_date_string()
        why = (
            f"at the expected stage durations the review would finish on {projected}, "
            f"after its due date {owed.due.to_date_string()}"
        )
    then = "progressing steps wait for it" if owed.blocks else "it does not block other steps"
    by = f", by {who}" if who else ""
    return f"a delay notice ({title}){by}, to {to}: {why}; {then}"


def _shown(definition: ProcessDefinition, entry: AuditEntry, name: str) -> str | None:
    """A detail of ``entry`` fit to show: None when absent or when it names a person."""
    if name not in entry.details:
        return None
    if definition.has_trigger(entry.trigger):
        for spec in definition.trigger(entry.trigger).details:
            if spec.name == name and spec.personal:
                return None
    return str(entry.details[name])


def _sent(review: Review) -> list[str]:
    """The delay notices in the history, oldest first: when, which step, by whom, to whom,
    the revised date and the reason."""
    definition, state = review.definition, review.state
    triggers = set(definition.completion.delay_triggers)
    notices = {n.at: n for n in state.delay_notices}
    out = []
    for entry in state.history:
        if entry.trigger not in triggers:
            continue
        notice = notices.get(entry.at)
        title = definition.trigger(entry.trigger).title
        text = f"{_day(entry.at)}: {title}, by {entry.actor.describe(definition.titles)}"
        if notice is not None:
            to = " and ".join(sorted(definition.role_title(r) for r in notice.recipients))
            text += f", to {to}; revised date {notice.revised_date.to_date_string()}"
        reason = _shown(definition, entry, "reason")
        if reason:
            text += f"; reason: {reason}"
        out.append(text)
    return out


def _who(definition: ProcessDefinition, roles: Sequence[str]) -> str:
    return ", ".join(definition.role_title(r) for r in roles)


def _next(
    review: Review, options: Sequence[Option], owed: Sequence[OwedNotice]
) -> tuple[list[NextStep], tuple[str, ...]]:
    """The steps owed now, then those that move the review towards the end; and how many
    other steps the stage offers."""
    definition, state = review.definition, review.state
    owed_triggers = {o.trigger for o in owed}
    here = definition.distance_to_end(state.stage)

    def onward(option: Option) -> bool:
        return option.dest != state.stage and definition.distance_to_end(option.dest) < here

    chosen = [o for o in options if o.trigger in owed_triggers]
    chosen += [o for o in options if o.trigger not in owed_triggers and onward(o)]
    steps = []
    for option in chosen:
        state_text = (
            "owed now"
            if option.trigger in owed_triggers and option.ready
            else "ready"
            if option.ready
            else "blocked"
        )
        reasons = tuple(dict.fromkeys(f"{r.title}: {r.message}" for r in option.unmet))
        steps.append(
            NextStep(
                title=option.title,
                dest=None if option.dest == state.stage else definition.stage(option.dest).title,
                who=_who(definition, option.roles),
                state=state_text,
                reasons=reasons,
            )
        )
    others = tuple(dict.fromkeys(o.title for o in options if o not in chosen))
    return steps, others


def glance(review: Review, at: pendulum.DateTime, failed: Sequence[str]) -> Glance:
    """The first screen of ``review``'s report at ``at``; ``failed`` lists the checks of
    its history that failed, each as "name: what was found"."""
    definition, state = review.definition, review.state
    report = review.deadlines(at=at)
    options = review.options(at=at)
    roles = {o.trigger: o.roles for o in options}
    owed = [
        _owed_text(definition, o, _who(definition, roles.get(o.trigger, ()))) for o in report.owed
    ]
    verdict, detail = _verdict(definition, report)
    owed_clocks = {o.clock for o in report.owed}
    trouble = []
    for d in report.deadlines:
        if d.status is ClockStatus.OVERDUE:
            by = "" if d.remaining is None else f", {_amount(-d.remaining, d.remaining_unit)} ago"
            trouble.append(f"{_name(d)} is overdue: it was due {d.due_text}{by}.")
        elif d.status is ClockStatus.AT_RISK and d.clock.id not in owed_clocks:
            trouble.append(
                f"{_name(d)} is at risk: at the expected stage durations it would finish on "
                f"{_day(d.projected)}, after its due date {_day(d.due)}."
            )
    trouble += [f"Owed now: {text}." for text in owed]
    trouble += [f"Verification failed: {text}" for text in failed]
    next_steps, others = _next(review, options, report.owed)
    entered = state.entered_current_at()
    days = (at.date() - entered.date()).in_days()
    return Glance(
        stage=definition.stage(state.stage).title,
        since=f"{_day(entered)} ({_amount(days, 'days')})",
        over=not options,
        verdict=verdict,
        verdict_detail=detail,
        key_dates=tuple(_key_dates(review, report)),
        owed=tuple(owed),
        sent=tuple(_sent(review)),
        clocks=tuple(_clock_line(definition, state, d) for d in report.deadlines),
        next=tuple(next_steps),
        others=others,
        trouble=tuple(trouble),
    )
