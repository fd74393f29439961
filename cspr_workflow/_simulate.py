"""Timeline simulation: many synthetic reviews of any definition, driven through the real engine.

:func:`simulate` plays a review for each index: a driver (see :mod:`._driver`)
acts as the partnership's staff would, on a virtual clock, reading the process
from the definition and the timings and chances from a :class:`Scenario`; every
step goes through ``Review.fire``, so the guards, roles, clocks and calendar are
the library's own, with no second model of the process to drift from it.

Each review has its own random stream, derived from the seed and the review's
number, so the results are the same whatever the number of worker processes.
Workers receive the definition by name (the module attribute that holds it), so
any definition that can be imported can be simulated in parallel.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import random
import sys
import time
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pendulum

from ._args import check_arg
from ._definition import ProcessDefinition
from ._driver import Driver, People
from ._engine import Review
from ._errors import InvalidInput, MissingExtra, SimulationError, WorkersFailed
from ._fallback import default_definition
from ._results import ReviewOutcome, SimulationResult, StageTime, need_extra, outcome
from ._scenario import Scenario
from ._time import LONDON

__all__ = ["compare", "simulate", "simulated_review"]

_START = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)


def _seed(seed: int, index: int) -> str:
    return f"{seed}:{index}"


def _scenario_for(definition: ProcessDefinition, scenario: Scenario | None) -> Scenario:
    check_arg("scenario", scenario, Scenario, "a Scenario", optional=True)
    chosen = scenario if scenario is not None else definition.scenario or Scenario()
    stages = {s.name for s in definition.stages}
    triggers = {t.name for t in definition.triggers}
    problems = chosen.problems(stages, triggers)
    if problems:
        raise SimulationError(
            f"the scenario does not fit process definition {definition.name!r}: "
            + "; ".join(map(str, problems))
        )
    return chosen


def _opening(
    index: int, seed: int, start: pendulum.DateTime
) -> tuple[random.Random, pendulum.DateTime]:
    """Review ``index``'s own random stream, and the day it opens (its first draw)."""
    rng = random.Random(_seed(seed, index))
    return rng, start.add(days=rng.randrange(365))


def _play(
    index: int,
    seed: int,
    scenario: Scenario,
    definition: ProcessDefinition,
    start: pendulum.DateTime,
    people: People | None = None,
    opening: tuple[random.Random, pendulum.DateTime] | None = None,
) -> Review:
    rng, opened = opening or _opening(index, seed, start)
    review = Review.open(f"Sim {index}", aware_at=opened, definition=definition)
    return Driver(review, scenario, rng, people).run()


def _partnership(
    indices: Sequence[int],
    seed: int,
    scenario: Scenario,
    definition: ProcessDefinition,
    start: pendulum.DateTime,
) -> dict[int, Review]:
    """The reviews of one partnership sharing its people, played in the order they open."""
    people = People(scenario.shared)
    openings = {i: _opening(i, seed, start) for i in indices}
    order = sorted(indices, key=lambda i: (openings[i][1], i))
    return {i: _play(i, seed, scenario, definition, start, people, openings[i]) for i in order}


def _partnerships(scenario: Scenario, indices: Sequence[int]) -> list[Sequence[int]]:
    """``indices`` dealt to partnerships of ``scenario.partnership_reviews`` by number
    (review ``i`` to partnership ``i // partnership_reviews``)."""
    size = scenario.partnership_reviews or 1
    groups: dict[int, list[int]] = {}
    for i in indices:
        groups.setdefault(i // size, []).append(i)
    return list(groups.values())


def simulated_review(
    index: int,
    *,
    seed: int = 0,
    scenario: Scenario | None = None,
    definition: ProcessDefinition | None = None,
) -> Review:
    """Simulated review number ``index`` of ``simulate(..., seed=seed)``, as a :class:`Review`:
    its history, clocks, diagram and audit report, like any other review's."""
    check_arg("index", index, int, "a review's number")
    check_arg("seed", seed, int, "a whole-number seed")
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True)
    definition = definition or default_definition()
    chosen = _scenario_for(definition, scenario)
    if chosen.shared:  # the partnership's other reviews decide when its people are free
        size = chosen.partnership_reviews or 1
        first = index - index % size
        played = _partnership(range(first, first + size), seed, chosen, definition, _START)
        return played[index]
    return _play(index, seed, chosen, definition, _START)


