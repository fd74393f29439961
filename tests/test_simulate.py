"""Simulation: the real engine on a virtual clock, seeded, the same on any number of workers.

The driver reads the process from the definition, so it plays the default process
and any partnership's own alike (see also ``test_variants.py``).
``CSPR_SIM_REVIEWS`` sets how many reviews the 1-versus-2-workers comparison runs
(300 by default; CI runs 10,000).
"""

from __future__ import annotations

import heapq
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    Review,
    Role,
    Scenario,
    Stage,
    Trigger,
    check_review,
    simulate,
)
from cspr_workflow._cli import main
from cspr_workflow._driver import Driver
from cspr_workflow.errors import MissingExtra, SimulationError
from cspr_workflow.extension import TransitionSpec
from cspr_workflow.persistence import replay
from cspr_workflow.practice import DEFAULT_SCENARIO, with_agencies
from cspr_workflow.simulation import Duration, Repeat, compare, simulated_review

REVIEWS = int(os.environ.get("CSPR_SIM_REVIEWS", "300"))
T, S = Trigger, Stage


def test_the_same_seed_gives_the_same_results() -> None:
    first = simulate(60, seed=7)
    again = simulate(60, seed=7)
    assert first.outcomes == again.outcomes
    assert first.stage_times == again.stage_times
    other = simulate(60, seed=8)
    assert [o.days_to_completion for o in other.outcomes] != [
        o.days_to_completion for o in first.outcomes
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
        assert review.refusals == (), "the driver asks before acting: nothing is refused"
    result = simulate(12, seed=3)
    outcome = result.outcomes[5]
    review = simulated_review(5, seed=3)
    assert outcome.steps == len(review.history)
    assert outcome.delay_notices == len(review.state.delay_notices)
    assert outcome.drafts == len(review.state.drafts)


def test_the_driver_takes_the_steps_the_rules_ask_for() -> None:
    """Nothing in the driver names a step: it seats every agency, gets every confirmation,
    answers every recommendation and resolves every action because the guards ask."""
    review = simulated_review(0, seed=4)
    state = review.state
    agencies = DEFAULT_SCENARIO.details[T.SUBMIT_RAPID_REVIEW]["agencies"]
    assert {seat.agency for seat in state.panel} == set(agencies)
    draft = state.current_draft
    assert draft is not None
    confirmed = {f.agency for f in state.fact_checks if f.version == draft.version}
    assert confirmed == set(agencies)
    assert {a.recommendation for a in state.actions} == draft.recommendation_ids()
    assert all(a.status.value != "open" for a in state.actions)


def test_late_reviews_notify_delays_before_moving_on() -> None:
    slow = DEFAULT_SCENARIO.with_chances(put_on_hold=1.0).with_days(
        on_hold=Duration(100, 120, 150)
    )
    for index in range(5):
        review = simulated_review(index, seed=1, scenario=slow)
        assert check_review(review) == ()
        notices = [e for e in review.history if e.trigger == T.NOTIFY_DELAY]
        assert notices, "a review held for months must notify a delay"
        assert all(e.details["recipients"] == ("executive", "national_panel") for e in notices)


def test_decisions_not_to_review_end_the_process() -> None:
    result = simulate(40, seed=5, scenario=DEFAULT_SCENARIO.with_chances(decline_review=0.5))
    finals = {o.final_stage for o in result.outcomes}
    assert finals == {"closed", "local_process_ended"}
    assert result.summary()["clock started"] < 40


def test_the_summary() -> None:
    result = simulate(200, seed=11)
    summary = result.summary()
    assert summary["reviews"] == 200
    assert 0 < summary["completed on time"] < 1
    assert summary["median days to completion"] < summary["90th percentile days to completion"]
    assert summary["delay notices"] >= summary["reviews with a delay notice"] > 0
    assert set(summary["mean working days per stage"]) >= {
        "scoping",
        "panel_review",
        "drafting",
        "fact_check",
    }
    text = result.describe()
    assert "completed on time" in text
    assert text.startswith("200 simulated reviews (seed 11) of LCSPR (England); on time means")
    assert "within 6 calendar months" in text
    assert "Panel review" in text  # stages by their titles


def test_the_summary_gives_each_share_and_quantile_with_its_95_percent_interval() -> None:
    summary = simulate(300, seed=11).summary()
    share = summary["completed on time"]
    low, high = summary["completed on time, 95% interval"]
    assert low < share < high
    assert 0.03 < (high - low) / 2 < 0.06  # about ±5 points for 300 reviews
    for quantile in ("median days to completion", "90th percentile days to completion"):
        low, high = summary[f"{quantile}, 95% interval"]
        assert low <= summary[quantile] <= high
        assert low < high
    text = simulate(300, seed=11).describe()
    assert "completed on time, 95% interval" in text
    assert f"{summary['completed on time, 95% interval'][0]:.1%} to " in text


def test_the_intervals_match_known_values() -> None:
    from cspr_workflow._results import _quantile_interval, _wilson

    assert _wilson(10, 100) == (0.0552, 0.1744)  # Wilson's interval for 10 of 100
    assert _wilson(0, 10) == (0.0, 0.2775)
    assert _wilson(10, 10) == (0.7225, 1.0)
    assert _wilson(0, 0) is None
    # the median of 100 values: order statistics 40 and 61, as the exact binomial gives
    assert _quantile_interval(list(range(1, 101)), 50) == (40.0, 61.0)
    assert _quantile_interval(list(range(1, 101)), 90) == (84.0, 97.0)
    assert _quantile_interval([7], 50) == (7.0, 7.0)
    assert _quantile_interval([], 50) is None


def test_more_meetings_more_often_helps() -> None:
    monthly = DEFAULT_SCENARIO.evolve(
        repeats={
            **DEFAULT_SCENARIO.repeats,
            f"{T.HOLD_PANEL_MEETING}@{S.PANEL_REVIEW}": Repeat(Duration(0, 1, 2), 20),
        }
    )
    table = compare({"six-weekly": DEFAULT_SCENARIO, "monthly": monthly}, reviews=150, seed=4)
    share = table.loc["completed on time"]
    assert share["monthly"] > share["six-weekly"]
    assert "working days in Panel review" in table.index


def test_more_agencies_more_confirmations() -> None:
    review = simulated_review(0, seed=2, scenario=with_agencies(6))
    assert len(review.state.panel) == 6
    with pytest.raises(ValueError, match=r"a case has at least one agency \[agency_count\]"):
        with_agencies(0)


def test_dataframes() -> None:
    result = simulate(30, seed=9)
    reviews = result.to_pandas()
    stages = result.to_pandas("stages")
    assert len(reviews) == 30
    assert {"days_to_completion", "on_time", "delay_notices", "returns"} <= set(reviews)
    assert set(stages["review"]) == set(range(30))
    assert str(reviews["completed"].dtype).startswith("datetime64")
    with pytest.raises(ValueError, match="'reviews' or 'stages'"):
        result.to_pandas("actions")


def test_plots() -> None:
    import matplotlib

    matplotlib.use("Agg")
    result = simulate(40, seed=9)
    summary = result.summary()
    ax = result.plot_completion_times()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("6 calendar months")
    assert f"median ({summary['median days to completion']:g} days)" in legend
    low, high = summary["completed on time, 95% interval"]
    assert f"(95% interval {low:.0%} to {high:.0%})" in ax.get_title()
    ax = result.plot_stage_times()
    assert ax.get_title() == "Where the time goes until published or improvements published"
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert "Monitoring" not in shown  # after publication: not part of the six months
    assert shown[:2] == ["Serious incident known", "Notified"]  # titles, in order
    until = result.time_until_completion()
    assert [result.titles[s] for s in until] == shown
    assert "monitoring" not in until
    ax = result.plot_gantt(3)
    review = result.outcomes[3]
    assert ax.get_title() == f"Simulated review 3: {'on time' if review.on_time else 'late'}"
    marks = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"due {review.due}" in marks
    assert f"completed {review.completed}" in marks
    if review.first_delay_notice:
        assert f"delay notified {review.first_delay_notice}" in marks
    with pytest.raises(ValueError, match="no review 99"):
        result.plot_gantt(99)


def test_the_summary_keeps_timing_apart() -> None:
    result = simulate(20, seed=3)
    assert "reviews per second" not in result.summary()
    assert result.reviews_per_second is not None
    assert result.reviews_per_second > 0
    assert result.describe().splitlines()[-1].startswith("(run time ")
    table = compare({"a": DEFAULT_SCENARIO}, reviews=10, seed=3)
    assert table.loc["reviews", "a"] == 10
    assert isinstance(table.loc["reviews", "a"], int)  # not 10.0: counts stay whole


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


def test_the_driver_fails_loudly_when_no_step_can_satisfy_a_rule() -> None:
    """No second model of the process: a rule the staff cannot meet stops the simulation,
    naming the stage and the rule."""
    strict = DEFAULT_DEFINITION.extend(
        name="stricter",  # drafting may begin only once the CRG approved: never, here
        transitions=[
            TransitionSpec(
                T.BEGIN_DRAFTING,
                S.PANEL_REVIEW,
                S.DRAFTING,
                {Role.LEAD_REVIEWER},
                ("within_due_date", "crg_approved"),
            )
        ],
        without=lambda row: row.trigger == T.BEGIN_DRAFTING,
    )
    stuck = (
        r"(?s)stuck at stage 'panel_review'.*"
        r"\[Case Review Panel then Case Review Group approved this draft, in that order\]"
    )
    with pytest.raises(SimulationError, match=stuck):
        simulate(1, seed=1, definition=strict)


def test_a_definition_workers_cannot_import_says_so() -> None:
    local = DEFAULT_DEFINITION.evolve(name="Northshire")
    assert simulate(3, seed=1, definition=local).outcomes
    with pytest.raises(ValueError, match="module-level variable of an importable module"):
        simulate(3, seed=1, definition=local, workers=2)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"chances": {"put_on_hold": 1.5}}, "is a probability"),
        ({"max_branches": -1}, "must not be negative"),
        ({"delay_margin_days": 0}, "at least 1"),
    ],
)
def test_scenarios_are_checked(change: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Scenario(**change)  # type: ignore[arg-type]


def test_a_scenario_must_fit_the_definition() -> None:
    typo = DEFAULT_SCENARIO.with_steps({"confirm_fact": Duration(1, 2, 3)})
    with pytest.raises(SimulationError, match=r"scenario.step_days\['confirm_fact'\]"):
        simulate(2, seed=1, scenario=typo)


def test_durations_are_checked() -> None:
    with pytest.raises(ValueError, match="low <= mode <= high"):
        Duration(5, 2, 10)


def test_scenario_from_json() -> None:
    scenario = Scenario.from_dict(
        {
            "stage_days": {"drafting": {"low": 5, "mode": 10, "high": 20}},
            "chances": {"put_on_hold": 0},
            "repeats": {
                "hold_panel_meeting@panel_review": {
                    "count": {"low": 1, "mode": 1, "high": 1},
                    "every": 20,
                }
            },
        },
        base=DEFAULT_SCENARIO,
    )
    assert scenario.stage_days["drafting"] == Duration(5, 10, 20)
    assert scenario.stage_days["scoping"] == DEFAULT_SCENARIO.stage_days["scoping"]
    assert scenario.chances["put_on_hold"] == 0.0
    assert scenario.repeats["hold_panel_meeting@panel_review"].every == 20
    with pytest.raises(ValueError, match="unknown scenario field"):
        Scenario.from_dict({"cadence": 20})
    with pytest.raises(ValueError, match="'drafting': a duration is a Duration or an object of"):
        Scenario.from_dict({"stage_days": {"drafting": {"low": 5}}})


def test_cli_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = {"stage_days": {"drafting": {"low": 5, "mode": 10, "high": 15}}}
    scenario = tmp_path / "quick.json"
    scenario.write_text(json.dumps(changes))
    assert main(["simulate", "--reviews", "50", "--seed", "3", "--scenario", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("50 simulated reviews (seed 3)")
    expected = simulate(50, seed=3, scenario=DEFAULT_SCENARIO.merged(changes)).summary()
    assert f"{expected['completed on time']:.1%}" in out


def test_cli_simulate_a_partnerships_definition(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", "--reviews", "5", "--definition", "tests.variants:LEGAL_REVIEW"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "of Northshire with legal review" in out
    assert "Legal review" in out


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


def test_compare_names_each_scenarios_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    import cspr_workflow._simulate as simulation

    bars: list[tuple[int, str | None]] = []

    def recorded(total: int, show: bool | None, label: str | None = None) -> None:
        bars.append((total, label))

    monkeypatch.setattr(simulation, "_progress", recorded)
    compare({"six-weekly": DEFAULT_SCENARIO, "slower": DEFAULT_SCENARIO}, reviews=3, seed=1)
    assert bars == [(3, "six-weekly"), (3, "slower")]


_UNGUARDED = """\
from cspr_workflow import simulate

result = simulate(24, seed=1, workers=2, progress=False)
print("simulated", result.summary()["reviews"])
"""

_UNGUARDED_LOCAL = """\
from cspr_workflow import DEFAULT_DEFINITION, simulate

LOCAL = DEFAULT_DEFINITION.evolve(name="a local process")  # defined in the script itself
simulate(24, seed=1, workers=2, definition=LOCAL, progress=False)
print("simulated")
"""


def _run_script(folder: Path, text: str) -> subprocess.CompletedProcess[str]:
    script = folder / "script.py"
    script.write_text(text)
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=240,  # a hang fails here rather than holding the test run
        cwd=folder,
        check=False,
    )


def test_a_script_without_a_main_guard_simulates_on_several_workers(tmp_path: Path) -> None:
    """The workers do not read the script again, since nothing they need is defined there:
    the script runs once, to the end."""
    done = _run_script(tmp_path, _UNGUARDED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["simulated 24"]


def test_a_script_that_defines_its_process_and_has_no_guard_stops_with_a_clear_error(
    tmp_path: Path,
) -> None:
    """Workers must read this script to find its definition, and reading it would simulate
    again: the run stops with WorkersFailed, saying what to do, instead of hanging."""
    done = _run_script(tmp_path, _UNGUARDED_LOCAL)
    assert done.returncode == 1
    assert "simulated" not in done.stdout
    assert "WorkersFailed" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr


def test_the_drivers_events_are_taken_in_the_order_of_their_instants() -> None:
    """In the autumn's repeated hour, 01:50 BST comes twenty minutes before 01:10 GMT,
    though its wall clock reads later."""
    review = Review.open("Child A", aware_at=pendulum.datetime(2026, 10, 20, 10, tz="UTC"))
    driver = Driver(review, DEFAULT_SCENARIO, random.Random(1))
    summer = pendulum.datetime(2026, 10, 25, 0, 50, tz="UTC").in_tz("Europe/London")
    winter = pendulum.datetime(2026, 10, 25, 1, 10, tz="UTC").in_tz("Europe/London")
    assert (summer.hour, summer.minute, winter.hour, winter.minute) == (1, 50, 1, 10)
    driver._schedule(winter, "routine", (T.HOLD_PANEL_MEETING, None, {}))  # type: ignore[arg-type]
    driver._schedule(summer, "routine", (T.HOLD_PANEL_MEETING, None, {}))  # type: ignore[arg-type]
    firsts = [heapq.heappop(driver.events)[-1] for _ in range(2)]
    assert firsts == [summer, winter]
