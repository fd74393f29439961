"""Clocks as declared policy, the completion rule, and their enforcement in a step.

A clock is data (:class:`ClockSpec`): a name, a limit in a unit, the stage whose
entry starts it, the stages whose entry stops it (and those that end it with
nothing owed), what kind of demand it makes, and the rule it comes from. When a
step enters a clock's start stage the engine records the clock with its due date
(:class:`ClockRecord`), so guards read due dates from the review itself. A clock
runs from the first entry into its start stage; only a return to drafting (the
approval chain's reset) withdraws a running notice period, so that a report sent
again gives its notice again. When a step enters a clock's stop stage after the due
date, the step must carry a ``late_reason``: a missed clock is always explained.
That rule is the engine's; no policy can switch it off.

The completion clock's due date moves only through delay notices, as its
:class:`CompletionRule` says: the rule every step of the clock's stages checks,
and how a delay is notified. Where a review's clocks stand at an instant (the
deadline report) is read in ``_deadlines``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

import attrs
import pendulum

from ._args import check_arg
from ._calendar import WorkingDayCalendar
from ._errors import CalendarRangeError, InvalidInput, Reason, StepProblems, UnknownName
from ._records import (
    ClockKind,
    ClockRecord,
    ClockUnit,
    ReviewState,
    as_name,
    as_names,
    checked_fields,
    first_entering,
)
from ._time import add_months

__all__ = ["ClockSpec", "CompletionRule", "NationalLimits", "OwedNotice", "Policy"]

NATIONAL_FLOOR = "national_limit_is_a_floor"
"""The rule a local policy breaks when it loosens a national limit."""

CLOCK_POLICY = "clock_policy"
"""The rule a policy breaks when a clock is declared twice, a required clock is missing,
there is not exactly one completion clock, or a stage's expected days are negative."""


_FLOOR_REMEDY = (
    "keep the national limits or make them stricter; a national relaxation is its own "
    "named national policy (Policy.relaxed_nationally)."
)


def _keep_floors(national: NationalLimits, clocks: Iterable[ClockSpec], argument: str) -> None:
    """Refuse ``clocks`` (given as ``argument``) if one loosens a national limit."""
    floors = [p for c in clocks if (p := national.problem(c)) is not None]
    if floors:
        raise InvalidInput(argument, NATIONAL_FLOOR, "; ".join(floors), _FLOOR_REMEDY)


