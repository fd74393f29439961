"""Measure the engine against baselines measured in the same run, and print ratios.

    python -m benchmarks                      # the full run (a few minutes on 2 cores)
    python -m benchmarks --quick              # small sizes, for a smoke test
    python -m benchmarks --markdown FILE      # also write the table as Markdown
    python -m benchmarks --only store         # one part (repeat --only for several)

Timings are medians of repeated rounds; every figure that has a target is a ratio
to a baseline timed in the same process, moments apart, so that a slow or busy
machine moves both. Memory is measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
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
    ReviewStore,
    TransitionRefused,
    Trigger,
    diagram,
    dumps,
    loads,
    simulate,
)
from cspr_workflow.demo import ACTORS as DEMO_ACTORS
from cspr_workflow.demo import SCRIPT as DEMO_SCRIPT
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
    spread: tuple[float, float] | None = None  # the ratio's interquartile range over rounds
    # The wide bound the quick run holds this row to (its ratio, or its value when it has
    # none): a shape that does not depend on the machine's speed, such as a step costing
    # the same however long the history, so that a smoke test can catch it breaking.
    smoke: float | None = None

    def smoke_failed(self) -> bool:
        """True when the row breaks its smoke bound."""
        measured = self.value if self.ratio is None else self.ratio
        return self.smoke is not None and measured > self.smoke

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        if self.spread is not None:
            ratio += f" [{self.spread[0]:.2f}-{self.spread[1]:.2f}]"
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


@attrs.frozen
class Paired:
    """A subject timed against its baseline in interleaved rounds."""

    subject: float  # the median over rounds of the subject's time per call, in seconds
    baseline: float  # the same for the baseline
    ratio: float  # the median over rounds of the round's subject / baseline
    spread: tuple[float, float]  # the interquartile range of those ratios

    def row(self, measure: str, against: str, target: str = "", limit: float | None = None,
            scale: float = 1e6, unit: str = "µs", at_least: bool = False,
            smoke: float | None = None) -> Row:  # fmt: skip
        """The table line: the subject's median time, and the ratio with its spread; met
        when the ratio is at most ``limit`` (at least, with ``at_least``)."""
        met = None if limit is None else (self.ratio >= limit if at_least else self.ratio <= limit)
        return Row(measure, self.subject * scale, unit, against, self.ratio, target, met,
                   self.spread, smoke)  # fmt: skip


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def paired(
    subject: Callable[[], object],
    baseline: Callable[[], object],
    number: tuple[int, int],
    repeat: int,
) -> Paired:
    """Time ``subject`` and ``baseline`` in alternating rounds (``number`` calls each a
    round, the order swapped every round), so that both see the same moments of a noisy
    machine; the ratio is the median of the rounds' ratios, with its interquartile range."""
    pairs = []
    for i in range(repeat):
        if i % 2:
            a = _round(subject, number[0])
            b = _round(baseline, number[1])
        else:
            b = _round(baseline, number[1])
            a = _round(subject, number[0])
        pairs.append((a, b))
    ratios = [a / b for a, b in pairs]
    return Paired(
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(ratios),
        _quartiles(ratios),
    )


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

    step = paired(engine, bare, (200, 2000), repeat * 10)
    on_dict = paired(bare, hand, (2000, 200000), repeat)
    review = Review(state, DEFAULT_DEFINITION)

    def available() -> None:
        review.available(by=chair, at=at)

    asked = paired(available, engine, (200, 200), repeat * 4)

    def check() -> None:
        review.check(Trigger.HOLD_PANEL_MEETING, by=chair, at=at)

    checked = paired(check, engine, (200, 200), repeat * 4)
    return [
        Row("dict state machine: one trigger", on_dict.baseline * 1e6, "µs"),
        on_dict.row("transitions: one trigger, one guard", "dict"),
        step.row("engine step (roles, 7 guards, clocks, history)", "transitions", "<= 3", 3),
        asked.row("Review.available (every trigger, one actor)", "engine step", "<= 1", 1),
        checked.row("Review.check (the same step, nothing taken)", "engine step"),
    ]


def _long(state: Any, steps: int) -> Any:
    """``state`` with ``steps`` more panel meetings in its history, a minute apart."""
    review = Review(state, DEFAULT_DEFINITION)
    chair = DEMO_ACTORS["chair"]
    at = state.last_at
    for _ in range(steps):
        at = at.add(minutes=1)
        review.fire(Trigger.HOLD_PANEL_MEETING, by=chair, at=at)
    return review.state


