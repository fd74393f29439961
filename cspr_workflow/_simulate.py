"""Timeline simulation: many synthetic reviews driven through the real engine.

A :class:`Scenario` says how long each part of a review takes (triangular
distributions in working days), how many agencies sit on the panel, how often a
draft goes back (fact check, CRG, Executive), how often a review is put on hold
and for how long, and how often the panel meets. :func:`simulate` plays a review
for each seed: a driver acts as the partnership's staff would, on a virtual
clock, and every step goes through ``Review.fire``, so the guards, roles, clocks
and calendar are the library's own, with no second model of the process to
drift from it. When the engine says a clock was missed, the step gives a reason;
when it says the review is past its completion date, the PDEO notifies a delay
first, as the rules require.

Each review has its own random stream, derived from the seed and the review's
number, so the results are the same whatever the number of worker processes.
"""

from __future__ import annotations

import heapq
import math
import os
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import pendulum

from ._codec import CONVERTER
from ._engine import Review
from ._errors import CsprWorkflowError, TransitionRefused
from ._time import LONDON, add_months
from .roles import Actor, Role

if TYPE_CHECKING:
    from ._calendar import WorkingDayCalendar
    from ._definition import ProcessDefinition

__all__ = [
    "Driver",
    "Duration",
    "EngineSink",
    "MissingExtra",
    "ReviewOutcome",
    "Scenario",
    "SimulationError",
    "SimulationResult",
    "Sink",
    "StageTime",
    "compare",
    "simulate",
    "simulated_review",
]


class SimulationError(CsprWorkflowError, RuntimeError):
    """The engine refused a step the simulated staff took: the driver and the process
    disagree (for example, a definition with stages the driver does not know)."""


class MissingExtra(CsprWorkflowError, ImportError):
    """A feature needs an optional package: install the ``analysis`` extra."""

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs {package}: pip install 'cspr-workflow[analysis]' "
            f"(pandas, matplotlib and tqdm)."
        )


@attrs.frozen
class Duration:
    """A triangular distribution of working days: least, most likely, most."""

    low: float
    mode: float
    high: float

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.low <= self.mode <= self.high:
            raise ValueError(
                f"a duration needs 0 <= low <= mode <= high, not {self.low}, {self.mode}, "
                f"{self.high}"
            )

    def draw(self, rng: random.Random) -> int:
        """A whole number of working days."""
        return round(rng.triangular(self.low, self.high, self.mode))

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


def _d(low: float, mode: float, high: float) -> Duration:
    return Duration(low, mode, high)


