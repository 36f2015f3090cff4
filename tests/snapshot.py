"""A fingerprint of everything a learner could see on the engine, to prove grading changes nothing."""
from __future__ import annotations

import hashlib
import os
import stat

ISOLATED_PREFIX = "dvc-"
"""What the `isolated` tests make on the test engine is named dvc-… (a Compose project, a class), and the images
they build are docker-volumes-course/…. They run beside the other tests (tools/test_streams.sh), so a
snapshot, an event list or a clean-up of the test engine leaves those out: they are not the course's, not
the test's under way, and not the learner's."""
ISOLATED_IMAGES = "docker-volumes-course/"


RUNNING_WRITES = "written by a running container"
"""A volume's content in a snapshot when a running container may be writing to it by itself."""


def made_by_isolated_test(name: str) -> bool:
    """A container, volume, network or image tag that belongs to an isolated test running beside this one."""
    name = name.lstrip("/")
    return name.startswith(ISOLATED_PREFIX) or name.startswith(ISOLATED_IMAGES)


def event_of_isolated_test(event: dict) -> bool:
    """An engine event caused by an isolated test: on its resources by name, or an image read (`docker save`
    of the lab images into a private engine), which nothing in grading does."""
    actor = event.get("Actor") or {}
    name = (actor.get("Attributes") or {}).get("name") or actor.get("ID") or ""
    if event.get("Type") == "image" and event.get("Action") == "save":
        return True
    return made_by_isolated_test(name)


def tree_digest(root: str) -> str:
    """Hash of a folder: every entry's relative path, type, mode, size, mtime and file content."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            info = os.lstat(path)
            digest.update(os.fsencode(os.path.relpath(path, root)))
            digest.update(f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}:{info.st_uid}".encode())
            if stat.S_ISREG(info.st_mode) and info.st_size < 1 << 20:
                with open(path, "rb") as f:
                    digest.update(f.read())
            elif stat.S_ISLNK(info.st_mode):
                digest.update(os.fsencode(os.readlink(path)))
    return digest.hexdigest()


def engine_snapshot(client, names: set[str] | None = None) -> dict:
    """Volumes (labels, and content unless a running container writes to it by itself), containers, images, networks;
    with `names`, only the volumes and containers of those names (what one exercise's grading reads), so that what
    another test process does at the same time does not show."""
    api = client.api

    def wanted(name: str) -> bool:
        name = name.lstrip("/")
        return name in names if names is not None else not made_by_isolated_test(name)

    running = [c for c in api.containers(filters={"status": "running"}) if wanted(c["Names"][0])]
    live = {m.get("Name") for c in running for m in api.inspect_container(c["Id"]).get("Mounts") or () if m.get("RW")}
    volumes = {}
    for v in (api.volumes() or {}).get("Volumes") or ():
        if not wanted(v["Name"]):
            continue
        attrs = api.inspect_volume(v["Name"])
        content = (tree_digest(attrs["Mountpoint"]) if os.path.isdir(attrs["Mountpoint"]) and v["Name"] not in live
                   else RUNNING_WRITES)
        volumes[v["Name"]] = (attrs["Driver"], tuple(sorted((attrs.get("Labels") or {}).items())), content)
    containers = {}
    for c in api.containers(all=True):
        if not wanted(c["Names"][0]):
            continue
        attrs = api.inspect_container(c["Id"])
        state = attrs["State"]
        containers[c["Id"]] = (attrs["Name"], state["Status"], state["StartedAt"], state["FinishedAt"],
                               state.get("ExitCode"), tuple(sorted((m.get("Type"), m.get("Name", ""), m.get("Source"),
                                                                    m["Destination"], m["RW"])
                                                                   for m in attrs.get("Mounts") or ())),
                               changes_of(api, c["Id"], state, settled=names is None))
    if names is not None:
        return {"volumes": volumes, "containers": containers}
    images = {i["Id"]: tuple(sorted(i.get("RepoTags") or ())) for i in api.images()
              if not any(made_by_isolated_test(tag) for tag in i.get("RepoTags") or ())}
    networks = {n["Id"]: n["Name"] for n in api.networks() if not made_by_isolated_test(n["Name"])}
    return {"volumes": volumes, "containers": containers, "images": images, "networks": networks}


def changes_of(api, container_id: str, state: dict, settled: bool) -> tuple:
    """A container's changes to its own filesystem (`docker diff`). A running one changes them by itself (a
    database starting); without the settling of `settled_snapshot` those are left out."""
    if state["Status"] == "running" and not settled:
        return ("running: writes by itself",)
    return tuple(sorted((ch["Path"], ch["Kind"]) for ch in api.diff(container_id) or ()))


def settled_snapshot(client, tries: int = 20) -> dict:
    """A snapshot taken once the engine has stopped changing by itself (a container that just exited can
    still be finishing its state change when `docker run` returns)."""
    import time

    previous = engine_snapshot(client)
    for _ in range(tries):
        time.sleep(0.2)
        current = engine_snapshot(client)
        if current == previous:
            return current
        previous = current
    return previous
