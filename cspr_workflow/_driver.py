"""The simulation's driver: plays one review of any process definition, on a virtual clock.

The driver knows no process. It reads the definition: in each stage it picks the
step that leaves it (the first on the shortest way to the end; from a side path,
the way back to where it left the main line, else to the nearest final stage; or,
with the scenario's chance, another way such as a return to drafting or a hold); while the
rules refuse that step, it takes the steps that satisfy them (each unmet guard
names the triggers that can satisfy it), by the people each role's cast gives,
with the details the scenario or the trigger's examples give, choosing those
that bring the step nearer; it lets time pass where only time helps (a notice
period); and it keeps to the completion rule: once the review is past its due
date, the delay is notified first, by the rule's own trigger. Every step goes
through ``Review.fire``; the engine decides, the driver only proposes.

Steps that satisfy one rule independently (each agency confirming a draft, each
action completed) run in parallel, each after its own time; the step that leaves
a stage waits for its rules, for the stage's least time, for the stage's routine
steps, and for its own time.

Two parts of a scenario hold steps up. A step whose body sits on a calendar (the
scenario's ``sittings``) is taken at the first sitting on or after the moment it is
ready. A step that waits for others (``waits_for``) is held until they are taken:
in a stage visit whose routine steps or whose step out wait for a trigger, the
driver takes each of that trigger's steps the rules allow as soon as it can be
taken (each agency answering its request), each after its own time, whether or not
a rule asks for it yet, and carries those still to come into the next stage. A
routine step the rules refuse only until a date (information not yet with the panel
long enough) is taken on that date.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pendulum

from ._clocks import running_clocks
from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import Reason, SimulationError, StepProblems, TransitionRefused
from ._records import Actor, AuditEntry, ClockKind, ReviewState
from ._scenario import Duration, Scenario, Shared
from ._steps import CompiledStep
from ._time import LONDON, before, later

__all__: list[str] = []

_MAX_STEPS = 3000
_MAX_IDLE_DAYS = 400

Candidate = tuple[str, Actor, Mapping[str, Any]]
Unmet = tuple[str, str]
"""An unmet rule: the guard's id and what it says."""


