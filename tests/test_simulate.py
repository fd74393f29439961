"""Simulation: the real engine on a virtual clock, seeded, the same on any number of workers.

``CSPR_SIM_REVIEWS`` sets how many reviews the 1-versus-2-workers comparison runs
(300 by default; CI runs 10,000).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Duration,
    MissingExtra,
    Role,
    Scenario,
    SimulationError,
    Stage,
    TransitionSpec,
    Trigger,
    check_review,
    compare,
    replay,
    simulate,
    simulated_review,
)
from cspr_workflow._cli import main

REVIEWS = int(os.environ.get("CSPR_SIM_REVIEWS", "300"))


def test_the_same_seed_gives_the_same_results() -> None:
    first = simulate(60, seed=7)
    again = simulate(60, seed=7)
    assert first.outcomes == again.outcomes
    assert first.stage_times == again.stage_times
    other = simulate(60, seed=8)
    assert [o.days_to_publication for o in other.outcomes] != [
        o.days_to_publication for o in first.outcomes
    ]


def test_one_and_two_workers_give_identical_results() -> None:
    one = simulate(REVIEWS, seed=2026, workers=1)
    two = simulate(REVIEWS, seed=2026, workers=2)
    assert one.outcomes == two.outcomes
    assert one.stage_times == two.stage_times
    assert len(one.outcomes) == REVIEWS
    RUNS["1 worker"] = (REVIEWS, one.seconds)
    RUNS["2 workers"] = (REVIEWS, two.seconds)


RUNS: dict[str, tuple[int, float]] = {}


def test_each_review_is_a_real_review_of_the_engine() -> None:
    """Every simulated step went through the engine: the history keeps every statutory
    property, replays through the engine, and numbers match the history."""
    for index in range(12):
        review = simulated_review(index, seed=3)
        assert check_review(review) == ()
        assert replay(review).state == review.state
        assert review.stage == Stage.CLOSED
    result = simulate(12, seed=3)
    outcome = result.outcomes[5]
    review = simulated_review(5, seed=3)
    assert outcome.steps == len(review.history)
    assert outcome.delay_notices == sum(1 for e in review.history if e.trigger == "notify_delay")


def test_late_reviews_notify_delays_before_moving_on() -> None:
    slow = Scenario(hold_chance=1.0, hold_length=Duration(100, 120, 150))
    for index in range(5):
        review = simulated_review(index, seed=1, scenario=slow)
        assert check_review(review) == ()
        notices = [e for e in review.history if e.trigger == "notify_delay"]
        assert notices, "a review held for months must notify a delay"
        assert all(e.details["recipients"] == ("executive", "national_panel") for e in notices)


def test_decisions_not_to_review_end_the_process() -> None:
    result = simulate(40, seed=5, scenario=Scenario(not_commissioned_chance=0.5))
    finals = {o.final_stage for o in result.outcomes}
    assert finals == {"closed", "not_commissioned"}
    summary = result.summary()
    assert summary["commissioned"] < 40


def test_the_summary() -> None:
    result = simulate(200, seed=11)
    summary = result.summary()
    assert summary["reviews"] == 200
    assert 0 < summary["published within six months"] < 1
    assert summary["median days to publication"] < summary["90th percentile days to publication"]
    assert summary["delay notices"] >= summary["reviews with a delay notice"] > 0
    assert set(summary["mean working days per stage"]) >= {
        "scoping",
        "panel_review",
        "drafting",
        "fact_check",
    }
    text = result.describe()
    assert "published within six months" in text
    assert "200 simulated reviews (seed 11)" in text


def test_more_meetings_more_often_helps() -> None:
    table = compare(
        {"six-weekly": Scenario(), "monthly": Scenario(meeting_cadence=20)}, reviews=150, seed=4
    )
    share = table.loc["published within six months"]
    assert share["monthly"] > share["six-weekly"]
    assert "working days in panel_review" in table.index


def test_dataframes() -> None:
    result = simulate(30, seed=9)
    reviews = result.to_pandas()
    stages = result.to_pandas("stages")
    assert len(reviews) == 30
    assert {"days_to_publication", "within_six_months", "delay_notices"} <= set(reviews)
    assert set(stages["review"]) == set(range(30))
    assert str(reviews["published"].dtype).startswith("datetime64")
    with pytest.raises(ValueError, match="'reviews' or 'stages'"):
        result.to_pandas("actions")


def test_plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    result = simulate(40, seed=9)
    assert "six months" in result.plot_publication_times().get_legend().get_texts()[0].get_text()
    assert result.plot_stage_times().get_title() == "Where the time goes"
    assert result.plot_gantt(3).get_title() == "Simulated review 3"
    with pytest.raises(ValueError, match="no simulated review"):
        result.plot_gantt(99)


def test_a_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def no_pandas(name: str, *args: object) -> object:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_pandas)
    with pytest.raises(MissingExtra, match=r"cspr-workflow\[analysis\]"):
        simulate(2, seed=1).to_pandas()


def test_the_driver_fails_loudly_when_the_process_differs() -> None:
    """No second model of the process: a rule the staff do not meet stops the simulation."""
    strict = DEFAULT_DEFINITION.extend(
        name="stricter",  # drafting may begin only once the CRG approved: never, here
        transitions=[
            TransitionSpec(
                Trigger.BEGIN_DRAFTING,
                Stage.PANEL_REVIEW,
                Stage.DRAFTING,
                {Role.LEAD_REVIEWER},
                ("within_due_date", "crg_approved"),
            )
        ],
        without=lambda row: row.trigger == Trigger.BEGIN_DRAFTING,
    )
    refused = r"(?s)begin_drafting.*CRP agreement then CRG approval"
    with pytest.raises(SimulationError, match=refused):
        simulate(3, seed=1, definition=strict)


def test_own_definitions_need_one_worker() -> None:
    local = DEFAULT_DEFINITION.evolve(name="Northshire")
    assert simulate(3, seed=1, definition=local).outcomes
    with pytest.raises(ValueError, match="workers=1"):
        simulate(3, seed=1, definition=local, workers=2)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"agencies": 0}, "agencies must be at least 1"),
        ({"hold_chance": 1.5}, "hold_chance is a probability"),
        ({"not_commissioned_chance": 0.7, "national_review_chance": 0.7}, "add up to more"),
    ],
)
def test_scenarios_are_checked(change: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        attrs.evolve(Scenario(), **change)


def test_durations_are_checked() -> None:
    with pytest.raises(ValueError, match="low <= mode <= high"):
        Duration(5, 2, 10)


def test_scenario_from_json() -> None:
    scenario = Scenario.from_dict(
        {"meeting_cadence": 20, "drafting": {"low": 5, "mode": 10, "high": 20}, "hold_chance": 0}
    )
    assert scenario.meeting_cadence == 20
    assert scenario.drafting == Duration(5, 10, 20)
    assert scenario.hold_chance == 0.0
    with pytest.raises(ValueError, match="unknown scenario field"):
        Scenario.from_dict({"cadence": 20})
    with pytest.raises(ValueError, match="invalid scenario"):
        Scenario.from_dict({"drafting": {"low": 5}})


def test_cli_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "monthly.json"
    scenario.write_text(json.dumps({"meeting_cadence": 20}))
    assert main(["simulate", "--reviews", "50", "--seed", "3", "--scenario", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("50 simulated reviews (seed 3)")
    expected = simulate(50, seed=3, scenario=Scenario(meeting_cadence=20)).summary()
    assert f"{expected['published within six months']:.1%}" in out


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "is not JSON"),
        ("[1]", "a JSON object"),
        ('{"cadence": 3}', "unknown scenario field"),
    ],
)
def test_cli_simulate_bad_scenarios(
    content: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(content)
    assert main(["simulate", "--reviews", "5", "--scenario", str(path)]) == 2
    assert says in capsys.readouterr().err


def test_no_progress_bar_when_nobody_watches(capsys: pytest.CaptureFixture[str]) -> None:
    simulate(250, seed=1)
    assert "simulating" not in capsys.readouterr().err
