"""Measure the engine against baselines measured in the same run, and print ratios.

    python -m benchmarks                      # the full run (a few minutes on 2 cores)
    python -m benchmarks --quick              # small sizes, for a smoke test
    python -m benchmarks --markdown FILE      # also write the table as Markdown

Timings are medians of repeated rounds; every figure that has a target is a ratio
to a baseline timed in the same process, moments apart, so that a slow or busy
machine moves both. Memory is measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import shutil
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs
import pendulum
from transitions import Machine

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Review,
    Trigger,
    diagram,
    dumps,
    loads,
    simulate,
)
from cspr_workflow.demo import ACTORS as DEMO_ACTORS
from cspr_workflow.demo import demo_review
from cspr_workflow.persistence import to_document
from cspr_workflow.simulation import simulated_review

from .floor import DictMachine, FloorSink

LONDON = "Europe/London"


@attrs.frozen
class Row:
    """One line of the results table."""

    measure: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        met = "" if self.met is None else ("met" if self.met else "NOT MET")
        return [self.measure, f"{self.value:,.{_digits(self.value)}f} {self.unit}",
                self.baseline, ratio, self.target, met]  # fmt: skip


def _digits(value: float) -> int:
    return 0 if value >= 100 else 1 if value >= 10 else 2


def _round(fn: Callable[[], object], number: int) -> float:
    gc.disable()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    seconds = (time.perf_counter() - start) / number
    gc.enable()
    return seconds


def paired(
    subject: Callable[[], object],
    baseline: Callable[[], object],
    number: tuple[int, int],
    repeat: int,
) -> tuple[float, float, float]:
    """Median time of ``subject`` and of ``baseline``, and the median of their ratio,
    timed in alternating rounds so that both see the same moments of a noisy machine."""
    pairs = []
    for _ in range(repeat):
        b = _round(baseline, number[1])
        a = _round(subject, number[0])
        pairs.append((a, b))
    subject_s = statistics.median(a for a, _ in pairs)
    baseline_s = statistics.median(b for _, b in pairs)
    return subject_s, baseline_s, statistics.median(a / b for a, b in pairs)


def median_seconds(fn: Callable[[], object], number: int, repeat: int) -> float:
    """The median, over ``repeat`` rounds, of the time one call of ``fn`` takes."""
    rounds = []
    for _ in range(repeat):
        gc.disable()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
        gc.enable()
    return statistics.median(rounds)


# -- 1. one step -----------------------------------------------------------------------------


def _panel_review_state() -> Any:
    review = demo_review(upto=18)  # after the first panel meeting
    assert review.stage == "panel_review", review.stage
    return review.state


def bench_step(repeat: int) -> list[Row]:
    state = _panel_review_state()
    chair = DEMO_ACTORS["chair"]
    at = state.last_at.add(hours=1)

    def engine() -> None:
        Review(state, DEFAULT_DEFINITION).fire(Trigger.HOLD_PANEL_MEETING, by=chair, at=at)

    # The same machine shape on bare transitions: every stage and transition of the
    # definition, one cheap guard on each, a model registered the usual way.
    class Model:
        pass

    model = Model()
    Machine(
        model=model,
        # plain text: transitions names an Enum state by the member's name, not its value
        states=[str(s.name) for s in DEFAULT_DEFINITION.stages],
        transitions=[
            {
                "trigger": str(r.trigger),
                "source": str(r.source),
                "dest": None if r.dest is None else str(r.dest),
                "conditions": [lambda: True],
            }
            for r in DEFAULT_DEFINITION.transitions
        ],
        initial="panel_review",
        auto_transitions=False,
    )
    bare = getattr(model, str(Trigger.HOLD_PANEL_MEETING))

    table = {
        (r.source, r.trigger): (r.target, lambda: True) for r in DEFAULT_DEFINITION.transitions
    }
    machine = DictMachine(table, "panel_review")

    def hand() -> None:
        machine.fire(Trigger.HOLD_PANEL_MEETING)

    engine_s, bare_s, ratio = paired(engine, bare, (200, 2000), repeat * 10)
    hand_s = median_seconds(hand, 200000, repeat)
    return [
        Row("dict state machine: one trigger", hand_s * 1e6, "µs"),
        Row("transitions: one trigger, one guard", bare_s * 1e6, "µs", "dict", bare_s / hand_s),
        Row(
            "engine step (roles, 7 guards, clocks, history)",
            engine_s * 1e6,
            "µs",
            "transitions",
            ratio,
            "<= 5",
            ratio <= 5,
        ),
        Row(
            "engine step against the dict machine", engine_s * 1e6, "µs", "dict", engine_s / hand_s
        ),
    ]


# -- 2. opening and loading reviews ------------------------------------------------------------


def _open(n: int, offset: int = 0) -> list[Review]:
    aware = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)
    return [Review.open(f"Child {offset + i}", aware_at=aware) for i in range(n)]


def bench_open_and_load(sizes: tuple[int, ...]) -> list[Row]:
    rows = []
    for n in sizes:
        gc.collect()
        start = time.perf_counter()
        reviews = _open(n)
        seconds = time.perf_counter() - start
        rows.append(Row(f"open {n:,} reviews: per review", seconds / n * 1e6, "µs"))
        del reviews
    # Linear? Open the largest number in ten equal batches, keeping every review, and
    # compare the last batch with the first. Each batch is timed as ten chunks and its
    # cost is the median chunk, so that a passing slowdown of the machine does not count.
    # Python's cyclic garbage collector is paused (it is the interpreter's cost, and
    # grows with every object a program keeps), then measured on its own.
    largest = sizes[-1]
    batch = largest // 10
    chunk = batch // 10

    def tenths(collect: bool) -> list[float]:
        kept: list[Review] = []
        costs = []
        gc.collect()
        if not collect:
            gc.disable()
        for b in range(10):
            chunks = []
            for c in range(10):
                start = time.perf_counter()
                kept.extend(_open(chunk, b * batch + c * chunk))
                chunks.append(time.perf_counter() - start)
            costs.append(statistics.median(chunks) / chunk)
        gc.enable()
        return costs

    engine_only = tenths(collect=False)
    with_gc = tenths(collect=True)
    ratio = engine_only[-1] / engine_only[0]
    rows.append(
        Row(
            f"open {largest:,}: last tenth against the first",
            engine_only[-1] * 1e6,
            "µs",
            "first tenth",
            ratio,
            "<= 1.2",
            ratio <= 1.2,
        )
    )
    rows.append(
        Row(
            "  the same with Python's garbage collector on",
            with_gc[-1] * 1e6,
            "µs",
            "first tenth",
            with_gc[-1] / with_gc[0],
        )
    )
    kept = _open(largest)
    # Memory: a review's own data (its state), and what the engine adds to load one.
    states = [r.state for r in kept]
    del kept
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    opened = _open(batch, 10**6)
    after = tracemalloc.take_snapshot()
    own = sum(s.size_diff for s in after.compare_to(before, "filename")) / batch
    del opened
    gc.collect()
    before = tracemalloc.take_snapshot()
    loaded = [Review(s, DEFAULT_DEFINITION) for s in states]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    added = sum(s.size_diff for s in after.compare_to(before, "filename")) / len(loaded)
    start = time.perf_counter()
    again = [Review(s, DEFAULT_DEFINITION) for s in states]
    load_s = (time.perf_counter() - start) / len(states)
    del again, loaded
    rows.append(Row("memory of a newly opened review (its own data)", own, "B"))
    rows.append(
        Row(
            f"memory the engine adds per loaded review ({len(states):,})",
            added,
            "B",
            target="<= 2048 B",
            met=added <= 2048,
        )
    )
    rows.append(Row(f"load {len(states):,} reviews from their states: per review",
                    load_s * 1e6, "µs"))  # fmt: skip
    return rows


# -- 3. JSON ----------------------------------------------------------------------------------


def bench_json(repeat: int) -> list[Row]:
    review = demo_review()
    text = dumps(review)
    document = to_document(review)
    plain_dump = median_seconds(lambda: json.dumps(document, sort_keys=True), 200, repeat)
    plain_load = median_seconds(lambda: json.loads(text), 200, repeat)
    dump = median_seconds(lambda: dumps(review), 50, repeat)
    load = median_seconds(lambda: loads(text), 50, repeat)
    load_fast = median_seconds(lambda: loads(text, check_history=False), 50, repeat)
    steps = len(review.history)
    return [
        Row(f"dumps a review of {steps} steps", dump * 1e3, "ms", "json.dumps", dump / plain_dump),
        Row(
            "loads it (strict, hash chain checked)",
            load * 1e3,
            "ms",
            "json.loads",
            load / plain_load,
        ),
        Row(
            "loads it without the hash chain check",
            load_fast * 1e3,
            "ms",
            "json.loads",
            load_fast / plain_load,
        ),
    ]


# -- 4. diagrams ------------------------------------------------------------------------------


def bench_diagrams(repeat: int) -> list[Row]:
    process = diagram()
    mermaid = median_seconds(process.mermaid, 20, repeat)
    dot = median_seconds(process.dot, 20, repeat)
    rows = [
        Row(
            "process diagram source (Mermaid)",
            mermaid * 1e3,
            "ms",
            target="< 5 ms",
            met=mermaid < 0.005,
        ),
        Row("process diagram source (DOT)", dot * 1e3, "ms", target="< 5 ms", met=dot < 0.005),
    ]
    if shutil.which("dot"):
        svg = median_seconds(lambda: process.render("svg"), 1, max(3, repeat // 3))
        rows.append(Row("render it to SVG (Graphviz)", svg * 1e3, "ms", "DOT source", svg / dot))
    return rows


# -- 5. simulation ------------------------------------------------------------------------------


def _steps(reviews: int, seed: int) -> list[list[tuple[str, pendulum.Date, int]]]:
    """Each simulated review's steps: trigger, the day before it, and the working days to it."""
    calendar = DEFAULT_DEFINITION.policy.calendar
    result = []
    for index in range(reviews):
        review = simulated_review(index, seed=seed)
        day = review.state.aware_at.date()
        steps = []
        for entry in review.history:
            steps.append((entry.trigger, day, calendar.working_days_between(day, entry.at.date())))
            day = entry.at.date()
        result.append(steps)
    return result


