"""How labcheck writes to a terminal and to scripts: colour, `--quiet`, progress bars.

Colour and animation only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb: there
labcheck writes plain text with no escape codes at all, whatever FORCE_COLOR says. `--quiet` silences the
decoration on standard output (tables, listings, echoed commands); a command then prints one minimal line and
its verdict is the exit code. Errors and warnings still go to standard error.

rich is imported only by the commands that draw: grading starts faster without it.
"""
from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager


class _Settings:
    quiet = False


settings = _Settings()


def use_color(stream) -> bool:
    """Colours (and cursor movement) only on a terminal that asked for neither NO_COLOR nor TERM=dumb."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _console(stream_name: str):
    from rich.console import Console

    stream = getattr(sys, stream_name)
    if use_color(stream):
        return Console(highlight=False, stderr=stream_name == "stderr")
    # Not a terminal for rich: no colour, no style, no cursor codes, even under FORCE_COLOR.
    return Console(highlight=False, stderr=stream_name == "stderr", force_terminal=False, color_system=None,
                   force_jupyter=False)


@functools.cache
def consoles():
    return _console("stdout"), _console("stderr")


class _Lazy:
    """A console created on first use; the standard-output one is silent under `--quiet`."""

    def __init__(self, index: int) -> None:
        self._index = index

    def __getattr__(self, name):
        console = consoles()[self._index]
        if self._index == 0:
            console.quiet = settings.quiet
        return getattr(console, name)


out, err = _Lazy(0), _Lazy(1)


def columns(fallback: int = 100) -> int:
    """The terminal's width as shutil.get_terminal_size finds it (COLUMNS first), without importing shutil."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or fallback
    except (AttributeError, ValueError, OSError):
        return fallback


def show_problem(problem) -> None:
    """An EnvironmentProblem on standard error: what is wrong (in red on a terminal), then what to do."""
    err.print(f"[red]{escape(problem.summary)}[/red]\n{escape(problem.advice)}")


def minimal(line: str) -> None:
    """The one line a command prints under `--quiet` (and alongside its usual output otherwise)."""
    print(line, flush=True)


@contextmanager
def progress_bar(transfer: bool = False):
    """A rich Progress on standard error, drawn only on a colour-capable terminal and never under `--quiet`;
    elsewhere it is disabled and every call on it does nothing. `transfer` shows bytes and speed."""
    from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                               TextColumn, TimeElapsedColumn, TransferSpeedColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
    columns += [DownloadColumn(), TransferSpeedColumn()] if transfer else [MofNCompleteColumn()]
    columns.append(TimeElapsedColumn())
    disabled = settings.quiet or not use_color(sys.stderr)
    with Progress(*columns, console=consoles()[1], transient=True, disable=disabled) as bar:
        yield bar


def escape(text: str) -> str:
    """Text shown through rich markup as it is (a file called "[red].json" stays that)."""
    from rich.markup import escape as rich_escape
    return rich_escape(text)