class Driver:
    """Plays one review of ``review``'s definition to a final stage."""

    def __init__(
        self,
        review: Review,
        scenario: Scenario,
        rng: random.Random,
        people: People | None = None,
    ) -> None:
        self.review = review
        self.people = people
        self.definition: ProcessDefinition = review.definition
        self.scenario = scenario
        self.rng = rng
        self.now = review.state.last_at
        self.calendar = self.definition.policy.calendar
        self.visits: dict[str, int] = {}
        self.branches: dict[str, int] = {}
        # (the instant as a timestamp, to order by; a counter; kind; candidate; the instant):
        # ordered as instants, not by wall clock, which the autumn's repeated hour confuses
        self.events: list[tuple[float, int, str, Candidate, pendulum.DateTime]] = []
        self.counter = 0
        self.completion = self.definition.bound_guard(self.definition.completion.guard)
        self.awaited: tuple[str, ...] = ()

    # -- time -------------------------------------------------------------------------------

    def after(self, days: int, start: pendulum.DateTime | None = None) -> pendulum.DateTime:
        """``days`` working days after ``start`` (default: now), at 10:00 London time."""
        base = (start or self.now).date()
        day = self.calendar.add_working_days(base, max(days, 0))
        return self.on(day)

    def on(self, day: _dt.date) -> pendulum.DateTime:
        """10:00 London time on ``day``, or five minutes from now if that is not later."""
        at = pendulum.datetime(day.year, day.month, day.day, 10, tz=LONDON)
        return at if before(self.now, at) else self.now.add(minutes=5)

    def draw(self, duration: Duration) -> int:
        return duration.draw(self.rng)

    # -- the review -------------------------------------------------------------------------

    def run(self) -> Review:
        while not self.review.is_final:
            if len(self.review.history) > _MAX_STEPS:
                raise self._stuck("the review took more steps than a review can", [])
            self._visit()
        if self.people is not None:
            self.people.finish(self.now)
        return self.review

    def _visit(self) -> None:
        state = self.review.state
        stage = state.stage
        visit = self.visits[stage] = self.visits.get(stage, 0) + 1
        if self.people is not None:  # shared people: wait until someone is free
            self.now = later(self.now, self.people.enter(stage, self.now))
        entered = self.now
        self.events = [e for e in self.events if e[2] == "awaited"]  # still to come
        heapq.heapify(self.events)
        ready = self.after(self.draw(self._dwell(stage, visit)), entered)
        for at in self._routine(stage, entered):
            ready = later(ready, at)
        target = self._target(stage)
        self._awaiting(stage, target)
        self._await(stage)
        scheduled = False
        idle = 0
        while self.review.state.stage == stage and not self.review.is_final:
            self._keep_in_time()
            if not scheduled:
                unmet = self._unmet(target)
                if not unmet:
                    key = target.row.trigger
                    at = later(ready, self.after(self.draw(self.scenario.step(key, stage))))
                    self._schedule(at, "leave", (key, _NOBODY, {}))
                    scheduled = True
                else:
                    self._plan(target, unmet)
            if not self.events:
                idle += self._wait()
                if idle > _MAX_IDLE_DAYS:
                    raise self._stuck(
                        f"nothing could be done for {idle} working days",
                        target.guard_reasons(self.review.state, _NOBODY, self.now),
                    )
                continue
            _, _, kind, candidate, at = heapq.heappop(self.events)
            self.now = later(self.now, at)
            self._keep_in_time()
            if kind in ("leave", "routine"):
                held = self._held(kind, candidate[0], stage)
                if held is not None:
                    self._schedule(held, kind, candidate)
                    continue
            if kind == "leave":
                if not self._leave(target):
                    scheduled = False
            elif kind == "routine":
                if self._take(candidate[0], list(self._candidates(candidate[0]))):
                    self._await(stage)
                else:
                    self._when_ready(candidate)
            elif self._take(candidate[0], [candidate]):
                self._await(stage)

    # -- choosing ---------------------------------------------------------------------------

    def _dwell(self, stage: str, visit: int) -> Duration:
        given = self.scenario.dwell(stage, visit)
        if given is not None:
            return given
        expected = self.definition.policy.expected_working_days.get(stage)
        if expected is not None:
            return Duration(expected * 0.5, expected, expected * 1.5)
        return self.scenario.default_days

    def _target(self, stage: str) -> CompiledStep:
        """The step that leaves ``stage`` this visit: the way to the end, or a branch."""
        state = self.review.state
        moving = [
            s for s in self.definition.steps_from(stage) if s.target != stage and s.applies(state)
        ]
        if not moving:
            raise self._stuck("no step leaves this stage", [])
        main = self._usual(stage, moving)
        for step in moving:
            if step is main:
                continue
            key, chance = self.scenario.chance(step.row.trigger, stage)
            taken = self.branches.get(key, 0)
            if chance and taken < self.scenario.max_branches and self.rng.random() < chance:
                self.branches[key] = taken + 1
                return step
        return main

    def _usual(self, stage: str, moving: Sequence[CompiledStep]) -> CompiledStep:
        """The usual way out of ``stage``: on the main line, the step nearest the end; on a
        side path, the step back to where the review left the main line, else the step
        nearest a final stage (a decision against a local review ends it). Every other
        way out is a branch, taken with the scenario's chance."""
        definition = self.definition
        if not definition.stage(stage).side_path:
            return min(moving, key=lambda s: definition.distance_to_end(s.target))
        came = next((e.source for e in reversed(self.review.history) if e.enters(stage)), None)
        back = [s for s in moving if s.target == came]
        if back:
            return back[0]
        finals = [s.name for s in definition.stages if s.final]

        def to_a_final(step: CompiledStep) -> float:
            paths = [definition.shortest_path(step.target, f) for f in finals]
            return min((len(p) for p in paths if p is not None), default=float("inf"))

        return min(moving, key=to_a_final)

    def _unmet(self, step: CompiledStep, state: ReviewState | None = None) -> list[Unmet]:
        """What stands in the way of ``step`` now, as (guard id, message) pairs; the
        completion check is kept separately (see :meth:`_keep_in_time`)."""
        state = self.review.state if state is None else state
        found = []
        for guard in step.guards:
            if guard.id == self.completion.id:
                continue
            for unmet in guard.function(state, _NOBODY, self.now):
                found.append((guard.id, unmet if isinstance(unmet, str) else unmet[0]))
        return found

    def _candidates(self, trigger: str) -> Iterator[Candidate]:
        """(trigger, actor, details) to try: each person of each role allowed, each set of
        details (the scenario's, else the trigger's examples)."""
        state = self.review.state
        step = self.definition.select(trigger, state)
        if step is None:
            return
        given = self.scenario.details.get(trigger)
        options: Sequence[Mapping[str, Any]] = (
            [given] if given is not None else step.trigger.example_details(state, self.now)
        )
        for role in sorted(step.roles):
            for actor in self.definition.role(role).people(state):
                for details in options:
                    yield trigger, actor, details

    def _plan(self, target: CompiledStep, unmet: list[Unmet]) -> None:
        """Schedule the steps that bring ``target`` nearer: for each unmet rule, the steps
        of its remedy triggers that, taken one after another, each leave fewer or shorter
        reasons in the way."""
        pending = {e[3][0] for e in self.events}
        stage = self.review.state.stage
        trial_state = self.review.state
        score = _score(unmet)
        for trigger in _remedies(self.definition, unmet):
            if trigger in pending:
                continue
            accepted = []
            for candidate in self._candidates(trigger):
                _, actor, details = candidate
                tried = self._trial(trial_state, trigger, actor, details)
                if tried is None:
                    continue
                after = _score(self._unmet(target, tried))
                if after < score:
                    accepted.append(candidate)
                    trial_state, score = tried, after
            for candidate in accepted:
                at = self.after(self.draw(self.scenario.step(trigger, stage)))
                self._schedule(at, "remedy", candidate)

    def _trial(
        self, state: ReviewState, trigger: str, actor: Actor, details: Mapping[str, Any]
    ) -> ReviewState | None:
        """What ``state`` would record if ``actor`` took the step now (None if refused): the
        rules and the effects, and the step noted in the history (for rules that read it),
        without moving the stage."""
        step = self.definition.select(trigger, state)
        if step is None or step.permission(state, actor, self.now, details):
            return None
        parsed, bad = step.parse(details)
        if bad or step.guard_reasons(state, actor, self.now):
            return None
        try:
            after = step.apply(state, step.context(state, actor, self.now, parsed))
        except StepProblems:
            return None
        noted = AuditEntry(
            len(state.history) + 1, self.now, actor, trigger, state.stage, step.target, parsed
        )
        return after.evolve(history=(*after.history, noted))

    def _routine(self, stage: str, entered: pendulum.DateTime) -> Iterator[pendulum.DateTime]:
        """Schedule the stage's routine steps; yield when each will be taken."""
        for step in self.definition.steps_from(stage):
            if step.target != stage:
                continue
            repeat = self.scenario.repeat(step.row.trigger, stage)
            if repeat is None:
                continue
            for n in range(1, self.draw(repeat.count) + 1):
                at = self.after(repeat.every * n, entered)
                yield self._schedule(at, "routine", (step.row.trigger, _NOBODY, {}))

    def _schedule(
        self, at: pendulum.DateTime, kind: str, candidate: Candidate
    ) -> pendulum.DateTime:
        """Schedule ``candidate`` at ``at``, or at its body's first sitting on or after it;
        returns when."""
        sitting = self.scenario.sitting(candidate[0], self.review.state.stage)
        if sitting is not None:
            at = later(at, self.on(sitting.next(at.date(), self.calendar)))
        self.counter += 1
        heapq.heappush(self.events, (at.timestamp(), self.counter, kind, candidate, at))
        return at

    # -- waiting for other steps ------------------------------------------------------------

    def _awaiting(self, stage: str, target: CompiledStep) -> None:
        """Note the triggers that this visit's waiting steps wait for: the step that leaves
        the stage, and the routine steps scheduled (the scenario's ``waits_for``)."""
        found: dict[str, None] = {}
        if self.scenario.waits_for:
            waiting = {target.row.trigger} | {e[3][0] for e in self.events if e[2] == "routine"}
            for trigger in sorted(waiting):
                found.update(dict.fromkeys(self.scenario.awaits(trigger, stage)))
        self.awaited = tuple(found)

    def _await(self, stage: str) -> None:
        """Schedule, each after its own time, every step of an awaited trigger that the rules
        allow now and that no step already to come makes needless (an agency's answer to
        its request: a return, not also an explanation)."""
        triggers = self.awaited
        if not triggers:
            return
        state = self.review.state
        pending = [e[3] for e in self.events if e[2] == "awaited"]
        trial = state
        for trigger, actor, details in pending:
            trial = self._trial(trial, trigger, actor, details) or trial
        for trigger in triggers:
            for candidate in list(self._candidates(trigger)):
                if candidate in pending:
                    continue
                _, actor, details = candidate
                tried = self._trial(trial, trigger, actor, details)
                if tried is None:
                    continue
                if trial is not state and self._trial(state, trigger, actor, details) is None:
                    continue  # possible only after a step still to come
                trial = tried
                at = self.after(self.draw(self.scenario.step(trigger, stage)))
                self._schedule(at, "awaited", candidate)

    def _held(self, kind: str, trigger: str, stage: str) -> pendulum.DateTime | None:
        """When the last step that a step of ``trigger`` waits for is to be taken (None: it
        waits for none): an awaited step, or for the step that leaves, a routine one."""
        awaited = self.scenario.awaits(trigger, stage)
        times = [
            at
            for _, _, other, candidate, at in self.events
            if (other == "awaited" and candidate[0] in awaited)
            or (kind == "leave" and other == "routine")
        ]
        if not times:
            return None
        held = times[0]
        for at in times[1:]:
            held = later(held, at)
        return held

    def _when_ready(self, candidate: Candidate) -> None:
        """Schedule a refused routine step again for the day the rules that refused it say
        time alone will satisfy them (none: it is not taken)."""
        step = self.definition.select(candidate[0], self.review.state)
        if step is None:
            return
        unmet = self._unmet(step)
        guards = self.definition.all_guards
        days = [
            ready(self.review.state) if (ready := guards[g].ready_on) is not None else None
            for g, _ in unmet
        ]
        if not unmet or any(d is None for d in days):
            return
        day = max(d for d in days if d is not None)
        if day > self.now.date():
            self._schedule(self.on(day), "routine", candidate)

    def _wait(self) -> int:
        """Let time pass when nothing can be done: to the end of a running notice period,
        else one working day. Returns the working days waited."""
        state = self.review.state
        today = self.now.date()
        ends = [
            record.due
            for spec in self.definition.policy.clocks
            if spec.kind is ClockKind.NOTICE_PERIOD
            and (record := state.clock(spec.id)) is not None
            and record.due > today
            and spec.ended_at(state) is None
        ]
        days = self.calendar.working_days_between(today, min(ends)) if ends else 1
        self.now = self.after(max(days, 1))
        return max(days, 1)

    # -- taking steps -------------------------------------------------------------------------

    def _leave(self, target: CompiledStep) -> bool:
        trigger = target.row.trigger
        state = self.review.state
        if self.definition.select(trigger, state) is not target:
            return False
        candidates = list(self._candidates(trigger))
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda c: c[1].role)  # a random choice of details, roles in order
        return self._take(trigger, candidates)

    def _take(self, trigger: str, candidates: Sequence[Candidate]) -> bool:
        """Fire the first candidate the engine allows (giving a late step its reason)."""
        review = self.review
        late = {"late_reason": "Later than the clock allows"}
        for _, actor, details in candidates:
            if review._attempt(trigger, actor, self.now, **details):
                return True
            if self._stops_a_clock_late(trigger) and review._attempt(
                trigger, actor, self.now, **details, **late
            ):
                return True
        return False

    def _stops_a_clock_late(self, trigger: str) -> bool:
        """Whether ``trigger``'s step now enters a running deadline clock's stop stage after
        its due date (so the step must say why)."""
        state = self.review.state
        step = self.definition.select(trigger, state)
        if step is None or step.target == state.stage:
            return False
        today = self.now.date()
        return any(
            step.target in spec.stops and today > due and spec.kind is ClockKind.DEADLINE
            for spec, due in running_clocks(
                self.definition.policy, self.definition.completion, state
            )
        )

    def _keep_in_time(self) -> None:
        """Past the completion due date, notify the delay before anything else."""
        review = self.review
        state = review.state
        if not self.completion.function(state, _NOBODY, self.now):
            return
        rule = self.definition.completion
        due = review.completion_due or self.now.date()
        owed = review.owed(at=self.now)
        projected = max((o.projected for o in owed if o.projected is not None), default=due)
        details = {
            "reason": "The review will not be completed by its due date",
            "revised_date": max(due, projected, self.now.date()).add(
                days=self.scenario.delay_margin_days
            ),
            "recipients": list(rule.recipients),
        }
        step = self.definition.select(rule.notify, state)
        if step is None:
            raise self._stuck(
                f"the review is past its due date and '{rule.notify}' is not available here",
                self.completion.reasons(state, _NOBODY, self.now),
            )
        for role in sorted(step.roles):
            for actor in self.definition.role(role).people(state):
                try:
                    review.fire(rule.notify, by=actor, at=self.now, **details)
                except TransitionRefused:
                    continue
                return
        raise self._stuck(
            "no one could notify the delay", self.completion.reasons(state, _NOBODY, self.now)
        )

    def _stuck(self, what: str, reasons: Sequence[Reason]) -> SimulationError:
        state = self.review.state
        rules = "; ".join(f"[{r.title}] {r.message}" for r in reasons) or "no rule named"
        return SimulationError(
            f"simulated review {self.review.reference!r} of {self.definition.name!r} is stuck at "
            f"stage {state.stage!r} on {self.now.to_date_string()}: {what} ({rules})"
        )


