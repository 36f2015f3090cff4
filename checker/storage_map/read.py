"""A picture of the storage: which containers mount which volumes, host folders and tmpfs, and how big the volumes are.

Read only through the GET-only client, so drawing the map cannot change the
engine. By default the map shows the course's resources:

- containers and volumes the exercises own, or named ``lab-…`` (labs) or ``demo-…`` (lessons);
- containers and volumes of a Compose project named ``lab-…`` or ``demo-…``;
- every volume such a container mounts (anonymous ones included), and every
  container that mounts such a volume (say, a ``peek`` container on ``lab-notes``).

``everything=True`` (``labcheck map --all``) shows every container and volume on the engine,
except labcheck's own short-lived helper containers.
"""
from __future__ import annotations

import threading

from checker.reading.mounts import mounts_of
from checker.storage_map.model import ContainerInfo, StorageMap, VolumeInfo
from checker.engine.helper_client import HELPER_LABEL
from checker.engine.readonly import ReadOnlyEngine
from checker.reading.view import is_anonymous_volume_name

COURSE_PREFIXES = ("lab-", "demo-")
PROJECT_LABEL = "com.docker.compose.project"
PROJECT_VOLUME_LABEL = "com.docker.compose.volume"
PROJECT_SERVICE_LABEL = "com.docker.compose.service"
SIZE_DEADLINE_S = 3.0


def is_course_name(name: str) -> bool:
    return name.startswith(COURSE_PREFIXES)


def _course_names() -> tuple[set[str], set[str]]:
    from checker.exercises import COURSE
    return ({c for e in COURSE for c in e.owns.containers}, {v for e in COURSE for v in e.owns.volumes})


def _summary_name(summary: dict) -> str:
    return (summary.get("Names") or ["/?"])[0].lstrip("/")


def volumes_with_sizes_in_time(engine: ReadOnlyEngine, seconds: float) -> list | None:
    """The engine's disk-usage report for volumes, or None if it takes longer than `seconds`.

    The engine walks every volume's files to measure it: quick for the course's volumes (milliseconds), but a
    host with huge volumes, or another disk-usage run under way, can make it slow. The map then shows without sizes.
    """
    found: list = []

    def measure() -> None:
        try:
            found.append(engine.volumes_with_sizes())
        except Exception:       # noqa: BLE001  (slow or gone: the map goes on without sizes)
            found.append(None)

    worker = threading.Thread(target=measure, daemon=True)
    worker.start()          # its own connection (one per thread); engine.close() ends it if it is still waiting
    worker.join(seconds)
    return found[0] if found else None


def read_storage_map(engine: ReadOnlyEngine, everything: bool = False, sizes: bool = True) -> StorageMap:
    """Look at the engine (GET requests only) and build the map."""
    listed = volumes_with_sizes_in_time(engine, SIZE_DEADLINE_S) if sizes else None
    measured = listed is not None
    if listed is None:
        listed = engine.volumes()
    volumes = {}
    for v in listed:
        labels = v.get("Labels") or {}
        size = (v.get("UsageData") or {}).get("Size") if measured else None
        volumes[v["Name"]] = VolumeInfo(v["Name"], v.get("Driver", "local"), labels.get(PROJECT_LABEL, ""),
                                        labels.get(PROJECT_VOLUME_LABEL, ""),
                                        size if isinstance(size, int) and size >= 0 else None)
    summaries = [s for s in engine.containers({}) if HELPER_LABEL not in (s.get("Labels") or {})]
    if not everything:
        owned_containers, owned_volumes = _course_names()
        chosen_volumes = {name for name, v in volumes.items()
                          if name in owned_volumes or is_course_name(name) or is_course_name(v.project)}

        def course_container(summary: dict) -> bool:
            name = _summary_name(summary)
            project = (summary.get("Labels") or {}).get(PROJECT_LABEL, "")
            uses_course_volume = any(m.get("Type") == "volume" and m.get("Name") in chosen_volumes
                                     for m in summary.get("Mounts") or ())
            return name in owned_containers or is_course_name(name) or is_course_name(project) or uses_course_volume

        summaries = [s for s in summaries if course_container(s)]
    containers = []
    for summary in sorted(summaries, key=_summary_name):
        attrs = engine.inspect_container(summary["Id"])
        if attrs is None:       # removed while we looked
            continue
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        containers.append(ContainerInfo(attrs.get("Name", "").lstrip("/"), (attrs.get("State") or {}).get("Status", "?"),
                                        (attrs.get("Config") or {}).get("Image", ""), tuple(mounts_of(attrs)),
                                        labels.get(PROJECT_LABEL, ""), labels.get(PROJECT_SERVICE_LABEL, "")))
    if not everything:
        mounted = {m.name for c in containers for m in c.mounts if m.type == "volume"}
        volumes = {name: v for name, v in volumes.items() if name in chosen_volumes or name in mounted}
    for name in {m.name for c in containers for m in c.mounts if m.type == "volume"} - set(volumes):
        volumes[name] = VolumeInfo(name)        # created between the two looks
    return StorageMap(tuple(containers), tuple(sorted(volumes.values(), key=lambda v: (v.kind == "anonymous", v.name))),
                      everything, measured)
