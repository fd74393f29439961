"""Shared Hypothesis strategies."""

from __future__ import annotations

import datetime as dt
import random

import pendulum
from hypothesis import strategies as st

from cspr_workflow import Actor, Review, Role, TransitionRefused
from cspr_workflow._verify import candidate_steps

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


def walk(seed: int, steps: int) -> Review:
    """A review driven by ``steps`` random steps the engine allows, from a seeded start.

    Each step tries the candidates the verifier would try (every trigger the stage
    offers, by every role allowed, with example details) in a random order, moving
    the stage on first half the time, and lets time pass now and then (sometimes
    past the completion due date, after which only a delay notice helps).
    """
    rng = random.Random(seed)
    review = Review.open("Child A", aware_at=pendulum.datetime(2026, 1, 5, 9, tz=LONDON))
    now = review.state.last_at
    for _ in range(steps):
        if review.is_final:
            break
        if rng.random() < 0.15:
            now = now.add(days=rng.choice((1, 3, 10, 40, 120)))
        state = review.state
        candidates = list(candidate_steps(review.definition, state, now))
        rng.shuffle(candidates)
        if rng.random() < 0.7:  # mostly towards closure: forward first, back last
            candidates.sort(key=lambda c: _distance(review, c[0]))
        for trigger, actor, details in candidates:
            try:
                review.fire(trigger, by=actor, at=now, **details)
            except TransitionRefused:
                continue
            break
    return review


def _distance(review: Review, trigger: str) -> float:
    """How far from closure a trigger leaves the review (its nearest row)."""
    rows = review.definition.rows(trigger, review.state.stage)
    paths = [review.definition.shortest_path(r.target, "closed") for r in rows]
    return min((len(p) for p in paths if p is not None), default=float("inf"))


reviews = st.builds(walk, st.integers(0, 2**32 - 1), st.integers(0, 150))
"""Reviews anywhere in the process, reached through the real engine."""
