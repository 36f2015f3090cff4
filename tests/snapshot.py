"""A fingerprint of everything a learner could see on the engine, to prove grading changes nothing."""
from __future__ import annotations

import hashlib
import os
import stat


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


def engine_snapshot(client) -> dict:
    """Volumes (labels, and content unless a running container writes to it by itself), containers, images, networks."""
    api = client.api
    live = {m.get("Name") for c in api.containers(filters={"status": "running"})
            for m in api.inspect_container(c["Id"]).get("Mounts") or () if m.get("RW")}
    volumes = {}
    for v in (api.volumes() or {}).get("Volumes") or ():
        attrs = api.inspect_volume(v["Name"])
        content = (tree_digest(attrs["Mountpoint"]) if os.path.isdir(attrs["Mountpoint"]) and v["Name"] not in live
                   else "written by a running container")
        volumes[v["Name"]] = (attrs["Driver"], tuple(sorted((attrs.get("Labels") or {}).items())), content)
    containers = {}
    for c in api.containers(all=True):
        attrs = api.inspect_container(c["Id"])
        state = attrs["State"]
        containers[c["Id"]] = (attrs["Name"], state["Status"], state["StartedAt"], state["FinishedAt"],
                               state.get("ExitCode"), tuple(sorted((m.get("Type"), m.get("Name", ""), m.get("Source"),
                                                                    m["Destination"], m["RW"])
                                                                   for m in attrs.get("Mounts") or ())),
                               tuple(sorted((ch["Path"], ch["Kind"]) for ch in api.diff(c["Id"]) or ())))
    images = {i["Id"]: tuple(sorted(i.get("RepoTags") or ())) for i in api.images(all=True)}
    networks = {n["Id"]: n["Name"] for n in api.networks()}
    return {"volumes": volumes, "containers": containers, "images": images, "networks": networks}


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
