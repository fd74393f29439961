"""Exhaustive verification of a process definition.

``verify(definition)`` explores, breadth first, every abstract state the real
engine can reach from a new review. From each state it fires every trigger the
table offers, for every role the table allows (each person the role's cast
gives: the appointed people, each seated panel member and recorded
substitute), with each of the trigger's example details
(:meth:`TriggerSpec.example_details`). Time is a move of its own: from each
state the verifier may also wait until the day after a running clock's due
date, until a notice period is over, or until the date from which time alone
satisfies a guard (:attr:`Guard.ready_on`).

A state is abstracted to finite values: its stage, the stage a held review left,
the agencies with a recorded substitute, the recipients of a delay notice still
waiting for its partners, the deadline clocks running late, and the unmet reasons
at that instant of every guard some transition names, with the digits taken out
(so dates, draft numbers and counts do not make states different, but *which* rule
is unmet, for *which* agencies, does). With the symmetry reduction (the default), a
list of the case's agencies in a reason is read as a set, and the agencies after the
first are interchangeable (see :func:`verify`).

After every step the definition's properties (``definition.properties``, see
:mod:`._oracle`) are checked against the path that led there by code that reads
only the recorded history, never the guards. Breadth-first order makes each
state's path a shortest one, so every violated property is reported with a
shortest counterexample.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ._args import check_arg
from ._clocks import ClockSpec, running_clocks
from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import CsprWorkflowError
from ._fallback import default_definition
from ._oracle import PathSoFar
from ._records import Actor, AuditEntry, ClockKind, ReviewState
from ._specs import Guard, Property, TransitionSpec
from ._time import LONDON, as_instant

__all__ = [
    "Counterexample",
    "VerificationResult",
    "candidate_steps",
    "verify",
]


# -- results ---------------------------------------------------------------------------


@attrs.frozen
class Counterexample:
    """A shortest path that breaks one property: the steps, then what went wrong."""

    property: str
    title: str
    message: str
    path: tuple[AuditEntry, ...]

    titles: Mapping[str, str] = attrs.field(factory=dict, repr=False)

    def describe(self) -> str:
        """The path, a step a line, then what went wrong."""
        lines = [f"{self.property}: {self.title}", f"  violated: {self.message}"]
        for e in self.path:
            lines.append(
                f"  {e.seq:>3}. {e.at.to_date_string()} {e.actor.describe(self.titles):<34} "
                f"{e.trigger} ({e.source} -> {e.dest})"
            )
        return "\n".join(lines)


@attrs.frozen
class VerificationResult:
    """What :func:`verify` explored and found."""

    definition: str
    states: int
    transitions: int
    attempts: int
    seconds: float
    violations: tuple[Counterexample, ...]
    stages_reached: frozenset[str]
    triggers_fired: frozenset[str]
    unreached: tuple[str, ...]
    unfired: tuple[str, ...]
    truncated: bool

    properties: int = 0
    unfired_rows: tuple[str, ...] = ()
    """The rows of the table (``trigger (source -> target)``) no explored step took: a
    row is counted on its own, so a new row of a trigger fired elsewhere is not hidden."""
    unexplained_rows: tuple[str, ...] = ()
    """The rows of :attr:`unfired_rows` the definition does not declare unexplored (see
    ``ProcessDefinition.unexplored``): no property was checked on any step they take."""

    @property
    def ok(self) -> bool:
        """True when no property is violated, the exploration was complete, every row of
        the table was taken or declared unexplored with its reason, and there was at least
        one property to check."""
        return (
            not self.violations
            and not self.truncated
            and not self.unexplained_rows
            and self.properties > 0
        )

    def violation(self, property: str) -> Counterexample | None:
        """The counterexample of ``property``, if it is violated."""
        return next((v for v in self.violations if v.property == property), None)

    def summary(self) -> str:
        """A few lines for people: what was explored, then each counterexample."""
        n = len(self.violations)
        lines = [
            f"{self.definition}: {self.states} states, {self.transitions} transitions "
            f"({self.attempts} attempts) in {self.seconds:.1f} s; "
            f"{self.properties} properties checked, {n} violated"
        ]
        if not self.properties:
            lines.append("  the definition lists no properties: nothing was proved")
        if self.truncated:
            lines.append("  exploration stopped at the state limit: the result is partial")
        if self.unreached:
            lines.append("  stages never reached: " + ", ".join(self.unreached))
        if self.unfired:
            lines.append("  triggers never fired: " + ", ".join(self.unfired))
        if self.unexplained_rows:
            lines.append(
                "  transition rows never taken, with no reason declared (not proved): "
                + "; ".join(self.unexplained_rows)
            )
        if explained := [r for r in self.unfired_rows if r not in self.unexplained_rows]:
            lines.append(
                "  transition rows not explored, each with its declared reason: "
                + "; ".join(explained)
            )
        lines += [v.describe() for v in self.violations]
        return "\n".join(lines)


# -- exploration -------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
_START = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)
_ANYONE = Actor("verifier", "(anyone)")


def _named_guards(definition: ProcessDefinition) -> tuple[Guard, ...]:
    """The guards some transition names: only they can tell two states apart (a declared
    guard no row uses, such as a local choice left off, cannot)."""
    named = {g for row in definition.transitions for g in row.guards}
    return tuple(g for gid, g in definition.all_guards.items() if gid in named)


@functools.lru_cache(maxsize=65536)
def _without_digits(message: str) -> str:
    """``message`` with every number written ``#`` (the same few messages recur)."""
    return _DIGITS.sub("#", message)


