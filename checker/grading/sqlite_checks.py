"""Checks of SQLite databases (the course app's notes): the rows a database holds, not that a file is there.

A database is read as SQLite itself would open it: the main file and, where one sits beside it, its write-ahead
log (``-wal``), whose committed frames SQLite replays on open. Both are read bounded and without following links
(through the volume-file read path), copied into a private temporary folder, and queried there; the learner's
files are never opened by SQLite. A file that is not SQLite, or is damaged, or has no notes table, earns a
sentence that says so, never a traceback; a hostile schema cannot run for long (a progress handler stops it).
"""
from __future__ import annotations

import math
import os

from checker.grading.checks import Check, Verdict, fail, in_workspace, ok
from checker.record import record
from checker.reading.mounts import mount_at, mounts_of
from checker.reading.times import engine_time
from checker.reading.view import EngineView
from checker.reading.volume_files import FileRead, read_from_host

DB_READ_LIMIT = 16 * 1024 * 1024
HEADER = b"SQLite format 3\x00"
MAX_ROWS = 10_000
MAX_STEPS = 5_000_000          # SQLite virtual-machine steps a query may take before it is stopped


@record
class NotesRead:
    status: str                       # "ok", "empty", "not-sqlite", "broken", "no-table"
    notes: tuple[str, ...] = ()
    detail: str = ""


def read_notes(main: bytes, wal: bytes = b"", table: str = "notes", column: str = "body") -> NotesRead:
    """The `column` values of `table` in the database whose main file is `main` and write-ahead log `wal`."""
    if not main:
        return NotesRead("empty")
    if not main.startswith(HEADER):
        return NotesRead("not-sqlite", detail=repr(main[:16]))
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory(prefix="labcheck-db-") as folder:
        path = os.path.join(folder, "copy.db")
        with open(path, "wb") as f:
            f.write(main)
        if wal:
            with open(path + "-wal", "wb") as f:
                f.write(wal)
        db = None
        try:
            db = sqlite3.connect(path)
            steps = [0]

            def progress() -> int:          # called every 1000 steps; non-zero aborts the statement
                steps[0] += 1000
                return steps[0] > MAX_STEPS
            db.set_progress_handler(progress, 1000)
            db.execute("PRAGMA trusted_schema=OFF")
            found = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            if not found:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' LIMIT 10")]
                return NotesRead("no-table", detail=", ".join(names) or "no tables at all")
            rows = db.execute(f'SELECT "{column}" FROM "{table}" LIMIT {MAX_ROWS}').fetchall()
            return NotesRead("ok", tuple(str(r[0]) for r in rows))
        except sqlite3.Error as exc:
            return NotesRead("broken", detail=str(exc) or type(exc).__name__)
        finally:
            if db is not None:
                db.close()


def _show_notes(notes: tuple[str, ...]) -> str:
    if not notes:
        return "no notes"
    shown = ", ".join(repr(n[:40]) for n in notes[:5])
    return shown + (f" and {len(notes) - 5} more" if len(notes) > 5 else "")


