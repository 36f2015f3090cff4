"""`make start`: the book and JupyterLab come up on 127.0.0.1, and Ctrl-C stops both."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_start_serves_book_and_lab_and_ctrl_c_stops_both(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "start.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, stdin=subprocess.DEVNULL)
    book_url = lab_url = None
    try:
        deadline = time.time() + 240
        for line in proc.stdout:
            if match := re.match(r"The book:\s+(\S+)", line):
                book_url = match.group(1)
            if match := re.match(r"The labs:\s+(\S+)", line):
                lab_url = match.group(1)
            if book_url and lab_url or time.time() > deadline:
                break
        assert book_url and lab_url, "start.py did not print both addresses"
        assert book_url.startswith("http://127.0.0.1:") and lab_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(book_url + "book/intro.html", timeout=10) as page:
            assert "Docker volumes" in page.read().decode()
        for _ in range(120):                       # JupyterLab takes a few seconds to listen
            try:
                with urllib.request.urlopen(lab_url, timeout=5) as page:
                    assert page.status == 200 and "JupyterLab" in page.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab never answered")
        # A lab's first cell links to its lesson as ../book/NN-*.md: JupyterLab must be able to open it.
        contents = lab_url.replace("/lab/tree/labs?", "/api/contents/book/01-ephemeral.md?")
        with urllib.request.urlopen(contents, timeout=10) as reply:
            assert reply.status == 200 and "Containers are ephemeral" in reply.read().decode()
        ports = [int(re.search(r":(\d+)/", url).group(1)) for url in (book_url, lab_url)]
        proc.send_signal(signal.SIGINT)            # what Ctrl-C does
        assert proc.wait(timeout=60) == 0
        time.sleep(0.5)
        assert not any(port_open(port) for port in ports)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