@attrs.frozen
class Scenario:
    """How long things take, and how often they go back. Durations are in working days.

    The defaults are this library's reading of typical LCSPR practice, planned to
    fit six months with little to spare: a Rapid Review in about 12 working days,
    scoping in about three weeks, two panel meetings six weeks apart (sometimes one,
    sometimes three), four weeks to the first draft, one draft in three sent back at the
    fact check, the CRG and the Executive each taking under two weeks and sometimes
    sending the report back, and one review in ten put on hold for about three
    months (criminal proceedings). Change any of them: ``Scenario(meeting_cadence=20)``.
    """

    agencies: int = 4
    notification: Duration = _d(1, 2, 6)
    rapid_review: Duration = _d(8, 12, 18)
    decision: Duration = _d(1, 3, 10)
    appointment: Duration = _d(3, 5, 15)
    scoping: Duration = _d(10, 15, 30)
    information_return: Duration = _d(5, 10, 30)
    information_missing_chance: float = 0.1
    family_response: Duration = _d(5, 15, 40)
    panel_meetings: Duration = _d(1, 2, 3)
    meeting_cadence: int = 30
    drafting: Duration = _d(10, 20, 35)
    redrafting: Duration = _d(5, 8, 15)
    fact_check: Duration = _d(3, 5, 10)
    fact_check_return_chance: float = 0.35
    max_fact_check_rounds: int = 3
    recommendations: Duration = _d(2, 3, 6)
    crp_agreement: Duration = _d(1, 3, 8)
    action_planning: Duration = _d(2, 5, 10)
    crg_approval: Duration = _d(3, 8, 15)
    crg_return_chance: float = 0.15
    executive_approval: Duration = _d(3, 8, 15)
    executive_return_chance: float = 0.1
    pre_publication: Duration = _d(7, 8, 15)
    hold_chance: float = 0.1
    hold_length: Duration = _d(20, 60, 120)
    delay_margin_days: int = 60
    monitoring: Duration = _d(40, 120, 250)
    not_commissioned_chance: float = 0.0
    national_review_chance: float = 0.0

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.agencies < 1:
            problems.append("agencies must be at least 1")
        if self.meeting_cadence < 1:
            problems.append("meeting_cadence must be at least 1 working day")
        for name in (
            "information_missing_chance",
            "fact_check_return_chance",
            "crg_return_chance",
            "executive_return_chance",
            "hold_chance",
            "not_commissioned_chance",
            "national_review_chance",
        ):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"{name} is a probability: between 0 and 1")
        if self.not_commissioned_chance + self.national_review_chance > 1:
            problems.append("the decision chances add up to more than 1")
        if self.panel_meetings.low < 1:
            problems.append("at least one panel meeting is needed")
        if problems:
            raise ValueError("invalid scenario: " + "; ".join(problems))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """A scenario from plain data (e.g. a JSON file): any field left out keeps its
        default; a duration is ``{"low": .., "mode": .., "high": ..}``."""
        defaults = CONVERTER.unstructure(cls())
        unknown = sorted(set(data) - set(defaults))
        if unknown:
            raise ValueError(f"unknown scenario field(s): {', '.join(unknown)}")
        merged = {**defaults, **data}
        for name, value in merged.items():
            if isinstance(value, int | float) and isinstance(defaults[name], float):
                merged[name] = float(value)
        try:
            scenario: Scenario = CONVERTER.structure(merged, cls)
        except Exception as error:  # cattrs groups every problem in one error
            import cattrs

            if isinstance(error, cattrs.BaseValidationError):
                lines = cattrs.transform_error(error, path="$")
                raise ValueError("invalid scenario: " + "; ".join(lines)) from None
            raise
        return scenario


# -- where the steps go ----------------------------------------------------------------------


class Sink(Protocol):
    """Where the driver's steps go: the engine, or (for benchmarks) a bare state machine."""

    def fire(self, trigger: str, actor: Actor, at: pendulum.DateTime, **details: Any) -> None: ...

    @property
    def stage(self) -> str: ...


_LATE = "a missed clock is explained"
_TIMING = "six-month timing check"


class EngineSink:
    """Steps through a real :class:`Review`. A refusal for a missed clock is answered
    with a reason; one for the completion date, by the PDEO's delay notice first."""

    def __init__(self, review: Review, scenario: Scenario, pdeo: Actor) -> None:
        self.review = review
        self.scenario = scenario
        self.pdeo = pdeo

    @property
    def stage(self) -> str:
        return self.review.state.stage

    def fire(self, trigger: str, actor: Actor, at: pendulum.DateTime, **details: Any) -> None:
        review = self.review
        for _ in range(3):
            try:
                review.fire(trigger, by=actor, at=at, **details)
                return
            except TransitionRefused as refusal:
                rules = set(refusal.rules)
                if _TIMING in rules:  # the PDEO notifies the delay, then the step is taken
                    review.fire(
                        "notify_delay",
                        by=self.pdeo,
                        at=at,
                        reason="The review will not be published by its due date",
                        revised_date=at.date().add(days=self.scenario.delay_margin_days),
                        recipients=[Role.NATIONAL_PANEL, Role.EXECUTIVE],
                    )
                elif rules == {_LATE} and "late_reason" not in details:
                    details = {**details, "late_reason": "Later than the clock allows"}
                else:
                    raise SimulationError(
                        f"the simulated {actor.describe()} could not {trigger} at stage "
                        f"{review.state.stage!r} on {at.to_date_string()}: {refusal}"
                    ) from None
        raise SimulationError(f"{trigger} was refused three times in a row")  # pragma: no cover


