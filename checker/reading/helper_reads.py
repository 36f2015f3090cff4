"""Look inside a volume that this host cannot read and no container mounts, through a helper
container that is created, never started, and removed before labcheck answers.

This is the one place grading may create anything. The helper:

- is created from an image already present (``busybox:1.36`` first, any local image otherwise),
  never pulled, never started;
- mounts only the volumes the run reads, read-only, ``nocopy``, at a path no image has, so creating
  it cannot copy image content into the volume; every VOLUME its image declares is covered by a
  tmpfs, so no anonymous volume appears;
- has no network and carries ``HELPER_LABEL`` plus the pid and host of the labcheck run that made
  it, so the next run can remove a helper a killed run left behind;
- is removed (``DELETE /containers/{id}``, never with its volumes) when the grading view closes, or
  sooner, once ``grade --all`` has graded the exercises that own its volumes.

The client here sends exactly two kinds of request besides GET: a create with the body built
below and a delete of a container that carries the label (and, only if the volume vanished
between our look and the create so that the create made a new empty one, a delete of that
new volume). Everything else goes through the GET-only ``ReadOnlyEngine``.
"""
from __future__ import annotations

import atexit
import json
import os
import socket
import threading
import time
from collections.abc import Callable

from checker.engine.readonly import ENGINE_ERRORS, ReadOnlyEngine
from checker.engine.wire import quote

HELPER_LABEL = "org.docker-volumes-course.labcheck-helper"
PID_LABEL = HELPER_LABEL + ".pid"
HOST_LABEL = HELPER_LABEL + ".host"
MOUNT_AT = "/labcheck-volume-9f3c"          # not in any image: nothing to copy into the volume
PREFERRED_IMAGE = "busybox:1.36"
STALE_AFTER_S = 600                          # a helper from another machine is left alone this long

_live: set[tuple[ReadOnlyEngine, str]] = set()
_live_lock = threading.Lock()
_swept: set[str] = set()


class NoImage(Exception):
    """The engine has no image at all to create a helper from."""


def _request(engine: ReadOnlyEngine, method: str, path: str, params: dict | None = None,
             body: dict | None = None) -> tuple[int, object]:
    """One POST or DELETE on its own connection (the only two verbs this module uses)."""
    assert method in ("POST", "DELETE")
    connection = engine._new_connection()
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        response = connection.request(method, engine._path(path, params, True), body=payload, headers=headers)
        raw = response.read()
    except ENGINE_ERRORS:
        return 0, None
    finally:
        connection.close()
    try:
        return response.status, (json.loads(raw) if raw else None)
    except ValueError:
        return response.status, None


def _remove(engine: ReadOnlyEngine, container_id: str) -> bool:
    status, _ = _request(engine, "DELETE", f"/containers/{quote(container_id)}", {"force": "1", "v": "0"})
    return status in (204, 404)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_helpers(engine: ReadOnlyEngine, listed: Callable[[], list[dict]] | None = None) -> list[dict]:
    """Helpers whose labcheck run is gone: its pid is dead on this host, or it is old and from elsewhere.

    `listed()`, when given, returns every container's summary if the caller has that list anyway, else None."""
    everything = listed() if listed is not None else None
    if everything is not None:
        found = [c for c in everything if HELPER_LABEL in (c.get("Labels") or {})]
    else:
        status, found = engine.get_json("/containers/json", {"all": "1",
                                                             "filters": json.dumps({"label": [HELPER_LABEL]})})
        if status != 200 or not isinstance(found, list):
            return []
    here, stale = socket.gethostname(), []
    for summary in found:
        labels = summary.get("Labels") or {}
        try:
            pid = int(labels.get(PID_LABEL, "0"))
        except ValueError:
            pid = 0
        if pid == os.getpid() and labels.get(HOST_LABEL) == here:
            continue
        mine_dead = labels.get(HOST_LABEL) == here and (pid <= 0 or not _pid_alive(pid))
        if mine_dead or time.time() - summary.get("Created", time.time()) > STALE_AFTER_S:
            stale.append(summary)
    return stale


def sweep_stale_helpers(engine: ReadOnlyEngine, listed: Callable[[], list[dict]] | None = None) -> int:
    """Remove helpers that killed runs left behind; once per engine endpoint per process."""
    key = engine.endpoint.host
    if key in _swept:
        return 0
    _swept.add(key)
    return sum(_remove(engine, summary["Id"]) for summary in stale_helpers(engine, listed))


