"""Meeting calendars and information that holds up meetings, in the simulation.

A step whose body sits on a calendar (``Scenario.sittings``) is taken at the first
sitting on or after it is ready; a step that waits for others (``Scenario.waits_for``)
follows the last of them, so how fast agencies answer moves the results.
"""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest

from cspr_workflow import DEFAULT_DEFINITION, Scenario, Stage, Trigger, check_review, simulate
from cspr_workflow._cli import main
from cspr_workflow.errors import SimulationError
from cspr_workflow.practice import DEFAULT_SCENARIO
from cspr_workflow.simulation import Duration, Repeat, Sitting, simulated_review

T, S = Trigger, Stage
CALENDAR = DEFAULT_DEFINITION.policy.calendar
CRG = Sitting(nth=2, weekday="wednesday")
EXECUTIVE = Sitting(nth=-1, weekday="thursday")
SITTINGS = {
    T.CRG_APPROVE: CRG,
    f"{T.RETURN_TO_DRAFTING}@{S.CRP_AGREED}": CRG,
    T.EXECUTIVE_APPROVE: EXECUTIVE,
    f"{T.RETURN_TO_DRAFTING}@{S.CRG_APPROVED}": EXECUTIVE,
}
d = pendulum.date


# -- the calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sitting", "day", "sits"),
    [
        (CRG, d(2026, 1, 1), d(2026, 1, 14)),  # the second Wednesday of January
        (CRG, d(2026, 1, 14), d(2026, 1, 14)),  # on the day itself
        (CRG, d(2026, 1, 15), d(2026, 2, 11)),
        (EXECUTIVE, d(2026, 12, 1), d(2026, 12, 31)),
        (Sitting(nth=-1, weekday="friday"), d(2026, 12, 20), d(2026, 12, 29)),  # Christmas,
        (Sitting(nth=-1, weekday="friday"), d(2026, 12, 29), d(2026, 12, 29)),  # then Boxing
        (Sitting(nth=-1, weekday="friday"), d(2026, 12, 30), d(2027, 1, 29)),  # Day observed
        (Sitting(every_weeks=4, anchor="2026-01-08"), d(2026, 1, 9), d(2026, 2, 5)),
        (Sitting(every_weeks=4, anchor="2026-01-08"), d(2025, 12, 10), d(2025, 12, 11)),  # before
        (Sitting(every_weeks=1, anchor="2026-04-27"), d(2026, 5, 2), d(2026, 5, 5)),  # May Day
    ],
)
def test_a_step_is_taken_at_the_first_sitting_on_or_after_it_is_ready(
    sitting: Sitting, day: pendulum.Date, sits: pendulum.Date
) -> None:
    assert sitting.next(day, CALENDAR) == sits


