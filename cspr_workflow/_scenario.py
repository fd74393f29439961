"""Scenarios: how long the parts of a review take, and how often it goes another way.

A :class:`Scenario` is data keyed by the names a process definition declares:
stages (how long a review stays in each before the step that leaves it), and
triggers (how long a step takes once it can be taken, how likely a branch is,
which routine steps are taken several times, which details a step uses). A key
``"trigger@stage"`` applies to the trigger in that stage only and wins over the
plain ``"trigger"``. Anything a scenario does not mention takes the definition's
expected working days for its stage, or ``default_days``.

Durations are triangular distributions in working days. Every key is checked
against the definition when the two meet, so a misspelt stage or trigger is an
error, never a silent "no effect".
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Set
from typing import Any

import attrs

from ._errors import Problem

__all__ = ["Duration", "Repeat", "Scenario"]


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
        if self.every < 0:
            raise ValueError("a repeat's interval is at least 0 working days")


def _durations(value: Mapping[str, Any]) -> Mapping[str, Duration]:
    return {str(k): v if isinstance(v, Duration) else Duration(**v) for k, v in value.items()}


def _chances(value: Mapping[str, Any]) -> Mapping[str, float]:
    return {str(k): float(v) for k, v in value.items()}


def _repeats(value: Mapping[str, Any]) -> Mapping[str, Repeat]:
    result = {}
    for key, item in value.items():
        if isinstance(item, Repeat):
            result[str(key)] = item
        else:
            count = item["count"]
            result[str(key)] = Repeat(
                count if isinstance(count, Duration) else Duration(**count),
                int(item.get("every", 1)),
            )
    return result


def _details(value: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return {str(k): dict(v) for k, v in value.items()}


_KEYED = ("stage_days", "revisit_days", "step_days", "chances", "repeats", "details")


@attrs.frozen
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
    default_days: Duration = Duration(0, 1, 3)
    max_branches: int = 2
    delay_margin_days: int = 60

    def __attrs_post_init__(self) -> None:
        problems = [
            f"chances[{k!r}] is a probability: between 0 and 1"
            for k, p in self.chances.items()
            if not 0 <= p <= 1
        ]
        if self.max_branches < 0:
            problems.append("max_branches must not be negative")
        if self.delay_margin_days < 1:
            problems.append("delay_margin_days must be at least 1")
        if problems:
            raise ValueError("invalid scenario: " + "; ".join(problems))

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
        ``{"low": .., "mode": .., "high": ..}``."""
        fields = {f.name for f in attrs.fields(Scenario)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ValueError(f"unknown scenario field(s): {', '.join(unknown)}")
        changes: dict[str, Any] = {}
        try:
            for name, value in data.items():
                if name in _KEYED:
                    if not isinstance(value, Mapping):
                        raise ValueError(f"{name} is an object keyed by stage or trigger")
                    converter = attrs.fields_dict(Scenario)[name].converter
                    assert callable(converter)
                    changes[name] = {**getattr(self, name), **converter(value)}
                elif name == "default_days":
                    changes[name] = value if isinstance(value, Duration) else Duration(**value)
                else:
                    if isinstance(value, bool) or not isinstance(value, int):
                        raise ValueError(f"{name} is a whole number")
                    changes[name] = value
            return attrs.evolve(self, **changes)
        except (TypeError, KeyError) as error:
            raise ValueError(f"invalid scenario: {error}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Scenario | None = None) -> Scenario:
        """A scenario from plain data (e.g. a JSON file), laid over ``base`` (an empty
        scenario unless given; see :meth:`merged`)."""
        return (base or cls()).merged(data)

    # -- checking against a definition -----------------------------------------------------

    def problems(self, stages: Set[str], triggers: Set[str]) -> list[Problem]:
        """Every key that names no stage or trigger of the definition."""
        found = []
        for name in ("stage_days", "revisit_days"):
            for key in getattr(self, name):
                if key not in stages:
                    found.append(Problem(f"scenario.{name}[{key!r}]", f"unknown stage '{key}'"))
        for name in ("step_days", "chances", "repeats", "details"):
            for key in getattr(self, name):
                trigger, _, stage = key.partition("@")
                if trigger not in triggers:
                    found.append(
                        Problem(f"scenario.{name}[{key!r}]", f"unknown trigger '{trigger}'")
                    )
                if stage and stage not in stages:
                    found.append(Problem(f"scenario.{name}[{key!r}]", f"unknown stage '{stage}'"))
        return found