# -- the driver ----------------------------------------------------------------------------------


class _People:
    def __init__(self, agencies: Sequence[str]) -> None:
        self.la = Actor("Duty manager", Role.LOCAL_AUTHORITY, agency="Council")
        self.executive = Actor("Partnership lead", Role.EXECUTIVE)
        self.crg = Actor("CRG chair", Role.CRG)
        self.pdeo = Actor("Partnership officer", Role.PDEO)
        self.chair = Actor("Panel chair", Role.CHAIR)
        self.lead = Actor("Lead reviewer", Role.LEAD_REVIEWER)
        self.members = {a: Actor(f"{a} member", Role.PANEL_MEMBER, agency=a) for a in agencies}


_AGENCIES = (
    "Police",
    "Health",
    "Children's Social Care",
    "Education",
    "Probation",
    "Housing",
    "Ambulance",
    "Mental Health",
)


class Driver:
    """Plays one review as the partnership's staff would, on a virtual clock.

    Every time is drawn from the scenario; every step goes to the sink in time
    order. Events that happen on their own time (agencies returning information,
    the family answering) wait in a queue and are taken before any later step.
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: random.Random,
        calendar: WorkingDayCalendar,
        aware_at: pendulum.DateTime,
        sink_factory: Callable[[_People], Sink],
    ) -> None:
        self.s = scenario
        self.rng = rng
        self.calendar = calendar
        self.now = aware_at
        self.agencies = [
            _AGENCIES[i] if i < len(_AGENCIES) else f"Agency {i + 1}"
            for i in range(scenario.agencies)
        ]
        self.people = _People(self.agencies)
        self.sink = sink_factory(self.people)
        self.pending: list[tuple[pendulum.DateTime, int, str, Actor, dict[str, Any]]] = []
        self.counter = 0
        self.unshared = False
        self.hold_stage = (
            rng.choice(("scoping", "panel_review", "drafting", "fact_check", "crg_approved"))
            if rng.random() < scenario.hold_chance
            else None
        )

    # -- time -------------------------------------------------------------------------

    def after(self, days: int, start: pendulum.DateTime | None = None) -> pendulum.DateTime:
        """``days`` working days after ``start`` (default: now), at 10:00 London time."""
        base = (start or self.now).date()
        day = self.calendar.add_working_days(base, max(days, 0))
        at = pendulum.datetime(day.year, day.month, day.day, 10, tz=LONDON)
        return at if at > self.now else self.now.add(minutes=5)

    # -- steps ------------------------------------------------------------------------

    def later(self, at: pendulum.DateTime, trigger: str, actor: Actor, **details: Any) -> None:
        """A step that happens on its own time, taken before any later step."""
        self.counter += 1
        heapq.heappush(self.pending, (at, self.counter, trigger, actor, details))

    def step(self, at: pendulum.DateTime, trigger: str, actor: Actor, **details: Any) -> None:
        self.flush(at)
        at = max(at, self.now)
        self.sink.fire(trigger, actor, at, **details)
        self.now = at
        if trigger == "return_information":
            self.unshared = True

    def flush(self, until: pendulum.DateTime) -> None:
        while self.pending and self.pending[0][0] <= until:
            at, _, trigger, actor, details = heapq.heappop(self.pending)
            at = max(at, self.now)
            self.sink.fire(trigger, actor, at, **details)
            self.now = at
            if trigger == "return_information":
                self.unshared = True

    def enter(self, stage: str) -> None:
        """On entering a stage: perhaps a hold (criminal proceedings), then resume."""
        if stage != self.hold_stage:
            return
        self.hold_stage = None
        start = self.now.add(minutes=30)
        self.step(start, "put_on_hold", self.people.executive, reason="Criminal proceedings")
        resume = self.after(self.s.hold_length.draw(self.rng))
        # nothing of the review moves while it is held: waiting events move after it
        self.pending = [
            (max(at, resume.add(minutes=10 + i)), n, t, a, d)
            for i, (at, n, t, a, d) in enumerate(sorted(self.pending))
        ]
        heapq.heapify(self.pending)
        self.step(resume, "resume", self.people.executive)

    # -- the review ---------------------------------------------------------------------

    def run(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        self.step(self.after(s.notification.draw(rng)), "notify_national_panel", p.la)
        self.step(
            self.after(s.rapid_review.draw(rng)),
            "submit_rapid_review",
            p.pdeo,
            kloes=["Information sharing between agencies"],
            agencies=list(self.agencies),
        )
        decided = self.after(s.decision.draw(rng))
        roll = rng.random()
        if roll < s.not_commissioned_chance:
            self.step(decided, "decline_review", p.executive, reason="Learning taken another way")
            return
        if roll < s.not_commissioned_chance + s.national_review_chance:
            self.step(decided, "record_national_review", p.executive, reason="National review")
            return
        self.step(decided, "commission_review", p.executive, reason="Criteria met")
        self.step(
            self.after(s.appointment.draw(rng)),
            "appoint_reviewers",
            p.executive,
            chair=p.chair.name,
            lead_reviewer=p.lead.name,
        )
        self.enter("scoping")
        self.scoping()
        self.panel_review()
        self.drafts()
        self.publication()
        self.monitoring()

    def scoping(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        start = self.now
        length = max(s.scoping.draw(rng), 5)
        self.step(self.after(1, start), "set_terms_of_reference", p.chair, terms="Terms")
        self.step(self.after(1, start), "share_kloes", p.chair)
        for agency in self.agencies:
            self.step(
                self.after(2, start),
                "appoint_panel_member",
                p.pdeo,
                agency=agency,
                member=p.members[agency].name,
                independent=True,
            )
        requested = self.after(3, start)
        for agency in self.agencies:
            self.step(requested, "request_information", p.pdeo, agency=agency)
            answer_at = self.after(s.information_return.draw(rng), requested)
            member = p.members[agency]
            if rng.random() < s.information_missing_chance:
                self.later(answer_at, "explain_missing_information", member, reason="Not held")
            else:
                self.later(answer_at, "return_information", member)
        half = self.after(length // 2, start)
        self.step(half, "agree_methodology", p.chair, methodology="Systems approach")
        self.step(self.after(1), "agree_methodology", p.lead, methodology="Systems approach")
        invited = self.after(0)
        self.step(invited, "invite_family", p.lead)
        self.later(
            self.after(s.family_response.draw(rng), invited),
            "record_family_response",
            p.lead,
            response=rng.choice(("contributed", "contributed", "declined", "no_response")),
        )
        self.meeting(self.after(length, start))

    def meeting(self, at: pendulum.DateTime) -> None:
        self.flush(at)
        if self.unshared:
            self.step(max(at.subtract(hours=1), self.now), "share_information", self.people.pdeo)
            self.unshared = False
        self.step(at, "hold_panel_meeting", self.people.chair)

    def panel_review(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        self.enter("panel_review")
        meetings = max(1, s.panel_meetings.draw(rng))
        first = self.now
        if meetings > 1:
            event = self.after(s.meeting_cadence // 2, first)
            self.step(event, "hold_learning_event", p.chair)
        for n in range(1, meetings):
            self.meeting(self.after(s.meeting_cadence * n, first))
        self.step(self.after(1), "begin_drafting", p.lead)

    def drafts(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        self.enter("drafting")
        count = max(1, s.recommendations.draw(rng))
        recommendations = {f"R{i}": f"Recommendation {i}" for i in range(1, count + 1)}
        self.submit(self.after(s.drafting.draw(rng)), recommendations)
        rounds, planned = 1, False
        while True:
            if not self.fact_check(rounds):
                rounds += 1
                self.submit(self.after(s.redrafting.draw(rng)), recommendations)
                continue
            self.step(self.after(s.crp_agreement.draw(rng)), "agree_report", p.chair)
            if not planned:
                planned = True
                when = self.after(s.action_planning.draw(rng))
                for i, rec in enumerate(recommendations):
                    owner = self.agencies[i % len(self.agencies)]
                    self.step(
                        when,
                        "add_action",
                        p.chair,
                        recommendation=rec,
                        owner=owner,
                        due=when.date().add(years=1),
                        description=f"Act on {rec}",
                    )
            if self.approval("crg_approve", p.crg, s.crg_approval, s.crg_return_chance):
                self.enter("crg_approved")
                if self.approval(
                    "executive_approve",
                    p.executive,
                    s.executive_approval,
                    s.executive_return_chance,
                ):
                    return
            rounds += 1
            self.submit(self.after(s.redrafting.draw(rng)), recommendations)

    def submit(self, at: pendulum.DateTime, recommendations: dict[str, str]) -> None:
        # the draft waits for every agency's information and the family's answer
        while self.pending and (
            self.pending[0][2] in ("return_information", "explain_missing_information")
            or self.pending[0][2] == "record_family_response"
        ):
            self.flush(self.pending[0][0])
        self.step(
            at,
            "submit_draft",
            self.people.lead,
            findings=["What happened and why"],
            recommendations=recommendations,
        )

    def fact_check(self, round_: int) -> bool:
        """One round: True when every agency confirmed, False when one sent comments."""
        s, rng = self.s, self.rng
        if round_ == 1:
            self.enter("fact_check")
        answers = sorted(
            (self.after(s.fact_check.draw(rng)), n, agency)
            for n, agency in enumerate(self.agencies)
        )
        comments = round_ < s.max_fact_check_rounds and rng.random() < s.fact_check_return_chance
        returner = rng.randrange(len(answers)) if comments else -1
        for n, (at, _, agency) in enumerate(answers):
            member = self.people.members[agency]
            if n == returner:
                self.step(at, "return_comments", member, comments="Facts to correct")
                return False
            self.step(at, "confirm_facts", member)
        return True

    def approval(self, trigger: str, actor: Actor, wait: Duration, back: float) -> bool:
        at = self.after(wait.draw(self.rng))
        if self.rng.random() < back:
            self.step(at, "return_to_drafting", actor, reason="Changes needed")
            return False
        self.step(at, trigger, actor)
        return True

    def publication(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        sent = self.after(2)
        self.step(sent, "send_final_report", p.pdeo)
        self.step(self.after(2), "hold_feedback_session", p.chair)
        self.step(self.after(1), "inform_family", p.pdeo)
        self.step(self.after(max(s.pre_publication.draw(rng), 7), sent), "publish", p.executive)

    def monitoring(self) -> None:
        s, rng, p = self.s, self.rng, self.people
        self.step(self.after(5), "begin_monitoring", p.crg)
        actions = [(self.after(s.monitoring.draw(rng)), n) for n in range(1, self._actions() + 1)]
        for at, n in sorted(actions):
            self.step(at, "update_action", p.crg, action=f"A{n}", status="complete")
        self.step(self.after(5), "close_review", p.crg)

    def _actions(self) -> int:
        review = getattr(self.sink, "review", None)
        if review is not None:
            return len(review.state.actions)
        return int(getattr(self.sink, "actions", 0))


# -- results ------------------------------------------------------------------------------------


@attrs.frozen
class ReviewOutcome:
    """One simulated review: what happened, in numbers."""

    review: int
    seed: str
    final_stage: str
    decided: pendulum.Date | None
    published: pendulum.Date | None
    due: pendulum.Date | None
    days_to_publication: int | None
    within_six_months: bool | None
    delay_notices: int
    holds: int
    drafts: int
    fact_check_returns: int
    crg_returns: int
    executive_returns: int
    steps: int


@attrs.frozen
class StageTime:
    """One stretch of one simulated review in one stage."""

    review: int
    stage: str
    entered: pendulum.Date
    left: pendulum.Date | None
    calendar_days: int
    working_days: int


def _outcome(
    index: int, seed: str, review: Review, calendar: WorkingDayCalendar
) -> tuple[ReviewOutcome, list[StageTime]]:
    state = review.state
    counts = Counter(e.trigger for e in state.history)
    decided = state.decided_at.date() if state.decided_at else None
    published = state.published_at.date() if state.published_at else None
    completion = review.definition.policy.completion
    due = add_months(decided, completion.limit) if decided else None
    days = (published - decided).in_days() if decided and published else None
    outcome = ReviewOutcome(
        review=index,
        seed=seed,
        final_stage=state.stage,
        decided=decided,
        published=published,
        due=due,
        days_to_publication=days,
        within_six_months=None if due is None or published is None else published <= due,
        delay_notices=counts["notify_delay"],
        holds=counts["put_on_hold"],
        drafts=len(state.drafts),
        fact_check_returns=counts["return_comments"],
        crg_returns=sum(
            1
            for e in state.history
            if e.trigger == "return_to_drafting" and e.source == "crp_agreed"
        ),
        executive_returns=sum(
            1
            for e in state.history
            if e.trigger == "return_to_drafting" and e.source == "crg_approved"
        ),
        steps=len(state.history),
    )
    times = []
    visits = state.stage_visits()
    for stage, entered, left in visits:
        end = left.date() if left else entered.date()
        times.append(
            StageTime(
                index,
                stage,
                entered.date(),
                left.date() if left else None,
                (end - entered.date()).in_days(),
                calendar.working_days_between(entered.date(), end),
            )
        )
    return outcome, times


def _seed(seed: int, index: int) -> str:
    return f"{seed}:{index}"


_START = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)


def simulated_review(
    index: int,
    *,
    seed: int = 0,
    scenario: Scenario | None = None,
    definition: ProcessDefinition | None = None,
) -> Review:
    """Simulated review number ``index`` of ``simulate(..., seed=seed)``, as a :class:`Review`:
    its history, clocks, diagram and audit report, like any other review's."""
    from .states import DEFAULT_DEFINITION

    return _play(index, seed, scenario or Scenario(), definition or DEFAULT_DEFINITION, _START)