def _floor(histories: list[list[tuple[str, pendulum.Date, int]]]) -> float:
    """The same steps on the same days, without the rules: a dict machine and the
    calendar arithmetic that dates each step."""
    calendar = DEFAULT_DEFINITION.policy.calendar
    start = time.perf_counter()
    for steps in histories:
        sink = FloorSink()
        for trigger, day, days in steps:
            calendar.add_working_days(day, days)
            sink.fire(trigger)
    return time.perf_counter() - start


def bench_simulation(reviews: int) -> list[Row]:
    histories = _steps(reviews, 1)
    floor_s = min(_floor(histories) for _ in range(3))
    engine_s = min(simulate(reviews, seed=1).seconds for _ in range(3))
    ratio = engine_s / floor_s
    return [
        Row("simulation floor (dict machine): reviews per second", reviews / floor_s, "/s"),
        Row(
            "simulation through the engine: reviews per second",
            reviews / engine_s,
            "/s",
            "floor",
            ratio,
            "<= 10 (time per review)",
            ratio <= 10,
        ),
    ]


# -- the run ---------------------------------------------------------------------------------


def run(quick: bool = False) -> list[Row]:
    repeat = 5 if quick else 15
    sizes = (100, 1000) if quick else (1000, 10_000, 100_000)
    rows: list[Row] = []
    for part in (
        lambda: bench_step(repeat),
        lambda: bench_open_and_load(sizes),
        lambda: bench_json(repeat),
        lambda: bench_diagrams(repeat),
        lambda: bench_simulation(50 if quick else 1000),
    ):
        rows += part()
    return rows


_HEAD = ["measure", "median", "against", "ratio", "target", ""]


def table(rows: list[Row]) -> str:
    cells = [_HEAD, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEAD))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    )


def markdown(rows: list[Row], seconds: float) -> str:
    lines = ["| " + " | ".join([*_HEAD[:-1], "met"]) + " |", "|---|---:|---|---:|---|---|"]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    machine = (
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.system()}; the whole run took {seconds:.0f} s."
    )
    return "\n".join(lines) + "\n\n" + machine + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = run(quick=args.quick)
    seconds = time.perf_counter() - started
    print(table(rows))
    print(f"\n({seconds:.0f} s; medians of repeated rounds; ratios against baselines timed in "
          "this run)")  # fmt: skip
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown(rows, seconds))
    missed = [r.measure for r in rows if r.met is False]
    if missed:
        print("targets not met: " + "; ".join(missed), file=sys.stderr)
    return 0
