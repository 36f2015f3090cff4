"""The storage map's records: containers, their mounts, volumes; drawn by tree.py and svg.py.

The renderers take these records and never import this module at run time, so there is no import circle.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.reading.mounts import Mount
from checker.reading.view import is_anonymous_volume_name


@dataclass(frozen=True)
class VolumeInfo:
    name: str
    driver: str = "local"
    project: str = ""
    """The Compose project that made it (label com.docker.compose.project), if any."""
    key: str = ""
    """Its key under `volumes:` in the project's compose file."""
    size: int | None = None
    """Bytes used, from the engine's disk-usage report; None when unknown."""

    @property
    def kind(self) -> str:
        """"anonymous", "compose" or "named"."""
        if is_anonymous_volume_name(self.name):
            return "anonymous"
        return "compose" if self.project else "named"

    @property
    def short_name(self) -> str:
        return f"{self.name[:12]}…" if self.kind == "anonymous" else self.name

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "driver": self.driver, "project": self.project or None,
                "key": self.key or None, "size": self.size}


@dataclass(frozen=True)
class ContainerInfo:
    name: str
    status: str
    image: str
    mounts: tuple[Mount, ...]
    project: str = ""
    service: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "image": self.image, "project": self.project or None,
                "service": self.service or None,
                "mounts": [{"type": m.type, "destination": m.destination,
                            "source": m.name if m.type == "volume" else (m.source or None),
                            "read_only": m.read_only, "tmpfs_size": m.tmpfs_size} for m in self.mounts]}


@dataclass(frozen=True, repr=False)
class StorageMap:
    containers: tuple[ContainerInfo, ...]
    volumes: tuple[VolumeInfo, ...]
    everything: bool
    """True for `--all`; False when only the course's resources are shown."""
    sizes_measured: bool = True
    """False when the engine's disk-usage report did not come in time (or was not asked for)."""

    def volume(self, name: str) -> VolumeInfo:
        return next((v for v in self.volumes if v.name == name), VolumeInfo(name))

    @property
    def unused_volumes(self) -> tuple[VolumeInfo, ...]:
        used = {m.name for c in self.containers for m in c.mounts if m.type == "volume"}
        return tuple(v for v in self.volumes if v.name not in used)

    def to_json(self) -> dict:
        return {"scope": "all" if self.everything else "course", "sizes_measured": self.sizes_measured,
                "containers": [c.to_json() for c in self.containers],
                "volumes": [v.to_json() for v in self.volumes],
                "unused_volumes": [v.name for v in self.unused_volumes]}

    def render(self, color: bool = False, width: int = 100) -> str:
        from checker.storage_map.tree import render_tree
        return render_tree(self, color=color, width=width)

    def __str__(self) -> str:
        return self.render()

    __repr__ = __str__

    def _repr_svg_(self) -> str:
        from checker.storage_map.svg import draw_svg
        return draw_svg(self)
