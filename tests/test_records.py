"""Records, and the completion rule's due date read from them."""

from __future__ import annotations

import pendulum

from cspr_workflow import DEFAULT_DEFINITION, Role
from cspr_workflow.records import ClockKind, ClockRecord, ClockUnit, DelayNotice, ReviewState

RULE = DEFAULT_DEFINITION.completion

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
    assert RULE.due(ReviewState("Child A", AT, "aware")) is None


def test_due_date_moves_only_once_both_are_notified() -> None:
    np, ex = Role.NATIONAL_PANEL, Role.EXECUTIVE
    assert RULE.due(state()) == pendulum.date(2026, 7, 5)
    assert RULE.due(state(notice("2026-09-30", np))) == pendulum.date(2026, 7, 5)
    assert RULE.due(state(notice("2026-09-30", np, ex))) == pendulum.date(2026, 9, 30)
    both = state(notice("2026-09-30", np), notice("2026-10-31", ex))
    assert RULE.due(both) == pendulum.date(2026, 9, 30)


def test_latest_notice_per_recipient_counts() -> None:
    np, ex = Role.NATIONAL_PANEL, Role.EXECUTIVE
    later = state(notice("2026-09-30", np, ex), notice("2026-12-31", np, ex))
    assert RULE.due(later) == pendulum.date(2026, 12, 31)


def test_a_revised_date_never_brings_the_due_date_forward() -> None:
    np, ex = Role.NATIONAL_PANEL, Role.EXECUTIVE
    assert RULE.due(state(notice("2026-06-30", np, ex))) == pendulum.date(2026, 7, 5)


def test_the_recipients_the_rule_names_all_count() -> None:
    from cspr_workflow.clocks import CompletionRule

    three = CompletionRule(
        "notify_delay", (Role.NATIONAL_PANEL, Role.EXECUTIVE, Role.CRG), "within_due_date"
    )
    told = state(notice("2026-09-30", Role.NATIONAL_PANEL, Role.EXECUTIVE))
    assert three.due(told) == pendulum.date(2026, 7, 5)
    assert three.due(
        told.evolve(delay_notices=(*told.delay_notices, notice("2026-09-30", Role.CRG)))
    ) == pendulum.date(2026, 9, 30)


def test_last_at_is_awareness_before_any_step() -> None:
    assert state().last_at == AT


def test_fast_evolve_matches_attrs_evolve() -> None:
    import attrs
    import pytest

    from cspr_workflow.demo import demo_review

    state = demo_review(upto=20).state
    changes = {"stage": "drafting", "kloes": ("K",), "published_at": None}
    assert state.evolve(**changes) == attrs.evolve(state, **changes)
    assert state.evolve() == state
    with pytest.raises(TypeError, match="no field"):
        state.evolve(nonsense=1)
