"""The fast entry point: which forms it grades itself, that it hands the rest to the full CLI, and that grading
loads none of the heavy modules it exists to avoid."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker.exercises import BY_ID, COURSE
from checker.ways_in.fast import grading_request
from checker.record import record


@pytest.mark.parametrize("argv, expected", [
    (["ex3"], (["ex3"], False, False, True)),
    (["ex3", "--json"], (["ex3"], True, False, True)),
    (["-q", "ex3"], (["ex3"], False, True, True)),
    (["--quiet", "grade", "--all"], ([e.id for e in COURSE], False, True, False)),
    (["grade", "ex4", "--json", "ex3"], (["ex4", "ex3"], True, False, False)),
])
def test_grading_forms_are_recognised(argv, expected):
    exercises, as_json, quiet, one = grading_request(argv)
    assert ([e.id for e in exercises], as_json, quiet, one) == expected


@pytest.mark.parametrize("argv", [
    [], ["list"], ["ex3", "--help"], ["ex99"], ["grade"], ["grade", "--all", "ex3"], ["grade", "ex99"],
    ["grade", "ex3", "--verbose"], ["ex3", "ex4"], ["reset", "ex3"], ["--version"], ["-q"],
])
def test_everything_else_goes_to_the_full_cli(argv):
    assert grading_request(argv) is None


HEAVY = ("click", "rich", "docker", "requests", "http", "email", "dataclasses", "inspect", "typing", "concurrent",
         "logging", "pathlib", "hashlib", "base64", "textwrap", "urllib", "ipaddress")
# One tar reader (issue 18): tarfile, with the shutil, bz2 and lzma it imports, reads the engine's archive streams
# as well as host backups. It is imported inside the function that reads an archive, so a grade loads it only when
# it reads one: ex1's does when a lab-scratch container is there to read /notes.txt from, a fresh state's does not.
ARCHIVE_READER = ("tarfile", "shutil", "bz2", "lzma")


@pytest.mark.engine
def test_grading_loads_none_of_the_heavy_modules(tmp_path):
    probe = f"""
import json, sys
import checker.reading.volume_files as files, checker.reading.volume_snapshot as snapshot
opened, real_open = [], files.open_archive
def spy(source):
    opened.append(True)
    return real_open(source)
files.open_archive = snapshot.open_archive = spy
from checker.ways_in.fast import main
code = main(['ex1', '--json'])
loaded = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY + ARCHIVE_READER!r})
print(json.dumps([loaded, bool(opened)]), file=sys.stderr)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LABCHECK_HOME": str(tmp_path / "state"),
                               "LABCHECK_WORKSPACE": str(tmp_path / "ws")})
    report = json.loads(done.stdout)
    assert report["exercise"] == "ex1" and "passed" in report
    loaded, read_an_archive = json.loads(done.stderr.strip().splitlines()[-1])
    assert [m for m in loaded if not (read_an_archive and m.split(".")[0] in ARCHIVE_READER)] == []


def test_records_are_frozen_value_objects_with_their_methods():
    @record
    class Point:
        """A point."""
        x: int
        y: int = 0

        @property
        def norm1(self) -> int:
            return abs(self.x) + abs(self.y)

    p = Point(3)
    assert (p.x, p.y, p.norm1, p, Point.__doc__) == (3, 0, 3, Point(3, 0), "A point.")
    assert p._replace(y=-2).norm1 == 5 and hash(p) == hash(Point(3, 0))
    with pytest.raises(AttributeError):
        p.x = 4
    with pytest.raises(TypeError):
        @record
        class Wrong:
            a: int = 1
            b: int


def test_exercises_are_records_whose_fields_survived_the_change():
    exercise = BY_ID["ex3"]
    assert exercise.id == "ex3" and exercise.checks and exercise.owns.volumes and exercise.part_of.number
    assert all(check.key and callable(check.evaluate) for check in exercise.checks)


@pytest.mark.parametrize("argv", [pytest.param(["grade", "--all"], marks=pytest.mark.engine), ["list"]],
                         ids=["quick path", "full CLI"])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, argv):
    """`labcheck grade --all | head -3`: the pipe closes before labcheck writes; it stops quietly."""
    labcheck = os.path.join(os.path.dirname(sys.executable), "labcheck")
    process = subprocess.Popen([labcheck, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "LABCHECK_HOME": str(tmp_path / "state"),
                                    "LABCHECK_WORKSPACE": str(tmp_path / "ws")})
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=60) != 0
    assert "Traceback" not in errors and "Broken pipe" not in errors, errors
