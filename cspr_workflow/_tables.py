"""A definition as Markdown tables: its transitions, stages, permissions, guards, roles
and clocks. The docs' process pages and ``cspr-workflow table`` print them, so the
tables are always the definition the engine runs.

The tables read a definition through :class:`TableSource`, what they need of it, so
this module sits below the definition and the definition's methods call it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from ._clocks import Policy
from ._specs import Guard, RoleSpec, Selector, StageSpec, TransitionSpec, TriggerSpec

__all__: list[str] = []


class TableSource(Protocol):
    """What the tables read of a process definition."""

    @property
    def stages(self) -> tuple[StageSpec, ...]: ...
    @property
    def transitions(self) -> tuple[TransitionSpec, ...]: ...
    @property
    def roles(self) -> tuple[RoleSpec, ...]: ...
    @property
    def selectors(self) -> Mapping[str, Selector]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def all_guards(self) -> Mapping[str, Guard]: ...
    def stage(self, name: str) -> StageSpec: ...
    def trigger(self, name: str) -> TriggerSpec: ...
    def guard(self, id: str) -> Guard: ...
    def role_title(self, role: str) -> str: ...
    def permissions(self) -> dict[str, frozenset[str]]: ...


def markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table: a header row, a rule, one line per row."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def process_table(d: TableSource) -> str:
    """The process table as Markdown: one row per transition (trigger, from, to, who may
    fire it, guards)."""
    rows = []
    for row in d.transitions:
        trig = d.trigger(row.trigger)
        dest = "*(stays)*" if row.dest is None else d.stage(row.dest).title
        guards = [d.guard(g).title for g in row.guards]
        if row.selector is not None:
            guards.insert(0, f"*when it {d.selectors[row.selector].title}*")
        rows.append(
            (
                f"`{trig.name}` ({trig.title})",
                d.stage(row.source).title,
                dest,
                ", ".join(sorted(d.role_title(r) for r in row.roles)),
                "; ".join(guards) or "—",
            )
        )
    return markdown_table(("Trigger", "From", "To", "Who may fire it", "Guards"), rows)


def stage_table(d: TableSource) -> str:
    """The stages as Markdown: title, name, kind, meaning."""
    rows = []
    for s in d.stages:
        kind = "initial" if s.initial else "final" if s.final else "main"
        if s.side_path and not s.initial:
            kind = "side path" if kind == "main" else f"{kind} (side path)"
        rows.append((s.title, f"`{s.name}`", kind, s.description))
    return markdown_table(("Stage", "Name", "Kind", "What it means"), rows)


def permission_table(d: TableSource) -> str:
    """One row per trigger, one column per role that takes steps: a tick where it may."""
    roles = [r.id for r in d.roles if not r.receives_only]
    rows = [
        (f"`{name}`", *("✓" if r in allowed else "" for r in roles))
        for name, allowed in d.permissions().items()
    ]
    return markdown_table(("Trigger", *(d.role_title(r) for r in roles)), rows)


def guard_table(d: TableSource) -> str:
    """Every guard (declared and generated): title, id, rule, the steps that satisfy it."""
    rows = [
        (g.title, f"`{g.id}`", g.description, ", ".join(f"`{t}`" for t in g.remedies) or "—")
        for g in d.all_guards.values()
    ]
    return markdown_table(("Guard", "id", "Rule", "Satisfied by"), rows)


def role_table(d: TableSource) -> str:
    """Every role: title, id, what it does, and the rules on who may act in it."""
    rows = []
    for role in d.roles:
        rules = [r.title for r in role.rules]
        if role.agency:
            rules.insert(0, "acts for an agency and speaks only for it")
        if role.receives_only:
            rules = ["receives notices; takes no step"]
        rows.append(
            (
                d.role_title(role.id),
                f"`{role.id}`",
                role.description,
                "; ".join(rules) or "—",
            )
        )
    return markdown_table(("Role", "id", "What it does", "Who may act in it"), rows)


def clock_table(d: TableSource) -> str:
    """The clocks of the policy: limit, start and stop stages, kind, rule."""
    rows = [
        (
            f"{c.id} {c.name}",
            f"{c.limit} {c.unit_label}",
            f"`{c.starts}`",
            ", ".join(f"`{x}`" for x in c.stops)
            + (f" (ends, nothing owed: {', '.join(f'`{x}`' for x in c.ends)})" if c.ends else ""),
            c.kind.value.replace("_", " "),
            f"{c.source}: {c.description}",
        )
        for c in d.policy.clocks
    ]
    return markdown_table(
        ("Clock", "Limit", "Starts on entering", "Stops on entering", "Kind", "Rule"), rows
    )
