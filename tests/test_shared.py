"""People shared by a partnership's concurrent reviews: a review waits for a free one."""

from __future__ import annotations

import itertools

import pytest

from cspr_workflow import Review, simulate
from cspr_workflow.errors import SimulationError
from cspr_workflow.practice import DEFAULT_SCENARIO
from cspr_workflow.simulation import Scenario, Shared, simulated_review

BLOCK = ("scoping", "panel_review", "drafting", "fact_check")


def sharing(people: int, reviews: int = 6) -> Scenario:
    return DEFAULT_SCENARIO.evolve(
        shared={"lead reviewers": Shared(people, BLOCK)}, partnership_reviews=reviews
    )


def _work(review: Review) -> list[tuple[object, object]]:
    """Each stretch of work in the shared stages: (first step taken there, step out)."""
    spans, start = [], None
    for entry in review.history:
        if entry.source in BLOCK and start is None:
            start = entry.at
        if entry.source in BLOCK and entry.dest not in BLOCK:
            spans.append((start, entry.at))
            start = None
    return spans


def test_one_reviewer_takes_one_review_at_a_time() -> None:
    scenario = sharing(1)
    spans = sorted(
        span for i in range(6) for span in _work(simulated_review(i, seed=4, scenario=scenario))
    )
    assert len(spans) >= 6
    for (_, left), (started, _) in itertools.pairwise(spans):
        assert started >= left  # the next review's work starts when the reviewer is free
    alone = sorted(span for i in range(6) for span in _work(simulated_review(i, seed=4)))
    assert any(b[0] < a[1] for a, b in itertools.pairwise(alone))  # unshared, they overlap
    waited = simulate(6, seed=4, scenario=scenario).outcomes
    assert sum(o.days_to_completion for o in waited) > sum(
        o.days_to_completion for o in simulate(6, seed=4).outcomes
    )


def test_more_people_less_waiting() -> None:
    medians = [
        simulate(24, seed=2, scenario=sharing(people, 8)).summary()["median days to completion"]
        for people in (1, 2, 4)
    ]
    assert medians[0] > medians[1] > medians[2]
    # with as many people as reviews, nobody waits: the same as not sharing at all
    assert simulate(16, seed=2, scenario=sharing(8, 8)).outcomes == simulate(16, seed=2).outcomes


def test_a_partnerships_reviews_are_its_own() -> None:
    """Partnerships of six: review 6 starts a new one, whose people are all free."""
    scenario = sharing(1)
    together = simulate(12, seed=4, scenario=scenario)
    second = [o for o in together.outcomes if o.review >= 6]
    assert [o.completed for o in second] == [
        simulated_review(i, seed=4, scenario=scenario)
        .definition.policy.completion.stopped_at(
            simulated_review(i, seed=4, scenario=scenario).state
        )
        .date()
        for i in range(6, 12)
    ]


def test_the_same_seed_the_same_results_in_chunks() -> None:
    from cspr_workflow._simulate import _START, _chunk
    from cspr_workflow.default import DEFAULT_DEFINITION

    scenario = sharing(2, 4)
    whole = simulate(8, seed=9, scenario=scenario).outcomes
    parts = _chunk((range(4), 9, scenario, DEFAULT_DEFINITION, _START)) + _chunk(
        (range(4, 8), 9, scenario, DEFAULT_DEFINITION, _START)
    )
    assert tuple(o for o, _ in parts) == whole


def test_shared_people_are_checked() -> None:
    with pytest.raises(ValueError, match="need partnership_reviews"):
        Scenario(shared={"lead reviewers": Shared(2, BLOCK)})
    with pytest.raises(ValueError, match="at least 1"):
        Shared(0, BLOCK)
    with pytest.raises(ValueError, match="a list of stages"):
        Shared(1, "drafting")  # type: ignore[arg-type]
    wrong = DEFAULT_SCENARIO.evolve(
        shared={"lead reviewers": Shared(1, ("draftin",))}, partnership_reviews=4
    )
    with pytest.raises(SimulationError, match=r"scenario.shared\['lead reviewers'\].*draftin"):
        simulate(2, scenario=wrong)
    data = sharing(2).to_dict()
    assert data["shared"] == {"lead reviewers": {"people": 2, "stages": list(BLOCK)}}
    assert data["partnership_reviews"] == 6
    assert Scenario.from_dict(data) == sharing(2)
