"""Shared Hypothesis strategies."""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import strategies as st

from cspr_workflow import Actor, Role

LONDON = pendulum.timezone("Europe/London")

instants = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
).map(lambda d: pendulum.instance(d).in_timezone(LONDON))

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)).map(
    lambda d: pendulum.Date(d.year, d.month, d.day)
)

agencies = st.sampled_from(["Police", "Health", "Education", "Probation"])

actors = st.builds(
    lambda role, agency, name, substitute: Actor(
        name,
        role,
        agency=agency if role is Role.PANEL_MEMBER else None,
        substitute=substitute and role is Role.PANEL_MEMBER,
    ),
    st.sampled_from([r for r in Role if not r.recipient_only]),
    agencies,
    st.sampled_from(["Panel chair", "Independent reviewer", "Police DCI", "Someone else"]),
    st.booleans(),
)
