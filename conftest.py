"""Settings for every test the project collects, the docs pages' examples included (the
tests' own settings, the Hypothesis profiles, are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.profile import THOROUGH

FULL_PROOF_PAGES = ("docs/how-to/verify.md",)
"""Pages whose examples prove a whole process (about two minutes of one core each, beside
the default proof that tests/test_verify.py runs): the thorough profile (CI) runs them,
the development profile skips them, so that the default run stays near five minutes."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the full-proof pages' examples unless the profile is the thorough one."""
    if THOROUGH:
        return
    skip = pytest.mark.skip(reason="a page that proves a whole process: the ci profile")
    for item in items:
        if any(item.nodeid.startswith(f"{page}::") for page in FULL_PROOF_PAGES):
            item.add_marker(skip)
