"""Which UID on this host a container's UID is: what ownership checks compare host files against.

On a rootful engine the numbers are the same. Rootless Docker runs the engine in a user namespace
that RootlessKit maps with newuidmap: container UID 0 is the user who runs the engine, and container
UIDs 1 to N are that user's subordinate UIDs from /etc/subuid, in order (UID u is START + u - 1).
The user who runs a local rootless engine owns its socket.
"""
from __future__ import annotations

import os
import pwd

from checker.engine.readonly import ReadOnlyEngine
from checker.record import record


@record
class HostUid:
    uid: int | None        # None: the engine cannot map that UID (no subordinate range, or out of it)
    why: str               # how the container UID became this one, for a sentence; "" when the same


def engine_user(engine: ReadOnlyEngine) -> int:
    host = engine.endpoint.host
    try:
        return os.stat(host.removeprefix("unix://")).st_uid if host.startswith("unix://") else os.getuid()
    except OSError:
        return os.getuid()


def subordinate_start(uid: int, path: str = "/etc/subuid") -> tuple[int, int] | None:
    """(start, count) of the first range /etc/subuid gives that user, by name or by number."""
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = None
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                owner, _, rest = line.strip().partition(":")
                start, _, count = rest.partition(":")
                if owner in (name, str(uid)) and start.isdigit() and count.isdigit():
                    return int(start), int(count)
    except OSError:
        pass
    return None


def host_uid(engine: ReadOnlyEngine, container_uid: int) -> HostUid:
    if "rootless" not in " ".join(engine.info().get("SecurityOptions") or ()):
        return HostUid(container_uid, "")
    user = engine_user(engine)
    if container_uid == 0:
        return HostUid(user, f"rootless Docker runs container root as UID {user}, the engine's user")
    found = subordinate_start(user)
    if found is None or container_uid > found[1]:
        return HostUid(None, f"rootless Docker maps container UID {container_uid} to none of UID {user}'s "
                             "subordinate UIDs in /etc/subuid")
    uid = found[0] + container_uid - 1
    return HostUid(uid, f"rootless Docker maps container UID {container_uid} to UID {uid} on this host "
                        "(a subordinate UID from /etc/subuid)")
