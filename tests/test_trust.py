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
from checker.engine.helper_client import HELPER_LABEL, HelperClient
from checker.engine.readonly import ReadOnlyEngine

from .conftest import IMAGE, TEST_LABEL, RUN_ID, grade_now, readonly, solve
from .engine_recorder import RecordingProxy
from .read_only_proof import assert_only_helper_writes, requests_on_the_wire
from .fakes import DyingProxy, StallingProxy
from .snapshot import engine_snapshot, event_of_isolated_test, settled_snapshot
from .test_images import clean_engine  # noqa: F401  (a second engine with no images, started by the fixture)

pytestmark = pytest.mark.engine

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


def grade_everything_repeatedly(host: str, rounds: int = 2) -> None:
    """`grade --all` on both read routes and each exercise in process, `rounds` times, all through `host`."""
    saved = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = host
    try:
        for _ in range(rounds):
            for host_reads in ("1", "0"):
                done = labcheck("grade", "--all", "--json", env={"LABCHECK_HOST_READS": host_reads})
                assert done.returncode in (0, 1), done.stderr
                report = json.loads(done.stdout)
                assert len(report["exercises"]) == len(COURSE)
            for exercise in COURSE:
                grade_now(None, exercise)
    finally:
        if saved is None:
            os.environ.pop("DOCKER_HOST")
        else:
            os.environ["DOCKER_HOST"] = saved


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
        if event_of_isolated_test(event):
            continue                    # a class or Compose course test running beside this one
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
    """Grading changes nothing, and every request it sends is a GET but the helper's create and delete (what the
    isolated tests running beside this one do is left out: tests/snapshot.py)."""
    before = settled_snapshot(client)
    since = time.time()
    with RecordingProxy("/var/run/docker.sock") as proxy:
        grade_everything_repeatedly(proxy.host)
    until = time.time() + 0.5
    assert engine_snapshot(client) == before
    assert leftover_helpers(client) == []
    assert events_between(client, since, until) <= GRADING_EVENTS | HELPER_EVENTS
    assert len(proxy.requests) > 6 * len(COURSE)
    assert_only_helper_writes(proxy.non_get())


def test_labcheck_grade_all_is_read_only_on_both_routes(fresh):
    """The proof over every exercise in every state rides on the four-way tests' grades (tests/read_only_proof.py),
    in process. This is the same proof for `labcheck` as a learner runs it, a process of its own seen through a
    recording proxy: `grade --all` on both routes, with the first lessons solved (ex3's volume is mounted by no
    container: the engine route needs a helper), then every exercise graded in process through the proxy too."""
    for exercise in COURSE[:5]:
        solve(fresh, exercise)
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


def test_a_volume_only_a_never_started_container_mounts_is_read_through_a_helper(fresh, labelled):
    """Serving a never-started container's archive makes its mount points in its own layer (`docker diff` shows
    `A /config` after the GET): so grading reads such a volume through a helper, and the container is unchanged."""
    make_volume, make_container = labelled
    volume = make_volume(f"test-created-{RUN_ID}")
    fresh.containers.run(IMAGE, ["sh", "-c", "echo kept > /v/note.txt"], remove=True, network_mode="none",
                         volumes={volume: {"bind": "/v"}}, labels={TEST_LABEL: RUN_ID})
    container = make_container(f"test-created-{RUN_ID}", host_config=fresh.api.create_host_config(
        binds=[f"{volume}:/config"], network_mode="none"))
    from checker.reading.view import EngineView
    with EngineView(readonly(), host_reads=False) as view:
        view.expect_volumes([volume])
        found = view.read_volume_file(volume, "note.txt")
    assert found.status == "file" and found.content == b"kept\n", found
    assert not fresh.api.diff(container), fresh.api.diff(container)
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
    """In process: every request leaves through the wire, and the non-GET ones all through the helper client."""
    from checker.grading.run import grade
    from checker.reading.view import EngineView

    solve(fresh, BY_ID["ex3"])              # a volume no container mounts: the engine route needs a helper
    through_helper_client = []
    helper_send = HelperClient._send

    def helper_spy(client, method, path, params=None, body=None):
        through_helper_client.append(method)
        return helper_send(client, method, path, params, body)
    monkeypatch.setattr(HelperClient, "_send", helper_spy)
    engine = readonly()
    try:
        with requests_on_the_wire() as sent:
            for exercise in COURSE:
                with EngineView(engine, host_reads=False) as view:
                    grade(exercise, view)
    finally:
        engine.close()
    non_get = [request for request in sent if request[0] != "GET"]
    assert non_get and sorted(m for m, *_ in non_get) == sorted(through_helper_client)
    assert_only_helper_writes(non_get)
    assert not [name for name in vars(ReadOnlyEngine) if name.lower() in ("post", "put", "delete", "patch", "head")]
    assert {name for name in vars(HelperClient) if not name.startswith("__")} == {"_send", "create", "archive", "remove"}
    assert leftover_helpers(fresh) == []


