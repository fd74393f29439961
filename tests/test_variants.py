"""Five local variants, built only through the public API, each in its own words.

Each variant (``tests/variants.py``) must build; prove with no false violation (in
full under the thorough profile, CI's; to a bound in the development profile);
simulate with one worker and with two, identically; and draw, refuse and report
with its own names, titles and limits. This is the promise that a partnership
derives its own process without editing the library.
"""

from __future__ import annotations

import functools

import pytest

from cspr_workflow import (
    Review,
    TransitionRefused,
    Trigger,
    audit_report,
    diagram,
    simulate,
    verify,
)
from cspr_workflow.simulation import simulated_review
from cspr_workflow.verification import VerificationResult

from .builders import WHO, Walker
from .profile import THOROUGH
from .variants import (
    FOUR_MONTHS,
    LEGAL_REVIEW,
    RENAMED_BODY,
    RETITLED,
    STRICTER_CLOCKS,
    VARIANTS,
)

NAMES = sorted(VARIANTS)


# In the thorough profile (CI) each variant is proved in full; in the development
# profile, so that the default run stays near five minutes, each is explored to this many
# states (a sixth or so of the whole: the opening, the decision, appointments, scoping and
# the first panel meetings) and must show no violation there. The default process's
# full proof runs in both (tests/test_verify.py).
DEV_STATES = 4_000


@functools.cache
def proof(name: str) -> VerificationResult:
    return verify(VARIANTS[name], max_states=200_000 if THOROUGH else DEV_STATES)


def _same_worker_as_its_proof(name: str) -> object:
    """``name`` as a parameter whose test runs in the worker process that proves it."""
    return pytest.param(name, marks=pytest.mark.xdist_group(f"proof of {name}"))


@pytest.mark.parametrize("name", [_same_worker_as_its_proof(n) for n in NAMES])
def test_each_variant_is_proved(name: str) -> None:
    result = proof(name)
    assert result.violations == (), result.summary()
    assert result.properties == len(VARIANTS[name].properties) == 13
    if not THOROUGH:
        assert result.truncated
        assert result.states == DEV_STATES
        return
    assert result.ok, result.summary()
    assert result.unreached == ()
    assert result.unfired == ()


@pytest.mark.parametrize("name", NAMES)
def test_each_variant_simulates_alike_on_one_worker_and_two(name: str) -> None:
    one = simulate(16, seed=5, definition=VARIANTS[name])
    two = simulate(16, seed=5, definition=VARIANTS[name], workers=2)
    assert one.outcomes == two.outcomes
    assert one.stage_times == two.stage_times
    assert {o.final_stage for o in one.outcomes} == {"closed"}
    assert one.definition == VARIANTS[name].name


def _words(name: str) -> str:
    """Everything a governance reader sees of one simulated review of the variant."""
    review = simulated_review(1, seed=5, definition=VARIANTS[name])
    report = audit_report(review)
    assert all(check.ok for check in report.checks()), report.checks()
    return "\n".join((diagram(VARIANTS[name]).dot(), diagram(review).mermaid(), report.markdown()))


@pytest.mark.xdist_group("proof of extra stage")
def test_an_extra_stage_is_drawn_reported_and_simulated() -> None:
    text = _words("extra stage")
    assert "Legal review" in text
    assert "clear legal review" in text
    result = simulate(20, seed=2, definition=LEGAL_REVIEW)
    assert "legal_review" in result.summary()["mean working days per stage"]
    if THOROUGH:
        assert "legal_review" in proof("extra stage").stages_reached


def test_stricter_clocks_are_drawn_and_reported_with_their_limits() -> None:
    text = _words("stricter clocks")
    assert "2026-01-05 + 3 working days" in text or "+ 3 working days" in text
    assert "+ 10 working days" in text
    review = Walker(STRICTER_CLOCKS).review
    assert review.state.clock("C1").due.to_date_string() == "2026-01-08"


def test_a_renamed_body_and_trigger_appear_in_their_own_words() -> None:
    text = _words("renamed body and trigger")
    assert "Practice Review Board" in text
    assert "endorsement by the Practice Review Board" in text
    assert "Case Review Group" not in text
    walker = Walker(RENAMED_BODY).to_crp_agreed()
    unapproved = walker.review.state.evolve(approvals=())
    [reason] = RENAMED_BODY.bound_guard("crg_approved").reasons(
        unapproved, WHO["executive"], walker.now
    )
    assert reason.title == (
        "Case Review Panel then Practice Review Board approved this draft, in that order"
    )
    assert "Practice Review Board: endorsement by the Practice Review Board (board_endorse)" in (
        reason.remedy
    )
    walker.plan_actions()
    walker("board_endorse", "crg")
    walker(Trigger.EXECUTIVE_APPROVE, "executive")
    assert [a.body for a in walker.review.state.approvals] == ["crp", "review_board", "executive"]


def test_retitled_guards_and_roles_are_used_everywhere() -> None:
    text = _words("retitled guards and roles")
    assert "Safeguarding Partnership Board" in text
    assert "every agency signed off the facts" in text
    assert "SSCP Executive" not in text
    walker = Walker(RETITLED).to_scoping()
    walker.now = walker.now.add(months=7)
    with pytest.raises(TransitionRefused) as caught:
        walker(Trigger.SHARE_KLOES, "chair")
    reason = caught.value.reasons[-1]
    assert reason.rule_id == "within_due_date"
    assert reason.remedy == (
        "Business Manager: notify a delay (notify_delay) to Child Safeguarding Practice Review "
        "Panel and Safeguarding Partnership Board, with a reason and a revised date."
    )
    scoping = Walker(RETITLED).to_scoping()
    scoping(Trigger.SET_TERMS_OF_REFERENCE, "chair", terms="Terms")
    scoping(Trigger.SHARE_KLOES, "chair")
    scoping.seat_panel()
    with pytest.raises(TransitionRefused, match="by the Independent Chair and the Lead Reviewer"):
        scoping(Trigger.HOLD_PANEL_MEETING, "chair")


def test_a_four_month_clock_is_four_months_everywhere() -> None:
    text = _words("four-month completion")
    assert "4 calendar months" in text
    assert "four-month timing check" in text
    assert "six-month" not in text
    result = simulate(20, seed=2, definition=FOUR_MONTHS)
    assert "within 4 calendar months" in result.describe()
    review = Walker(FOUR_MONTHS).to_commissioned().review
    assert review.state.due_date.to_date_string() == "2026-05-05"


def test_variants_share_nothing_they_should_not() -> None:
    """Deriving a variant leaves the default untouched."""
    from cspr_workflow import DEFAULT_DEFINITION

    assert DEFAULT_DEFINITION.role_title("crg") == "Case Review Group"
    assert DEFAULT_DEFINITION.policy.clock("C3").limit == 6
    assert DEFAULT_DEFINITION.has_trigger("crg_approve")
    assert Review.open("Child Z", aware_at=Walker().now).definition is DEFAULT_DEFINITION
