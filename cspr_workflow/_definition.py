"""Process definitions: the declarative table, validated when it is built.

A :class:`ProcessDefinition` is data: stages, triggers (with the details they
take and the record they update), transitions (trigger, source, destination,
guards, roles), the guard and selector registries, the names the partnership
uses for its bodies, and its time policy. Building one validates it and raises
:class:`~cspr_workflow.InvalidDefinition` listing every problem. The engine,
the docs' process table and later the diagrams and verifier all read it.

The definition builds its ``transitions.Machine`` once; reviews are never added
to it as models, so opening or loading any number of reviews costs nothing here.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import pendulum
from transitions import Machine
from transitions.core import EventData

from ._clocks import Policy
from ._errors import InvalidDefinition, InvalidTime
from ._records import ReviewState
from ._time import as_date
from .guards import DEFAULT_GUARDS, DEFAULT_SELECTORS, Guard, Selector
from .roles import Actor, Role

if TYPE_CHECKING:
    from ._diagrams import Diagram

__all__ = [
    "DetailKind",
    "DetailSpec",
    "ProcessDefinition",
    "StageSpec",
    "StepContext",
    "TransitionSpec",
    "TriggerSpec",
]


class DetailKind(enum.StrEnum):
    """The kinds of value a step's details may carry."""

    TEXT = "text"
    TEXTS = "texts"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"
    ROLES = "roles"
    RECOMMENDATIONS = "recommendations"


@attrs.frozen
class DetailSpec:
    """One named detail a trigger takes (``fire(..., name=value)``).

    ``personal`` marks a detail that names a person: it is kept in the review's
    record but left out of reports.
    """

    name: str
    kind: DetailKind
    help: str
    required: bool = True
    choices: tuple[str, ...] = ()
    personal: bool = False

    def samples(self, at: pendulum.DateTime) -> tuple[object, ...]:
        """Values of this detail worth trying at ``at``: the verifier's default examples.

        Every choice and both booleans are given, so that a rule reading the value
        is explored both ways; other kinds get one plausible value (a date 30 days on).
        """
        later = at.date().add(days=30).to_date_string()
        samples: dict[DetailKind, tuple[object, ...]] = {
            DetailKind.TEXT: (f"Example {self.name}",),
            DetailKind.TEXTS: ((f"Example {self.name}",),),
            DetailKind.DATE: (later,),
            DetailKind.BOOL: (True, False),
            DetailKind.INT: (1,),
            DetailKind.CHOICE: self.choices,
            DetailKind.ROLES: ((Role.NATIONAL_PANEL, Role.EXECUTIVE),),
            DetailKind.RECOMMENDATIONS: ({"R1": "Example recommendation"},),
        }
        return samples[self.kind]

    def parse(self, value: object) -> tuple[object, str | None]:
        """Return the normalised value, or an error message."""
        parser = _PARSERS[self.kind]
        try:
            return parser(self, value), None
        except (TypeError, ValueError, InvalidTime) as exc:
            return None, f"detail {self.name!r} ({self.help}): {exc}"


