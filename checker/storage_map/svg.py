"""The storage map as an SVG figure for notebooks: containers on the left, what they mount on the right.

Each mount is one line from a container to a volume, host folder or tmpfs,
labelled with the path inside the container; read-only mounts are dashed.
Built with ElementTree, which escapes every name and path. Each line carries
data-* attributes (container, destination, type, source, mode) so tests and
tools can read the figure back.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import xml.etree.ElementTree as ET

from checker.reading.mounts import Mount, human_bytes
from checker.storage_map.tree import readable_size

if TYPE_CHECKING:   # annotations only: the records import the renderers, not the other way
    from checker.storage_map.model import StorageMap, VolumeInfo

SVG_NS = "http://www.w3.org/2000/svg"
LEFT_X, LEFT_W = 12, 250
RIGHT_W, GAP = 290, 300
RIGHT_X = LEFT_X + LEFT_W + GAP
WIDTH = RIGHT_X + RIGHT_W + 12
TOP, ROW, BOX_GAP = 50, 24, 14
FILLS = {"named": "#ddf4ff", "compose": "#fbefff", "anonymous": "#eaeef2", "bind": "#fff8c5", "tmpfs": "#dafbe1",
         "container": "#ffffff"}
STROKES = {"named": "#0969da", "compose": "#8250df", "anonymous": "#57606a", "bind": "#9a6700", "tmpfs": "#1a7f37",
           "container": "#24292f"}
LEGEND = (("named", "named volume"), ("compose", "Compose project's volume"), ("anonymous", "anonymous volume"),
          ("bind", "host folder (bind mount)"), ("tmpfs", "tmpfs (memory)"))


def shorten(text: str, limit: int) -> str:
    """Keep both ends of a long name or path: the end of a path says the most."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + "…" + text[len(text) - (limit - head - 1):]


class _Target:
    """A box on the right: one volume, one host folder, or one container's tmpfs."""

    def __init__(self, key: tuple, kind: str, title: str, detail: str, full: str) -> None:
        self.key, self.kind, self.title, self.detail, self.full = key, kind, title, detail, full
        self.y = 0.0


def _volume_target(volume: VolumeInfo) -> _Target:
    if volume.kind == "compose":
        detail = f"Compose {volume.project}" + (f" ({volume.key})" if volume.key else "")
    else:
        detail = f"{volume.kind} volume"
    return _Target(("volume", volume.name), volume.kind, volume.short_name,
                   f"{detail} · {readable_size(volume.size)}", volume.name)


def _target_of(container: str, mount: Mount, picture: StorageMap) -> _Target:
    if mount.type == "volume":
        return _volume_target(picture.volume(mount.name))
    if mount.type == "bind":
        return _Target(("bind", mount.source), "bind", mount.source, "host folder", mount.source)
    limit = f"limit {human_bytes(mount.tmpfs_size)}" if mount.tmpfs_size else "no size limit"
    return _Target(("tmpfs", container, mount.destination), "tmpfs", f"tmpfs of {container}",
                   f"memory · {limit}", f"tmpfs at {mount.destination} in {container}")


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **attrs})
    element.text = text
    return element


def _box(parent: ET.Element, x: float, y: float, w: float, h: float, kind: str, title: str, detail: str,
         full: str, css: str) -> None:
    group = ET.SubElement(parent, "g", {"class": css})
    ET.SubElement(group, "title").text = full
    ET.SubElement(group, "rect", {"x": f"{x}", "y": f"{y:.1f}", "width": f"{w}", "height": f"{h:.1f}", "rx": "6",
                                  "fill": FILLS[kind], "stroke": STROKES[kind], "stroke-width": "1.5"})
    _text(group, x + 10, y + 17, shorten(title, 34), **{"font-weight": "bold", "class": "name"})
    _text(group, x + 10, y + 33, shorten(detail, 40), **{"fill": "#57606a", "font-size": "11"})


