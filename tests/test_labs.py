"""Each lab notebook runs top to bottom, unmodified, on the real engine, and its check cells pass.

A passing run is saved to book/lab-runs/, which is what the book shows: the
book never executes anything itself.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from checker.exercises import COURSE

from .conftest import grade_now

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
RECORDED = ROOT / "book" / "lab-runs"


def check_cells(notebook):
    return [c for c in notebook.cells if "check" in c.metadata.get("tags", ())]


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", ()):
        data = output.get("data", {})
        parts.append(data.get("text/html", "") + data.get("text/plain", "") + output.get("text", ""))
        if output.get("output_type") == "error":
            parts.append("ERROR " + output.get("ename", ""))
    return "\n".join(parts)


def sources(notebook) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in notebook.cells]


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_top_to_bottom_and_its_checks_pass(fresh, lab):
    notebook = nbformat.read(lab, as_version=4)
    assert check_cells(notebook), f"{lab.name} has no check cell"
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(lab.parent)}}).execute()
    for cell in check_cells(notebook):
        shown = output_text(cell)
        assert "PASSED" in shown and "NOT YET" not in shown, f"{lab.name}: {cell.source} showed:\n{shown}"
    for exercise in (e for e in COURSE if e.lab == f"labs/{lab.name}"):
        assert grade_now(fresh, exercise).passed, exercise.id
    RECORDED.mkdir(exist_ok=True)
    nbformat.write(notebook, RECORDED / lab.name)


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_book_shows_a_recorded_run_of_the_current_lab(lab):
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"run the lab tests to record {lab.name}"
    assert sources(nbformat.read(recorded, as_version=4)) == sources(nbformat.read(lab, as_version=4)), \
        f"{recorded} is stale: run `make test` and commit book/lab-runs/"
    assert all(c.get("outputs") for c in check_cells(nbformat.read(recorded, as_version=4)))