def _text(spec: DetailSpec, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected non-empty text")
    return value.strip()


def _texts(spec: DetailSpec, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError("expected a list of texts")
    items = tuple(_text(spec, v) for v in value)
    if not items:
        raise ValueError("expected at least one item")
    return items


def _date(spec: DetailSpec, value: object) -> pendulum.Date:
    return as_date(value, spec.name)


def _bool(spec: DetailSpec, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected True or False")
    return value


def _int(spec: DetailSpec, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value


def _choice(spec: DetailSpec, value: object) -> str:
    text = str(value) if isinstance(value, str) else None
    if text not in spec.choices:
        raise ValueError(f"expected one of {', '.join(spec.choices)}")
    return text


def _roles(spec: DetailSpec, value: object) -> tuple[Role, ...]:
    if isinstance(value, str | Role) or not isinstance(value, Iterable):
        raise ValueError("expected a list of roles")
    roles = tuple(sorted({Role(v) for v in value}))
    if not roles:
        raise ValueError("expected at least one role")
    return roles


def _recommendations(spec: DetailSpec, value: object) -> tuple[tuple[str, str], ...]:
    """Texts (numbered R1, R2, ...), a mapping id -> text, or (id, text) pairs."""
    pairs: list[tuple[str, str]]
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        pairs = []
        for n, item in enumerate(value, start=1):
            if isinstance(item, str):
                pairs.append((f"R{n}", item))
            elif isinstance(item, Sequence) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
            else:
                raise ValueError("expected texts, a mapping of id to text, or (id, text) pairs")
    else:
        raise ValueError("expected texts, a mapping of id to text, or (id, text) pairs")
    result = tuple((_text(spec, k), _text(spec, v)) for k, v in pairs)
    if not result:
        raise ValueError("expected at least one recommendation")
    if len({k for k, _ in result}) != len(result):
        raise ValueError("recommendation ids must be unique")
    return result


_PARSERS: dict[DetailKind, Callable[[DetailSpec, object], object]] = {
    DetailKind.TEXT: _text,
    DetailKind.TEXTS: _texts,
    DetailKind.DATE: _date,
    DetailKind.BOOL: _bool,
    DetailKind.INT: _int,
    DetailKind.CHOICE: _choice,
    DetailKind.ROLES: _roles,
    DetailKind.RECOMMENDATIONS: _recommendations,
}


@attrs.frozen
class StepContext:
    """What an effect knows about the step it records."""

    actor: Actor
    at: pendulum.DateTime
    details: Mapping[str, Any]
    source: str
    dest: str
    policy: Policy


Effect = Callable[[ReviewState, StepContext], ReviewState]
Examples = Callable[[ReviewState, pendulum.DateTime], Sequence[Mapping[str, Any]]]
"""Example details of a trigger in a state at an instant (for the verifier and the tests)."""


@attrs.frozen
class StageSpec:
    """A stage of the process. Names are stored as plain text."""

    name: str = attrs.field(converter=str)
    title: str
    description: str
    initial: bool = False
    final: bool = False
    side_path: bool = False


@attrs.frozen
class TriggerSpec:
    """A trigger: what it is called, the details it takes and the record it updates.

    ``agency_detail`` names the detail that says which agency a panel member is
    speaking for; a panel member may only name their own agency there.
    ``examples`` gives the details worth trying in a state (see
    :meth:`example_details`); without it they are made from the detail specs.
    """

    name: str = attrs.field(converter=str)
    title: str
    description: str
    details: tuple[DetailSpec, ...] = ()
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


def _roles_set(value: Iterable[Role]) -> frozenset[Role]:
    return frozenset(Role(r) for r in value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _stage_tuple(value: Iterable[StageSpec]) -> tuple[StageSpec, ...]:
    return tuple(value)


def _trigger_tuple(value: Iterable[TriggerSpec]) -> tuple[TriggerSpec, ...]:
    return tuple(value)


def _transition_tuple(value: Iterable[TransitionSpec]) -> tuple[TransitionSpec, ...]:
    return tuple(value)


@attrs.frozen
class TransitionSpec:
    """One row of the process table.

    ``dest=None`` records a fact without leaving the stage. ``selector`` names a
    selector that chooses between several rows of one trigger from one stage.
    """

    trigger: str = attrs.field(converter=str)
    source: str = attrs.field(converter=str)
    dest: str | None = attrs.field(converter=attrs.converters.optional(str))
    roles: frozenset[Role] = attrs.field(converter=_roles_set)
    guards: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    selector: str | None = None

    @property
    def target(self) -> str:
        """The stage the review is in after this transition."""
        return self.source if self.dest is None else self.dest


def _freeze_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return dict(value)


@attrs.frozen(eq=False)
class ProcessDefinition:
    """A validated process: build it, or derive one from :data:`DEFAULT_DEFINITION`.

    >>> from cspr_workflow import DEFAULT_DEFINITION
    >>> local = DEFAULT_DEFINITION.evolve(
    ...     name="Northshire", role_titles={Role.EXECUTIVE: "Partnership Board"}
    ... )
    >>> local.role_title(Role.EXECUTIVE)
    'Partnership Board'
    """

    name: str
    stages: tuple[StageSpec, ...] = attrs.field(converter=_stage_tuple)
    triggers: tuple[TriggerSpec, ...] = attrs.field(converter=_trigger_tuple)
    transitions: tuple[TransitionSpec, ...] = attrs.field(converter=_transition_tuple)
    guards: Mapping[str, Guard] = attrs.field(factory=lambda: dict(DEFAULT_GUARDS))
    selectors: Mapping[str, Selector] = attrs.field(factory=lambda: dict(DEFAULT_SELECTORS))
    role_titles: Mapping[Role, str] = attrs.field(factory=dict, converter=_freeze_mapping)
    policy: Policy = attrs.field(factory=lambda: _national_policy())

    _stage_index: dict[str, StageSpec] = attrs.field(init=False, repr=False)
    _trigger_index: dict[str, TriggerSpec] = attrs.field(init=False, repr=False)
    _rows: dict[tuple[str, str], tuple[TransitionSpec, ...]] = attrs.field(init=False, repr=False)
    _machine: Machine = attrs.field(init=False, repr=False)
    _paths: dict[tuple[str, str], tuple[str, ...] | None] = attrs.field(
        init=False, repr=False, factory=dict
    )
    _row_guards: dict[int, tuple[Guard, ...]] = attrs.field(init=False, repr=False)
    _executors: dict[int, tuple[Any, Any, Any]] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise InvalidDefinition(self.name, problems)
        set_ = object.__setattr__
        set_(self, "_stage_index", {s.name: s for s in self.stages})
        set_(self, "_trigger_index", {t.name: t for t in self.triggers})
        rows: dict[tuple[str, str], list[TransitionSpec]] = {}
        for row in self.transitions:
            rows.setdefault((row.trigger, row.source), []).append(row)
        set_(self, "_rows", {k: tuple(v) for k, v in rows.items()})
        set_(
            self,
            "_row_guards",
            {id(r): tuple(self.guards[g] for g in r.guards) for r in self.transitions},
        )
        set_(self, "_machine", self._build_machine())

    # -- validation -------------------------------------------------------------

    def _problems(self) -> list[str]:
        problems: list[str] = []
        stage_names = [s.name for s in self.stages]
        trigger_names = [t.name for t in self.triggers]
        stages = set(stage_names)
        finals = {s.name for s in self.stages if s.final}
        for name in sorted({n for n in stage_names if stage_names.count(n) > 1}):
            problems.append(f"stage '{name}' is declared more than once")
        for name in sorted({n for n in trigger_names if trigger_names.count(n) > 1}):
            problems.append(f"trigger '{name}' is declared more than once")
        initials = [s.name for s in self.stages if s.initial]
        if len(initials) != 1:
            problems.append(
                f"exactly one initial stage is needed; found {len(initials)}"
                + (f": {', '.join(initials)}" if initials else "")
            )
        if not finals:
            problems.append("no final stage: a review could never end")
        for clock in self.policy.clocks:
            for end in (clock.starts, clock.stops):
                if end not in stages:
                    problems.append(f"clock {clock.id} ({clock.name}): unknown stage '{end}'")
        for stage in self.policy.expected_working_days:
            if stage not in stages:
                problems.append(f"expected working days given for unknown stage '{stage}'")
        for trig in self.triggers:
            for spec in trig.details:
                if spec.kind is DetailKind.CHOICE and not spec.choices:
                    problems.append(
                        f"trigger '{trig.name}': choice detail '{spec.name}' has no choices"
                    )
        used_triggers: set[str] = set()
        groups: dict[tuple[str, str], list[TransitionSpec]] = {}
        for row in self.transitions:
            where = f"transition '{row.trigger}' from '{row.source}'"
            used_triggers.add(row.trigger)
            groups.setdefault((row.trigger, row.source), []).append(row)
            if row.trigger not in trigger_names:
                problems.append(f"{where}: unknown trigger '{row.trigger}'")
            if row.source not in stages:
                problems.append(f"{where}: unknown source stage '{row.source}'")
            if row.dest is not None and row.dest not in stages:
                problems.append(f"{where}: unknown destination stage '{row.dest}'")
            if row.source in finals:
                problems.append(f"{where}: final stage '{row.source}' must have no way out")
            if not row.roles:
                problems.append(f"{where}: no role may fire it")
            for role in sorted(r for r in row.roles if r.recipient_only):
                problems.append(f"{where}: {role.label} receives notices and fires no trigger")
            for gid in row.guards:
                if gid not in self.guards:
                    problems.append(f"{where}: unknown guard '{gid}'")
            if row.selector is not None and row.selector not in self.selectors:
                problems.append(f"{where}: unknown selector '{row.selector}'")
        for (trigger, source), rows in sorted(groups.items()):
            if len(rows) > 1 and any(r.selector is None for r in rows):
                problems.append(
                    f"trigger '{trigger}' has {len(rows)} transitions from '{source}'; "
                    "each needs a selector to choose between them"
                )
        for name in trigger_names:
            if name not in used_triggers:
                problems.append(f"trigger '{name}' has no transition, so no role may fire it")
        if len(initials) == 1 and not problems:
            problems.extend(self._graph_problems(initials[0], stages, finals))
        return problems

    def _graph_problems(self, initial: str, stages: set[str], finals: set[str]) -> list[str]:
        forward: dict[str, set[str]] = {s: set() for s in stages}
        backward: dict[str, set[str]] = {s: set() for s in stages}
        for row in self.transitions:
            forward[row.source].add(row.target)
            backward[row.target].add(row.source)
        reachable = _closure({initial}, forward)
        can_finish = _closure(finals, backward)
        problems = [
            f"stage '{s}' is unreachable from the initial stage '{initial}'"
            for s in sorted(stages - reachable)
        ]
        problems += [
            f"stage '{s}' is not final but no final stage can be reached from it"
            for s in sorted(stages - can_finish - finals)
        ]
        return problems

    def _build_machine(self) -> Machine:
        machine = Machine(
            model=None,
            states=[s.name for s in self.stages],
            initial=self.initial_stage.name,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for row in self.transitions:
            conditions: list[str | Callable[..., bool | None]] = []
            if row.selector is not None:
                selector = self.selectors[row.selector]
                target = row.target
                conditions.append(
                    lambda event, selector=selector, target=target: selector(
                        event.model.review, target
                    )
                )
            machine.add_transition(
                row.trigger,
                row.source,
                row.dest,
                conditions=conditions,
                before=[lambda event, row=row: event.model.apply(row)],
            )
            event = machine.events[row.trigger]
            transition = event.transitions[row.source][-1]  # the one just added
            self._executors[id(row)] = (transition, event, machine.get_state(row.source))
        return machine

    def execute(self, row: TransitionSpec, model: object) -> bool:
        """Take ``row`` on ``model`` through this definition's ``transitions.Machine``.

        The engine has already chosen the row, so the machine executes that
        transition directly (its conditions, callbacks and state change) rather than
        dispatching the trigger and choosing again. False when a selector refuses.
        """
        found = self._executors.get(id(row))
        if found is None:  # a row from elsewhere: let the machine choose
            return bool(self._machine.events[row.trigger].trigger(model))
        transition, event, state = found
        return bool(transition.execute(EventData(state, event, self._machine, model, (), {})))

    # -- reading the table -------------------------------------------------------

    @property
    def initial_stage(self) -> StageSpec:
        """The stage every review starts in."""
        return next(s for s in self.stages if s.initial)

    @property
    def machine(self) -> Machine:
        """The ``transitions.Machine`` built once for this definition (no models)."""
        return self._machine

    def stage(self, name: str) -> StageSpec:
        """The stage called ``name`` (KeyError if there is none)."""
        return self._stage_index[name]

    def trigger(self, name: str) -> TriggerSpec:
        """The trigger called ``name`` (KeyError if there is none)."""
        return self._trigger_index[name]

    def has_trigger(self, name: str) -> bool:
        """Whether the definition declares a trigger called ``name``."""
        return name in self._trigger_index

    def rows(self, trigger: str, source: str) -> tuple[TransitionSpec, ...]:
        """The transitions of ``trigger`` from ``source`` (empty when it is not available)."""
        return self._rows.get((trigger, source), ())

    def shortest_path(self, source: str, dest: str) -> tuple[str, ...] | None:
        """The fewest stage changes from ``source`` to ``dest`` (both included), or None.

        Rows chosen by a selector (``resume``) are left out: they only return to
        the stage a review came from, so they are no shortcut.
        """
        key = (source, dest)
        if key not in self._paths:
            previous: dict[str, str | None] = {source: None}
            queue = deque([source])
            while queue and dest not in previous:
                stage = queue.popleft()
                for row in self.transitions:
                    if row.source == stage and row.selector is None and row.target not in previous:
                        previous[row.target] = stage
                        queue.append(row.target)
            if dest not in previous:
                self._paths[key] = None
            else:
                path = [dest]
                while (back := previous[path[-1]]) is not None:
                    path.append(back)
                self._paths[key] = tuple(reversed(path))
        return self._paths[key]

    def rows_from(self, source: str) -> tuple[TransitionSpec, ...]:
        """Every transition leaving ``source``, in table order."""
        return tuple(r for r in self.transitions if r.source == source)

    def sources(self, trigger: str) -> tuple[str, ...]:
        """The stages ``trigger`` can be fired from, in table order, without repeats."""
        return tuple(dict.fromkeys(r.source for r in self.transitions if r.trigger == trigger))

    def role_title(self, role: Role) -> str:
        """The partnership's name for ``role``."""
        return self.role_titles.get(role, role.label)

    def guards_of(self, row: TransitionSpec) -> tuple[Guard, ...]:
        """The guards of one of this definition's transitions, resolved once when built."""
        found = self._row_guards.get(id(row))
        if found is None:  # a row from elsewhere: resolve it now
            return tuple(self.guards[g] for g in row.guards)
        return found

    def guard_titles(self, row: TransitionSpec) -> tuple[str, ...]:
        """The readable names of a transition's guards."""
        return tuple(self.guards[g].title for g in row.guards)

    # -- deriving a local definition --------------------------------------------

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
        without: Callable[[TransitionSpec], bool] | None = None,
    ) -> ProcessDefinition:
        """A copy with stages, triggers, transitions and guards added.

        ``without`` drops the existing transitions it returns True for (to
        re-route a step through a new stage, for example).
        """
        kept = tuple(r for r in self.transitions if without is None or not without(r))
        return attrs.evolve(
            self,
            name=self.name if name is None else name,
            stages=self.stages + tuple(stages),
            triggers=self.triggers + tuple(triggers),
            transitions=kept + tuple(transitions),
            guards={**self.guards, **{g.id: g for g in guards}},
        )

    def diagram(self) -> Diagram:
        """This process as a diagram (Mermaid, DOT, or SVG/PNG/PDF through Graphviz)."""
        from ._diagrams import diagram

        return diagram(self)

    def _repr_svg_(self) -> str | None:
        return self.diagram()._repr_svg_()

    def _repr_markdown_(self) -> str:
        return self.diagram()._repr_markdown_()

    def permissions(self) -> dict[str, frozenset[Role]]:
        """Who may fire which trigger (from any stage), read from the table."""
        table: dict[str, set[Role]] = {t.name: set() for t in self.triggers}
        for row in self.transitions:
            table[row.trigger] |= row.roles
        return {name: frozenset(roles) for name, roles in table.items()}

    def permission_table(self) -> str:
        """The permission table as Markdown: one row per trigger, one column per role."""
        roles = [r for r in Role if not r.recipient_only]
        lines = [
            "| Trigger | " + " | ".join(self.role_title(r) for r in roles) + " |",
            "|---|" + "---|" * len(roles),
        ]
        for name, allowed in self.permissions().items():
            marks = " | ".join("✓" if r in allowed else "" for r in roles)
            lines.append(f"| `{name}` | {marks} |")
        return "\n".join(lines) + "\n"

    def process_table(self) -> str:
        """The process table as Markdown: one row per transition, read from the definition."""
        lines = [
            "| Trigger | From | To | Who may fire it | Guards |",
            "|---|---|---|---|---|",
        ]
        for row in self.transitions:
            trig = self.trigger(row.trigger)
            dest = "*(stays)*" if row.dest is None else self.stage(row.dest).title
            guards = list(self.guard_titles(row))
            if row.selector is not None:
                guards.insert(0, f"*when it {self.selectors[row.selector].title}*")
            roles = ", ".join(sorted(self.role_title(r) for r in row.roles))
            lines.append(
                f"| `{trig.name}` ({trig.title}) | {self.stage(row.source).title} | {dest} "
                f"| {roles} | {'; '.join(guards) or '—'} |"
            )
        return "\n".join(lines) + "\n"

    def stage_table(self) -> str:
        """The stages as Markdown, read from the definition."""
        lines = ["| Stage | Name | Kind | What it means |", "|---|---|---|---|"]
        for s in self.stages:
            kind = (
                "initial"
                if s.initial
                else "final"
                if s.final
                else "side path"
                if s.side_path
                else "main"
            )
            lines.append(f"| {s.title} | `{s.name}` | {kind} | {s.description} |")
        return "\n".join(lines) + "\n"


def _closure(start: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    queue = deque(start)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _national_policy() -> Policy:
    from . import states  # the national data lives with the process table

    policy: Policy = states.NATIONAL_POLICY
    return policy