_NOBODY = Actor("(simulation)", "(anyone)")


class People:
    """One partnership's shared people (:class:`Shared`): when each is free again.

    Reviews are played one after another in the order they opened; each takes, on
    entering the first of a group's stages, whoever of the group is free first (and
    waits for them), and gives them back on entering a stage outside the group's, or at
    its end. A person is busy with a review until it gives them back.
    """

    def __init__(self, shared: Mapping[str, Shared]) -> None:
        self.shared = shared
        self.free: dict[str, list[pendulum.DateTime | None]] = {
            label: [None] * group.people for label, group in shared.items()
        }
        self.holding: dict[str, int] = {}

    def enter(self, stage: str, now: pendulum.DateTime) -> pendulum.DateTime:
        """The review enters ``stage`` at ``now``: when it can start there."""
        start = now
        for label, group in self.shared.items():
            held = self.holding.get(label)
            free = self.free[label]
            if stage in group.stages:
                if held is None:
                    who = min(range(len(free)), key=lambda i: (free[i] is not None, free[i], i))
                    at = free[who]
                    if at is not None and before(now, at):
                        start = later(start, at)
                    self.holding[label] = who
                    free[who] = _BUSY
            elif held is not None:
                free[held] = now
                del self.holding[label]
        return start

    def finish(self, now: pendulum.DateTime) -> None:
        """The review is over: everyone it held is free from ``now``."""
        for label, held in self.holding.items():
            self.free[label][held] = now
        self.holding = {}


_BUSY = pendulum.datetime(9999, 1, 1, tz=LONDON)


def _remedies(definition: ProcessDefinition, unmet: Sequence[Unmet]) -> list[str]:
    """The triggers that can satisfy the unmet rules, in the order the rules came."""
    seen: dict[str, None] = {}
    guards = definition.all_guards
    for guard_id, _ in unmet:
        for trigger in guards[guard_id].remedies:
            seen[trigger] = None
    return list(seen)


def _score(unmet: Sequence[Unmet]) -> tuple[int, int]:
    """How far a step is from being allowed: the unmet rules, then the length of what they
    say (each lists what is still missing: agencies, actions, recommendations)."""
    return len(unmet), sum(len(message) for _, message in unmet)
