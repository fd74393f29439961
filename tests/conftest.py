"""Hypothesis profiles: a quick one for development, a thorough one for CI.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``, or implied by ``CI``) runs thousands
of examples and long stateful step sequences, and prints a blob that reproduces
any failure (``@reproduce_failure``). ``HYPOTHESIS_PROFILE=mutation`` (set by
``scripts/mutation.sh``) draws the same examples for every mutant, and lets mutmut run a
test class's property tests more than once in one process.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from .profile import PROFILE

settings.register_profile("dev", max_examples=50, stateful_step_count=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=2000,
    stateful_step_count=150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "mutation",
    max_examples=50,
    stateful_step_count=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.differing_executors],
)
settings.load_profile(PROFILE)


def _reported() -> dict[str, dict[str, Any]]:
    """What this process's tests recorded for the summary: the concurrent writers'
    outcomes and the simulation's runs."""
    import sys

    store_tests = sys.modules.get("tests.test_store")
    simulation = sys.modules.get("tests.test_simulate")
    return {
        "outcomes": {k: dict(v) for k, v in getattr(store_tests, "OUTCOMES", {}).items()},
        "runs": dict(getattr(simulation, "RUNS", {})),
    }


_FROM_WORKERS: list[dict[str, dict[str, Any]]] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand what the tests recorded to the main process."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["cspr_reported"] = json.dumps(_reported())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the main process, collect what each pytest-xdist worker handed over."""
    reported = getattr(node, "workeroutput", {}).get("cspr_reported")
    if reported:
        _FROM_WORKERS.append(json.loads(reported))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Report the concurrent writers' outcomes and the simulation's runs, so that CI's log
    shows what was tried (from every worker process)."""
    outcomes: dict[str, dict[str, int]] = {}
    runs: dict[str, list[float]] = {}
    for part in [_reported(), *_FROM_WORKERS]:
        outcomes.update(part["outcomes"])
        runs.update(part["runs"])
    if outcomes:
        terminalreporter.section("concurrent writers")
        for name, counts in sorted(outcomes.items()):
            tried = sum(counts.values())
            parts = ", ".join(f"{what} {n}" for what, n in sorted(counts.items()))
            terminalreporter.write_line(f"{name}: {tried} attempted: {parts}")
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
