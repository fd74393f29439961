"""Process definitions: everything about a process, declared once, validated and compiled.

A :class:`ProcessDefinition` is data: stages, triggers (with the details they
take and the record they update), transitions (trigger, source, destination,
guards, roles), roles (with the rules on who may act in them), the guards and
selectors, the approval chain, the completion rule (the clock every step checks
and how a delay is notified), the clock policy, the statutory properties its
reviews must keep, and the scenario its simulation starts from.

Building one validates it and raises :class:`~cspr_workflow.errors.InvalidDefinition`
listing every problem with the path to where it is (``transitions[41].guards[0]``).
Then the guards its rules imply are generated, and every transition row is
compiled once into what a step needs (see ``_steps``): the engine, the clocks,
the diagrams, the report, the verifier and the simulation all read the
definition, and nothing about the process is written anywhere else.

The definition builds one ``transitions.Machine``; reviews are never added to it
as models, so opening or loading any number of reviews costs nothing here.
"""

from __future__ import annotations

import importlib
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import pendulum

from . import _tables
from ._args import check_arg, check_function, check_many
from ._declared import CHECKED, Declared
from ._errors import InvalidDefinition, InvalidInput, UnknownName
from ._generate import bind, effects_of, generated_guards
from ._graph import StageGraph
from ._machine import Move, StepMachine
from ._records import Actor, ReviewState
from ._specs import Guard, RoleSpec, StageSpec, TransitionSpec, TriggerSpec
from ._steps import BoundGuard, CompiledStep, StepRules

__all__ = ["ProcessDefinition"]


