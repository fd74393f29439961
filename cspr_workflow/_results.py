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

from ._args import check_arg
from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import InvalidInput, MissingExtra

__all__ = ["ReviewOutcome", "SimulationResult", "StageTime"]


@attrs.frozen
class ReviewOutcome:
    """One simulated review, in numbers.

    ``clock_started`` and ``completed`` are the days the definition's completion
    clock started and stopped (for the default process: the decision to commission
    and publication); ``due`` is its due date as first set, ``revised_due`` as it
    stood at the end; ``on_time`` says whether it stopped by ``due``;
    ``first_delay_notice`` is the day the first delay was notified. ``side_paths``
    counts visits to side-path stages that are not final (holds, deferrals);
    ``returns``, moves back to an earlier stage of the main line (a redraft).
    ``in_progress`` is true for a real review (see :func:`observed`) still short of a
    final stage; its ``on_time`` is False once its due date has passed, else None.
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
    in_progress: bool = False
    first_delay_notice: pendulum.Date | None = None


@attrs.frozen
class StageTime:
    """One stretch of one review in one stage; ``left_by`` is the trigger of the step that
    left it (None while the review is still there)."""

    review: int
    stage: str
    entered: pendulum.Date
    left: pendulum.Date | None
    calendar_days: int
    working_days: int
    left_by: str | None = None


def outcome(
    index: int, seed: str, review: Review, at: pendulum.DateTime | None = None
) -> tuple[ReviewOutcome, list[StageTime]]:
    """The numbers of one review, read from its record: a simulated one (at its end), or a
    real one as at ``at`` (its stay in a stage that is not final counted up to ``at``)."""
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
        on_time=_on_time(record.due if record else None, completed, at),
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
        in_progress=not review.is_final,
        first_delay_notice=state.delay_notices[0].at.date() if state.delay_notices else None,
    )
    calendar = definition.policy.calendar
    times = []
    leaving = iter([e.trigger for e in state.history if e.source != e.dest])
    for stage, entered, left in state.stage_visits():
        if left is not None:
            end = left.date()
        elif at is not None and not review.is_final:
            end = at.date()  # a real review still in this stage
        else:
            end = entered.date()
        times.append(
            StageTime(
                index,
                stage,
                entered.date(),
                left.date() if left else None,
                (end - entered.date()).in_days(),
                calendar.working_days_between(entered.date(), end),
                next(leaving) if left else None,
            )
        )
    return result, times


@attrs.frozen
class SimulationResult:
    """The outcome of every simulated review, and the time each spent in each stage.

    ``limit`` says what "on time" means ("6 calendar months"); ``titles`` names the
    stages as the definition does; ``completes`` names what stops the completion clock
    (the titles of its stop stages), ``side_paths`` the side-path stages. For real
    reviews (:func:`observed`), ``at`` is the instant they were read as at, ``seed`` is
    None and ``seconds`` 0.
    """

    definition: str
    limit: str
    titles: Mapping[str, str]
    seed: int | None
    outcomes: tuple[ReviewOutcome, ...]
    stage_times: tuple[StageTime, ...]
    seconds: float
    at: pendulum.DateTime | None = None
    completes: str = "completion"
    side_paths: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        definition: ProcessDefinition,
        seed: int | None,
        outcomes: Iterable[ReviewOutcome],
        stage_times: Iterable[StageTime],
        seconds: float,
        at: pendulum.DateTime | None = None,
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
            at,
            " or ".join(definition.stage(s).title for s in clock.stops),
            frozenset(s.name for s in definition.stages if s.side_path),
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
        reviews, ±1 for 10,000. The share on time counts the reviews whose clock started
        and whose verdict is known: a real review still in progress before its due date
        (see :func:`observed`) is counted under ``in progress`` only."""
        begun = [o for o in self.outcomes if o.clock_started is not None]
        # a real review still running before its due date has no verdict yet
        started = [o for o in begun if not (o.in_progress and o.on_time is None)]
        days = [o.days_to_completion for o in started if o.days_to_completion is not None]
        on_time = [o for o in started if o.on_time]
        per_stage: dict[str, list[int]] = {}
        for t in self.stage_times:
            per_stage.setdefault(t.stage, []).append(t.working_days)
        return {
            "reviews": len(self.outcomes),
            "clock started": len(begun),
            "in progress": sum(1 for o in self.outcomes if o.in_progress),
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
        }

    @property
    def reviews_per_second(self) -> float | None:
        """How fast the run went: a property of the machine and the moment, not a result
        (it differs between runs of the same seed), so it is kept out of :meth:`summary`."""
        return round(len(self.outcomes) / self.seconds, 1) if self.seconds else None

    def describe(self) -> str:
        """The summary as text."""
        summary = self.summary()
        stages = summary.pop("mean working days per stage")
        width = max(len(k) for k in (*summary, *stages)) + 2
        which = (
            f"simulated reviews (seed {self.seed})"
            if self.at is None
            else f"reviews as at {self.at.to_date_string()}"
        )
        lines = [
            f"{len(self.outcomes)} {which} of {self.definition}; "
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
        if self.reviews_per_second is not None:
            lines.append(
                f"(run time {self.seconds:.1f} s, {self.reviews_per_second:g} reviews a second: "
                "this machine's speed, not a result)"
            )
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
            raise InvalidInput(
                "kind", "frame_kind", "expected 'reviews' or 'stages'", "Pass one of them."
            )
        frame = pandas.DataFrame([attrs.asdict(r) for r in rows])
        for column in ("clock_started", "completed", "due", "revised_due", "entered", "left"):
            if column in frame:
                frame[column] = pandas.to_datetime(frame[column].astype("string"))
        return frame

    # -- plots ---------------------------------------------------------------------------

    def time_until_completion(self) -> dict[str, float]:
        """Where the time goes until the completion clock stops: for each stage (in the
        order reviews first reach them), the mean working days a review that completed
        spent in it before completing, over all its stays (a hold or a redraft counts in
        full; stages after completion, such as monitoring, do not count)."""
        completed = {o.review: o.completed for o in self.outcomes if o.completed is not None}
        totals: dict[str, int] = {}
        for stay in self.stage_times:
            stop = completed.get(stay.review)
            if stop is None or stay.entered >= stop:
                continue
            totals[stay.stage] = totals.get(stay.stage, 0) + stay.working_days
        n = len(completed)
        return {stage: round(days / n, 1) for stage, days in totals.items()} if n else {}

    def plot_completion_times(self, ax: Any = None) -> Any:
        """The distribution of days from the clock's start to its stop, against the limit,
        with the share on time and its 95% interval in the title."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_completion_times")
        ax = ax or plt.subplots(figsize=(9, 4.5))[1]
        days = [o.days_to_completion for o in self.outcomes if o.days_to_completion is not None]
        ax.hist(days, bins=40, color="#60a5fa", edgecolor="white")
        limits = [
            (o.due - o.clock_started).in_days() for o in self.outcomes if o.due and o.clock_started
        ]
        summary = self.summary()
        if limits:
            limit = statistics.median(limits)
            ax.axvline(
                limit, color="#b91c1c", linestyle="--", label=f"{self.limit} ({limit:.0f} days)"
            )
        median = summary["median days to completion"]
        interval = summary["median days to completion, 95% interval"]
        if median is not None and interval is not None:
            ax.axvspan(*interval, color="#1e3a8a", alpha=0.15, label="median: 95% interval")
            ax.axvline(median, color="#1e3a8a", label=f"median ({median:g} days)")
        ax.legend()
        ax.set_xlabel(f"calendar days from the clock's start to {self.completes.lower()}")
        ax.set_ylabel("reviews")
        share, between = summary["completed on time"], summary["completed on time, 95% interval"]
        head = f"Time to completion ({self.completes.lower()}), {len(days)} reviews"
        if share is not None and between is not None:
            head += (
                f"\n{share:.0%} within {self.limit} "
                f"(95% interval {between[0]:.0%} to {between[1]:.0%})"
            )
        ax.set_title(head, fontsize=11)
        return ax

    def plot_stage_times(self, ax: Any = None) -> Any:
        """Where the time goes until completion: the mean working days a completed review
        spent in each stage before completing (:meth:`time_until_completion`), by title."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_stage_times")
        ax = ax or plt.subplots(figsize=(9, 4.5))[1]
        means = self.time_until_completion()
        stages = list(means)
        colours = ["#f59e0b" if s in self.side_paths else "#34d399" for s in stages]
        bars = ax.barh(
            [self.titles.get(s, s) for s in stages], list(means.values()), color=colours
        )
        ax.bar_label(bars, fmt="%.1f", padding=3, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("mean working days per completed review (side paths in amber)")
        ax.set_title(f"Where the time goes until {self.completes.lower()}")
        return ax

    def plot_against(self, other: SimulationResult, labels: Sequence[str] = ()) -> Any:
        """This result beside ``other`` (observed reviews beside a simulation fitted to
        them, say): the share completed within each number of days (with the limit), and
        where the time goes until completion, stage by stage. Returns the figure."""
        check_arg("other", other, SimulationResult, "a SimulationResult")
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_against")
        names = list(labels) or [_label(self), _label(other)]
        figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5), width_ratios=(1, 1.2))
        colours = ("#1e3a8a", "#f97316")
        for result, name, colour in zip((self, other), names, colours, strict=True):
            days = sorted(
                o.days_to_completion for o in result.outcomes if o.days_to_completion is not None
            )
            share = result.summary()["completed on time"]
            shown = f"{name}: {share:.0%} on time" if share is not None else name
            left.step(
                days,
                [(i + 1) / len(days) for i in range(len(days))],
                where="post",
                color=colour,
                label=shown,
            )
        limits = [
            (o.due - o.clock_started).in_days() for o in self.outcomes if o.due and o.clock_started
        ]
        if limits:
            limit = statistics.median(limits)
            left.axvline(limit, color="#b91c1c", linestyle="--", label=self.limit)
        left.set_xlabel(f"calendar days from the clock's start to {self.completes.lower()}")
        left.set_ylabel("share of reviews completed")
        left.set_title("Time to completion")
        left.legend(loc="lower right")
        mine, theirs = self.time_until_completion(), other.time_until_completion()
        stages = list(dict.fromkeys([*mine, *theirs]))
        ys = range(len(stages))
        right.barh(
            [y - 0.2 for y in ys],
            [mine.get(s, 0) for s in stages],
            height=0.4,
            color=colours[0],
            label=names[0],
        )
        right.barh(
            [y + 0.2 for y in ys],
            [theirs.get(s, 0) for s in stages],
            height=0.4,
            color=colours[1],
            label=names[1],
        )
        right.set_yticks(list(ys), [self.titles.get(s, s) for s in stages])
        right.invert_yaxis()
        right.set_xlabel("mean working days per completed review")
        right.set_title(f"Where the time goes until {self.completes.lower()}")
        right.legend(loc="lower right")
        figure.tight_layout()
        return figure

    def plot_gantt(self, review: int = 0, ax: Any = None) -> Any:
        """One review's stages on a time line, side paths (holds) in amber, with its due
        date, the revised due date, the first delay notice and completion marked."""
        plt = need_extra("matplotlib.pyplot", "SimulationResult.plot_gantt")
        mdates = need_extra("matplotlib.dates", "SimulationResult.plot_gantt")

        ax = ax or plt.subplots(figsize=(10, 4.5))[1]
        rows = [t for t in self.stage_times if t.review == review]
        if not rows:
            raise InvalidInput(
                "review",
                "review_simulated",
                f"this result has no review {review}",
                f"Pass the number of a simulated review, 0 to {len(self.outcomes) - 1}.",
            )
        for y, row in enumerate(rows):
            colour = "#f59e0b" if row.stage in self.side_paths else "#818cf8"
            start = mdates.date2num(row.entered)
            ax.barh(y, max(row.calendar_days, 1), left=start, color=colour)
        ax.set_yticks(range(len(rows)), [self.titles.get(r.stage, r.stage) for r in rows])
        ax.invert_yaxis()
        found = next(o for o in self.outcomes if o.review == review)
        marks = [
            (found.due, "due", "#b91c1c", "--"),
            (
                found.revised_due if found.revised_due != found.due else None,
                "revised due",
                "#b91c1c",
                ":",
            ),
            (found.first_delay_notice, "delay notified", "#7c3aed", "-."),
            (found.completed, "completed", "#15803d", "-"),
        ]
        for day, label, colour, style in marks:
            if day is not None:
                ax.axvline(
                    mdates.date2num(day), color=colour, linestyle=style, label=f"{label} {day}"
                )
        ax.legend(loc="lower left", fontsize=8)
        ax.xaxis_date()
        which = "Simulated review" if self.at is None else "Review"
        verdict = {True: "on time", False: "late", None: "no verdict yet"}[found.on_time]
        ax.set_title(f"{which} {review}: {verdict}")
        return ax


def _label(result: SimulationResult) -> str:
    if result.at is not None:
        return f"{len(result.outcomes)} reviews as at {result.at.to_date_string()}"
    return f"{len(result.outcomes)} simulated"


def _on_time(
    due: pendulum.Date | None, completed: pendulum.Date | None, at: pendulum.DateTime | None
) -> bool | None:
    if due is None:
        return None
    if completed is not None:
        return completed <= due
    return False if at is not None and at.date() > due else None


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
