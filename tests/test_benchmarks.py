"""The benchmark command runs (small sizes) and reports every measure. Targets are not
asserted here: timings belong to benchmarks/, not to unit tests on a shared machine.

The quick run itself (about 35 s, with its smoke bounds on the shapes) is CI's smoke
test: it runs in the thorough profile, which ``.ci/run`` sets; the default run checks
the bounds' logic on made-up rows."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from benchmarks.run import Row, main

from .profile import THOROUGH


@pytest.mark.skipif(not THOROUGH, reason="the benchmarks' smoke run (35 s): the ci profile")
def test_the_quick_run_reports_every_measure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.md"
    assert main(["--quick", "--markdown", str(out)]) == 0
    printed = capsys.readouterr().out
    text = out.read_text()
    assert text.startswith("| measure | median | against | ratio | target | met |")
    for measure in (
        "engine step (roles, 7 guards, clocks, history)",
        "Review.available (every trigger, one actor)",
        "engine step with 2,000 history entries",
        "refused step with 2,000 earlier refusals",
        "import cspr_workflow (a fresh process)",
        "cspr-workflow --help (a fresh process)",
        "import the engine and build the default process (a fresh process)",
        "open 1,000: last tenth against the first",
        "memory the engine adds per loaded review (1,000)",
        "loads it (strict, hash chain checked)",
        "ReviewStore.load (SQLite)",
        "ReviewStore.fire (SQLite), per step",
        "against sqlite3 in write-ahead-log mode, as the store runs",
        "process diagram source (Mermaid)",
        "simulation through the engine: time per review",
        "simulation of 40 reviews, 2 workers: speed-up over 1",
        "Review.check (the same step, nothing taken)",
        "ReviewStore.overdue, 1,000 reviews",
        "verify, 3 agencies against 2: states",
    ):
        assert measure in text
        assert measure in printed
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    targets = [row for row in rows if "<=" in row or ">=" in row or "< 5 ms" in row]
    assert len(targets) == 15
    # Every ratio against a baseline timed in paired rounds carries its spread (the
    # verifier's are exact state counts and single runs, and say so).
    paired = [
        row
        for row in rows[1:]
        if "first tenth" not in row and "| verify, " not in row and row.split(" | ")[3]
    ]
    assert paired
    spread = re.compile(r"\| \d+\.\d\d \[\d+\.\d\d-\d+\.\d\d\] \|")
    assert [row for row in paired if not spread.search(row)] == []


def test_a_row_past_its_smoke_bound_fails_the_quick_run() -> None:
    flat = Row("engine step with 2,000 history entries", 50.0, "µs", "with 17", 1.02, smoke=1.4)
    copied = attrs.evolve(flat, ratio=1.61)  # what copying the history each step measured
    memory = Row("memory the engine adds per loaded review", 2100, "B", smoke=2048)
    assert not flat.smoke_failed()
    assert copied.smoke_failed()
    assert memory.smoke_failed()
    assert not Row("no bound", 1e9, "B").smoke_failed()
