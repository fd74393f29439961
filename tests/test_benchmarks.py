"""The benchmark command runs (small sizes) and reports every measure. Targets are not
asserted here: timings belong to benchmarks/, not to unit tests on a shared machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.run import main


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
        "open 1,000: last tenth against the first",
        "memory the engine adds per loaded review (1,000)",
        "loads it (strict, hash chain checked)",
        "process diagram source (Mermaid)",
        "simulation through the engine: reviews per second",
    ):
        assert measure in text
        assert measure in printed
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert sum(1 for row in rows if "<=" in row or "< 5 ms" in row) == 6
