"""Check the course record without an engine, and name each offender in plain words.

    python tools/dev_check.py      # "course record: all good" and exit 0, or one line per problem and exit 1
    make dev-check                 # the same; `make check` runs it first

The course is its lesson records and exercises (checker/exercises/) and the files named from them: the
lesson pages in book/, the lab notebooks in labs/, _toc.yml, and the lesson tables in README.md and
book/intro.md. The rules that hold them together live here and only here; tests/test_course_record.py and
tests/test_registry.py run them on the real course, and on small broken records to see that each names
its offender.

Each rule is a function of a :class:`Course` that yields one sentence per problem.
"""
from __future__ import annotations

import functools
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Iterator, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from checker.grading.exercise import Exercise  # noqa: E402
from checker.grading.lesson import Lesson  # noqa: E402


class Course(NamedTuple):
    lessons: tuple[Lesson, ...]
    exercises: tuple[Exercise, ...]
    root: Path = ROOT
    modules: tuple = ()
    """(module name, its LESSON, its EXERCISES) for each module of checker/exercises, in course order."""

    def exercises_of(self, lesson: Lesson) -> list[Exercise]:
        return [e for e in self.exercises if e.part_of.number == lesson.number]

    def where(self, lesson: Lesson) -> str:
        """Where the lesson's record is written."""
        for name, record, _ in self.modules:
            if record.number == lesson.number:
                return f"checker/exercises/{name.rsplit('.', 1)[-1]}.py"
        return f"lesson {lesson.number}'s record"


def real_course() -> Course:
    from checker import exercises as registry
    return Course(registry.LESSONS, registry.COURSE, ROOT,
                  tuple((m.__name__, m.LESSON, m.EXERCISES) for m in registry.MODULES))


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
EXERCISE_ID = re.compile(r"ex([1-9][0-9]*)")
LAB_NAME = re.compile(r"lab-[a-z0-9][a-z0-9_.-]*")
LAB_IMAGE = re.compile(r"lab-[a-z0-9][a-z0-9_.-]*(:[\w][\w.-]*)?")
KINDS = ("containers", "volumes", "networks", "images")
KIND_WORD = {"containers": "container", "volumes": "volume", "networks": "network", "images": "image",
             "host_paths": "workspace path"}
# Public images a lab, a solution or a lesson may run. A reference is a repository from this list (or from a
# lesson record) with a tag, or any tagged image after FROM or `image:`.
PUBLIC_REPOS = ("busybox", "postgres", "alpine", "debian", "ubuntu", "nginx", "httpd", "mysql", "mariadb", "mongo",
                "redis", "node", "python")
TAGGED_AFTER = re.compile(r"(?:^\s*FROM|\bimage:)\s+([a-z0-9][\w./-]*:[\w][\w.-]*)", re.M)
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)
NEXT_LINK = re.compile(r"Next:\s*\[([^\]]*)\]\(([^)#\s]+)")


def names(exercises) -> str:
    ids = [e.id for e in exercises]
    return ", ".join(ids[:-1]) + f" and {ids[-1]}" if len(ids) > 1 else ids[0]


# ---------------------------------------------------------------- lesson records

def lesson_records(course: Course) -> Iterator[str]:
    numbers = [lesson.number for lesson in course.lessons]
    expected = list(range(1, len(numbers) + 1))
    if sorted(numbers) != expected:
        missing = sorted(set(expected) - set(numbers))
        yield (f"lesson numbers are {', '.join(map(str, numbers))}: lessons are numbered 1 to {len(numbers)} "
               f"without gaps" + (f" (there is no lesson {missing[0]})" if missing else ""))
    elif numbers != expected:
        yield (f"checker/exercises/__init__.py lists the lessons as {', '.join(map(str, numbers))}: "
               f"MODULES must be in course order")
    by_slug = defaultdict(list)
    for lesson in course.lessons:
        by_slug[lesson.slug].append(lesson.number)
        if not SLUG.fullmatch(lesson.slug):
            yield f"lesson {lesson.number}'s slug {lesson.slug!r} is not lower-case words joined by hyphens"
        for field in ("title", "summary", "images"):
            if not getattr(lesson, field):
                yield f"lesson {lesson.number} ({course.where(lesson)}) has no {field}"
    for slug, lessons in by_slug.items():
        if len(lessons) > 1:
            yield f"lessons {' and '.join(map(str, lessons))} share the slug {slug!r}"


