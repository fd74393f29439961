"""The analyst's questions beyond one run: real reviews in the simulation's terms, a
scenario fitted to them, sweeps and a one-at-a-time sensitivity of the share on time.

The "real" reviews are made by the engine (simulated with a known scenario, written as
documents and read back), so the fit can be held to what made them."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from cspr_workflow import DEFAULT_DEFINITION, Review, ReviewStore, dumps, loads, simulate
from cspr_workflow.errors import InvalidInput
from cspr_workflow.practice import DEFAULT_SCENARIO
from cspr_workflow.simulation import (
    Duration,
    SimulationResult,
    fit,
    observed,
    plot_sweep,
    plot_tornado,
    sensitivity,
    simulated_review,
    sweep,
)

LATER = pendulum.datetime(2029, 1, 1, 12, tz="Europe/London")
SLOW_DRAFTING = DEFAULT_SCENARIO.with_days(drafting=Duration(30, 45, 60))


@pytest.fixture(scope="module")
def documents() -> list[str]:
    return [dumps(simulated_review(i, seed=5, scenario=SLOW_DRAFTING)) for i in range(60)]


def test_real_reviews_read_like_a_simulation(documents: list[str]) -> None:
    seen = observed(documents, at=LATER)
    again = [simulated_review(i, seed=5, scenario=SLOW_DRAFTING) for i in range(60)]
    assert seen.seed is None
    assert seen.at == LATER
    assert len(seen.outcomes) == 60
    assert [o.seed for o in seen.outcomes] == [r.reference for r in again]
    assert [o.completed for o in seen.outcomes] == [
        r.definition.policy.completion.stopped_at(r.state).date() for r in again
    ]
    in_monitoring = sum(not r.as_at(LATER).is_final for r in again)  # published, not closed
    assert seen.summary()["in progress"] == in_monitoring
    assert (
        seen.summary()["completed on time"]
        == simulate(60, seed=5, scenario=SLOW_DRAFTING).summary()["completed on time"]
    )
    assert seen.describe().startswith("60 reviews as at 2029-01-01 of LCSPR (England)")
    # the same outcomes from Review objects, documents and paths alike
    assert observed(again, at=LATER).outcomes == seen.outcomes


def test_a_review_in_progress_has_no_verdict_until_it_is_late(documents: list[str]) -> None:
    review = simulated_review(0, seed=5, scenario=SLOW_DRAFTING)
    entry = next(e for e in review.history if e.dest == "drafting")
    due = review.state.clock(DEFAULT_DEFINITION.policy.completion.id)
    assert due is not None
    early = entry.at.add(hours=1)
    late = pendulum.datetime(due.due.year, due.due.month, due.due.day, 12, tz="Europe/London")
    late = late.add(days=1)
    assert not review.as_at(late).is_final  # still short of publication the day after
    for at, verdict in ((early, None), (late, False)):
        seen = observed([review], at=at)
        (found,) = seen.outcomes
        assert found.in_progress
        assert found.on_time is verdict
        assert found.completed is None
        last = seen.stage_times[-1]
        assert last.left is None
        assert last.left_by is None
        assert last.working_days == DEFAULT_DEFINITION.policy.calendar.working_days_between(
            last.entered, at.date()
        )
    summary = observed([review], at=early).summary()
    assert summary["in progress"] == 1
    assert summary["completed on time"] is None  # no verdict yet: not counted as late
    assert observed([review], at=late).summary()["completed on time"] == 0


def test_reviews_from_a_store_and_from_files(tmp_path: Path, documents: list[str]) -> None:
    store = ReviewStore(f"sqlite:///{tmp_path / 'reviews.db'}")
    for text in documents[:10]:
        store.add(simulated_review_from(text))
    paths = []
    for i, text in enumerate(documents[:10]):
        path = tmp_path / f"review-{i}.json"
        path.write_text(text)
        paths.append(path)
    from_store = observed(store, at=LATER)
    from_files = observed(paths, at=LATER)

    def by_reference(result: SimulationResult) -> list[tuple[object, ...]]:
        rows = [(o.seed, o.completed, o.on_time, o.days_to_completion) for o in result.outcomes]
        return sorted(rows, key=str)

    assert by_reference(from_store) == by_reference(from_files)
    assert {o.seed for o in from_store.outcomes} == {f"Sim {i}" for i in range(10)}


def simulated_review_from(text: str) -> Review:
    return loads(text)


def test_what_observed_refuses(documents: list[str]) -> None:
    with pytest.raises(InvalidInput, match=r"observed_source"):
        observed([42], at=LATER)
    with pytest.raises(InvalidInput, match=r"observed_empty"):
        observed([], at=LATER)
    opened = simulated_review(0, seed=5).state.aware_at
    with pytest.raises(InvalidInput, match=r"observed_empty"):  # none open yet then
        observed(documents[:1], at=opened.subtract(days=400))


def test_a_fit_recovers_the_stage_times_that_made_the_reviews(documents: list[str]) -> None:
    seen = observed(documents, at=LATER)
    fitted = fit(seen, base=DEFAULT_SCENARIO)
    drafting = fitted.stage_days["drafting"]
    assert 30 <= drafting.low <= 36  # the real scenario drew 30-60 working days
    assert 54 <= drafting.high <= 60
    assert abs(drafting.mean - SLOW_DRAFTING.stage_days["drafting"].mean) < 3
    assert fitted.step_days["submit_draft@drafting"] == Duration(0, 0, 0)
    assert fitted.chances == DEFAULT_SCENARIO.chances  # not estimated: the base's
    assert "drafting" in fitted.revisit_days  # the redrafts
    # the fitted model comes nearer the observed reviews than the default one does
    simulated = simulate(120, seed=2, scenario=fitted)
    default = simulate(120, seed=2)
    observed_median = seen.summary()["median days to completion"]
    assert abs(simulated.summary()["median days to completion"] - observed_median) < abs(
        default.summary()["median days to completion"] - observed_median
    )


def test_observed_beside_simulated(documents: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    seen = observed(documents, at=LATER)
    simulated = simulate(30, seed=2, scenario=fit(seen, base=DEFAULT_SCENARIO))
    figure = seen.plot_against(simulated)
    left, right = figure.axes
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels[0].startswith("60 reviews as at 2029-01-01: ")
    assert labels[1].startswith("30 simulated: ")
    assert "Drafting" in [t.get_text() for t in right.get_yticklabels()]
    figure.clf()


def test_a_sweep_moves_the_share_the_right_way() -> None:
    frame = sweep({"stage_days.drafting": [0.5, 2.0]}, reviews=60, seed=3)
    assert list(frame["stage_days.drafting"]) == [0.5, 2.0]
    quick, slow = frame["completed on time"]
    assert quick > slow
    assert (frame["on time low"] <= frame["completed on time"]).all()
    assert (frame["completed on time"] <= frame["on time high"]).all()
    grid = sweep(
        {"stage_days.drafting": [0.5, 1.0], "step_days.crg_approve": [1.0, 2.0]},
        reviews=10,
        seed=3,
    )
    assert len(grid) == 4
    import matplotlib

    matplotlib.use("Agg")
    assert plot_sweep(frame).get_xlabel() == "time in Drafting: times the scenario's"
    ax = plot_sweep(grid)
    assert ax.get_ylabel() == "time to CRG approval"
    assert len(ax.texts) == 4  # each cell labelled with its share


def test_a_scaled_parameter_is_the_one_the_simulation_would_use() -> None:
    from cspr_workflow._sweep import scaled

    empty = DEFAULT_SCENARIO.evolve(stage_days={})
    doubled = scaled(empty, DEFAULT_DEFINITION, "stage_days.drafting", 2.0)
    expected = DEFAULT_DEFINITION.policy.expected_working_days["drafting"]
    assert doubled.stage_days["drafting"] == Duration(expected, 2 * expected, 3 * expected)
    step = scaled(DEFAULT_SCENARIO, DEFAULT_DEFINITION, "step_days.crg_approve", 0.5)
    assert step.step_days["crg_approve"] == Duration(1.5, 4, 7.5)
    chance = scaled(
        DEFAULT_SCENARIO, DEFAULT_DEFINITION, "chances.return_to_drafting@crp_agreed", 10
    )
    assert chance.chances["return_to_drafting@crp_agreed"] == 1.0  # held at most 1
    with pytest.raises(ValueError, match="gives no chance under 'return_to_drafting'"):
        scaled(DEFAULT_SCENARIO, DEFAULT_DEFINITION, "chances.return_to_drafting", 2)
    with pytest.raises(
        ValueError,
        match=r"'drafting' is not a parameter \[sweep_parameter\]. Name one as 'stage_days\.",
    ):
        scaled(DEFAULT_SCENARIO, DEFAULT_DEFINITION, "drafting", 2)
    with pytest.raises(ValueError, match="at least 0"):
        scaled(DEFAULT_SCENARIO, DEFAULT_DEFINITION, "stage_days.drafting", -1)
    from cspr_workflow.errors import SimulationError

    with pytest.raises(SimulationError, match="unknown stage 'draftin'"):
        sweep({"stage_days.draftin": [1.0]}, reviews=1)


def test_a_tornado_puts_the_widest_swing_on_top() -> None:
    frame = sensitivity(
        ["stage_days.notified", "stage_days.drafting"], reviews=60, seed=3, low=0.5, high=2.0
    )
    assert list(frame["parameter"]) == ["stage_days.drafting", "stage_days.notified"]
    assert frame["swing"].is_monotonic_decreasing
    row = frame.iloc[0]
    assert row["on time at low"] > row["baseline"] > row["on time at high"]
    assert row["high factor"] == 2.0
    baseline = simulate(60, seed=3).summary()["completed on time"]
    assert row["baseline"] == baseline
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_tornado(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["time in Drafting", "time in Notified"]
    assert f"(the scenario's: {baseline:.0%})" in ax.get_xlabel()
