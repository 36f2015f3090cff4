"""labcheck as a learner meets it: solving, grading and resetting from the command line, run both as
root and (by tools/learner.sh) as a non-root user in the docker group, whose volume folders are
unreadable and whose workspace gets files that containers wrote as root."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from checker.exercises import BY_ID, COURSE
from checker.paths import workspace_path
from checker.reading.helper_reads import HELPER_LABEL

from .conftest import RUN_ID, TEST_LABEL, solve

pytestmark = pytest.mark.engine

LABCHECK = [sys.executable, "-m", "checker"]
AS_LEARNER = os.geteuid() != 0


def labcheck(*args, env=None):
    return subprocess.run([*LABCHECK, *args], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def helpers(client) -> list[dict]:
    return client.api.containers(all=True, filters={"label": HELPER_LABEL})


@pytest.mark.skipif(not AS_LEARNER, reason="root can read volume folders; this is about a learner who cannot")
def test_doctor_names_the_engine_route_and_why_for_a_docker_group_user(client):
    if any("rootless" in option for option in client.info().get("SecurityOptions") or ()):
        done = labcheck("doctor")                              # rootless: the volumes live in the user's home
        assert "this is rootless Docker" in done.stdout and "from this host's volume folders" in done.stdout
        return
    done = labcheck("doctor")
    assert "volume reads: through the engine" in done.stdout, done.stdout
    assert f"not readable by {os.environ.get('USER') or ''}" in done.stdout, done.stdout
    assert "Docker Desktop" not in done.stdout                 # this engine is not Docker Desktop


@pytest.mark.skipif(AS_LEARNER, reason="as root the host route applies")
def test_doctor_names_the_host_route_for_root():
    done = labcheck("doctor")
    assert "volume reads: from this host's volume folders" in done.stdout, done.stdout


@pytest.mark.slow
@pytest.mark.skipif(not AS_LEARNER, reason="as root: the course container grades all solved at once, the four-way tests each on both routes")
def test_every_exercise_solved_then_graded_at_once_passes(fresh):
    """What a learner who worked through the whole course sees: `labcheck grade --all` all passed."""
    for exercise in COURSE:
        done = labcheck("solve", exercise.id)
        assert done.returncode == 0, f"labcheck solve {exercise.id}:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    done = labcheck("grade", "--all", "--json")
    report = json.loads(done.stdout)
    failing = {r["exercise"]: next(c["message"] for c in r["checks"] if c["passed"] is False)
               for r in report["exercises"] if not r["passed"]}
    assert failing == {} and done.returncode == 0
    assert report["passed"] == report["total"] == len(COURSE)
    assert helpers(fresh) == []

    # Containers wrote into the workspace as root; the reset removes those files all the same.
    written = [workspace_path() / p for e in COURSE for p in e.owns.host_paths
               if os.path.lexists(workspace_path() / p)]
    assert written, "no exercise left files in the workspace"
    done = labcheck("reset", "--all", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Not removed" not in done.stderr
    assert [p for p in written if os.path.lexists(p)] == []
    assert labcheck("reset", "--all", "--yes").stdout.strip() == "Nothing to remove: already fresh."


def test_reset_names_the_exercise_whose_container_holds_a_volume(fresh):
    solve(fresh, BY_ID["ex4"])                                 # lab-reader (ex4) mounts lab-notes (ex3)
    done = labcheck("reset", "ex3", "--yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "container lab-reader of ex4" in done.stderr and "labcheck reset ex4" in done.stderr, done.stderr
    assert "not the course's" not in done.stderr
    assert "Done" not in done.stdout and "already fresh" not in done.stdout
    assert fresh.api.inspect_volume("lab-notes")


def test_reset_that_cannot_remove_a_volume_says_so_and_exits_non_zero(fresh):
    solve(fresh, BY_ID["ex3"])
    stranger = f"test-holder-{RUN_ID}"
    fresh.api.create_container("busybox:1.36", name=stranger, command=["true"], labels={TEST_LABEL: RUN_ID},
                               host_config=fresh.api.create_host_config(binds=["lab-notes:/data"]))
    done = labcheck("reset", "ex3", "--yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"container {stranger}, which is not the course's" in done.stderr, done.stderr
    assert "reset is not complete" in done.stderr
    assert fresh.api.containers(all=True, filters={"name": f"^/{stranger}$"})   # never touched


def test_reset_of_a_fresh_exercise_says_already_fresh(fresh):
    done = labcheck("reset", "ex3", "--yes")
    assert done.returncode == 0 and done.stdout.strip() == "Nothing to remove: already fresh.", done.stdout
