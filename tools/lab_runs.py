"""Running a lab notebook, and the book's copy of a run with the reference answers typed in.

One definition for the two users: tests/test_labs.py runs each lab and asserts, writing nothing;
tools/record_labs.py runs each lab with the reference answers and writes book/lab-runs/, which is what
the book shows (the book never executes anything itself).

A recording shows what a learner will see: each answer cell as the learner meets it, followed by the
reference solution and its output in a cell the book folds away until clicked; outputs in the order they
were printed; the workspace as `~/docker-volumes-lab`, not the folder the run used; and each check cell
saying that its PASSED is the reference solution's, not the reader's.
"""
from __future__ import annotations

import copy
import re
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from checker.exercises import BY_ID, COURSE

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
RECORDED = ROOT / "book" / "lab-runs"

LEARNER_WORKSPACE = "~/docker-volumes-lab"     # the default workspace (checker/paths.py), as a learner writes it
LEARNER_STATE = "~/.local/state/labcheck"      # labcheck's default state folder on Linux
SCRATCH_PREFIX = "labcheck-recording-"         # the temporary folder a recording runs in; never in a recording
REFERENCE_NOTE = "Result of the reference solution above; your own run shows yours."
REPORT_WIDTH = 100                             # a labcheck report's lines (checker/grading/report.py)


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
    """Run every cell as JupyterLab would, from the lab's folder, and keep its outputs as JupyterLab shows them."""
    NotebookClient(notebook, timeout=600, kernel_name="python3", coalesce_streams=False, record_timing=False,
                   resources={"metadata": {"path": str(lab.parent)}}).execute()
    for cell in notebook.cells:
        if cell.get("outputs"):
            cell.outputs = joined_streams(cell.outputs)


_BACKSPACE = re.compile("[^\n]\x08")
_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def joined_streams(outputs: list) -> list:
    """Neighbouring chunks of one stream joined, as JupyterLab joins them: a table printed in pieces shows as one
    block. Unlike nbclient's coalesce_streams, stdout and stderr stay in the order they were printed."""
    joined: list = []
    for output in outputs:
        before = joined[-1] if joined else None
        if (before is not None and output.output_type == before.output_type == "stream"
                and output.name == before.name):
            before.text += output.text
        else:
            joined.append(copy.deepcopy(output))
    for output in joined:
        if output.output_type == "stream":
            text = None
            while text != output.text:             # a progress line redrawn with \b or \r: its last state
                text = output.text
                output.text = _CARRIAGE_RETURN.sub("", _BACKSPACE.sub("", text))
    return joined


def reference_source(exercise) -> str:
    """An answer cell holding the reference solution, as a learner would type it into the `%%bash` cell."""
    return (f"%%bash\n# Reference solution for {exercise.id} (`labcheck solve {exercise.id} --show` prints it)\n"
            + "\n".join(exercise.solution))


def with_reference_answers(notebook):
    filled = copy.deepcopy(notebook)
    for cell in tagged(filled, "answer"):
        cell.source = reference_source(BY_ID[cell.metadata["exercise"]])
    return filled


def reference_run_problems(lab: Path, notebook) -> list[str]:
    """What is wrong with a run with the reference answers: a check that did not pass, a cell that raised."""
    problems = []
    for cell in tagged(notebook, "check"):
        shown = output_text(cell)
        if "PASSED" not in shown or "NOT YET" in shown:
            problems.append(f"{lab.name}: {cell.source} showed:\n{shown}")
    problems += [f"{lab.name}: {cell.source[:80]!r} raised:\n{output_text(cell)}" for cell in notebook.cells
                 if any(o.output_type == "error" for o in cell.get("outputs", ()))]
    return problems


def in_book(cell):
    """A cell as the book shows it: links to lessons lead from book/lab-runs/ instead of labs/."""
    if cell.cell_type == "markdown":
        cell = copy.deepcopy(cell)
        cell.source = cell.source.replace("](../book/", "](../")
    return cell


def reference_note():
    """The first output of a recorded check cell: the PASSED below it is the model answer's, not the reader's."""
    return nbformat.v4.new_output("display_data", data={
        "text/html": f"<p class='reference-run-note'><em>{REFERENCE_NOTE}</em></p>", "text/plain": REFERENCE_NOTE})


def carries_reference_note(cell) -> bool:
    outputs = cell.get("outputs") or ()
    return bool(outputs) and outputs[0].get("data", {}).get("text/plain") == REFERENCE_NOTE


def recording(given, ran, shown_paths: dict[str, str] | None = None):
    """The book's copy of a filled run: each answer cell as given, then the solution that ran, folded away;
    each check cell's result marked as the reference solution's; each folder in `shown_paths` (the run's
    workspace, say) replaced in every output by what the learner will see there instead."""
    recorded = copy.deepcopy(ran)
    recorded.cells = []
    for learner_cell, ran_cell in zip(given.cells, ran.cells):
        ran_cell = as_learner_sees(ran_cell, shown_paths or {})
        tags = learner_cell.metadata.get("tags", ())
        if "check" in tags:
            ran_cell.outputs = [reference_note(), *ran_cell.outputs]
        if "answer" not in tags:
            recorded.cells.append(in_book(ran_cell))
            continue
        exercise = learner_cell.metadata["exercise"]
        solution = ran_cell
        solution.id = f"{learner_cell.id}-solution"
        solution.metadata = {"tags": ["hide-cell", "solution"], "exercise": exercise, "mystnb": {
            "code_prompt_show": f"Show the reference solution for {exercise} and its output",
            "code_prompt_hide": f"Hide the reference solution for {exercise}"}}
        recorded.cells += [copy.deepcopy(learner_cell), solution]
    return recorded


def as_learner_sees(cell, shown_paths: dict[str, str]):
    """A copy of `cell` whose outputs name each folder in `shown_paths` as the learner will see it."""
    cell = copy.deepcopy(cell)
    for output in cell.get("outputs", ()):
        if "text" in output:
            output.text = with_paths_shown(output.text, shown_paths)
        for mime, value in output.get("data", {}).items():
            if isinstance(value, str) and (mime.startswith("text/") or mime == "image/svg+xml"):
                output.data[mime] = with_paths_shown(value, shown_paths)
    return cell


def with_paths_shown(text: str, shown_paths: dict[str, str]) -> str:
    """Each real folder in `text` replaced by its shown name, also where a report wrapped it across lines
    (textwrap breaks after a hyphen and indents the rest); such a line is wrapped again at the report's width."""
    for real, shown in sorted(shown_paths.items(), key=lambda item: -len(item[0])):
        pattern = re.compile(r"(?:\n( *))?".join(map(re.escape, real)))
        indents: list[str] = []

        def replace(match: re.Match) -> str:
            indents.extend(i for i in match.groups() if i is not None)
            return shown

        text = pattern.sub(replace, text)
        if indents:         # a path a report had wrapped: rejoined, so wrap its line again
            lines = []
            for line in text.split("\n"):
                if shown in line and len(line) > REPORT_WIDTH:
                    lines += textwrap.wrap(line, REPORT_WIDTH, subsequent_indent=indents[0], break_long_words=False)
                else:
                    lines.append(line)
            text = "\n".join(lines)
    return text


def learner_view(recorded) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in recorded.cells if "solution" not in c.metadata.get("tags", ())]
