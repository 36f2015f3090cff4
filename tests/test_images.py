"""Workshops without network: `labcheck images save` on the course engine, `load` on a clean second engine.

The shared engine keeps its images: the load goes to a throwaway dockerd (tools/engine.sh clean) with its own
socket and data root, deleted in teardown.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import docker
import pytest

from checker.ways_in.cli import LAB_IMAGES

LABCHECK = [sys.executable, "-m", "checker"]
ROOT = Path(__file__).resolve().parent.parent


def labcheck(*args, env=None):
    done = subprocess.run([*LABCHECK, *args], capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def clean_engine():
    """A second Docker Engine with no images at all, on a socket of its own; stopped and deleted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("starting a second engine needs root (make test runs as root in CI)")
    started = subprocess.run(["bash", str(ROOT / "tools" / "engine.sh"), "clean"], capture_output=True, text=True,
                             timeout=600)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        yield f"unix://{started.stdout.strip().splitlines()[-1]}"
    finally:
        subprocess.run(["bash", str(ROOT / "tools" / "engine.sh"), "stop-clean"], capture_output=True, timeout=120)


@pytest.mark.engine
@pytest.mark.isolated           # the test engine's images are only read; the clean engine is this module's own
def test_images_save_then_load_round_trips_on_a_clean_engine(client, clean_engine, tmp_path):
    clean = {"DOCKER_HOST": clean_engine}
    other = docker.DockerClient(base_url=clean_engine)
    try:
        assert other.api.images() == []

        code, out, err = labcheck("images", "save", str(tmp_path / "none.tar"), env=clean)
        assert code == 3 and "not on this engine" in err and "docker pull busybox:1.36" in err
        assert not list(tmp_path.iterdir())

        archive = tmp_path / "lab-images.tar"
        code, out, err = labcheck("images", "save", str(archive))
        assert code == 0, err
        assert "Saved" in out and all(image in out for image in LAB_IMAGES)
        with tarfile.open(archive) as tar:
            assert "manifest.json" in tar.getnames()

        code, out, err = labcheck("images", "load", str(archive), env=clean)
        assert code == 0, err
        assert all(f"Loaded image: {image}" in out for image in LAB_IMAGES)
        for image in LAB_IMAGES:
            assert other.api.inspect_image(image)["Id"] == client.api.inspect_image(image)["Id"]
    finally:
        other.close()


def test_loading_something_that_is_not_an_archive_is_a_usage_error(tmp_path):
    bogus = tmp_path / "not-images.tar"
    bogus.write_text("no tar here\n" * 100)
    code, _, err = labcheck("images", "load", str(bogus))
    assert code == 2 and "not an image archive" in err
    code, _, err = labcheck("images", "load", str(tmp_path / "missing.tar"))
    assert code == 2 and "does not exist" in err
