"""The course container where it meets the test engine's own course names (issue 15): the private engine's reset
spares an outer volume named like ex3's, and compose.host-engine.yaml runs the course on the test engine itself.

Not `isolated`: both hold names the exercise tests use (lab-notes, ex14's), so they run after those tests, never
beside them (tools/test_streams.sh). The images are those of tests/test_course_container.py, built once.
"""
from __future__ import annotations

import pytest

from .compose_course import Course, running_course
from .conftest import RUN_ID
from .course_images import build_images, sh

pytestmark = [pytest.mark.engine, pytest.mark.slow]

PROJECT = f"dvc-outer-test-{RUN_ID}"
HOST_PROJECT = f"dvc-host-test-{RUN_ID}"


@pytest.fixture(scope="module")
def images():
    build_images()


@pytest.fixture(scope="module")
def course(images):
    with running_course(PROJECT) as course:
        yield course


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
