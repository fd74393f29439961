"""Scenarios: how long the parts of a review take, and how often it goes another way.

A :class:`Scenario` is data keyed by the names a process definition declares:
stages (how long a review stays in each before the step that leaves it), and
triggers (how long a step takes once it can be taken, how likely a branch is,
which routine steps are taken several times, which details a step uses, when the
body that takes a step sits, which steps a step waits for). A key
``"trigger@stage"`` applies to the trigger in that stage only and wins over the
plain ``"trigger"``. Anything a scenario does not mention takes the definition's
expected working days for its stage, or ``default_days``.

Durations are triangular distributions in working days. Every key is checked
against the definition when the two meet, so a misspelt stage or trigger is an
error, never a silent "no effect".
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any

import attrs
import pendulum

from ._args import check_arg
from ._calendar import WorkingDayCalendar
from ._errors import InvalidInput, Problem
from ._records import checked_fields
from ._time import as_date

__all__ = ["Duration", "Repeat", "Scenario", "Shared", "Sitting"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _number(argument: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        check_arg(argument, value, (int, float), "a number of working days")


def _invalid(argument: str, message: str, remedy: str) -> InvalidInput:
    """A scenario that cannot be: ``argument`` names the part, its rule is ``scenario``."""
    return InvalidInput(argument, "scenario", message, remedy)


@attrs.frozen
class Duration:
    """A triangular distribution of working days: least, most likely, most."""

    low: float
    mode: float
    high: float

    def __attrs_post_init__(self) -> None:
        for name in ("low", "mode", "high"):
            _number(f"Duration.{name}", getattr(self, name))
        if not 0 <= self.low <= self.mode <= self.high:
            raise _invalid(
                "Duration",
                f"a duration needs 0 <= low <= mode <= high, not {self.low}, {self.mode}, "
                f"{self.high}",
                "Give the least, the most likely and the most working days, in that order.",
            )

    def draw(self, rng: random.Random) -> int:
        """A whole number of working days."""
        if self.low == self.high:
            return round(self.low)
        return round(rng.triangular(self.low, self.high, self.mode))

    @property
    def mean(self) -> float:
        """The distribution's mean."""
        return (self.low + self.mode + self.high) / 3


@attrs.frozen
class Repeat:
    """A routine step taken ``count`` times in each visit of a stage, ``every`` working
    days apart, whether or not a rule asks for it (panel meetings, for example). The
    step that leaves the stage waits for the last of them."""

    count: Duration
    every: int = 1

    def __attrs_post_init__(self) -> None:
        check_arg("Repeat.count", self.count, Duration, "a Duration")
        check_arg("Repeat.every", self.every, int, "a whole number of working days")
        if self.every < 0:
            raise _invalid(
                "Repeat.every",
                f"a repeat's interval is at least 0 working days, not {self.every}",
                "Give every=0 or more working days.",
            )


def _anchor(value: object) -> pendulum.Date | None:
    if value is None:
        return None
    try:
        return as_date(value, "anchor")
    except ValueError:
        raise _invalid(
            "Sitting.anchor",
            "a sitting's anchor is a date: a date, or text such as 2026-01-08",
            'Give a date, such as "2026-01-08".',
        ) from None


def _weekday(value: object) -> str | None:
    return None if value is None else str(value).lower()