def modules(course: Course) -> Iterator[str]:
    for name, lesson, exercises in course.modules:
        where = f"checker/exercises/{name.rsplit('.', 1)[-1]}.py"
        if not exercises:
            yield f"{where} (lesson {lesson.number}) has no exercises"
        for exercise in exercises:
            if exercise.part_of != lesson:
                yield (f"{exercise.id} is in {where} (lesson {lesson.number}) but its part_of is lesson "
                       f"{exercise.part_of.number}")


# ---------------------------------------------------------------- exercises

def exercise_ids(course: Course) -> Iterator[str]:
    by_id = defaultdict(list)
    for e in course.exercises:
        by_id[e.id].append(e)
        if not EXERCISE_ID.fullmatch(e.id):
            yield f"{e.id!r} ({e.title}) is not an id of the form ex1, ex2, …"
    for id, exercises in by_id.items():
        if len(exercises) > 1:
            titles = " and ".join(f"{e.title!r} (lesson {e.part_of.number})" for e in exercises)
            yield f"{id} is the id of {len(exercises)} exercises: {titles}"
    numbers = sorted({int(m.group(1)) for id in by_id if (m := EXERCISE_ID.fullmatch(id))})
    gaps = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))
    for gap in gaps:
        yield (f"there is no ex{gap}: ids run from ex1 without gaps, and are never renumbered "
               f"(give the next new exercise ex{gap})")
    for lesson in course.lessons:
        ids = [e.id for e in course.exercises_of(lesson) if EXERCISE_ID.fullmatch(e.id)]
        if ids != sorted(ids, key=lambda id: int(id[2:])):
            yield f"lesson {lesson.number} lists its exercises out of id order: {', '.join(ids)}"


def exercise_fields(course: Course) -> Iterator[str]:
    for e in course.exercises:
        for field in ("title", "goal", "hints", "solution"):
            if not getattr(e, field):
                yield f"{e.id} has no {field}"
        if any(not hint.strip() for hint in e.hints):
            yield f"{e.id} has an empty hint"
        if not (e.owns.containers or e.owns.volumes or e.owns.host_paths):
            yield f"{e.id} owns no container, volume or workspace path: a reset would have nothing to remove"


def check_wiring(course: Course) -> Iterator[str]:
    for e in course.exercises:
        seen: set[str] = set()
        for check in e.checks:
            later = [key for key in check.requires if key not in seen]
            if later:
                yield f"{e.id}: the check {check.name!r} requires {', '.join(later)}, which no earlier check of {e.id} is"
            if check.key in seen:
                yield f"{e.id} has two checks with the key {check.key!r}"
            seen.add(check.key)


def prerequisites(course: Course) -> Iterator[str]:
    by_id = {e.id: e for e in course.exercises}
    for e in course.exercises:
        for earlier in e.builds_on:
            if earlier not in by_id:
                yield f"{e.id} builds on {earlier}, and there is no {earlier}"
            elif by_id[earlier].number >= e.number:
                yield f"{e.id} builds on {earlier}, which is not an earlier exercise"


def builds_on_all(exercise: Exercise, by_id: dict) -> set[str]:
    found, todo = set(), list(exercise.builds_on)
    while todo:
        id = todo.pop()
        if id not in found and id in by_id:
            found.add(id)
            todo += by_id[id].builds_on
    return found


def owned_names(course: Course) -> Iterator[str]:
    """Each name an exercise owns is its alone (a reset removes it), and Docker names start with lab-."""
    for kind in (*KINDS, "host_paths"):
        owners = defaultdict(list)
        for e in course.exercises:
            for name in getattr(e.owns, kind):
                owners[name].append(e)
        for name, exercises in owners.items():
            if len(exercises) > 1:
                if len({e.id for e in exercises}) == 1:
                    yield f"{exercises[0].id} names the {KIND_WORD[kind]} {name} twice"
                else:
                    yield f"the {KIND_WORD[kind]} {name} is owned by both {names(exercises)}: an owned name belongs to one exercise"
    for e in course.exercises:
        for kind in KINDS:
            pattern = LAB_IMAGE if kind == "images" else LAB_NAME
            for name in getattr(e.owns, kind):
                if not pattern.fullmatch(name):
                    yield (f"{e.id} owns the {KIND_WORD[kind]} {name!r}, whose name does not start with lab-: "
                           f"resets remove only lab-… names")
        for path in e.owns.host_paths:
            parts = path.split("/")
            if not path or path.startswith("/") or ".." in parts or "" in parts or "." in parts:
                yield f"{e.id} owns the workspace path {path!r}: it must be a plain relative path inside the workspace"
    by_id = {e.id: e for e in course.exercises}
    paths = [(path, e) for e in course.exercises for path in e.owns.host_paths]
    for inner, inner_owner in paths:
        for outer, outer_owner in paths:
            if inner_owner.id != outer_owner.id and inner.startswith(outer + "/") \
                    and outer_owner.id not in builds_on_all(inner_owner, by_id) \
                    and inner_owner.id not in builds_on_all(outer_owner, by_id):
                yield (f"the workspace path {inner} ({inner_owner.id}) lies inside {outer} ({outer_owner.id}), and "
                       f"neither exercise builds on the other: resetting {outer_owner.id} would delete {inner_owner.id}'s")


