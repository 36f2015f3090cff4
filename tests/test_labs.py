"""Each lab runs on the real engine twice: as a learner gets it, and with the reference solutions typed in.

As given, a lab holds no answer: it runs to its end and every check cell says NOT YET, with the first failure
that grading gives on a fresh state. With each answer cell filled from its exercise's `solution` (the one
definition that `labcheck solve` runs), every check cell says PASSED.

The filled run is recorded in book/lab-runs/, which is what the book shows (the book never executes
anything itself): each answer cell as the learner meets it, followed by the reference solution and its
output in a cell the book folds away until clicked.
"""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from checker.exercises import BY_ID, COURSE

from .conftest import grade_now

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
RECORDED = ROOT / "book" / "lab-runs"
LESSON_LINK = re.compile(r"\]\((\.\./[^)#]+\.md)\)")


def exercises_in(lab: Path):
    return [e for e in COURSE if e.lab == f"labs/{lab.name}"]


def tagged(notebook, tag: str) -> list:
    return [c for c in notebook.cells if tag in c.metadata.get("tags", ())]


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", ()):
        data = output.get("data", {})
        parts.append(data.get("text/html", "") + data.get("text/plain", "") + output.get("text", ""))
        if output.get("output_type") == "error":
            parts.append("ERROR " + output.get("ename", ""))
    return "\n".join(parts)


def execute(notebook, lab: Path) -> None:
    """Run every cell as JupyterLab would, from the lab's folder; stream chunks merged, so a table stays whole."""
    NotebookClient(notebook, timeout=600, kernel_name="python3", coalesce_streams=True, record_timing=False,
                   resources={"metadata": {"path": str(lab.parent)}}).execute()


def reference_source(exercise) -> str:
    """An answer cell holding the reference solution, as a learner would type it into the `%%bash` cell."""
    return (f"%%bash\n# Reference solution for {exercise.id} (`labcheck solve {exercise.id} --show` prints it)\n"
            + "\n".join(exercise.solution))


def with_reference_answers(notebook):
    filled = copy.deepcopy(notebook)
    for cell in tagged(filled, "answer"):
        cell.source = reference_source(BY_ID[cell.metadata["exercise"]])
    return filled


def in_book(cell):
    """A cell as the book shows it: links to lessons lead from book/lab-runs/ instead of labs/."""
    if cell.cell_type == "markdown":
        cell = copy.deepcopy(cell)
        cell.source = cell.source.replace("](../book/", "](../")
    return cell


def recording(given, ran):
    """The book's copy of a filled run: each answer cell as given, then the solution that ran, folded away."""
    recorded = copy.deepcopy(ran)
    recorded.cells = []
    for learner_cell, ran_cell in zip(given.cells, ran.cells):
        if "answer" not in learner_cell.metadata.get("tags", ()):
            recorded.cells.append(in_book(ran_cell))
            continue
        exercise = learner_cell.metadata["exercise"]
        solution = copy.deepcopy(ran_cell)
        solution.id = f"{learner_cell.id}-solution"
        solution.metadata = {"tags": ["hide-cell", "solution"], "exercise": exercise,
                             "mystnb": {"code_prompt_show": f"Show the reference solution for {exercise} and its output",
                                        "code_prompt_hide": f"Hide the reference solution for {exercise}"}}
        recorded.cells += [copy.deepcopy(learner_cell), solution]
    return recorded


def learner_view(recorded) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in recorded.cells if "solution" not in c.metadata.get("tags", ())]


