"""A lesson is one record: its files, the table of contents, the lesson tables and the doctor agree with it.

The rules are tools/dev_check.py's (`make dev-check`): here they run on the real course, and on a small
course written to a temporary folder and broken one way at a time, to see that each problem names its
offender in words.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from checker.exercises import BY_ID
from checker.grading.exercise import Owned
from checker.grading.lesson import Lesson
from checker.ways_in import cli

ROOT = Path(__file__).resolve().parent.parent


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev_check = load_tool("dev_check")


def test_dev_check_passes_on_the_real_course():
    problems = dev_check.all_problems()
    assert problems == [], "tools/dev_check.py finds:\n" + "\n".join(problems)


def test_dev_check_says_all_good_and_exits_0():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "dev_check.py")], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "course record: all good" in done.stdout, done.stdout + done.stderr


def test_doctor_looks_for_every_image_the_course_runs():
    """The doctor's list (also what `labcheck images save` saves) against the images that the labs' cells, the
    exercises' solutions and mistakes, and the lesson pages' commands run: not against the records it is made of."""
    run = set().union(*dev_check.images_run(dev_check.real_course(), pages=True).values())
    looked_for = list(cli.LAB_IMAGES)
    assert run, "found no image in the course at all: dev_check.images_run reads nothing"
    assert len(set(looked_for)) == len(looked_for), f"the doctor's list names an image twice: {looked_for}"
    assert not run - set(looked_for), f"the course runs {sorted(run - set(looked_for))}, which labcheck doctor misses"
    assert not set(looked_for) - run, f"labcheck doctor looks for {sorted(set(looked_for) - run)}, which nothing runs"


def test_lesson_tables_name_exercise_ids_as_ranges():
    assert load_tool("course_tables").id_ranges([1, 2, 3, 7, 42, 43]) == "ex1–ex3, ex7, ex42–ex43"


# ---------------------------------------------------------------- a small course on disk, broken one way at a time

ONE = Lesson(number=1, slug="one", title="One", summary="The first.")
TWO = Lesson(number=2, slug="two", title="Two", summary="The second.")
THREE = Lesson(number=3, slug="three", title="Three", summary="The third.")


def exercise(id: str, lesson: Lesson, **changes):
    return BY_ID["ex1"]._replace(**{"id": id, "part_of": lesson, "owns": Owned(containers=(f"lab-{id}",)),
                                    "builds_on": (), "mistakes": (), **changes})


EXERCISES = (exercise("ex1", ONE), exercise("ex2", TWO), exercise("ex3", THREE))


def write_course(root: Path, lessons=(ONE, TWO, THREE), exercises=EXERCISES):
    """Pages, labs and a table of contents that pass every rule; a test then breaks one thing."""
    (root / "book").mkdir()
    (root / "labs").mkdir()
    for lesson, after in zip(lessons, [*lessons[1:], None]):
        mine = [e for e in exercises if e.part_of == lesson]
        (root / lesson.page).write_text(f"({lesson.label})=\n{lesson.heading}\n\n"
                                        + "".join(f"({e.id})=\n**{e.id}**\n\n" for e in mine))
        last = "## Wrap-up" + (f"\n\nNext: [{after.number}. {after.title}](../book/{after.name}.md)." if after else "")
        cells = [nbformat.v4.new_markdown_cell(f"# Lab {lesson.number}\n\nLesson: [{lesson.title}](../{lesson.page}).")]
        for e in mine:
            cells.append(nbformat.v4.new_code_cell("%%bash\n# yours", metadata={"tags": ["answer"], "exercise": e.id}))
            cells.append(nbformat.v4.new_code_cell(f'check("{e.id}")', metadata={"tags": ["check"], "exercise": e.id}))
        cells.append(nbformat.v4.new_markdown_cell(last))
        nbformat.write(nbformat.v4.new_notebook(cells=cells), root / lesson.lab)
    write_toc(root, [f for lesson in lessons for f in (lesson.page.removesuffix(".md"), lesson.recorded_lab)])
    return dev_check.Course((*lessons,), (*exercises,), root)


def write_toc(root: Path, files: list[str]) -> None:
    chapters = [{"file": file} for file in files]
    (root / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "book/intro",
                                                   "parts": [{"caption": "Lessons", "chapters": chapters}]}))


@pytest.fixture
def course(tmp_path):
    return write_course(tmp_path)


def edit_lab(course, lesson: Lesson, change) -> None:
    notebook = nbformat.read(course.root / lesson.lab, as_version=4)
    change(notebook.cells)
    nbformat.write(notebook, course.root / lesson.lab)


def test_the_small_course_passes(course):
    assert dev_check.problems(course) == []


def test_a_missing_page_and_lab_are_named_by_lesson(course):
    (course.root / TWO.page).unlink()
    (course.root / TWO.lab).unlink()
    assert list(dev_check.lesson_files(course)) == [
        "lesson 2 has no page: book/02-two.md is missing (`python tools/new_lesson.py` writes one)",
        "lesson 2 has no lab: labs/02-two.ipynb is missing"]


def test_a_page_or_lab_with_no_record_is_named(course):
    (course.root / "book" / "04-four.md").write_text("(lesson-four)=\n# 4. Four\n")
    (course.root / "labs" / "04-four.ipynb").write_text((course.root / ONE.lab).read_text())
    assert list(dev_check.lesson_files(course)) == ["book/04-four.md belongs to no lesson record",
                                                    "labs/04-four.ipynb belongs to no lesson record"]


def test_a_page_needs_its_label_heading_and_anchors_and_a_lab_its_check_cells(course):
    page = course.root / TWO.page
    page.write_text(page.read_text().replace("# 2. Two", "# Two").replace("(ex2)=", ""))
    edit_lab(course, TWO, lambda cells: cells.pop(2))
    assert list(dev_check.lesson_files(course)) == [
        "book/02-two.md: the second line must be the heading '# 2. Two'",
        "book/02-two.md has no (ex2)= anchor for ex2",
        'labs/02-two.ipynb has no check cell for ex2 (a code cell tagged check: check("ex2"))']


def test_table_of_contents_names_what_it_lacks_and_what_is_out_of_order(course):
    write_toc(course.root, ["book/01-one", "book/lab-runs/01-one", "book/02-two", "book/lab-runs/02-two",
                            "book/03-three"])
    assert list(dev_check.table_of_contents(course)) == [
        "_toc.yml does not list lesson 3's recorded lab (book/lab-runs/03-three)"]
    write_toc(course.root, ["book/02-two", "book/lab-runs/02-two", "book/lab-runs/01-one", "book/01-one",
                            "book/03-three", "book/lab-runs/03-three"])
    assert list(dev_check.table_of_contents(course)) == [
        "_toc.yml lists book/lab-runs/01-one before its lesson book/01-one",
        "_toc.yml lists the lessons out of course order: 2, 1, 3",
        "_toc.yml lists the recorded labs out of course order: 2, 1, 3"]


def test_each_lab_but_the_last_ends_with_a_next_link_to_the_next_lesson(course):
    def drop_next(cells):
        cells[-1].source = "## Wrap-up"

    def wrong_next(cells):
        cells[-1].source = "## Wrap-up\n\nNext: [1. One](../book/01-one.md)."

    edit_lab(course, ONE, drop_next)
    edit_lab(course, TWO, wrong_next)
    assert list(dev_check.next_links(course)) == [
        "labs/01-one.ipynb has no Next: link to lesson 2; end its last cell with Next: [2. Two](../book/02-two.md).",
        "labs/02-two.ipynb: its Next: link leads to ../book/01-one.md, but the next lesson is ../book/03-three.md"]


def test_the_last_lab_needs_no_next_link_but_one_it_has_must_lead_somewhere(course):
    assert list(dev_check.next_links(course)) == []
    edit_lab(course, THREE, lambda cells: setattr(cells[-1], "source", "Next: [the end](../book/99-none.md)"))
    assert list(dev_check.next_links(course)) == [
        "labs/03-three.ipynb: its Next: link leads to ../book/99-none.md, which does not exist"]


def test_an_image_a_lab_or_solution_runs_must_be_in_its_lesson_record(course):
    runs_postgres = exercise("ex2", TWO, solution=("docker run -d --name lab-ex2 postgres:17",))
    broken = course._replace(exercises=(EXERCISES[0], runs_postgres, EXERCISES[2]))
    edit_lab(course, THREE, lambda cells: cells.insert(1, nbformat.v4.new_code_cell("!docker pull redis:7")))
    assert list(dev_check.images(broken)) == [
        "ex2's solution runs postgres:17, which lesson 2's images do not name: add it to images= in lesson 2's "
        "record (labcheck doctor and `labcheck images save` go by that list)",
        "labs/03-three.ipynb runs redis:7, which lesson 3's images do not name: add it to images= in lesson 3's "
        "record (labcheck doctor and `labcheck images save` go by that list)"]
    named = broken._replace(lessons=(ONE, TWO._replace(images=("postgres:17",)), THREE))
    compose = "printf 'services:\\n  web:\\n    image: lab-web:1\\n' > compose.yaml"
    built = exercise("ex1", ONE, solution=("docker build -t lab-web:1 .", compose),
                     owns=Owned(containers=("lab-ex1",), images=("lab-web:1",)))
    assert list(dev_check.images(named._replace(exercises=(built, *named.exercises[1:])))) == [
        "labs/03-three.ipynb runs redis:7, which lesson 3's images do not name: add it to images= in lesson 3's "
        "record (labcheck doctor and `labcheck images save` go by that list)"]


def test_lesson_records_are_numbered_without_gaps_and_have_their_own_slugs():
    gap = dev_check.Course((ONE, THREE), ())
    assert list(dev_check.lesson_records(gap)) == [
        "lesson numbers are 1, 3: lessons are numbered 1 to 2 without gaps (there is no lesson 2)"]
    twins = dev_check.Course((ONE, TWO._replace(slug="one", summary=""), THREE._replace(slug="Three_3")), ())
    assert list(dev_check.lesson_records(twins)) == [
        "lesson 2 (lesson 2's record) has no summary",
        "lesson 3's slug 'Three_3' is not lower-case words joined by hyphens",
        "lessons 1 and 2 share the slug 'one'"]
    assert list(dev_check.lesson_records(dev_check.Course((TWO, ONE), ()))) == [
        "checker/exercises/__init__.py lists the lessons as 2, 1: MODULES must be in course order"]


def test_a_module_holds_exercises_of_its_own_lesson_only():
    modules = (("checker.exercises.one", ONE, (EXERCISES[0], EXERCISES[1])), ("checker.exercises.two", TWO, ()))
    assert list(dev_check.modules(dev_check.Course((ONE, TWO), EXERCISES[:2], modules=modules))) == [
        "ex2 is in checker/exercises/one.py (lesson 1) but its part_of is lesson 2",
        "checker/exercises/two.py (lesson 2) has no exercises"]
