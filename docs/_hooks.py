"""mkdocs hook: replace placeholders with text generated from the code.

The process tables, the API lists and the exception tree are read from the
library at build time, so the docs cannot drift from it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

#: The public modules, in the order the API page lists them, with what each holds.
NAMESPACES: dict[str, str] = {
    "cspr_workflow": "What running a review needs.",
    "cspr_workflow.records": "The records a review keeps.",
    "cspr_workflow.errors": "Every error, under one root.",
    "cspr_workflow.extension": "The parts a process is declared from.",
    "cspr_workflow.clocks": "Clocks, the calendar and the deadline report.",
    "cspr_workflow.effects": "What a step records, to bind to a partnership's triggers.",
    "cspr_workflow.persistence": "Documents, the hash chain, replay and the store.",
    "cspr_workflow.views": "Diagrams, audit reports, the period report and the portfolio.",
    "cspr_workflow.simulation": "Timeline simulation.",
    "cspr_workflow.verification": "The verifier and the oracle.",
    "cspr_workflow.states": "The default process's stages, triggers, table and rules.",
    "cspr_workflow.guards": "The default process's guards.",
    "cspr_workflow.roles": "The default process's roles.",
    "cspr_workflow.statutory": "The default process's statutory properties and owners.",
    "cspr_workflow.practice": "The default process's simulation scenario.",
    "cspr_workflow.default": "The default process, assembled.",
    "cspr_workflow.demo": "The demo review.",
}


def _summary(value: Any, name: str, module: Any) -> str:
    if inspect.isclass(value) or inspect.isfunction(value) or inspect.ismethod(value):
        doc = inspect.getdoc(value)
    else:  # a constant or an alias: the docstring written under it in its module's source
        doc = _attribute_doc(module, name)
    first = (doc or "").strip().split("\n\n")[0].replace("\n", " ").replace("|", "\\|")
    return _roles().plain(first)


def _roles() -> Any:
    """The Griffe extension beside this file, whose ``plain`` turns reST roles into code."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "docs_griffe_roles", Path(__file__).with_name("_griffe_roles.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _attribute_doc(module: Any, name: str) -> str | None:
    import ast

    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return None
    body = tree.body
    for i, node in enumerate(body):
        targets = (
            [t.id for t in node.targets if isinstance(t, ast.Name)]
            if isinstance(node, ast.Assign)
            else [node.target.id]
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            else []
        )
        if name in targets and i + 1 < len(body):
            nxt = body[i + 1]
            if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
                return str(nxt.value.value)
    return None


def _source_module(value: Any, face: Any) -> Any:
    origin = getattr(value, "__module__", None)
    if isinstance(origin, str) and origin.startswith("cspr_workflow"):
        return importlib.import_module(origin)
    return face


def _api() -> str:
    parts = []
    for dotted, what in NAMESPACES.items():
        module = importlib.import_module(dotted)
        parts.append(f"## `{dotted}`\n\n{what}\n")
        lines = ["| Name | What it is |", "|---|---|"]
        for name in module.__all__:
            value = getattr(module, name)
            source = _source_module(value, module)
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                source = _defining_module(name, module)
            lines.append(f"| [`{name}`](#{dotted}.{name}) | {_summary(value, name, source)} |")
        parts.append("\n".join(lines) + "\n")
        parts.append(_autodoc(dotted, module.__all__))
    return "\n".join(parts)


def _autodoc(dotted: str, names: list[str]) -> str:
    """The mkdocstrings block that documents ``names`` of module ``dotted`` in full:
    signature, docstring, and each class's public methods and attributes."""
    members = "".join(f"\n        - {name}" for name in names)
    return (
        f"::: {dotted}\n"
        "    options:\n"
        "      show_root_heading: false\n"
        "      show_root_toc_entry: false\n"
        f"      members:{members}\n"
    )


def _defining_module(name: str, face: Any) -> Any:
    """The private module a constant or alias was re-exported from (or the face itself):
    imported at the top of the face, or under ``if TYPE_CHECKING:`` where the face imports
    its names when first used (as the package does)."""
    import ast

    tree = ast.parse(inspect.getsource(face))
    nodes = [n for top in tree.body for n in (top.body if isinstance(top, ast.If) else [top])]
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
            base = face.__name__.rsplit(".", 1)[0] if node.level == 1 else ""
            target = (
                f"{base}.{node.module}"
                if node.level == 1 and node.module
                else node.module or face.__name__
            )
            if face.__name__ == "cspr_workflow" and node.level == 1:
                target = f"cspr_workflow.{node.module}"
            return importlib.import_module(target)
    return face


