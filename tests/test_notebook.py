"""The example notebook in docs/ runs from top to bottom (a kernel runs every cell).

It simulates about 8,000 reviews (2-4 minutes), so it runs when ``CSPR_THOROUGH=1`` (CI
sets it; the docs build runs the notebook too), keeping the default run near 5 minutes."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "docs" / "notebooks" / "simulation.ipynb"


@pytest.mark.skipif(
    os.environ.get("CSPR_THOROUGH") != "1", reason="CSPR_THOROUGH=1: the notebook (2-4 min)"
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter's own
def test_the_simulation_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "2000 simulated reviews (seed 1)" in text
    assert "published within six months:" in text
    assert "completed on time, 95% interval" in text
    assert "fitted drafting: Duration(low=" in text
    tables = "".join(
        output.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "2 Lead Reviewers" in tables
    images = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(images) == 7  # three of one run; calendars, a tornado, a sweep, a fit
