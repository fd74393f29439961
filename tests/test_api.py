"""The public API and the layering: small, explicit, and every module in its place.

- The top level and every public namespace list exactly what they export, sorted.
- Each private module's ``__all__`` is exactly what the public modules re-export from it.
- The generic core (every private module but the default process's own and the CLI) never
  imports the default process, and names none of its stages, triggers or bodies.
- No two modules import each other, directly or through others (imports inside
  functions and under ``TYPE_CHECKING`` count too).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import cspr_workflow
from cspr_workflow import DEFAULT_DEFINITION
from cspr_workflow.default import MODULES as DEFAULT_MODULES

PACKAGE = Path(cspr_workflow.__file__).parent
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]))
NAMESPACES = [
    "clocks",
    "effects",
    "errors",
    "extension",
    "persistence",
    "records",
    "simulation",
    "verification",
    "views",
]
#: The default process: declared, assembled, demonstrated.
DEFAULT_PROCESS = list(DEFAULT_MODULES)
APPLICATION = ["_cli"]
GENERIC = [m for m in MODULES if m.startswith("_") and m not in DEFAULT_PROCESS + APPLICATION]


def _sorted_like_ruff(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: (not n.isupper(), n))


def test_the_modules_are_all_accounted_for() -> None:
    public = [m for m in MODULES if not m.startswith("_")]
    assert sorted(public) == sorted(NAMESPACES + [m for m in DEFAULT_PROCESS if m[0] != "_"])


def test_the_top_level_is_small_sorted_and_complete() -> None:
    names = cspr_workflow.__all__
    assert names == _sorted_like_ruff(names)
    assert len(names) <= 25
    for name in names:
        assert hasattr(cspr_workflow, name), name
    public = {
        name
        for name, value in vars(cspr_workflow).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(names)


def test_the_top_levels_three_lists_agree() -> None:
    # The package imports each name when first used: ``_FROM`` says from where, the
    # ``TYPE_CHECKING`` imports say the same to mypy and the docs, ``__all__`` lists them.
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    checked = {
        alias.asname or alias.name: "." * node.level + (node.module or "")
        for block in tree.body
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    lazy = cspr_workflow._FROM  # type: ignore[attr-defined]
    assert checked == lazy
    assert set(lazy) == set(cspr_workflow.__all__)
    for name, module in lazy.items():
        defined = importlib.import_module(module, "cspr_workflow")
        assert name in vars(defined), (name, module)


@pytest.mark.parametrize("name", NAMESPACES + [m for m in DEFAULT_PROCESS if m[0] != "_"])
def test_each_public_module_exports_what_it_lists(name: str) -> None:
    module = importlib.import_module(f"cspr_workflow.{name}")
    names = list(module.__all__)
    assert names == _sorted_like_ruff(names), name
    for item in names:
        assert hasattr(module, item), (name, item)
    if name in NAMESPACES:  # a namespace only hands names on
        tree = ast.parse(Path(module.__file__ or "").read_text())
        assert not [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith("_")])
def test_each_private_modules_all_is_what_is_re_exported(name: str) -> None:
    module = importlib.import_module(f"cspr_workflow.{name}")
    mine = {n: getattr(module, n) for n in dir(module)}
    exported = set()
    for public in ["", *NAMESPACES, *(m for m in DEFAULT_PROCESS if m[0] != "_")]:
        face = importlib.import_module("cspr_workflow" + (f".{public}" if public else ""))
        for n in face.__all__:
            value = getattr(face, n)
            if n in mine and mine[n] is value and _defined_in(value, module, n):
                exported.add(n)
    assert set(module.__all__) == exported


def _defined_in(value: object, module: types.ModuleType, name: str) -> bool:
    """True when ``name`` is the module's own (defined there, not imported into it)."""
    origin = getattr(value, "__module__", None)
    if origin is not None and isinstance(value, type | types.FunctionType):
        return bool(origin == module.__name__)
    source = Path(module.__file__ or "").read_text()
    return re.search(rf"^{re.escape(name)}\b.*=", source, re.MULTILINE) is not None


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports anywhere (functions and TYPE_CHECKING too)."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cspr_workflow."):
            found.add((node.module or "").split(".")[1])
    return {m for m in found if m in MODULES}


def test_the_generic_core_never_imports_the_default_process() -> None:
    for name in GENERIC + NAMESPACES:
        assert not _imports(name) & set(DEFAULT_PROCESS), name


def test_no_module_imports_itself_through_others() -> None:
    graph = {name: _imports(name) for name in MODULES if name != "__init__"}
    for start in graph:
        seen, stack = set(), list(graph[start])
        while stack:
            name = stack.pop()
            assert name != start, f"{start} imports itself through {name}"
            if name not in seen:
                seen.add(name)
                stack.extend(graph.get(name, ()))


_NAMES = {s.name for s in DEFAULT_DEFINITION.stages} | {
    t.name for t in DEFAULT_DEFINITION.triggers
}
#: Words of the review's own record that happen to spell a default stage: an action is
#: "closed" with a reason (ActionStatus.CLOSED), whatever the process.
_RECORD_WORDS = {"closed"}
_BODIES = set(DEFAULT_DEFINITION.approvals.bodies) if DEFAULT_DEFINITION.approvals else set()
_WORDING = re.compile(r"six-month|six months|National Panel|SSCP|Case Review", re.IGNORECASE)


@pytest.mark.parametrize("name", GENERIC + NAMESPACES)
def test_the_generic_core_names_no_default_stage_trigger_or_body(name: str) -> None:
    source = (PACKAGE / f"{name}.py").read_text()
    tree = ast.parse(source)
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    identifiers = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    identifiers |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    identifiers |= {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.arg)
        for node in [node]
        if hasattr(node, "name")
    }
    clash = literals & (_NAMES | _BODIES) - _RECORD_WORDS
    assert not clash, (name, sorted(clash))
    assert not identifiers & _NAMES - _RECORD_WORDS, (name, sorted(identifiers & _NAMES))
    assert not _WORDING.search(source), (name, _WORDING.findall(source))


def test_the_package_is_typed() -> None:
    from importlib.resources import files

    assert files("cspr_workflow").joinpath("py.typed").is_file()


def _fresh(code: str) -> list[str]:
    """The package's modules a fresh interpreter has imported after running ``code``."""
    listed = "print(sorted(m for m in sys.modules if m.startswith('cspr_workflow')))"
    ran = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\n{listed}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(ast.literal_eval(ran.stdout.splitlines()[-1]))


def test_importing_the_package_builds_nothing_until_a_name_is_used() -> None:
    assert _fresh("import cspr_workflow") == ["cspr_workflow", "cspr_workflow._fallback"]
    shown = _fresh(
        "from cspr_workflow._cli import main\ntry: main(['--help'])\nexcept SystemExit: pass"
    )
    assert "cspr_workflow._engine" not in shown
    assert "cspr_workflow.default" not in shown
    engine = _fresh("from cspr_workflow import Review")
    assert "cspr_workflow._engine" in engine
    assert "cspr_workflow.default" not in engine
    # A review given no definition builds the default process then.
    at = "pendulum.datetime(2026, 1, 5, 10, tz='Europe/London')"
    opened = f"import cspr_workflow as c, pendulum\nr = c.Review.open('Child A', aware_at={at})"
    built = _fresh(f"{opened}\nassert r.definition is c.DEFAULT_DEFINITION")
    assert "cspr_workflow.default" in built
