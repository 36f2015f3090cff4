"""labcheck map on the real engine: every kind of mount, as text, SVG and JSON; the course's view and --all;
and drawing the map changes nothing.

The state is the test's own: names start with demo-maptest-RUN (so the course's view shows them) and
everything carries TEST_LABEL; teardown removes it all, pass or fail.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import docker
import pytest

from .conftest import IMAGE, RUN_ID, TEST_LABEL, remove_labelled
from .snapshot import engine_snapshot, settled_snapshot

pytestmark = pytest.mark.engine

PREFIX = f"demo-maptest-{RUN_ID}"
APP, READER, SPARE = f"{PREFIX}-app", f"{PREFIX}-reader", f"{PREFIX}-spare"
VOLUME = f"{PREFIX}-data"
PROJECT = f"{PREFIX}-proj"
PROJECT_APP, PROJECT_VOLUME = f"{PROJECT}-app-1", f"{PROJECT}_data"
OTHER, OTHER_VOLUME = f"maptest-other-{RUN_ID}", f"maptest-other-{RUN_ID}-vol"
SVG = "{http://www.w3.org/2000/svg}"
COMPOSE = f"""name: {PROJECT}
services:
  app:
    image: {IMAGE}
    command: ["sh", "-c", "echo visit >> /data/visits.txt"]
    labels:
      {TEST_LABEL}: "{RUN_ID}"
    volumes:
      - data:/data
volumes:
  data:
    labels:
      {TEST_LABEL}: "{RUN_ID}"
"""


def labcheck(*args):
    done = subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def storage(client, tmp_path_factory):
    """A named volume, an anonymous one, a bind mount, a tmpfs, a read-only reader, an unused volume, a Compose
    project, and a container and volume that are not the course's."""
    folder = tmp_path_factory.mktemp("map")
    site = folder / "site"
    site.mkdir()
    compose_file = folder / "compose.yaml"
    compose_file.write_text(COMPOSE)
    compose = ["docker", "compose", "-p", PROJECT, "-f", str(compose_file)]
    api, labels = client.api, {TEST_LABEL: RUN_ID}
    try:
        for name in (VOLUME, SPARE, OTHER_VOLUME):
            api.create_volume(name, labels=labels)
        app = api.create_container(IMAGE, ["sh", "-c", "echo hello > /data/hello.txt; sleep 600"], name=APP,
                                   labels=labels, volumes=["/data", "/site", "/cache"],
                                   host_config=api.create_host_config(
                                       binds={VOLUME: {"bind": "/data", "mode": "rw"},
                                              str(site): {"bind": "/site", "mode": "ro"}},
                                       tmpfs={"/scratch": "size=1m"}))
        api.start(app)
        api.create_container(IMAGE, ["true"], name=READER, labels=labels, volumes=["/data"],
                             host_config=api.create_host_config(binds={VOLUME: {"bind": "/data", "mode": "ro"}}))
        api.create_container(IMAGE, ["true"], name=OTHER, labels=labels, volumes=["/v"],
                             host_config=api.create_host_config(binds={OTHER_VOLUME: {"bind": "/v", "mode": "rw"}}))
        up = subprocess.run([*compose, "up"], capture_output=True, text=True, timeout=120)
        assert up.returncode == 0, up.stderr
        anonymous = next(m["Name"] for m in api.inspect_container(APP)["Mounts"] if m["Destination"] == "/cache")
        yield {"site": str(site), "anonymous": anonymous}
    finally:
        subprocess.run([*compose, "down", "-v"], capture_output=True, timeout=120)
        remove_labelled(client)
        try:
            api.remove_network(f"{PROJECT}_default")
        except docker.errors.NotFound:
            pass


MOUNT_LINE = re.compile(r"(?P<destination>/\S*) ← (?P<what>volume|host folder|tmpfs)(?: (?P<source>\S+))? · "
                        r"(?P<mode>read-only|read-write)(?: · (?P<details>.*))?$")


def parse_tree(text: str) -> dict[str, list[dict]]:
    """Container name → its mount lines, from the NO_COLOR tree; "unused" → the unused volumes' lines."""
    mounts: dict[str, list] = {}
    current = None
    for line in text.splitlines()[1:]:
        body = line.lstrip("│├└─ ")
        depth = len(line) - len(body)
        if depth == 4:
            current = "unused" if body.startswith("Volumes no container uses") else body.split()[0]
            mounts[current] = []
        elif depth == 8 and current:
            found = MOUNT_LINE.match(body)
            mounts[current].append(found.groupdict() if found else {"line": body})
    return mounts


