"""Look inside a volume that this host cannot read and no container of the learner's mounts, through a
helper container that is created, never started, and removed before labcheck answers.

Grading's one write path. Everything here that is not a GET goes through
checker/engine/helper_client.py, which can only create a labelled, never-started, network-less
helper with read-only mounts, read its archive, and delete containers that carry the helper
label. A helper is removed (never with its volumes) when the grading view closes, or sooner,
once ``grade --all`` has graded the exercises that own its volumes; a helper a killed run left
behind is removed by the next run's sweep.

Grading never deletes a volume. If a volume was removed while a helper was being made, the
create makes a new, empty volume of that name (or mounts the one the learner made again in that
instant): the helper is taken back, the volume is left as it is, and the read says so in one line.
"""
from __future__ import annotations

import atexit
import json
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable

from checker.engine.helper_client import HELPER_LABEL, HOST_LABEL, MOUNT_AT, PID_LABEL, HelperClient, HelperRefused
from checker.engine.readonly import ReadOnlyEngine

__all__ = ["HELPER_LABEL", "MOUNT_AT", "PREFERRED_IMAGE", "NoImage", "VolumeChanged", "VolumePeek", "HelperRefused",
           "volume_identity"]

PREFERRED_IMAGE = "busybox:1.36"
STALE_AFTER_S = 600                          # a helper from another machine is left alone this long

_live: set[tuple[HelperClient, str]] = set()
_live_lock = threading.Lock()
_swept: set[str] = set()
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # the write client beside each GET-only one


class NoImage(Exception):
    """The engine has no image at all to create a helper from."""


def volume_identity(attrs: dict | None) -> str:
    """What tells one volume from another of the same name: its creation time (to the second, as the engine keeps
    it), labels, driver and options. A volume the engine makes as a helper mounts a missing one has no labels."""
    attrs = attrs or {}
    return repr((attrs.get("CreatedAt", ""), sorted((attrs.get("Labels") or {}).items()), attrs.get("Driver", ""),
                 sorted((attrs.get("Options") or {}).items())))


class VolumeChanged(Exception):
    """A volume was removed (and perhaps made again) while a helper was being made to read it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
        self.line = (f"volume {name} was removed while labcheck looked at it, and a volume of that name is there now "
                     "(made again by you, or new and empty, made by the engine as labcheck's helper mounted it); "
                     "labcheck left it as it is, since grading never deletes a volume: run the check again")


def helper_client(engine: ReadOnlyEngine) -> HelperClient:
    """The write client for this engine, made on first need (after the API version is known)."""
    client = _clients.get(engine)
    if client is None:
        client = _clients[engine] = HelperClient(engine.endpoint, engine.api_version, engine.timeout)
    return client


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
    client = helper_client(engine)
    removed = 0
    for summary in stale_helpers(engine, listed):
        try:
            removed += client.remove(summary["Id"], summary.get("Labels"))
        except HelperRefused:
            pass
    return removed


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
        maps volume names to the identity seen (`volume_identity`), `volume` among them. Raises NoImage when the engine has
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
        """A helper mounting `volumes` (name -> identity seen); VolumeChanged when one is no longer the volume seen."""
        if self._image is None:
            self._image = helper_image(self.engine)
        reference, attrs = self._image
        declared = tuple((attrs.get("Config") or {}).get("Volumes") or {})
        targets = {name: f"{MOUNT_AT}/{index}" for index, name in enumerate(sorted(volumes))}
        client = helper_client(self.engine)
        helper = client.create(reference, targets, declared)
        with _live_lock:
            _live.add((client, helper))
        # A volume could have been removed between our look and the create: then the create mounted a new one
        # of that name (empty, or the learner's own made again in that instant). Take the helper back and leave
        # the volume alone: grading never deletes a volume.
        if len(volumes) > 1:                                   # one list, not an inspect a volume
            listed = {v.get("Name"): v for v in self.engine.volumes()}
            now_of = listed.get
        else:
            now_of = self.engine.inspect_volume
        changed = [name for name, seen in volumes.items() if volume_identity(now_of(name)) != seen]
        if changed:
            self._forget(helper)
            raise VolumeChanged(changed[0])
        return helper, targets

    @property
    def reader(self) -> HelperClient:
        """What reads a helper's archive: the helper client (GET /containers/{id}/archive on helpers it made)."""
        return helper_client(self.engine)

    def _forget(self, helper: str) -> None:
        client = helper_client(self.engine)
        client.remove(helper)
        with _live_lock:
            _live.discard((client, helper))

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
    for client, helper in list(_live):
        client.remove(helper)