def _key(
    guards: Sequence[Guard],
    definition: ProcessDefinition,
    state: ReviewState,
    now: pendulum.DateTime,
    symmetric: bool = False,
    properties: Sequence[Property] = (),
) -> Any:
    facts = frozenset(
        (guard.id, _without_digits(unmet if isinstance(unmet, str) else unmet[0]))
        for guard in guards
        for unmet in guard.function(state, _ANYONE, now)
    )
    substitutes = frozenset(s.agency for s in state.panel if s.substitutes)
    due = definition.completion_due(state)
    waiting = frozenset(
        r for n in state.delay_notices if due is None or n.revised_date > due for r in n.recipients
    )
    running = running_clocks(definition.policy, definition.completion, state)
    overdue = _overdue(running, now)
    small_hours = frozenset(  # a notice period started when UTC was still the day before
        spec.id
        for spec, _ in running
        if spec.kind is ClockKind.NOTICE_PERIOD
        and (record := state.clock(spec.id)) is not None
        and _utc_behind(record.started_at)
    )
    if symmetric and len(state.case_agencies) > 1:
        facts, substitutes = _canonical(tuple(state.case_agencies), facts, substitutes)
    passed = frozenset(  # the property dates passed: a property's verdict may differ
        d
        for prop in properties
        if prop.dates is not None
        for d in prop.dates(definition, state)
        if now.date() >= d
    )
    clocks = (waiting, overdue, small_hours)
    return (state.stage, state.held_from, substitutes, *clocks, facts, passed)


_MAX_SYMMETRIC = 5
"""Agencies beyond this many (after the first) are not permuted: 5! orders is enough."""


@functools.lru_cache(maxsize=64)
def _renamings(
    agencies: tuple[str, ...],
) -> tuple[re.Pattern[str], re.Pattern[str], tuple[dict[str, str], ...]]:
    """For a case's ``agencies``: a pattern finding any of them by name (the longest
    first, so that a name inside another is not taken for it), one finding a list of two
    or more of them (``"Police, Health"``), and every renaming of the agencies after the
    first among themselves."""
    names = sorted(set(agencies), key=len, reverse=True)
    name = "|".join(re.escape(n) for n in names)
    listed = re.compile(f"(?:{name})(?:, (?:{name}))+")
    permuted = sorted(set(agencies[1:]) - {agencies[0]})[:_MAX_SYMMETRIC]
    orders = itertools.permutations(permuted)
    renamings = tuple(dict(zip(permuted, order, strict=True)) for order in orders)
    return re.compile(name), listed, renamings


@functools.lru_cache(maxsize=65536)
def _renamed(message: str, agencies: tuple[str, ...], order: int) -> str:
    """``message`` with the case's agencies renamed by the ``order``-th renaming of
    :func:`_renamings`, and every list of them written in alphabetical order."""
    name, listed, renamings = _renamings(agencies)
    rename = renamings[order]
    text = name.sub(lambda m: rename.get(m.group(0), m.group(0)), message)
    return listed.sub(lambda m: ", ".join(sorted(name.findall(m.group(0)))), text)


def _canonical(
    agencies: tuple[str, ...],
    facts: frozenset[tuple[str, str]],
    substitutes: frozenset[str],
) -> tuple[Any, frozenset[str]]:
    """The least of the facts and substitutes under every renaming of the case's
    ``agencies`` after the first among themselves, each list of agencies in a message
    read as a set: states that differ only by which of these agencies did what, or by
    the order the panel's seats were filled in (which orders the lists), share one key.
    (The first agency relevant to the case is never renamed: the examples treat it
    apart; see :mod:`._examples`.)"""
    renamings = _renamings(agencies)[2]
    best: tuple[Any, ...] | None = None
    for order, rename in enumerate(renamings):
        candidate = (
            tuple(sorted((g, _renamed(m, agencies, order)) for g, m in facts)),
            tuple(sorted(rename.get(a, a) for a in substitutes)),
        )
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return best[0], frozenset(best[1])


def _actors(definition: ProcessDefinition, state: ReviewState, role: str) -> Sequence[Actor]:
    return definition.role(role).people(state)