def judge_notes(found: FileRead, wal: FileRead | None, shown: str, *, present: tuple[str, ...] = (),
                absent: tuple[str, ...] = (), missing_step: str, absent_why: str = "",
                single_file_why: str = "") -> Verdict:
    """What is wrong with the database `found` (with its log `wal`, if read), called `shown` in messages."""
    if found.status == "missing":
        return fail(f"There is no {shown}.", "no such file", f"the database {shown}", missing_step)
    if found.status == "symlink":
        return fail(f"{shown} is a symbolic link to {found.detail!r}; labcheck reads real files only.",
                    "a symlink", "a SQLite database file", missing_step)
    if found.status != "file":
        return fail(f"{shown} cannot be read: {found.detail or found.status}.", found.status,
                    "a SQLite database file", missing_step)
    if found.truncated or (wal is not None and wal.truncated):
        return fail(f"{shown} is larger than labcheck reads ({DB_READ_LIMIT // (1024 * 1024)} MB): not the "
                    "small notes database of this task.", "a very large file", "the app's notes database",
                    missing_step)
    read = read_notes(found.content, wal.content if wal is not None and wal.status == "file" else b"")
    if read.status == "empty":
        return fail(f"{shown} is empty: SQLite writes a header as soon as a database holds anything.",
                    "an empty file", "a SQLite database", missing_step)
    if read.status == "not-sqlite":
        return fail(f"{shown} is not a SQLite database: it does not start with SQLite's header.", read.detail,
                    repr(HEADER), missing_step)
    if read.status == "broken":
        return fail(f"{shown} is a damaged SQLite database (SQLite says: {read.detail}).", read.detail,
                    "a database SQLite can read", missing_step)
    if read.status == "no-table":
        more = f" {single_file_why}" if single_file_why else ""
        return fail(f"{shown} is a SQLite database without the app's notes table (tables: {read.detail}).{more}",
                    read.detail, "a notes table", missing_step)
    for note in present:
        if note not in read.notes:
            more = f" {single_file_why}" if single_file_why else ""
            return fail(f"{shown} holds no note {note!r}.{more}", _show_notes(read.notes), repr(note), missing_step)
    for note in absent:
        if note in read.notes:
            return fail(f"{shown} still holds the note {note!r}. {absent_why}", _show_notes(read.notes),
                        f"no note {note!r}", missing_step)
    if present:
        return ok(f"{shown} holds the note{'s' if len(present) > 1 else ''} " + ", ".join(map(repr, present)) + ".")
    return ok(f"{shown} holds {_show_notes(read.notes)}, without " + ", ".join(map(repr, absent)) + ".")


def volume_notes(volume: str, path: str, *, present: tuple[str, ...], next_step: str,
                 requires: tuple[str, ...] = ()) -> Check:
    """The SQLite database `path` in `volume`, with its -wal as SQLite would replay it, holds the notes `present`."""
    def evaluate(view: EngineView) -> Verdict:
        found = view.read_volume_file(volume, path, DB_READ_LIMIT)
        wal = view.read_volume_file(volume, path + "-wal", DB_READ_LIMIT) if found.status == "file" else None
        return judge_notes(found, wal, f"{path} in volume {volume}", present=present, missing_step=next_step)
    return Check(f"notes:{volume}:{path}", f"{path} in volume {volume} holds " + ", ".join(map(repr, present)),
                 evaluate, requires=requires or (f"volume:{volume}",))


def container_notes(container: str, path: str, *, present: tuple[str, ...] = (), absent: tuple[str, ...] = (),
                    next_step: str, absent_why: str = "") -> Check:
    """The SQLite database at `path` as `container` sees it (its writable layer or a mount), with its -wal."""
    def evaluate(view: EngineView) -> Verdict:
        found = view.read_container_file(container, path, DB_READ_LIMIT)
        wal = view.read_container_file(container, path + "-wal", DB_READ_LIMIT) if found.status == "file" else None
        return judge_notes(found, wal, f"{path} in container {container}", present=present, absent=absent,
                           missing_step=next_step, absent_why=absent_why)
    what = ", ".join(map(repr, present)) if present else "no " + ", ".join(map(repr, absent))
    return Check(f"container-notes:{container}:{path}", f"{path} in container {container} holds {what}", evaluate,
                 requires=(f"container:{container}",))


