"""Every shell command in the lessons runs, in order, against the real engine.

A lesson's ```bash blocks form one script, run with `set -euo pipefail` in a
scratch folder that stands in for the reader's. Lessons name what they create
`demo-…`; whatever a lesson leaves behind is removed afterwards, and anything
not named so fails the test.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .snapshot import made_by_isolated_test

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def shell_blocks(lesson: Path) -> list[str]:
    return BLOCK.findall(lesson.read_text())


def engine_state(client):
    """What is on the engine, less what isolated tests running beside this one make (never ours to remove)."""
    containers = {c["Id"]: c["Names"][0].lstrip("/") for c in client.api.containers(all=True)
                  if not made_by_isolated_test(c["Names"][0])}
    volumes = {v["Name"] for v in (client.api.volumes() or {}).get("Volumes") or () if not made_by_isolated_test(v["Name"])}
    images = {tag for i in client.api.images() for tag in (i.get("RepoTags") or ()) if not made_by_isolated_test(tag)}
    return containers, volumes, images


def is_anonymous(name: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{64}", name))


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_command_runs(client, tmp_path, lesson):
    blocks = shell_blocks(lesson)
    assert blocks, f"{lesson.name} has no ```bash block"
    before = engine_state(client)
    script = "set -euo pipefail\n" + "\n".join(blocks)
    try:
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "HOME": str(tmp_path), "COURSE_APP": str(ROOT / "app")},
                              stdin=subprocess.DEVNULL)
    finally:
        containers, volumes, images = engine_state(client)
        new_containers = {i: n for i, n in containers.items() if i not in before[0]}
        new_volumes, new_images = volumes - before[1], images - before[2]
        for cid in new_containers:
            client.api.remove_container(cid, force=True, v=True)
        for name in new_volumes:
            client.api.remove_volume(name, force=True)
        for tag in new_images:
            client.api.remove_image(tag, force=True)
    assert done.returncode == 0, f"{lesson.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    strays = [n for n in [*new_containers.values(), *new_volumes, *new_images]
              if not n.startswith("demo-") and not is_anonymous(n)]
    assert not strays, f"{lesson.name} created resources not named demo-…: {strays}"
