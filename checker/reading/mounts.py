"""One list of a container's mounts, whichever flag created them.

`docker inspect` spreads mounts over three places: ``Mounts`` (volumes, binds,
and tmpfs made with --mount), ``HostConfig.Mounts`` (the --mount options, such
as tmpfs size and mode) and ``HostConfig.Tmpfs`` (the --tmpfs flag).
"""
from __future__ import annotations

from checker.record import record
from checker.reading.view import is_anonymous_volume_name

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


@record
class Mount:
    type: str                  # "volume", "bind", "tmpfs"
    destination: str
    source: str = ""           # host path of a bind mount
    name: str = ""             # volume name
    read_only: bool = False
    tmpfs_size: int | None = None    # bytes; None when unlimited
    tmpfs_mode: int | None = None    # permission bits; None when default (1777)

    @property
    def anonymous(self) -> bool:
        return self.type == "volume" and is_anonymous_volume_name(self.name)

    def describe(self) -> str:
        mode = "ro" if self.read_only else "rw"
        if self.type == "volume":
            what = f"anonymous volume {self.name[:12]}…" if self.anonymous else f"volume {self.name}"
        elif self.type == "bind":
            what = f"bind mount of host path {self.source}"
        else:
            extra = []
            if self.tmpfs_size is not None:
                extra.append(f"size {human_bytes(self.tmpfs_size)}")
            if self.tmpfs_mode is not None:
                extra.append(f"mode {self.tmpfs_mode:o}")
            what = "tmpfs" + (f" ({', '.join(extra)})" if extra else " (no size limit)")
        return f"{what} at {self.destination} ({mode})"


def human_bytes(n: int) -> str:
    for unit, size in (("g", 1024 ** 3), ("m", 1024 ** 2), ("k", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return f"{n}b"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    unit = text[-1] if text and text[-1] in _UNITS else ""
    return int(float(text[: len(text) - len(unit)]) * _UNITS[unit])


def _parse_tmpfs_options(options: str) -> tuple[int | None, int | None, bool]:
    size = mode = None
    read_only = False
    for option in filter(None, (o.strip() for o in options.split(","))):
        key, _, value = option.partition("=")
        if key == "size":
            size = parse_size(value)
        elif key == "mode":
            mode = int(value, 8)
        elif key == "ro":
            read_only = True
    return size, mode, read_only


def mounts_of(container: dict) -> list[Mount]:
    host_config = container.get("HostConfig") or {}
    requested = {m.get("Target"): m for m in host_config.get("Mounts") or ()}
    found: list[Mount] = []
    for m in container.get("Mounts") or ():
        kind, destination = m.get("Type", ""), m.get("Destination", "")
        size = mode = None
        if kind == "tmpfs":
            options = (requested.get(destination) or {}).get("TmpfsOptions") or {}
            size, mode = options.get("SizeBytes") or None, options.get("Mode") or None
        found.append(Mount(kind, destination, source=m.get("Source", "") if kind == "bind" else "",
                           name=m.get("Name", "") if kind == "volume" else "",
                           read_only=not m.get("RW", True), tmpfs_size=size, tmpfs_mode=mode))
    listed = {m.destination for m in found}
    for destination, options in (host_config.get("Tmpfs") or {}).items():
        if destination not in listed:
            size, mode, read_only = _parse_tmpfs_options(options or "")
            found.append(Mount("tmpfs", destination, read_only=read_only, tmpfs_size=size, tmpfs_mode=mode))
    return found


def mount_at(mounts: list[Mount], destination: str) -> Mount | None:
    """The mount at `destination` (a trailing slash makes no difference), if any."""
    return next((m for m in mounts if m.destination.rstrip("/") == destination.rstrip("/")), None)


def _bind_target(entry: str) -> str:
    """The container path of a ``HostConfig.Binds`` entry (``SOURCE:TARGET[:OPTIONS]``; a Windows drive letter's
    colon is part of the source)."""
    parts = entry.split(":")
    if len(parts) >= 3 and len(parts[0]) == 1:
        parts = [parts[0] + ":" + parts[1], *parts[2:]]
    return parts[1] if len(parts) > 1 else parts[0]


def requested_with(container: dict, destination: str) -> str:
    """Which option asked for the mount at `destination`, as the container records it.

    ``--mount`` lands in ``HostConfig.Mounts``, ``--tmpfs`` in ``HostConfig.Tmpfs``, ``-v NAME:PATH`` and
    ``-v /HOST:PATH`` in ``HostConfig.Binds``; a mount borrowed with ``--volumes-from`` is in none of them, while
    ``HostConfig.VolumesFrom`` names the container it came from. "" when none of these explains it (an image's
    VOLUME, or an anonymous ``-v PATH``, which look the same).
    """
    host_config = container.get("HostConfig") or {}
    wanted = destination.rstrip("/") or "/"
    if any((m.get("Target") or "").rstrip("/") == wanted for m in host_config.get("Mounts") or ()):
        return "--mount"
    if any(path.rstrip("/") == wanted for path in host_config.get("Tmpfs") or {}):
        return "--tmpfs"
    if any(_bind_target(entry).rstrip("/") == wanted for entry in host_config.get("Binds") or ()):
        return "-v"
    if host_config.get("VolumesFrom"):
        return "--volumes-from"
    return ""