def host_database(path: str, *, present: tuple[str, ...], next_step: str, single_file_why: str) -> Check:
    """A backup on the host (``$WORKSPACE/…``) that holds the notes `present` on its own: the file alone, never a
    ``-wal`` beside it, as a backup must be one self-contained file."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        parent, name = os.path.split(real)
        found = (read_from_host(parent, name, DB_READ_LIMIT) if os.path.isdir(parent) else None) or FileRead("missing")
        if found.status == "missing":
            return fail(f"There is no {name} in the host folder {parent}.", "no such file", f"a database at {real}",
                        next_step)
        return judge_notes(found, None, real, present=present, missing_step=next_step,
                           single_file_why=single_file_why)
    return Check(f"host-db:{path}", f"{os.path.basename(path)} is a SQLite database holding "
                 + ", ".join(map(repr, present)), evaluate)


def host_file_before_container(path: str, container: str, *, next_step: str, requires: tuple[str, ...]) -> Check:
    """`path` (``$WORKSPACE/…``) was last written before `container` was created: it records an earlier one."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        written = os.lstat(real).st_mtime
        created = engine_time(view.container(container).get("Created", ""))
        if created is None or written < created:
            return ok(f"{os.path.basename(real)} was written before this {container} was created.")
        return fail(f"{os.path.basename(real)} was written after this {container} was created: it must record the "
                    f"notes of the container you replaced, before you removed it.", "written after",
                    f"written before {container} was created", next_step)
    return Check(f"before:{path}:{container}", f"{os.path.basename(path)} predates {container}", evaluate,
                 requires=(*requires, f"container:{container}"))


def written_while_running(path: str, container: str, *, next_step: str) -> Check:
    """`path` (``$WORKSPACE/…``) was written after `container` last started, and the container still runs: the
    copy was taken live, without stopping it.

    `docker cp` stores whole seconds (the engine's tar headers drop the fraction), so a copy made in the second the
    container started reads as written before it; the start is compared to the second."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        written = os.lstat(real).st_mtime
        state = view.container(container).get("State") or {}
        started = engine_time(state.get("StartedAt", ""))
        if not state.get("Running"):
            return fail(f"{container} is not running: this backup is to be taken while the app keeps serving.",
                        state.get("Status", "?"), "running", next_step)
        if started is not None and written < math.floor(started):
            return fail(f"{os.path.basename(real)} was written before {container} last started: it was taken while "
                        "the app was stopped, or by an earlier container.", "written before the start",
                        f"written while this {container} runs", next_step)
        return ok(f"{os.path.basename(real)} was written while {container} was running.")
    return Check(f"live:{path}:{container}", f"{os.path.basename(path)} was taken while {container} ran", evaluate,
                 requires=(f"host-db:{path}", f"container:{container}"))


def no_mount_over_code(container: str, folder: str, *, data_folders: tuple[str, ...], next_step: str) -> Check:
    """Nothing is mounted over the image's code in `folder` (a bind mount or a volume at it, or a bind mount of
    anything inside it); volumes at `data_folders` inside it are allowed."""
    def evaluate(view: EngineView) -> Verdict:
        mounts = mounts_of(view.container(container))
        here = mount_at(mounts, folder)
        if here is not None and here.type == "bind":
            return fail(f"{container} has {here.describe()}: the host's files hide the code the image was built "
                        "with, so what runs is whatever sits in that folder today, not the image you tested.",
                        here.describe(), f"nothing mounted at {folder}", next_step)
        if here is not None:
            return fail(f"{container} has {here.describe()}: a volume over the code was filled from the image once "
                        "and keeps that old code when you ship a new image.", here.describe(),
                        f"nothing mounted at {folder}", next_step)
        inside = [m for m in mounts if m.destination.startswith(folder.rstrip("/") + "/")
                  and (m.type == "bind" or m.destination not in data_folders)]
        if inside:
            return fail(f"{container} has {inside[0].describe()}, inside the image's code folder {folder}: in "
                        "production only data belongs in mounts.", inside[0].describe(),
                        "volumes at " + ", ".join(data_folders) + " only", next_step)
        return ok(f"{container} runs the code from its image: nothing is mounted over {folder}.")
    return Check(f"no-code-mount:{container}:{folder}", f"{container} runs its image's code (nothing mounted over "
                 f"{folder})", evaluate, requires=(f"container:{container}",))
