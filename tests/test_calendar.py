"""The working-day calendar: England and Wales bank holidays, and working-day arithmetic."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
import sys

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cspr_workflow.clocks import WorkingDayCalendar
from cspr_workflow.errors import CalendarRangeError, InvalidInput

from .strategies import dates

EW = WorkingDayCalendar.england_and_wales()

# England and Wales bank holidays, written out from the published lists, including
# substitute days and one-off holidays.
BANK_HOLIDAYS = {
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: [
        "01-03",
        "04-15",
        "04-18",
        "05-02",
        "06-02",
        "06-03",
        "08-29",
        "09-19",
        "12-26",
        "12-27",
    ],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_weekday_bank_holidays_of_real_years(year: int) -> None:
    expected = {pendulum.parse(f"{year}-{md}").date() for md in BANK_HOLIDAYS[year]}
    day = pendulum.date(year, 1, 1)
    found = set()
    while day.year == year:
        if day.weekday() < 5 and not EW.is_working_day(day):
            found.add(day)
        day = day.add(days=1)
    assert found == expected


@pytest.mark.parametrize(
    ("date", "name"),
    [
        ("2020-05-08", "May Day"),  # moved for VE Day's 75th anniversary
        ("2022-06-03", "Platinum Jubilee of Elizabeth II"),
        ("2022-09-19", "State Funeral of Queen Elizabeth II"),
        ("2023-05-08", "Coronation of Charles III"),
        ("2026-12-28", "Boxing Day (observed)"),
        ("2022-01-03", "New Year's Day (observed)"),
    ],
)
def test_one_offs_and_substitute_days(date: str, name: str) -> None:
    assert EW.holiday(pendulum.parse(date).date()) == name


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-01-05", 5, "2026-01-12"),  # Mon + 5 = next Mon
        ("2026-01-07", 15, "2026-01-28"),
        ("2026-04-02", 1, "2026-04-07"),  # Good Friday and Easter Monday skipped
        ("2026-12-23", 3, "2026-12-30"),  # Christmas, Boxing Day (observed)
        ("2026-08-28", 1, "2026-09-01"),  # Fri; Mon is the late summer holiday
        ("2026-08-29", 0, "2026-08-29"),  # day 0 is the trigger day, even a Saturday
    ],
)
def test_add_working_days(start: str, days: int, expected: str) -> None:
    assert (
        EW.add_working_days(pendulum.parse(start).date(), days) == pendulum.parse(expected).date()
    )


@given(dates, st.integers(min_value=1, max_value=60))
def test_adding_lands_on_a_working_day_and_counting_back_gives_n(date, n: int) -> None:
    due = EW.add_working_days(date, n)
    assert EW.is_working_day(due)
    assert EW.working_days_between(date, due) == n
    assert EW.working_days_between(due, date) == -n
    assert EW.add_working_days(due, -n) <= date


@given(dates, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_adding_is_monotonic_in_n(date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert EW.add_working_days(date, low) <= EW.add_working_days(date, high)
    if low < high:
        assert EW.add_working_days(date, low) < EW.add_working_days(date, high)


@given(dates, dates)
def test_counting_is_antisymmetric(a, b) -> None:
    assert EW.working_days_between(a, b) == -EW.working_days_between(b, a)


def test_wales_shares_england_and_scotland_differs() -> None:
    wales = WorkingDayCalendar.from_holidays_package(
        "GB", "WLS", name="Wales", years=range(2026, 2027)
    )
    scotland = WorkingDayCalendar.from_holidays_package(
        "GB", "SCT", name="Scotland", years=range(2026, 2027)
    )
    jan2 = pendulum.date(2026, 1, 2)
    assert wales.is_working_day(jan2)
    assert not scotland.is_working_day(jan2)
    assert "holidays" in scotland.source


def test_a_calendar_of_your_own() -> None:
    local = WorkingDayCalendar("Island", {dt.date(2026, 7, 6): "Island Day"}, 2026, 2026)
    assert not local.is_working_day(pendulum.date(2026, 7, 6))
    assert local.add_working_days(pendulum.date(2026, 7, 3), 1) == pendulum.date(2026, 7, 7)


def test_the_default_calendar_names_its_source_when_asked() -> None:
    default = WorkingDayCalendar.england_and_wales()
    installed = importlib.metadata.version("holidays")
    assert default.source == f"holidays {installed} (GB/ENG)"
    assert f"({default.source})" in default.describe()
    given_later = WorkingDayCalendar("Island", {}, 2026, 2026, source=lambda: "the island's")
    assert given_later.source == "the island's"
    assert WorkingDayCalendar("Island", {}, 2026, 2026).source == "given"


def test_importing_the_library_leaves_cattrs_and_package_metadata_for_later() -> None:
    """What only loading, writing or describing needs is imported then (a fresh process:
    this one has long imported both)."""
    later = "{'cattrs', 'importlib.metadata', 'holidays', 'sqlalchemy'}"
    code = f"import sys, cspr_workflow; print(sorted({later} & set(sys.modules)))"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "[]"


def test_dates_outside_the_calendar_are_refused() -> None:
    local = WorkingDayCalendar("Island", {}, 2026, 2026)
    with pytest.raises(CalendarRangeError, match="2026-2026 only"):
        local.add_working_days(pendulum.date(2026, 12, 31), 1)


def test_instants_are_refused_where_dates_are_meant() -> None:
    with pytest.raises(InvalidInput, match=r"^holidays: expected dates, got a datetime") as e:
        WorkingDayCalendar("X", {dt.datetime(2026, 1, 1, tzinfo=dt.UTC): "x"}, 2026, 2026)
    assert isinstance(e.value, TypeError)  # (what it raised before it was an InvalidInput)


def test_a_date_time_is_refused_where_a_day_is_counted() -> None:
    monday_morning = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")
    with pytest.raises(InvalidInput, match="expected a date, got a date-time"):
        EW.is_working_day(monday_morning)
    with pytest.raises(InvalidInput, match="got a date-time"):
        EW.add_working_days(monday_morning, 1)


def test_a_calendar_covers_its_first_and_last_years_whole() -> None:
    local = WorkingDayCalendar("Island", {}, 2025, 2026)
    assert local.covers(dt.date(2025, 1, 1))
    assert local.covers(dt.date(2026, 12, 31))
    assert not local.covers(dt.date(2024, 12, 31))
    assert not local.covers(dt.date(2027, 1, 1))


def _naive_add(cal: WorkingDayCalendar, date: dt.date, days: int) -> dt.date:
    """Day by day, as the rule reads: the reference the fast lookup must agree with."""
    step = 1 if days >= 0 else -1
    remaining, current = abs(days), date
    while remaining:
        current += dt.timedelta(days=step)
        if cal.is_working_day(current):
            remaining -= 1
    return current


@given(
    st.dates(min_value=dt.date(2000, 1, 10), max_value=dt.date(2060, 12, 20)),
    st.integers(min_value=-400, max_value=400),
)
def test_lookup_agrees_with_counting_day_by_day(date: dt.date, days: int) -> None:
    cal = WorkingDayCalendar.england_and_wales()
    expected = _naive_add(cal, date, days)
    assert cal.add_working_days(date, days) == expected
    naive_between = sum(
        1
        for n in range(1, abs((expected - date).days) + 1)
        if cal.is_working_day(min(date, expected) + dt.timedelta(days=n))
    )
    assert abs(cal.working_days_between(date, expected)) == naive_between


def test_adding_past_the_known_years_is_refused() -> None:
    cal = WorkingDayCalendar.from_holidays_package(years=range(2026, 2027))
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(dt.date(2026, 12, 30), 5)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(dt.date(2026, 1, 2), -5)
    assert cal.add_working_days(dt.date(2026, 12, 30), 1) == dt.date(2026, 12, 31)
