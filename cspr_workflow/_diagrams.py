"""State diagrams generated from the process definition, and a review's path on them.

One graph model is built from the definition's table and drawn two ways: Mermaid
(text GitHub, mkdocs and JupyterLab render) and Graphviz DOT (rendered to SVG, PNG
or PDF by Graphviz's ``dot``). Nothing is drawn by hand and nothing depends on
dictionary or set order, so the same definition always gives the same text.

What the diagram shows:

- every stage; final stages with a double border, side paths (hold, deferral,
  decisions not to review) dashed, the initial stage marked;
- every transition, labelled with its trigger, the roles that may fire it and its
  guards by their readable names; steps that record a fact without leaving the
  stage are listed on one loop per stage;
- the definition's approval chain boxed and named;
- the completion clock as a box around every stage it runs through, since every
  step there checks it; a step inside the box without the check is marked as such.

For a review's path, the steps taken carry their dates and the role that took
them, the stages visited and the current stage are filled, and the clocks at risk
or overdue are named beside the current stage.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._deadlines import ClockStatus
from ._errors import GraphvizMissing, RenderFailed
from ._text import visible

if TYPE_CHECKING:
    from ._definition import ProcessDefinition
    from ._engine import Review
    from ._specs import StageSpec, TransitionSpec

__all__ = ["Diagram"]

_MAX_DATES = 3


# -- the graph model ------------------------------------------------------------------------


@attrs.frozen
class _Node:
    id: str
    title: str
    kind: str  # initial, main, final, side, side-final
    visited: bool = False
    current: bool = False
    alerts: tuple[str, ...] = ()


@attrs.frozen
class _Edge:
    source: str
    target: str
    lines: tuple[str, ...]
    style: str  # forward, back, side, stay
    taken: tuple[str, ...] = ()
    times_taken: int = 0


@attrs.frozen
class _Graph:
    title: str
    nodes: tuple[_Node, ...]
    edges: tuple[_Edge, ...]
    clock_box: tuple[str, ...]
    clock_label: tuple[str, ...]
    approval_box: tuple[str, ...]
    approval_label: str
    legend: tuple[str, ...]


def _roles(definition: ProcessDefinition, roles: Iterable[str]) -> str:
    return ", ".join(sorted(definition.role_title(r) for r in roles))


def _guards(
    definition: ProcessDefinition, row: TransitionSpec, selector: bool = True
) -> list[str]:
    timing = definition.completion.guard
    titles = [definition.guard(g).title for g in row.guards if g != timing]
    if selector and row.selector is not None:
        titles.insert(0, definition.selectors[row.selector].title)
    return titles


def _style(definition: ProcessDefinition, row: TransitionSpec) -> str:
    """``side`` to or from a side path; ``back`` when the step leaves the review farther
    from its end than before (a return to drafting); else ``forward``."""
    target = definition.stage(row.target)
    source = definition.stage(row.source)
    if target.side_path or source.side_path:
        return "side"
    farther = definition.distance_to_end(row.target) > definition.distance_to_end(row.source)
    return "back" if farther else "forward"


_BOX = "clock"  # the id of the completion clock's box, as an edge's end


def _wrap(text: str, width: int = 64) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _graph(definition: ProcessDefinition, review: Review | None, at: object) -> _Graph:
    region = definition.region
    timing = definition.completion.guard
    unchecked = f"[no {definition.completion_title}]"
    box = tuple(s for s in region if not definition.stage(s).side_path)
    in_region = set(region)
    titles = definition.titles
    taken: dict[tuple[str, str], list[str]] = {}
    stays_taken: dict[str, int] = {}
    visited: set[str] = set()
    current = None
    alerts: tuple[str, ...] = ()
    if review is not None:
        visited.add(definition.initial_stage.name)
        for entry in review.history:
            visited.add(entry.dest)
            if entry.source == entry.dest:
                stays_taken[entry.source] = stays_taken.get(entry.source, 0) + 1
                continue
            who = entry.actor.describe(titles)
            taken.setdefault((entry.source, entry.dest), []).append(
                f"{entry.at.to_date_string()} {who}"
            )
        current = review.state.stage
        report = review.deadlines(at=at if at is not None else review.state.last_at)
        alerts = tuple(
            f"{d.clock.id} {d.clock.name} {d.status.value} (due {d.due_text})"
            for d in report.deadlines
            if d.status in (ClockStatus.OVERDUE, ClockStatus.AT_RISK) and d.due is not None
        )
    nodes = tuple(
        _Node(
            stage.name,
            stage.title,
            _kind(stage),
            visited=stage.name in visited,
            current=stage.name == current,
            alerts=alerts if stage.name == current else (),
        )
        for stage in definition.stages
    )

    def describe(row: TransitionSpec, selector: bool = True) -> tuple[str, ...]:
        guards = _guards(definition, row, selector)
        lines = [definition.trigger(row.trigger).title, f"by {_roles(definition, row.roles)}"]
        if guards:
            lines += _wrap("if " + "; ".join(guards))
        if row.source in in_region and timing not in row.guards:
            lines.append(unchecked)
        return tuple(lines)

    def stay_line(row: TransitionSpec) -> str:
        line = f"{definition.trigger(row.trigger).title} ({_roles(definition, row.roles)})"
        guards = _guards(definition, row)
        if guards:
            line += " if " + "; ".join(guards)
        if row.source in in_region and timing not in row.guards:
            line += " " + unchecked
        return "\n  ".join(_wrap(line, 80))

    # Transitions that leave every stage of the box alike (put on hold), or return to
    # every stage of it (resume), are drawn once, from or to the box itself.
    groups: dict[tuple[object, ...], list[TransitionSpec]] = {}
    for row in definition.transitions:
        if row.dest is not None:
            groups.setdefault((row.trigger, describe(row)), []).append(row)

    def covering(ends: str, other: str) -> dict[tuple[object, ...], list[TransitionSpec]]:
        """Groups whose ``ends`` (sources or targets) are the whole box, the other end one."""
        return {
            key: rows
            for key, rows in groups.items()
            if len(box) > 1
            and {getattr(r, ends) for r in rows} == set(box)
            and len({getattr(r, other) for r in rows}) == 1
        }

    from_box = covering("source", "target")
    to_box = covering("target", "source")
    edges: list[_Edge] = []
    drawn: set[int] = set()
    for row in definition.transitions:
        if row.dest is None or id(row) in drawn:
            continue
        key = (row.trigger, describe(row))
        if key in from_box or key in to_box:
            rows = from_box.get(key) or to_box[key]
            drawn.update(id(r) for r in rows)
            dates = [
                f"{d} (from {definition.stage(r.source).title})"
                if key in from_box
                else f"{d} (to {definition.stage(r.target).title})"
                for r in rows
                for d in taken.get((r.source, r.target), [])
            ]
            plain = describe(row, selector=False)
            lines = (
                plain[0],
                "from any stage in the box" if key in from_box else "back to the stage it left",
                *plain[1:],
            )
            edges.append(
                _Edge(
                    _BOX if key in from_box else row.source,
                    _BOX if key in to_box else row.target,
                    lines,
                    "side",
                    taken=_dates(sorted(dates)),
                    times_taken=len(dates),
                )
            )
            continue
        dates = taken.get((row.source, row.target), [])
        edges.append(
            _Edge(
                row.source,
                row.target,
                describe(row),
                _style(definition, row),
                taken=_dates(dates),
                times_taken=len(dates),
            )
        )
    # Steps that record a fact and stay: one loop per stage; a step offered alike in
    # every stage of the box is named once, on the box.
    stays: dict[str, list[str]] = {}
    for row in definition.transitions:
        if row.dest is None:
            stays.setdefault(row.source, []).append(stay_line(row))
    everywhere = (
        [line for line in stays.get(box[0], []) if all(line in stays.get(s, []) for s in region)]
        if box
        else []
    )
    for stage in definition.stages:
        loop = [
            x
            for x in stays.get(stage.name, [])
            if stage.name not in in_region or x not in everywhere
        ]
        count = stays_taken.get(stage.name, 0)
        if loop or count:
            edges.append(
                _Edge(
                    stage.name,
                    stage.name,
                    tuple(loop) or ("(steps offered in every stage of the box)",),
                    "stay",
                    taken=(f"{count} step(s) recorded here",) if count else (),
                    times_taken=count,
                )
            )
    completion = definition.policy.completion
    side = [definition.stage(s).title for s in region if s not in box]
    told = " and ".join(definition.role_title(r) for r in definition.completion.recipients)
    clock_label = [
        f"{completion.id} {completion.name} clock: {completion.limit} {completion.unit_label} "
        f"from entering {definition.stage(completion.starts).title}"
        + (f" (it runs on while {' or '.join(side)})" if side else ""),
        f"every step here checks it: once it is past, nothing moves until a delay is "
        f"notified to {told}",
    ]
    clock_label += [f"in every stage here: {line}" for line in everywhere]
    approvals = definition.approval_stages()
    chain = " -> ".join(definition.stage(s).title for s in approvals)
    legend: tuple[str, ...] = (
        "double border: final stage; dashed: side path or a way back",
        f"blue box: the {completion.name} clock ({completion.limit} {completion.unit_label}) "
        "runs; green box: the approval chain",
    )
    if review is not None:
        legend += ("filled: stages visited; yellow: the current stage; blue: the steps taken",)
    title = definition.name if review is None else f"{review.reference}: {definition.name}"
    return _Graph(
        title,
        nodes,
        tuple(edges),
        box,
        tuple(clock_label),
        approvals,
        f"Approval chain: {chain}, each of the same draft",
        legend,
    )


def _kind(stage: StageSpec) -> str:
    if stage.initial:
        return "initial"
    if stage.final:
        return "side-final" if stage.side_path else "final"
    return "side" if stage.side_path else "main"


def _dates(dates: list[str]) -> tuple[str, ...]:
    if len(dates) <= _MAX_DATES:
        return tuple(dates)
    return (*dates[:_MAX_DATES], f"and {len(dates) - _MAX_DATES} more")


# -- Mermaid ---------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: on one line, with no quote, tag or backtick
    (which could end the label, add markup, or close a Markdown fence around the block)."""
    return (
        visible(text)
        .replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
    )


