"""A class hub (classroom/) run as `make class` runs it, in a subprocess, and what a learner or the instructor
does with it: the log-in form, tokens and servers through the hub's REST API, a terminal in a server, the class
table's exports. Shared by tests/test_class_hub.py and bench/class_capacity.py."""
from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from classroom.settings import LABEL

from .course_images import ROOT, free_port, sh

CODE = "vol-2026"                     # eight characters: JupyterHub's shortest shared password
IMAGE = "busybox:1.36"                # the one image ex3 (and labcheck's volume reads) need


class Hub:
    """The class hub running in a subprocess, and how to talk to it."""

    def __init__(self, home: Path, name: str, refresh: int = 3600, idle: int = 3600) -> None:
        self.home, self.name, self.port = home, name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "CLASS_HOME": str(home), "CLASS_NAME": name, "CLASS_CODE": CODE,
                    "CLASS_IP": "127.0.0.1", "CLASS_PORT": str(self.port), "CLASS_IMAGES": IMAGE,
                    "CLASS_TABLE_REFRESH": str(refresh), "CLASS_IDLE_SECONDS": str(idle), "PYTHONPATH": str(ROOT)}
        self.log = open(home.parent / f"{home.name}-hub.log", "w+")
        self.process = subprocess.Popen([sys.executable, "-m", "classroom", "serve"], cwd=ROOT, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.tokens: dict[str, str] = {}

    def wait_until_up(self, seconds=120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the hub exited {self.process.returncode}:\n{self.output()[-6000:]}")
            try:
                if urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2).status == 200:
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"the hub did not answer in {seconds} s:\n{self.output()[-6000:]}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def log_in(self, name: str, code: str, own: str = "") -> int:
        """The hub's log-in form, as a browser sends it; the HTTP status of the answer (a redirect is 302)."""
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        browser.open(f"{self.url}/hub/login", timeout=10).read()
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        form = urllib.parse.urlencode({"username": name, "password": code, "otp": own, "_xsrf": xsrf}).encode()
        try:
            return browser.open(f"{self.url}/hub/login", data=form, timeout=30).status
        except urllib.error.HTTPError as answer:
            return answer.code

    def token_for(self, name: str, code: str, own: str = "") -> str:
        """A token through the REST API, the credentials in the body (JupyterHub's POST /users/:name/tokens)."""
        body = {"auth": {"username": name, "password": code, "otp": own}, "note": "test", "expires_in": 3600}
        answer = self.api("POST", f"/hub/api/users/{name}/tokens", body, token=None)
        self.tokens[name] = answer["token"]
        return answer["token"]

    def request(self, method: str, path: str, body=None, token: str | None = None, timeout=60):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"token {token}"
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        return urllib.request.build_opener(NoRedirect).open(request, timeout=timeout)

    def api(self, method: str, path: str, body=None, token: str | None = None, timeout=60):
        with self.request(method, path, body, token, timeout) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def status(self, method: str, path: str, token: str | None, body=None) -> int:
        try:
            with self.request(method, path, body, token) as answer:
                return answer.status
        except urllib.error.HTTPError as answer:
            return answer.code

    def start_server(self, name: str, seconds=300) -> float:
        """Start the learner's server; seconds until their JupyterLab answers through the hub."""
        began = time.monotonic()
        token = self.tokens[name]
        self.status("POST", f"/hub/api/users/{name}/server", token)
        deadline = began + seconds
        while time.monotonic() < deadline:
            if self.status("GET", f"/user/{name}/api/status", token) == 200 \
                    and self.status("GET", f"/user/{name}/lab", token) == 200:
                return time.monotonic() - began
            time.sleep(0.3)
        raise AssertionError(f"{name}'s server did not answer in {seconds} s:\n{self.output()[-6000:]}")

    def stop_server(self, name: str) -> None:
        self.status("DELETE", f"/hub/api/users/{name}/server", self.tokens[name])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not self.api("GET", f"/hub/api/users/{name}", token=self.tokens[name])["servers"]:
                return
            time.sleep(0.3)
        raise AssertionError(f"{name}'s server did not stop:\n{self.output()[-6000:]}")

    def terminal(self, name: str, script: str, check=True) -> subprocess.CompletedProcess:
        """A login shell in the learner's server, as their JupyterLab terminal is."""
        return sh("docker", "exec", "-e", "COLUMNS=200", f"{self.name}-server-{name}", "bash", "-lc", script,
                  check=check, timeout=600)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def admin_password(self) -> str:
        return json.loads((self.home / "class.json").read_text())["admin_password"]

    def table(self) -> dict[str, dict[str, str]]:
        """Grade the class now, then read the CSV export: learner -> its row (exercise -> passed / not yet)."""
        token = self.tokens["instructor"]
        self.api("POST", "/services/class-table/refresh", token=token, timeout=600)
        with self.request("GET", "/services/class-table/class.csv", token=token) as answer:
            rows = list(csv.DictReader(io.StringIO(answer.read().decode())))
        return {row["learner"]: row for row in rows}

    def leftovers(self) -> list[str]:
        found = []
        for kind in ("container", "volume", "network"):
            found += [f"{kind} {name}" for name in sh(*self._listing(kind)).stdout.split()]
        return found

    def _listing(self, kind: str) -> list[str]:
        return ["docker", kind, "ls", "-q", "--filter", f"label={LABEL}={self.name}"] + (["-a"] if kind == "container" else [])

    def end(self, check=False) -> subprocess.CompletedProcess:
        """Stop the hub, `python -m classroom end`, then remove whatever still carries the class label."""
        self.stop()
        done = sh(sys.executable, "-m", "classroom", "end", check=check, env=self.env)
        for kind in ("container", "volume", "network"):
            names = sh(*self._listing(kind), check=False).stdout.split()
            if names:
                sh("docker", kind, "rm", *(["-f"] if kind != "network" else []), *names, check=False)
        return done


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_302
