"""Working days: Monday to Friday, less the bank holidays of a jurisdiction.

The default calendar is England and Wales, built from the ``holidays`` package
(which works offline: nothing is fetched at run time), substitute days and
one-off holidays included. The calendar is a parameter of the policy, so a
partnership elsewhere passes its own.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping

import attrs
import pendulum

from ._args import check_arg, check_many
from ._errors import CalendarRangeError, InvalidInput

__all__ = ["WorkingDayCalendar"]


def _as_date(value: _dt.date) -> _dt.date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise InvalidInput(
            "holidays",
            "argument_type",
            f"expected dates, got a {type(value).__name__}",
            "Pass dates (an instant's local date), not date-times.",
        )
    return _dt.date(value.year, value.month, value.day)


def _freeze(value: Mapping[_dt.date, str]) -> Mapping[_dt.date, str]:
    if isinstance(value, _Deferred):
        return value
    return dict(sorted((_as_date(d), name) for d, name in value.items()))


class _Deferred(Mapping[_dt.date, str]):
    """Holidays read when first asked for: the ``holidays`` package imports every
    country's rules, which would otherwise be paid by every program that imports this
    library (and by each simulation worker) before it needs a single working day."""

    def __init__(self, load: Callable[[], Mapping[_dt.date, str]]) -> None:
        self._load = load
        self._data: Mapping[_dt.date, str] | None = None

    def _loaded(self) -> Mapping[_dt.date, str]:
        if self._data is None:
            self._data = _freeze(self._load())
        return self._data

    def __getitem__(self, date: _dt.date) -> str:
        return self._loaded()[date]

    def __iter__(self) -> Iterator[_dt.date]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __contains__(self, date: object) -> bool:
        return date in self._loaded()


@attrs.frozen(eq=False)
class WorkingDayCalendar:
    """Working days of one jurisdiction, for the years it knows.

    Day 0 is the day something happened; "N working days after" is the Nth
    working day after it.

    >>> cal = WorkingDayCalendar.england_and_wales()
    >>> cal.add_working_days(pendulum.date(2026, 8, 27), 2)   # Thu; Mon 31 Aug is a holiday
    Date(2026, 9, 1)
    >>> cal.holiday(pendulum.date(2026, 12, 28))
    'Boxing Day (observed)'
    """

    name: str
    holidays: Mapping[_dt.date, str] = attrs.field(converter=_freeze, repr=False)
    first_year: int
    last_year: int
    _source: str | Callable[[], str] = attrs.field(default="given", repr=False)
    _first: int = attrs.field(init=False, repr=False)
    _table: list[int] | None = attrs.field(init=False, repr=False, default=None)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_first", _dt.date(self.first_year, 1, 1).toordinal())

    @property
    def _counts(self) -> list[int]:
        """The working days counted once (when first needed), so that adding and
        counting them is a lookup."""
        if self._table is None:
            last = _dt.date(self.last_year, 12, 31).toordinal()
            holidays = dict(self.holidays)
            counts, total = [], 0
            for ordinal in range(self._first, last + 1):
                day = _dt.date.fromordinal(ordinal)
                if day.weekday() < 5 and day not in holidays:
                    total += 1
                counts.append(total)
            object.__setattr__(self, "_table", counts)
            return counts
        return self._table

    @classmethod
    def from_holidays_package(
        cls,
        country: str = "GB",
        subdiv: str | None = "ENG",
        *,
        name: str | None = None,
        years: Iterable[int] = range(1990, 2101),
    ) -> WorkingDayCalendar:
        """A calendar from the ``holidays`` package's data for ``country``/``subdiv``."""
        import holidays as holidays_package

        check_arg("country", country, str, "a country code, such as 'GB'")
        check_arg("subdiv", subdiv, str, "a subdivision code, such as 'ENG'", optional=True)
        check_many("years", years, "whole-number years, such as range(1990, 2101)")
        years = sorted(set(years))
        for year in years:
            check_arg("years", year, int, "whole-number years")
        if not years:
            raise InvalidInput("years", "calendar_years", "no years given", "Pass at least one.")
        try:
            data = holidays_package.country_holidays(country, subdiv=subdiv, years=years)
        except NotImplementedError as error:
            raise InvalidInput(
                "country",
                "calendar_country",
                f"the holidays package has no calendar for it ({error})",
                "Use a country and subdivision the holidays package knows (GB and ENG, say).",
            ) from None
        version = getattr(holidays_package, "__version__", "unknown")
        return cls(
            name=name or (f"{country}-{subdiv}" if subdiv else country),
            holidays={d: str(n) for d, n in data.items()},
            first_year=years[0],
            last_year=years[-1],
            source=f"holidays {version} ({country}{'/' + subdiv if subdiv else ''})",
        )

    @classmethod
    def england_and_wales(cls) -> WorkingDayCalendar:
        """England and Wales bank holidays (shared by both), 1990-2100 (years to come as the
        ``holidays`` package projects them from today's rules), read from the package
        when first needed."""
        return _england_and_wales()

    def covers(self, date: _dt.date) -> bool:
        """True when ``date`` falls in the years the calendar knows."""
        return self.first_year <= date.year <= self.last_year

    def _check(self, date: _dt.date, argument: str = "date") -> None:
        if not isinstance(date, _dt.date) or isinstance(date, _dt.datetime):
            check_arg(argument, date, _dt.date, "a date (not a date-time)")
            raise InvalidInput(
                argument,
                "argument_type",
                "expected a date, got a date-time",
                "Pass the instant's local date (.date()).",
            )
        if not self.first_year <= date.year <= self.last_year:
            raise CalendarRangeError(self.name, date.isoformat(), self.first_year, self.last_year)

    def holiday(self, date: _dt.date) -> str | None:
        """The bank holiday on ``date``, if any."""
        self._check(date)
        return self.holidays.get(_as_date(date))

    def is_working_day(self, date: _dt.date) -> bool:
        """Monday to Friday and not a bank holiday."""
        self._check(date)
        return date.weekday() < 5 and _as_date(date) not in self.holidays

    def _index(self, date: _dt.date) -> int:
        self._check(date)
        return date.toordinal() - self._first

    def _date_at(self, index: int) -> pendulum.Date:
        if not 0 <= index < len(self._counts):
            beyond = _dt.date(self.first_year if index < 0 else self.last_year + 1, 1, 1)
            raise CalendarRangeError(
                self.name, beyond.isoformat(), self.first_year, self.last_year
            )
        day = _dt.date.fromordinal(self._first + index)
        return pendulum.Date(day.year, day.month, day.day)

    def add_working_days(self, date: _dt.date, days: int) -> pendulum.Date:
        """The ``days``-th working day after ``date`` (``date`` itself for 0).

        Negative ``days`` count back: the ``-days``-th working day before.
        """
        check_arg("days", days, int, "a whole number of working days")
        i = self._index(date)
        counts = self._counts
        if days == 0:
            return pendulum.Date(date.year, date.month, date.day)
        # counts[k] is the number of working days from the calendar's first day to day k,
        # inclusive: the n-th working day after day i is the first k with counts[k] =
        # counts[i] + n; the n-th before is the first with counts[k] = counts[i - 1] - n + 1.
        before = counts[i - 1] if i > 0 else 0
        target = counts[i] + days if days > 0 else before + days + 1
        return self._date_at(bisect.bisect_left(counts, target) if target >= 1 else -1)

    def working_days_between(self, start: _dt.date, end: _dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is earlier).

        ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        self._check(start, "start")
        self._check(end, "end")
        return self._counts[self._index(end)] - self._counts[self._index(start)]

    @property
    def source(self) -> str:
        """Where the holidays come from, for provenance (``source=`` when made: text, or a
        function giving it when first asked, as the default calendar's reads the
        ``holidays`` package's installed version then rather than at import)."""
        return self._source if isinstance(self._source, str) else self._source()

    def describe(self) -> str:
        """Name and source, for provenance."""
        return f"{self.name} working days: Monday-Friday less bank holidays ({self.source})"


@functools.cache
def _england_and_wales() -> WorkingDayCalendar:
    years = range(1990, 2101)
    return WorkingDayCalendar(
        name="England and Wales",
        holidays=_Deferred(functools.partial(_package_holidays, "GB", "ENG", years)),
        first_year=years[0],
        last_year=years[-1],
        source=functools.partial(_installed, "holidays", "GB/ENG"),
    )


def _installed(package: str, data: str) -> str:
    """``package``'s name and installed version, then ``data`` in brackets (a module-level
    function, read when first asked: importing importlib.metadata would add about a tenth
    to this library's import)."""
    import importlib.metadata

    return f"{package} {importlib.metadata.version(package)} ({data})"


def _package_holidays(country: str, subdiv: str, years: range) -> Mapping[_dt.date, str]:
    """The ``holidays`` package's holidays (a module-level function: a calendar still
    deferring them can be sent to a simulation worker)."""
    return WorkingDayCalendar.from_holidays_package(country, subdiv, years=years).holidays