@attrs.frozen
class Sitting:
    """When a body sits (an approving group, a board): either every ``every_weeks``
    weeks from a sitting on ``anchor`` (and so on the anchor's weekday), or on the
    ``nth`` ``weekday`` of each month (``nth`` 1 to 4, or -1 for the last). A sitting
    that falls on a day that is not a working day moves to the next working day.

    >>> Sitting(nth=2, weekday="Wednesday").describe()
    'the second Wednesday of each month'
    >>> Sitting(every_weeks=4, anchor="2026-01-08").describe()
    'every 4 weeks from Thursday 8 January 2026'
    """

    every_weeks: int = 0
    anchor: pendulum.Date | None = attrs.field(default=None, converter=_anchor)
    nth: int = 0
    weekday: str | None = attrs.field(default=None, converter=_weekday)

    def __attrs_post_init__(self) -> None:
        check_arg("Sitting.every_weeks", self.every_weeks, int, "a whole number of weeks")
        check_arg("Sitting.nth", self.nth, int, "1, 2, 3, 4 or -1")
        weekly = self.every_weeks != 0 or self.anchor is not None
        monthly = self.nth != 0 or self.weekday is not None
        if weekly == monthly:
            raise _invalid(
                "Sitting",
                "a sitting is either every_weeks from an anchor date, or the nth weekday of "
                "each month",
                "Give every_weeks and anchor, or nth and weekday.",
            )
        if weekly and (self.every_weeks < 1 or self.anchor is None):
            raise _invalid(
                "Sitting.every_weeks",
                "a sitting every_weeks needs every_weeks of at least 1 and an anchor",
                'Give every_weeks=4 and anchor="2026-01-08", for example.',
            )
        if monthly:
            if self.nth not in _ORDINALS:
                raise _invalid(
                    "Sitting.nth",
                    "a monthly sitting's nth is 1, 2, 3, 4 or -1 (the last)",
                    "Give nth=2 for the second weekday of the month, -1 for the last.",
                )
            if self.weekday not in _WEEKDAYS:
                raise _invalid(
                    "Sitting.weekday",
                    f"a monthly sitting's weekday is one of {', '.join(_WEEKDAYS)}",
                    'Give weekday="wednesday", for example.',
                )

    def describe(self) -> str:
        """The calendar in words."""
        if self.anchor is not None:
            weeks = "week" if self.every_weeks == 1 else f"{self.every_weeks} weeks"
            return f"every {weeks} from {self.anchor.format('dddd D MMMM YYYY')}"
        assert self.weekday is not None
        return f"the {_ORDINALS[self.nth]} {self.weekday.title()} of each month"

    def _nominal(self, day: _dt.date) -> Iterator[pendulum.Date]:
        """The sittings' nominal dates, in order, from the last one before ``day``'s
        period (so that a sitting moved past a holiday is not missed)."""
        if self.anchor is not None:
            period = 7 * self.every_weeks
            k = (day - self.anchor).days // period - 1
            while True:
                yield self.anchor.add(days=k * period)
                k += 1
        assert self.weekday is not None
        target = _WEEKDAYS.index(self.weekday)
        month = pendulum.date(day.year, day.month, 1).subtract(months=1)
        while True:
            if self.nth > 0:
                first = month.add(days=(target - month.weekday()) % 7)
                yield first.add(weeks=self.nth - 1)
            else:
                last = month.add(months=1).subtract(days=1)
                yield last.subtract(days=(last.weekday() - target) % 7)
            month = month.add(months=1)

    def next(self, day: _dt.date, calendar: WorkingDayCalendar) -> pendulum.Date:
        """The first sitting on or after ``day`` (a working day, on ``calendar``)."""
        for nominal in self._nominal(day):
            sits = nominal
            while not calendar.is_working_day(sits):
                sits = sits.add(days=1)
            if sits >= day:
                return sits
        raise AssertionError("unreachable: sittings go on for ever")  # pragma: no cover

    def to_dict(self) -> dict[str, Any]:
        """The sitting as plain JSON data (see :meth:`Scenario.to_dict`)."""
        if self.anchor is not None:
            return {"every_weeks": self.every_weeks, "anchor": self.anchor.to_date_string()}
        return {"nth": self.nth, "weekday": self.weekday}


def _durations(value: Mapping[str, Any]) -> Mapping[str, Duration]:
    return {str(k): _duration(v, str(k)) for k, v in value.items()}


def _duration(value: object, key: str) -> Duration:
    """A :class:`Duration`, or one from ``{"low": .., "mode": .., "high": ..}``."""
    if isinstance(value, Duration):
        return value
    if not isinstance(value, Mapping) or set(value) != {"low", "mode", "high"}:
        raise _invalid(
            repr(key),
            "a duration is a Duration or an object of low, mode and high",
            'Give {"low": 10, "mode": 20, "high": 35}, for example.',
        )
    return Duration(**value)


def _chances(value: Mapping[str, Any]) -> Mapping[str, float]:
    return {str(k): float(v) for k, v in value.items()}


