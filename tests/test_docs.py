"""The docs' generated parts come from the code, and every placeholder is filled."""

from __future__ import annotations

import enum
import importlib.util
import inspect
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
        names = importlib.import_module(dotted).__all__
        for name in names:
            assert f"| [`{name}`](#{dotted}.{name}) |" in section, (dotted, name)
        # and mkdocstrings documents each of them in full, below the table
        assert f"::: {dotted}\n" in section, dotted
        assert section.split("      members:")[1].split() == [
            part for name in names for part in ("-", name)
        ], dotted
    assert "|  |" not in rendered, "a public name has no docstring"


def _public_methods(cls: type) -> list[str]:
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__doc__
    ]


def test_built_api_page_documents_every_public_name(tmp_path: Path) -> None:
    """The built page (mkdocstrings) has an entry for every public name, with a signature
    for each function and each class with its own ``__init__``, and an entry for each
    public method of a class."""
    import importlib
    import os
    import subprocess
    import sys

    env = os.environ | {"CSPR_DOCS_EXECUTE": "false"}  # the notebook is not this test's
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=DOCS.parent,
        env=env,
        check=True,
        capture_output=True,
    )
    page = (tmp_path / "reference" / "api" / "index.html").read_text()
    assert ":class:" not in page
    assert ":meth:" not in page
    for dotted in _hooks().NAMESPACES:
        module = importlib.import_module(dotted)
        for name in module.__all__:
            anchor = f'id="{dotted}.{name}"'
            assert anchor in page, anchor
            # from the entry's own heading to the next one
            entry = page.split(anchor, 1)[1].split('class="doc doc-heading"')[1]
            value = getattr(module, name)
            # a function, and a class with its own __init__ (attrs writes one), is signed
            if inspect.isfunction(value) or (inspect.isclass(value) and "__init__" in vars(value)):
                assert "doc-signature" in entry, anchor
            if inspect.isclass(value) and not issubclass(value, enum.Enum):
                for method in _public_methods(value):
                    assert f'id="{dotted}.{name}.{method}"' in page, (dotted, name, method)


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
