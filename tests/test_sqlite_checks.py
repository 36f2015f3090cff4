"""SQLite databases are graded by the notes they hold, read as SQLite would open them (main file and -wal);
anything else (not SQLite, damaged, no notes table, a hostile schema) earns a sentence, never a traceback."""
from __future__ import annotations

import os
import sqlite3
import time

from checker.grading.sqlite_checks import NotesRead, host_database, judge_notes, read_notes
from checker.reading.volume_files import FileRead


def live_database(folder, notes=("Water the plants",)):
    """A WAL database whose notes sit in its -wal (the connection stays open, so nothing is checkpointed);
    returns (main bytes, wal bytes, the open connection)."""
    path = os.path.join(folder, "app.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    for note in notes:
        db.execute("INSERT INTO notes (body) VALUES (?)", (note,))
    with open(path, "rb") as f, open(path + "-wal", "rb") as w:
        return f.read(), w.read(), db


def test_notes_in_the_wal_are_read_with_it_and_missed_without_it(tmp_path):
    main, wal, db = live_database(str(tmp_path))
    assert read_notes(main, wal) == NotesRead("ok", ("Water the plants",))
    assert read_notes(main).status == "no-table"      # app.db alone: the table is still in the log
    db.close()


def test_a_checkpointed_database_needs_no_wal(tmp_path):
    main, wal, db = live_database(str(tmp_path), ("one", "two"))
    db.close()                                       # the last connection checkpoints and removes the -wal
    assert not os.path.exists(tmp_path / "app.db-wal")
    assert read_notes((tmp_path / "app.db").read_bytes()).notes == ("one", "two")


def test_what_is_not_a_database_is_named():
    assert read_notes(b"").status == "empty"
    assert read_notes(b"hello, this is text").status == "not-sqlite"
    damaged = b"SQLite format 3\x00" + b"\xff" * 4000
    assert read_notes(damaged).status == "broken"


def test_a_truncated_database_is_broken_not_a_traceback(tmp_path):
    main, wal, db = live_database(str(tmp_path), tuple(f"note {i}" for i in range(500)))
    db.close()
    whole = (tmp_path / "app.db").read_bytes()
    assert read_notes(whole[: len(whole) // 2]).status in ("broken", "ok")


def test_a_hostile_schema_is_stopped(tmp_path):
    path = tmp_path / "evil.db"
    db = sqlite3.connect(path)
    db.execute("CREATE VIEW notes AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
               "SELECT x AS body FROM n")
    db.commit()
    db.close()
    started = time.monotonic()
    found = read_notes(path.read_bytes())
    assert time.monotonic() - started < 10
    assert found.status in ("no-table", "broken")     # a view is not the app's table; a query on it is cut short


def test_judge_names_the_missing_note_and_why():
    verdict = judge_notes(FileRead("file", b"SQLite format 3\x00"), None, "app-live.db", present=("x",),
                          missing_step="Back it up again.", single_file_why="Copy it with SQLite.")
    assert verdict.passed is False and "Back it up again." == verdict.next_step
    assert judge_notes(FileRead("missing"), None, "app.db", present=("x",), missing_step="s").message \
        .startswith("There is no app.db")
    symlink = judge_notes(FileRead("symlink", detail="/etc/passwd"), None, "app.db", present=("x",), missing_step="s")
    assert symlink.passed is False and "symbolic link" in symlink.message


def test_host_backup_is_graded_alone_without_its_wal(tmp_path):
    main, wal, db = live_database(str(tmp_path), ("Water the plants", "Backed up live"))
    (tmp_path / "copy.db").write_bytes(main)
    (tmp_path / "copy.db-wal").write_bytes(wal)       # a -wal beside a backup does not count
    copied = host_database(str(tmp_path / "copy.db"), present=("Backed up live",), next_step="Use VACUUM INTO.",
                           single_file_why="A copy of app.db alone misses them.").evaluate(None)
    assert copied.passed is False and "app.db alone" in copied.message
    db.execute(f"VACUUM INTO '{tmp_path / 'vacuumed.db'}'")
    db.close()
    good = host_database(str(tmp_path / "vacuumed.db"), present=("Water the plants", "Backed up live"),
                         next_step="x", single_file_why="y").evaluate(None)
    assert good.passed, good.message
    missing = host_database(str(tmp_path / "nope.db"), present=("x",), next_step="x", single_file_why="y")
    assert missing.evaluate(None).message.startswith("There is no nope.db")


class _OneContainer:
    """An engine view that knows one container's inspect data."""
    def __init__(self, attrs):
        self.attrs = attrs

    def container(self, name):
        return self.attrs


def test_a_docker_cp_copy_in_the_second_the_app_started_counts_as_live(tmp_path, monkeypatch):
    from checker.grading.sqlite_checks import written_while_running
    monkeypatch.setenv("LABCHECK_WORKSPACE", str(tmp_path))
    copy = tmp_path / "app-live.db"
    copy.write_bytes(b"")
    started = 1_780_000_000.75           # the container started at .75 s; docker cp wrote the copy with .00
    check = written_while_running("$WORKSPACE/app-live.db", "lab-app-web", next_step="x")

    def verdict(mtime):
        os.utime(copy, (mtime, mtime))
        state = {"Running": True, "StartedAt": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(started)))
                 + ".750000000Z"}
        return check.evaluate(_OneContainer({"State": state}))

    assert verdict(1_780_000_000.0).passed
    earlier = verdict(1_779_999_998.0)
    assert not earlier.passed and "written before lab-app-web last started" in earlier.message
