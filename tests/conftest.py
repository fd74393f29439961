"""Hypothesis profiles: a quick one for development, a thorough one for CI.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``, or implied by ``CI``) runs thousands
of examples and long stateful step sequences, and prints a blob that reproduces
any failure (``@reproduce_failure``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, stateful_step_count=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=2000,
    stateful_step_count=150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
_DEFAULT = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _DEFAULT))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Report the concurrent writers' outcomes, so that CI's log shows what was tried."""
    import sys

    store_tests = sys.modules.get("tests.test_store")
    outcomes = getattr(store_tests, "OUTCOMES", None)
    if outcomes:
        terminalreporter.section("concurrent writers")
        for name, counts in sorted(outcomes.items()):
            tried = sum(counts.values())
            parts = ", ".join(f"{what} {n}" for what, n in sorted(counts.items()))
            terminalreporter.write_line(f"{name}: {tried} attempted: {parts}")
    simulation = sys.modules.get("tests.test_simulate")
    runs = getattr(simulation, "RUNS", None)
    if runs:
        terminalreporter.section("simulation")
        for name, (reviews, seconds) in sorted(runs.items()):
            rate = reviews / seconds
            terminalreporter.write_line(
                f"{name}: {reviews} reviews in {seconds:.1f} s ({rate:.0f} per second)"
            )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, driven by Playwright); ``CSPR_REQUIRE_BROWSER=1`` (CI)
    turns its absence into a failure."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    required = os.environ.get("CSPR_REQUIRE_BROWSER") == "1"
    if chromium is None:
        if required:
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but Chromium is not installed")
        pytest.skip("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        if required:
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but Playwright is not installed")
        pytest.skip("Playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()