def _stage_names(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@functools.lru_cache(maxsize=4096)
def _due_date(
    unit: ClockUnit, limit: int, start: pendulum.Date, calendar: WorkingDayCalendar
) -> pendulum.Date:
    """``limit`` ``unit``s after ``start``: worked out once for each start (a review's
    clocks are asked for their due dates at every step, and the verifier's states share
    a few starts). A calendar is its own key (it compares by identity) and is immutable."""
    if unit is ClockUnit.CALENDAR_MONTHS:
        return add_months(start, limit)
    return calendar.add_working_days(start, limit)


def _limit_map(value: Mapping[str, int]) -> Mapping[str, int]:
    return {str(k): v for k, v in value.items()}


def _clock_tuple(value: Iterable[ClockSpec]) -> tuple[ClockSpec, ...]:
    return tuple(value)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _durations(value: Mapping[str, int]) -> Mapping[str, int]:
    return {str(k): int(v) for k, v in value.items()}


_CHECKED = checked_fields(
    {
        _stage_names: "a stage or a list of stages",
        _limit_map: "a mapping of clock ids to limits",
        _clock_tuple: "a list of ClockSpecs",
        _ids: "a list of clock ids",
        _durations: "a mapping of stages to whole numbers of working days",
        as_names: "a list of names",
    },
    text=[_stage_names],
)
"""The declarations' collections refuse what is not one, naming the field."""


@attrs.frozen(field_transformer=_CHECKED)
class ClockSpec:
    """One statutory clock, as data.

    It starts on the first entry into ``starts``. Entering any of ``stops`` meets it
    (late, if after its due date); the first is its usual end, the others are lawful
    alternatives (the completion clock stops on publication, or on the decision to
    publish the improvements instead). Entering any of ``ends`` ends it with nothing
    owed: its demand no longer applies (the pre-publication notice, when the report
    will not be published).
    """

    id: str
    name: str
    limit: int = attrs.field()
    unit: ClockUnit
    kind: ClockKind
    starts: str = attrs.field(converter=str)
    stops: tuple[str, ...] = attrs.field(converter=_stage_names)
    source: str
    description: str = ""
    ends: tuple[str, ...] = attrs.field(default=(), converter=_stage_names, kw_only=True)

    @limit.validator
    def _check_limit(self, attribute: attrs.Attribute[int], value: int) -> None:
        if type(value) is not int or value < 1:
            raise InvalidInput(
                "limit",
                "clock_limit",
                f"clock {self.id} ({self.name}): the limit must be a whole number, at least 1",
                "Give the clock a limit of 1 or more working days or calendar months.",
            )

    @property
    def closing(self) -> tuple[str, ...]:
        """Every stage whose entry ends the clock: ``stops``, then ``ends``."""
        return (*self.stops, *self.ends)

    def ended_at(self, state: ReviewState) -> pendulum.DateTime | None:
        """When ``state``'s history first entered a stage that ends the clock, or None."""
        times = [t for s in self.closing if (t := state.entered_at(s)) is not None]
        return min(times, default=None)

    def stopped_at(self, state: ReviewState) -> pendulum.DateTime | None:
        """When ``state``'s history first entered one of ``stops`` (met the clock)."""
        times = [t for s in self.stops if (t := state.entered_at(s)) is not None]
        return min(times, default=None)

    def due(self, start: pendulum.Date, calendar: WorkingDayCalendar) -> pendulum.Date:
        """The due date of a clock started on ``start``."""
        return _due_date(self.unit, self.limit, start, calendar)

    @property
    def unit_label(self) -> str:
        """``working days`` or ``calendar months``."""
        return self.unit.value.replace("_", " ")


@attrs.frozen(field_transformer=_CHECKED)
class NationalLimits:
    """The limits a nation sets for its clocks: floors for every local policy.

    A partnership may make a national limit stricter (a shorter deadline, a longer
    notice period), never looser. Only a national decision relaxes one, and that is
    a different national policy with its own ``name`` and ``source`` (see
    :meth:`Policy.relaxed_nationally`), shown wherever the policy is.
    """

    name: str
    limits: Mapping[str, int] = attrs.field(converter=_limit_map)
    source: str = ""

    def looser(self, spec: ClockSpec) -> int | None:
        """The national limit ``spec`` is looser than, or None if it keeps to it."""
        floor = self.limits.get(spec.id)
        if floor is None:
            return None
        if spec.kind is ClockKind.NOTICE_PERIOD:
            return floor if spec.limit < floor else None
        return floor if spec.limit > floor else None

    def problem(self, spec: ClockSpec) -> str | None:
        """Why ``spec`` breaks this national policy's floor, or None."""
        floor = self.looser(spec)
        if floor is None:
            return None
        way = "shorter" if spec.kind is ClockKind.NOTICE_PERIOD else "longer"
        return (
            f"clock {spec.id} ({spec.name}): {spec.limit} {spec.unit_label} is {way} than "
            f"the national limit of {floor} ({self.name}); local policy may make a national "
            "limit stricter, never looser"
        )


@attrs.frozen(eq=False, field_transformer=_CHECKED)
class Policy:
    """The clocks of a process definition, its working-day calendar and expected durations.

    ``expected_working_days`` says how long each stage usually takes; the deadline
    report uses it to call a running clock *at risk* when the stages still to run
    would finish after its due date.

    ``required`` names the clocks a policy derived from this one must keep (the
    default policy requires the national clocks C1-C5). ``national`` holds the
    national limits, which are floors: a partnership makes limits stricter with
    :meth:`with_limits`, never looser (only :meth:`relaxed_nationally`, a named
    national decision, relaxes them). Exactly one clock is the completion clock.
    """

    clocks: tuple[ClockSpec, ...] = attrs.field(converter=_clock_tuple)
    calendar: WorkingDayCalendar = attrs.field(factory=WorkingDayCalendar.england_and_wales)
    expected_working_days: Mapping[str, int] = attrs.field(factory=dict, converter=_durations)
    required: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    national: NationalLimits | None = None

    def __attrs_post_init__(self) -> None:
        for clock in self.clocks:
            check_arg("clocks", clock, ClockSpec, "ClockSpecs")
        check_arg("calendar", self.calendar, WorkingDayCalendar, "a WorkingDayCalendar")
        if self.national is not None:
            if not isinstance(self.national, NationalLimits):
                raise InvalidInput(
                    "national",
                    "national_limits",
                    f"expected NationalLimits or None, got {type(self.national).__name__}",
                    "pass NationalLimits(name, limits, source).",
                )
            _keep_floors(self.national, self.clocks, "policy")
        ids = [c.id for c in self.clocks]
        problems = [
            f"clock {i} is declared more than once" for i in sorted(set(ids)) if ids.count(i) > 1
        ]
        problems += [
            f"clock {i} is required: its limit may change, but it cannot be removed"
            for i in self.required
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
            required = ", ".join(self.required)
            kept = f"the required clocks ({required}) and " if required else ""
            raise InvalidInput(
                "clocks",
                CLOCK_POLICY,
                "invalid clock policy: " + "; ".join(problems),
                f"declare each clock once, keep {kept}exactly one completion clock, and "
                "give no stage negative expected working days.",
            )

    def clock(self, id: str) -> ClockSpec:
        """The clock called ``id`` (:class:`UnknownName`, a ``KeyError``, if there is none)."""
        for spec in self.clocks:
            if spec.id == id:
                return spec
        raise UnknownName("the clock policy", "clock", str(id), [c.id for c in self.clocks])

    @property
    def completion(self) -> ClockSpec:
        """The completion clock (the one of kind ``completion``)."""
        return next(c for c in self.clocks if c.kind is ClockKind.COMPLETION)

    def with_limits(self, **limits: int) -> Policy:
        """A copy with some clocks' limits changed, e.g. ``with_limits(C3=4)``.

        A national limit may only be made stricter: a shorter deadline or completion
        time, a longer notice period. A looser one raises :class:`InvalidInput` (rule
        ``national_limit_is_a_floor``) naming the clock and the national policy.
        """
        clocks = self._limited(limits)
        if self.national is not None:
            _keep_floors(self.national, clocks, "with_limits")
        return attrs.evolve(self, clocks=clocks)

    def relaxed_nationally(self, name: str, source: str, **limits: int) -> Policy:
        """A copy under a national relaxation: the named national decision ``name``
        (from ``source``) sets new national limits, e.g. ``relaxed_nationally("COVID-19
        relaxation", "DfE, 2020", C3=9)``. Local policies derived from it keep to the
        new limits as floors. Never a local choice: the name is shown wherever the
        policy is."""
        for argument, value in (("name", name), ("source", source)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(
                    argument,
                    "national_relaxation_named",
                    "a national relaxation is named, with its source, in words",
                    f"pass {argument}= as text, e.g. 'COVID-19 relaxation (DfE, 2020)'.",
                )
        clocks = self._limited(limits)
        base = {} if self.national is None else dict(self.national.limits)
        national = NationalLimits(
            name, {**base, **{c.id: c.limit for c in clocks if c.id in limits}}, source
        )
        return attrs.evolve(self, clocks=clocks, national=national)

    def _limited(self, limits: Mapping[str, int]) -> tuple[ClockSpec, ...]:
        unknown = sorted(set(limits) - {c.id for c in self.clocks})
        if unknown:
            raise InvalidInput(
                ", ".join(unknown),
                "clock_known",
                f"no clock {', '.join(unknown)} in this policy",
                f"name one of its clocks: {', '.join(c.id for c in self.clocks)}.",
            )
        for id, value in limits.items():
            if type(value) is not int or value < 1:
                raise InvalidInput(
                    id,
                    "clock_limit",
                    "a clock's limit is a whole number, at least 1",
                    f"pass {id}= as a positive int.",
                )
        return tuple(
            attrs.evolve(c, limit=limits[c.id]) if c.id in limits else c for c in self.clocks
        )

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


def running_clocks(
    policy: Policy, completion: CompletionRule, state: ReviewState
) -> list[tuple[ClockSpec, pendulum.Date]]:
    """Every clock started and not yet stopped, with its due date as it stands now
    (the completion clock's as moved by delay notices, see :class:`CompletionRule`)."""
    result = []
    entered: set[str] | None = None
    for spec in policy.clocks:
        record = state.clock(spec.id)
        if record is None:
            continue
        if entered is None:  # the stages the history has moved into, read once
            entered = {e.dest for e in state.history if e.dest != e.source}
        if not entered.isdisjoint(spec.closing):
            continue
        due = completion.due(state) if spec.kind is ClockKind.COMPLETION else None
        result.append((spec, due or record.due))
    return result


PathTo = Callable[[str, str], "tuple[str, ...] | None"]


def projected_finish(
    policy: Policy, path_to: PathTo, state: ReviewState, spec: ClockSpec, at: pendulum.DateTime
) -> pendulum.Date | None:
    """When ``spec``'s nearest stop stage would be reached from where ``state`` stands at
    ``at``, at the policy's expected stage durations (a held review from the stage it
    left). ``path_to(source, dest)`` gives the fewest stages between two. None when no
    stop stage can be reached, or the date lies beyond the calendar's years."""
    expected = policy.expected_working_days
    current = state.held_from if state.held_from is not None else state.stage
    paths = [p for s in spec.stops if (p := path_to(current, s)) is not None]
    if not paths:
        return None
    path = min(paths, key=len)
    calendar = policy.calendar
    try:
        elapsed = calendar.working_days_between(state.entered_current_at().date(), at.date())
        remaining = max(expected.get(current, 0) - elapsed, 0)
        remaining += sum(expected.get(stage, 0) for stage in path[1:-1])
        return calendar.add_working_days(at.date(), remaining)
    except CalendarRangeError:
        return None  # beyond the years the calendar knows: no projection


def finishes_late(projected: pendulum.Date | None, due: pendulum.Date) -> bool:
    """Whether a projected finish misses ``due``: finishing *on* the due date is in time.
    (The completion check, the notices owed and the deadline report all ask this.)"""
    return projected is not None and projected > due


@attrs.frozen
class OwedNotice:
    """A delay notice the review owes now, as its completion rule says.

    ``kind`` is ``"overdue"`` (past the due date: nothing progresses until it is
    given) or ``"projected"`` (at the expected stage durations the review would stop
    the clock on ``projected``, after ``due``: a delay is foreseen, and the seed's
    duty is to tell the recipients of any delay). ``blocks`` says whether progressing
    steps wait for it (always for an overdue review; for a projected miss as the
    completion rule's ``projected_blocks`` says). ``trigger`` gives it, to
    ``recipients``, with a revised date no earlier than ``projected``.
    """

    clock: str
    kind: str
    due: pendulum.Date
    projected: pendulum.Date | None
    trigger: str
    recipients: tuple[str, ...]
    blocks: bool

    @property
    def message(self) -> str:
        """One sentence: what is owed and why."""
        if self.kind == "overdue":
            why = f"the review is past its completion due date {self.due.to_date_string()}"
        else:
            assert self.projected is not None
            why = (
                f"at the expected stage durations the review would finish on "
                f"{self.projected.to_date_string()}, after its due date "
                f"{self.due.to_date_string()}"
            )
        then = "progressing steps wait for it" if self.blocks else "it does not block"
        return f"a delay notice ({self.trigger}) is owed: {why}; {then}."


def notices_owed(
    policy: Policy,
    completion: CompletionRule,
    path_to: PathTo,
    state: ReviewState,
    at: pendulum.DateTime,
) -> tuple[OwedNotice, ...]:
    """The delay notices ``state`` owes at ``at``: at most one, for the completion clock
    (overdue, or a projected miss of the due date as it stands after the notices given;
    a notice whose revised date covers the projection settles it)."""
    spec = policy.completion
    for running, due in running_clocks(policy, completion, state):
        if running.id != spec.id:
            continue
        if at.date() > due:
            return (
                OwedNotice(
                    spec.id, "overdue", due, None, completion.notify, completion.recipients, True
                ),
            )
        projected = projected_finish(policy, path_to, state, spec, at)
        if finishes_late(projected, due):
            return (
                OwedNotice(
                    spec.id,
                    "projected",
                    due,
                    projected,
                    completion.notify,
                    completion.recipients,
                    completion.projected_blocks,
                ),
            )
    return ()


def with_declared_clocks(policy: Policy, state: ReviewState) -> ReviewState:
    """``state`` with a record of every deadline or completion clock of ``policy`` that
    its history started but its stored facts lack: a review stored before the policy
    declared the clock (a notice period may be missing on purpose, since a return to
    drafting withdraws it). Records keep the order the engine gives them: by the step
    that started them, then the policy's order."""
    order = {spec.id: i for i, spec in enumerate(policy.clocks)}
    added = []
    for spec in policy.clocks:
        if spec.kind is ClockKind.NOTICE_PERIOD or state.clock(spec.id) is not None:
            continue
        entry = first_entering(state.history, spec.starts)
        if entry is not None:
            added.append(policy.record(spec, entry.at))
    if not added:
        return state

    specs = {spec.id: spec for spec in policy.clocks}

    def started_by(record: ClockRecord) -> tuple[int, int]:
        spec = specs.get(record.id)
        entry = None if spec is None else first_entering(state.history, spec.starts)
        return (0 if entry is None else entry.seq, order.get(record.id, len(order)))

    return state.evolve(clocks=tuple(sorted((*state.clocks, *added), key=started_by)))


def track_clocks(
    policy: Policy,
    completion: CompletionRule,
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
        if dest not in spec.stops or spec.kind is ClockKind.NOTICE_PERIOD:
            continue
        record = before.clock(spec.id)
        if record is None or spec.ended_at(before) is not None:
            continue
        due = completion.due(after) if spec.kind is ClockKind.COMPLETION else record.due
        if due is not None and at.date() > due:
            late.append((spec, due))
    if late and late_reason is None:
        raise StepProblems(
            [
                Reason(
                    "late_reason",
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
        "late_reason",
        "a missed clock is explained",
        "late_reason was given, but this step stops no clock after its due date.",
        "leave late_reason out.",
        "details",
    )


@attrs.frozen(field_transformer=_CHECKED)
class CompletionRule:
    """The rule of the policy's completion clock: once past its due date, nothing moves
    until a delay is notified.

    ``guard`` is the id of the guard the definition generates and requires on every
    transition of every stage the clock runs through, except the steps that record or
    manage a delay, which the lateness they handle never blocks: ``notify``, the
    trigger that notifies a delay (with ``reason``, ``revised_date`` and
    ``recipients`` details); ``revise``, other triggers that notify a delay to every
    recipient at once (with ``reason`` and ``revised_date``), such as a deferral of
    publication; and ``manage``, triggers that manage a delayed review without
    moving it on (put it on hold, resume it, lift a deferral; oversee its time and
    quality). A revised date counts once every one of ``recipients`` has been told.
    ``title`` names the guard; by default it is read from the clock's limit
    ("four-month timing check"
    for a limit of 4 calendar months).

    A projected miss (the review, at the policy's expected stage durations, would stop
    the clock after its due date) owes a delay notice too (:func:`notices_owed`);
    ``projected_blocks`` says whether progressing steps wait for it (False: it is
    shown as owed, in ``Review.owed``, the deadline report and ``status``, but does
    not block). A notice whose revised date covers the projection settles it.

    ``max_extension_months`` bounds one notice: its revised date may be at most this
    many calendar months after the later of the current due date and the notice's
    own date (a longer delay is notified again once it is known), and within the
    years the policy's calendar knows. Without a bound, one notice could move the
    due date beyond any review's life and switch the completion check off.
    """

    notify: str = attrs.field(converter=as_name)
    recipients: tuple[str, ...] = attrs.field(converter=as_names)
    guard: str
    revise: tuple[str, ...] = attrs.field(default=(), converter=as_names)
    title: str | None = None
    max_extension_months: int = attrs.field(default=12, kw_only=True)
    manage: tuple[str, ...] = attrs.field(default=(), converter=as_names, kw_only=True)
    projected_blocks: bool = attrs.field(default=False, kw_only=True)

    @projected_blocks.validator
    def _a_bool(self, _: object, value: object) -> None:
        if type(value) is not bool:
            raise InvalidInput(
                "projected_blocks",
                "projected_blocks_bool",
                f"expected True or False, got {type(value).__name__}",
                "pass projected_blocks=True to make a projected miss block progress.",
            )

    @max_extension_months.validator
    def _positive(self, _: object, value: int) -> None:
        if type(value) is not int or value < 1:
            raise InvalidInput(
                "max_extension_months",
                "max_extension_months",
                "expected a whole number of months, at least 1",
                "Pass max_extension_months=12 (the default) or another number of months.",
            )

    @property
    def delay_triggers(self) -> tuple[str, ...]:
        """Every trigger that records a delay notice: ``notify`` first, then ``revise``."""
        return (self.notify, *self.revise)

    @property
    def exempt(self) -> tuple[str, ...]:
        """The triggers that go without the completion check: those that record a delay
        notice (:attr:`delay_triggers`), then those that manage a delay (``manage``)."""
        return (*self.delay_triggers, *self.manage)

    def due(self, state: ReviewState) -> pendulum.Date | None:
        """The date the review must reach the clock's stop by, as it stands now.

        The due date set when the completion clock started, moved to a revised date
        only once a delay naming it has been notified to *every* recipient (the
        earliest of their latest revised dates counts, never earlier than the first
        due date). None before the clock starts.
        """
        due = state.due_date
        if due is None:
            return None
        latest: dict[str, pendulum.Date] = {}
        for notice in state.delay_notices:
            for recipient in notice.recipients:
                latest[recipient] = notice.revised_date
        if all(r in latest for r in self.recipients):
            return max(due, min(latest[r] for r in self.recipients))
        return due
