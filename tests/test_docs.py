"""The docs' generated parts come from the code, and every placeholder is filled."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cspr_workflow import DEFAULT_DEFINITION

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_placeholder_in_the_docs_is_known_and_filled() -> None:
    hooks = _hooks()
    used = set()
    for page in DOCS.rglob("*.md"):
        text = page.read_text()
        rendered = hooks.render(text)
        assert "<!-- generated:" not in rendered, page
        used |= {m for m in hooks.PLACEHOLDERS if m in text}
    assert used == set(hooks.PLACEHOLDERS)


def test_process_page_is_the_definition_table() -> None:
    page = (DOCS / "explanation" / "process.md").read_text()
    rendered = _hooks().render(page)
    assert DEFAULT_DEFINITION.process_table() in rendered
    assert DEFAULT_DEFINITION.stage_table() in rendered
    assert DEFAULT_DEFINITION.role_table() in rendered
    for guard in DEFAULT_DEFINITION.all_guards.values():
        assert guard.description in rendered


def test_api_page_lists_every_public_name() -> None:
    import importlib
    import pkgutil

    import cspr_workflow

    hooks = _hooks()
    rendered = hooks.render("<!-- generated: api -->")
    public = ["cspr_workflow"] + [
        f"cspr_workflow.{m.name}"
        for m in pkgutil.iter_modules(cspr_workflow.__path__)
        if not m.name.startswith("_")
    ]
    assert sorted(hooks.NAMESPACES) == sorted(public)
    for dotted in public:
        section = rendered.split(f"## `{dotted}`\n")[1].split("\n## ")[0]
        for name in importlib.import_module(dotted).__all__:
            assert f"| `{name}` |" in section, (dotted, name)
    assert "|  |" not in rendered, "a public name has no docstring"


def test_the_layers_page_is_read_from_the_imports() -> None:
    hooks = _hooks()
    page = hooks.render((DOCS / "explanation" / "design.md").read_text())
    layers = page.split("```text\n")[1].split("```")[0].splitlines()
    top = layers[0].split()
    assert top[1] == "_cli"
    bottom = layers[-1].split()
    assert bottom[0] == "1"
    assert "_errors" in bottom


def test_readme_python_examples_run() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    assert blocks
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
    review = namespace["review"]
    assert review.stage == "notified"  # type: ignore[attr-defined]


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    ci = (DOCS.parent / ".ci" / "run").read_text()
    test_command = "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert test_command in readme
    assert test_command in ci
    assert "python3 -m pip install . && cspr-workflow demo" in readme
