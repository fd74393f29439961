"""What a definition generates from its declared rules: guards, remedies and records.

From the completion rule: the completion check (one guard, required on every step
of the clock's stages) and the delay notices its triggers record. From the
approval chain: one guard per body ("approved by every body up to this one, in
order, of the current draft"), the approval each body's trigger records, and the
reset of the chain. From every guard's remedy triggers and the table: the remedy
a refusal shows, in the partnership's words (who takes which step).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pendulum

from ._clocks import finishes_late, projected_finish
from ._declared import Declared
from ._effects import approval_effect, delay_effect, reset_effect
from ._graph import StageGraph
from ._records import Actor, ReviewState
from ._specs import ApprovalChain, Effect, Guard, Unmet
from ._steps import BoundGuard

__all__: list[str] = []


def generated_guards(
    d: Declared, region: Collection[str], reopened: Collection[str], graph: StageGraph
) -> dict[str, Guard]:
    """The completion check and the approval chain's guards, by id."""
    guards = {
        d.completion.guard: _completion_guard(d, frozenset(region), frozenset(reopened), graph)
    }
    chain = d.approvals
    if chain is not None:
        for k, step in enumerate(chain.steps):
            guards[step.guard] = _approval_guard(d, chain, k)
    return guards


def _completion_guard(
    d: Declared, region: frozenset[str], reopened: frozenset[str], graph: StageGraph
) -> Guard:
    rule = d.completion
    clock = d.policy.completion

    def within_due_date(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
        if review.stage not in region:
            return []
        if review.stage in reopened and clock.ended_at(review) is not None:
            return []
        due = rule.due(review)
        if due is None:
            return []
        if at.date() > due:
            return [
                f"the review is past its completion due date {due.to_date_string()} "
                f"(today is {at.date().to_date_string()})."
            ]
        if not rule.projected_blocks:
            return []
        projected = projected_finish(d.policy, graph.shortest_path, review, clock, at)
        if projected is None or not finishes_late(projected, due):
            return []
        return [
            f"at the expected stage durations the review would finish on "
            f"{projected.to_date_string()}, after its completion due date "
            f"{due.to_date_string()}: a projected delay is notified first."
        ]

    recipients = " and ".join(f"{{role:{r}}}" for r in rule.recipients)
    start = next((s.title for s in d.stages if s.name == clock.starts), clock.starts)
    return Guard(
        rule.guard,
        d.completion_title,
        f"Once the review is past its completion due date ({clock.id}: {clock.limit} "
        f"{clock.unit_label} from entering {start!r}, or the revised date of the latest "
        f"delay notified to {recipients}), nothing progresses until a delay has been "
        "notified."
        + (
            " So too once the review, at the expected stage durations, would finish after "
            "that date: a projected delay is notified first."
            if rule.projected_blocks
            else ""
        ),
        within_due_date,
        (rule.notify,),
    )


def _approval_guard(d: Declared, chain: ApprovalChain, k: int) -> Guard:
    bodies = chain.bodies[: k + 1]
    titles = {s.body: d.body_title(s.body) for s in chain.steps}
    need = " then ".join(titles[b] for b in bodies)

    def approved(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
        draft = review.current_draft
        if draft is None:
            return ["there is no draft report."]
        got = tuple(a.body for a in review.approvals if a.version == draft.version)
        if got[: len(bodies)] == bodies:
            return []
        have = ", ".join(titles.get(b, b) for b in got) or "none"
        return [f"draft {draft.version} needs approval by {need}, in that order; it has: {have}."]

    title = (
        f"{titles[bodies[0]]} approved this draft"
        if k == 0
        else f"{need} approved this draft, in that order"
    )
    return Guard(
        chain.steps[k].guard,
        title,
        f"The current draft has been approved by {need}"
        + ("" if k == 0 else ", in that order")
        + "; a new draft, or a return to drafting, needs the approvals again.",
        approved,
        chain.triggers[: k + 1],
    )


def bind(
    d: Declared,
    guard: Guard,
    titles: Mapping[str, str],
    permissions: Mapping[str, frozenset[str]],
    kind: str = "guard",
) -> BoundGuard:
    """``guard`` with its remedy written out: who takes which of its remedy triggers."""
    triggers = {t.name: t for t in d.triggers}

    def step(trigger: str) -> str:
        who = " or ".join(sorted(titles.get(r, r) for r in permissions.get(trigger, ()))) or (
            "nobody"
        )
        return f"{who}: {triggers[trigger].title} ({trigger})"

    rule = d.completion
    if guard.id == rule.guard:
        told = " and ".join(titles.get(r, r) for r in rule.recipients)
        remedy = f"{step(rule.notify)} to {told}, with a reason and a revised date."
    elif d.approvals is not None and guard.id in {s.guard for s in d.approvals.steps}:
        remedy = (
            "take the approvals in order on this draft: "
            + "; then ".join(step(t) for t in guard.remedies)
            + "."
        )
    elif guard.remedies:
        remedy = "; or ".join(step(t) for t in guard.remedies) + "."
    else:
        remedy = "see the rule's description."
    return BoundGuard(guard.id, guard.title, guard.function, remedy, titles, kind)


def effects_of(d: Declared, trigger: str) -> tuple[Effect, ...]:
    """What a step of ``trigger`` records: the trigger's own effect, then the approval
    chain's and the completion rule's records where the trigger is theirs."""
    effects: list[Effect] = []
    spec = next(t for t in d.triggers if t.name == trigger)
    if spec.effect is not None:
        effects.append(spec.effect)
    chain = d.approvals
    if chain is not None:
        step = chain.step_of(trigger)
        if step is not None:
            effects.append(approval_effect(step.body))
        if trigger in chain.resets:
            effects.append(reset_effect)
    if trigger == d.completion.notify:
        effects.append(delay_effect(everyone=False))
    elif trigger in d.completion.revise:
        effects.append(delay_effect(everyone=True))
    return tuple(effects)