# ---------------------------------------------------------------- files: pages, labs, table of contents

class Cell(NamedTuple):
    cell_type: str
    source: str
    metadata: dict


@functools.lru_cache(maxsize=None)
def read_cells(path: Path, modified: float) -> tuple[Cell, ...]:
    cells = json.loads(path.read_text())["cells"]
    return tuple(Cell(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
                      c.get("metadata") or {}) for c in cells)


def cells(path: Path) -> tuple[Cell, ...]:
    """A notebook's cells, read as the JSON it is (nbformat takes seconds to import), once per run."""
    return read_cells(path, path.stat().st_mtime)


def lesson_files(course: Course) -> Iterator[str]:
    for lesson in course.lessons:
        page, lab = course.root / lesson.page, course.root / lesson.lab
        if not page.is_file():
            yield f"lesson {lesson.number} has no page: {lesson.page} is missing (`python tools/new_lesson.py` writes one)"
        else:
            text = page.read_text()
            lines = text.splitlines() + ["", ""]
            if lines[0] != f"({lesson.label})=":
                yield f"{lesson.page} must start with the line ({lesson.label})="
            if lines[1] != lesson.heading:
                yield f"{lesson.page}: the second line must be the heading {lesson.heading!r}"
            for e in course.exercises_of(lesson):
                if f"({e.id})=" not in text:
                    yield f"{lesson.page} has no ({e.id})= anchor for {e.id}"
        if not lab.is_file():
            yield f"lesson {lesson.number} has no lab: {lesson.lab} is missing"
        else:
            checks = [c.source for c in cells(lab) if "check" in c.metadata.get("tags", ())]
            for e in course.exercises_of(lesson):
                if f'check("{e.id}")' not in checks:
                    yield f'{lesson.lab} has no check cell for {e.id} (a code cell tagged check: check("{e.id}"))'
    records = {lesson.name for lesson in course.lessons}
    for path in sorted((course.root / "book").glob("[0-9][0-9]-*.md")):
        if path.stem not in records:
            yield f"book/{path.name} belongs to no lesson record"
    for path in sorted((course.root / "labs").glob("*.ipynb")):
        if path.stem not in records:
            yield f"labs/{path.name} belongs to no lesson record"


def table_of_contents(course: Course) -> Iterator[str]:
    toc_path = course.root / "_toc.yml"
    if not toc_path.is_file():
        yield "_toc.yml is missing"
        return
    toc = yaml.safe_load(toc_path.read_text())
    files = [chapter["file"] for part in toc.get("parts", ()) for chapter in part.get("chapters", ())]
    listed = [lesson for lesson in course.lessons
              if lesson.page.removesuffix(".md") in files and lesson.recorded_lab in files]
    for lesson in course.lessons:
        page = lesson.page.removesuffix(".md")
        for file, what in ((page, "page"), (lesson.recorded_lab, "recorded lab")):
            if file not in files:
                yield f"_toc.yml does not list lesson {lesson.number}'s {what} ({file})"
        if lesson in listed and files.index(lesson.recorded_lab) < files.index(page):
            yield f"_toc.yml lists {lesson.recorded_lab} before its lesson {page}"
    for what, key in (("lessons", lambda lesson: lesson.page.removesuffix(".md")),
                      ("recorded labs", lambda lesson: lesson.recorded_lab)):
        order = [lesson.number for lesson in sorted(listed, key=lambda lesson: files.index(key(lesson)))]
        if order != sorted(order):
            yield f"_toc.yml lists the {what} out of course order: {', '.join(map(str, order))}"


