"""Which exercises a learner has passed, and how many hints they have seen.

A small SQLite file. If it is unreadable it is moved aside (never deleted) and
a new one is started, so a corrupt file costs the learner a table, not data.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time

from checker.paths import state_folder

SCHEMA = """
create table if not exists results (exercise text primary key, passed integer not null, checked_at real not null);
create table if not exists hints (exercise text primary key, shown integer not null);
create table if not exists state_hints (exercise text primary key, mistake text not null);
create table if not exists learner (one integer primary key check (one = 1), name text not null, salt text not null);
"""


class Progress:
    def __init__(self, path: os.PathLike | str | None = None) -> None:
        self.path = os.fspath(path) if path else os.path.join(state_folder(), "progress.sqlite")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            aside = f"{self.path}.corrupt-{int(time.time())}"
            os.rename(self.path, aside)
            print(f"labcheck: the progress file was unreadable; kept it as {aside} and started a new one.",
                  file=sys.stderr)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5)
        db.executescript(SCHEMA)
        db.execute("select count(*) from results").fetchone()
        return db

    def record(self, exercise: str, passed: bool) -> None:
        with self.db:
            self.db.execute("insert or replace into results values (?, ?, ?)", (exercise, int(passed), time.time()))

    def record_many(self, verdicts) -> None:
        """(exercise, passed) pairs in one transaction: `grade --all` writes once, not 46 times."""
        now = time.time()
        with self.db:
            self.db.executemany("insert or replace into results values (?, ?, ?)",
                                [(exercise, int(passed), now) for exercise, passed in verdicts])

    def results(self) -> dict[str, tuple[bool, float]]:
        return {row[0]: (bool(row[1]), row[2]) for row in self.db.execute("select * from results")}

    def next_hint_index(self, exercise: str, available: int) -> int:
        """Index of the hint to show now; counts up to the last hint and stays there."""
        row = self.db.execute("select shown from hints where exercise = ?", (exercise,)).fetchone()
        shown = row[0] if row else 0
        with self.db:
            self.db.execute("insert or replace into hints values (?, ?)", (exercise, min(shown + 1, available)))
        return min(shown, available - 1)

    def learner(self) -> tuple[str, str] | None:
        """(name, salt) of the learner using this progress file, once `labcheck whoami` has asked."""
        row = self.db.execute("select name, salt from learner").fetchone()
        return (row[0], row[1]) if row else None

    def set_learner(self, name: str, salt: str) -> None:
        with self.db:
            self.db.execute("insert or replace into learner values (1, ?, ?)", (name, salt))

    def first_time_for(self, exercise: str, mistake: str | None) -> bool:
        """Whether `mistake` is new since the last `labcheck hint` (None: no known mistake now); remembers it."""
        row = self.db.execute("select mistake from state_hints where exercise = ?", (exercise,)).fetchone()
        with self.db:
            if mistake is None:
                self.db.execute("delete from state_hints where exercise = ?", (exercise,))
            else:
                self.db.execute("insert or replace into state_hints values (?, ?)", (exercise, mistake))
        return mistake is not None and (row is None or row[0] != mistake)

    def forget(self, exercise: str) -> None:
        with self.db:
            self.db.execute("delete from state_hints where exercise = ?", (exercise,))
            self.db.execute("delete from results where exercise = ?", (exercise,))
            self.db.execute("delete from hints where exercise = ?", (exercise,))
