"""The book builds with warnings as errors, shows recorded lab runs, and runs nothing itself."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def engine_names(client):
    return ({c["Id"] for c in client.api.containers(all=True)},
            {v["Name"] for v in (client.api.volumes() or {}).get("Volumes") or ()})


@pytest.mark.slow
def test_book_builds_strictly_and_touches_no_engine(client, tmp_path):
    before = engine_names(client)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    # Even a book build that tried to run a lab would find no engine here.
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    done = subprocess.run([str(jupyter_book), "build", "--warningiserror", "--keep-going",
                           "--path-output", str(tmp_path), str(ROOT)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    html = tmp_path / "_build" / "html"
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for page in pages:
        assert (html / f"{page}.html").is_file(), page
    lab_page = (html / "book" / "lab-runs" / "01-ephemeral.html").read_text()
    assert "PASSED" in lab_page and "hello from the writable layer" in lab_page
    lesson = (html / "book" / "01-ephemeral.html").read_text()
    assert "dropdown" in lesson and "layers.svg" in lesson
    assert engine_names(client) == before


def test_book_never_executes_notebooks():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