def helper_image(engine: ReadOnlyEngine) -> tuple[str, dict]:
    """(reference, its inspect) of a local image to create a helper from; busybox:1.36 when present."""
    found = engine.inspect_image(PREFERRED_IMAGE)
    if found:
        return PREFERRED_IMAGE, found
    status, images = engine.get_json("/images/json")
    for summary in images if status == 200 and isinstance(images, list) else ():
        attrs = engine.inspect_image(summary["Id"])
        if attrs:
            return summary["Id"], attrs
    raise NoImage


class VolumePeek:
    """Helper containers for one grading run, all removed by `close()`.

    The first read that needs a helper creates one that mounts every volume in the batch it is
    given (the volume asked about, plus others the run is expected to read), so grading many
    exercises costs one create and one delete, not one per volume.
    """

    def __init__(self, engine: ReadOnlyEngine, listed: Callable[[], list[dict]] | None = None) -> None:
        self.engine = engine
        self._listed = listed               # every container's summary, when the caller lists them anyway
        self._where: dict[str, tuple[str, str]] = {}    # volume name -> (helper id, mount path)
        self._helpers: list[str] = []
        self._lock = threading.Lock()
        self._image: tuple[str, dict] | None = None

    def container_for(self, volume: str, batch: Callable[[], dict[str, str]]) -> tuple[str, str]:
        """(helper id, where `volume` is mounted in it). `batch()`, called only when a helper must be made,
        maps volume names to the CreatedAt seen, `volume` among them. Raises NoImage when the engine has
        no image at all."""
        with self._lock:
            if volume not in self._where:
                sweep_stale_helpers(self.engine, self._listed)
                wanted = {name: created for name, created in batch().items() if name not in self._where}
                helper, targets = self._create(wanted)
                self._helpers.append(helper)
                self._where.update({name: (helper, target) for name, target in targets.items()})
            return self._where[volume]

    def _create(self, volumes: dict[str, str]) -> tuple[str, dict[str, str]]:
        if self._image is None:
            self._image = helper_image(self.engine)
        reference, attrs = self._image
        declared = ((attrs.get("Config") or {}).get("Volumes") or {})
        targets = {name: f"{MOUNT_AT}/{index}" for index, name in enumerate(sorted(volumes))}
        mounts = [{"Type": "volume", "Source": name, "Target": target, "ReadOnly": True,
                   "VolumeOptions": {"NoCopy": True}} for name, target in targets.items()]
        mounts += [{"Type": "tmpfs", "Target": path} for path in declared if not path.startswith(MOUNT_AT)]
        body = {
            "Image": reference,
            "Cmd": ["/labcheck-helper-never-starts"], "Entrypoint": [""],
            "Labels": {HELPER_LABEL: "1", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname()},
            "NetworkDisabled": True,
            "HostConfig": {"Mounts": mounts, "NetworkMode": "none", "AutoRemove": False},
        }
        status, answer = _request(self.engine, "POST", "/containers/create", body=body)
        if status != 201 or not isinstance(answer, dict):
            message = (answer or {}).get("message", status) if isinstance(answer, dict) else status
            raise OSError(f"the engine would not create a helper to read {', '.join(sorted(volumes))}: {message}")
        helper = answer["Id"]
        with _live_lock:
            _live.add((self.engine, helper))
        # A volume could have been removed between our inspect and the create, in which case the create
        # made a new, empty one of that name: take the helper back and remove such volumes too.
        vanished = []
        if len(volumes) > 1:                                   # one list, not an inspect a volume
            listed = {v.get("Name"): v for v in self.engine.volumes()}
            now_of = listed.get
        else:
            now_of = self.engine.inspect_volume
        for name, created_at in volumes.items():
            now = now_of(name)
            if now is None or now.get("CreatedAt") != created_at:
                vanished.append((name, now))
        if vanished:
            self._forget(helper)
            for name, now in vanished:
                if now is not None:
                    _request(self.engine, "DELETE", f"/volumes/{quote(name)}")
            raise FileNotFoundError(vanished[0][0])
        return helper, targets

    def _forget(self, helper: str) -> None:
        _remove(self.engine, helper)
        with _live_lock:
            _live.discard((self.engine, helper))

    def close(self) -> None:
        """Remove every helper this run created (before any verdict is shown). A read after this makes a
        new one: `grade --all` closes early, once the exercises that needed a helper are graded."""
        with self._lock:
            helpers, self._helpers, self._where = self._helpers, [], {}
        for helper in helpers:
            self._forget(helper)


@atexit.register
def _remove_leftovers() -> None:
    """A safety net for a view nobody closed; a killed run's helpers go at the next run's sweep."""
    for engine, helper in list(_live):
        _remove(engine, helper)
