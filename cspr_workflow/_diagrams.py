"""State diagrams generated from the process definition, and a review's path on them.

One graph model is built from the definition's table and drawn two ways: Mermaid
(text GitHub, mkdocs and JupyterLab render) and Graphviz DOT (rendered to SVG, PNG
or PDF by Graphviz's ``dot``). Nothing is drawn by hand and nothing depends on
dictionary or set order, so the same definition always gives the same text.

What the diagram shows:

- every stage; final stages with a double border, side paths (hold, deferral,
  decisions not to review) dashed, the initial stage marked;
- every transition, labelled with its trigger, the roles that may fire it and its
  guards by short keys ("if G9, G10"; a run of keys as a range); steps that record a fact
  without leaving the stage are named by key too ("steps S2", ...), on one loop
  per stage (in Mermaid, inside the stage's box);
- a key that gives each guard's title and full description, and each such step,
  once, below the stages;
- a legend with a sample of each shape, border, line and colour drawn, and only
  of those;
- the definition's approval chain boxed and named;
- the completion clock as a box around every stage it runs through, since every
  step there checks it; a step inside the box without the check is marked as such.

The layout leaves room for every label: no label overlaps another or a stage
(the browser tests measure this in Chromium, for the SVG and the Mermaid output).

For a review's path, the steps taken carry their dates and the role that took
them, the stages visited and the current stage are filled, and the clocks at risk
or overdue are named beside the current stage.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._deadlines import ClockStatus
from ._errors import GraphvizMissing, InvalidInput, RenderFailed
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
    clock_title: str
    approval_box: tuple[str, ...]
    approval_label: str
    legend: tuple[tuple[str, str], ...]  # (sample, words); the samples are named below
    guard_key: tuple[tuple[str, str, str], ...] = ()  # (key, title, description)
    step_key: tuple[tuple[str, str], ...] = ()  # (key, step); each loop names its keys


def _roles(definition: ProcessDefinition, roles: Iterable[str]) -> str:
    return ", ".join(sorted(definition.role_title(r) for r in roles))


def _guard_keys(definition: ProcessDefinition) -> dict[str, str]:
    """A short key ("G1", "G2", ...) for every guard a transition names, in the order the
    definition first names them; the completion clock's own check is named in words."""
    timing = definition.completion.guard
    keys: dict[str, str] = {}
    for row in definition.transitions:
        for g in row.guards:
            if g != timing and g not in keys:
                keys[g] = f"G{len(keys) + 1}"
    return keys


_DASH = "\u2013"  # an en dash, for a range of keys


def _runs(keys: Iterable[str]) -> str:
    """Keys in order, three or more consecutive ones of a letter as a range (G3 to G5
    written with an en dash)."""
    parts: list[tuple[str, int, int]] = []
    for key in sorted(keys, key=lambda k: (k[0], int(k[1:]))):
        letter, number = key[0], int(key[1:])
        if parts and parts[-1][0] == letter and parts[-1][2] == number - 1:
            parts[-1] = (letter, parts[-1][1], number)
        else:
            parts.append((letter, number, number))
    return ", ".join(
        f"{a}{m}" if m == n else f"{a}{m}{_DASH if n > m + 1 else ', '}{a}{n}" for a, m, n in parts
    )


