"""Random walks through the real engine keep the DOMAIN.md invariants.

Hypothesis starts from a random point of the demo review and attempts random
steps: any trigger, any actor (right and wrong roles and agencies, substitutes),
details borrowed from the script, and times that jump forward or try to go
back. After every attempt the invariants are checked against the recorded
history by code written independently of the guards (an oracle).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from cspr_workflow import (
    Review,
    Role,
    Stage,
    TransitionRefused,
    Trigger,
)
from cspr_workflow._demo import ACTORS, SCRIPT, demo_review

T = Trigger

_DETAILS: dict[str, list[dict[str, Any]]] = defaultdict(lambda: [{}])
for _step in SCRIPT:
    _DETAILS[_step.trigger].append(dict(_step.details))
_DETAILS[T.NOTIFY_DELAY].append(
    {"reason": "Slipping", "revised_date": "2027-06-30", "recipients": ["executive"]}
)
_DETAILS[T.PUT_ON_HOLD].append({"reason": "Parallel proceedings"})
_DETAILS[T.RETURN_TO_DRAFTING].append({"reason": "Not ready"})
_DETAILS[T.DEFER_PUBLICATION].append({"reason": "Trial", "revised_date": "2027-03-31"})

_TRIGGERS = sorted(Trigger)
_ACTOR_KEYS = sorted(ACTORS)


def _draw_attempt(data: st.DataObject, review: Review) -> tuple[str, str, int, dict[str, Any]]:
    """Half the time a trigger the stage offers, by a role that owns it; else anything."""
    if data.draw(st.booleans(), label="plausible"):
        rows = review.definition.rows_from(review.state.stage)
        row = data.draw(st.sampled_from(rows), label="row")
        keys = [k for k in _ACTOR_KEYS if ACTORS[k].role in row.roles]
        trigger = row.trigger
        who = data.draw(st.sampled_from(keys), label="actor")
        days = data.draw(st.integers(min_value=-1, max_value=20), label="days")
    else:
        trigger = data.draw(st.sampled_from(_TRIGGERS), label="trigger")
        who = data.draw(st.sampled_from(_ACTOR_KEYS), label="actor")
        days = data.draw(st.integers(min_value=-3, max_value=120), label="days")
    details = data.draw(st.sampled_from(_DETAILS[trigger]), label="details")
    return trigger, who, days, details


def _by_role(entries, trigger):
    return [e for e in entries if e.trigger == trigger]


def check_invariants(review: Review) -> None:
    history = review.history
    # 7. time never runs backwards; the history is a numbered chain of stages
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    for a, b in itertools.pairwise(history):
        assert a.at <= b.at
        assert a.dest == b.source
    if history:
        assert history[-1].dest == review.state.stage
    # 2. no panel meeting before KLOEs shared and methodology agreed by both
    for i, entry in enumerate(history):
        if entry.trigger == T.HOLD_PANEL_MEETING:
            earlier = history[:i]
            latest: dict[Role, str] = {}
            for e in earlier:
                if e.trigger == T.AGREE_METHODOLOGY:
                    latest[e.role] = str(e.details["methodology"])
            assert latest.get(Role.CHAIR) is not None
            assert latest.get(Role.CHAIR) == latest.get(Role.LEAD_REVIEWER)
            assert any(e.trigger == T.SHARE_KLOES for e in earlier)
    # 1. publication only after CRP, CRG, Executive approvals of the same draft, in order
    for i, entry in enumerate(history):
        if entry.trigger == T.PUBLISH:
            earlier = history[:i]
            drafts = _by_role(earlier, T.SUBMIT_DRAFT)
            assert drafts
            since_draft = earlier[earlier.index(drafts[-1]) + 1 :]
            chain = [
                e.trigger
                for e in since_draft
                if e.trigger
                in (T.AGREE_REPORT, T.CRG_APPROVE, T.EXECUTIVE_APPROVE, T.RETURN_TO_DRAFTING)
            ]
            assert chain == [T.AGREE_REPORT, T.CRG_APPROVE, T.EXECUTIVE_APPROVE]
    # 3. CRP agreement only when every panel agency confirmed that exact draft
    for i, entry in enumerate(history):
        if entry.trigger == T.AGREE_REPORT:
            earlier = history[:i]
            last_draft = max(j for j, e in enumerate(earlier) if e.trigger == T.SUBMIT_DRAFT)
            seated = {e.details["agency"] for e in earlier if e.trigger == T.APPOINT_PANEL_MEMBER}
            confirmed = {e.agency for e in earlier[last_draft:] if e.trigger == T.CONFIRM_FACTS}
            assert seated <= confirmed
    # 6. a panel member acts only for their own agency
    for entry in history:
        if entry.role is Role.PANEL_MEMBER and "agency" in entry.details:
            assert entry.details["agency"] == entry.agency


@given(st.integers(min_value=0, max_value=len(SCRIPT)), st.data())
def test_random_attempts_keep_the_invariants(start: int, data: st.DataObject) -> None:
    review = demo_review(upto=start)
    check_invariants(review)
    now = review.state.last_at
    for _ in range(data.draw(st.integers(min_value=1, max_value=40), label="length")):
        if review.is_final:
            break
        trigger, who, days, details = _draw_attempt(data, review)
        at = now.add(days=days)
        before = review.state
        verdict = review.check(trigger, by=ACTORS[who], at=at, **details)
        assert review.state is before
        refusal: TransitionRefused | None = None
        try:
            review.fire(trigger, by=ACTORS[who], at=at, **details)
        except TransitionRefused as caught:
            refusal = caught
        if refusal is not None:
            assert review.state is before
            assert refusal.reasons == verdict.reasons  # check() predicts fire()
        else:
            assert verdict.allowed
            assert review.history[:-1] == before.history
            now = at
        check_invariants(review)


def test_a_late_review_cannot_progress_without_notice() -> None:
    review = demo_review(upto=30)
    assert review.stage == Stage.FACT_CHECK
    late = pendulum.datetime(2026, 8, 1, tz="Europe/London")
    for trigger in (T.CONFIRM_FACTS, T.RETURN_COMMENTS, T.HOLD_PANEL_MEETING):
        assert not review.check(trigger, by=ACTORS["police"], at=late)