def _one(
    index: int,
    seed: int,
    scenario: Scenario,
    definition: ProcessDefinition,
    start: pendulum.DateTime,
) -> tuple[ReviewOutcome, list[StageTime]]:
    review = _play(index, seed, scenario, definition, start)
    return outcome(index, _seed(seed, index), review)


def _chunk(
    args: tuple[Sequence[int], int, Scenario, ProcessDefinition, pendulum.DateTime],
) -> list[tuple[ReviewOutcome, list[StageTime]]]:
    indices, seed, scenario, definition, start = args
    if not scenario.shared:
        return [_one(i, seed, scenario, definition, start) for i in indices]
    results = []
    for group in _partnerships(scenario, indices):
        played = _partnership(group, seed, scenario, definition, start)
        results += [outcome(i, _seed(seed, i), played[i]) for i in group]
    return results


def _in_workers(
    chunks: Sequence[tuple[Sequence[int], int, Scenario, ProcessDefinition, pendulum.DateTime]],
    workers: int,
) -> Iterator[list[tuple[ReviewOutcome, list[StageTime]]]]:
    """Each chunk's results, in order, from ``workers`` fresh processes.

    A fresh ("spawn") worker re-reads the main script, as ``__mp_main__``, when
    anything it is sent was defined there; a script without an ``if __name__ ==
    "__main__":`` guard would then simulate again in every worker. So when nothing
    sent comes from the main script (the definition and scenario live in modules),
    the workers start without it; when something does, a worker that cannot start
    stops the simulation with :class:`WorkersFailed` (the pool never restarts it).
    """
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    _, _, scenario, definition, _ = chunks[0]
    needs_main = b"__main__" in pickle.dumps((scenario, definition))
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        # Workers start as tasks are submitted: all of them, here.
        with contextlib.nullcontext() if needs_main else _without_main_script():
            futures = [pool.submit(_chunk, chunk) for chunk in chunks]
        try:
            for future in futures:
                yield future.result()
        except concurrent.futures.process.BrokenProcessPool:
            for future in futures:
                future.cancel()
            raise WorkersFailed(
                "a worker process stopped before it could simulate (its own error is "
                "printed above it). If the script that calls simulate(workers=...) has "
                'no `if __name__ == "__main__":` guard, add one, or define the definition '
                "and scenario in a module of their own; or simulate with workers=1."
            ) from None


