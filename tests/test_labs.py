"""Each lab runs on the real engine twice: as a learner gets it, and with the reference solutions typed in.

As given, a lab holds no answer: it runs to its end and every check cell says NOT YET, with the first failure
that grading gives on a fresh state. With each answer cell filled from its exercise's `solution` (the one
definition that `labcheck solve` runs), every check cell says PASSED.

The book shows a recorded run of each lab with the reference solutions (book/lab-runs/), written by
tools/record_labs.py; these tests only read it, to hold it to the current lab. Running a lab and making its
recording are defined once, in tools/lab_runs.py.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from checker.paths import workspace_folder
from tools.lab_runs import (LABS, LEARNER_WORKSPACE, RECORDED, SCRATCH_PREFIX, carries_reference_note, execute,
                            exercises_in, in_book, learner_view, output_text, recording, reference_run_problems,
                            reference_source, tagged, with_reference_answers)

from .conftest import grade_now

LESSON_LINK = re.compile(r"\]\((\.\./[^)#]+\.md)\)")
STALE = "is stale: run `make lab-runs` (tools/record_labs.py) and commit book/lab-runs/"


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
    assert recorded.is_file(), f"record {lab.name}: `make lab-runs LABS={lab.stem}`"
    shown = nbformat.read(recorded, as_version=4)
    given = nbformat.read(lab, as_version=4)
    stale = f"{recorded} {STALE}"
    assert learner_view(shown) == [(c.cell_type, c.source) for c in map(in_book, given.cells)], stale
    solutions = tagged(shown, "solution")
    assert [c.source for c in solutions] == [reference_source(e) for e in exercises_in(lab)], stale
    assert all("hide-cell" in c.metadata["tags"] and c.get("outputs") is not None for c in solutions)
    for cell in tagged(shown, "check"):
        assert "PASSED" in output_text(cell) and "NOT YET" not in output_text(cell), f"{recorded.name}: {cell.source}"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_recorded_check_cells_say_they_show_the_reference_solution(lab):
    """A reader must not take a recorded PASSED for their own: each check cell's output opens with the note."""
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"record {lab.name}: `make lab-runs LABS={lab.stem}`"
    for cell in tagged(nbformat.read(recorded, as_version=4), "check"):
        assert carries_reference_note(cell), f"{recorded.name}: {cell.source} lacks the reference-run note; {STALE}"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_recorded_outputs_are_whole(lab):
    """A table printed in chunks must show as one block, not as pieces split across lines."""
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"record {lab.name}: `make lab-runs LABS={lab.stem}`"
    for cell in nbformat.read(recorded, as_version=4).cells:
        outputs = cell.get("outputs", ())
        for before, after in zip(outputs, outputs[1:]):
            assert not (before.output_type == after.output_type == "stream" and before.name == after.name), \
                f"{lab.name}: {cell.source[:80]!r} has its {before.name} split into several outputs"


@pytest.mark.parametrize("lab", LABS, ids=[p.stem for p in LABS])
def test_recorded_outputs_name_no_folder_of_the_machine_that_recorded_them(lab):
    """The workspace shows as the learner's `~/docker-volumes-lab`, not a temporary folder."""
    recorded = RECORDED / lab.name
    assert recorded.is_file(), f"record {lab.name}: `make lab-runs LABS={lab.stem}`"
    for cell in nbformat.read(recorded, as_version=4).cells:
        shown = output_text(cell)
        for leak in (SCRATCH_PREFIX, "/tmp/pytest-", "pytest-of-", "/labcheck0/"):
            assert leak not in shown, f"{lab.name}: {cell.source[:80]!r} shows {leak!r}:\n{shown}"


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
    """Runs and asserts only: tools/record_labs.py writes the book's copy."""
    given = nbformat.read(lab, as_version=4)
    notebook = with_reference_answers(given)
    execute(notebook, lab)
    assert not reference_run_problems(lab, notebook), "\n".join(reference_run_problems(lab, notebook))
    for exercise in exercises_in(lab):
        assert grade_now(fresh, exercise).passed, exercise.id
    # This run as the book would show it names the learner's workspace, not the folder the run used.
    workspace = workspace_folder()
    recorded = recording(given, notebook, {workspace: LEARNER_WORKSPACE})
    leaks = [c.source[:80] for c in recorded.cells if workspace in output_text(c)]
    assert not leaks, f"{lab.name}: the workspace {workspace} still shows in {leaks}"
    assert all(carries_reference_note(c) for c in tagged(recorded, "check"))