def bench_growth(repeat: int, entries: int, refusals: int) -> list[Row]:
    """A step's cost as the review grows: with a long history against a short one, and a
    refused step with many earlier refusals against one with none."""
    short = _panel_review_state()
    long = _long(short, entries - len(short.history))
    chair = DEMO_ACTORS["chair"]

    def step_on(state: Any) -> Callable[[], object]:
        at = state.last_at.add(hours=1)
        return lambda: Review(state, DEFAULT_DEFINITION).fire(
            Trigger.HOLD_PANEL_MEETING, by=chair, at=at
        )

    history = paired(step_on(long), step_on(short), (100, 100), repeat * 4)

    # Refused: the PDEO may not hold a panel meeting.
    pdeo = DEMO_ACTORS["pdeo"]
    at = short.last_at.add(hours=1)
    many = Review(short, DEFAULT_DEFINITION)
    for _ in range(refusals):
        with contextlib.suppress(TransitionRefused):
            many.fire(Trigger.HOLD_PANEL_MEETING, by=pdeo, at=at)
    logged = len(many.refusals)

    def refuse_many() -> None:  # the same review throughout: its log grows by the calls
        with contextlib.suppress(TransitionRefused):
            many.fire(Trigger.HOLD_PANEL_MEETING, by=pdeo, at=at)

    def refuse_first() -> None:  # a new review each call: a log with nothing in it
        with contextlib.suppress(TransitionRefused):
            Review(short, DEFAULT_DEFINITION).fire(Trigger.HOLD_PANEL_MEETING, by=pdeo, at=at)

    refused = paired(refuse_many, refuse_first, (100, 100), repeat * 4)
    # Smoke bounds: a step that copied or digested the whole history or refusal log
    # would cost 1.6 times as much at 2,000 entries (the quick run's size) if it only copied
    # them, hundreds of times as much if it digested them again.
    return [
        history.row(
            f"engine step with {len(long.history):,} history entries",
            f"with {len(short.history)}",
            "<= 1.2",
            1.2,
            smoke=1.4,
        ),
        refused.row(
            f"refused step with {logged:,} earlier refusals", "with none", "<= 1.2", 1.2, smoke=1.4
        ),
    ]


# -- start-up ----------------------------------------------------------------------------------


def _python(code: str, cache: str) -> Callable[[], object]:
    """A fresh interpreter running ``code``, with every module's bytecode compiled once
    (here, in an untimed first run) and read from ``cache`` after, as an installed
    package's is: a machine that sets PYTHONDONTWRITEBYTECODE (this one's development
    set-up does) would otherwise compile the package's source at every start but not
    the baseline's, whose bytecode pip wrote when it installed it."""
    command = [sys.executable, "-X", "frozen_modules=on", "-c", code]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    subprocess.run(command, check=True, capture_output=True, env=env)
    return lambda: subprocess.run(command, check=True, capture_output=True, env=env)


def bench_startup(repeat: int) -> list[Row]:
    """Fresh processes: importing the package, the command's help, and importing the engine
    with the default process built (what embedding software pays before its first step),
    against importing transitions (each in its own interpreter, in alternating rounds), all
    from compiled bytecode."""
    with tempfile.TemporaryDirectory() as cache:
        baseline = _python("import transitions", cache)
        imported = paired(_python("import cspr_workflow", cache), baseline, (1, 1), repeat * 2)
        helped = paired(
            _python(
                "import sys; from cspr_workflow._cli import main; sys.argv[0] = "
                "'cspr-workflow'; main(['--help'])",
                cache,
            ),
            baseline,
            (1, 1),
            repeat * 2,
        )
        built = paired(
            _python("from cspr_workflow import DEFAULT_DEFINITION, Review", cache),
            baseline,
            (1, 1),
            repeat * 2,
        )
    return [
        imported.row(
            "import cspr_workflow (a fresh process)", "import transitions", "<= 2", 2, 1e3, "ms"
        ),
        helped.row(
            "cspr-workflow --help (a fresh process)",
            "import transitions",
            "<= 2.5",
            2.5,
            1e3,
            "ms",
        ),
        built.row(
            "import the engine and build the default process (a fresh process)",
            "import transitions",
            scale=1e3,
            unit="ms",
        ),
    ]


# -- 2. opening and loading reviews ------------------------------------------------------------