def _at_nine(date: pendulum.Date) -> pendulum.DateTime:
    return pendulum.datetime(date.year, date.month, date.day, 9, tz=LONDON)


def _past_midnight(date: pendulum.Date) -> pendulum.DateTime:
    """Half past midnight, London time, on ``date``: the first instant of a London date
    that is still the day before in UTC for half the year (British Summer Time), so a
    rule that reads the UTC date instead of the London date is caught there."""
    return pendulum.datetime(date.year, date.month, date.day, 0, 30, tz=LONDON)


def _utc_behind(at: pendulum.DateTime) -> bool:
    """Whether ``at`` falls on a London date that UTC has not reached yet (the first hour
    of a day in British Summer Time)."""
    return at.in_timezone("UTC").date() != at.in_timezone(LONDON).date()


def _small_hours(
    before: ReviewState, after: ReviewState, now: pendulum.DateTime
) -> pendulum.DateTime | None:
    """When a step that started a notice period at ``now`` should be tried again: half
    past midnight on the first day from tomorrow on which that is still the day before
    in UTC (British Summer Time), unless ``now`` already is. A notice period is a least
    wait: counted from the UTC date instead of the London date, it ends a day early, but
    only for a period started then."""
    started = {
        c for c in after.clocks if c.kind is ClockKind.NOTICE_PERIOD and c.started_at == now
    } - set(before.clocks)
    return next_small_hours(now) if started and not _utc_behind(now) else None


def next_small_hours(now: pendulum.DateTime) -> pendulum.DateTime:
    """Half past midnight, London time, on the first day after ``now``'s on which that is
    still the day before in UTC (a day of British Summer Time)."""
    day = now.date()
    while not _utc_behind(later := _past_midnight(day := day.add(days=1))):
        pass
    return later


def _overdue(
    running: Sequence[tuple[ClockSpec, pendulum.Date]], at: pendulum.DateTime
) -> frozenset[str]:
    """The deadline clocks among the ``running`` ones (with their due dates, as
    ``running_clocks`` gives them) past their due date at ``at``."""
    today = at.date()
    return frozenset(
        spec.id for spec, due in running if spec.kind is ClockKind.DEADLINE and today > due
    )


def _waits(
    definition: ProcessDefinition,
    state: ReviewState,
    now: pendulum.DateTime,
    properties: Sequence[Property] = (),
) -> Iterator[pendulum.DateTime]:
    """The instants worth waiting for, each half past midnight London time (see
    :func:`_past_midnight`) but a guard's: the day after a running clock's due date; the
    last day before a notice period ends, and the day it ends; the date from which time
    alone satisfies a guard (its ``ready_on``, at nine); and each date a property names
    (see ``Property.dates``). A wait that changes no rule's verdict merges with the state
    it left, so a boundary that matters to no rule costs nothing."""
    for spec, due in running_clocks(definition.policy, definition.completion, state):
        if spec.kind is ClockKind.NOTICE_PERIOD:  # the day before it ends, and the day
            for day in (due.subtract(days=1), due):  # it ends (a rule that counts one day
                if now.date() < day:  # short, from the UTC date, say, is caught there)
                    yield _past_midnight(day)
        elif now.date() <= due:
            yield _past_midnight(due.add(days=1))
    for guard in definition.all_guards.values():
        ready = guard.ready_on(state) if guard.ready_on is not None else None
        if ready is not None and now.date() < ready:
            yield _at_nine(ready)
    for prop in properties:
        for date in prop.dates(definition, state) if prop.dates is not None else ():
            if now.date() < date:
                yield _past_midnight(date)


def candidate_steps(
    definition: ProcessDefinition, state: ReviewState, at: pendulum.DateTime
) -> Iterator[tuple[str, Actor, Mapping[str, Any]]]:
    """Every (trigger, actor, details) worth trying in ``state`` at ``at``.

    Each trigger the table offers from the stage once, for every role any of its
    rows allows (each person the role's cast gives), with each of the trigger's
    example details.
    """
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition")
    check_arg("state", state, ReviewState, "a ReviewState (a review's state)")
    at = as_instant(at)
    roles: dict[str, set[str]] = {}
    for row in definition.rows_from(state.stage):
        roles.setdefault(row.trigger, set()).update(row.roles)
    running = running_clocks(definition.policy, definition.completion, state)
    late = {s for c in _overdue(running, at) for s in definition.policy.clock(c).stops}
    cast: dict[str, Sequence[Actor]] = {}  # each role's people, found once for the state
    for trigger, allowed in roles.items():
        examples = list(definition.trigger(trigger).example_details(state, at))
        if any(r.target in late for r in definition.rows(trigger, state.stage)):
            examples += [{**e, "late_reason": "Example reason for the delay"} for e in examples]
        for role in sorted(allowed):
            if role not in cast:
                cast[role] = _actors(definition, state, role)
            for actor in cast[role]:
                for details in examples:
                    yield trigger, actor, details