def _repeats(value: Mapping[str, Any]) -> Mapping[str, Repeat]:
    result = {}
    for key, item in value.items():
        if isinstance(item, Repeat):
            result[str(key)] = item
        else:
            result[str(key)] = Repeat(
                _duration(item["count"], f"{key}.count"), int(item.get("every", 1))
            )
    return result


def _details(value: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return {str(k): dict(v) for k, v in value.items()}


def _names(value: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise _invalid(
            "Shared.stages",
            "shared people's stages are a list of stages, not one text",
            'Give stages=["drafting"], for example.',
        )
    return tuple(str(x) for x in value)


@attrs.frozen(field_transformer=checked_fields({_names: "a list of stages"}))
class Shared:
    """People shared by a partnership's concurrent reviews (its Lead Reviewers, say):
    ``people`` of them, each taking one review at a time through ``stages``.

    A review entering the first of ``stages`` takes whoever is free first; when all are
    busy, it waits in that stage until one is. It keeps them until it enters a stage
    outside ``stages`` (a return to drafting takes someone again). People take reviews
    in the order the reviews opened: a review never jumps the queue of one opened
    before it.
    """

    people: int
    stages: tuple[str, ...] = attrs.field(converter=_names)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.people, bool) or not isinstance(self.people, int) or self.people < 1:
            raise _invalid(
                "Shared.people",
                "shared people are a whole number, at least 1",
                "Give people=2, for example.",
            )
        if not self.stages:
            raise _invalid(
                "Shared.stages",
                "shared people work through at least one stage",
                'Give stages=["drafting"], for example.',
            )

    def to_dict(self) -> dict[str, Any]:
        """As JSON data: ``{"people": 2, "stages": [...]}``."""
        return {"people": self.people, "stages": list(self.stages)}


def _shared(value: Mapping[str, Any]) -> Mapping[str, Shared]:
    result = {}
    for key, item in value.items():
        if not isinstance(item, Shared | Mapping):
            raise _invalid(
                f"shared[{key!r}]",
                "shared people are a Shared or an object of people and stages",
                'Give {"people": 2, "stages": ["drafting"]}, for example.',
            )
        result[str(key)] = item if isinstance(item, Shared) else Shared(**item)
    return result


def _sittings(value: Mapping[str, Any]) -> Mapping[str, Sitting]:
    result = {}
    for key, item in value.items():
        if not isinstance(item, Sitting | Mapping):
            raise _invalid(
                f"sittings[{key!r}]",
                "a sitting is a Sitting or an object of its fields",
                'Give {"nth": 2, "weekday": "wednesday"} or '
                '{"every_weeks": 4, "anchor": "2026-01-08"}.',
            )
        result[str(key)] = item if isinstance(item, Sitting) else Sitting(**item)
    return result


def _waits(value: Mapping[str, Sequence[str]]) -> Mapping[str, tuple[str, ...]]:
    result = {}
    for key, triggers in value.items():
        if isinstance(triggers, str) or not isinstance(triggers, Sequence):
            raise _invalid(
                f"waits_for[{key!r}]",
                "what a step waits for is a list of triggers",
                'Give ["return_information"], for example.',
            )
        result[str(key)] = tuple(str(t) for t in triggers)
    return result


_KEYED = (
    "stage_days",
    "revisit_days",
    "step_days",
    "chances",
    "repeats",
    "details",
    "sittings",
    "waits_for",
)
_BY_STAGE = ("stage_days", "revisit_days")


_CHECKED = checked_fields(
    {
        _durations: "a mapping of stages or steps to Durations",
        _chances: "a mapping of steps to probabilities",
        _repeats: "a mapping of steps to Repeats",
        _details: "a mapping of triggers to their details",
        _sittings: "a mapping of steps to Sittings",
        _waits: "a mapping of steps to the triggers they wait for",
        _shared: "a mapping of labels to Shared people",
    }
)
"""A scenario's collections refuse what is not one, naming the field."""


@attrs.frozen(field_transformer=_CHECKED)
class Scenario:
    """How long things take, and how often they go another way (durations in working days).

    - ``stage_days``: the least time a review stays in a stage before the step that
      leaves it (``revisit_days`` for later visits, such as a redraft);
    - ``step_days``: how long a step takes once the rules let it be taken (keyed by
      trigger, or ``"trigger@stage"``);
    - ``chances``: the chance, at each visit of a stage, that a step leading off the
      shortest way to the end is taken instead (a return to drafting, a hold), at
      most ``max_branches`` times per key and review;
    - ``repeats``: routine steps taken several times in a stage (``"trigger@stage"``);
    - ``details``: the details a trigger's step uses, instead of its examples;
    - ``sittings``: when the body that takes a step sits (a :class:`Sitting`): the
      step is taken at the first sitting on or after the moment it is ready;
    - ``waits_for``: the triggers whose steps a step waits for (a panel meeting
      waiting for the agencies' information, say): while a waiting step is to come in
      a stage (a routine one, or the one that leaves it), the driver takes each of
      their steps the rules allow as soon as it can be taken, each after its own
      ``step_days``, and the waiting step follows the last of them;
    - ``shared``: people shared by a partnership's concurrent reviews (a
      :class:`Shared` under a label of your own, such as ``"lead reviewers"``), with
      ``partnership_reviews``, how many reviews a partnership opens in the year the
      simulation spreads openings over: simulated reviews are dealt to partnerships of
      that many, in order of their numbers, and each partnership has its own people;
    - ``delay_margin_days``: how far ahead (calendar days) a delay notice's revised
      date is set.

    ``Scenario()`` is empty: every stage then takes the definition's expected working
    days (``policy.expected_working_days``) or ``default_days``. The default process
    carries a fuller one (``DEFAULT_DEFINITION.scenario``); change it with
    :meth:`evolve`, :meth:`with_days`, :meth:`with_steps` or :meth:`with_chances`.
    """

    stage_days: Mapping[str, Duration] = attrs.field(factory=dict, converter=_durations)
    revisit_days: Mapping[str, Duration] = attrs.field(factory=dict, converter=_durations)
    step_days: Mapping[str, Duration] = attrs.field(factory=dict, converter=_durations)
    chances: Mapping[str, float] = attrs.field(factory=dict, converter=_chances)
    repeats: Mapping[str, Repeat] = attrs.field(factory=dict, converter=_repeats)
    details: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, converter=_details)
    sittings: Mapping[str, Sitting] = attrs.field(factory=dict, converter=_sittings)
    waits_for: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_waits)
    shared: Mapping[str, Shared] = attrs.field(factory=dict, converter=_shared)
    partnership_reviews: int | None = None
    default_days: Duration = Duration(0, 1, 3)
    max_branches: int = 2
    delay_margin_days: int = 60

    def __attrs_post_init__(self) -> None:
        check_arg("max_branches", self.max_branches, int, "a whole number")
        check_arg("delay_margin_days", self.delay_margin_days, int, "a whole number of days")
        check_arg(
            "partnership_reviews", self.partnership_reviews, int, "a whole number", optional=True
        )
        check_arg("default_days", self.default_days, Duration, "a Duration")
        problems = [
            f"chances[{k!r}] is a probability: between 0 and 1"
            for k, p in self.chances.items()
            if not 0 <= p <= 1
        ]
        if self.max_branches < 0:
            problems.append("max_branches must not be negative")
        if self.delay_margin_days < 1:
            problems.append("delay_margin_days must be at least 1")
        if self.partnership_reviews is not None and self.partnership_reviews < 1:
            problems.append("partnership_reviews must be at least 1")
        if self.shared and self.partnership_reviews is None:
            problems.append(
                "shared people need partnership_reviews: how many reviews share them a year"
            )
        if problems:
            raise _invalid(
                "scenario",
                "invalid scenario: " + "; ".join(problems),
                "Correct those fields and build the scenario again.",
            )

    # -- reading --------------------------------------------------------------------------

    def dwell(self, stage: str, visit: int) -> Duration | None:
        """The least time in ``stage`` at its ``visit``-th visit (None: not given)."""
        if visit > 1 and stage in self.revisit_days:
            return self.revisit_days[stage]
        return self.stage_days.get(stage)

    def step(self, trigger: str, stage: str) -> Duration:
        """How long a step of ``trigger`` takes in ``stage`` once it can be taken."""
        return self.step_days.get(
            f"{trigger}@{stage}", self.step_days.get(trigger, self.default_days)
        )

    def chance(self, trigger: str, stage: str) -> tuple[str, float]:
        """The key that gives ``trigger``'s chance in ``stage``, and the chance (0 if none)."""
        for key in (f"{trigger}@{stage}", trigger):
            if key in self.chances:
                return key, self.chances[key]
        return trigger, 0.0

    def repeat(self, trigger: str, stage: str) -> Repeat | None:
        """The routine repeats of ``trigger`` in ``stage``, if any."""
        return self.repeats.get(f"{trigger}@{stage}", self.repeats.get(trigger))

    def sitting(self, trigger: str, stage: str) -> Sitting | None:
        """When the body that takes ``trigger``'s step in ``stage`` sits (None: any day)."""
        return self.sittings.get(f"{trigger}@{stage}", self.sittings.get(trigger))

    def awaits(self, trigger: str, stage: str) -> tuple[str, ...]:
        """The triggers whose steps a step of ``trigger`` in ``stage`` waits for."""
        return self.waits_for.get(f"{trigger}@{stage}", self.waits_for.get(trigger, ()))

    # -- changing -------------------------------------------------------------------------

    def evolve(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced."""
        return attrs.evolve(self, **changes)

    def with_days(
        self, days: Mapping[str, Duration] | None = None, **by_stage: Duration
    ) -> Scenario:
        """A copy with some stages' times changed (the rest kept)."""
        return attrs.evolve(self, stage_days={**self.stage_days, **(days or {}), **by_stage})

    def with_steps(
        self, days: Mapping[str, Duration] | None = None, **by_trigger: Duration
    ) -> Scenario:
        """A copy with some steps' times changed (keys: trigger or ``"trigger@stage"``)."""
        return attrs.evolve(self, step_days={**self.step_days, **(days or {}), **by_trigger})

    def with_chances(
        self, chances: Mapping[str, float] | None = None, **by_trigger: float
    ) -> Scenario:
        """A copy with some branch chances changed (keys: trigger or ``"trigger@stage"``)."""
        return attrs.evolve(self, chances={**self.chances, **(chances or {}), **by_trigger})

    def merged(self, data: Mapping[str, Any]) -> Scenario:
        """A copy with ``data`` (plain JSON) laid over it: a keyed field's entries are added
        or replaced one by one, any other field is replaced. A duration is
        ``{"low": .., "mode": .., "high": ..}``; a sitting ``{"nth": 2, "weekday":
        "wednesday"}`` or ``{"every_weeks": 4, "anchor": "2026-01-08"}``; what a step
        waits for, a list of triggers."""
        if not isinstance(data, Mapping):
            raise _invalid(
                "data",
                f"a scenario's data is an object of its fields, not a {type(data).__name__}",
                'Pass {"stage_days": {"drafting": {"low": 10, "mode": 20, "high": 35}}}, for '
                "example (Scenario.to_dict() writes one).",
            )
        fields = {f.name for f in attrs.fields(Scenario)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise _invalid(
                "scenario",
                f"unknown scenario field(s): {', '.join(unknown)}",
                f"Use only the scenario's fields: {', '.join(sorted(fields))}.",
            )
        changes: dict[str, Any] = {}
        try:
            for name, value in data.items():
                if name in _KEYED:
                    if not isinstance(value, Mapping):
                        raise _invalid(
                            name,
                            f"{name} is an object keyed by stage or trigger",
                            'Give {"drafting": {"low": 10, "mode": 20, "high": 35}}, for example.',
                        )
                    converter = attrs.fields_dict(Scenario)[name].converter
                    assert callable(converter)
                    changes[name] = {**getattr(self, name), **converter(value)}
                elif name == "default_days":
                    changes[name] = value if isinstance(value, Duration) else Duration(**value)
                elif name == "shared":
                    if not isinstance(value, Mapping):
                        raise _invalid(
                            "shared",
                            "shared is an object keyed by a label of your own",
                            'Give {"lead reviewers": {"people": 2, "stages": ["drafting"]}}.',
                        )
                    changes[name] = {**self.shared, **_shared(value)}
                elif name == "partnership_reviews" and value is None:
                    changes[name] = None
                else:
                    if isinstance(value, bool) or not isinstance(value, int):
                        raise _invalid(name, f"{name} is a whole number", "Give a whole number.")
                    changes[name] = value
            return attrs.evolve(self, **changes)
        except InvalidInput:
            raise
        except (TypeError, KeyError) as error:
            raise _invalid(
                "scenario",
                f"invalid scenario: {error}",
                "Give each field as Scenario.to_dict() writes it.",
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON data, a scenario file for ``cspr-workflow simulate
        --scenario``: ``Scenario.from_dict(s.to_dict()) == s`` (dates in ``details``
        come back as ISO text).

        >>> Scenario(sittings={"approve": Sitting(nth=1, weekday="monday")}).to_dict()["sittings"]
        {'approve': {'nth': 1, 'weekday': 'monday'}}
        """
        data: dict[str, Any] = {}
        for field in attrs.fields(Scenario):
            value = getattr(self, field.name)
            if field.name in ("stage_days", "revisit_days", "step_days"):
                data[field.name] = {k: attrs.asdict(v) for k, v in value.items()}
            elif field.name == "repeats":
                data[field.name] = {
                    k: {"count": attrs.asdict(v.count), "every": v.every} for k, v in value.items()
                }
            elif field.name in ("sittings", "shared"):
                data[field.name] = {k: v.to_dict() for k, v in value.items()}
            elif field.name in ("waits_for", "chances", "details"):
                data[field.name] = {k: _plain(v) for k, v in value.items()}
            elif field.name == "default_days":
                data[field.name] = attrs.asdict(value)
            else:
                data[field.name] = value
        return data

    def renamed(self, stages: Mapping[str, str], triggers: Mapping[str, str]) -> Scenario:
        """A copy with stages and triggers renamed (old name to new) in every key and in
        what steps wait for (see ``ProcessDefinition.rename``)."""

        def key(k: str) -> str:
            trigger, at, stage = k.partition("@")
            trigger = triggers.get(trigger, trigger)
            return f"{trigger}@{stages.get(stage, stage)}" if at else trigger

        changes: dict[str, Any] = {}
        for name in _KEYED:
            rename = (lambda k: stages.get(k, k)) if name in _BY_STAGE else key
            changes[name] = {rename(k): v for k, v in getattr(self, name).items()}
        changes["waits_for"] = {
            k: tuple(triggers.get(t, t) for t in v) for k, v in changes["waits_for"].items()
        }
        changes["shared"] = {
            k: Shared(v.people, tuple(stages.get(x, x) for x in v.stages))
            for k, v in self.shared.items()
        }
        return attrs.evolve(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Scenario | None = None) -> Scenario:
        """A scenario from plain data (e.g. a JSON file), laid over ``base`` (an empty
        scenario unless given; see :meth:`merged`)."""
        return (base or cls()).merged(data)

    # -- checking against a definition -----------------------------------------------------

    def problems(self, stages: Set[str], triggers: Set[str]) -> list[Problem]:
        """Every key that names no stage or trigger of the definition."""
        found = []
        for name in _BY_STAGE:
            for key in getattr(self, name):
                if key not in stages:
                    found.append(Problem(f"scenario.{name}[{key!r}]", f"unknown stage '{key}'"))
        for name in _KEYED:
            if name in _BY_STAGE:
                continue
            for key in getattr(self, name):
                trigger, _, stage = key.partition("@")
                if trigger not in triggers:
                    found.append(
                        Problem(f"scenario.{name}[{key!r}]", f"unknown trigger '{trigger}'")
                    )
                if stage and stage not in stages:
                    found.append(Problem(f"scenario.{name}[{key!r}]", f"unknown stage '{stage}'"))
        for label, shared in self.shared.items():
            for stage in shared.stages:
                if stage not in stages:
                    found.append(
                        Problem(f"scenario.shared[{label!r}]", f"unknown stage '{stage}'")
                    )
        for key, awaited in self.waits_for.items():
            for trigger in awaited:
                if trigger not in triggers:
                    found.append(
                        Problem(
                            f"scenario.waits_for[{key!r}]",
                            f"waits for unknown trigger '{trigger}'",
                        )
                    )
        return found


def _plain(value: Any) -> Any:
    """``value`` as JSON data: tuples as lists, dates as ISO text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value