def next_links(course: Course) -> Iterator[str]:
    """Each lab ends by pointing to the next lesson; the last lab may, if it points somewhere that exists."""
    for lesson, after in zip(course.lessons, [*course.lessons[1:], None]):
        lab = course.root / lesson.lab
        if not lab.is_file():
            continue
        every = cells(lab)
        links = [link for c in every if c.cell_type == "markdown" for link in NEXT_LINK.findall(c.source)]
        if after is None:
            for _, target in links:
                if not (lab.parent / target).is_file():
                    yield f"{lesson.lab}: its Next: link leads to {target}, which does not exist"
            continue
        expected = f"../book/{after.name}.md"
        if not links:
            yield (f"{lesson.lab} has no Next: link to lesson {after.number}; end its last cell with "
                   f"Next: [{after.number}. {after.title}]({expected}).")
            continue
        label, target = links[-1]
        if target != expected:
            yield f"{lesson.lab}: its Next: link leads to {target}, but the next lesson is {expected}"
        elif not label.startswith(f"{after.number}. "):
            yield f"{lesson.lab}: its Next: link reads {label!r}; it should start with '{after.number}. '"
        if not (every[-1].cell_type == "markdown" and NEXT_LINK.search(every[-1].source)):
            yield f"{lesson.lab}: the Next: link should be in the lab's last cell"


# ---------------------------------------------------------------- images

def image_references(text: str, repos) -> set[str]:
    pattern = re.compile(r"(?<![\w./:-])(?:(?:docker\.io/)?library/)?((?:" + "|".join(map(re.escape, repos))
                         + r"):[\w][\w.-]*)")
    return set(pattern.findall(text)) | set(TAGGED_AFTER.findall(text))


def images_run(course: Course, pages: bool = False) -> dict[tuple[int, str], set[str]]:
    """(lesson number, where) -> public images run there: exercise solutions and mistakes, lab code cells and,
    with `pages`, the lesson pages' ```bash blocks. Images the exercises build themselves (owns.images) are
    left out."""
    repos = sorted({*PUBLIC_REPOS, *(image.split(":")[0] for lesson in course.lessons for image in lesson.images)})
    built = {image for e in course.exercises for image in e.owns.images}
    found: dict[tuple[int, str], set[str]] = {}

    def note(lesson, where, text):
        refs = {image for image in image_references(text, repos) if image not in built}
        if refs:
            found.setdefault((lesson.number, where), set()).update(refs)

    for e in course.exercises:
        note(e.part_of, f"{e.id}'s solution", "\n".join(e.solution))
        note(e.part_of, f"{e.id}'s mistakes", "\n".join(line for m in e.mistakes for line in m.commands))
    for lesson in course.lessons:
        lab, page = course.root / lesson.lab, course.root / lesson.page
        if lab.is_file():
            note(lesson, lesson.lab, "\n".join(c.source for c in cells(lab) if c.cell_type == "code"))
        if pages and page.is_file():
            note(lesson, lesson.page, "\n".join(BASH_BLOCK.findall(page.read_text())))
    return found


def images(course: Course) -> Iterator[str]:
    """Every image a lesson's lab or exercises run is in its record's images, which the doctor looks for.

    A lesson page may show an image another lesson names: the doctor's list is every lesson's images
    (tests/test_course_record.py holds it to every image the labs, exercises and pages run)."""
    by_number = {lesson.number: lesson for lesson in course.lessons}
    for (number, where), refs in images_run(course).items():
        lesson = by_number.get(number)
        if lesson is None:
            continue
        for image in sorted(refs - set(lesson.images)):
            yield (f"{where} runs {image}, which lesson {number}'s images do not name: add it to images= in "
                   f"{course.where(lesson)} (labcheck doctor and `labcheck images save` go by that list)")


# ---------------------------------------------------------------- all of it

RULES = (lesson_records, modules, exercise_ids, exercise_fields, check_wiring, prerequisites, owned_names,
         lesson_files, table_of_contents, next_links, images)


def problems(course: Course) -> list[str]:
    return [problem for rule in RULES for problem in rule(course)]


def stale_tables() -> list[str]:
    """The lesson tables in README.md and book/intro.md, as tools/course_tables.py would write them now."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("course_tables", ROOT / "tools" / "course_tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    return [f"{path.relative_to(ROOT)}: the lesson table is stale; run python tools/course_tables.py"
            for path in tables.TABLES if tables.regenerated(path) != path.read_text()]


def all_problems() -> list[str]:
    return problems(real_course()) + stale_tables()


def main() -> int:
    found = all_problems()
    for problem in found:
        print(problem)
    if not found:
        course = real_course()
        print(f"course record: all good ({len(course.lessons)} lessons, {len(course.exercises)} exercises)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
