"""Real reviews in the simulation's terms, and scenarios fitted to them.

:func:`observed` reads real reviews (from a ``ReviewStore``, ``Review`` objects or
their JSON documents) into the same :class:`SimulationResult` a simulation gives:
one outcome per review, one row per stay in a stage, the same summary and plots.
:func:`fit` estimates a scenario's stage times from those stays, so that the model
can be set to a partnership's own history and its results set beside it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._args import check_arg, check_many
from ._definition import ProcessDefinition
from ._document import loads
from ._engine import Review
from ._errors import InvalidInput
from ._results import ReviewOutcome, SimulationResult, StageTime, outcome
from ._scenario import Duration, Scenario
from ._time import as_instant, before

__all__ = ["fit", "observed"]


def _reviews(source: Any, definition: ProcessDefinition | None) -> Iterable[Review]:
    references = getattr(source, "references", None)
    if callable(references) and callable(getattr(source, "get", None)):  # a ReviewStore
        for reference in references():
            yield source.get(reference)
        return
    if isinstance(source, (str, bytes, Review, Path)):
        source = [source]
    check_many("source", source, "Reviews, documents or paths, or a ReviewStore")
    for item in source:
        if isinstance(item, Review):
            yield item
        elif isinstance(item, Path):
            yield loads(item.read_bytes(), definition=definition)
        elif isinstance(item, (str, bytes)):
            yield loads(item, definition=definition)
        else:
            raise InvalidInput(
                "source",
                "observed_source",
                f"cannot read a review from a {type(item).__name__}",
                "Pass a ReviewStore, or Reviews, JSON documents (text) or paths to them.",
            )


def observed(
    source: Any, *, at: object, definition: ProcessDefinition | None = None
) -> SimulationResult:
    """Real reviews as at ``at``, in the simulation's terms: the same outcomes, stage
    times, summary, frames and plots as a :class:`SimulationResult` (whose ``at`` is
    set and ``seed`` None).

    ``source`` is a ``ReviewStore`` (every review in it), or an iterable of
    :class:`Review` objects, JSON documents (``dumps`` text) or paths to them. Each
    review is read as it stood at ``at`` (:meth:`Review.as_at`). A review still short
    of a final stage is ``in_progress``: its open stay in a stage counts up to ``at``,
    and it is late (``on_time`` False) once its due date has passed, otherwise it has
    no verdict yet and the share on time leaves it out. A review opened after ``at`` is
    left out. Every review must follow one process definition (``definition``, or the
    first review's).
    """
    instant = as_instant(at, "at")
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True)
    outcomes: list[ReviewOutcome] = []
    times: list[StageTime] = []
    chosen = definition
    for index, review in enumerate(_reviews(source, definition)):
        check_arg("source", review, Review, "Reviews")
        if before(instant, review.state.aware_at):
            continue  # opened after the instant: not a review yet
        if chosen is None:
            chosen = review.definition
        elif review.definition.name != chosen.name:
            raise InvalidInput(
                "source",
                "observed_one_definition",
                f"review {review.reference!r} follows {review.definition.name!r}, the others "
                f"{chosen.name!r}",
                "Read the reviews of each process definition separately.",
            )
        then = review.as_at(instant)
        found, stays = outcome(index, review.reference, then, at=instant)
        outcomes.append(found)
        times.extend(stays)
    if chosen is None:
        raise InvalidInput(
            "source",
            "observed_empty",
            "there are no reviews open by then to read",
            "Pass some reviews, or a later instant.",
        )
    return SimulationResult.of(chosen, None, outcomes, times, 0.0, at=instant)


def _triangular(days: list[int]) -> Duration:
    """The triangular distribution with the observed least and most days and the mode
    that gives the observed mean (held between the two)."""
    low, high = float(min(days)), float(max(days))
    mode = min(high, max(low, 3 * statistics.fmean(days) - low - high))
    return Duration(low, round(mode, 1), high)


def fit(result: SimulationResult, *, base: Scenario | None = None, least: int = 3) -> Scenario:
    """A scenario whose stage times are estimated from ``result``'s stays in each stage
    (usually :func:`observed` real reviews): laid over ``base`` (the definition's own
    scenario, say), the rest of which is kept.

    For each stage with at least ``least`` finished first stays, ``stage_days`` becomes
    a triangular distribution of working days with the least and most observed and the
    mode that gives the observed mean; later stays (a redraft) set ``revisit_days`` the
    same way. The observed stay is the whole time in the stage, so the step that left
    it is given no time of its own (``step_days["trigger@stage"]`` of 0 for each trigger
    that left the stage). Branch chances, repeats and the steps taken inside a stage
    are not estimated: they are ``base``'s. Simulate the fitted scenario and set it
    beside the observed reviews (:meth:`SimulationResult.plot_against`) to see how
    close it comes.
    """
    check_arg("result", result, SimulationResult, "a SimulationResult (from observed)")
    check_arg("base", base, Scenario, "a Scenario", optional=True)
    first: dict[str, list[int]] = {}
    later: dict[str, list[int]] = {}
    leaving: dict[str, set[str]] = {}
    visits: dict[tuple[int, str], int] = {}
    for stay in result.stage_times:
        if stay.left is None or stay.left_by is None:
            continue
        n = visits[stay.review, stay.stage] = visits.get((stay.review, stay.stage), 0) + 1
        (first if n == 1 else later).setdefault(stay.stage, []).append(stay.working_days)
        leaving.setdefault(stay.stage, set()).add(stay.left_by)
    stage_days = {s: _triangular(d) for s, d in first.items() if len(d) >= least}
    revisit_days = {s: _triangular(d) for s, d in later.items() if len(d) >= least}
    instant = Duration(0, 0, 0)
    step_days: Mapping[str, Duration] = {
        f"{trigger}@{stage}": instant for stage in stage_days for trigger in sorted(leaving[stage])
    }
    base = base or Scenario()
    return base.evolve(
        stage_days={**base.stage_days, **stage_days},
        revisit_days={**base.revisit_days, **revisit_days},
        step_days={**base.step_days, **step_days},
    )