def _guards(
    definition: ProcessDefinition,
    row: TransitionSpec,
    keys: dict[str, str],
    selector: bool = True,
) -> list[str]:
    timing = definition.completion.guard
    named = [keys[g] for g in row.guards if g != timing]
    titles = [_runs(named)] if named else []
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
# The ids of the key and the legend's samples begin with a capital: no stage's name can.
_KEY = "Key"
_LEGEND = "Legend"


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
    keys = _guard_keys(definition)
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
        guards = _guards(definition, row, keys, selector)
        lines = [definition.trigger(row.trigger).title, f"by {_roles(definition, row.roles)}"]
        if guards:
            lines += _wrap("if " + "; ".join(guards), 40)
        if row.source in in_region and timing not in row.guards:
            lines.append(unchecked)
        return tuple(lines)

    def stay_line(row: TransitionSpec) -> str:
        line = f"{definition.trigger(row.trigger).title} ({_roles(definition, row.roles)})"
        guards = _guards(definition, row, keys)
        if guards:
            line += " if " + "; ".join(guards)
        if row.source in in_region and timing not in row.guards:
            line += " " + unchecked
        return line

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
    # The steps of the loops are keyed ("S1", ...) and listed once in the key; each
    # loop names its steps by key.
    step_keys: dict[str, str] = {}
    loops: dict[str, list[str]] = {}
    for stage in definition.stages:
        for line in stays.get(stage.name, []):
            if stage.name in in_region and line in everywhere:
                continue
            step = step_keys.setdefault(line, f"S{len(step_keys) + 1}")
            loops.setdefault(stage.name, []).append(step)
    for stage in definition.stages:
        loop = loops.get(stage.name, [])
        count = stays_taken.get(stage.name, 0)
        if loop or count:
            edges.append(
                _Edge(
                    stage.name,
                    stage.name,
                    (f"steps {_runs(loop)}",)
                    if loop
                    else ("steps offered in every stage of the box",),
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
    chain = " → ".join(definition.stage(s).title for s in approvals)
    kinds = {_kind(stage) for stage in definition.stages}
    styles = {e.style for e in edges}
    legend: list[tuple[str, str]] = [("node:main", "a stage")]
    if "initial" in kinds:
        legend.append(("node:initial", "the stage a review starts in"))
    if kinds & {"final", "side-final"}:
        legend.append(("node:final", "a final stage"))
    if kinds & {"side", "side-final"}:
        legend.append(("node:side", "a side path (hold, deferral, decisions not to review)"))
    legend.append(("line:solid", "a step onward"))
    if styles & {"back", "side"}:
        legend.append(("line:dashed", "a step to or from a side path, or a way back"))
    if box:
        legend.append(
            (
                "box:clock",
                f"blue box: the {completion.id} {completion.name} clock "
                f"({completion.limit} {completion.unit_label}) runs",
            )
        )
    if approvals:
        legend.append(("box:approval", "green box: the approval chain"))
    if review is not None:
        if any(e.times_taken for e in edges):
            legend.append(("line:taken", "blue: a step taken, with its date and who took it"))
        if visited:
            legend.append(("fill:visited", "blue fill: a stage visited"))
        if current is not None:
            legend.append(("fill:current", "yellow fill: the current stage"))
        if alerts:
            legend.append(("border:alert", "red border: a clock at risk or overdue"))
    guard_key = tuple(
        (key, definition.guard(g).title, definition.guard(g).description)
        for g, key in keys.items()
    )
    step_key = tuple((key, line) for line, key in step_keys.items())
    title = definition.name if review is None else f"{review.reference}: {definition.name}"
    return _Graph(
        title,
        nodes,
        tuple(edges),
        box,
        tuple(clock_label),
        f"{completion.id} {completion.name} clock",
        approvals,
        f"Approval chain: {chain}, each of the same draft",
        tuple(legend),
        guard_key,
        step_key,
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


# Each sample of the legend: a Mermaid node of the shape and class it shows, or a pair
# of nodes joined by the line it shows.
_MERMAID_SAMPLES = {
    "node:main": ('("', '")', ""),
    "node:initial": ('(["', '"])', ""),
    "node:final": ('((("', '")))', "final"),
    "node:side": ('{{"', '"}}', "side"),
    "box:clock": ('["', '"]', "clockbox"),
    "box:approval": ('["', '"]', "approvalbox"),
    "fill:visited": ('("', '")', "visited"),
    "fill:current": ('("', '")', "current"),
    "border:alert": ('("', '")', "alert"),
}
_MERMAID_LINES = {"line:solid": "-->", "line:dashed": "-.->", "line:taken": "==>"}
_MERMAID_CLASSES = (
    "  classDef side stroke-dasharray: 5 5",
    "  classDef final stroke-width:4px",
    "  classDef visited fill:#dbeafe",
    "  classDef current fill:#fde68a,stroke-width:3px",
    "  classDef alert stroke:#b91c1c,stroke-width:3px",
    "  classDef clockbox fill:#eff6ff,stroke:#2563eb,color:#1d4ed8",
    "  classDef approvalbox fill:#f0fdf4,stroke:#15803d,color:#15803d",
    "  classDef key fill:#ffffff,stroke:#9ca3af,text-align:left",
)


# Mermaid wraps a label's lines at 200 px unless told otherwise; ours are wrapped to
# fit this width (in px) already, so Mermaid breaks none of them again.
_MERMAID_WIDTH = 720


def _mermaid_wrap(text: str, width: int) -> str:
    return "<br/>".join(_mermaid_text(x) for x in _wrap(text, width))


def _mermaid_legend(graph: _Graph) -> list[str]:
    lines = [f'  subgraph {_LEGEND}["Legend"]']
    classes: list[str] = []
    for n, (sample, words) in enumerate(graph.legend, 1):
        # Mermaid wraps a line's label at 200 px whatever it is told: 24 characters fit.
        text = _mermaid_wrap(words, 24 if sample in _MERMAID_LINES else 36)
        if sample in _MERMAID_LINES:
            lines.append(
                f'    {_LEGEND}{n}a("stage") {_MERMAID_LINES[sample]}|"{text}"| '
                f'{_LEGEND}{n}b("stage")'
            )
            continue
        # Mermaid gives a box's title one line: the box's full label is in its sample.
        more = {"box:clock": graph.clock_label, "box:approval": (graph.approval_label,)}
        for line in more.get(sample, ()):
            text += "<br/><small>" + _mermaid_wrap(line, 44) + "</small>"
        start, end, cls = _MERMAID_SAMPLES[sample]
        lines.append(f"    {_LEGEND}{n}{start}{text}{end}")
        if cls:
            classes.append(f"  class {_LEGEND}{n} {cls}")
    lines.append("  end")
    lines.append(f"  style {_LEGEND} fill:#ffffff,stroke:#9ca3af")
    return lines + classes


def _mermaid_key(graph: _Graph) -> list[str]:
    lines = []
    if graph.guard_key:
        entries = [
            f"<b>{key} {_mermaid_text(title)}</b><br/>{_mermaid_wrap(description, 72)}"
            for key, title, description in graph.guard_key
        ]
        head = "<b>Conditions (G): a step so marked needs them all</b>"
        lines.append(f'  {_KEY}G["{head}<br/><br/>{"<br/>".join(entries)}"]')
    if graph.step_key:
        entries = [f"<b>{key}</b> {_mermaid_wrap(step, 72)}" for key, step in graph.step_key]
        head = "<b>Steps that record a fact and stay in the stage (S)</b>"
        lines.append(f'  {_KEY}S["{head}<br/><br/>{"<br/>".join(entries)}"]')
    names = [f"{_KEY}{x}" for x, used in (("G", graph.guard_key), ("S", graph.step_key)) if used]
    if names:
        # Below every stage: each final stage is joined to the key, unseen.
        finals = [n.id for n in graph.nodes if n.kind.endswith("final")]
        lines += [f"  {f} ~~~ {name}" for f in finals for name in names]
        lines.append(f"  class {','.join(names)} key")
    return lines


def _mermaid(graph: _Graph) -> str:
    lines = [
        "---",
        f'title: "{_mermaid_text(graph.title)}"',
        "config:",
        "  flowchart:",
        f"    wrappingWidth: {_MERMAID_WIDTH}",
        "    nodeSpacing: 70",
        "    rankSpacing: 70",
        "---",
        "flowchart TD",
        *_MERMAID_CLASSES,
    ]
    box = set(graph.clock_box)
    approvals = set(graph.approval_box)

    # A stage's steps that stay go in its box (Mermaid puts a loop's label where other
    # labels are); the taken ones are counted there too.
    stays = {e.source: e for e in graph.edges if e.style == "stay"}

    def node(n: _Node) -> str:
        start, end = _MERMAID_SHAPES[n.kind]
        label = _mermaid_text(n.title)
        if n.id in stays:
            stay = stays[n.id]
            extra = "<br/>".join(_mermaid_wrap(x, 24) for x in (*stay.lines, *stay.taken))
            label += f"<br/><small>{extra}</small>"
        if n.alerts:
            label += "<br/>" + "<br/>".join(_mermaid_text(a) for a in n.alerts)
        return f"    {n.id}{start}{label}{end}"

    lines += _mermaid_legend(graph)
    lines.append(f'  subgraph {_BOX}["{_mermaid_text(graph.clock_title)} (see the legend)"]')
    for n in graph.nodes:
        if n.id in box and n.id not in approvals:
            lines.append(node(n))
    lines.append('    subgraph approval_chain["approval chain (see the legend)"]')
    for n in graph.nodes:
        if n.id in approvals:
            lines.append("  " + node(n))
    lines += ["    end", "  end"]
    for n in graph.nodes:
        if n.id not in box:
            lines.append(node(n)[2:])
    drawn: set[tuple[str, str]] = set()
    anchor = graph.clock_box[0] if graph.clock_box else ""
    for e in graph.edges:
        if e.style == "stay":
            continue
        label = "<br/>".join(_mermaid_text(x) for x in (*e.lines, *e.taken))
        arrow = {"forward": "-->", "back": "-.->", "side": "-.->"}[e.style]
        if e.times_taken:
            arrow = "==>"
        if (e.target, e.source) in drawn:
            # Mermaid puts a label halfway along its line: the way back is drawn longer,
            # so its label is not on top of the way there's.
            arrow = arrow[:-2] + arrow[-3] + arrow[-2:]
        drawn.add((e.source, e.target))
        # A step from or to the whole box is drawn from or to its first stage (Mermaid
        # puts the label of a line to a box on the stage at its other end).
        source = anchor if e.source == _BOX else e.source
        target = anchor if e.target == _BOX else e.target
        lines.append(f'  {source} {arrow}|"{label}"| {target}')
    lines += _mermaid_key(graph)
    lines.append(f"  style {_BOX} fill:#eff6ff,stroke:#2563eb,color:#1d4ed8")
    lines.append("  style approval_chain fill:#f0fdf4,stroke:#15803d,color:#15803d")
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


def _html(text: str) -> str:
    """Text inside a Graphviz HTML-like label."""
    return html.escape(visible(text), quote=False)


# Each sample of the legend, as a cell of a Graphviz HTML-like table.
_CELL = 'WIDTH="40" HEIGHT="16" FIXEDSIZE="TRUE"'
_DOT_SAMPLES = {
    "node:main": f'<TD {_CELL} BORDER="1" STYLE="rounded"> </TD>',
    "node:initial": f'<TD {_CELL} BORDER="2" STYLE="rounded"> </TD>',
    "node:final": (
        '<TD><TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="0" STYLE="rounded">'
        '<TR><TD WIDTH="34" HEIGHT="10" FIXEDSIZE="TRUE" STYLE="rounded"> </TD></TR>'
        "</TABLE></TD>"
    ),
    "node:side": f'<TD {_CELL} BORDER="1" STYLE="dashed"> </TD>',
    "line:solid": f'<TD {_CELL} BORDER="1" SIDES="B" COLOR="#4b5563"> </TD>',
    "line:dashed": f'<TD {_CELL} BORDER="1" SIDES="B" STYLE="dashed" COLOR="#4b5563"> </TD>',
    "line:taken": f'<TD {_CELL} BORDER="3" SIDES="B" COLOR="#1d4ed8"> </TD>',
    "box:clock": (
        f'<TD {_CELL} BORDER="1" STYLE="rounded" COLOR="#2563eb" BGCOLOR="#eff6ff"> </TD>'
    ),
    "box:approval": (
        f'<TD {_CELL} BORDER="1" STYLE="rounded" COLOR="#15803d" BGCOLOR="#f0fdf4"> </TD>'
    ),
    "fill:visited": f'<TD {_CELL} BORDER="1" STYLE="rounded" BGCOLOR="#dbeafe"> </TD>',
    "fill:current": f'<TD {_CELL} BORDER="3" STYLE="rounded" BGCOLOR="#fde68a"> </TD>',
    "border:alert": f'<TD {_CELL} BORDER="3" STYLE="rounded" COLOR="#b91c1c"> </TD>',
}


def _dot_label(graph: _Graph) -> str:
    """The title and the legend: a sample of each colour, border and line drawn."""
    items = list(graph.legend)
    half = (len(items) + 1) // 2
    columns = []
    for column in (items[:half], items[half:]):
        rows = []
        for sample, words in column:
            # The clock box's own label is its first line; the rest is told here, where no
            # line crosses it.
            more = graph.clock_label[1:] if sample == "box:clock" else ()
            text = [_html(words)] + [f'<FONT COLOR="#1d4ed8">{_html(x)}</FONT>' for x in more]
            rows.append(f"<TR>{_DOT_SAMPLES[sample]}{_html_lines(text)}</TR>")
        columns.append(
            '<TD VALIGN="TOP"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1">'
            + "".join(rows)
            + "</TABLE></TD>"
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="18"><B>{_html(graph.title)}</B>'
        f"</FONT></TD></TR><TR>{''.join(columns)}</TR></TABLE>>"
    )


def _html_lines(lines: Iterable[str]) -> str:
    """A cell of lines, one row each: Graphviz spaces the rows of a table, not the lines
    of a ``<BR/>``-broken cell, so the lines cannot touch."""
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in lines)
    return (
        '<TD ALIGN="LEFT" VALIGN="TOP"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="1">{rows}</TABLE></TD>'
    )


def _dot_key(graph: _Graph) -> str:
    """The key: each condition (guard) in full, and each step that stays in a stage,
    once; the diagram names them by their keys."""
    tables = []
    if graph.guard_key:
        rows = [
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="13"><B>'
            "Conditions (G): a step so marked needs them all</B></FONT></TD></TR>"
        ]
        for key, title, description in graph.guard_key:
            text = [f"<B>{_html(title)}</B>"] + [
                f'<FONT COLOR="#4b5563">{_html(x)}</FONT>' for x in _wrap(description, 90)
            ]
            rows.append(f"<TR>{_html_lines([f'<B>{key}</B>'])}{_html_lines(text)}</TR>")
        tables.append(rows)
    if graph.step_key:
        rows = [
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="13"><B>'
            "Steps that record a fact and stay in the stage (S)</B></FONT></TD></TR>"
        ]
        for key, step in graph.step_key:
            what = [_html(x) for x in _wrap(step, 70)]
            rows.append(f"<TR>{_html_lines([f'<B>{key}</B>'])}{_html_lines(what)}</TR>")
        tables.append(rows)
    cells = "".join(
        '<TD VALIGN="TOP"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE></TD>"
        for rows in tables
    )
    return (
        '<<TABLE BORDER="1" COLOR="#9ca3af" CELLBORDER="0" CELLSPACING="12" CELLPADDING="0">'
        f"<TR>{cells}</TR></TABLE>>"
    )


def _dot(graph: _Graph) -> str:
    out = [
        "digraph process {",
        f"  label={_dot_label(graph)};",
        '  labelloc="t"; labeljust="l"; fontname="Helvetica"; fontsize=11; rankdir="TB";',
        "  compound=true; nodesep=0.5; ranksep=0.45; forcelabels=true;",
        '  node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica",'
        " fontsize=14];",
        '  edge [fontname="Helvetica", fontsize=10, color="#4b5563"];',
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
    clock_label = _dot_text(graph.clock_label[0])
    out.append(
        f'    label="{clock_label}"; style="rounded,filled"; fillcolor="#eff6ff"; color="#2563eb";'
    )
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
        # The dates a step was taken go in its label, so the layout makes room for them.
        attrs_ = [f'label="{_dot_lines((*e.lines, *e.taken))}"']
        if e.source == _BOX:
            attrs_.append(f"ltail=cluster_{_BOX}")
        if e.target == _BOX:
            attrs_.append(f"lhead=cluster_{_BOX}")
        if e.taken:
            attrs_.append('color="#1d4ed8", penwidth=2.5, fontcolor="#1d4ed8"')
        if e.style in ("back", "side"):
            attrs_.append("style=dashed")
        source = anchor if e.source == _BOX else e.source
        target = anchor if e.target == _BOX else e.target
        if e.style == "back":
            # Laid out as if it went forward, so the way back does not bend the ranks,
            # and drawn with its arrow at the stage it returns to.
            attrs_.append("dir=back")
            source, target = target, source
        out.append(f"  {source} -> {target} [{', '.join(attrs_)}];")
    if graph.guard_key or graph.step_key:
        # The key goes below every stage: each final stage points to it, unseen.
        key = _dot_key(graph)
        out.append(f"  {_KEY} [shape=plaintext, style=solid, margin=0, fontsize=12, label={key}];")
        for n in graph.nodes:
            if n.kind.endswith("final"):
                out.append(f"  {n.id} -> {_KEY} [style=invis];")
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
    >>> "flowchart TD" in text.splitlines()
    True
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
            raise InvalidInput(
                "fmt",
                "diagram_format",
                "unknown diagram format",
                f"Use one of: {', '.join(FORMATS)}.",
            )
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
