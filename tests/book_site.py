"""Build the book once, strictly, with no engine in reach, and serve it on 127.0.0.1."""
from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [c["file"] for part in TOC["parts"] for c in part["chapters"]]   # reading order
LESSONS = [p for p in PAGES if re.fullmatch(r"book/\d\d-[a-z0-9-]+", p)]


# Lines for the end of the test run (conftest's pytest_terminal_summary): where the
# screenshots are, how many answers each lesson hides, how long the build took.
SUMMARY: list[str] = []


@dataclass(frozen=True)
class BuiltBook:
    """One strict build of the book."""
    html: Path          # the _build/html folder
    returncode: int     # jupyter-book's exit status
    log: str            # the end of its output, for failure messages
    seconds: float      # wall-clock time of the clean build


def build_book(output: Path) -> BuiltBook:
    """A clean `jupyter-book build --warningiserror` into OUTPUT/_build/html.

    DOCKER_HOST points at a socket that does not exist, so a build that tried to
    run a lab could not reach the engine.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, "DOCKER_HOST": f"unix://{output}/no-engine.sock"}
    started = time.monotonic()
    done = subprocess.run([str(jupyter_book), "build", "--warningiserror", "--keep-going",
                           "--path-output", str(output), str(ROOT)], capture_output=True, text=True, env=env)
    return BuiltBook(output / "_build" / "html", done.returncode, problems(done.stdout + done.stderr),
                     time.monotonic() - started)


def problems(output: str) -> str:
    """The build's warnings and errors, without colour codes; its last lines if it names none."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in output.splitlines()]
    named = [line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line]
    return "\n".join(named[:30] or lines[-30:])


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(folder: Path):
    """Serve FOLDER on 127.0.0.1 from a thread; returns (base_url, server)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
