"""Explicit, timezone-aware time: instants in Europe/London, dates, month arithmetic."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import pendulum

from ._errors import InvalidTime

__all__ = ["Clock"]

LONDON = pendulum.timezone("Europe/London")

Clock = Callable[[], pendulum.DateTime]
"""A source of the current instant, injected where ``at=`` is not given."""


def as_instant(value: object, what: str = "at") -> pendulum.DateTime:
    """Return ``value`` as a pendulum instant in Europe/London, refusing naive values.

    The instant is the one Python itself reads from ``value`` (``value.astimezone(UTC)``),
    so a wall-clock time that does not exist in the zone it names (the spring gap), or
    occurs twice (the autumn hour, told apart by ``fold``), means what Python says it does.
    """
    if type(value) is pendulum.DateTime and value.tzinfo is LONDON:
        return value  # the common case: already an instant in London
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise InvalidTime(what, value)
        if isinstance(value, pendulum.DateTime) and value.tzinfo == LONDON:
            return value
        try:
            return pendulum.instance(value.astimezone(_dt.UTC)).in_timezone(LONDON)
        except OverflowError:  # year 1 or 9999 in a far zone: no such instant in UTC
            raise InvalidTime(what, value, "outside the years Python can hold in UTC") from None
    raise InvalidTime(what, value)


def before(a: _dt.datetime, b: _dt.datetime) -> bool:
    """True when instant ``a`` comes before instant ``b``.

    Instants are compared as instants (in UTC): Python compares two times of the same
    zone by their wall clocks, so in the autumn's repeated hour 01:50 BST would wrongly
    come after 01:10 GMT, twenty minutes later.
    """
    return a.timestamp() < b.timestamp()


def later(a: pendulum.DateTime, b: pendulum.DateTime) -> pendulum.DateTime:
    """The later of two instants, compared as instants (see :func:`before`)."""
    return b if before(a, b) else a


def as_date(value: object, what: str = "date") -> pendulum.Date:
    """Return ``value`` as a date: a date, an aware instant (its London date) or ISO text."""
    if isinstance(value, _dt.datetime):
        return as_instant(value, what).date()
    if isinstance(value, _dt.date):
        return pendulum.Date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            parsed = _dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidTime(what, value) from None
        return pendulum.Date(parsed.year, parsed.month, parsed.day)
    raise InvalidTime(what, value)


def add_months(date: pendulum.Date, months: int) -> pendulum.Date:
    """Add calendar months, clamping at month end (31 Aug + 6 months = 28/29 Feb)."""
    return date.add(months=months)
