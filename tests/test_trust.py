"""Trust: grading changes nothing, resets touch only what they own, hostile content and broken
environments get bounded, clear answers."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import docker
import pytest

from checker.exercises import BY_ID, COURSE
from checker.reading.helper_reads import HELPER_LABEL
from checker.engine.readonly import ReadOnlyEngine

from .conftest import TEST_LABEL, RUN_ID, grade_now, readonly, reset_all, run, solve
from .fakes import DyingProxy, StallingProxy
from .snapshot import engine_snapshot, settled_snapshot
from .test_images import clean_engine  # noqa: F401  (a second engine with no images, started by the fixture)

LABCHECK = [sys.executable, "-m", "checker"]
GRADING_EVENTS = {("container", "archive-path"), ("volume", "mount"), ("volume", "unmount")}
"""Events a read causes: the archive endpoint mounts a stopped container's volumes for the copy."""


def labcheck(*args, env=None):
    return subprocess.run([*LABCHECK, *args], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def labcheck_with_peak_rss(*args, env=None) -> tuple[subprocess.CompletedProcess, int]:
    """Run labcheck and measure its own peak RSS in KiB (not the largest of every child this process ever had)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([*LABCHECK, *args], stdout=out, stderr=err, text=True, stdin=subprocess.DEVNULL,
                                env={**os.environ, "COLUMNS": "200", **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read()),
                usage.ru_maxrss)


def grade_everything_repeatedly(rounds: int = 3) -> None:
    for _ in range(rounds):
        for host_reads in ("1", "0"):
            done = labcheck("grade", "--all", "--json", env={"LABCHECK_HOST_READS": host_reads})
            assert done.returncode in (0, 1), done.stderr
            assert len(json.loads(done.stdout)["exercises"]) == len(COURSE)
        for exercise in COURSE:
            grade_now(None, exercise)


def is_healthcheck_event(client, event) -> bool:
    """An exec the engine ran for the container's own HEALTHCHECK (same command), or a health status change."""
    action = event["Action"]
    if not (action.startswith("exec_") or action.startswith("health_status")):
        return False
    try:
        test = (client.api.inspect_container(event["Actor"]["ID"])["Config"].get("Healthcheck") or {}).get("Test")
    except docker.errors.NotFound:
        return False
    if not test or test == ["NONE"]:
        return False
    command = " ".join(test[1:])
    return action in ("exec_die", ) or action.startswith("health_status") or action.split(": ", 1)[-1] == command


def events_between(client, since: float, until: float) -> set[tuple[str, str]]:
    """(type, action) of every event in the window; labcheck's own helpers' create/destroy show as 'helper'."""
    seen = set()
    for event in client.api.events(since=since, until=until, decode=True):
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        if event["Type"] == "container" and is_healthcheck_event(client, event):
            continue                    # the engine runs healthchecks by itself, grading or not
        if event["Type"] == "container" and HELPER_LABEL in attributes:
            seen.add(("helper", event["Action"]))
        else:
            seen.add((event["Type"], event["Action"]))
    return seen


HELPER_EVENTS = {("helper", "create"), ("helper", "destroy"), ("helper", "archive-path")}
"""A helper is created, read through, destroyed: never started, attached or executed."""


def leftover_helpers(client) -> list[dict]:
    return client.api.containers(all=True, filters={"label": HELPER_LABEL})


def assert_grading_changes_nothing(client) -> None:
    before = settled_snapshot(client)
    since = time.time()
    grade_everything_repeatedly()
    until = time.time() + 0.5
    assert engine_snapshot(client) == before
    assert leftover_helpers(client) == []
    assert events_between(client, since, until) <= GRADING_EVENTS | HELPER_EVENTS


@pytest.mark.slow
def test_grading_is_read_only_in_fresh_solved_and_mistaken_states(fresh):
    assert_grading_changes_nothing(fresh)                       # fresh
    for exercise in COURSE:
        solve(fresh, exercise)
    assert_grading_changes_nothing(fresh)                       # everything solved
    reset_all(fresh)
    for exercise in (e for e in COURSE if e.mistakes):          # one mistake per exercise, side by side
        if all(fresh.api.containers(all=True, filters={"name": f"^/{c}$"}) == [] for c in exercise.owns.containers):
            for earlier in exercise.builds_on:
                if not grade_now(fresh, BY_ID[earlier]).passed:
                    solve(fresh, BY_ID[earlier])
            run(exercise.mistakes[0].commands, stop_on_failure=False)
    assert_grading_changes_nothing(fresh)


def lookalike_names(name: str) -> list[str]:
    return [f"{name}-old", f"my-{name}", f"{name}2", f"{name}_", f"x{name}", f"{name}.bak", f"{name}-1"]


@pytest.mark.slow
def test_reset_all_removes_exactly_the_exercises_own_resources(fresh):
    api = fresh.api
    labels = {TEST_LABEL: RUN_ID}
    owned_volumes = sorted({v for e in COURSE for v in e.owns.volumes})
    owned_containers = sorted({c for e in COURSE for c in e.owns.containers})
    for name in owned_volumes:
        api.create_volume(name)
    for name in owned_containers:
        api.create_container("busybox:1.36", name=name, command=["true"])
    decoy_volumes, decoy_containers = [], []
    for name in owned_volumes + owned_containers:
        for decoy in lookalike_names(name):
            api.create_volume(decoy, labels=labels)
            decoy_volumes.append(decoy)
        compose_volume = f"lab_{name}"          # what Compose would call volume NAME of project "lab"
        api.create_volume(compose_volume, labels={**labels, "com.docker.compose.project": "lab",
                                                  "com.docker.compose.volume": name})
        decoy_volumes.append(compose_volume)
    for name in owned_containers:
        for decoy in [f"{name}-old", f"my-{name}", f"lab-{name}-1"]:
            api.create_container("busybox:1.36", name=decoy, command=["true"],
                                 labels={**labels, "com.docker.compose.project": "lab",
                                         "com.docker.compose.service": name})
            decoy_containers.append(decoy)
    assert len(decoy_volumes) + len(decoy_containers) >= 300
    before = settled_snapshot(fresh)

    done = labcheck("reset", "--all", "--yes")
    assert done.returncode == 0, done.stderr

    after = engine_snapshot(fresh)
    gone_containers = {before["containers"][i][0].lstrip("/") for i in set(before["containers"]) - set(after["containers"])}
    assert gone_containers == set(owned_containers)
    assert set(before["volumes"]) - set(after["volumes"]) == set(owned_volumes)
    assert {k: v for k, v in before["volumes"].items() if k not in owned_volumes} == after["volumes"]
    assert before["images"] == after["images"] and before["networks"] == after["networks"]


# ---------------------------------------------------------------- hostile content inside volumes

def hostile_setup(mountpoint: str, kind: str) -> None:
    note = os.path.join(mountpoint, "note.txt")
    if os.path.lexists(note):
        os.unlink(note)
    if kind == "symlink-out":
        os.symlink("/etc/shadow", note)
    elif kind == "sparse-10g":
        with open(note, "wb") as f:
            f.truncate(10 * 1024 ** 3)
    elif kind == "fifo":
        os.mkfifo(note)
    elif kind == "many-files":
        crowd = os.path.join(mountpoint, "crowd")
        os.makedirs(crowd, exist_ok=True)
        for i in range(100_000):
            os.close(os.open(os.path.join(crowd, f"f{i}"), os.O_CREAT | os.O_WRONLY, 0o644))
        with open(note, "w") as f:
            f.write("written by lab-writer\nread by lab-reader\n")
    elif kind == "not-utf8":
        for raw in (b"\xff\xfe-name", b"caf\xe9.txt"):
            with open(os.path.join(os.fsencode(mountpoint), raw), "wb") as f:
                f.write(b"\xff\xfe\x00 not text")
        with open(note, "wb") as f:
            f.write(b"written by lab-writer\n\xff\xfe\xfd\n")


HOSTILE = {
    "symlink-out": "symbolic link",
    "sparse-10g": "far larger than expected",
    "fifo": "cannot be read",
    "many-files": None,          # the crowd beside it must not matter: ex4 passes
    "not-utf8": "does not hold the expected lines",
}


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("route", ["host", "engine"])
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_volume_content_gets_a_bounded_clear_verdict(fresh, kind, route):
    solve(fresh, BY_ID["ex4"])              # lab-reader mounts lab-notes: the engine route has a container to read through
    mountpoint = fresh.api.inspect_volume("lab-notes")["Mountpoint"]
    hostile_setup(mountpoint, kind)
    env = {"LABCHECK_HOST_READS": "1" if route == "host" else "0"}
    done, peak_kib = labcheck_with_peak_rss("ex4", "--json", env=env)
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    expected = HOSTILE[kind]
    if expected is None:
        assert done.returncode == 0 and report["passed"], report
    else:
        assert done.returncode == 1
        failure = next(c for c in report["checks"] if c["passed"] is False)
        assert expected in failure["message"], failure
    assert "root:" not in done.stdout                     # /etc/shadow was never read
    assert peak_kib < 200 * 1024                         # KiB: labcheck stays small


# ---------------------------------------------------------------- faults

def test_engine_dying_during_a_grade_is_exit_3_and_leaves_nothing(fresh, tmp_path):
    solve(fresh, BY_ID["ex4"])
    before = settled_snapshot(fresh)
    path = str(tmp_path / "dying.sock")
    with DyingProxy(path, "/var/run/docker.sock", responses=2):
        done = labcheck("grade", "--all", env={"DOCKER_HOST": f"unix://{path}"})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "stopped answering" in done.stderr and "Traceback" not in done.stderr
    assert engine_snapshot(fresh) == before


def test_a_volume_nobody_mounts_is_read_through_a_helper_that_is_gone_before_the_verdict(fresh):
    solve(fresh, BY_ID["ex3"])              # lab-notes exists and no container mounts it
    before = settled_snapshot(fresh)
    since = time.time()
    done = labcheck("ex3", "--json", env={"LABCHECK_HOST_READS": "0"})
    until = time.time() + 0.5
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["passed"]
    assert leftover_helpers(fresh) == []
    assert engine_snapshot(fresh) == before
    events = events_between(fresh, since, until)
    assert {("helper", "create"), ("helper", "destroy")} <= events, events
    assert events <= GRADING_EVENTS | HELPER_EVENTS, events


def test_the_helper_copies_nothing_into_an_empty_volume(fresh, labelled):
    """A helper mounts with nocopy at a path no image has: an empty volume stays empty."""
    make_volume, _ = labelled
    name = make_volume(f"test-empty-{RUN_ID}")
    from checker.reading.view import EngineView
    with EngineView(readonly(), host_reads=False) as view:
        assert view.read_volume_file(name, "bin/sh").status == "missing"
    mountpoint = fresh.api.inspect_volume(name)["Mountpoint"]
    assert os.listdir(mountpoint) == []
    assert leftover_helpers(fresh) == []


def test_a_helper_left_by_a_killed_run_is_removed_by_the_next_run(fresh, tmp_path):
    solve(fresh, BY_ID["ex3"])
    path = str(tmp_path / "stalling.sock")
    with StallingProxy(path, "/var/run/docker.sock") as proxy:
        stuck = subprocess.Popen([*LABCHECK, "ex3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, "DOCKER_HOST": f"unix://{path}", "LABCHECK_HOST_READS": "0",
                                      "LABCHECK_TIMEOUT": "60"})
        try:
            assert proxy.stalled.wait(30), "labcheck never reached the read"
            assert len(leftover_helpers(fresh)) == 1           # mid-read: the helper exists
            stuck.send_signal(9)
            stuck.wait(10)
        finally:
            if stuck.poll() is None:
                stuck.kill()
    assert len(leftover_helpers(fresh)) == 1                   # kill -9 left it behind
    done = labcheck("ex3", env={"LABCHECK_HOST_READS": "0"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert leftover_helpers(fresh) == []


def test_grading_sends_only_get_besides_creating_and_removing_its_own_helpers(fresh, monkeypatch):
    from checker.reading import helper_reads as peek
    from checker.grading.run import grade
    from checker.reading.view import EngineView

    solve(fresh, BY_ID["ex3"])              # a volume no container mounts: the engine route needs a helper
    from checker.engine import wire

    engine = readonly()
    sent, other = [], []
    on_the_wire, original_request = wire.Connection.request, peek._request

    def spy(connection, method, target, body=None, headers=None):
        sent.append(method)                 # every request any connection sends, as it goes out
        return on_the_wire(connection, method, target, body, headers)

    def request_spy(engine_, method, path, params=None, body=None):
        status, answer = original_request(engine_, method, path, params, body)
        other.append((method, path.lstrip("/"), status, body))
        return status, answer
    monkeypatch.setattr(wire.Connection, "request", spy)
    monkeypatch.setattr(peek, "_request", request_spy)
    try:
        for exercise in COURSE:
            with EngineView(engine, host_reads=False) as view:
                grade(exercise, view)
    finally:
        engine.close()
    # Besides GET, only the helper's create and delete went out, each through peek's one request function.
    assert sent.count("GET") > len(COURSE) and set(sent) <= {"GET", "POST", "DELETE"}
    assert sorted(m for m in sent if m != "GET") == sorted(method for method, *_ in other)
    assert not [name for name in vars(ReadOnlyEngine) if name.lower() in ("post", "put", "delete", "patch", "head")]
    creates = [o for o in other if o[0] == "POST"]
    deletes = [o for o in other if o[0] == "DELETE"]
    assert creates and len(creates) == len(deletes), other
    assert all(path == "containers/create" and status == 201 for _, path, status, _ in creates), creates
    for *_, body in creates:
        assert HELPER_LABEL in body["Labels"] and body["HostConfig"]["NetworkMode"] == "none"
        volume_mounts = [m for m in body["HostConfig"]["Mounts"] if m["Type"] == "volume"]
        assert volume_mounts and all(m["ReadOnly"] and m["VolumeOptions"]["NoCopy"] for m in volume_mounts)
    assert all(path.startswith("containers/") and status == 204 for _, path, status, _ in deletes), deletes
    assert leftover_helpers(fresh) == []


@pytest.mark.skipif(shutil.which("podman") is None, reason="Debian's podman is installed by tools/engine.sh as root")
def test_podman_compatible_api_is_named_and_refused_clearly(tmp_path):
    path = tmp_path / "podman.sock"
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{path}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if path.exists():
                break
            time.sleep(0.1)
        done = labcheck("ex1", env={"DOCKER_HOST": f"unix://{path}"})
    finally:
        service.terminate()
        service.wait(timeout=10)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Podman" in done.stderr and "1.42" in done.stderr and "Traceback" not in done.stderr


def test_a_volume_on_an_engine_with_no_image_at_all_gets_one_clear_sentence(clean_engine):
    """No image to create a helper from: the check says so and what to do; nothing is created."""
    other = docker.DockerClient(base_url=clean_engine)
    try:
        assert other.api.images() == []
        other.api.create_volume("lab-notes", labels={"course": "docker-volumes"})
        done = labcheck("ex3", "--json", env={"DOCKER_HOST": clean_engine, "LABCHECK_HOST_READS": "0"})
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        failure = next(c for c in json.loads(done.stdout)["checks"] if c["passed"] is False)
        assert "no image at all" in failure["message"] and "docker pull busybox:1.36" in failure["message"], failure
        assert other.api.containers(all=True) == []
    finally:
        other.api.remove_volume("lab-notes", force=True)
        other.close()
