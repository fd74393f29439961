"""Compiled steps: each transition row of a definition, made once into what a step needs.

A :class:`CompiledStep` holds everything the engine asks about one row: who may
take it (the row's roles, the role's own rules, the agency an actor may speak
for), which details it takes and how they parse, its guards with their remedies
written out, and the effects that record it. The definition compiles every row
when it is built; the engine calls the compiled step and never goes back to the
definition's tables during a step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pendulum

from ._clocks import CompletionRule, Policy, track_clocks
from ._details import LATE_REASON, DetailSpec
from ._errors import Reason, StepProblems
from ._records import Actor, ReviewState
from ._specs import (
    Effect,
    GuardFunction,
    RoleSpec,
    Selector,
    StepContext,
    TransitionSpec,
    TriggerSpec,
)

__all__: list[str] = []

_ROLE_NAME = re.compile(r"\{role:([^{}]+)\}")


def _role_titles(text: str, titles: Mapping[str, str]) -> str:
    """``text`` with each ``{role:id}`` written as the role's title in ``titles``."""
    if "{role:" not in text:
        return text
    return _ROLE_NAME.sub(lambda m: titles.get(m[1], m[1]), text)


class BoundGuard:
    """A guard as one definition uses it: its remedy written in the definition's words,
    role names in its messages written as the definition titles them."""

    __slots__ = ("function", "id", "kind", "remedy", "title", "titles")

    def __init__(
        self,
        id: str,
        title: str,
        function: GuardFunction,
        remedy: str,
        titles: Mapping[str, str],
        kind: str = "guard",
    ) -> None:
        self.id = id
        self.title = title
        self.function = function
        self.remedy = remedy
        self.titles = titles
        self.kind = kind

    def reasons(self, state: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Reason]:
        unmet = self.function(state, actor, at)
        if not unmet:
            return []
        reasons = []
        for item in unmet:
            message, remedy = item if isinstance(item, tuple) else (item, self.remedy)
            reasons.append(
                Reason(self.id, self.title, self.words(message), self.words(remedy), self.kind)
            )
        return reasons

    def words(self, text: str) -> str:
        """``text`` with each ``{role:id}`` written as the role's title."""
        return _role_titles(text, self.titles)


@attrs.frozen(eq=False)
class StepRules:
    """What every step of one definition shares: its roles and the rules on who acts in
    them, the titles it gives roles, its clock policy and its completion rule."""

    roles: Mapping[str, RoleSpec]
    role_rules: Mapping[str, tuple[BoundGuard, ...]]
    titles: Mapping[str, str]
    policy: Policy
    completion: CompletionRule

    def title(self, role: str) -> str:
        return self.titles.get(role) or role

    def describe(self, actor: Actor) -> str:
        return actor.describe(self.titles)


