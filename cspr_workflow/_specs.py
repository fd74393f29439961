"""The parts a process definition is declared from: stages, triggers, transitions, roles,
guards, selectors, the approval chain and the properties its paths keep.

Each part is a frozen value. Nothing here knows any particular process: the
default one is declared from these parts in :mod:`cspr_workflow.states`,
:mod:`cspr_workflow.guards` and :mod:`cspr_workflow.roles`, and a partnership
declares its own the same way. :class:`~cspr_workflow.ProcessDefinition`
checks that the parts fit together when it is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ._clocks import CompletionRule, Policy
from ._details import DetailSpec
from ._errors import Reason
from ._records import (
    Actor,
    AuditEntry,
    ReviewState,
    as_name,
    as_names,
    checked_fields,
    kept_actor,
)

__all__ = [
    "ApprovalChain",
    "ApprovalStep",
    "Cast",
    "Effect",
    "Examples",
    "Guard",
    "GuardFunction",
    "Property",
    "PropertyCheck",
    "RoleSpec",
    "Selector",
    "SelectorFunction",
    "StageSpec",
    "StepContext",
    "TransitionSpec",
    "TriggerSpec",
    "Unmet",
]

Unmet = str | tuple[str, str]
"""What a guard finds wrong: a message, or a (message, remedy) pair when the guard
knows a more precise remedy than "take one of its remedy triggers"."""

GuardFunction = Callable[[ReviewState, Actor, pendulum.DateTime], Iterable[Unmet]]
"""A pure function of (review, actor, time) returning what is unmet (empty when met)."""

SelectorFunction = Callable[[ReviewState, str], bool]
"""A pure function of (review, destination) saying whether a transition applies."""

Effect = Callable[[ReviewState, "StepContext"], ReviewState]
"""What a step records: (state, step) -> the next state, built without editing the first."""

Examples = Callable[[ReviewState, pendulum.DateTime], Sequence[Mapping[str, Any]]]
"""Example details of a trigger in a state at an instant (for the verifier, the
simulation and the tests)."""

Cast = Callable[[ReviewState], Sequence[Actor]]
"""The people who act in a role on one review (for the verifier and the simulation)."""


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(value)


def _details(value: Iterable[DetailSpec]) -> tuple[DetailSpec, ...]:
    return tuple(value)


def _steps(value: Iterable[ApprovalStep]) -> tuple[ApprovalStep, ...]:
    return tuple(value)


def _role_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(as_name(r) for r in value)


_CHECKED = checked_fields(
    {
        as_names: "a list of names",
        _guards: "a list of Guards",
        _details: "a list of DetailSpecs",
        _role_set: "a list of role ids",
        _steps: "a list of ApprovalSteps",
    }
)
"""The declarations' collections refuse what is not one, naming the field."""


@attrs.frozen(field_transformer=_CHECKED)
class Guard:
    """A named, pure precondition: of a transition, or of acting in a role.

    ``id`` is stable (refusals carry it as ``Reason.rule_id``); ``title`` is its
    readable name; ``remedies`` are the triggers that can satisfy it, from which
    the definition writes the remedy shown in a refusal (who takes which step),
    unless the function returns its own ``(message, remedy)``. A message may name
    a role as ``{role:chair}``: the definition writes in the partnership's title.
    ``ready_on``, for a guard that time alone can satisfy, gives the date from which
    it does in a review (None when time will not); the verifier waits for it.
    """

    id: str
    title: str
    description: str
    function: GuardFunction = attrs.field(repr=False)
    remedies: tuple[str, ...] = attrs.field(default=(), converter=as_names)
    ready_on: Callable[[ReviewState], pendulum.Date | None] | None = attrs.field(
        default=None, repr=False, kw_only=True
    )

    def __call__(self, review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Reason]:
        """Every reason this guard fails for ``actor`` at ``at`` (empty when it passes).

        Without a definition at hand, the remedy names the remedy triggers by id;
        a definition's refusals name who takes them too.
        """
        fallback = "take one of: " + ", ".join(self.remedies) if self.remedies else "see the rule."
        reasons = []
        for unmet in self.function(review, actor, at):
            message, remedy = _split(unmet, fallback)
            reasons.append(Reason(self.id, self.title, _role_words(message), _role_words(remedy)))
        return reasons