def _open(n: int, offset: int = 0) -> list[Review]:
    aware = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)
    return [Review.open(f"Child {offset + i}", aware_at=aware) for i in range(n)]


def bench_open_and_load(sizes: tuple[int, ...]) -> list[Row]:
    rows = []
    _open(1)  # the default process is built when a review first needs it: not timed here
    for n in sizes:
        gc.collect()
        start = time.perf_counter()
        reviews = _open(n)
        seconds = time.perf_counter() - start
        rows.append(Row(f"open {n:,} reviews: per review", seconds / n * 1e6, "µs"))
        del reviews
    # Linear? Open the largest number in ten equal batches, keeping every review, and
    # compare the last batch with the first. Each batch is timed as ten chunks and its
    # cost is the median chunk, so that a passing slowdown of the machine does not count;
    # the whole is done three times and the ratio is the median of the three. Python's
    # cyclic garbage collector is paused (it is the interpreter's cost, and grows with
    # every object a program keeps), then measured on its own, once.
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

    runs = sorted((tenths(collect=False) for _ in range(3)), key=lambda t: t[-1] / t[0])
    engine_only = runs[1]  # the median run
    with_gc = tenths(collect=True)
    ratio = engine_only[-1] / engine_only[0]
    rows.append(
        Row(
            f"open {largest:,}: last tenth against the first (median of 3 runs)",
            engine_only[-1] * 1e6,
            "µs",
            "first tenth",
            ratio,
            "<= 1.2",
            ratio <= 1.2,
            _quartiles([t[-1] / t[0] for t in runs]),
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
            smoke=2048,  # (memory: the same on any machine)
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
    steps = len(review.history)
    dump = paired(lambda: dumps(review), lambda: json.dumps(document, sort_keys=True),
                  (20, 200), repeat)  # fmt: skip
    load = paired(lambda: loads(text), lambda: json.loads(text), (20, 200), repeat)
    fast = paired(lambda: loads(text, check_history=False), lambda: json.loads(text),
                  (20, 200), repeat)  # fmt: skip
    return [
        dump.row(f"dumps a review of {steps} steps", "json.dumps", scale=1e3, unit="ms"),
        load.row("loads it (strict, hash chain checked)", "json.loads", "<= 10", 10, 1e3, "ms"),
        fast.row("loads it without the hash chain check", "json.loads", scale=1e3, unit="ms"),
    ]


# -- the store -------------------------------------------------------------------------------


def bench_store(repeat: int, folder: str) -> list[Row]:
    """``ReviewStore`` on SQLite against raw sqlite3 doing the same reads and writes."""
    state = _panel_review_state()
    chair = DEMO_ACTORS["chair"]
    text = dumps(Review(state, DEFAULT_DEFINITION))
    rounds = repeat * 2
    calls = 10
    # The documents a round of steps writes, one per step (each longer by its entry, and
    # changed throughout: the seal near its start, every field after the new entry).
    # Raw sqlite3 writes these, not the first document again: SQLite leaves the pages of
    # a value rewritten unchanged as they were, so the baseline logged about 6 KB a
    # commit; writing the steps' documents logs 24.7 KB a commit, the store 29.3 KB.
    review = Review(state, DEFAULT_DEFINITION)
    steps = []
    for minutes in range(calls):
        review.fire(
            Trigger.HOLD_PANEL_MEETING, by=chair, at=state.last_at.add(hours=1, minutes=minutes)
        )
        steps.append(dumps(review))

    def raw_database(name: str, wal: bool) -> sqlite3.Connection:
        """One row per round, as the stores below: with SQLite's defaults (a rollback
        journal), or in write-ahead-log mode with ``synchronous = FULL``, as the store."""
        raw = sqlite3.connect(f"{folder}/{name}.db", isolation_level=None)
        if wal:
            raw.execute("PRAGMA journal_mode = WAL")
            raw.execute("PRAGMA synchronous = FULL")
        raw.execute("CREATE TABLE reviews (reference TEXT PRIMARY KEY, version INTEGER, "
                    "document TEXT)")  # fmt: skip
        for r in range(rounds):
            raw.execute("INSERT INTO reviews VALUES (?, 1, ?)", (f"Child {r}", text))
        return raw

    def new_stores(name: str) -> list[ReviewStore]:
        """One store per round, each holding Child A at the same step, so that every round
        of steps starts from the same history. Each has taken a step of another review
        first: a store's first step takes about 3 ms more than the next (SQLAlchemy
        compiles each statement at its first use, once for as long as the store runs),
        and the raw connection, used by every round, has prepared its statements in the
        rounds before; without it, each round's ten steps would carry one start-up."""
        made = [ReviewStore(f"sqlite:///{folder}/{name}{r}.db") for r in range(rounds)]
        first = DEMO_SCRIPT[0]
        for each in made:
            each.add(Review(state, DEFAULT_DEFINITION))
            each.add(Review.open("Warm-up", aware_at=state.aware_at))
            each.fire("Warm-up", first.trigger, by=DEMO_ACTORS[first.actor], at=first.at,
                      **first.details)  # fmt: skip
        return made

    raw, raw_wal = raw_database("raw", False), raw_database("raw_wal", True)
    stores, more_stores = new_stores("store"), new_stores("again")
    store = stores[0]
    counter = iter(range(10**9))

    def load() -> None:
        store.load("Child A")

    def raw_load() -> None:
        row = raw.execute("SELECT document FROM reviews WHERE reference = ?", ("Child 0",))
        json.loads(row.fetchone()[0])

    loaded = paired(load, raw_load, (calls, calls), rounds)

    def load_cold() -> None:  # as a store that has not read or written this document does
        store._known.clear()
        store.load("Child A")

    cold = paired(load_cold, raw_load, (calls, calls), rounds)

    def fire_against(these: list[ReviewStore], database: sqlite3.Connection) -> Paired:
        fire_round = iter(these)
        raw_round = iter(range(rounds))

        def fire_batch() -> None:
            into = next(fire_round)
            for _ in range(calls):
                at = state.last_at.add(hours=1, minutes=next(counter))
                into.fire("Child A", Trigger.HOLD_PANEL_MEETING, by=chair, at=at)

        def raw_batch() -> None:
            reference = f"Child {next(raw_round)}"
            for document in steps:
                database.execute("BEGIN IMMEDIATE")
                row = database.execute("SELECT version, document FROM reviews WHERE "
                                       "reference = ?", (reference,)).fetchone()  # fmt: skip
                database.execute("UPDATE reviews SET version = ?, document = ? WHERE "
                                 "reference = ?", (row[0] + 1, document, reference))  # fmt: skip
                database.execute("COMMIT")

        return paired(fire_batch, raw_batch, (1, 1), rounds)

    fired = fire_against(stores, raw)
    fired_wal = fire_against(more_stores, raw_wal)
    for each in stores + more_stores:
        each.engine.dispose()
    raw.close()
    raw_wal.close()
    return [
        loaded.row("ReviewStore.load (SQLite)", "SELECT + json.loads", "<= 12", 12, 1e3, "ms"),
        cold.row(
            "  the same, a document the store has not seen (read and checked in full)",
            "SELECT + json.loads",
            scale=1e3,
            unit="ms",
        ),
        fired.row(
            "ReviewStore.fire (SQLite), per step",
            "sqlite3 transaction",
            "<= 1.3",
            1.3,
            1e3 / calls,
            "ms",
        ),
        fired_wal.row(
            "  the same, against sqlite3 in write-ahead-log mode, as the store runs",
            "sqlite3 (WAL)",
            scale=1e3 / calls,
            unit="ms",
        ),
    ]


def _clocked_store(url: str, n: int) -> None:
    """A store of ``n`` new reviews, opened a day apart from 1 January 2025, so that a
    query on 1 January 2026 finds most of their first clocks overdue."""
    store = ReviewStore(url)
    first = pendulum.datetime(2025, 1, 1, 9, tz=LONDON)
    for i in range(n):
        store.add(Review.open(f"Child {i}", aware_at=first.add(days=i % 365)))
    store.engine.dispose()


_RAW_OVERDUE = (
    "SELECT c.reference, r.stage, c.clock, c.due FROM cspr_review_clocks c "
    "JOIN cspr_reviews r ON r.reference = c.reference "
    "WHERE c.due < ? AND c.kind != 'notice_period' ORDER BY c.due, c.reference, c.clock"
)


def bench_overdue(repeat: int, folder: str, sizes: tuple[int, ...]) -> list[Row]:
    """``ReviewStore.overdue`` on SQLite stores of each size, against the same query
    through raw sqlite3 building the same tuples."""
    rows = []
    at = pendulum.datetime(2026, 1, 1, 9, tz=LONDON)
    for n in sizes:
        url = f"sqlite:///{folder}/overdue{n}.db"
        _clocked_store(url, n)
        store = ReviewStore(url)
        raw = sqlite3.connect(f"{folder}/overdue{n}.db")
        found = len(store.overdue(at=at))

        def raw_overdue(raw: sqlite3.Connection = raw) -> None:
            [
                (reference, stage, clock, pendulum.Date(*map(int, due.split("-"))))
                for reference, stage, clock, due in raw.execute(_RAW_OVERDUE, ("2026-01-01",))
            ]

        timed = paired(lambda store=store: store.overdue(at=at), raw_overdue, (3, 3), repeat)
        raw.close()
        store.engine.dispose()
        rows.append(
            timed.row(
                f"ReviewStore.overdue, {n:,} reviews ({found:,} overdue clocks)",
                "sqlite3 query",
                scale=1e3,
                unit="ms",
            )
        )
    return rows


# -- the verifier ------------------------------------------------------------------------------

_AGENCIES = ("Police", "Health", "Education", "Probation")


def with_agencies(count: int, definition: Any = None, names: tuple[str, ...] = _AGENCIES) -> Any:
    """``definition`` (the default one if None) with ``count`` of ``names`` relevant to the
    case in the Rapid Review example the verifier fires (the default example names two)."""
    agencies = list(names[:count])

    def rapid_review(trigger: Any) -> Any:
        if trigger.name != Trigger.SUBMIT_RAPID_REVIEW:
            return trigger
        return attrs.evolve(
            trigger, examples=lambda state, at: [{"kloes": ["KLOE 1"], "agencies": agencies}]
        )

    base = definition or DEFAULT_DEFINITION
    return base.evolve(
        name=f"default, {count} agencies" if definition is None else f"{base.name}, {count}",
        triggers=tuple(rapid_review(t) for t in base.triggers),
    )


def peak_kib(reset: bool = False) -> int:
    """This process's peak resident memory in KiB; with ``reset``, first reset the peak
    to the memory in use now (Linux). A process started by a large one inherits its
    parent's peak, so ``getrusage`` alone would hide a smaller child's own peak."""
    if reset:
        with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as out:
            out.write("5")
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _verified(count: int, max_states: int) -> dict[str, Any]:
    """Verify ``with_agencies(count)`` in a fresh process: states, time, peak memory."""
    code = (
        "import json\n"
        "from benchmarks.run import peak_kib, with_agencies\n"
        "from cspr_workflow import verify\n"
        f"definition = with_agencies({count})\n"
        "before = peak_kib(reset=True)\n"
        f"r = verify(definition, max_states={max_states})\n"
        "print(json.dumps({'states': r.states, 'seconds': r.seconds, 'ok': r.ok,\n"
        "    'truncated': r.truncated, 'kib': peak_kib() - before}))\n"
    )
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=here
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench_verify(counts: tuple[int, ...], max_states: int = 200_000) -> list[Row]:
    """The verifier on the default process with 2, 3, ... agencies relevant to the case:
    states, states per second and peak memory, each in a fresh process, one run each
    (the state counts are exact; the times are single runs, so their ratio is rough)."""
    runs = {n: _verified(n, max_states) for n in counts}
    bounded = any(r["truncated"] for r in runs.values())
    note = f" (stopped at {max_states:,} states)" if bounded else ""
    first = counts[0]
    rows = []
    for n, r in runs.items():
        rows.append(
            Row(
                f"verify, {n} agencies: states{note}",
                r["states"],
                "states",
                target="" if r["truncated"] else "all properties hold",
                met=None if r["truncated"] else r["ok"],
            )
        )
        rows.append(Row(f"verify, {n} agencies: states per second", r["states"] / r["seconds"],
                        "/s"))  # fmt: skip
        rows.append(Row(f"verify, {n} agencies: peak memory added", r["kib"] / 1024, "MiB"))
    for n in counts[1:]:
        growth = runs[n]["states"] / runs[first]["states"]
        rows.append(
            Row(
                f"verify, {n} agencies against {first}: states",
                runs[n]["states"],
                "states",
                f"{first} agencies",
                growth,
                "" if bounded else "<= 1.6",
                None if bounded else growth <= 1.6,
            )
        )
        rows.append(
            Row(
                f"verify, {n} agencies against {first}: time (one run each)",
                runs[n]["seconds"],
                "s",
                f"{first} agencies",
                runs[n]["seconds"] / runs[first]["seconds"],
            )
        )
    return rows


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
        svg = paired(lambda: process.render("svg"), process.dot, (1, 20), max(3, repeat // 3))
        rows.append(svg.row("render it to SVG (Graphviz)", "DOT source", scale=1e3, unit="ms"))
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


def bench_simulation(reviews: int, rounds: int, parallel: int) -> list[Row]:
    """Reviews per second through the engine against the floor, in alternating rounds;
    then ``parallel`` reviews on two worker processes against one, alternating too."""
    histories = _steps(reviews, 1)
    engine_times: list[float] = []
    floor_times: list[float] = []
    for i in range(rounds):
        if i % 2:
            engine_times.append(simulate(reviews, seed=1).seconds)
            floor_times.append(_floor(histories))
        else:
            floor_times.append(_floor(histories))
            engine_times.append(simulate(reviews, seed=1).seconds)
    ratios = [e / f for e, f in zip(engine_times, floor_times, strict=True)]
    through = Paired(statistics.median(engine_times) / reviews,
                     statistics.median(floor_times) / reviews, statistics.median(ratios),
                     _quartiles(ratios))  # fmt: skip
    one: list[float] = []
    two: list[float] = []
    for i in range(max(3, rounds // 2)):
        order = (1, 2) if i % 2 == 0 else (2, 1)
        for count in order:
            seconds = simulate(parallel, seed=1, workers=count).seconds
            (one if count == 1 else two).append(seconds)
    speedups = [a / b for a, b in zip(one, two, strict=True)]
    spread = Paired(statistics.median(two) / parallel, statistics.median(one) / parallel,
                     statistics.median(speedups), _quartiles(speedups))  # fmt: skip
    return [
        Row("simulation floor (dict machine): reviews per second", 1 / through.baseline, "/s"),
        through.row(
            "simulation through the engine: time per review", "floor", "<= 4", 4, 1e3, "ms"
        ),
        spread.row(
            f"simulation of {parallel:,} reviews, 2 workers: speed-up over 1",
            "1 worker",
            ">= 1.7 (idle 2 cores)",
            1.7,
            1e3,
            "ms/review",
            at_least=True,
        ),
    ]


# -- the run ---------------------------------------------------------------------------------


def _parts(quick: bool, folder: str) -> dict[str, Callable[[], list[Row]]]:
    """The benchmark's parts by name, in the order they run."""
    repeat = 5 if quick else 15
    sizes = (100, 1000) if quick else (1000, 10_000, 100_000)
    return {
        "step": lambda: bench_step(repeat),
        "growth": lambda: bench_growth(
            repeat, 2_000 if quick else 9_999, 2_000 if quick else 20_000
        ),
        "startup": lambda: bench_startup(1 if quick else repeat),
        "open": lambda: bench_open_and_load(sizes),
        "json": lambda: bench_json(repeat),
        "store": lambda: bench_store(repeat, folder),
        "overdue": lambda: bench_overdue(repeat, folder, (100, 1000) if quick else (1000, 10_000)),
        "verify": lambda: bench_verify((2, 3), 500) if quick else bench_verify((2, 3)),
        "diagrams": lambda: bench_diagrams(repeat),
        "simulation": lambda: bench_simulation(
            50 if quick else 500, 3 if quick else 7, 40 if quick else 2000
        ),
    }


PARTS = tuple(_parts(False, ""))


def run(quick: bool = False, only: tuple[str, ...] = ()) -> list[Row]:
    """Every part of the benchmark in turn, or only the parts named in ``only``."""
    unknown = sorted(set(only) - set(PARTS))
    if unknown:
        raise ValueError(f"no such part: {', '.join(unknown)} (the parts: {', '.join(PARTS)})")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, part in _parts(quick, folder).items():
            if not only or name in only:
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
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = (
        f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}, "
        f"{os.cpu_count()} cores (load average at the end: {load}); the whole run took "
        f"{seconds:.0f} s."
    )
    return "\n".join(lines) + "\n\n" + machine + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    parser.add_argument(
        "--only",
        metavar="PART",
        action="append",
        choices=PARTS,
        help="run only this part (repeat for several): " + ", ".join(PARTS),
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = run(quick=args.quick, only=tuple(args.only or ()))
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
    broken = [r for r in rows if r.smoke_failed()]
    for r in broken:
        print(f"smoke bound broken: {r.measure} is above {r.smoke:g}", file=sys.stderr)
    return 1 if broken else 0