def test_a_sitting_says_when_in_words() -> None:
    assert CRG.describe() == "the second Wednesday of each month"
    assert EXECUTIVE.describe() == "the last Thursday of each month"
    assert Sitting(every_weeks=1, anchor=d(2026, 1, 5)).describe() == (
        "every week from Monday 5 January 2026"
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({}, "either every_weeks from an anchor date, or the nth weekday"),
        ({"every_weeks": 4, "nth": 2, "weekday": "monday"}, "either every_weeks"),
        ({"every_weeks": 4}, "needs every_weeks of at least 1 and an anchor"),
        ({"every_weeks": 0, "anchor": "2026-01-08"}, "at least 1"),
        ({"nth": 5, "weekday": "monday"}, "nth is 1, 2, 3, 4 or -1"),
        ({"nth": 1, "weekday": "mon"}, "weekday is one of monday"),
    ],
)
def test_sittings_are_checked(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Sitting(**fields)  # type: ignore[arg-type]


# -- sittings in the simulation ---------------------------------------------------------------


def _first(review_history: object, trigger: str) -> pendulum.DateTime:
    return next(e.at for e in review_history if e.trigger == trigger)  # type: ignore[attr-defined]


@pytest.mark.parametrize("index", range(6))
def test_the_approvals_move_to_their_bodies_sittings(index: int) -> None:
    """Until the Case Review Group decides, a review with sittings is the review without
    them (a sitting draws nothing at random): its decision (approval or return) moves to
    the first sitting on or after the day it was taken without one; and every decision
    of the Executive falls on one of its sittings."""
    plain = simulated_review(index, seed=1).history
    sitting = simulated_review(index, seed=1, scenario=DEFAULT_SCENARIO.evolve(sittings=SITTINGS))
    assert check_review(sitting) == ()
    before = next(e for e in plain if e.source == S.CRP_AGREED != e.dest)
    after = next(e for e in sitting.history if e.source == S.CRP_AGREED != e.dest)
    assert after.trigger == before.trigger
    assert after.at.date() == CRG.next(before.at.date(), CALENDAR)
    assert after.at.weekday() == 2
    assert 8 <= after.at.day <= 14
    decisions = [e for e in sitting.history if e.source == S.CRG_APPROVED != e.dest]
    assert decisions
    for entry in decisions:
        day = entry.at.date()
        assert EXECUTIVE.next(day, CALENDAR) == day, (index, entry)


def test_sittings_cost_time() -> None:
    plain = simulate(60, seed=2).summary()
    sitting = simulate(60, seed=2, scenario=DEFAULT_SCENARIO.evolve(sittings=SITTINGS)).summary()
    assert sitting["median days to completion"] > plain["median days to completion"]
    stages = "mean working days per stage"
    assert sitting[stages]["crp_agreed"] > plain[stages]["crp_agreed"]
    assert sitting[stages]["crg_approved"] > plain[stages]["crg_approved"]


def test_the_same_seed_gives_the_same_results_with_sittings_and_waits() -> None:
    scenario = DEFAULT_SCENARIO.evolve(sittings=SITTINGS)
    first = simulate(40, seed=3, scenario=scenario)
    again = simulate(40, seed=3, scenario=scenario)
    assert first.outcomes == again.outcomes
    assert first.stage_times == again.stage_times


# -- information that holds up meetings -------------------------------------------------------


def test_the_first_panel_meeting_waits_for_the_agencies_information() -> None:
    """The default scenario's panel meetings wait for the information asked for: it is
    returned and shared in scoping, at least two working days before the meeting that
    starts the panel review (the definition's rule for meetings)."""
    checked = 0
    for index in range(6):
        history = simulated_review(index, seed=6).history
        if T.REQUEST_INFORMATION not in {e.trigger for e in history}:
            continue  # no panel member seated yet when the request was due
        returned = _first(history, T.RETURN_INFORMATION)
        shared = _first(history, T.SHARE_INFORMATION)
        meeting = next(e for e in history if e.trigger == T.HOLD_PANEL_MEETING)
        assert meeting.source == S.SCOPING
        assert meeting.dest == S.PANEL_REVIEW
        assert returned <= shared < meeting.at
        assert CALENDAR.working_days_between(shared.date(), meeting.at.date()) >= 2
        checked += 1
    assert checked >= 4


def test_without_waits_the_information_comes_back_only_when_the_draft_needs_it() -> None:
    history = simulated_review(0, seed=6, scenario=DEFAULT_SCENARIO.evolve(waits_for={})).history
    returned = next(e for e in history if e.trigger == T.RETURN_INFORMATION)
    assert returned.source == S.DRAFTING
    assert T.SHARE_INFORMATION not in {e.trigger for e in history}


def test_agencies_answering_faster_moves_the_results() -> None:
    """The lever analysts found did nothing: with meetings that wait for information,
    halving the agencies' time to answer finishes more reviews on time, sooner."""
    base = simulate(200, seed=1).summary()
    faster = simulate(
        200, seed=1, scenario=DEFAULT_SCENARIO.with_steps(return_information=Duration(2, 5, 15))
    ).summary()
    assert faster["completed on time"] > base["completed on time"] + 0.03
    assert faster["median days to completion"] <= base["median days to completion"]
    stages = "mean working days per stage"
    assert faster[stages]["scoping"] < base[stages]["scoping"] - 2


def test_a_routine_meeting_waits_for_information_then_for_its_lead_time() -> None:
    """A routine meeting due before the information is in waits for the return and for
    its sharing, then, refused until the members have had it two working days, is held
    on that day; the step that leaves the stage follows it."""
    scenario = DEFAULT_SCENARIO.evolve(
        repeats={
            **DEFAULT_SCENARIO.repeats,
            f"{T.REQUEST_INFORMATION}@{S.SCOPING}": Repeat(Duration(0, 0, 0)),
            f"{T.REQUEST_INFORMATION}@{S.PANEL_REVIEW}": Repeat(Duration(1, 1, 1), 1),
            f"{T.HOLD_PANEL_MEETING}@{S.PANEL_REVIEW}": Repeat(Duration(1, 1, 1), 30),
        },
        waits_for={
            f"{T.HOLD_PANEL_MEETING}@{S.PANEL_REVIEW}": [T.RETURN_INFORMATION, T.SHARE_INFORMATION]
        },
        step_days={
            **DEFAULT_SCENARIO.step_days,
            T.RETURN_INFORMATION: Duration(29, 29, 29),
            T.SHARE_INFORMATION: Duration(0, 0, 0),
        },
    )
    history = simulated_review(0, seed=2, scenario=scenario).history
    entered = next(e.at for e in history if e.enters(S.PANEL_REVIEW))
    requested = _first(history, T.REQUEST_INFORMATION)
    returned = _first(history, T.RETURN_INFORMATION)
    shared = _first(history, T.SHARE_INFORMATION)
    meetings = [e for e in history if e.trigger == T.HOLD_PANEL_MEETING and e.source == e.dest]
    drafting = _first(history, T.BEGIN_DRAFTING)
    assert requested.date() == CALENDAR.add_working_days(entered.date(), 1)
    assert returned.date() == CALENDAR.add_working_days(requested.date(), 29)
    assert shared.date() == returned.date()  # shared as soon as it came back
    assert len(meetings) == 1
    assert meetings[0].at.date() == CALENDAR.add_working_days(shared.date(), 2)
    assert drafting >= meetings[0].at


# -- scenario data ------------------------------------------------------------------------------


def test_sittings_and_waits_round_trip_through_json(tmp_path: Path) -> None:
    scenario = DEFAULT_SCENARIO.evolve(
        sittings={**SITTINGS, T.PUBLISH: Sitting(every_weeks=2, anchor=d(2026, 1, 6))}
    )
    data = json.loads(json.dumps(scenario.to_dict()))
    assert data["sittings"][T.CRG_APPROVE] == {"nth": 2, "weekday": "wednesday"}
    assert data["sittings"][T.PUBLISH] == {"every_weeks": 2, "anchor": "2026-01-06"}
    assert data["waits_for"] == {"hold_panel_meeting": ["return_information", "share_information"]}
    assert Scenario.from_dict(data) == scenario
    text = {
        "sittings": {"crg_approve": {"nth": 1, "weekday": "Tuesday"}},
        "waits_for": {"hold_panel_meeting@panel_review": ["return_information"]},
    }
    merged = DEFAULT_SCENARIO.merged(text)
    assert merged.sitting("crg_approve", "crp_agreed") == Sitting(nth=1, weekday="tuesday")
    assert merged.awaits("hold_panel_meeting", "panel_review") == ("return_information",)
    assert (
        merged.awaits("hold_panel_meeting", "scoping")
        == DEFAULT_SCENARIO.waits_for[T.HOLD_PANEL_MEETING]
    )
    with pytest.raises(ValueError, match="a list of triggers"):
        Scenario.from_dict({"waits_for": {"hold_panel_meeting": "return_information"}})
    with pytest.raises(ValueError, match="nth is 1, 2, 3, 4 or -1"):
        Scenario.from_dict({"sittings": {"crg_approve": {"nth": 0, "weekday": "monday"}}})
    with pytest.raises(
        ValueError, match=r"anchor is a date: a date, or text such as 2026-01-08 \[scenario\]"
    ):
        Scenario.from_dict({"sittings": {"crg_approve": {"every_weeks": 4, "anchor": "8 Jan"}}})
    with pytest.raises(
        ValueError, match=r"sittings\['crg_approve'\]: a sitting is a Sitting or an object"
    ):
        Scenario.from_dict({"sittings": {"crg_approve": 3}})
    off = DEFAULT_SCENARIO.merged({"waits_for": {"hold_panel_meeting": []}})
    assert off.awaits("hold_panel_meeting", "scoping") == ()
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(text))
    assert main(["simulate", "--reviews", "3", "--seed", "1", "--scenario", str(path)]) == 0


