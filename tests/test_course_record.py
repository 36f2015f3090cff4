"""A lesson is one record: its files, the table of contents, the lesson tables and the doctor agree with it."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import yaml

from checker.ways_in import cli
from checker.exercises import BY_ID, COURSE, EXERCISES_OF, IMAGES, LESSONS, MODULES

ROOT = Path(__file__).resolve().parent.parent
# Images a lab or a reference solution may run; a tag outside this list would slip past the doctor unseen.
IMAGE_REF = re.compile(r"\b(?:busybox|postgres|alpine|debian|ubuntu|nginx|mysql|mariadb|redis|node):[\w.-]+")


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lessons_are_numbered_in_course_order_with_unique_slugs():
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))
    assert len({lesson.slug for lesson in LESSONS}) == len(LESSONS)
    for lesson in LESSONS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson.slug), lesson.slug
        assert lesson.images and lesson.title and lesson.summary, lesson


def test_each_module_holds_its_lessons_exercises_and_only_those():
    for module in MODULES:
        assert module.EXERCISES, f"{module.__name__} has no exercises"
        for exercise in module.EXERCISES:
            assert exercise.part_of is module.LESSON, f"{exercise.id} is in {module.__name__} but names another lesson"
    assert sum(len(v) for v in EXERCISES_OF.values()) == len(COURSE) == len(BY_ID)


def test_each_lesson_page_starts_with_its_label_and_numbered_title():
    for lesson in LESSONS:
        page = ROOT / lesson.page
        assert page.is_file(), f"{lesson.page} is missing: `python tools/new_lesson.py` writes it"
        lines = page.read_text().splitlines()
        assert lines[0] == f"({lesson.label})=", f"{lesson.page} must start with ({lesson.label})="
        assert lines[1] == lesson.heading, f"{lesson.page}: the heading must be {lesson.heading!r}"
        for exercise in EXERCISES_OF[lesson.number]:
            assert f"({exercise.id})=" in page.read_text(), f"{lesson.page} has no ({exercise.id})= anchor"


def test_every_lesson_page_and_lab_belongs_to_a_lesson_record():
    names = {lesson.name for lesson in LESSONS}
    pages = {p.stem for p in (ROOT / "book").glob("[0-9][0-9]-*.md")}
    labs = {p.stem for p in (ROOT / "labs").glob("*.ipynb")}
    assert pages == names, f"pages without a lesson record: {pages - names}; records without a page: {names - pages}"
    assert labs == names, f"labs without a lesson record: {labs - names}; records without a lab: {names - labs}"


def test_table_of_contents_lists_each_lesson_and_its_recorded_lab_in_course_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    pages = [lesson.page.removesuffix(".md") for lesson in LESSONS]
    recorded = [lesson.recorded_lab for lesson in LESSONS]
    for page, lab in zip(pages, recorded):
        assert page in files, f"_toc.yml lacks {page}"
        assert lab in files, f"_toc.yml lacks {lab}"
        assert files.index(page) < files.index(lab), f"_toc.yml lists {lab} before its lesson"
    assert [f for f in files if f in pages] == pages, "_toc.yml lists the lessons out of course order"
    assert [f for f in files if f in recorded] == recorded, "_toc.yml lists the labs out of course order"


def test_readme_and_intro_lesson_tables_are_generated_from_the_records():
    tables = load_tool("course_tables")
    for path in tables.TABLES:
        assert tables.regenerated(path) == path.read_text(), \
            f"{path.relative_to(ROOT)}: the lesson table is stale; run python tools/course_tables.py"
    assert tables.id_ranges([1, 2, 3, 7, 42, 43]) == "ex1–ex3, ex7, ex42–ex43"


def test_doctor_looks_for_every_image_the_lessons_name():
    assert cli.LAB_IMAGES == IMAGES
    assert len(set(IMAGES)) == len(IMAGES)


def test_each_lesson_names_the_images_its_lab_and_solutions_run():
    for lesson in LESSONS:
        notebook = nbformat.read(ROOT / lesson.lab, as_version=4)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        text += "\n".join(line for e in EXERCISES_OF[lesson.number] for line in e.solution)
        used = set(IMAGE_REF.findall(text))
        assert used <= set(lesson.images), f"lesson {lesson.number} runs {used - set(lesson.images)}: add to images="