def draw_svg(picture: StorageMap) -> str:
    # Right-hand boxes in order of first use, so lines mostly run level; unused volumes last.
    targets: dict[tuple, _Target] = {}
    edges: list[tuple[str, int, Mount, _Target]] = []
    for container in picture.containers:
        for position, mount in enumerate(container.mounts):
            target = _target_of(container.name, mount, picture)
            target = targets.setdefault(target.key, target)
            edges.append((container.name, position, mount, target))
    first_unused = None
    for volume in picture.unused_volumes:
        target = _volume_target(volume)
        first_unused = first_unused or target
        targets.setdefault(target.key, target)

    left_y: dict[str, tuple[float, float]] = {}
    y = TOP
    for container in picture.containers:
        height = max(44, 20 + ROW * len(container.mounts))
        left_y[container.name] = (y, height)
        y += height + BOX_GAP
    left_bottom = y
    y = TOP
    for target in targets.values():
        if target is first_unused:
            y += 16          # room for the words "no container mounts these"
        target.y = y
        y += 42 + BOX_GAP
    height = max(left_bottom, y, TOP + 60) + 70

    svg = ET.Element("svg", {"xmlns": SVG_NS, "width": str(WIDTH), "height": f"{height:.0f}",
                             "viewBox": f"0 0 {WIDTH} {height:.0f}", "role": "img",
                             "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "font-size": "13"})
    ET.SubElement(svg, "title").text = "Storage map: which containers mount which volumes, host folders and tmpfs"
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    scope = "everything on this engine" if picture.everything else "the course's resources"
    _text(svg, LEFT_X, 22, f"Storage map: {scope}", **{"font-weight": "bold", "font-size": "15", "fill": "#24292f"})
    _text(svg, LEFT_X, TOP - 6, "containers", **{"fill": "#57606a", "font-size": "11"})
    _text(svg, RIGHT_X, TOP - 6, "volumes, host folders, tmpfs", **{"fill": "#57606a", "font-size": "11"})
    if not targets and not picture.containers:
        _text(svg, LEFT_X, TOP + 24, "Nothing here: no containers or volumes"
              + ("." if picture.everything else " of the course (map(all=True) shows everything)."), fill="#57606a")

    lines = ET.SubElement(svg, "g", {"class": "mounts", "fill": "none", "stroke-width": "1.8"})
    labels = ET.SubElement(svg, "g", {"class": "mount-labels", "font-size": "11", "fill": "#24292f",
                                      "stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"})
    for container in picture.containers:
        top, _ = left_y[container.name]
        _box(svg, LEFT_X, top, LEFT_W, left_y[container.name][1], "container", container.name,
             f"{container.status} · {container.image}" + (f" · {container.project}" if container.project else ""),
             container.name, "container")
    for name, position, mount, target in edges:
        top, _ = left_y[name]
        x1, y1 = LEFT_X + LEFT_W, top + 22 + ROW * position
        x2, y2 = RIGHT_X, target.y + 21
        mode = "ro" if mount.read_only else "rw"
        source = mount.name if mount.type == "volume" else (mount.source if mount.type == "bind" else "tmpfs")
        path = ET.SubElement(lines, "path", {
            "class": "mount", "d": f"M{x1},{y1:.1f} C{x1 + GAP / 2},{y1:.1f} {x2 - GAP / 2},{y2:.1f} {x2},{y2:.1f}",
            "stroke": STROKES[target.kind], "data-container": name, "data-destination": mount.destination,
            "data-type": mount.type, "data-source": source, "data-mode": mode})
        if mount.read_only:
            path.set("stroke-dasharray", "6 4")
        ET.SubElement(path, "title").text = (f"{name}: {mount.destination} ← {mount.type} {source}"
                                             f" ({'read-only' if mount.read_only else 'read-write'})")
        _text(labels, x1 + 8, y1 - 4, shorten(mount.destination, 30) + (" (ro)" if mount.read_only else ""),
              **{"class": "mount-label"})
        ET.SubElement(svg, "circle", {"cx": f"{x1}", "cy": f"{y1:.1f}", "r": "3", "fill": STROKES[target.kind]})
    for target in targets.values():
        _box(svg, RIGHT_X, target.y, RIGHT_W, 42, target.kind, target.title, target.detail, target.full,
             f"target {target.kind}")
    if first_unused is not None:
        _text(svg, RIGHT_X, first_unused.y - 6, "no container mounts these", **{"fill": "#57606a", "font-size": "11"})
    svg.remove(labels)
    svg.append(labels)          # labels last, so they sit above every line

    legend_y = height - 42
    x = LEFT_X
    for kind, words in LEGEND:
        ET.SubElement(svg, "rect", {"x": f"{x}", "y": f"{legend_y}", "width": "14", "height": "14", "rx": "3",
                                    "fill": FILLS[kind], "stroke": STROKES[kind]})
        _text(svg, x + 19, legend_y + 11, words, **{"font-size": "11", "fill": "#24292f"})
        x += 34 + 6.6 * len(words)
    ET.SubElement(svg, "line", {"x1": f"{LEFT_X}", "y1": f"{legend_y + 28}", "x2": f"{LEFT_X + 30}",
                                "y2": f"{legend_y + 28}", "stroke": "#24292f", "stroke-width": "1.8"})
    _text(svg, LEFT_X + 36, legend_y + 32, "read-write", **{"font-size": "11", "fill": "#24292f"})
    ET.SubElement(svg, "line", {"x1": f"{LEFT_X + 110}", "y1": f"{legend_y + 28}", "x2": f"{LEFT_X + 140}",
                                "y2": f"{legend_y + 28}", "stroke": "#24292f", "stroke-width": "1.8",
                                "stroke-dasharray": "6 4"})
    _text(svg, LEFT_X + 146, legend_y + 32, "read-only", **{"font-size": "11", "fill": "#24292f"})
    return ET.tostring(svg, encoding="unicode")
