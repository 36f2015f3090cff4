"""The whole course with only Docker installed (issue 15): compose.yaml's course container and private engine.

Both images are built from the repository's Dockerfiles on the stand-in bases (tools/standin_docker.py,
tools/standin_images.py), once per content of their build context, and one course runs for the whole module
under its own Compose project, as a learner's `docker compose up` would: Docker-in-Docker inside the test
engine. The lab images reach the private engine from the test engine (`docker save | docker load`), as the
offline kit would bring them. Teardown removes the project's containers, volumes and networks by label even
when a test failed.
"""
from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest

from checker.exercises import BY_ID, COURSE, IMAGES
from tools.lab_runs import output_text, reference_source

from .compose_course import running_course
from .conftest import RUN_ID
from .course_images import build_images

pytestmark = [pytest.mark.engine, pytest.mark.slow, pytest.mark.isolated]
"""isolated: everything here happens in the course's private engine or under this run's own project name, so it
runs beside the exercise tests (tools/test_streams.sh). What touches the test engine's course names is in
tests/test_course_container_host.py."""

ROOT = Path(__file__).resolve().parent.parent
PROJECT = f"dvc-test-{RUN_ID}"
LAB2 = "labs/02-named-volumes.ipynb"


@pytest.fixture(scope="module")
def images():
    build_images()


@pytest.fixture(scope="module")
def course(images):
    with running_course(PROJECT, IMAGES) as course:
        yield course


def test_one_address_on_localhost_with_a_token_serves_the_labs_and_the_book(course):
    logs = course.compose("logs", "course").stdout
    assert f"Open:  http://127.0.0.1:{course.port}/lab/tree/labs?token={course.token}" in logs
    with pytest.raises(urllib.error.HTTPError) as refused:
        course.get("/api/contents/labs", token=False)
    assert refused.value.code == 403
    listed = {item["name"] for item in json.load(course.get("/api/contents/labs"))["content"]}
    assert {p.name for p in (ROOT / "labs").glob("*.ipynb")} <= listed
    assert b"Named volumes" in course.get("/book/book/02-named-volumes.html", token=False).read()
    ports = json.loads(course.compose("ps", "--format", "json", "course").stdout.splitlines()[0])["Publishers"]
    assert {p["URL"] for p in ports if p["PublishedPort"]} == {"127.0.0.1"}
    assert course.up_seconds < 60, f"JupyterLab answered after {course.up_seconds:.1f} s"


def test_doctor_names_the_setup_and_grades_through_the_private_engine(course):
    doctor = course.run("labcheck doctor").stdout
    assert "setup: course container, private engine" in doctor, doctor
    assert "the course's private Docker Engine 26" in doctor, doctor
    assert "volume reads: through the engine" in doctor, doctor
    assert "the labs' images are here" in doctor, doctor
    assert "Docker Compose v2 plugin" in doctor, doctor
    # A terminal (an interactive login shell) starts in the workspace, which the private engine sees too.
    here = course.compose("exec", "-T", "course", "bash", "-lic", 'docker run --rm -v "$PWD":/here busybox:1.36 '
                          'sh -c "echo seen > /here/demo-seen" && cat demo-seen && rm demo-seen').stdout
    assert here.strip().splitlines()[-1] == "seen", here


def test_lab2_with_ex3_solved_in_its_answer_cell_shows_passed(course):
    """Open lab 2 and save it with ex3's answer through JupyterLab's contents API (what the editor does), run it
    in the container with nbclient (`jupyter nbconvert --execute`, what Run All does), read it back."""
    model = json.load(course.get(f"/api/contents/{LAB2}"))
    cells = model["content"]["cells"]
    answer = next(c for c in cells if "answer" in c["metadata"].get("tags", ())
                  and c["metadata"].get("exercise") == "ex3")
    answer["source"] = reference_source(BY_ID["ex3"])
    course.put(f"/api/contents/{LAB2}", {"type": "notebook", "format": "json", "content": model["content"]})
    course.run(f"cd /course && jupyter nbconvert --to notebook --execute --inplace {LAB2}", timeout=300)
    import nbformat

    ran = nbformat.reads(json.dumps(json.load(course.get(f"/api/contents/{LAB2}"))["content"]), as_version=4)
    checks = {c.metadata.get("exercise"): output_text(c) for c in ran.cells
              if "check" in c.metadata.get("tags", ())}
    assert "PASSED" in checks["ex3"] and "NOT YET" not in checks["ex3"], checks["ex3"]
    assert "NOT YET" in checks["ex4"]                         # its answer cell is still empty
    assert "lab-notes" in course.run("docker volume ls --format '{{.Name}}'").stdout


def test_every_exercise_solved_inside_then_graded_at_once_passes(course):
    ids = " ".join(e.id for e in COURSE)
    course.run(f"set -e; for e in {ids}; do labcheck solve $e > /tmp/solve-$e.log 2>&1 "
               "|| { echo \"solve $e failed\"; tail -40 /tmp/solve-$e.log; exit 1; }; done", timeout=1500)
    done = course.run("labcheck grade --all --json", check=False)
    report = json.loads(done.stdout)
    failing = {r["exercise"]: next((c["message"] for c in r["checks"] if c["passed"] is False), "")
               for r in report["exercises"] if not r["passed"]}
    assert failing == {} and done.returncode == 0
    assert report["passed"] == report["total"] == len(COURSE)
    done = course.run("labcheck reset --all --yes")
    assert "Not removed" not in done.stderr, done.stderr


def test_down_then_up_keeps_progress_workspace_and_volumes_and_down_v_removes_all(course):
    course.run("labcheck solve ex3 >/dev/null && labcheck ex3 >/dev/null && echo kept > \"$LABCHECK_WORKSPACE/kept.txt\"")
    course.compose("down", "--timeout", "5")
    assert course.leftovers() and all(not item.startswith("container") for item in course.leftovers())
    course.up()
    assert course.run("cat \"$LABCHECK_WORKSPACE/kept.txt\"").stdout.strip() == "kept"
    progress = course.run("python3 -c 'from checker.grading.progress import Progress; "
                          "print(Progress().results()[\"ex3\"][0])'").stdout.strip()
    assert progress == "True"
    graded = course.run("labcheck ex3", check=False)                  # lab-notes and its note.txt survived
    assert graded.returncode == 0, graded.stdout
    course.compose("down", "-v", "--timeout", "5")
    assert course.leftovers() == []
