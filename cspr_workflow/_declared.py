"""A process definition's declared parts, and every rule they must keep together.

:class:`Declared` holds what a partnership declares (stages, triggers,
transitions, roles, guards, selectors, the approval chain, the completion rule,
the clock policy, properties, scenario); :meth:`Declared.problems` lists every
way they fail to fit, each with the path to where it is
(``transitions[41].guards[0]``). :class:`~cspr_workflow.ProcessDefinition`
builds on it: it is a ``Declared`` that checked itself and compiled its steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._clocks import CompletionRule, Policy
from ._details import DetailKind
from ._errors import Problem
from ._graph import StageGraph
from ._records import checked_fields
from ._scenario import Scenario
from ._specs import (
    ApprovalChain,
    ApprovalStep,
    Guard,
    Property,
    RoleSpec,
    Selector,
    StageSpec,
    TransitionSpec,
    TriggerSpec,
)
from ._text import visible

__all__: list[str] = []


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError("not a mapping")  # (dict() would also take a list of pairs)
    return dict(value)


CHECKED = checked_fields({_tuple: "a list", _mapping: "a mapping"})
"""A definition's collections refuse what is not one, naming the field."""


@attrs.frozen(eq=False, field_transformer=CHECKED)
class Declared:
    """The parts of a process definition, as declared (see ``ProcessDefinition``)."""

    name: str
    stages: tuple[StageSpec, ...] = attrs.field(converter=_tuple)
    triggers: tuple[TriggerSpec, ...] = attrs.field(converter=_tuple)
    transitions: tuple[TransitionSpec, ...] = attrs.field(converter=_tuple)
    roles: tuple[RoleSpec, ...] = attrs.field(converter=_tuple)
    policy: Policy
    completion: CompletionRule
    approvals: ApprovalChain | None = None
    guards: Mapping[str, Guard] = attrs.field(factory=dict, converter=_mapping)
    selectors: Mapping[str, Selector] = attrs.field(factory=dict, converter=_mapping)
    role_titles: Mapping[str, str] = attrs.field(factory=dict, converter=_mapping)
    properties: tuple[Property, ...] = attrs.field(default=(), converter=_tuple)
    scenario: Scenario | None = None
    unexplored: Mapping[tuple[str, str], str] = attrs.field(factory=dict, converter=_mapping)

    def problems(self) -> list[Problem]:
        """Every way the parts fail to fit together (empty when they fit)."""
        return _Checker(self).problems()

    def stage_graph(self) -> StageGraph:
        """The stage graph of the table (rows chosen by a selector marked as such)."""
        return StageGraph(
            [s.name for s in self.stages],
            [(r.source, r.target, r.selector is not None) for r in self.transitions],
        )

    def declared_titles(self) -> dict[str, str]:
        """Each role's title, by id: the role's own, or the one ``role_titles`` gives it."""
        return {r.id: self.role_titles.get(r.id, r.title) for r in self.roles}

    def declared_permissions(self) -> dict[str, frozenset[str]]:
        """Who may fire which trigger (from any stage), read from the table."""
        table: dict[str, set[str]] = {t.name: set() for t in self.triggers}
        for row in self.transitions:
            table.setdefault(row.trigger, set()).update(row.roles)
        return {name: frozenset(roles) for name, roles in table.items()}

    def body_title(self, body: str) -> str:
        """The title of an approval body of the chain (its role's title unless it has one)."""
        step = (
            next((s for s in self.approvals.steps if s.body == body), None)
            if self.approvals
            else None
        )
        if step is None:
            return body
        return self._step_title(step)

    def _step_title(self, step: ApprovalStep) -> str:
        if step.title is not None:
            return step.title
        if step.role is not None:
            return self.declared_titles().get(step.role, step.role)
        return step.body

    @property
    def completion_title(self) -> str:
        """The title of the completion rule's guard (read from the clock's limit unless
        the rule names it): ``four-month timing check`` for 4 calendar months."""
        if self.completion.title:
            return self.completion.title
        clock = self.policy.completion
        if clock.unit.value == "calendar_months":
            return f"{_number(clock.limit)}-month timing check"
        return f"{clock.limit}-working-day timing check"


_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")

