"""Explicit, timezone-aware time and month arithmetic."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cspr_workflow._time import add_months, as_date, as_instant
from cspr_workflow.errors import InvalidTime

from .strategies import dates, instants


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),
        ("2027-08-31", 6, "2028-02-29"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-03-31", 6, "2026-09-30"),
        ("2026-01-26", 6, "2026-07-26"),
        ("2026-12-15", 6, "2027-06-15"),
    ],
)
def test_months_clamp_at_month_end(start: str, months: int, expected: str) -> None:
    assert add_months(as_date(start), months) == as_date(expected)


@given(dates, st.integers(min_value=1, max_value=24))
def test_adding_months_keeps_the_day_or_clamps(date: pendulum.Date, months: int) -> None:
    result = add_months(date, months)
    assert (result.year * 12 + result.month) - (date.year * 12 + date.month) == months
    assert result.day == min(date.day, result.days_in_month)


@given(instants)
def test_instants_round_trip_into_london(instant: pendulum.DateTime) -> None:
    london = as_instant(instant.in_timezone("UTC"))
    assert london == instant
    assert london.timezone_name == "Europe/London"


def test_clock_change_instants_either_side() -> None:
    before = as_instant(dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC))
    after = as_instant(dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC))
    assert (before.hour, after.hour) == (0, 2)
    assert before.date() == after.date() == pendulum.date(2026, 3, 29)
    autumn = as_instant(dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC))
    assert autumn.date() == pendulum.date(2026, 10, 25)


def test_naive_and_non_times_are_refused() -> None:
    with pytest.raises(InvalidTime, match="without a time zone"):
        as_instant(dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(InvalidTime, match="got str instead"):
        as_instant("2026-01-01")
    with pytest.raises(InvalidTime):
        as_date("31/01/2026")
    with pytest.raises(InvalidTime):
        as_date(20260131)


def test_dates_from_instants_use_the_london_day() -> None:
    late_utc = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert as_date(late_utc) == pendulum.date(2026, 7, 1)
    assert as_date(dt.date(2026, 7, 1)) == pendulum.date(2026, 7, 1)


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001 (Hypothesis wants naive bounds)
        max_value=dt.datetime(2100, 12, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    )
)
@example(dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))  # 01:30 BST, the first 01:30
@example(dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC))  # 01:30 GMT, the second
@example(dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC))  # 02:00 BST, just after the gap
@example(dt.datetime(1941, 5, 4, 1, 0, tzinfo=dt.UTC))  # double summer time
def test_documents_read_an_instant_back_exactly(moment: dt.datetime) -> None:
    """A document's instant (London's offset) reads back as the instant as_instant gives:
    the same wall time, offset and fold, in the autumn's repeated hour too."""
    from cspr_workflow._codec import _instant  # the converter's reader of instants

    instant = as_instant(moment)
    back = _instant(instant.isoformat(), None)
    assert back == instant
    assert back.isoformat() == instant.isoformat()
    assert back.fold == instant.fold
    assert type(back) is type(instant)
    assert back.tzinfo is instant.tzinfo


@pytest.mark.parametrize(
    "text",
    [
        "2026-06-01T09:00:00+00:00",  # summer: London is +01:00
        "2026-03-29T01:30:00+01:00",  # the spring gap: no such London wall time
        "2026-03-29T01:30:00+00:00",
        "2026-01-05T09:00:00-05:00",
    ],
)
def test_documents_refuse_an_instant_not_in_londons_offset(text: str) -> None:
    from cspr_workflow._codec import _instant

    with pytest.raises(ValueError, match="not written in Europe/London time"):
        _instant(text, None)