def demo_resources(client) -> set[str]:
    containers = {c["Names"][0].lstrip("/") for c in client.api.containers(all=True)}
    volumes = {v["Name"] for v in (client.api.volumes() or {}).get("Volumes") or ()}
    return {f"container {n}" for n in containers if n.startswith("demo-")} | \
           {f"volume {n}" for n in volumes if n.startswith("demo-")}


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_each_exercise_has_an_empty_answer_cell_then_its_check(lab):
    notebook = nbformat.read(lab, as_version=4)
    ids = [e.id for e in exercises_in(lab)]
    answers = tagged(notebook, "answer")
    assert [c.metadata.get("exercise") for c in answers] == ids, f"{lab.name}: one answer cell per exercise, in order"
    for cell in answers:
        first, *rest = cell.source.splitlines()
        assert first == "%%bash" and rest and all(line.startswith("#") for line in rest), \
            f"{lab.name}: the answer cell for {cell.metadata['exercise']} must hold only a comment:\n{cell.source}"
        after = notebook.cells[notebook.cells.index(cell) + 1]
        assert "check" in after.metadata.get("tags", ()) and after.source == f'check("{cell.metadata["exercise"]}")'
    assert [c.metadata.get("exercise") for c in tagged(notebook, "check")] == ids
    for exercise in exercises_in(lab):
        assert set(exercise.builds_on) <= set(ids[:ids.index(exercise.id)]), \
            f"{exercise.id} builds on an exercise that is not earlier in {lab.name}"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_opens_with_a_link_to_its_lesson(lab):
    header = nbformat.read(lab, as_version=4).cells[0]
    lesson = Path(exercises_in(lab)[0].lesson).name
    assert header.cell_type == "markdown" and f"](../book/{lesson})" in header.source
    for source, folder in ((header.source, lab.parent), (in_book(header).source, RECORDED)):
        for target in LESSON_LINK.findall(source):
            assert (folder / target).resolve().is_file(), f"{lab.name}: {target} does not resolve from {folder}"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_book_shows_a_recorded_run_of_the_current_lab(lab):
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"run the lab tests to record {lab.name}"
    shown = nbformat.read(recorded, as_version=4)
    given = nbformat.read(lab, as_version=4)
    stale = f"{recorded} is stale: run `make test` and commit book/lab-runs/"
    assert learner_view(shown) == [(c.cell_type, c.source) for c in map(in_book, given.cells)], stale
    solutions = tagged(shown, "solution")
    assert [c.source for c in solutions] == [reference_source(e) for e in exercises_in(lab)], stale
    assert all("hide-cell" in c.metadata["tags"] and c.get("outputs") is not None for c in solutions)
    for cell in tagged(shown, "check"):
        assert "PASSED" in output_text(cell) and "NOT YET" not in output_text(cell), f"{recorded.name}: {cell.source}"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_recorded_outputs_are_whole(lab):
    """A table printed in chunks must show as one block, not as pieces split across lines."""
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"run the lab tests to record {lab.name}"
    for cell in nbformat.read(recorded, as_version=4).cells:
        outputs = cell.get("outputs", ())
        for before, after in zip(outputs, outputs[1:]):
            assert not (before.output_type == after.output_type == "stream" and before.name == after.name), \
                f"{lab.name}: {cell.source[:80]!r} has its {before.name} split into several outputs"


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_as_given_holds_no_answer_and_runs_to_its_end(fresh, lab):
    notebook = nbformat.read(lab, as_version=4)
    first_failure = {e.id: grade_now(fresh, e).first_failure for e in exercises_in(lab)}
    demos_before = demo_resources(fresh)
    execute(notebook, lab)
    for cell in tagged(notebook, "check"):
        shown, failure = output_text(cell), first_failure[cell.metadata["exercise"]]
        assert "NOT YET" in shown and html.escape(failure.message) in shown, \
            f"{lab.name}: {cell.source} should say NOT YET with {failure.message!r}, and showed:\n{shown}"
    for cell in notebook.cells:
        noisy = [o for o in cell.get("outputs", ()) if o.output_type == "error" or o.get("name") == "stderr"]
        assert not noisy, f"{lab.name}: {cell.source[:80]!r} printed an error:\n{output_text(cell)}"
    assert demo_resources(fresh) == demos_before, f"{lab.name}: a demo cell left its resources behind"
    assert not [e.id for e in exercises_in(lab) if grade_now(fresh, e).passed], "labcheck disagrees: it passed"


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_lab_with_reference_solutions_passes_every_check(fresh, lab):
    given = nbformat.read(lab, as_version=4)
    notebook = with_reference_answers(given)
    execute(notebook, lab)
    for cell in tagged(notebook, "check"):
        shown = output_text(cell)
        assert "PASSED" in shown and "NOT YET" not in shown, f"{lab.name}: {cell.source} showed:\n{shown}"
    assert not [c for c in notebook.cells for o in c.get("outputs", ()) if o.output_type == "error"]
    for exercise in exercises_in(lab):
        assert grade_now(fresh, exercise).passed, exercise.id
    RECORDED.mkdir(exist_ok=True)
    nbformat.write(recording(given, notebook), RECORDED / lab.name)
