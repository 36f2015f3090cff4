"""Terminal manners: colour only on a terminal and never with NO_COLOR, progress bars, --quiet, --version.

The terminal is a real pseudo-terminal, so labcheck sees what it sees in a learner's shell.
"""
from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from checker import __version__
from checker.ways_in.cli import main
from checker.exercises import BY_ID, COURSE

from .conftest import solve

LABCHECK = [sys.executable, "-m", "checker"]
ESCAPE = b"\x1b"


def in_terminal(*args, env=None, timeout=120) -> tuple[int, bytes]:
    """Run labcheck with stdin, stdout and stderr on a 120-column pseudo-terminal; (exit code, all it wrote)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        if name not in (env or {}):
            environment.pop(name, None)
    process = subprocess.Popen([*LABCHECK, *args], stdin=follower, stdout=follower, stderr=follower,
                               env=environment, close_fds=True)
    os.close(follower)
    written, deadline = bytearray(), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:         # the terminal's other side closed: labcheck is done
                    break
                if not chunk:
                    break
                written += chunk
            elif process.poll() is not None:
                break
        return process.wait(timeout=10), bytes(written)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)


def piped(*args, env=None):
    done = subprocess.run([*LABCHECK, *args], capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})
    return done.returncode, done.stdout, done.stderr


@pytest.mark.engine
def test_colour_on_a_terminal_and_none_with_no_color(fresh):
    for args in (["list"], ["hint", "ex1"], ["ex1"], []):
        code, coloured = in_terminal(*args)
        assert ESCAPE in coloured, (args, coloured[:300])
        code, plain = in_terminal(*args, env={"NO_COLOR": "1"})
        assert ESCAPE not in plain, (args, plain[:300])
        assert plain.strip()


@pytest.mark.engine
def test_no_colour_through_a_pipe_even_when_forced(fresh):
    for args in (["list"], ["ex1"], ["grade", "ex1", "ex2"]):
        code, out, err = piped(*args, env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"})
        assert ESCAPE not in out + err, args


@pytest.mark.engine
def test_solve_draws_a_progress_bar_on_a_terminal_only(fresh):
    code, screen = in_terminal("solve", "ex1")
    assert code == 0 and b"solving ex1" in screen and b"PASSED" in screen
    code, plain = in_terminal("solve", "ex1", env={"NO_COLOR": "1"})
    assert code == 0 and b"solving ex1" not in plain and ESCAPE not in plain and b"PASSED" in plain


@pytest.mark.engine
def test_quiet_prints_one_line_and_the_verdict_is_the_exit_code(fresh):
    code, out, err = piped("--quiet", "ex1")
    assert code == 1 and out == b"ex1 not yet\n"
    solve(fresh, BY_ID["ex1"])
    code, out, _ = piped("-q", "ex1")
    assert code == 0 and out == b"ex1 passed\n"
    code, out, _ = piped("-q", "grade", "ex1", "ex2")
    assert code == 1 and out == b"1 of 2 passed.\n"
    code, out, _ = piped("-q", "reset", "ex1", "--yes")
    assert code == 0 and out == b""
    code, out, _ = piped("-q", "solve", "ex1")
    assert code == 0 and out == b"ex1 passed\n"
    code, screen = in_terminal("-q", "ex1")
    assert code == 0 and screen.strip() == b"ex1 passed" and ESCAPE not in screen


def test_quiet_progress_table_is_one_line():
    code, out, _ = piped("-q")
    assert code == 0 and out.decode().strip().endswith(f"of {len(COURSE)} passed.")


def test_version():
    code, out, _ = piped("--version")
    assert code == 0 and out.decode().strip() == f"labcheck, version {__version__}"
    assert main(["--version"]) == 0


@pytest.mark.parametrize("args", [["class"], ["verify"], ["images"], ["images", "save"], ["whoami", "--bogus"]])
def test_new_commands_explain_bad_usage(args):
    code, out, err = piped(*args, env={"LABCHECK_CLASS_KEY": "k"})
    assert code in (0, 2) and b"Traceback" not in out + err