_ROLE_NAME = re.compile(r"\{role:([^{}]+)\}")


def _role_words(text: str) -> str:
    """``text`` with each ``{role:id}`` written as the id made readable (a definition
    writes the partnership's titles instead)."""
    return _ROLE_NAME.sub(lambda m: m[1].replace("_", " ").capitalize(), text)


def _split(unmet: Unmet, remedy: str) -> tuple[str, str]:
    if isinstance(unmet, tuple):
        return unmet[0], unmet[1]
    return unmet, remedy


@attrs.frozen
class Selector:
    """A named predicate choosing which of several transitions of a trigger applies."""

    id: str
    title: str
    function: SelectorFunction = attrs.field(repr=False)

    def __call__(self, review: ReviewState, dest: str) -> bool:
        return self.function(review, dest)


@attrs.frozen(field_transformer=_CHECKED)
class RoleSpec:
    """A role of the process: its title, and who may act in it on a given review.

    ``receives_only`` marks a role that receives notices and takes no step.
    ``agency`` marks a role that acts for an agency: its actors must name one, and
    wherever a trigger names an agency (``TriggerSpec.agency_detail``) they may
    name only their own. ``rules`` are guards on the actor (for example: only the
    Chair appointed to this review acts as its Chair); a failed rule refuses the
    step as not permitted. ``cast`` gives the people who act in the role on a
    review, for the verifier and the simulation (by default, one person named
    after the role).
    """

    id: str = attrs.field(converter=as_name)
    title: str
    description: str = ""
    receives_only: bool = False
    agency: bool = False
    rules: tuple[Guard, ...] = attrs.field(default=(), converter=_guards)
    cast: Cast | None = attrs.field(default=None, repr=False)

    def people(self, state: ReviewState) -> Sequence[Actor]:
        """Who acts in this role on the review in ``state``."""
        if self.cast is not None:
            return self.cast(state)
        return [kept_actor(self.title, self.id, "Agency" if self.agency else None)]


@attrs.frozen
class StageSpec:
    """A stage of the process."""

    name: str = attrs.field(converter=as_name)
    title: str
    description: str
    initial: bool = False
    final: bool = False
    side_path: bool = False


@attrs.frozen(field_transformer=_CHECKED)
class TriggerSpec:
    """A trigger: what it is called, the details it takes and the record it updates.

    ``effect`` is the function that records the step (see :data:`Effect`).
    ``agency_detail`` names the detail that says which agency the actor speaks
    for; an actor of a role that acts for an agency may name only their own
    there. ``examples`` gives the details worth trying in a state (see
    :meth:`example_details`); without it they are made from the detail specs.
    """

    name: str = attrs.field(converter=as_name)
    title: str
    description: str
    details: tuple[DetailSpec, ...] = attrs.field(default=(), converter=_details)
    effect: Effect | None = attrs.field(default=None, repr=False)
    agency_detail: str | None = None
    examples: Examples | None = attrs.field(default=None, repr=False)

    def example_details(
        self, state: ReviewState, at: pendulum.DateTime
    ) -> Sequence[Mapping[str, Any]]:
        """The sets of details worth trying for this trigger in ``state`` at ``at``.

        The trigger's own ``examples`` when it has them. Otherwise one set with every
        required detail's first sample, then one more for each further sample of a
        detail (every choice, both booleans), and one with the optional details too.
        """
        if self.examples is not None:
            return self.examples(state, at)
        base = {d.name: d.samples(at)[0] for d in self.details if d.required}
        result: list[Mapping[str, Any]] = [base]
        for spec in self.details:
            for value in spec.samples(at)[1:]:
                if spec.required:
                    result.append({**base, spec.name: value})
        optional = {d.name: d.samples(at)[0] for d in self.details if not d.required}
        if optional:
            result.append({**base, **optional})
        return result


