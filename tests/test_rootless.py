"""Rootless Docker as the course meets it. `make test` runs these, with the exercise tests, as a non-root
learner against a rootless engine (tools/rootless.sh); on any other engine they skip.

Rootless Docker maps container UIDs to other numbers on the host; ex16 grades a host file's owner, so
labcheck must know the map (checker/reading/idmap.py). These tests hold it against what the engine really does.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from checker.reading.idmap import host_uid

from .conftest import IMAGE, RUN_ID, TEST_LABEL, readonly

pytestmark = pytest.mark.engine


@pytest.fixture
def rootless(client):
    if "rootless" not in " ".join(client.info().get("SecurityOptions") or ()):
        pytest.skip("the engine is not rootless Docker (tools/rootless.sh starts one)")
    return client


def test_doctor_names_rootless_docker(rootless):
    done = subprocess.run([sys.executable, "-m", "checker", "doctor"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert "rootless Docker" in done.stdout, done.stdout
    assert "Docker Desktop" not in done.stdout


@pytest.mark.parametrize("uid", [0, 1000, 65534])
def test_a_file_a_container_writes_has_the_host_owner_labcheck_expects(rootless, tmp_path, uid):
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o777)
    rootless.containers.run(IMAGE, ["touch", "/out/report.txt"], user=f"{uid}:{uid}", remove=True,
                            volumes={str(folder): {"bind": "/out"}}, labels={TEST_LABEL: RUN_ID})
    owner = (folder / "report.txt").stat().st_uid
    engine = readonly()
    try:
        expected = host_uid(engine, uid)
    finally:
        engine.close()
    assert owner == expected.uid, expected.why
    # Container root is the engine's user (the learner running these tests); no other UID is.
    assert (owner == os.getuid()) == (uid == 0), (owner, expected.why)
