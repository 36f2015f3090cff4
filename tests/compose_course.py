"""One course run with Compose, as a learner's `docker compose up` runs it: for the tests and the bench that run
the course in a container (tests/test_course_container.py, tests/test_course_container_host.py,
bench/course_container.py). Teardown removes the project's containers, volumes and networks by label."""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request

from .course_images import free_port, sh

PROJECT_LABEL = "com.docker.compose.project"


class Course:
    """One running course: a Compose project, its published port and token, commands run in its container."""

    def __init__(self, project: str, files: tuple[str, ...], env: dict[str, str]) -> None:
        self.project, self.files, self.port = project, files, free_port()
        self.env = {**os.environ, "COURSE_PORT": str(self.port), **env}
        self.token = ""

    def compose(self, *args, check=True, timeout=300) -> subprocess.CompletedProcess:
        files = [arg for f in self.files for arg in ("-f", f)]
        return sh("docker", "compose", "-p", self.project, *files, *args, check=check, timeout=timeout, env=self.env)

    def up(self) -> float:
        """`up` with built images; seconds until JupyterLab answers with the printed token."""
        started = time.monotonic()
        self.compose("up", "-d", "--no-build")
        deadline, self.answering_s = started + 120, None
        while time.monotonic() < deadline:
            if self.answering_s is None:
                try:                                  # any answer, before the token is known: 403
                    self.get("/api/status", token=False)
                except urllib.error.HTTPError:
                    self.answering_s = time.monotonic() - started
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
            found = re.findall(r"token=([0-9a-f]{32})", self.compose("logs", "course").stdout)
            if found:
                self.token = found[-1]
                try:
                    if self.get("/api/status").status == 200:
                        return time.monotonic() - started
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
            time.sleep(0.2)
        raise AssertionError("JupyterLab did not answer:\n" + self.compose("logs", check=False).stdout[-3000:])

    def get(self, path: str, token: bool = True):
        separator = "&" if "?" in path else "?"
        url = f"http://127.0.0.1:{self.port}{path}" + (f"{separator}token={self.token}" if token else "")
        return urllib.request.urlopen(url, timeout=10)

    def put(self, path: str, body: dict):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}?token={self.token}", method="PUT",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(request, timeout=30)

    def run(self, script: str, check=True, timeout=600) -> subprocess.CompletedProcess:
        """A bash login shell in the course container, as a JupyterLab terminal is."""
        return self.compose("exec", "-T", "-e", "COLUMNS=200", "course", "bash", "-lc", script,
                            check=check, timeout=timeout)

    def container(self, service: str) -> str:
        return self.compose("ps", "-q", service).stdout.strip()

    def leftovers(self) -> list[str]:
        label = f"label={PROJECT_LABEL}={self.project}"
        found = []
        for kind in ("container", "volume", "network"):
            listing = ["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else [])
            found += [f"{kind} {name}" for name in sh(*listing).stdout.split()]
        return found

    def remove_everything(self) -> None:
        self.compose("down", "-v", "--remove-orphans", "--timeout", "5", check=False)
        label = f"label={PROJECT_LABEL}={self.project}"
        for kind in ("container", "volume", "network"):
            listing = ["docker", kind, "ls", "-q", "--filter", label] + (["-a"] if kind == "container" else [])
            names = sh(*listing, check=False).stdout.split()
            if names:
                sh("docker", kind, "rm", *(["-f"] if kind != "network" else []), *names, check=False)


    def load_images(self, images) -> None:
        """Lab images into the private engine from the test engine (`docker save | docker load`), as the offline
        kit would bring them."""
        saved = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)
        sh("docker", "exec", "-i", self.container("engine"), "docker", "load", stdin=saved.stdout)
        saved.stdout.close()
        assert saved.wait() == 0


@contextlib.contextmanager
def running_course(project: str, images=("busybox:1.36",)):
    """The course of compose.yaml up under `project`, `images` loaded into its private engine; removed after."""
    course = Course(project, ("compose.yaml",), {})
    try:
        course.up_seconds = course.up()
        course.load_images(images)
        yield course
    finally:
        course.remove_everything()
