"""Stateful property tests: random steps through the real engine keep the invariants.

A Hypothesis ``RuleBasedStateMachine`` drives one review with allowed steps (any
trigger the table offers, by any actor it allows, with the trigger's example
details), with arbitrary attempts (any trigger, right and wrong roles and
agencies, unrecorded substitutes, wrong or missing details), with time moving on
(1 to 45 days later; to the next half past midnight that is still the day before in
UTC; to the day after the completion due date or a date a property names; a running
notice period waited out, or to its last day) and with attempts to go back in time
(1 to 960 hours before the last step). After every rule the invariants the definition
lists as properties (for the default one, the statutory ones) are checked against the
recorded history by the oracle in ``cspr_workflow._oracle`` (which reads the
history only, never the guards), and every failed attempt must have left the
review exactly as it was.

The same machine runs against the deliberately broken definitions of
``tests/mutations.py`` and must fail on each: a proof that cannot fail proves
nothing. (Three mutants that its fixed walks reach only late run in the thorough
profile, CI's; see ``SLOW_TO_WALK_INTO``.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar
from unittest import mock

import pendulum
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Actor,
    ProcessDefinition,
    Review,
    Role,
    TimeWentBackwards,
    TransitionRefused,
    Trigger,
)
from cspr_workflow._oracle import violations as statutory_violations
from cspr_workflow._verify import candidate_steps, next_small_hours
from cspr_workflow.demo import SCRIPT, demo_review
from cspr_workflow.extension import TransitionSpec
from cspr_workflow.records import ClockKind, ReviewState

from .mutations import MUTATIONS, ON_SIDE_PATHS, REFUSED_AT_BUILD, SLOW_TO_WALK_INTO
from .profile import THOROUGH

LONDON = "Europe/London"
AWARE = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)

#: People who should be refused most of the time: wrong roles, an agency with no
#: seat, an unrecorded substitute, a Chair who was not appointed, the National
#: Panel (which only answers a Rapid Review).
STRANGERS = (
    Actor("Someone else", Role.CHAIR),
    Actor("Someone else", Role.LEAD_REVIEWER),
    Actor("Police member", Role.PANEL_MEMBER, agency="Police"),
    Actor("Not recorded", Role.PANEL_MEMBER, agency="Police", substitute=True),
    Actor("Head of inclusion", Role.PANEL_MEMBER, agency="Education"),
    Actor("Panel secretariat", Role.NATIONAL_PANEL),
    Actor("Executive", Role.EXECUTIVE),
    Actor("Case Review Group", Role.CRG),
    Actor("PDEO", Role.PDEO),
    Actor("Local authority", Role.LOCAL_AUTHORITY, agency="Council"),
)

_GARBAGE: tuple[dict[str, Any], ...] = (
    {},
    {"agency": "Health"},
    {"reason": ""},
    {"revised_date": "2020-01-01", "reason": "Late", "recipients": ["executive"]},
    {"recommendations": [], "findings": ["F"]},
    {"late_reason": "No reason"},
    {"unexpected": True},
)
_MODES = ("progress",) * 12 + ("allowed",) * 2 + ("anything",) * 2
_MODES += ("later", "small_hours", "past_due", "backwards")


def _ends(definition: ProcessDefinition) -> list[str]:
    """The final stages: first the end of a published review, then the early endings."""
    published = definition.policy.completion.stops[0]
    finals = [s.name for s in definition.stages if s.final]
    return sorted(finals, key=lambda f: definition.shortest_path(published, f) is None)


def _side_routes(definition: ProcessDefinition) -> list[tuple[str, str]]:
    """Each side stage with each final stage reachable from it (a hold, which resumes by
    a selector, with the end of a published review)."""
    ends = _ends(definition)
    routes = []
    for side in (s.name for s in definition.stages if s.side_path):
        reachable = [f for f in ends if f == side or definition.shortest_path(side, f)]
        routes += [(side, f) for f in reachable or ends[:1]]
    return routes


def _distances(definition: ProcessDefinition, end: str | None = None) -> dict[str, float]:
    """How many stage changes each stage is from ``end`` (default: the end of a published
    review)."""
    end = end or _ends(definition)[0]
    result: dict[str, float] = {}
    for stage in definition.stages:
        path = definition.shortest_path(stage.name, end)
        result[stage.name] = float("inf") if path is None else len(path) - 1
    return result


class ReviewLifecycle(RuleBasedStateMachine):
    """One review, driven at random; the invariants hold after every rule."""

    definition: ClassVar[ProcessDefinition] = DEFAULT_DEFINITION
    from_demo: ClassVar[bool] = True
    side_paths: ClassVar[int] = 5

    def __init__(self) -> None:
        super().__init__()
        self.distance = _distances(self.definition)
        self.legs: list[dict[str, float]] = []
        self.review = Review.open("Child A", aware_at=AWARE, definition=self.definition)
        self.now = AWARE
        self.checked = 0
        self.record: ReviewState | None = None
        self.target: TransitionSpec | None = None

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        """One walk in ``side_paths`` takes a side path: it heads for a side stage (a hold, a
        deferral, a decision against a local review, a withdrawn notification), then for
        one of the final stages reachable from there; half the time, it starts from a
        random point of the demo review. Half the other walks take a row of the table drawn
        at random (on a definition derived from the default, half of those a row it adds
        or changes): they head for its stage, take its step as soon as it is allowed
        there, then head for the end (so a step that a walk heading forward would pass by,
        one that stays in its stage or a second way to the same stage, is taken too)."""
        routes = _side_routes(self.definition)
        if routes and data.draw(st.integers(1, self.side_paths), label="side path") == 1:
            waypoint, end = data.draw(st.sampled_from(routes), label="side stage, then end")
            self.distance = _distances(self.definition, waypoint)
            self.legs.append(_distances(self.definition, end))
        elif data.draw(st.booleans(), label="take a row"):
            rows = [r for r in self.definition.transitions if r.selector is None]
            changed = [r for r in rows if r not in DEFAULT_DEFINITION.transitions]
            if changed and data.draw(st.booleans(), label="a row the variant changed"):
                rows = changed
            self.target = data.draw(st.sampled_from(rows), label="row to take")
            self.legs.append(self.distance)
            self.distance = _distances(self.definition, self.target.source)
        if self.from_demo and data.draw(st.booleans(), label="from the demo"):
            upto = data.draw(st.integers(0, len(SCRIPT)), label="demo steps")
            self.review = demo_review(upto=upto)
            self.now = self.review.state.last_at

    def _attempt(self, trigger: str, actor: Actor, at: pendulum.DateTime, **details: Any) -> None:
        before = self.review.state
        verdict = self.review.check(trigger, by=actor, at=at, **details)
        assert self.review.state is before, "check() changed the review"
        refusal: TransitionRefused | None = None
        try:
            entry = self.review.fire(trigger, by=actor, at=at, **details)
        except TransitionRefused as caught:
            refusal = caught
        if refusal is not None:
            assert self.review.state is before, "a refused step changed the review"
            assert refusal.reasons == verdict.reasons, "check() did not predict fire()"
            assert refusal.reasons, "a refusal without a reason"
            return
        assert verdict.allowed, "fire() took a step check() refused"
        assert self.review.history[:-1] == before.history, "the history was rewritten"
        assert self.review.history[-1] is entry
        self.now = max(self.now, at)

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        mode = data.draw(st.sampled_from(_MODES), label="mode")
        state = self.review.state
        if self.target is not None and state.stage == self.target.source:
            if self._take_target(data):
                return
        elif self.legs and self.distance[state.stage] == 0:
            self.distance = self.legs.pop()
        if mode in ("progress", "allowed"):
            steps = [
                (trigger, actor, details)
                for trigger, actor, details in candidate_steps(self.definition, state, self.now)
                if self.review.check(trigger, by=actor, at=self.now, **details)
            ]
            if mode == "progress":
                if self._notice_running() and data.draw(st.booleans(), label="wait it out"):
                    # else a walk nearly always takes a step that needs no notice (the
                    # improvements published) and stops it; half the time, to the last day
                    # before it ends (a rule that counts a day short is caught there)
                    self._wait_for_notice(data.draw(st.booleans(), label="the day before"))
                    return
                helpful = self._progress(steps)
                if not helpful and self._wait_for_notice():
                    return
                steps = helpful or steps
            if steps:
                trigger, actor, details = data.draw(st.sampled_from(steps), label="step")
                self._attempt(trigger, actor, self.now, **details)
        elif mode == "anything":
            triggers = sorted(t.name for t in self.definition.triggers)
            trigger = data.draw(st.sampled_from(triggers), label="trigger")
            actors = [a for _, a, _ in candidate_steps(self.definition, state, self.now)]
            actor = data.draw(st.sampled_from(actors + list(STRANGERS)), label="actor")
            examples = list(self.definition.trigger(trigger).example_details(state, self.now))
            details = data.draw(st.sampled_from(examples + list(_GARBAGE)), label="details")
            self._attempt(trigger, actor, self.now, **details)
        elif mode == "later":
            self.now = self.now.add(days=data.draw(st.integers(1, 45), label="days"))
        elif mode == "small_hours":  # the next half past midnight that is still the day
            self.now = next_small_hours(self.now)  # before in UTC: the steps after it then
        elif mode == "past_due":  # the day after the due date, or a date a property names
            due = self.review.completion_due
            days = [
                day
                for prop in self.definition.properties
                if prop.dates is not None
                for day in prop.dates(self.definition, state)
            ]
            if due is not None and state.published_at is None:
                days.append(due.add(days=1))
            if days:
                day = data.draw(st.sampled_from(sorted(days)), label="date past due")
                then = pendulum.datetime(day.year, day.month, day.day, 10, tz="Europe/London")
                self.now = max(self.now, then)
        else:
            hours = data.draw(st.integers(1, 24 * 40), label="hours back")
            at = state.last_at.subtract(hours=hours)
            trigger, actor, details = data.draw(
                st.sampled_from(list(candidate_steps(self.definition, state, self.now)) or [None]),
                label="step",
            ) or (Trigger.NOTIFY_DELAY, STRANGERS[-2], {})
            with pytest.raises(TimeWentBackwards):
                self.review.fire(trigger, by=actor, at=at, **details)
            assert self.review.state is state

    def _take_target(self, data: st.DataObject) -> bool:
        """At the target row's stage: take its step if it is allowed now (then head for the
        end), else wait out a running notice period; False to go on as usual."""
        target = self.target
        assert target is not None
        state = self.review.state
        steps = [
            (trigger, actor, details)
            for trigger, actor, details in candidate_steps(self.definition, state, self.now)
            if trigger == target.trigger
            and self.review.check(trigger, by=actor, at=self.now, **details)
        ]
        if steps:
            trigger, actor, details = data.draw(st.sampled_from(steps), label="the row's step")
            self._attempt(trigger, actor, self.now, **details)
            self.target = None
            self.distance = self.legs.pop()
            return True
        return self._wait_for_notice()

    def _notice_running(self) -> bool:
        return any(
            spec.kind is ClockKind.NOTICE_PERIOD
            and (record := self.review.state.clock(spec.id)) is not None
            and self.now.date() < record.due
            for spec in self.definition.policy.clocks
        )

    def _wait_for_notice(self, day_before: bool = False) -> bool:
        """Let a running notice period end (nothing else moves a review forward then), or
        with ``day_before`` wait until half past midnight on its last day before the end."""
        for spec in self.definition.policy.clocks:
            record = self.review.state.clock(spec.id)
            if spec.kind is ClockKind.NOTICE_PERIOD and record and self.now.date() < record.due:
                last = record.due.subtract(days=1)
                if day_before and self.now.date() < last:
                    self.now = pendulum.datetime(*last.timetuple()[:3], 0, 30, tz=LONDON)
                else:
                    self.now = pendulum.datetime(*record.due.timetuple()[:3], 9, tz=LONDON)
                return True
        return False

    def _forward(self, stage: str, target: str) -> bool:
        return self.distance[target] < self.distance[stage]

    def _unmet_forward(self, review: Review) -> list[str]:
        """The rules that still block the steps moving ``review`` forward."""
        stage = review.state.stage
        return sorted(
            str(reason)
            for option in review.options(at=self.now)
            if self._forward(stage, option.dest)
            for reason in option.unmet
        )

    def _progress(self, steps: list[Any]) -> list[Any]:
        """The steps that move forward; failing those, the ones that unblock a forward step
        (fewer rules in the way, or at least different ones); failing those, any step
        that does not move back."""
        stage = self.review.state.stage
        distance = self.distance

        def moves(step: Any) -> list[float]:
            return sorted({distance[r.target] for r in self.definition.rows(step[0], stage)})

        forward = [s for s in steps if min(moves(s)) < distance[stage]]
        if forward:
            return forward
        blocked = self._unmet_forward(self.review)
        fewer, different = [], []
        for step in steps:
            if moves(step) != [distance[stage]]:
                continue  # only a step that stays can unblock this stage's way forward
            trigger, actor, details = step
            trial = Review(self.review.state, self.definition)
            trial.fire(trigger, by=actor, at=self.now, **details)
            after = self._unmet_forward(trial)
            if len(after) < len(blocked):
                fewer.append(step)
            elif len(after) == len(blocked) and after != blocked:
                different.append(step)
        return fewer or different or [s for s in steps if max(moves(s)) <= distance[stage]]

    @invariant()
    def invariants_hold(self) -> None:
        history = self.review.history
        # the record at the last check is where applying the new steps starts from
        violations = statutory_violations(
            self.definition,
            self.review.state,
            self.definition.properties,
            since=self.checked + 1,
            start=self.record,
        )
        assert not violations, "\n".join(str(v) for v in violations)
        assert history == self.review.state.history
        if history:
            assert history[-1].dest == self.review.state.stage
        self.checked = len(history)
        self.record = self.review.state


TestReviewLifecycle = ReviewLifecycle.TestCase


def _mutant(definition: ProcessDefinition, side_paths: int = 5) -> type[ReviewLifecycle]:
    return type(
        "MutantLifecycle",
        (ReviewLifecycle,),
        {"definition": definition, "from_demo": False, "side_paths": side_paths},
    )


def _walked(name: str) -> Any:
    slow = pytest.mark.skipif(not THOROUGH, reason="a mutant walks reach late: the ci profile")
    return pytest.param(name, marks=slow) if name in SLOW_TO_WALK_INTO else name


@pytest.mark.parametrize(
    "name", [_walked(n) for n in sorted(set(MUTATIONS) - set(REFUSED_AT_BUILD))]
)
def test_the_stateful_tests_catch_each_mutation(name: str) -> None:
    build, prop = MUTATIONS[name]
    machine = _mutant(build(), side_paths=1 if name in ON_SIDE_PATHS else 5)
    quick = _fixed_run(300, phases=[Phase.generate], print_blob=False)
    with pytest.raises(AssertionError) as caught, _only_hypothesis_constants():
        run_state_machine_as_test(machine, settings=quick)
    assert f"[{_title(prop)}]" in str(caught.value)


@contextlib.contextmanager
def _only_hypothesis_constants() -> Iterator[None]:
    """Keep the project's own literals out of a fixed run's draws.

    Besides its seed, Hypothesis draws now and then from constants it finds in the
    source of the project's modules already imported (``_get_local_constants`` in
    ``hypothesis.internal.conjecture.providers``), so a derandomized run gave other
    walks depending on which tests had run before it in the same process: a mutant was
    caught alone and missed in a full run. Within this block it draws from its own
    constants only, so the same examples run wherever the test runs.
    """
    from hypothesis.internal.conjecture import providers

    providers.CONSTANTS_CACHE.cache.clear()
    try:
        with mock.patch.object(
            providers, "_get_local_constants", return_value=providers.Constants()
        ):
            yield
    finally:
        providers.CONSTANTS_CACHE.cache.clear()


def _fixed_run(examples: int, **more: Any) -> settings:
    """Settings for a deterministic run of the machine (same examples every time)."""
    return settings(
        max_examples=examples,
        stateful_step_count=120,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        **more,
    )


def _title(prop: str) -> str:
    from cspr_workflow.statutory import DEFAULT_PROPERTIES

    return next(p.title for p in DEFAULT_PROPERTIES if p.id == prop)


def test_a_correct_walk_reaches_publication_often_enough() -> None:
    """The random walk is not stuck at the start: it reaches the deep stages."""
    reached: set[str] = set()

    class Probe(ReviewLifecycle):
        from_demo = False

        def teardown(self) -> None:
            reached.update(e.dest for e in self.review.history)

    with _only_hypothesis_constants():
        run_state_machine_as_test(Probe, settings=_fixed_run(60))
    assert "monitoring" in reached
    assert reached & set(DEFAULT_DEFINITION.policy.completion.stops)
