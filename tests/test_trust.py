"""The trust contract: time is real time, what is stored is what happened, bad input is refused."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest

from cspr_workflow import DEFAULT_DEFINITION, Review, TimeWentBackwards, Trigger
from cspr_workflow._oracle import violations
from cspr_workflow.persistence import dumps, loads, replay
from cspr_workflow.verification import history_forward

from .builders import WHO

T = Trigger
UTC = dt.UTC

# The last Sundays of March (clocks go forward at 01:00 UTC) and of October (clocks go
# back at 01:00 UTC), for several years.
CHANGES = {
    2026: (29, 25),
    2027: (28, 31),
    2028: (26, 29),
    2029: (25, 28),
    2030: (31, 27),
}


def _opened_before(at: dt.datetime) -> Review:
    return Review.open("Child A", aware_at=at - dt.timedelta(hours=2))


def _notify(review: Review, at: dt.datetime) -> None:
    review.fire(T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=at)


def _submit(review: Review, at: dt.datetime) -> None:
    review.fire(
        T.SUBMIT_RAPID_REVIEW, by=WHO["pdeo"], at=at, kloes=["KLOE 1"], agencies=["Police"]
    )


class TestInstantsAreComparedAsInstants:
    """Invariant: time never runs backwards, judged by the instant, not the wall clock."""

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_an_earlier_step_in_the_autumn_repeated_hour_is_refused(self, year: int) -> None:
        day = CHANGES[year][1]
        first = dt.datetime(year, 10, day, 1, 10, tzinfo=UTC)  # 01:10 GMT, the second 01:10
        earlier = dt.datetime(year, 10, day, 0, 50, tzinfo=UTC)  # 01:50 BST, 20 minutes before
        review = _opened_before(first)
        _notify(review, first)
        with pytest.raises(TimeWentBackwards, match="time never runs backwards"):
            _submit(review, earlier)
        assert len(review.history) == 1

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_later_step_in_the_autumn_repeated_hour_is_accepted(self, year: int) -> None:
        day = CHANGES[year][1]
        first = dt.datetime(year, 10, day, 0, 30, tzinfo=UTC)  # 01:30 BST
        later = dt.datetime(year, 10, day, 1, 10, tzinfo=UTC)  # 01:10 GMT, 40 minutes on
        review = _opened_before(first)
        _notify(review, first)
        _submit(review, later)
        entries = review.history
        assert entries[-1].at.timestamp() - entries[-2].at.timestamp() == 40 * 60
        assert [e.at.isoformat() for e in entries] == [
            f"{year}-10-{day:02d}T01:30:00+01:00",
            f"{year}-10-{day:02d}T01:10:00+00:00",
        ]
        # The stored document reads back, replays and satisfies the forward property.
        again = loads(dumps(review))
        assert dumps(replay(again)) == dumps(review)
        assert violations(DEFAULT_DEFINITION, review.state, [history_forward()]) == ()

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_step_put_back_in_time_is_caught_by_the_forward_property(self, year: int) -> None:
        day = CHANGES[year][1]
        review = _opened_before(dt.datetime(year, 10, day, 0, 0, tzinfo=UTC))
        _notify(review, dt.datetime(year, 10, day, 1, 10, tzinfo=UTC))
        _submit(review, dt.datetime(year, 10, day, 1, 20, tzinfo=UTC))
        first, second = review.history
        back = dt.datetime(year, 10, day, 0, 50, tzinfo=UTC)  # 01:50 BST
        moved = attrs.evolve(second, at=pendulum.instance(back).in_timezone("Europe/London"))
        state = attrs.evolve(review.state, history=(first, moved))
        found = violations(DEFAULT_DEFINITION, state, [history_forward()])
        assert [v.message for v in found] == ["the step is dated before the one it follows"]

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_document_written_out_of_order_in_the_repeated_hour_is_refused(
        self, year: int
    ) -> None:
        day = CHANGES[year][1]
        review = _opened_before(dt.datetime(year, 10, day, 0, 0, tzinfo=UTC))
        _notify(review, dt.datetime(year, 10, day, 0, 30, tzinfo=UTC))  # 01:30 BST
        _submit(review, dt.datetime(year, 10, day, 1, 10, tzinfo=UTC))  # 01:10 GMT
        document = json.loads(dumps(review))
        assert loads(json.dumps(document)).history == review.history
        # The same wall clocks with the occurrences swapped: 01:30 GMT then 01:10 BST.
        document["review"]["history"][0]["at"] = f"{year}-10-{day:02d}T01:30:00+00:00"
        document["review"]["history"][1]["at"] = f"{year}-10-{day:02d}T01:10:00+01:00"
        with pytest.raises(Exception, match="earlier than the step before it"):
            loads(json.dumps(document))

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_steps_either_side_of_the_spring_change_keep_their_order(self, year: int) -> None:
        day = CHANGES[year][0]
        first = dt.datetime(year, 3, day, 0, 59, tzinfo=UTC)  # 00:59 GMT
        second = dt.datetime(year, 3, day, 1, 0, tzinfo=UTC)  # 02:00 BST, a minute later
        review = _opened_before(first)
        _notify(review, first)
        _submit(review, second)
        assert [e.at.hour for e in review.history] == [0, 2]
        with pytest.raises(TimeWentBackwards):
            review.fire(T.COMMISSION_REVIEW, by=WHO["executive"], at=first, reason="Criteria met")

    @pytest.mark.parametrize("year", sorted(CHANGES))
    def test_a_time_in_the_spring_gap_means_what_python_says(self, year: int) -> None:
        day = CHANGES[year][0]
        gap = dt.datetime(year, 3, day, 1, 30, tzinfo=ZoneInfo("Europe/London"))
        review = _opened_before(gap.astimezone(UTC))
        _notify(review, gap)
        recorded = review.history[-1].at
        assert recorded.timestamp() == gap.timestamp()
        assert recorded == gap.astimezone(UTC)

    @pytest.mark.parametrize("fold", [0, 1])
    def test_the_repeated_hour_read_by_fold(self, fold: int) -> None:
        local = dt.datetime(2026, 10, 25, 1, 30, fold=fold, tzinfo=ZoneInfo("Europe/London"))
        review = _opened_before(local.astimezone(UTC))
        _notify(review, local)
        assert review.history[-1].at.timestamp() == local.timestamp()
        assert review.history[-1].at.utcoffset() == local.utcoffset()

    def test_a_document_instant_in_another_offset_is_refused_clearly(self) -> None:
        review = _opened_before(dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
        _notify(review, dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
        document = json.loads(dumps(review))
        assert document["review"]["history"][0]["at"] == "2026-07-01T10:00:00+01:00"
        document["review"]["history"][0]["at"] = "2026-07-01T09:00:00+00:00"  # the same instant
        with pytest.raises(Exception, match="not written in Europe/London time"):
            loads(json.dumps(document))