_MERMAID_SHAPES = {
    "initial": ('(["', '"])'),
    "main": ('("', '")'),
    "final": ('((("', '")))'),
    "side": ('{{"', '"}}'),
    "side-final": ('((("', '")))'),
}


def _mermaid(graph: _Graph) -> str:
    lines = [
        "---",
        f'title: "{_mermaid_text(graph.title)}"',
        "---",
        "flowchart TD",
        "  classDef side stroke-dasharray: 5 5",
        "  classDef final stroke-width:4px",
        "  classDef visited fill:#dbeafe",
        "  classDef current fill:#fde68a,stroke-width:3px",
        "  classDef alert stroke:#b91c1c,stroke-width:3px",
    ]
    box = set(graph.clock_box)
    approvals = set(graph.approval_box)

    def node(n: _Node) -> str:
        start, end = _MERMAID_SHAPES[n.kind]
        label = _mermaid_text(n.title)
        if n.alerts:
            label += "<br/>" + "<br/>".join(_mermaid_text(a) for a in n.alerts)
        return f"    {n.id}{start}{label}{end}"

    clock_label = "<br/>".join(_mermaid_text(x) for x in graph.clock_label)
    lines.append(f'  subgraph {_BOX}["{clock_label}"]')
    for n in graph.nodes:
        if n.id in box and n.id not in approvals:
            lines.append(node(n))
    lines.append(f'    subgraph approval_chain["{_mermaid_text(graph.approval_label)}"]')
    for n in graph.nodes:
        if n.id in approvals:
            lines.append("  " + node(n))
    lines += ["    end", "  end"]
    for n in graph.nodes:
        if n.id not in box:
            lines.append(node(n)[2:])
    for e in graph.edges:
        label = "<br/>".join(
            _mermaid_text(part) for x in (*e.lines, *e.taken) for part in x.split("\n")
        )
        arrow = {"forward": "-->", "back": "-.->", "side": "-.->", "stay": "-->"}[e.style]
        if e.times_taken:
            arrow = "==>"
        lines.append(f'  {e.source} {arrow}|"{label}"| {e.target}')
    for cls, members in (
        ("side", [n.id for n in graph.nodes if n.kind.startswith("side")]),
        ("final", [n.id for n in graph.nodes if n.kind.endswith("final")]),
        ("visited", [n.id for n in graph.nodes if n.visited and not n.current]),
        ("current", [n.id for n in graph.nodes if n.current]),
        ("alert", [n.id for n in graph.nodes if n.alerts]),
    ):
        if members:
            lines.append(f"  class {','.join(members)} {cls}")
    return "\n".join(lines) + "\n"