def verify(
    definition: ProcessDefinition | None = None,
    *,
    properties: Sequence[Property] | None = None,
    max_states: int = 200_000,
    stop_at_first: bool = False,
    symmetry: bool = True,
) -> VerificationResult:
    """Explore every reachable abstract state of ``definition`` (the default one if none
    is given) and check ``properties`` (by default, the ones the definition lists).

    Returns the counts explored and, for each violated property, a shortest
    counterexample. ``max_states`` bounds the exploration (``truncated`` says when
    it was reached); ``stop_at_first`` stops at the first violation found.

    With ``symmetry`` (the default), states that differ only by the order the panel's
    seats were filled in (a guard lists agencies in that order; the list is read as a
    set), or by *which* of the case's agencies after the first did what, are explored
    once: the agencies a case names are interchangeable in the rules and the properties,
    and the examples treat only the first apart. For the default process it explores
    34,328 states where ``symmetry=False`` explores 36,120 (two agencies), and 58,800
    where it explores 113,893 with three; the tests hold both to the same verdicts,
    stages, triggers and rows.
    ``verify().ok`` is True for the default definition (about 34,000 states in about two
    minutes on a 2-core machine).
    """
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True)
    check_arg("max_states", max_states, int, "a whole number of states")
    check_arg("stop_at_first", stop_at_first, bool, "True or False")
    check_arg("symmetry", symmetry, bool, "True or False")
    definition = definition or default_definition()
    properties = definition.properties if properties is None else tuple(properties)
    started = time.perf_counter()
    first = Review.open("Verifier", aware_at=_START, definition=definition).state
    guards = _named_guards(definition)
    seen = {_key(guards, definition, first, _START, symmetry, properties)}
    queue: deque[tuple[ReviewState, pendulum.DateTime]] = deque([(first, _START)])
    found: dict[str, Counterexample] = {}
    stages = {first.stage}
    fired: set[str] = set()
    taken: set[TransitionSpec] = set()
    transitions = attempts = 0
    truncated = False

    def visit(state: ReviewState, now: pendulum.DateTime) -> None:
        nonlocal truncated
        key = _key(guards, definition, state, now, symmetry, properties)
        if key in seen:
            return
        if len(seen) >= max_states:
            truncated = True
            return
        seen.add(key)
        queue.append((state, now))

    while queue and not (stop_at_first and found):
        state, now = queue.popleft()
        for later in _waits(definition, state, now, properties):
            visit(state, later)
        handle = Review(state, definition)
        path = PathSoFar(definition, state.aware_at, state.history, before=state)
        for trigger, actor, details in candidate_steps(definition, state, now):
            at: pendulum.DateTime | None = now
            while at is not None:  # if the step started a notice period, once more in the
                attempts += 1  # small hours of a summer day (see _small_hours)
                try:
                    entry = handle._attempt(trigger, actor, at, **details)
                except CsprWorkflowError:
                    break
                if entry is None:
                    break
                after = handle.state
                handle = Review(state, definition)
                transitions += 1
                fired.add(trigger)
                step = definition.select(trigger, state)
                if step is not None:
                    taken.add(step.row)
                stages.add(after.stage)
                _record(properties, definition, path.facing(after), entry, after, found)
                visit(after, at)
                at = _small_hours(state, after, at)
    return VerificationResult(
        definition=definition.name,
        states=len(seen),
        transitions=transitions,
        attempts=attempts,
        seconds=time.perf_counter() - started,
        violations=tuple(found[p.id] for p in properties if p.id in found),
        stages_reached=frozenset(stages),
        triggers_fired=frozenset(fired),
        unreached=tuple(s.name for s in definition.stages if s.name not in stages),
        unfired=tuple(t.name for t in definition.triggers if t.name not in fired),
        truncated=truncated,
        properties=len(properties),
        unfired_rows=tuple(_row(r) for r in definition.transitions if r not in taken),
        unexplained_rows=tuple(
            _row(r)
            for r in definition.transitions
            if r not in taken and (r.trigger, r.source) not in definition.unexplored
        ),
    )


def _row(row: TransitionSpec) -> str:
    choice = f" [{row.selector}]" if row.selector else ""
    return f"{row.trigger} ({row.source} -> {row.target}){choice}"


def _record(
    properties: Sequence[Property],
    definition: ProcessDefinition,
    path: PathSoFar,
    entry: AuditEntry,
    after: ReviewState,
    found: dict[str, Counterexample],
) -> None:
    for prop in properties:
        if prop.id in found:
            continue
        problem = prop.check(path, entry)
        if problem is not None:
            found[prop.id] = Counterexample(
                prop.id, prop.title, problem, tuple(after.history), definition.titles
            )
