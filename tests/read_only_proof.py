"""The read-only proof, made on every grade the four-way tests make (tests/test_exercises.py).

Those tests reach every exercise fresh, solved and in each common mistake, on the real engine; so the proof
that grading changes nothing rides along on their grades instead of grading the whole course again:

- every request grading sends leaves through the wire (checker/engine/wire.py) and is recorded there; all are
  GET but a helper's create and its delete (`assert_only_helper_writes`), and every helper made is removed;
- what the exercise and those it builds on own (containers, volumes with their content, workspace paths) is the
  same after grading as before;
- as root, both read routes (host folders, and through the engine) are used and must reach the same verdict.

Scoped to the exercise's own names, because another test process grades other exercises on the same engine.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from checker.engine import wire
from checker.engine.helper_client import HELPER_LABEL, PID_LABEL
from checker.paths import workspace_folder
from checker.reading.view import host_reads_allowed

from .snapshot import RUNNING_WRITES, engine_snapshot, tree_digest


@contextlib.contextmanager
def requests_on_the_wire():
    """Every request this process sends to an engine while inside: (method, target, JSON body or None)."""
    sent: list[tuple[str, str, dict | None]] = []
    on_the_wire = wire.Connection.request

    def recorded(connection, method, target, body=None, headers=None):
        sent.append((method, target, json.loads(body) if body else None))
        return on_the_wire(connection, method, target, body, headers)

    wire.Connection.request = recorded
    try:
        yield sent
    finally:
        wire.Connection.request = on_the_wire


def assert_only_helper_writes(sent: list[tuple[str, str, dict | None]]) -> None:
    """Every non-GET is a helper's create (labelled, never started, no network, read-only nocopy mounts) or
    the delete of a container (never its volumes); as many deletes as creates; no other method, no volume."""
    creates = [(target, body) for method, target, body in sent if method == "POST"]
    deletes = [target for method, target, _ in sent if method == "DELETE"]
    assert {method for method, *_ in sent} <= {"GET", "POST", "DELETE"}, sent
    assert len(deletes) >= len(creates), sent
    for target, body in creates:
        assert target.split("?")[0].split("/", 2)[-1] == "containers/create", target
        assert HELPER_LABEL in body["Labels"] and body["Cmd"] == ["/labcheck-helper-never-starts"], body
        assert body["NetworkDisabled"] and body["HostConfig"]["NetworkMode"] == "none", body
        volume_mounts = [m for m in body["HostConfig"]["Mounts"] if m["Type"] == "volume"]
        assert volume_mounts and all(m["ReadOnly"] and m["VolumeOptions"]["NoCopy"] for m in volume_mounts), body
        assert {m["Type"] for m in body["HostConfig"]["Mounts"]} <= {"volume", "tmpfs"}, body
    for target in deletes:
        path, _, params = target.partition("?")
        assert path.split("/")[-2] == "containers" and "v=0" in params.split("&"), target


def owned_state(client, exercises) -> dict:
    """What grading these exercises may read: their containers and volumes, and their workspace paths."""
    names = {n for e in exercises for n in (*e.owns.containers, *e.owns.volumes)}
    state = engine_snapshot(client, names)
    workspace = workspace_folder()
    for path in (p for e in exercises for p in e.owns.host_paths):
        full = Path(workspace, path)
        state[f"path {path}"] = (tree_digest(str(full)) if full.is_dir() else
                                 full.read_bytes() if full.is_file() else os.path.lexists(full))
    return state


def comparable(before: dict, after: dict) -> tuple[dict, dict]:
    """The two states less what a running container changes by itself while grading reads (a `docker run -d`
    that ends during the grade): a volume's content and a container's state, times and changes, wherever the
    container ran in either state. The wire record above is what shows that grading started or stopped nothing."""
    before, after = {k: dict(v) if isinstance(v, dict) else v for k, v in before.items()}, \
        {k: dict(v) if isinstance(v, dict) else v for k, v in after.items()}
    for name in before["volumes"].keys() & after["volumes"].keys():
        if RUNNING_WRITES in (before["volumes"][name][2], after["volumes"][name][2]):
            for state in (before, after):
                state["volumes"][name] = state["volumes"][name][:2]
    for cid in before["containers"].keys() & after["containers"].keys():
        was, now = before["containers"][cid], after["containers"][cid]
        if "running" in (was[1], now[1]):
            before["containers"][cid], after["containers"][cid] = (was[0], was[5]), (now[0], now[5])
    return before, after


def changes(before: dict, after: dict) -> dict:
    """What differs between two owned states, by what it is."""
    found = {}
    for key in before.keys() | after.keys():
        was, now = before.get(key), after.get(key)
        if isinstance(was, dict) and isinstance(now, dict):
            found.update({f"{key} {k}": (was.get(k), now.get(k)) for k in was.keys() | now.keys() if was.get(k) != now.get(k)})
        elif was != now:
            found[key] = (was, now)
    return found


def my_helpers(client) -> list[dict]:
    """Helpers this process made (their pid label) that are still there."""
    return client.api.containers(all=True, filters={"label": f"{PID_LABEL}={os.getpid()}"})


def routes() -> tuple[bool | None, ...]:
    """As root, both read routes (host folders, then through the engine); otherwise what labcheck chooses
    for this user (None), which is the engine route for a learner who cannot open the engine's folders."""
    return (True, False) if os.geteuid() == 0 and host_reads_allowed() else (None,)


def verdict(report) -> tuple:
    return report.passed, tuple((c.passed, c.message) for c in report.checks)


ROUTE_TRIES = 6
"""Grades on both routes until they agree: a container that is still writing, starting or exiting by itself (a
mistake's `run -d`, an app that fails on a missing database) may change the state between the two grades."""


def grade_proving_read_only(client, exercise, lineage, grade_now):
    """Grade `exercise` on each read route while recording the wire; prove the grade read only; return the
    last route's report (the engine route, which every learner who is not root has)."""
    before = owned_state(client, lineage)
    for attempt in range(ROUTE_TRIES):
        reports = {}
        with requests_on_the_wire() as sent:
            for host_reads in routes():
                reports[host_reads] = grade_now(client, exercise, host_reads=host_reads)
        assert_only_helper_writes(sent)
        assert my_helpers(client) == [], "a helper outlived the grade"
        if len(reports) < 2 or verdict(reports[True]) == verdict(reports[False]):
            break
        time.sleep(0.5)
    before, after = comparable(before, owned_state(client, lineage))
    assert after == before, f"grading {exercise.id} changed what it read: {changes(before, after)}"
    if len(reports) == 2:
        assert verdict(reports[True]) == verdict(reports[False]), \
            f"{exercise.id}: the host route says\n{reports[True]}\nand the engine route\n{reports[False]}"
    return reports[routes()[-1]]
