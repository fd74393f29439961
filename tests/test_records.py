"""Records: the completion due date and derived views."""

from __future__ import annotations

import pendulum

from cspr_workflow import ClockKind, ClockRecord, ClockUnit, DelayNotice, ReviewState, Role

AT = pendulum.datetime(2026, 1, 5, tz="Europe/London")


def notice(date: str, *recipients: Role) -> DelayNotice:
    return DelayNotice(frozenset(recipients), "reason", pendulum.parse(date).date(), AT)


def state(*notices: DelayNotice) -> ReviewState:
    c3 = ClockRecord(
        "C3",
        ClockKind.COMPLETION,
        AT,
        pendulum.date(2026, 7, 5),
        6,
        ClockUnit.CALENDAR_MONTHS,
        "England and Wales",
    )
    return ReviewState("Child A", AT, "scoping", clocks=(c3,), delay_notices=notices)


def test_no_due_date_before_the_decision() -> None:
    assert ReviewState("Child A", AT, "aware").completion_due is None


def test_due_date_moves_only_once_both_are_notified() -> None:
    np, ex = Role.NATIONAL_PANEL, Role.EXECUTIVE
    assert state().completion_due == pendulum.date(2026, 7, 5)
    assert state(notice("2026-09-30", np)).completion_due == pendulum.date(2026, 7, 5)
    assert state(notice("2026-09-30", np, ex)).completion_due == pendulum.date(2026, 9, 30)
    both = state(notice("2026-09-30", np), notice("2026-10-31", ex))
    assert both.completion_due == pendulum.date(2026, 9, 30)


def test_latest_notice_per_recipient_counts() -> None:
    np, ex = Role.NATIONAL_PANEL, Role.EXECUTIVE
    later = state(notice("2026-09-30", np, ex), notice("2026-12-31", np, ex))
    assert later.completion_due == pendulum.date(2026, 12, 31)


def test_last_at_is_awareness_before_any_step() -> None:
    assert state().last_at == AT


def test_fast_evolve_matches_attrs_evolve() -> None:
    import attrs
    import pytest

    from cspr_workflow import demo_review

    state = demo_review(upto=20).state
    changes = {"stage": "drafting", "kloes": ("K",), "published_at": None}
    assert state.evolve(**changes) == attrs.evolve(state, **changes)
    assert state.evolve() == state
    with pytest.raises(TypeError, match="no field"):
        state.evolve(nonsense=1)
