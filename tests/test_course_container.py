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
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from checker.exercises import BY_ID, COURSE, IMAGES
from tools.lab_runs import output_text, reference_source

from .conftest import RUN_ID
from .course_images import build_images, free_port, sh

pytestmark = [pytest.mark.engine, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PROJECT = f"dvc-test-{RUN_ID}"
HOST_PROJECT = f"dvc-host-test-{RUN_ID}"
PROJECT_LABEL = "com.docker.compose.project"
LAB2 = "labs/02-named-volumes.ipynb"


class Course:
    """One running course: a Compose project, its published port and token, commands run in its container."""

    def __init__(self, project: str, files: tuple[str, ...], env: dict[str, str]) -> None:
        self.project, self.files, self.port = project, files, free_port()
        self.env = {**os.environ, "COURSE_PORT": str(self.port), **env}
        self.token = ""

    def compose(self, *args, check=True, timeout=300) -> subprocess.CompletedProcess:
        files = [arg for f in self.files for arg in ("-f", f)]
        return sh("docker", "compose", "-p", self.project, *files, *args, check=check, timeout=timeout, env=self.env)

    def up(self) -> float:
        """`up` with built images; seconds until JupyterLab answers with the printed token."""
        started = time.monotonic()
        self.compose("up", "-d", "--no-build")
        deadline, self.answering_s = started + 120, None
        while time.monotonic() < deadline:
            if self.answering_s is None:
                try:                                  # any answer, before the token is known: 403
                    self.get("/api/status", token=False)
                except urllib.error.HTTPError:
                    self.answering_s = time.monotonic() - started
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
            found = re.findall(r"token=([0-9a-f]{32})", self.compose("logs", "course").stdout)
            if found:
                self.token = found[-1]
                try:
                    if self.get("/api/status").status == 200:
                        return time.monotonic() - started
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
            time.sleep(0.2)
        raise AssertionError("JupyterLab did not answer:\n" + self.compose("logs", check=False).stdout[-3000:])

    def get(self, path: str, token: bool = True):
        separator = "&" if "?" in path else "?"
        url = f"http://127.0.0.1:{self.port}{path}" + (f"{separator}token={self.token}" if token else "")
        return urllib.request.urlopen(url, timeout=10)

    def put(self, path: str, body: dict):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}?token={self.token}", method="PUT",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(request, timeout=30)

    def run(self, script: str, check=True, timeout=600) -> subprocess.CompletedProcess:
        """A bash login shell in the course container, as a JupyterLab terminal is."""
        return self.compose("exec", "-T", "-e", "COLUMNS=200", "course", "bash", "-lc", script,
                            check=check, timeout=timeout)

    def container(self, service: str) -> str:
        return self.compose("ps", "-q", service).stdout.strip()

    def leftovers(self) -> list[str]:
        label = f"label={PROJECT_LABEL}={self.project}"
        found = []
        for kind in ("container", "volume", "network"):
            listing = ["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else [])
            found += [f"{kind} {name}" for name in sh(*listing).stdout.split()]
        return found

    def remove_everything(self) -> None:
        self.compose("down", "-v", "--remove-orphans", "--timeout", "5", check=False)
        label = f"label={PROJECT_LABEL}={self.project}"
        for kind in ("container", "volume", "network"):
            listing = ["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else [])
            names = sh(*listing, check=False).stdout.split()
            if names:
                sh("docker", kind, "rm", *(["-f"] if kind != "network" else []), *names, check=False)


@pytest.fixture(scope="module")
def images():
    build_images()


@pytest.fixture(scope="module")
def course(images):
    course = Course(PROJECT, ("compose.yaml",), {})
    try:
        course.up_seconds = course.up()
        engine = course.container("engine")
        saved = subprocess.Popen(["docker", "save", *IMAGES], stdout=subprocess.PIPE)
        sh("docker", "exec", "-i", engine, "docker", "load", stdin=saved.stdout)
        saved.stdout.close()
        assert saved.wait() == 0
        yield course
    finally:
        course.remove_everything()


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


def test_reset_inside_spares_the_outer_engine(course, client):
    """The outer engine holds what ex3 owns, by name, and something unrelated: resetting inside touches none."""
    made = []
    for kind, name, create in (("volume", "lab-notes", ["docker", "volume", "create", "lab-notes"]),
                               ("volume", f"demo-outer-{RUN_ID}", ["docker", "volume", "create", f"demo-outer-{RUN_ID}"]),
                               ("container", f"demo-outer-{RUN_ID}",
                                ["docker", "create", "--name", f"demo-outer-{RUN_ID}", "busybox:1.36", "true"])):
        if sh("docker", kind, "inspect", name, check=False).returncode != 0:
            sh(*create)
            made.append((kind, name))
    try:
        course.run("labcheck solve ex3 >/dev/null")
        done = course.run("labcheck reset --all --yes")
        assert "Done: everything listed is removed." in done.stdout, done.stdout + done.stderr
        assert "lab-notes" not in course.run("docker volume ls --format '{{.Name}}'").stdout
        for kind, name in made:
            assert sh("docker", kind, "inspect", name, check=False).returncode == 0, f"the outer {kind} {name} is gone"
        assert sh("docker", "volume", "inspect", "lab-notes", check=False).returncode == 0
    finally:
        for kind, name in reversed(made):
            sh("docker", kind, "rm", "-f" if kind == "container" else "--force", name, check=False)


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


@pytest.fixture(scope="module")
def host_course(images, tmp_path_factory):
    """The course on the test engine itself (compose.host-engine.yaml), its workspace a host folder."""
    workspace = tmp_path_factory.mktemp("host-engine-workspace")
    course = Course(HOST_PROJECT, ("compose.yaml", "compose.host-engine.yaml"), {"COURSE_WORKSPACE": str(workspace)})
    try:
        course.up()
        course.workspace = workspace
        yield course
    finally:
        course.run("labcheck reset ex14 --yes", check=False)
        course.remove_everything()


def test_host_engine_override_passes_a_bind_mount_from_the_workspace(host_course):
    doctor = host_course.run("labcheck doctor").stdout
    assert "setup: course container, your own engine" in doctor, doctor
    assert host_course.run("echo $LABCHECK_WORKSPACE").stdout.strip() == str(host_course.workspace)
    done = host_course.run("labcheck solve ex14", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in host_course.run("labcheck ex14").stdout
    assert (host_course.workspace / "site").is_dir()                # the engine mounted the host's own folder
