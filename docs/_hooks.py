"""mkdocs hook: replace placeholders with text generated from the code.

The process table, the stage table, the API list and the exception tree are
read from the library at build time, so the docs cannot drift from it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def _api() -> str:
    import cspr_workflow

    lines = ["| Name | What it is |", "|---|---|"]
    for name in cspr_workflow.__all__:
        value = getattr(cspr_workflow, name)
        doc = inspect.getdoc(value) if inspect.isclass(value) or callable(value) else None
        if name.isupper():
            doc = {
                "DEFAULT_DEFINITION": "The national process with this partnership's local rules.",
                "DEFAULT_GUARDS": "The default guards, by id.",
                "DEFAULT_SELECTORS": "The default selectors, by id.",
                "DEMO_ACTORS": "The demo review's fictional people, by key.",
                "DEFAULT_PROPERTIES": "The statutory properties the verifier and "
                "`check_review` check on every path (DOMAIN.md invariants).",
                "APPROVAL_TRIGGERS": "The triggers of the approval chain, in the order the "
                "bodies sign off one draft.",
                "SCHEMA_VERSION": "The version of the review document this library writes.",
                "STATUTORY_OWNERS": "Who alone may take each statutory step: the "
                "specification the verifier checks the table against.",
            }.get(name, doc)
        first = (doc or "").strip().split("\n\n")[0].replace("\n", " ")
        lines.append(f"| `{name}` | {first} |")
    return "\n".join(lines) + "\n"


def _errors() -> str:
    from cspr_workflow import _errors

    doc = inspect.getdoc(_errors) or ""
    tree = doc.split("::", 1)[1].split("\n\n", 2)[1]
    return "```text\n" + inspect.cleandoc(tree) + "\n```\n"


def _process() -> str:
    from cspr_workflow import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION.process_table()


def _stages() -> str:
    from cspr_workflow import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION.stage_table()


def _guards() -> str:
    from cspr_workflow import DEFAULT_GUARDS

    lines = ["| Guard | id | Rule |", "|---|---|---|"]
    for guard in DEFAULT_GUARDS.values():
        lines.append(f"| {guard.title} | `{guard.id}` | {guard.description} |")
    return "\n".join(lines) + "\n"


def _permissions() -> str:
    from cspr_workflow import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION.permission_table()


def _clocks() -> str:
    from cspr_workflow import DEFAULT_DEFINITION

    lines = [
        "| Clock | Limit | Starts on entering | Stops on entering | Kind | Rule |",
        "|---|---|---|---|---|---|",
    ]
    for c in DEFAULT_DEFINITION.policy.clocks:
        lines.append(
            f"| {c.id} {c.name} | {c.limit} {c.unit_label} | `{c.starts}` | `{c.stops}` "
            f"| {c.kind.value.replace('_', ' ')} | {c.source}: {c.description} |"
        )
    return "\n".join(lines) + "\n"


def _properties() -> str:
    from cspr_workflow import DEFAULT_PROPERTIES

    lines = ["| Property | id |", "|---|---|"]
    for prop in DEFAULT_PROPERTIES:
        lines.append(f"| {prop.title} | `{prop.id}` |")
    return "\n".join(lines) + "\n"


def _process_diagram() -> str:
    """The process diagram as inline SVG (Graphviz), or as Mermaid where it is missing."""
    from cspr_workflow import GraphvizMissing, diagram

    try:
        svg = diagram().svg(fit=True)
    except GraphvizMissing:
        return "```mermaid\n" + diagram().mermaid() + "```\n"
    link = "<p><a href='../../process.svg'>Open the diagram at full size.</a></p>"
    return f'<div class="process-diagram">\n{svg}\n</div>\n{link}\n'


PLACEHOLDERS: dict[str, Callable[[], str]] = {
    "<!-- generated: process-diagram -->": _process_diagram,
    "<!-- generated: property-table -->": _properties,
    "<!-- generated: clock-table -->": _clocks,
    "<!-- generated: permission-table -->": _permissions,
    "<!-- generated: process-table -->": _process,
    "<!-- generated: stage-table -->": _stages,
    "<!-- generated: guard-table -->": _guards,
    "<!-- generated: api -->": _api,
    "<!-- generated: errors -->": _errors,
}


def render(markdown: str) -> str:
    """Replace every placeholder in ``markdown`` with its generated text."""
    for marker, make in PLACEHOLDERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return render(markdown)


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write the process diagram at full size beside the pages (where Graphviz is installed)."""
    from pathlib import Path

    from cspr_workflow import GraphvizMissing, diagram

    try:
        svg = diagram().render("svg")
    except GraphvizMissing:
        return
    Path(config["site_dir"], "process.svg").write_bytes(svg)