@attrs.frozen(field_transformer=_CHECKED)
class TransitionSpec:
    """One row of the process table.

    ``dest=None`` records a fact without leaving the stage. ``selector`` names a
    selector that chooses between several rows of one trigger from one stage.
    """

    trigger: str = attrs.field(converter=as_name)
    source: str = attrs.field(converter=as_name)
    dest: str | None = attrs.field(converter=attrs.converters.optional(as_name))
    roles: frozenset[str] = attrs.field(converter=_role_set)
    guards: tuple[str, ...] = attrs.field(default=(), converter=as_names)
    selector: str | None = None

    @property
    def target(self) -> str:
        """The stage the review is in after this transition."""
        return self.source if self.dest is None else self.dest


@attrs.frozen
class ApprovalStep:
    """One body of the approval chain: its id, the trigger that records its approval,
    and the guard the chain generates ("approved by every body up to this one, in
    order, of the current draft").

    ``title`` names the body; without it, the title of ``role`` (so that renaming
    the role renames the body).
    """

    body: str = attrs.field(converter=as_name)
    trigger: str = attrs.field(converter=as_name)
    guard: str
    title: str | None = None
    role: str | None = attrs.field(default=None, converter=attrs.converters.optional(as_name))


@attrs.frozen(field_transformer=_CHECKED)
class ApprovalChain:
    """The bodies that must approve one draft, in order, and what starts the chain again.

    ``draft`` is the trigger that submits a new draft version (a new draft needs
    every approval again); ``resets`` are the triggers that clear the approvals of
    the current draft (a return to drafting). The definition generates the chain's
    guards and records: each step's trigger records its body's approval of the
    current draft, each reset clears them, and each step's guard checks the bodies
    up to it approved the current draft in order.
    """

    draft: str = attrs.field(converter=as_name)
    steps: tuple[ApprovalStep, ...] = attrs.field(converter=_steps)
    resets: tuple[str, ...] = attrs.field(default=(), converter=as_names)

    @property
    def triggers(self) -> tuple[str, ...]:
        """The approval triggers, in the order the bodies sign off."""
        return tuple(s.trigger for s in self.steps)

    @property
    def bodies(self) -> tuple[str, ...]:
        """The body ids, in order."""
        return tuple(s.body for s in self.steps)

    def step_of(self, trigger: str) -> ApprovalStep | None:
        """The step whose trigger is ``trigger``."""
        return next((s for s in self.steps if s.trigger == trigger), None)


@attrs.frozen
class StepContext:
    """What an effect knows about the step it records: who, when, the details, the move,
    the trigger, the actor's role, and the definition's clocks and titles."""

    actor: Actor
    at: pendulum.DateTime
    details: Mapping[str, Any]
    source: str
    dest: str
    trigger: TriggerSpec
    role: RoleSpec | None
    policy: Policy = attrs.field(repr=False)
    completion: CompletionRule = attrs.field(repr=False)
    titles: Mapping[str, str] = attrs.field(repr=False)

    @property
    def spoken_for(self) -> str | None:
        """The agency the actor speaks for in this step: the one the trigger's agency
        detail names, else the actor's own."""
        spec = self.trigger
        named = self.details.get(spec.agency_detail) if spec.agency_detail else None
        return named if isinstance(named, str) else self.actor.agency

    def completion_due(self, state: ReviewState) -> pendulum.Date | None:
        """The completion due date of ``state`` as it stands (see :class:`CompletionRule`)."""
        return self.completion.due(state)


PropertyCheck = Callable[[Any, AuditEntry], "str | None"]
"""A property's check: called with the path so far (a ``PathSoFar``) and one step."""


PropertyDates = Callable[[Any, ReviewState], "Iterable[pendulum.Date]"]
"""The dates worth waiting for, for a property: called with the definition and a state."""


@attrs.frozen
class Property:
    """A statutory property of every path.

    ``check(path, step)`` looks at one step and the path before it (a
    :class:`~cspr_workflow.verification.PathSoFar`), and returns None when the
    step keeps the property, else what is wrong. ``dates(definition, state)``, when
    given, names the dates from which the property's verdict on a step in ``state``
    can change (a due date it holds the review to that the definition's own clocks do
    not): the verifier waits for each of them as it waits for the clocks' own.
    """

    id: str
    title: str
    check: PropertyCheck = attrs.field(repr=False)
    dates: PropertyDates | None = attrs.field(default=None, repr=False, kw_only=True)
