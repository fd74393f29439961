"""What would change the answer: sweeps over a scenario's parameters, and a one-at-a-time
sensitivity ("tornado") of the share on time.

A *parameter* is a scenario's number named by a key: ``"stage_days.<stage>"``,
``"revisit_days.<stage>"`` or ``"step_days.<trigger or trigger@stage>"`` (a duration,
scaled by a factor: low, mode and high all multiplied), or ``"chances.<key>"`` (a
chance, multiplied and held at most 1). A duration the scenario does not give is the
one the simulation would use (the definition's expected days for a stage, the
scenario's ``default_days`` for a step), so every stage and step can be varied. Every
point is simulated on the same seeds (common random numbers), so the differences
between points are the parameters', not the dice's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from ._args import check_arg, check_many
from ._definition import ProcessDefinition
from ._errors import InvalidInput
from ._fallback import default_definition
from ._results import need_extra
from ._scenario import Duration, Scenario
from ._simulate import _scenario_for, simulate

__all__ = ["plot_sweep", "plot_tornado", "sensitivity", "sweep"]

_DURATIONS = ("stage_days", "revisit_days", "step_days")


def _duration(scenario: Scenario, definition: ProcessDefinition, field: str, key: str) -> Duration:
    given: Mapping[str, Duration] = getattr(scenario, field)
    if key in given:
        return given[key]
    if field == "step_days":
        trigger, _, stage = key.partition("@")
        return scenario.step(trigger, stage)
    if field == "revisit_days" and key in scenario.stage_days:
        return scenario.stage_days[key]
    expected = definition.policy.expected_working_days.get(key)
    if expected is not None:  # as the simulation's driver does
        return Duration(expected * 0.5, expected, expected * 1.5)
    return scenario.default_days


def scaled(
    scenario: Scenario, definition: ProcessDefinition, parameter: str, factor: float
) -> Scenario:
    """``scenario`` with ``parameter`` multiplied by ``factor`` (see the module's doc)."""
    field, dot, key = parameter.partition(".")
    if not dot or not key or field not in (*_DURATIONS, "chances"):
        raise InvalidInput(
            "parameters",
            "sweep_parameter",
            f"{parameter!r} is not a parameter",
            "Name one as 'stage_days.<stage>', 'revisit_days.<stage>', 'step_days.<trigger>' "
            "or 'chances.<trigger>'.",
        )
    if not factor >= 0:
        raise InvalidInput(
            "factor",
            "sweep_factor",
            "a factor is a number of at least 0",
            "Pass factors of 0 or more (1 keeps the scenario's value).",
        )
    if field == "chances":
        if key not in scenario.chances:  # scaling a chance of 0 would silently do nothing
            raise InvalidInput(
                "parameters",
                "sweep_parameter",
                f"{parameter!r}: the scenario gives no chance under {key!r} (scaling a chance "
                "of 0 would change nothing)",
                "Vary one of the chances it gives: "
                + (", ".join(map(repr, scenario.chances)) or "none")
                + ".",
            )
        return scenario.with_chances({key: min(1.0, scenario.chances[key] * factor)})
    base = _duration(scenario, definition, field, key)
    changed = Duration(base.low * factor, base.mode * factor, base.high * factor)
    return scenario.evolve(**{field: {**getattr(scenario, field), key: changed}})


def _row(result: Any) -> dict[str, Any]:
    summary = result.summary()
    low, high = summary["completed on time, 95% interval"] or (None, None)
    m_low, m_high = summary["median days to completion, 95% interval"] or (None, None)
    return {
        "completed on time": summary["completed on time"],
        "on time low": low,
        "on time high": high,
        "median days": summary["median days to completion"],
        "median low": m_low,
        "median high": m_high,
    }


class _Runs:
    """Simulations of one definition on the same seeds, each summarised as a row."""

    def __init__(
        self,
        feature: str,
        definition: ProcessDefinition | None,
        scenario: Scenario | None,
        reviews: int,
        seed: int,
        workers: int,
    ) -> None:
        self.pandas = need_extra("pandas", feature)
        check_arg(
            "definition", definition, ProcessDefinition, "a ProcessDefinition", optional=True
        )
        self.definition = definition or default_definition()
        self.base = _scenario_for(self.definition, scenario)
        self.reviews, self.seed, self.workers = reviews, seed, workers

    def scaled(self, scenario: Scenario, parameter: str, factor: float) -> Scenario:
        return scaled(scenario, self.definition, parameter, factor)

    def row(self, scenario: Scenario) -> dict[str, Any]:
        result = simulate(
            self.reviews,
            seed=self.seed,
            scenario=scenario,
            definition=self.definition,
            workers=self.workers,
            progress=False,
        )
        return _row(result)


def sweep(
    parameters: Mapping[str, Sequence[float]],
    reviews: int = 300,
    *,
    seed: int = 0,
    scenario: Scenario | None = None,
    definition: ProcessDefinition | None = None,
    workers: int = 1,
) -> Any:
    """Simulate every combination of the ``parameters``' factors (a grid; one or two
    parameters are the ones :func:`plot_sweep` draws): a DataFrame with a column per
    parameter (its factor), the share completed on time with its 95% interval
    (``on time low``, ``on time high``) and the median days to completion with its own.

    >>> frame = sweep({"stage_days.drafting": [0.5, 1.0]}, reviews=20, seed=1)
    >>> list(frame.columns)[:2]
    ['stage_days.drafting', 'completed on time']
    """
    check_arg("parameters", parameters, Mapping, "parameter names and their factors")
    for factors in parameters.values():
        check_many("parameters", factors, "factors (numbers)")
    runs = _Runs("sweep", definition, scenario, reviews, seed, workers)
    if not parameters:
        raise InvalidInput(
            "parameters",
            "sweep_parameter",
            "sweep needs at least one parameter and its factors",
            "Pass {'stage_days.drafting': [0.5, 1.0, 1.5]}, for example.",
        )
    names = list(parameters)
    rows = []
    for factors in itertools.product(*(list(parameters[n]) for n in names)):
        changed = runs.base
        for name, factor in zip(names, factors, strict=True):
            changed = runs.scaled(changed, name, float(factor))
        rows.append({**dict(zip(names, factors, strict=True)), **runs.row(changed)})
    return runs.pandas.DataFrame(rows)


def sensitivity(
    parameters: Sequence[str],
    reviews: int = 300,
    *,
    low: float = 0.5,
    high: float = 1.5,
    seed: int = 0,
    scenario: Scenario | None = None,
    definition: ProcessDefinition | None = None,
    workers: int = 1,
) -> Any:
    """One parameter at a time, at ``low`` and ``high`` times its value, the rest as in
    the scenario: a DataFrame with a row per parameter (its share on time at each end,
    with 95% intervals, and the ``swing`` between them), the largest swing first, and the
    share at the scenario itself as ``baseline`` (the same in every row). A chance can
    only be varied where the scenario gives one (its own key, e.g.
    ``"chances.return_to_drafting@crp_agreed"``).

    >>> frame = sensitivity(["stage_days.drafting"], reviews=20, seed=1)
    >>> frame.loc[0, "parameter"], float(frame.loc[0, "high factor"])
    ('stage_days.drafting', 1.5)
    """
    if isinstance(parameters, str) or not isinstance(parameters, Sequence):
        check_arg("parameters", parameters, (list, tuple), "a list of parameter names")
    for name in parameters:
        check_arg("parameters", name, str, "parameter names")
    runs = _Runs("sensitivity", definition, scenario, reviews, seed, workers)
    if not parameters:
        raise InvalidInput(
            "parameters",
            "sweep_parameter",
            "sensitivity needs at least one parameter",
            "Pass ['stage_days.drafting'], for example.",
        )
    baseline = runs.row(runs.base)["completed on time"]
    rows = []
    for name in parameters:
        at_low = runs.row(runs.scaled(runs.base, name, low))
        at_high = runs.row(runs.scaled(runs.base, name, high))
        rows.append(
            {
                "parameter": name,
                "baseline": baseline,
                "low factor": low,
                "on time at low": at_low["completed on time"],
                "on time at low, 95% low": at_low["on time low"],
                "on time at low, 95% high": at_low["on time high"],
                "high factor": high,
                "on time at high": at_high["completed on time"],
                "on time at high, 95% low": at_high["on time low"],
                "on time at high, 95% high": at_high["on time high"],
                "swing": abs(at_high["completed on time"] - at_low["completed on time"]),
            }
        )
    frame = runs.pandas.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    return frame.reset_index(drop=True)


def _title(parameter: str, titles: Mapping[str, str]) -> str:
    field, _, key = parameter.partition(".")
    name, _, stage = key.partition("@")
    what = {
        "stage_days": "time in",
        "revisit_days": "time in (again)",
        "step_days": "time to",
        "chances": "chance of",
    }.get(field, field)
    shown = titles.get(name, name.replace("_", " "))
    return f"{what} {shown}" + (f" ({titles.get(stage, stage)})" if stage else "")


def _titles(definition: ProcessDefinition | None) -> dict[str, str]:
    definition = definition or default_definition()
    titles = {s.name: s.title for s in definition.stages}
    titles.update({t.name: t.title for t in definition.triggers})
    return titles


def _check_frame(frame: object, made_by: str) -> None:
    pandas = need_extra("pandas", f"plot of a {made_by}")
    check_arg("frame", frame, pandas.DataFrame, f"the DataFrame {made_by}() returned")


def plot_sweep(frame: Any, ax: Any = None, *, definition: ProcessDefinition | None = None) -> Any:
    """Draw a :func:`sweep` of one parameter (the share on time against its factor, with
    the 95% interval as a band) or two (a grid of the share, each cell labelled)."""
    plt = need_extra("matplotlib.pyplot", "plot_sweep")
    _check_frame(frame, "sweep")
    names = [c for c in frame.columns if c not in _ROW_COLUMNS]
    titles = _titles(definition)
    ax = ax or plt.subplots(figsize=(8, 4.5))[1]
    if len(names) == 1:
        x = frame[names[0]]
        ax.fill_between(
            x,
            frame["on time low"],
            frame["on time high"],
            color="#93c5fd",
            alpha=0.5,
            label="95% interval",
        )
        ax.plot(x, frame["completed on time"], marker="o", color="#1e3a8a", label="on time")
        ax.axvline(1.0, color="#6b7280", linestyle=":", label="as in the scenario")
        ax.set_xlabel(f"{_title(names[0], titles)}: times the scenario's")
        ax.set_ylabel("share completed on time")
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.legend()
    elif len(names) == 2:
        grid = frame.pivot(index=names[1], columns=names[0], values="completed on time")
        image = ax.imshow(
            grid.values, origin="lower", cmap="RdYlGn", vmin=0, vmax=1, aspect="auto"
        )
        ax.set_xticks(range(grid.shape[1]), [f"{v:g} x" for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g} x" for v in grid.index])
        for (i, j), value in _cells(grid.values):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=9)
        ax.set_xlabel(_title(names[0], titles))
        ax.set_ylabel(_title(names[1], titles))
        ax.figure.colorbar(image, ax=ax, label="share completed on time")
    else:
        raise InvalidInput(
            "frame",
            "sweep_parameter",
            "plot_sweep draws a sweep of one or two parameters",
            "Sweep one or two parameters, or plot the frame yourself.",
        )
    ax.set_title("Completed on time, as the parameters change")
    return ax


def _cells(values: Any) -> list[tuple[tuple[int, int], float]]:
    return [((i, j), float(v)) for i, row in enumerate(values) for j, v in enumerate(row)]


_ROW_COLUMNS = frozenset(
    (
        "completed on time",
        "on time low",
        "on time high",
        "median days",
        "median low",
        "median high",
    )
)


def plot_tornado(
    frame: Any, ax: Any = None, *, definition: ProcessDefinition | None = None
) -> Any:
    """Draw a :func:`sensitivity` as a tornado chart: for each parameter, a bar from the
    share on time at the low factor, and one to the share at the high one, from the
    baseline, each with its 95% interval; the widest swing on top."""
    plt = need_extra("matplotlib.pyplot", "plot_tornado")
    _check_frame(frame, "sensitivity")
    low, high = frame["low factor"].iloc[0], frame["high factor"].iloc[0]
    titles = _titles(definition)
    ax = ax or plt.subplots(figsize=(9, 0.5 * len(frame) + 1.5))[1]
    baseline = float(frame["baseline"].iloc[0])
    labels = [_title(p, titles) for p in frame["parameter"]]
    at_low = frame["on time at low"].astype(float)
    at_high = frame["on time at high"].astype(float)
    ys = list(range(len(frame)))
    for offset, share, end, colour in (
        (-0.2, at_low, "low", "#60a5fa"),
        (0.2, at_high, "high", "#f97316"),
    ):
        factor = low if end == "low" else high
        y = [v + offset for v in ys]
        ax.barh(
            y,
            share - baseline,
            left=baseline,
            height=0.4,
            color=colour,
            label=f"{factor:g} x as given (95% interval)",
        )
        ax.errorbar(
            share,
            y,
            fmt="none",
            ecolor="#374151",
            elinewidth=1,
            capsize=3,
            xerr=[
                share - frame[f"on time at {end}, 95% low"].astype(float),
                frame[f"on time at {end}, 95% high"].astype(float) - share,
            ],
        )
    ax.axvline(baseline, color="#111827", linewidth=1)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(f"share completed on time (the scenario's: {baseline:.0%})")
    ax.set_title("What moves the share on time most (one parameter at a time)")
    ax.legend(loc="lower right", fontsize=8)
    return ax