def test_the_helper_client_removes_only_containers_that_carry_its_label(fresh, labelled):
    from checker.engine.helper_client import HelperRefused

    _, make_container = labelled
    name = make_container(f"test-not-a-helper-{RUN_ID}")
    engine = readonly()
    try:
        engine.negotiate()
        client = HelperClient(engine.endpoint, engine.api_version, engine.timeout)
        with pytest.raises(HelperRefused):
            client.remove(fresh.api.inspect_container(name)["Id"], fresh.api.inspect_container(name)["Config"]["Labels"])
        with pytest.raises(HelperRefused):
            client.archive(fresh.api.inspect_container(name)["Id"], "/")
    finally:
        engine.close()
    assert fresh.api.inspect_container(name)["State"]["Status"] == "created"


@pytest.mark.parametrize("learner_makes_it_again", [True, False], ids=["made again with data", "removed"])
def test_a_volume_removed_while_the_helper_is_made_is_never_deleted(fresh, monkeypatch, learner_makes_it_again):
    """The learner removes lab-notes (and makes it again, with a file) in the instant between grading's look and
    its helper's create. Grading takes the helper back, leaves the volume and its data, and says so in one line."""
    solve(fresh, BY_ID["ex3"])
    create, raced = HelperClient.create, []

    def learner_races(client, image, volumes, declared=()):
        if not raced:
            raced.append(True)
            fresh.api.remove_volume("lab-notes", force=True)
            if learner_makes_it_again:
                time.sleep(1.1)                  # a new CreatedAt (the engine's has one-second resolution)
                fresh.api.create_volume("lab-notes")
                fresh.containers.run(IMAGE, ["sh", "-c", "echo mine > /v/kept.txt"], remove=True, network_mode="none",
                                     volumes={"lab-notes": {"bind": "/v", "mode": "rw"}})
        return create(client, image, volumes, declared)
    monkeypatch.setattr(HelperClient, "create", learner_races)
    deleted = []
    send = HelperClient._send

    def record(client, method, path, params=None, body=None):
        if method == "DELETE":
            deleted.append(path)
        return send(client, method, path, params, body)
    monkeypatch.setattr(HelperClient, "_send", record)

    report = grade_now(fresh, BY_ID["ex3"], host_reads=False)

    assert raced and not report.passed
    assert "grading never deletes a volume" in report.first_failure.message, report
    assert deleted and all(path.startswith("/containers/") for path in deleted), deleted
    assert fresh.api.inspect_volume("lab-notes")["Name"] == "lab-notes"       # still there
    if learner_makes_it_again:
        kept = fresh.containers.run(IMAGE, ["cat", "/v/kept.txt"], remove=True, network_mode="none",
                                    volumes={"lab-notes": {"bind": "/v", "mode": "ro"}})
        assert kept == b"mine\n"
    assert leftover_helpers(fresh) == []
    monkeypatch.undo()
    again = grade_now(fresh, BY_ID["ex3"], host_reads=False)          # the next run reads what is there now
    assert again.first_failure is None or "grading never deletes" not in again.first_failure.message, again


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


@pytest.mark.isolated          # only the clean engine
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
