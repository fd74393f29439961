"""The public API is exactly __all__, sorted, and everything in it exists."""

from __future__ import annotations

import types

import cspr_workflow


def test_all_is_sorted() -> None:
    # isort style, as ruff's RUF022 keeps it: CONSTANTS first, then the rest.
    expected = sorted(cspr_workflow.__all__, key=lambda n: (not n.isupper(), n))
    assert cspr_workflow.__all__ == expected


def test_all_names_exist() -> None:
    for name in cspr_workflow.__all__:
        assert hasattr(cspr_workflow, name), name


def test_nothing_public_outside_all() -> None:
    public = {
        name
        for name, value in vars(cspr_workflow).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(cspr_workflow.__all__)


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("cspr_workflow").joinpath("py.typed").is_file()