def _errors() -> str:
    from cspr_workflow import _errors

    doc = inspect.getdoc(_errors) or ""
    tree = doc.split("::", 1)[1].split("\n\n", 2)[1]
    return "```text\n" + inspect.cleandoc(tree) + "\n```\n"


def _definition() -> Any:
    from cspr_workflow import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION


def _properties() -> str:
    lines = ["| Property | id |", "|---|---|"]
    for prop in _definition().properties:
        lines.append(f"| {prop.title} | `{prop.id}` |")
    return "\n".join(lines) + "\n"


def _process_diagram() -> str:
    """The process diagram as inline SVG (Graphviz), or as Mermaid where it is missing."""
    from cspr_workflow import diagram
    from cspr_workflow.errors import GraphvizMissing

    try:
        svg = diagram().svg(fit=True)
    except GraphvizMissing:
        return "```mermaid\n" + diagram().mermaid() + "```\n"
    full = "../../process.svg"
    link = (
        f"<p><a href='{full}'>Open the diagram at full size</a> (or click it), "
        "to zoom and scroll in the browser.</p>"
    )
    return (
        f'{link}\n<div class="process-diagram">\n'
        f"<a href='{full}' title='Open the diagram at full size'>\n{svg}\n</a>\n</div>\n"
    )


def _imports(package: Any) -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (anywhere in it)."""
    import ast
    import pkgutil
    from pathlib import Path

    root = Path(package.__file__).parent
    names = {m.name for m in pkgutil.iter_modules([str(root)])}
    graph: dict[str, set[str]] = {}
    for name in sorted(names):
        found: set[str] = set()
        for node in ast.walk(ast.parse((root / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= (
                    {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
                )
        graph[name] = {m for m in found if m in names}
    return graph


def _layers() -> str:
    """The package's modules by layer, from the code's imports: each module sits one layer
    above the highest module it imports."""
    import cspr_workflow
    from cspr_workflow.default import MODULES as DEFAULT_PROCESS

    graph = _imports(cspr_workflow)
    level: dict[str, int] = {}

    def height(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((height(m) for m in graph[name]), default=0)
        return level[name]

    for name in graph:
        height(name)
    top = max(level.values())
    lines = ["```text"]
    for n in range(top, 0, -1):
        here = sorted(m for m, v in level.items() if v == n)
        generic = [m for m in here if m not in DEFAULT_PROCESS]
        default = [m for m in here if m in DEFAULT_PROCESS]
        row = "  ".join(generic)
        if default:
            row = (row + "  " if row else "") + "| default process: " + "  ".join(default)
        lines.append(f"{n:>2}  {row}")
    lines.append("```")
    return "\n".join(lines) + "\n"


PLACEHOLDERS: dict[str, Callable[[], str]] = {
    "<!-- generated: layers -->": _layers,
    "<!-- generated: process-diagram -->": _process_diagram,
    "<!-- generated: property-table -->": _properties,
    "<!-- generated: clock-table -->": lambda: _definition().clock_table(),
    "<!-- generated: permission-table -->": lambda: _definition().permission_table(),
    "<!-- generated: process-table -->": lambda: _definition().process_table(),
    "<!-- generated: stage-table -->": lambda: _definition().stage_table(),
    "<!-- generated: guard-table -->": lambda: _definition().guard_table(),
    "<!-- generated: role-table -->": lambda: _definition().role_table(),
    "<!-- generated: api -->": _api,
    "<!-- generated: errors -->": _errors,
}


def render(markdown: str) -> str:
    """Replace every placeholder in ``markdown`` with its generated text."""
    for marker, make in PLACEHOLDERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


def on_config(config: Any, **kwargs: Any) -> Any:
    """The notebook runs in a kernel that inherits this environment: a page is no place
    for the simulation's progress bar (tqdm reads ``TQDM_DISABLE``), only its results."""
    import os

    os.environ.setdefault("TQDM_DISABLE", "1")
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return render(markdown)


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write the process diagram at full size beside the pages (where Graphviz is installed)."""
    from pathlib import Path

    from cspr_workflow import diagram
    from cspr_workflow.errors import GraphvizMissing

    try:
        svg = diagram().render("svg")
    except GraphvizMissing:
        return
    Path(config["site_dir"], "process.svg").write_bytes(svg)