def _play(
    index: int,
    seed: int,
    scenario: Scenario,
    definition: ProcessDefinition,
    start: pendulum.DateTime,
) -> Review:
    rng = random.Random(_seed(seed, index))
    aware = start.add(days=rng.randrange(365))
    review = Review.open(f"Sim {index}", aware_at=aware, definition=definition)
    driver = Driver(
        scenario,
        rng,
        definition.policy.calendar,
        aware,
        lambda people: EngineSink(review, scenario, people.pdeo),
    )
    driver.run()
    return review


def _one(
    index: int,
    seed: int,
    scenario: Scenario,
    definition: ProcessDefinition,
    start: pendulum.DateTime,
) -> tuple[ReviewOutcome, list[StageTime]]:
    review = _play(index, seed, scenario, definition, start)
    return _outcome(index, _seed(seed, index), review, definition.policy.calendar)


def _chunk(
    args: tuple[Sequence[int], int, Scenario, pendulum.DateTime],
) -> list[tuple[ReviewOutcome, list[StageTime]]]:
    indices, seed, scenario, start = args
    from .states import DEFAULT_DEFINITION

    return [_one(i, seed, scenario, DEFAULT_DEFINITION, start) for i in indices]


@attrs.frozen
class SimulationResult:
    """The outcome of every simulated review, and the time each spent in each stage."""

    scenario: Scenario
    seed: int
    outcomes: tuple[ReviewOutcome, ...]
    stage_times: tuple[StageTime, ...]
    seconds: float

    # -- the summary --------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Share published within six months, median and 90th percentile of the time to
        publication (calendar days from the decision), delay notices, time per stage."""
        commissioned = [o for o in self.outcomes if o.decided is not None]
        published = [o.days_to_publication for o in commissioned if o.days_to_publication]
        on_time = [o for o in commissioned if o.within_six_months]
        per_stage: dict[str, list[int]] = {}
        for t in self.stage_times:
            per_stage.setdefault(t.stage, []).append(t.working_days)
        return {
            "reviews": len(self.outcomes),
            "commissioned": len(commissioned),
            "published within six months": _share(len(on_time), len(commissioned)),
            "median days to publication": _percentile(published, 50),
            "90th percentile days to publication": _percentile(published, 90),
            "delay notices": sum(o.delay_notices for o in self.outcomes),
            "reviews with a delay notice": sum(1 for o in self.outcomes if o.delay_notices),
            "holds": sum(o.holds for o in self.outcomes),
            "mean drafts": _mean([o.drafts for o in commissioned]),
            "mean working days per stage": {
                stage: round(statistics.fmean(days), 1) for stage, days in per_stage.items()
            },
            "reviews per second": round(len(self.outcomes) / self.seconds, 1)
            if self.seconds
            else None,
        }

    def describe(self) -> str:
        """The summary as text."""
        summary = self.summary()
        stages = summary.pop("mean working days per stage")
        width = max(len(k) for k in (*summary, *stages)) + 2
        lines = [f"{len(self.outcomes)} simulated reviews (seed {self.seed})"]
        for key, value in summary.items():
            shown = f"{value:.1%}" if key == "published within six months" else value
            lines.append(f"  {key:<{width}} {shown}")
        lines.append("  mean working days per stage:")
        lines += [f"    {stage:<{width - 2}} {days}" for stage, days in stages.items()]
        return "\n".join(lines)

    # -- frames ---------------------------------------------------------------------------

    def to_pandas(self, kind: str = "reviews") -> Any:
        """A DataFrame: one row per review (``"reviews"``), or per stage visit (``"stages"``)."""
        pandas = _need("pandas", "SimulationResult.to_pandas")
        if kind == "reviews":
            rows: Iterable[Any] = self.outcomes
        elif kind == "stages":
            rows = self.stage_times
        else:
            raise ValueError("kind is 'reviews' or 'stages'")
        frame = pandas.DataFrame([attrs.asdict(r) for r in rows])
        for column in ("decided", "published", "due", "entered", "left"):
            if column in frame:
                frame[column] = pandas.to_datetime(frame[column].astype("string"))
        return frame

    # -- plots ---------------------------------------------------------------------------

    def plot_publication_times(self, ax: Any = None) -> Any:
        """The distribution of days from decision to publication, against six months."""
        plt = _need("matplotlib.pyplot", "SimulationResult.plot_publication_times")
        ax = ax or plt.subplots(figsize=(8, 4))[1]
        days = [o.days_to_publication for o in self.outcomes if o.days_to_publication]
        ax.hist(days, bins=40, color="#60a5fa", edgecolor="white")
        six = statistics.median(
            (o.due - o.decided).in_days() for o in self.outcomes if o.due and o.decided
        )
        ax.axvline(six, color="#b91c1c", linestyle="--", label=f"six months ({six:.0f} days)")
        ax.set_xlabel("calendar days from the decision to initiate to publication")
        ax.set_ylabel("reviews")
        ax.set_title(f"Time to publication ({len(days)} reviews)")
        ax.legend()
        return ax

    def plot_stage_times(self, ax: Any = None) -> Any:
        """Where the time goes: mean working days spent in each stage."""
        plt = _need("matplotlib.pyplot", "SimulationResult.plot_stage_times")
        ax = ax or plt.subplots(figsize=(8, 4))[1]
        means = self.summary()["mean working days per stage"]
        stages = list(means)
        ax.barh(stages, [means[s] for s in stages], color="#34d399")
        ax.invert_yaxis()
        ax.set_xlabel("mean working days per visit")
        ax.set_title("Where the time goes")
        return ax

    def plot_gantt(self, review: int = 0, ax: Any = None) -> Any:
        """One review's stages on a time line."""
        plt = _need("matplotlib.pyplot", "SimulationResult.plot_gantt")
        mdates = _need("matplotlib.dates", "SimulationResult.plot_gantt")

        ax = ax or plt.subplots(figsize=(9, 4))[1]
        rows = [t for t in self.stage_times if t.review == review]
        if not rows:
            raise ValueError(f"no simulated review {review}")
        for y, row in enumerate(rows):
            start = mdates.date2num(row.entered)
            ax.barh(y, max(row.calendar_days, 1), left=start, color="#818cf8")
        ax.set_yticks(range(len(rows)), [r.stage for r in rows])
        ax.invert_yaxis()
        ax.xaxis_date()
        ax.set_title(f"Simulated review {review}")
        return ax


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[int]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _percentile(values: Sequence[int], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo))