_RESERVED = frozenset(
    {
        # Graphviz DOT keywords
        "node", "edge", "graph", "digraph", "subgraph", "strict",
        # Mermaid flowchart keywords
        "end", "flowchart", "class", "classdef", "click", "style", "linkstyle",
        "direction", "default", "call", "href", "callback", "interpolate",
        "acctitle", "accdescr",
        # the library's own diagram identifiers
        "clock", "approval_chain",
    }
)  # fmt: skip


def _number(n: int) -> str:
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve")  # fmt: skip
    return words[n] if 0 <= n < len(words) else str(n)


def _kind(value: object) -> str:
    """What ``value`` is, by its type's name (never the value: it may name a person)."""
    return type(value).__name__


class _Checker:
    """Every problem of a definition, each with the path to where it is."""

    def __init__(self, definition: Declared) -> None:
        self.d = definition
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message))

    def _kinds(self) -> bool:
        """Whether any part is not of its kind (each such part added as a problem): the
        other checks read the parts' fields, so they wait until the kinds are right."""
        d = self.d
        lists: dict[str, tuple[Sequence[object], type]] = {
            "stages": (d.stages, StageSpec),
            "triggers": (d.triggers, TriggerSpec),
            "transitions": (d.transitions, TransitionSpec),
            "roles": (d.roles, RoleSpec),
            "properties": (d.properties, Property),
        }
        for name, (items, kind) in lists.items():
            for i, item in enumerate(items):
                if not isinstance(item, kind):
                    self.add(f"{name}[{i}]", f"expected a {kind.__name__}, got {_kind(item)}")
        maps: dict[str, tuple[Mapping[Any, object], type]] = {
            "guards": (d.guards, Guard),
            "selectors": (d.selectors, Selector),
            "role_titles": (d.role_titles, str),
        }
        for name, (mapping, kind) in maps.items():
            for key, value in mapping.items():
                if not isinstance(value, kind):
                    self.add(f"{name}[{key!r}]", f"expected a {kind.__name__}, got {_kind(value)}")
        single: dict[str, tuple[object, type | tuple[type, ...]]] = {
            "name": (d.name, str),
            "policy": (d.policy, Policy),
            "approvals": (d.approvals, (ApprovalChain, type(None))),
            "scenario": (d.scenario, (Scenario, type(None))),
        }
        for name, (value, kinds) in single.items():
            if not isinstance(value, kinds):
                wanted = kinds[0] if isinstance(kinds, tuple) else kinds
                self.add(name, f"expected a {wanted.__name__}, got {_kind(value)}")
        return bool(self.found)

    def problems(self) -> list[Problem]:
        d = self.d
        if self._kinds():
            return self.found
        self.stage_names = [s.name for s in d.stages]
        self.trigger_names = [t.name for t in d.triggers]
        self.role_ids = [r.id for r in d.roles]
        self.stages = set(self.stage_names)
        self.trigger_set = set(self.trigger_names)
        self.role_set = set(self.role_ids)
        self.finals = {s.name for s in d.stages if s.final}
        completion: object = d.completion
        if not isinstance(completion, CompletionRule):
            self.add(
                "completion",
                "a definition needs a completion rule: the clock every step checks, and how a "
                "delay is notified (it cannot be switched off)",
            )
            return self.found
        self._stages()
        self._roles()
        self._triggers()
        self._policy()
        self._guards()
        self._transitions()
        self._chain()
        self._completion()
        if not self.found:
            self._graph()
        if not self.found:
            self._rules_on_paths()
        if not self.found and d.scenario is not None:
            self.found += d.scenario.problems(self.stages, self.trigger_set)
        return self.found

    def _name(self, path: str, what: str, name: object) -> None:
        """A name the diagrams use as an identifier: every format must read it as one."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            self.add(
                path,
                f"{what} name {visible(repr(name))[:80]} is not a name: lower-case letters, "
                "digits and _, starting with a letter, at most 64 characters (the title is "
                "for people)",
            )
        elif name in _RESERVED:
            self.add(
                path,
                f"{what} name '{name}' is a word the diagrams (Graphviz DOT, Mermaid) or the "
                "library keep for themselves: choose another",
            )

    def _stages(self) -> None:
        for i, name in enumerate(self.stage_names):
            self._name(f"stages[{i}].name", "stage", name)
            if self.stage_names.index(name) != i:
                self.add(f"stages[{i}]", f"stage '{name}' is declared more than once")
        initials = [s.name for s in self.d.stages if s.initial]
        if len(initials) != 1:
            self.add(
                "stages",
                f"exactly one initial stage is needed; found {len(initials)}"
                + (f": {', '.join(initials)}" if initials else ""),
            )
        if not self.finals:
            self.add("stages", "no final stage: a review could never end")

    def _roles(self) -> None:
        for i, role in enumerate(self.d.roles):
            self._name(f"roles[{i}].id", "role", role.id)
            if self.role_ids.index(role.id) != i:
                self.add(f"roles[{i}]", f"role '{role.id}' is declared more than once")
            for j, rule in enumerate(role.rules):
                self._remedies(f"roles[{i}].rules[{j}]", rule)
        if not any(not r.receives_only for r in self.d.roles):
            self.add("roles", "no role takes steps")
        for titled in self.d.role_titles:
            if titled not in self.role_set:
                self.add(f"role_titles[{str(titled)!r}]", f"unknown role '{titled}'")

    def _triggers(self) -> None:
        for i, trig in enumerate(self.d.triggers):
            where = f"triggers[{i}]"
            self._name(f"{where}.name", "trigger", trig.name)
            if self.trigger_names.index(trig.name) != i:
                self.add(where, f"trigger '{trig.name}' is declared more than once")
            names = [spec.name for spec in trig.details]
            for j, spec in enumerate(trig.details):
                if spec.kind in (DetailKind.CHOICE, DetailKind.ROLES) and not spec.choices:
                    self.add(
                        f"{where}.details[{j}]",
                        f"trigger '{trig.name}': {spec.kind.value} detail '{spec.name}' has "
                        "no choices",
                    )
                if spec.kind is DetailKind.ROLES:
                    for role in spec.choices:
                        if role not in self.role_set:
                            self.add(f"{where}.details[{j}].choices", f"unknown role '{role}'")
                if names.index(spec.name) != j:
                    self.add(f"{where}.details[{j}]", f"detail '{spec.name}' is declared twice")
            if trig.agency_detail is not None and trig.agency_detail not in names:
                self.add(
                    f"{where}.agency_detail",
                    f"trigger '{trig.name}' takes no detail '{trig.agency_detail}'",
                )

    def _policy(self) -> None:
        for i, clock in enumerate(self.d.policy.clocks):
            named = [("starts", clock.starts)]
            named += [(f"stops[{k}]", s) for k, s in enumerate(clock.stops)]
            named += [(f"ends[{k}]", s) for k, s in enumerate(clock.ends)]
            if not clock.stops:
                self.add(f"policy.clocks[{i}].stops", f"clock {clock.id}: no stage stops it")
            for where, stage in named:
                if stage not in self.stages:
                    self.add(
                        f"policy.clocks[{i}].{where}",
                        f"clock {clock.id} ({clock.name}): unknown stage '{stage}'",
                    )
        for stage in self.d.policy.expected_working_days:
            if stage not in self.stages:
                self.add(
                    f"policy.expected_working_days[{stage!r}]",
                    f"expected working days given for unknown stage '{stage}'",
                )

    def _remedies(self, where: str, guard: Guard) -> None:
        for k, trigger in enumerate(guard.remedies):
            if trigger not in self.trigger_set:
                self.add(
                    f"{where}.remedies[{k}]",
                    f"guard '{guard.id}': remedy '{trigger}' is not a trigger of this definition",
                )

    def _guards(self) -> None:
        d = self.d
        self.generated = {d.completion.guard: "the completion rule"}
        if d.approvals is not None:
            for step in d.approvals.steps:
                self.generated[step.guard] = "the approval chain"
        for gid, guard in d.guards.items():
            where = f"guards[{gid!r}]"
            if gid != guard.id:
                self.add(where, f"guard registered as '{gid}' has the id '{guard.id}'")
            if gid in self.generated:
                self.add(
                    where,
                    f"guard '{gid}' is generated by {self.generated[gid]}; it cannot also be "
                    "declared (give the rule another guard id, or drop this guard)",
                )
            self._remedies(where, guard)
        self.guard_ids = set(d.guards) | set(self.generated)

    def _transitions(self) -> None:
        d = self.d
        used: set[str] = set()
        groups: dict[tuple[str, str], list[int]] = {}
        for i, row in enumerate(d.transitions):
            where = f"transitions[{i}]"
            what = f"'{row.trigger}' from '{row.source}'"
            used.add(row.trigger)
            groups.setdefault((row.trigger, row.source), []).append(i)
            if row.trigger not in self.trigger_set:
                self.add(f"{where}.trigger", f"{what}: unknown trigger '{row.trigger}'")
            if row.source not in self.stages:
                self.add(f"{where}.source", f"{what}: unknown source stage '{row.source}'")
            if row.dest is not None and row.dest not in self.stages:
                self.add(f"{where}.dest", f"{what}: unknown destination stage '{row.dest}'")
            if row.source in self.finals:
                self.add(where, f"{what}: final stage '{row.source}' must have no way out")
            if not row.roles:
                self.add(f"{where}.roles", f"{what}: no role may fire it")
            for role in sorted(row.roles):
                if role not in self.role_set:
                    self.add(f"{where}.roles", f"{what}: unknown role '{role}'")
                elif d.roles[self.role_ids.index(role)].receives_only:
                    title = d.role_titles.get(role) or d.roles[self.role_ids.index(role)].title
                    self.add(
                        f"{where}.roles", f"{what}: {title} receives notices and fires no trigger"
                    )
            for j, gid in enumerate(row.guards):
                if gid not in self.guard_ids:
                    self.add(f"{where}.guards[{j}]", f"{what}: unknown guard '{gid}'")
            if row.selector is not None and row.selector not in d.selectors:
                self.add(f"{where}.selector", f"{what}: unknown selector '{row.selector}'")
        for (trigger, source), rows in sorted(groups.items()):
            if len(rows) > 1 and any(d.transitions[i].selector is None for i in rows):
                self.add(
                    f"transitions[{rows[-1]}]",
                    f"trigger '{trigger}' has {len(rows)} transitions from '{source}'; "
                    "each needs a selector to choose between them",
                )
        for key, why in d.unexplored.items():
            if not isinstance(key, tuple) or key not in groups:
                self.add(
                    f"unexplored[{key!r}]", "names no transition row (give (trigger, source))"
                )
            elif not isinstance(why, str) or not why.strip():
                self.add(f"unexplored[{key!r}]", "give the reason the row is not explored")
        for i, name in enumerate(self.trigger_names):
            if name not in used:
                self.add(
                    f"triggers[{i}]", f"trigger '{name}' has no transition, so no role may fire it"
                )

    def _chain(self) -> None:
        chain = self.d.approvals
        if chain is None:
            return
        if not chain.steps:
            self.add("approvals.steps", "an approval chain needs at least one body")
        for name, trigger in (
            ("draft", chain.draft),
            *((f"resets[{k}]", t) for k, t in enumerate(chain.resets)),
        ):
            if trigger not in self.trigger_set:
                self.add(f"approvals.{name}", f"unknown trigger '{trigger}'")
        seen: dict[str, list[str]] = {"body": [], "trigger": [], "guard": []}
        for k, step in enumerate(chain.steps):
            where = f"approvals.steps[{k}]"
            if step.trigger not in self.trigger_set:
                self.add(f"{where}.trigger", f"unknown trigger '{step.trigger}'")
            if step.role is not None and step.role not in self.role_set:
                self.add(f"{where}.role", f"unknown role '{step.role}'")
            for field in seen:
                value = getattr(step, field)
                if value in seen[field]:
                    self.add(f"{where}.{field}", f"{field} '{value}' appears twice in the chain")
                seen[field].append(value)
            if step.trigger in chain.resets or step.trigger == chain.draft:
                self.add(
                    f"{where}.trigger",
                    f"'{step.trigger}' both approves and starts the chain again",
                )

    def _completion(self) -> None:
        d = self.d
        rule = d.completion
        if not rule.recipients:
            self.add("completion.recipients", "a delay must be notified to at least one role")
        for k, role in enumerate(rule.recipients):
            if role not in self.role_set:
                self.add(f"completion.recipients[{k}]", f"unknown role '{role}'")
        needs = {"reason": DetailKind.TEXT, "revised_date": DetailKind.DATE}
        sides = {s.name for s in d.stages if s.side_path}
        stops = d.policy.completion.closing
        chain = d.approvals
        progressing = set() if chain is None else {chain.draft, *chain.triggers}
        for k, trigger in enumerate(rule.manage):
            where = f"completion.manage[{k}]"
            if trigger not in self.trigger_set:
                self.add(where, f"unknown trigger '{trigger}'")
                continue
            if trigger in rule.delay_triggers or trigger in progressing:
                self.add(
                    where,
                    f"'{trigger}' records a delay notice or an approval, so it cannot also be "
                    "a step that only manages a delay",
                )
            for i, row in enumerate(d.transitions):
                if row.trigger != trigger or row.dest is None:
                    continue
                if row.dest in stops or not ({row.source, row.dest} & sides):
                    self.add(
                        f"transitions[{i}]",
                        f"'{trigger}' manages a delay and goes without the completion check, "
                        f"so it may only pause or resume (move into or out of a side-path "
                        f"stage, never into {_quoted(stops)}); this row "
                        f"moves '{row.source}' to '{row.dest}'",
                    )
        for where, trigger, wanted in (
            ("completion.notify", rule.notify, {**needs, "recipients": DetailKind.ROLES}),
            *((f"completion.revise[{k}]", t, needs) for k, t in enumerate(rule.revise)),
        ):
            if trigger not in self.trigger_set:
                self.add(where, f"unknown trigger '{trigger}'")
                continue
            details = {s.name: s for s in d.triggers[self.trigger_names.index(trigger)].details}
            for name, kind in wanted.items():
                if name not in details or details[name].kind is not kind:
                    self.add(
                        where,
                        f"'{trigger}' records a delay notice, so it needs a {kind.value} detail "
                        f"'{name}'",
                    )
            spec = details.get("recipients")
            if trigger == rule.notify and spec is not None:
                missing = [r for r in rule.recipients if r not in spec.choices]
                if missing:
                    self.add(
                        where,
                        f"'{trigger}' must let the notice name every recipient; its "
                        f"'recipients' detail lacks {', '.join(missing)}",
                    )

    def _graph(self) -> None:
        d = self.d
        initial = next(s.name for s in d.stages if s.initial)
        graph = d.stage_graph()
        reachable = graph.reachable([initial])
        can_finish = graph.reaching(self.finals)
        for i, name in enumerate(self.stage_names):
            if name not in reachable:
                self.add(
                    f"stages[{i}]",
                    f"stage '{name}' is unreachable from the initial stage '{initial}'",
                )
            elif name not in can_finish and name not in self.finals:
                self.add(
                    f"stages[{i}]",
                    f"stage '{name}' is not final but no final stage can be reached from it",
                )
        self.graph = graph

    def _rules_on_paths(self) -> None:
        """The completion check on every step of the clock's stages; the approvals in order."""
        d = self.d
        rule = d.completion
        clock = d.policy.completion
        region = self.graph.reachable([clock.starts], avoid=clock.closing)
        notify = rule.notify
        exempt = rule.exempt
        notifying = {r.source for r in d.transitions if r.trigger == notify}
        for i, stage in enumerate(self.stage_names):
            if stage in region and stage not in notifying:
                self.add(
                    f"stages[{i}]",
                    f"the completion clock {clock.id} runs in '{stage}', so its delay notice "
                    f"'{notify}' must be available there: once the review is past its due "
                    "date, nothing else moves (add a transition of it from this stage)",
                )
        for i, row in enumerate(d.transitions):
            if row.source in region and row.trigger not in exempt and rule.guard not in row.guards:
                self.add(
                    f"transitions[{i}].guards",
                    f"'{row.trigger}' from '{row.source}': the completion clock "
                    f"{clock.id} runs here, so the step needs the completion check "
                    f"'{rule.guard}' (only the steps that record or manage a delay, "
                    f"{_quoted(exempt)}, go without)",
                )
        chain = d.approvals
        if chain is None or not chain.steps:
            return
        for k, step in enumerate(chain.steps[1:], start=1):
            before = chain.steps[k - 1]
            for i, row in enumerate(d.transitions):
                if row.trigger == step.trigger and before.guard not in row.guards:
                    self.add(
                        f"transitions[{i}].guards",
                        f"'{row.trigger}' from '{row.source}' records approval by "
                        f"'{step.body}', so it needs the chain's guard '{before.guard}' "
                        f"(approval by '{before.body}' first): without it an approval is skipped",
                    )
        last = chain.steps[-1]
        for i, row in enumerate(d.transitions):
            if (
                row.dest in clock.stops
                and row.source not in clock.stops
                and last.guard not in row.guards
            ):
                self.add(
                    f"transitions[{i}].guards",
                    f"'{row.trigger}' from '{row.source}' enters '{row.dest}', where the "
                    f"completion clock stops, so it needs the chain's guard '{last.guard}' "
                    "(every approval, in order, of the current draft)",
                )


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)
