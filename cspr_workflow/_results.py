"""What a simulation found: one outcome per review, one row per stage visit, summaries, plots.

Everything here is read from each simulated review's record and its definition:
the completion clock says when the clock started and stopped and what "on time"
means, the stage titles name the stages, so the results of a partnership's own
process read in its own words.
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import MissingExtra

__all__ = ["ReviewOutcome", "SimulationResult", "StageTime"]


@attrs.frozen
class ReviewOutcome:
    """One simulated review, in numbers.

    ``clock_started`` and ``completed`` are the days the definition's completion
    clock started and stopped (for the default process: the decision to commission
    and publication); ``due`` is its due date as first set, ``revised_due`` as it
    stood at the end; ``on_time`` says whether it stopped by ``due``. ``side_paths``
    counts visits to side-path stages that are not final (holds, deferrals);
    ``returns``, moves back to an earlier stage of the main line (a redraft).
    """

    review: int
    seed: str
    final_stage: str
    clock_started: pendulum.Date | None
    completed: pendulum.Date | None
    due: pendulum.Date | None
    revised_due: pendulum.Date | None
    days_to_completion: int | None
    on_time: bool | None
    delay_notices: int
    side_paths: int
    drafts: int
    returns: int
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


def outcome(index: int, seed: str, review: Review) -> tuple[ReviewOutcome, list[StageTime]]:
    """The numbers of one simulated review, read from its record."""
    definition = review.definition
    state = review.state
    clock = definition.policy.completion
    record = state.clock(clock.id)
    started = record.started_at.date() if record else None
    stopped_at = clock.stopped_at(state)
    completed = stopped_at.date() if stopped_at else None
    days = (completed - started).in_days() if started and completed else None
    side = {s.name for s in definition.stages if s.side_path and not s.final}
    moves = [e for e in state.history if e.source != e.dest]
    distance = definition.distance_to_end

    result = ReviewOutcome(
        review=index,
        seed=seed,
        final_stage=state.stage,
        clock_started=started,
        completed=completed,
        due=record.due if record else None,
        revised_due=definition.completion_due(state),
        days_to_completion=days,
        on_time=None if record is None or completed is None else completed <= record.due,
        delay_notices=len(state.delay_notices),
        side_paths=sum(1 for e in moves if e.dest in side),
        drafts=len(state.drafts),
        returns=sum(
            1
            for e in moves
            if e.source not in side
            and e.dest not in side
            and distance(e.dest) > distance(e.source)
        ),
        steps=len(state.history),
    )
    calendar = definition.policy.calendar
    times = []
    for stage, entered, left in state.stage_visits():
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
    return result, times


@attrs.frozen
class SimulationResult:
    """The outcome of every simulated review, and the time each spent in each stage.

    ``limit`` says what "on time" means ("6 calendar months"); ``titles`` names the
    stages as the definition does.
    """

    definition: str
    limit: str
    titles: Mapping[str, str]
    seed: int
    outcomes: tuple[ReviewOutcome, ...]
    stage_times: tuple[StageTime, ...]
    seconds: float

    @classmethod
    def of(
        cls,
        definition: ProcessDefinition,
        seed: int,
        outcomes: Iterable[ReviewOutcome],
        stage_times: Iterable[StageTime],
        seconds: float,
    ) -> SimulationResult:
        clock = definition.policy.completion
        return cls(
            definition.name,
            f"{clock.limit} {clock.unit_label}",
            {s.name: s.title for s in definition.stages},
            seed,
            tuple(outcomes),
            tuple(stage_times),
            seconds,
        )

    # -- the summary --------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """The share completed on time (the completion clock stopped by its due date), median
        and 90th percentile of the days from the clock's start to its stop, delay notices,
        side paths, drafts, returns, and the working days spent in each stage.

        The share and the two quantiles each come with a 95% interval, ``(low, high)``:
        for the share, Wilson's score interval; for a quantile, the distribution-free
        interval between two order statistics of the simulated days (their ranks from
        the normal approximation to the binomial). They say how far another run of as
        many reviews could move the figure: about ±5 points on the share for 300
        reviews, ±1 for 10,000. ``reviews per second`` is the run's speed, not a result:
        it changes from run to run for the same seed."""
        started = [o for o in self.outcomes if o.clock_started is not None]
        days = [o.days_to_completion for o in started if o.days_to_completion is not None]
        on_time = [o for o in started if o.on_time]
        per_stage: dict[str, list[int]] = {}
        for t in self.stage_times:
            per_stage.setdefault(t.stage, []).append(t.working_days)
        return {
            "reviews": len(self.outcomes),
            "clock started": len(started),
            "completed on time": _share(len(on_time), len(started)),
            "completed on time, 95% interval": _wilson(len(on_time), len(started)),
            "median days to completion": _percentile(days, 50),
            "median days to completion, 95% interval": _quantile_interval(days, 50),
            "90th percentile days to completion": _percentile(days, 90),
            "90th percentile days to completion, 95% interval": _quantile_interval(days, 90),
            "delay notices": sum(o.delay_notices for o in self.outcomes),
            "reviews with a delay notice": sum(1 for o in self.outcomes if o.delay_notices),
            "side-path visits": sum(o.side_paths for o in self.outcomes),
            "mean drafts": _mean([o.drafts for o in started]),
            "mean returns": _mean([o.returns for o in started]),
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
        lines = [
            f"{len(self.outcomes)} simulated reviews (seed {self.seed}) of {self.definition}; "
            f"on time means within {self.limit} of the clock's start"
        ]
        for key, value in summary.items():
            if key.endswith(_INTERVAL) and value is not None:
                low, high = value
                share = key.startswith("completed on time")
                shown = f"{low:.1%} to {high:.1%}" if share else f"{low:g} to {high:g}"
            elif key == "completed on time" and value is not None:
                shown = f"{value:.1%}"
            else:
                shown = value
            lines.append(f"  {key:<{width}} {shown}")
        lines.append("  mean working days per stage:")
        lines += [
            f"    {self.titles.get(stage, stage):<{width - 2}} {days}"
            for stage, days in stages.items()
        ]
        return "\n".join(lines)

    # -- frames ---------------------------------------------------------------------------

    def to_pandas(self, kind: str = "reviews") -> Any:
        """A DataFrame: one row per review (``"reviews"``), or per stage visit (``"stages"``)."""
        pandas = need_extra("pandas", "SimulationResult.to_pandas")
        if kind == "reviews":
            rows: Iterable[Any] = self.outcomes
        elif kind == "stages":
            rows = self.stage_times
        else:
            raise ValueError("kind is 'reviews' or 'stages'")
        frame = pandas.DataFrame([attrs.asdict(r) for r in rows])
        for column in ("clock_started", "completed", "due", "revised_due", "entered", "left"):
            if column in frame:
                frame[column] = pandas.to_datetime(frame[column].astype("string"))
        return frame

    # -- plots ---------------------------------------------------------------------------

    def plot_completion_times(self, ax: Any = None) -> Any:
        """The distribution of days from the clock's start to its stop, against the limit."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_completion_times")
        ax = ax or plt.subplots(figsize=(8, 4))[1]
        days = [o.days_to_completion for o in self.outcomes if o.days_to_completion is not None]
        ax.hist(days, bins=40, color="#60a5fa", edgecolor="white")
        limits = [
            (o.due - o.clock_started).in_days() for o in self.outcomes if o.due and o.clock_started
        ]
        if limits:
            limit = statistics.median(limits)
            ax.axvline(
                limit, color="#b91c1c", linestyle="--", label=f"{self.limit} ({limit:.0f} days)"
            )
            ax.legend()
        ax.set_xlabel("calendar days from the completion clock's start to its stop")
        ax.set_ylabel("reviews")
        ax.set_title(f"Time to completion ({len(days)} reviews)")
        return ax

    def plot_stage_times(self, ax: Any = None) -> Any:
        """Where the time goes: mean working days spent in each stage."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_stage_times")
        ax = ax or plt.subplots(figsize=(8, 4))[1]
        means = self.summary()["mean working days per stage"]
        stages = list(means)
        ax.barh(
            [self.titles.get(s, s) for s in stages], [means[s] for s in stages], color="#34d399"
        )
        ax.invert_yaxis()
        ax.set_xlabel("mean working days per visit")
        ax.set_title("Where the time goes")
        return ax

    def plot_gantt(self, review: int = 0, ax: Any = None) -> Any:
        """One review's stages on a time line."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_gantt")
        mdates = need_extra("matplotlib.dates", "SimulationResult.plot_gantt")

        ax = ax or plt.subplots(figsize=(9, 4))[1]
        rows = [t for t in self.stage_times if t.review == review]
        if not rows:
            raise ValueError(f"no simulated review {review}")
        for y, row in enumerate(rows):
            start = mdates.date2num(row.entered)
            ax.barh(y, max(row.calendar_days, 1), left=start, color="#818cf8")
        ax.set_yticks(range(len(rows)), [self.titles.get(r.stage, r.stage) for r in rows])
        ax.invert_yaxis()
        ax.xaxis_date()
        ax.set_title(f"Simulated review {review}")
        return ax


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