def test_a_sitting_or_a_wait_must_fit_the_definition() -> None:
    scenario = Scenario(
        sittings={"crg_aprove": CRG, "crg_approve@crg_aproved": CRG},
        waits_for={"hold_panel_meeting": ["return_info"], "hold_meeting": []},
    )
    problems = [
        str(p)
        for p in scenario.problems(
            {s.name for s in DEFAULT_DEFINITION.stages},
            {t.name for t in DEFAULT_DEFINITION.triggers},
        )
    ]
    assert any("scenario.sittings['crg_aprove']" in p and "unknown trigger" in p for p in problems)
    assert any("unknown stage 'crg_aproved'" in p for p in problems)
    assert any("waits for unknown trigger 'return_info'" in p for p in problems)
    assert any("scenario.waits_for['hold_meeting']" in p for p in problems)
    assert len(problems) == 4
    with pytest.raises(SimulationError, match=r"scenario.sittings\['crg_aprove'\]"):
        simulate(1, seed=1, scenario=DEFAULT_SCENARIO.evolve(sittings={"crg_aprove": CRG}))


def test_renaming_a_definition_renames_its_sittings_and_waits() -> None:
    with_sittings = DEFAULT_DEFINITION.evolve(scenario=DEFAULT_SCENARIO.evolve(sittings=SITTINGS))
    renamed = with_sittings.rename(
        triggers={T.RETURN_INFORMATION: "send_information", T.CRG_APPROVE: "board_endorse"},
        stages={S.CRP_AGREED: "panel_agreed"},
    )
    scenario = renamed.scenario
    assert scenario is not None
    assert scenario.waits_for[T.HOLD_PANEL_MEETING] == ("send_information", "share_information")
    assert scenario.sittings["board_endorse"] == CRG
    assert scenario.sittings["return_to_drafting@panel_agreed"] == CRG
    review = simulated_review(0, seed=1, definition=renamed)
    assert "send_information" in {e.trigger for e in review.history}


def test_an_empty_scenario_neither_sits_nor_waits() -> None:
    assert Scenario().sittings == {}
    assert Scenario().waits_for == {}
    assert Scenario().sitting("crg_approve", "crp_agreed") is None
    assert Scenario().awaits("hold_panel_meeting", "scoping") == ()