# -- DOT ----------------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    """Text inside a quoted DOT string, its control characters made visible."""
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')


def _dot_lines(lines: Iterable[str]) -> str:
    return "".join(_dot_text(part) + "\\l" for x in lines for part in x.split("\n"))


def _dot(graph: _Graph) -> str:
    out = [
        "digraph process {",
        f'  label="{_dot_text(graph.title)}\\n{_dot_lines(graph.legend)}";',
        '  labelloc="t"; fontname="Helvetica"; fontsize=16; rankdir="TB"; compound=true;',
        '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#4b5563"];',
    ]
    box = set(graph.clock_box)
    approvals = set(graph.approval_box)

    def node(n: _Node, indent: str) -> str:
        attrs_ = []
        label = _dot_text(n.title)
        if n.alerts:
            label += "\\n" + "\\n".join(_dot_text(a) for a in n.alerts)
        attrs_.append(f'label="{label}"')
        style = ["rounded", "filled"]
        if n.kind.startswith("side"):
            style.append("dashed")
        if n.kind.endswith("final"):
            attrs_.append("peripheries=2")
        if n.kind == "initial":
            attrs_.append("shape=box, penwidth=2")
        if n.visited:
            attrs_.append('fillcolor="#dbeafe"')
        if n.current:
            attrs_.append('fillcolor="#fde68a", penwidth=3')
            style.append("bold")
        if n.alerts:
            attrs_.append('color="#b91c1c"')
        attrs_.append(f'style="{",".join(style)}"')
        return f"{indent}{n.id} [{', '.join(attrs_)}];"

    out.append("  subgraph cluster_clock {")
    clock_label = "\\n".join(_dot_text(x) for x in graph.clock_label)
    out.append(f'    label="{clock_label}"; style="rounded"; color="#2563eb";')
    out.append('    fontcolor="#1d4ed8"; fontsize=11;')
    for n in graph.nodes:
        if n.id in box and n.id not in approvals:
            out.append(node(n, "    "))
    out.append("    subgraph cluster_approvals {")
    out.append(
        f'      label="{_dot_text(graph.approval_label)}"; style="rounded,filled"; '
        'fillcolor="#f0fdf4"; color="#15803d"; fontcolor="#15803d";'
    )
    for n in graph.nodes:
        if n.id in approvals:
            out.append(node(n, "      "))
    out += ["    }", "  }"]
    for n in graph.nodes:
        if n.id not in box:
            out.append(node(n, "  "))
    anchor = graph.clock_box[0] if graph.clock_box else ""
    for e in graph.edges:
        attrs_ = [f'label="{_dot_lines(e.lines)}"']
        if e.source == _BOX:
            attrs_.append(f"ltail=cluster_{_BOX}")
        if e.target == _BOX:
            attrs_.append(f"lhead=cluster_{_BOX}")
        if e.taken:
            attrs_.append(f'xlabel="{_dot_lines(e.taken)}"')
            attrs_.append('color="#1d4ed8", penwidth=2.5, fontcolor="#1d4ed8"')
        if e.style in ("back", "side"):
            attrs_.append("style=dashed")
        if e.style == "back":
            attrs_.append("constraint=false")
        source = anchor if e.source == _BOX else e.source
        target = anchor if e.target == _BOX else e.target
        out.append(f"  {source} -> {target} [{', '.join(attrs_)}];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- the public face -----------------------------------------------------------------------------

FORMATS = ("mermaid", "dot", "svg", "png", "pdf")


@attrs.frozen(eq=False)
class Diagram:
    """A process definition's diagram, or a review's path on it.

    ``mermaid()`` and ``dot()`` are text and need nothing; ``render("svg")`` (or
    ``"png"``, ``"pdf"``) runs Graphviz's ``dot``. In Jupyter, a diagram shows
    itself as SVG where Graphviz is installed, as Mermaid otherwise.

    >>> from cspr_workflow import DEFAULT_DEFINITION, diagram
    >>> text = diagram(DEFAULT_DEFINITION).mermaid()
    >>> text.splitlines()[3]
    'flowchart TD'
    """

    definition: ProcessDefinition
    review: Review | None = None
    at: pendulum.DateTime | None = None

    def _model(self) -> _Graph:
        return _graph(self.definition, self.review, self.at)

    def mermaid(self) -> str:
        """The diagram as a Mermaid flowchart."""
        return _mermaid(self._model())

    def dot(self) -> str:
        """The diagram as Graphviz DOT source."""
        return _dot(self._model())

    def render(self, fmt: str = "svg") -> bytes:
        """The diagram in ``fmt``: ``mermaid`` or ``dot`` (text), or ``svg``, ``png``,
        ``pdf`` through Graphviz (:class:`GraphvizMissing` if it is not installed)."""
        if fmt == "mermaid":
            return self.mermaid().encode("utf-8")
        if fmt == "dot":
            return self.dot().encode("utf-8")
        if fmt not in FORMATS:
            raise ValueError(f"unknown diagram format {fmt!r}; use one of {', '.join(FORMATS)}")
        dot = shutil.which("dot")
        if dot is None:
            raise GraphvizMissing(fmt)
        result = subprocess.run(
            [dot, f"-T{fmt}"], input=self.dot().encode("utf-8"), capture_output=True, check=False
        )
        if result.returncode != 0:
            raise RenderFailed(fmt, result.stderr.decode("utf-8", "replace"))
        return result.stdout

    def svg(self, *, fit: bool = False) -> str:
        """The diagram as SVG text, without the XML prolog (ready to inline in HTML).

        With ``fit``, the drawing scales to the width of its container instead of
        keeping Graphviz's size in points.
        """
        text = self.render("svg").decode("utf-8")
        start = text.find("<svg")
        text = text[start:] if start >= 0 else text
        if fit:
            text = re.sub(
                r'<svg width="[^"]*" height="[^"]*"',
                '<svg width="100%" style="height:auto;max-width:100%"',
                text,
                count=1,
            )
        return text

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except GraphvizMissing:
            return None

    def _repr_markdown_(self) -> str:
        return f"```mermaid\n{self.mermaid()}```\n"