_INTERVAL = ", 95% interval"
_Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def _wilson(part: int, whole: int) -> tuple[float, float] | None:
    """Wilson's 95% score interval for the share ``part / whole`` (None when ``whole`` is 0)."""
    if not whole:
        return None
    p = part / whole
    z2 = _Z95 * _Z95
    centre = (p + z2 / (2 * whole)) / (1 + z2 / whole)
    half = _Z95 * math.sqrt(p * (1 - p) / whole + z2 / (4 * whole * whole)) / (1 + z2 / whole)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def _quantile_interval(values: Sequence[int], q: int) -> tuple[float, float] | None:
    """A distribution-free 95% interval for the ``q``-th percentile of what ``values``
    sample: the order statistics of ranks ⌊n·p - z·√(n·p·(1-p))⌋ and
    ⌈n·p + z·√(n·p·(1-p))⌉ + 1 (the normal approximation to the binomial, rounded
    outwards; for the median of 100 values, ranks 40 and 61 as the exact binomial
    gives), clipped to the sample."""
    if not values:
        return None
    ordered = sorted(values)
    n, p = len(ordered), q / 100
    spread = _Z95 * math.sqrt(n * p * (1 - p))
    low = max(0, math.floor(n * p - spread) - 1)  # ranks from 1, list indices from 0
    high = min(n - 1, math.ceil(n * p + spread))
    return float(ordered[low]), float(ordered[high])


def _mean(values: Sequence[int]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _percentile(values: Sequence[int], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return round(float(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)), 1)


def need_extra(module: str, feature: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(module.split(".")[0], feature) from None