@contextlib.contextmanager
def _without_main_script() -> Iterator[None]:
    """Workers started here do not read the main script: ``multiprocessing`` finds the
    script through ``sys.modules["__main__"]``, which is a bare module meanwhile."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _starting_a_worker() -> bool:
    """True in a worker process still reading the main script, before it takes work."""
    import multiprocessing

    # (multiprocessing's own test before it refuses to start a process there)
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython's ZMQ shell), where a bar helps."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress(total: int, show: bool | None, label: str | None = None) -> Any:
    """A progress bar where someone is watching (a terminal or a notebook), else none."""
    if show is None:
        show = sys.stderr.isatty() or _in_notebook()
    if not show or total < 200:
        return None
    import warnings

    with warnings.catch_warnings():  # tqdm warns when a notebook has no widgets: text will do
        warnings.simplefilter("ignore")
        try:
            auto = need_extra("tqdm.auto", "a progress bar")
        except MissingExtra:
            return None
        return auto.tqdm(total=total, desc=label or "simulating", unit="review", mininterval=2.0)


def simulate(
    reviews: int = 1000,
    *,
    seed: int = 0,
    scenario: Scenario | None = None,
    workers: int = 1,
    definition: ProcessDefinition | None = None,
    progress: bool | None = None,
    label: str | None = None,
) -> SimulationResult:
    """Simulate ``reviews`` reviews of ``definition`` (the default one if none is given)
    through the real engine.

    ``scenario`` defaults to the definition's own (``definition.scenario``). The same
    ``seed`` gives the same results whatever the number of ``workers`` (processes; 0
    means one per core). With several workers the definition is sent to them by
    name, so it must be a module-level variable of an importable module. A progress
    bar shows in a terminal or notebook for long runs (``progress`` forces it on or off),
    named ``label`` (:func:`compare` names each scenario's).

    >>> result = simulate(20, seed=1)
    >>> result.summary()["reviews"]
    20
    """
    check_arg("reviews", reviews, int, "a whole number of reviews")
    check_arg("seed", seed, int, "a whole-number seed")
    check_arg("workers", workers, int, "a whole number of workers")
    if workers < 0:
        raise InvalidInput(
            "workers",
            "workers_count",
            f"expected 0 (one per core) or more workers, not {workers}",
            "Pass workers=1, 2, ... or 0 for one per core.",
        )
    check_arg("definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True)
    check_arg("progress", progress, bool, "True or False", optional=True)
    check_arg("label", label, str, "a label for the progress bar", optional=True)
    if workers != 1 and _starting_a_worker():
        raise WorkersFailed(
            "this worker process was started to simulate, and while it read the script that "
            "started it (as every worker must, to find a definition or scenario defined "
            "there), the script asked for a simulation with several workers again. Put the "
            'script\'s work under `if __name__ == "__main__":`, or define the definition '
            "and scenario in a module of their own, or simulate with workers=1."
        )
    definition = definition or default_definition()
    scenario = _scenario_for(definition, scenario)
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        try:
            pickle.dumps(definition)
        except pickle.PicklingError as error:
            raise InvalidInput(
                "definition",
                "definition_picklable",
                f"with several workers the definition is sent to each worker, and it cannot "
                f"be ({error})",
                "Assign the definition to a module-level variable of an importable module, "
                "or simulate with workers=1.",
            ) from None
    started = time.perf_counter()
    bar = _progress(reviews, progress, label)
    results: list[tuple[ReviewOutcome, list[StageTime]]] = []
    if workers == 1:
        step = (scenario.partnership_reviews or 1) if scenario.shared else 1
        for first in range(0, reviews, step):
            indices = range(first, min(first + step, reviews))
            results += _chunk((indices, seed, scenario, definition, _START))
            if bar is not None:
                bar.update(len(indices))
    else:
        size = max(1, min(250, reviews // (workers * 4) or 1))
        if scenario.shared:  # a chunk holds whole partnerships
            whole = scenario.partnership_reviews or 1
            size = max(whole, size - size % whole)
        chunks = [
            (range(i, min(i + size, reviews)), seed, scenario, definition, _START)
            for i in range(0, reviews, size)
        ]
        for part in _in_workers(chunks, workers):
            results.extend(part)
            if bar is not None:
                bar.update(len(part))
    if bar is not None:
        bar.close()
    return SimulationResult.of(
        definition,
        seed,
        (o for o, _ in results),
        (t for _, ts in results for t in ts),
        time.perf_counter() - started,
    )


def compare(
    scenarios: Mapping[str, Scenario],
    reviews: int = 1000,
    *,
    seed: int = 0,
    workers: int = 1,
    definition: ProcessDefinition | None = None,
) -> Any:
    """Simulate each scenario on the same seeds; their summaries side by side (a DataFrame,
    one column per scenario; each 95% interval as a ``low`` and a ``high`` row). A long
    run shows a progress bar per scenario, named as the scenario is. Each
    column keeps every figure's own type (counts stay whole numbers; ``object`` dtype)."""
    check_arg("scenarios", scenarios, Mapping, "a mapping of names to Scenarios")
    for scenario in scenarios.values():
        check_arg("scenarios", scenario, Scenario, "Scenarios, by name")
    pandas = need_extra("pandas", "compare")
    columns = {}
    for name, scenario in scenarios.items():
        result = simulate(
            reviews,
            seed=seed,
            scenario=scenario,
            workers=workers,
            definition=definition,
            label=name,
        )
        summary = result.summary()
        stages = summary.pop("mean working days per stage")
        for key in [k for k in summary if k.endswith(", 95% interval")]:
            interval = summary.pop(key)
            low, high = (None, None) if interval is None else interval
            summary[key.replace(", 95% interval", ", 95% interval low")] = low
            summary[key.replace(", 95% interval", ", 95% interval high")] = high
        summary.update(
            {f"working days in {result.titles.get(s, s)}": days for s, days in stages.items()}
        )
        columns[name] = summary
    return pandas.DataFrame(
        {name: pandas.Series(column, dtype=object) for name, column in columns.items()}
    )
