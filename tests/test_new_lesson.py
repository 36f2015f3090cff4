"""tools/new_lesson.py scaffolds a lesson that the course's own structure tests accept as it stands."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("checker", "tools", "tests", "book", "labs", "_toc.yml", "_config.yml", "README.md", "pyproject.toml")
# The tests that hold a new lesson to the course's rules without an engine; a recorded lab run comes later.
STRUCTURE_TESTS = ("tests/test_course_record.py", "tests/test_registry.py", "tests/test_labs.py",
                   "-m", "not slow", "-k", "not recorded")


def course_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    copy.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "_build"))
        else:
            shutil.copy2(source, copy / name)
    return copy


def run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=copy, capture_output=True, text=True, timeout=300)


def test_scaffolded_lesson_passes_the_structure_tests(tmp_path):
    copy = course_copy(tmp_path)
    from checker.exercises import COURSE, LESSONS
    number, slug = len(LESSONS) + 1, "scaffold-check"
    name = f"{number:02d}-{slug}"

    made = run(copy, "tools/new_lesson.py", str(number), slug, "A scaffolded lesson")
    assert made.returncode == 0, made.stdout + made.stderr
    for path in (f"book/{name}.md", f"labs/{name}.ipynb", "checker/exercises/scaffold_check.py"):
        assert (copy / path).is_file(), path

    listed = run(copy, "-c", "from checker.exercises import LESSONS, COURSE; "
                             "print(LESSONS[-1].name, COURSE[-1].id, COURSE[-1].lab)")
    assert listed.stdout.split() == [name, f"ex{len(COURSE) + 1}", f"labs/{name}.ipynb"], listed.stderr
    toc = yaml.safe_load((copy / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert files.index(f"book/{name}") < files.index(f"book/lab-runs/{name}")
    assert "A scaffolded lesson" in (copy / "README.md").read_text()
    assert f"{{doc}}`{name}`" in (copy / "book" / "intro.md").read_text()

    checked = run(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", *STRUCTURE_TESTS)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]


def test_scaffold_refuses_a_gap_an_existing_lesson_and_a_bad_slug(tmp_path):
    copy = course_copy(tmp_path)
    from checker.exercises import LESSONS
    for args, says in (((str(len(LESSONS) + 2), "later", "Later"), "numbered without gaps"),
                       (("1", "again", "Again"), "exists already"),
                       ((str(len(LESSONS) + 1), "Bad_Slug", "Bad"), "lower-case words")):
        done = run(copy, "tools/new_lesson.py", *args)
        assert done.returncode == 2 and says in done.stderr, done.stderr
    assert sorted(p.name for p in (copy / "labs").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "labs").glob("*.ipynb"))