def test_tree_shows_every_kind_of_mount(storage):
    text = labcheck("map")
    assert "\x1b" not in text
    tree = parse_tree(text)
    app = {m["destination"]: m for m in tree[APP]}
    assert app["/data"] | {"details": ""} == {"destination": "/data", "what": "volume", "source": VOLUME,
                                              "mode": "read-write", "details": ""}
    assert app["/data"]["details"].startswith("named · ") and app["/data"]["details"].endswith(" B")
    assert (app["/site"]["what"], app["/site"]["source"], app["/site"]["mode"]) == ("host folder", storage["site"],
                                                                                   "read-only")
    assert (app["/cache"]["what"], app["/cache"]["source"], app["/cache"]["mode"]) == (
        "volume", storage["anonymous"][:12] + "…", "read-write")
    assert app["/cache"]["details"].startswith("anonymous")
    assert (app["/scratch"]["what"], app["/scratch"]["mode"]) == ("tmpfs", "read-write")
    assert "limit 1m" in app["/scratch"]["details"]
    assert [(m["destination"], m["source"], m["mode"]) for m in tree[READER]] == [("/data", VOLUME, "read-only")]
    compose_mount = tree[PROJECT_APP][0]
    assert (compose_mount["destination"], compose_mount["source"], compose_mount["mode"]) == (
        "/data", PROJECT_VOLUME, "read-write")
    assert compose_mount["details"].startswith(f"Compose project {PROJECT}, key data")
    assert any(line["line"].startswith(f"volume {SPARE} · named") for line in tree["unused"])


def test_course_view_leaves_out_what_is_not_the_course_and_all_shows_it(storage):
    course, everything = labcheck("map"), labcheck("map", "--all")
    assert OTHER not in course and OTHER_VOLUME not in course
    tree = parse_tree(everything)
    assert [(m["destination"], m["source"]) for m in tree[OTHER]] == [("/v", OTHER_VOLUME)]
    assert APP in tree and PROJECT_APP in tree


def test_json_names_each_mount_and_volume_kind(storage):
    picture = json.loads(labcheck("map", "--json"))
    assert picture["scope"] == "course"
    containers = {c["name"]: c for c in picture["containers"]}
    mounts = {m["destination"]: m for m in containers[APP]["mounts"]}
    assert mounts["/data"] == {"type": "volume", "destination": "/data", "source": VOLUME, "read_only": False,
                               "tmpfs_size": None}
    assert mounts["/site"]["type"] == "bind" and mounts["/site"]["source"] == storage["site"]
    assert mounts["/site"]["read_only"] is True
    assert mounts["/cache"]["source"] == storage["anonymous"]
    assert mounts["/scratch"] == {"type": "tmpfs", "destination": "/scratch", "source": None, "read_only": False,
                                  "tmpfs_size": 1024 * 1024}
    assert containers[PROJECT_APP]["project"] == PROJECT
    volumes = {v["name"]: v for v in picture["volumes"]}
    assert volumes[VOLUME]["kind"] == "named" and volumes[VOLUME]["size"] >= len("hello\n")
    assert volumes[storage["anonymous"]]["kind"] == "anonymous"
    assert (volumes[PROJECT_VOLUME]["kind"], volumes[PROJECT_VOLUME]["project"], volumes[PROJECT_VOLUME]["key"]) == (
        "compose", PROJECT, "data")
    assert SPARE in picture["unused_volumes"] and VOLUME not in picture["unused_volumes"]


def test_svg_draws_a_line_per_mount_with_readable_labels(storage):
    from checker import map

    svg = ET.fromstring(map()._repr_svg_())
    lines = {(p.get("data-container"), p.get("data-destination")): p
             for p in svg.iter(f"{SVG}path") if p.get("class") == "mount"}
    expected = {(APP, "/data"): ("volume", VOLUME, "rw"), (APP, "/site"): ("bind", storage["site"], "ro"),
                (APP, "/cache"): ("volume", storage["anonymous"], "rw"), (APP, "/scratch"): ("tmpfs", "tmpfs", "rw"),
                (READER, "/data"): ("volume", VOLUME, "ro"), (PROJECT_APP, "/data"): ("volume", PROJECT_VOLUME, "rw")}
    for key, (kind, source, mode) in expected.items():
        line = lines[key]
        assert (line.get("data-type"), line.get("data-source"), line.get("data-mode")) == (kind, source, mode)
        assert (line.get("stroke-dasharray") is not None) == (mode == "ro"), key
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert {APP, READER, VOLUME, SPARE, PROJECT_VOLUME, f"tmpfs of {APP}", storage["anonymous"][:12] + "…"} <= texts
    assert {"/data", "/data (ro)", "/site (ro)", "/cache", "/scratch"} <= texts
    assert OTHER not in texts


def test_drawing_the_map_changes_nothing(client, storage):
    from checker import map

    before = settled_snapshot(client)
    labcheck("map")
    labcheck("map", "--all")
    labcheck("map", "--json")
    map(all=True)._repr_svg_()
    assert engine_snapshot(client) == before
