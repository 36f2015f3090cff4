"""The storage map as a terminal tree: containers, then each mount, then the volumes nobody mounts.

One mount per line, in a form a script can split on " · ":
``/data ← volume lab-notes · read-write · named · 12 B``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import io

from checker.reading.mounts import Mount, human_bytes

if TYPE_CHECKING:   # annotations only: the records import the renderers, not the other way
    from checker.storage_map.model import StorageMap, VolumeInfo

STYLES = {"volume": "cyan", "compose": "magenta", "anonymous": "blue", "bind": "yellow", "tmpfs": "green"}


def readable_size(size: int | None) -> str:
    """1536 -> '1.5 kB'; None -> 'size unknown'."""
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def volume_details(volume: VolumeInfo) -> str:
    if volume.kind == "compose":
        what = f"Compose project {volume.project}" + (f", key {volume.key}" if volume.key else "")
    else:
        what = volume.kind
    driver = "" if volume.driver == "local" else f" · driver {volume.driver}"
    return f"{what}{driver} · {readable_size(volume.size)}"


def mount_line(mount: Mount, picture: StorageMap) -> str:
    """Rich markup for one mount."""
    mode = "[bold]read-only[/bold]" if mount.read_only else "read-write"
    if mount.type == "volume":
        volume = picture.volume(mount.name)
        style = STYLES["volume" if volume.kind == "named" else volume.kind]
        return f"{mount.destination} ← [{style}]volume {volume.short_name}[/{style}] · {mode} · {volume_details(volume)}"
    if mount.type == "bind":
        return f"{mount.destination} ← [{STYLES['bind']}]host folder {mount.source}[/{STYLES['bind']}] · {mode}"
    if mount.type == "tmpfs":
        limit = f"limit {human_bytes(mount.tmpfs_size)}" if mount.tmpfs_size else "no size limit"
        mode_bits = f" · mode {mount.tmpfs_mode:o}" if mount.tmpfs_mode is not None else ""
        return f"{mount.destination} ← [{STYLES['tmpfs']}]tmpfs[/{STYLES['tmpfs']}] · {mode} · in memory, {limit}{mode_bits}"
    return f"{mount.destination} ← {mount.type} · {mode}"


def render_tree(picture: StorageMap, color: bool = False, width: int = 100) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    scope = "everything on this engine" if picture.everything else "the course's resources (--all shows everything)"
    root = Tree(f"[bold]Storage map[/bold]: {scope}")
    for container in picture.containers:
        project = f" · Compose project {escape(container.project)}" if container.project else ""
        branch = root.add(f"[bold]{escape(container.name)}[/bold] [dim]{escape(container.status)} · "
                          f"{escape(container.image)}{project}[/dim]")
        if not container.mounts:
            branch.add("[dim]no mounts: what it writes stays in its own writable layer[/dim]")
        for mount in container.mounts:
            branch.add(mount_line(_escaped(mount, escape), picture))
    unused = picture.unused_volumes
    if unused:
        spare = root.add("[bold]Volumes no container uses[/bold]")
        for volume in unused:
            style = STYLES["volume" if volume.kind == "named" else volume.kind]
            spare.add(f"[{style}]volume {escape(volume.short_name)}[/{style}] · {escape(volume_details(volume))}")
    if not picture.containers and not unused:
        root.add("[dim]nothing here: no containers or volumes"
                 + ("" if picture.everything else " of the course; `labcheck map --all` shows everything") + "[/dim]")
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False,
                      force_jupyter=False, emoji=False)
    console.print(root)
    volumes = len(picture.volumes)
    known = [v.size for v in picture.volumes if v.size is not None]
    total = f", {readable_size(sum(known))} in all" if known else ""
    console.print(f"{len(picture.containers)} container(s), {volumes} volume(s){total}; {len(unused)} unused.")
    if not picture.sizes_measured and picture.volumes:
        console.print("Volume sizes are unknown: the engine did not measure them in time (`docker system df -v` "
                      "measures them, slowly).")
    return buffer.getvalue().rstrip("\n")


def _escaped(mount: Mount, escape) -> Mount:
    """The same mount with rich markup in its names neutralised (a path may hold '[')."""
    return mount._replace(destination=escape(mount.destination), source=escape(mount.source))