class CompiledStep:
    """One transition row of one definition, ready to check and take."""

    __slots__ = (
        "details",
        "effect",
        "guards",
        "index",
        "roles",
        "row",
        "rules",
        "selector",
        "target",
        "trigger",
    )

    def __init__(
        self,
        rules: StepRules,
        index: int,
        row: TransitionSpec,
        trigger: TriggerSpec,
        selector: Selector | None,
        guards: Iterable[BoundGuard],
        effects: tuple[Effect, ...],
    ) -> None:
        self.rules = rules
        self.index = index
        self.row = row
        self.trigger = trigger
        self.target = row.target
        self.roles = row.roles
        self.selector = selector
        self.guards = tuple(guards)
        self.details: dict[str, DetailSpec] = {
            d.name: d for d in (*self.trigger.details, LATE_REASON)
        }
        self.effect = _chain(effects)

    def __repr__(self) -> str:
        return f"<step {self.row.trigger} {self.row.source} -> {self.target}>"

    # -- who -------------------------------------------------------------------------

    def permission(
        self,
        state: ReviewState,
        actor: Actor,
        at: pendulum.DateTime,
        details: Mapping[str, Any] | None,
    ) -> list[Reason]:
        """Why ``actor`` may not take this step (empty when they may)."""
        rules = self.rules
        if actor.role not in self.roles:
            allowed = ", ".join(sorted(rules.title(r) for r in self.roles))
            return [
                Reason(
                    "role",
                    "only the role that owns a step may take it",
                    f"{rules.describe(actor)} may not {self.trigger.title} at stage "
                    f"{state.stage!r}.",
                    f"it is for: {allowed}.",
                    "permission",
                )
            ]
        role = rules.roles[actor.role]
        reasons: list[Reason] = []
        if role.agency and not (actor.agency and actor.agency.strip()):
            reasons.append(
                Reason(
                    "role_agency",
                    f"{_article(role.title)} acts for an agency",
                    f"the {role.title} taking this step names no agency.",
                    "give the actor the agency they act for (Actor(..., agency=...)).",
                    "permission",
                )
            )
            return reasons
        for rule in rules.role_rules.get(actor.role, ()):
            reasons += rule.reasons(state, actor, at)
        agency_detail = self.trigger.agency_detail
        if role.agency and agency_detail is not None:
            named = (details or {}).get(agency_detail)
            if named is not None and named != actor.agency:
                reasons.append(
                    Reason(
                        "own_agency",
                        f"{_article(role.title)} speaks only for their own agency",
                        f"{rules.describe(actor)} may not {self.trigger.title} for {named}.",
                        f"{named}'s own {role.title.lower()} (or recorded substitute) takes "
                        "this step.",
                        "permission",
                    )
                )
        return reasons

    # -- what ------------------------------------------------------------------------

    def parse(self, details: Mapping[str, Any]) -> tuple[dict[str, Any], list[Reason]]:
        """The details parsed by their specs, and every problem with them."""
        name_of_trigger = str(self.row.trigger)
        known = self.details
        parsed: dict[str, Any] = {}
        reasons = []
        for name in details:
            if name not in known:
                accepted = ", ".join(known) or "none"
                reasons.append(
                    Reason(
                        "details",
                        "the step's details",
                        f"{name_of_trigger!r} takes no detail {name!r}.",
                        f"pass only its details ({accepted}).",
                        "details",
                    )
                )
        for name, detail in known.items():
            value = details.get(name)
            if value is None:
                if detail.required:
                    reasons.append(
                        Reason(
                            "details",
                            "the step's details",
                            f"{name_of_trigger!r} needs {name}= ({detail.help}).",
                            f"pass {name}=...",
                            "details",
                        )
                    )
                continue
            value, error = detail.parse(value)
            if error is None:
                parsed[name] = value
            else:
                reasons.append(
                    Reason(
                        "details",
                        "the step's details",
                        error + ".",
                        f"pass a valid {name}=",
                        "details",
                    )
                )
        return parsed, reasons

    # -- when ------------------------------------------------------------------------

    def guard_reasons(
        self, state: ReviewState, actor: Actor, at: pendulum.DateTime
    ) -> list[Reason]:
        """Every unmet guard of this step, in the row's order."""
        reasons: list[Reason] = []
        for guard in self.guards:
            found = guard.reasons(state, actor, at)
            if found:
                reasons += found
        return reasons

    def guards_met(
        self,
        state: ReviewState,
        actor: Actor,
        at: pendulum.DateTime,
        known: dict[int, bool] | None = None,
    ) -> bool:
        """True when no guard of this step is unmet: :meth:`guard_reasons` is empty. Stops at
        the first unmet guard; ``known`` keeps each guard function's answer (guards are
        pure) for other steps asked about in the same state, by the same actor, at ``at``."""
        for guard in self.guards:
            key = id(guard.function)
            met = None if known is None else known.get(key)
            if met is None:
                met = not guard.function(state, actor, at)
                if known is not None:
                    known[key] = met
            if not met:
                return False
        return True

    def applies(self, state: ReviewState) -> bool:
        """False when the row's selector does not choose it for ``state``."""
        return self.selector is None or self.selector(state, self.target)

    # -- recording --------------------------------------------------------------------

    def context(
        self, state: ReviewState, actor: Actor, at: pendulum.DateTime, details: Mapping[str, Any]
    ) -> StepContext:
        """What this step's effects are told when ``actor`` takes it at ``at``."""
        rules = self.rules
        return StepContext(
            actor,
            at,
            details,
            state.stage,
            self.target,
            self.trigger,
            rules.roles.get(actor.role),
            rules.policy,
            rules.completion,
            rules.titles,
        )

    def apply(self, state: ReviewState, ctx: StepContext) -> ReviewState:
        """The next state: the step's effects, then the clocks it starts and stops.

        Raises :class:`StepProblems` when the details do not fit the record.
        """
        after = state if self.effect is None else self.effect(state, ctx)
        late = ctx.details.get(LATE_REASON.name)
        rules = self.rules
        return track_clocks(
            rules.policy, rules.completion, state, after, state.stage, self.target, ctx.at, late
        )

    def effect_problems(self, state: ReviewState, ctx: StepContext) -> list[Reason]:
        """What the effects would refuse in ``state`` (nothing is changed)."""
        try:
            self.apply(state, ctx)
        except StepProblems as problems:
            return [self.titled(r) for r in problems.reasons]
        return []

    def titled(self, reason: Reason) -> Reason:
        """``reason`` with each ``{role:id}`` written as the partnership's title."""
        if "{role:" not in reason.message + reason.remedy:
            return reason
        titles = self.rules.titles
        return attrs.evolve(
            reason,
            message=_role_titles(reason.message, titles),
            remedy=_role_titles(reason.remedy, titles),
        )


def _article(title: str) -> str:
    """``Panel member`` -> ``a panel member`` (a title in capitals stays as it is)."""
    word = title if title[1:2].isupper() else title[:1].lower() + title[1:]
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _chain(effects: tuple[Effect, ...]) -> Effect | None:
    if not effects:
        return None
    if len(effects) == 1:
        return effects[0]

    def run(state: ReviewState, ctx: StepContext) -> ReviewState:
        for effect in effects:
            state = effect(state, ctx)
        return state

    return run