def _need(module: str, feature: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(module.split(".")[0], feature) from None


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell), where a bar helps."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress(total: int, show: bool | None) -> Any:
    """A progress bar where someone is watching (a terminal or a notebook), else none."""
    if show is None:
        show = sys.stderr.isatty() or _in_notebook()
    if not show or total < 200:
        return None
    import warnings

    with warnings.catch_warnings():  # tqdm warns when a notebook has no widgets: text will do
        warnings.simplefilter("ignore")
        try:
            auto = _need("tqdm.auto", "a progress bar")
        except MissingExtra:
            return None
        return auto.tqdm(total=total, desc="simulating", unit="review", mininterval=2.0)


def simulate(
    reviews: int = 1000,
    *,
    seed: int = 0,
    scenario: Scenario | None = None,
    workers: int = 1,
    definition: ProcessDefinition | None = None,
    progress: bool | None = None,
) -> SimulationResult:
    """Simulate ``reviews`` reviews through the real engine.

    The same ``seed`` gives the same results whatever the number of ``workers``
    (processes; 0 means one per core). ``definition`` may rename bodies or change
    limits; with several workers only the default definition can be sent to them.
    A progress bar shows in a terminal or notebook for long runs (``progress``
    forces it on or off).

    >>> result = simulate(20, seed=1)
    >>> result.summary()["reviews"]
    20
    """
    import time

    from .states import DEFAULT_DEFINITION

    scenario = scenario or Scenario()
    definition = definition or DEFAULT_DEFINITION
    workers = workers or os.cpu_count() or 1
    if workers > 1 and definition is not DEFAULT_DEFINITION:
        raise ValueError(
            "with several workers only the default definition can be simulated; "
            "use workers=1 for your own"
        )
    started = time.perf_counter()
    bar = _progress(reviews, progress)
    results: list[tuple[ReviewOutcome, list[StageTime]]] = []
    if workers == 1:
        for index in range(reviews):
            results.append(_one(index, seed, scenario, definition, _START))
            if bar is not None:
                bar.update(1)
    else:
        import multiprocessing

        size = max(1, min(250, reviews // (workers * 4) or 1))
        chunks = [
            (range(i, min(i + size, reviews)), seed, scenario, _START)
            for i in range(0, reviews, size)
        ]
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for part in pool.imap(_chunk, chunks):
                results.extend(part)
                if bar is not None:
                    bar.update(len(part))
    if bar is not None:
        bar.close()
    outcomes = tuple(o for o, _ in results)
    times = tuple(t for _, ts in results for t in ts)
    return SimulationResult(scenario, seed, outcomes, times, time.perf_counter() - started)


def compare(
    scenarios: Mapping[str, Scenario], reviews: int = 1000, *, seed: int = 0, workers: int = 1
) -> Any:
    """Simulate each scenario on the same seeds; their summaries side by side (a DataFrame,
    one column per scenario)."""
    pandas = _need("pandas", "compare")
    columns = {}
    for name, scenario in scenarios.items():
        summary = simulate(reviews, seed=seed, scenario=scenario, workers=workers).summary()
        stages = summary.pop("mean working days per stage")
        summary.pop("reviews per second")
        summary.update({f"working days in {stage}": days for stage, days in stages.items()})
        columns[name] = summary
    return pandas.DataFrame(columns)