@attrs.frozen(eq=False, field_transformer=CHECKED)
class ProcessDefinition(Declared):
    """A validated process. Build one from its parts, or derive one from
    :data:`~cspr_workflow.DEFAULT_DEFINITION` with :meth:`evolve` or :meth:`extend`.

    >>> from cspr_workflow import DEFAULT_DEFINITION, Role
    >>> local = DEFAULT_DEFINITION.evolve(
    ...     name="Northshire", role_titles={Role.EXECUTIVE: "Partnership Board"}
    ... )
    >>> local.role_title(Role.EXECUTIVE)
    'Partnership Board'

    ``unexplored`` names the transition rows, by ``(trigger, source)``, that the
    verifier's search is known not to take, each with the reason (the examples leave
    them out to keep the search small, say). Every other row must be taken, or
    :func:`~cspr_workflow.verification.verify` reports the definition not proved.
    """

    _stage_index: dict[str, StageSpec] = attrs.field(init=False, repr=False)
    _trigger_index: dict[str, TriggerSpec] = attrs.field(init=False, repr=False)
    _role_index: dict[str, RoleSpec] = attrs.field(init=False, repr=False)
    _titles: dict[str, str] = attrs.field(init=False, repr=False)
    _permissions: dict[str, frozenset[str]] = attrs.field(init=False, repr=False)
    _graph: StageGraph = attrs.field(init=False, repr=False)
    _region: tuple[str, ...] = attrs.field(init=False, repr=False)
    _all_guards: dict[str, Guard] = attrs.field(init=False, repr=False)
    _bound: dict[str, BoundGuard] = attrs.field(init=False, repr=False)
    _rules: StepRules = attrs.field(init=False, repr=False)
    _select: dict[tuple[str, str], tuple[CompiledStep, ...]] = attrs.field(init=False, repr=False)
    _from: dict[str, tuple[CompiledStep, ...]] = attrs.field(init=False, repr=False)
    _machine: StepMachine = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise InvalidDefinition(self.name, problems)
        set_ = object.__setattr__
        set_(self, "_stage_index", {s.name: s for s in self.stages})
        set_(self, "_trigger_index", {t.name: t for t in self.triggers})
        set_(self, "_role_index", {r.id: r for r in self.roles})
        titles = self.declared_titles()
        permissions = self.declared_permissions()
        set_(self, "_titles", titles)
        set_(self, "_permissions", permissions)
        graph = self.stage_graph()
        set_(self, "_graph", graph)
        clock = self.policy.completion
        region = graph.reachable([clock.starts], avoid=clock.closing)
        set_(self, "_region", tuple(s.name for s in self.stages if s.name in region))
        reopened = region & graph.reachable(clock.closing)
        all_guards = {**self.guards, **generated_guards(self, region, reopened, graph)}
        set_(self, "_all_guards", all_guards)
        bound = {g.id: bind(self, g, titles, permissions) for g in all_guards.values()}
        set_(self, "_bound", bound)
        rules = StepRules(
            roles=self._role_index,
            role_rules={
                r.id: tuple(bind(self, g, titles, permissions, "permission") for g in r.rules)
                for r in self.roles
            },
            titles=titles,
            policy=self.policy,
            completion=self.completion,
        )
        set_(self, "_rules", rules)
        steps = tuple(
            CompiledStep(
                rules,
                i,
                row,
                self._trigger_index[row.trigger],
                self.selectors[row.selector] if row.selector is not None else None,
                [bound[g] for g in row.guards],
                effects_of(self, row.trigger),
            )
            for i, row in enumerate(self.transitions)
        )
        select: dict[tuple[str, str], list[CompiledStep]] = {}
        from_: dict[str, list[CompiledStep]] = {}
        for step in steps:
            select.setdefault((step.row.trigger, step.row.source), []).append(step)
            from_.setdefault(step.row.source, []).append(step)
        set_(self, "_select", {k: tuple(v) for k, v in select.items()})
        set_(self, "_from", {k: tuple(v) for k, v in from_.items()})
        stages = [s.name for s in self.stages]
        set_(self, "_machine", StepMachine(stages, self.initial_stage.name, steps))

    # -- reading the definition -------------------------------------------------------------

    @property
    def initial_stage(self) -> StageSpec:
        """The stage every review starts in."""
        return next(s for s in self.stages if s.initial)

    @property
    def end_stage(self) -> StageSpec:
        """The final stage a review is on its way to: the first final stage on the main
        line (not a side path), else the first final stage."""
        finals = [s for s in self.stages if s.final]
        return ([s for s in finals if not s.side_path] or finals)[0]

    def distance_to_end(self, stage: str) -> float:
        """The fewest stage changes from ``stage`` to :attr:`end_stage` (inf if none)."""
        path = self._graph.shortest_path(stage, self.end_stage.name)
        return float("inf") if path is None else len(path)

    @property
    def machine(self) -> Any:
        """The ``transitions.Machine`` built once for this definition (no models)."""
        return self._machine.machine

    @property
    def all_guards(self) -> Mapping[str, Guard]:
        """Every guard the transitions may name: the declared ones, then those the approval
        chain and the completion rule generate."""
        return self._all_guards

    @property
    def titles(self) -> Mapping[str, str]:
        """Each role's title, by role id (as the partnership names it)."""
        return self._titles

    @property
    def region(self) -> tuple[str, ...]:
        """The stages the completion clock runs through: from its start stage, every stage
        reachable before its stop stage is entered (holds and deferrals too)."""
        return self._region

    @property
    def graph(self) -> StageGraph:
        """The stage graph of the table."""
        return self._graph

    def stage(self, name: str) -> StageSpec:
        """The stage called ``name`` (:class:`UnknownName`, a ``KeyError``, if there is
        none)."""
        try:
            return self._stage_index[name]
        except (KeyError, TypeError):
            raise self._unknown("stage", name, self._stage_index) from None

    def trigger(self, name: str) -> TriggerSpec:
        """The trigger called ``name`` (:class:`UnknownName`, a ``KeyError``, if there is
        none)."""
        try:
            return self._trigger_index[name]
        except (KeyError, TypeError):
            raise self._unknown("trigger", name, self._trigger_index) from None

    def has_trigger(self, name: str) -> bool:
        """Whether the definition declares a trigger called ``name``."""
        return name in self._trigger_index

    def role(self, id: str) -> RoleSpec:
        """The role with this id (:class:`UnknownName`, a ``KeyError``, if there is none)."""
        try:
            return self._role_index[id]
        except (KeyError, TypeError):
            raise self._unknown("role", id, self._role_index) from None

    def role_title(self, role: str) -> str:
        """The partnership's name for ``role``."""
        return self._titles.get(role) or role

    def describe(self, actor: Actor) -> str:
        """``actor`` by role title and agency, never by name."""
        return actor.describe(self._titles)

    def guard(self, id: str) -> Guard:
        """The guard with this id, declared or generated (:class:`UnknownName`, a
        ``KeyError``, if there is none)."""
        try:
            return self._all_guards[id]
        except (KeyError, TypeError):
            raise self._unknown("guard", id, self._all_guards) from None

    def bound_guard(self, id: str) -> BoundGuard:
        """The guard with this id as the definition words its reasons (:class:`UnknownName`
        if there is none)."""
        try:
            return self._bound[id]
        except (KeyError, TypeError):
            raise self._unknown("guard", id, self._bound) from None

    def _unknown(self, kind: str, name: object, known: Mapping[str, object]) -> UnknownName:
        return UnknownName(f"process definition {self.name!r}", kind, str(name), list(known))

    def completion_due(self, state: ReviewState) -> pendulum.Date | None:
        """The completion due date of ``state`` as it stands (see ``CompletionRule``)."""
        return self.completion.due(state)

    def rows(self, trigger: str, source: str) -> tuple[TransitionSpec, ...]:
        """The transitions of ``trigger`` from ``source`` (empty when it is not available)."""
        try:
            return tuple(s.row for s in self._select.get((trigger, source), ()))
        except TypeError:  # (a name that is not text, nor hashable)
            raise _not_a_name("trigger" if isinstance(source, str) else "source") from None

    def rows_from(self, source: str) -> tuple[TransitionSpec, ...]:
        """Every transition leaving ``source``, in table order."""
        return tuple(s.row for s in self.steps_from(source))

    def steps_from(self, source: str) -> tuple[CompiledStep, ...]:
        """The compiled steps leaving ``source``, in table order."""
        try:
            return self._from.get(source, ())
        except TypeError:  # (a name that is not text, nor hashable)
            raise _not_a_name("source") from None

    def select(self, trigger: str, state: ReviewState) -> CompiledStep | None:
        """The compiled step ``trigger`` takes from ``state``'s stage (its selector, if any,
        choosing between rows), or None when the trigger is not available there."""
        for step in self._select.get((trigger, state.stage), ()):
            if step.applies(state):
                return step
        return None

    def execute(self, step: CompiledStep, move: Move) -> bool:
        """Take ``step`` on ``move`` through the definition's ``transitions.Machine``."""
        return self._machine.execute(step, move)

    def sources(self, trigger: str) -> tuple[str, ...]:
        """The stages ``trigger`` can be fired from, in table order, without repeats."""
        return tuple(dict.fromkeys(r.source for r in self.transitions if r.trigger == trigger))

    def shortest_path(self, source: str, dest: str) -> tuple[str, ...] | None:
        """The fewest stage changes from ``source`` to ``dest`` (both included), or None.
        Rows chosen by a selector are left out: they are no shortcut. A stage the
        definition lacks is an :class:`UnknownName`."""
        self.stage(source)
        self.stage(dest)
        return self._graph.shortest_path(source, dest)

    def approval_stages(self) -> tuple[str, ...]:
        """The stages the approval chain's steps lead to, in the order of the stages."""
        if self.approvals is None:
            return ()
        triggers = set(self.approvals.triggers)
        targets = {r.target for r in self.transitions if r.trigger in triggers and r.dest}
        return tuple(s.name for s in self.stages if s.name in targets)

    def permissions(self) -> dict[str, frozenset[str]]:
        """Who may fire which trigger (from any stage), read from the table."""
        return dict(self._permissions)

    # -- deriving a local definition --------------------------------------------------------

    def evolve(self, **changes: Any) -> ProcessDefinition:
        """A copy with some fields replaced, validated again."""
        return attrs.evolve(self, **changes)

    def extend(
        self,
        *,
        name: str | None = None,
        stages: Iterable[StageSpec] = (),
        triggers: Iterable[TriggerSpec] = (),
        transitions: Iterable[TransitionSpec] = (),
        guards: Iterable[Guard] = (),
        roles: Iterable[RoleSpec] = (),
        without: Callable[[TransitionSpec], bool] | None = None,
    ) -> ProcessDefinition:
        """A copy with stages, triggers, transitions, guards and roles added.

        ``without`` drops the existing transitions it returns True for (to
        re-route a step through a new stage, for example).
        """
        parts = {"stages": stages, "triggers": triggers, "transitions": transitions}
        for argument, given in {**parts, "guards": guards, "roles": roles}.items():
            check_many(argument, given, f"{argument} to add")
        guards = list(guards)
        for guard in guards:
            check_arg("guards", guard, Guard, "Guards to add")
        check_function(
            "without",
            without,
            "argument_type",
            "of a transition",
            "Pass without=lambda row: ... (True drops the row).",
        )
        kept = tuple(r for r in self.transitions if without is None or not without(r))
        return attrs.evolve(
            self,
            name=self.name if name is None else name,
            stages=self.stages + tuple(stages),
            triggers=self.triggers + tuple(triggers),
            transitions=kept + tuple(transitions),
            guards={**self.guards, **{g.id: g for g in guards}},
            roles=self.roles + tuple(roles),
        )

    def rename(
        self,
        *,
        name: str | None = None,
        stages: Mapping[str, str] | None = None,
        triggers: Mapping[str, str] | None = None,
        bodies: Mapping[str, str] | None = None,
    ) -> ProcessDefinition:
        """A copy with some stages, triggers or approval bodies renamed everywhere they are
        named: the table, the approval chain, the completion rule, the clocks, the guards'
        and role rules' remedies, and the scenario's keys.

        The statutory properties read a review's history by the names they were written
        for; a renamed step is checked by those that read the definition's rules (the
        approval chain, the completion rule, the clocks), not by the others.
        """
        check_arg("name", name, str, "the new definition's name", optional=True)
        for argument, value in (("stages", stages), ("triggers", triggers), ("bodies", bodies)):
            check_arg(argument, value, Mapping, "a mapping of old name to new name", optional=True)
            for old, new in (value or {}).items():
                check_arg(argument, old, str, "names as text (old name to new name)")
                check_arg(argument, new, str, "names as text (old name to new name)")
        st, tr, bo = dict(stages or {}), dict(triggers or {}), dict(bodies or {})

        def s(value: str) -> str:
            return st.get(value, value)

        def t(value: str) -> str:
            return tr.get(value, value)

        def guard(g: Guard) -> Guard:
            return attrs.evolve(g, remedies=tuple(t(x) for x in g.remedies))

        chain = self.approvals
        if chain is not None:
            chain = attrs.evolve(
                chain,
                draft=t(chain.draft),
                resets=tuple(t(x) for x in chain.resets),
                steps=tuple(
                    attrs.evolve(step, body=bo.get(step.body, step.body), trigger=t(step.trigger))
                    for step in chain.steps
                ),
            )
        policy = attrs.evolve(
            self.policy,
            clocks=tuple(
                attrs.evolve(
                    c,
                    starts=s(c.starts),
                    stops=tuple(s(x) for x in c.stops),
                    ends=tuple(s(x) for x in c.ends),
                )
                for c in self.policy.clocks
            ),
            expected_working_days={s(k): v for k, v in self.policy.expected_working_days.items()},
        )
        scenario = self.scenario
        if scenario is not None:
            scenario = scenario.renamed(st, tr)
        return attrs.evolve(
            self,
            name=self.name if name is None else name,
            stages=[attrs.evolve(x, name=s(x.name)) for x in self.stages],
            triggers=[attrs.evolve(x, name=t(x.name)) for x in self.triggers],
            transitions=[
                attrs.evolve(
                    r,
                    trigger=t(r.trigger),
                    source=s(r.source),
                    dest=None if r.dest is None else s(r.dest),
                )
                for r in self.transitions
            ],
            roles=[attrs.evolve(r, rules=tuple(guard(g) for g in r.rules)) for r in self.roles],
            guards={gid: guard(g) for gid, g in self.guards.items()},
            approvals=chain,
            completion=attrs.evolve(
                self.completion,
                notify=t(self.completion.notify),
                revise=tuple(t(x) for x in self.completion.revise),
                manage=tuple(t(x) for x in self.completion.manage),
            ),
            policy=policy,
            scenario=scenario,
        )

    # -- the definition as tables ---------------------------------------------------------

    def process_table(self) -> str:
        """The process table as Markdown: one row per transition (trigger, from, to, who may
        fire it, guards)."""
        return _tables.process_table(self)

    def stage_table(self) -> str:
        """The stages as Markdown: title, name, kind, meaning."""
        return _tables.stage_table(self)

    def permission_table(self) -> str:
        """One row per trigger, one column per role that takes steps: a tick where it may."""
        return _tables.permission_table(self)

    def guard_table(self) -> str:
        """Every guard (declared and generated): title, id, rule, the steps that satisfy it."""
        return _tables.guard_table(self)

    def role_table(self) -> str:
        """Every role: title, id, what it does, and the rules on who may act in it."""
        return _tables.role_table(self)

    def clock_table(self) -> str:
        """The clocks of the policy: limit, start and stop stages, kind, rule."""
        return _tables.clock_table(self)

    def __repr__(self) -> str:
        return (
            f"<ProcessDefinition {self.name!r}: {len(self.stages)} stages, "
            f"{len(self.triggers)} triggers, {len(self.transitions)} transitions>"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by name: the module attribute that holds this definition, so that
        worker processes import the same one (a definition built inside a function or
        a notebook cannot be sent to them)."""
        found = _locate(self)
        if found is None:
            raise pickle.PicklingError(
                f"process definition {self.name!r} can be sent to other processes only by "
                "name: assign it to a module-level variable of an importable module"
            )
        return (_import_definition, found)


def _not_a_name(argument: str) -> InvalidInput:
    return InvalidInput(
        argument, "argument_type", "expected a name (text)", "Pass a stage's or trigger's name."
    )


def _locate(definition: ProcessDefinition) -> tuple[str, str] | None:
    """(module, attribute) of an imported module holding ``definition``, if any."""
    fallback = None
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            if value is definition:
                if module_name in ("__main__", "__mp_main__"):
                    fallback = fallback or ("__main__", attribute)
                    break
                return module_name, attribute
    return fallback


def _import_definition(module: str, attribute: str) -> ProcessDefinition:
    value = getattr(importlib.import_module(module), attribute)
    if not isinstance(value, ProcessDefinition):
        raise InvalidInput(
            "definition",
            "definition_picklable",
            f"{module}:{attribute} is a {type(value).__name__}, not a ProcessDefinition",
            "Send a ProcessDefinition held by a module-level variable.",
        )
    return value
