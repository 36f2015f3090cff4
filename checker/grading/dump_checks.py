"""Checks of PostgreSQL dumps on the host: what a dump holds, not only that a file is there.

A plain dump (``pg_dump``, ``pg_dumpall``) is SQL with a header that names what
wrote it: ``-- Dumped from database version 17.2`` (the server) and ``-- Dumped
by pg_dump version 18.1`` (the client). The checks read those, the table's
definition and its rows; a ``.sql.gz`` must be gzip and is read decompressed.
Reads are bounded and never follow links.
"""
from __future__ import annotations

import os
import re
import stat
import zlib

from checker.grading.checks import Check, Verdict, fail, in_workspace, ok
from checker.record import record
from checker.reading.view import EngineView
from checker.reading.volume_files import FileRead, read_from_host

DUMP_READ_LIMIT = 4 * 1024 * 1024
SERVER = re.compile(r"^-- Dumped from database version (\d+)", re.M)
CLIENT = re.compile(r"^-- Dumped by pg_dump version (\d+)", re.M)
DATE = re.compile(r"(?:19|20)\d\d-?[01]\d-?[0-3]\d")
STAMP = re.compile(r"((?:19|20)\d\d)-?([01]\d)-?([0-3]\d)[_T -]?([0-2]\d):?([0-5]\d):?([0-5]\d)")
LOCAL_TIME_SLACK = 15 * 60
"""A name's stamp read as UTC may differ this much from the moment the file was written (a long dump) before it
counts as local time: every time zone but UTC's own is at least 30 minutes off."""
NEWEST_SLACK = 1.0
"""Seconds between the newest kept dump's last write and the folder's last change (the run's own rename and
deletions) that still count as one run: keeping the oldest instead leaves at least one run and a pause between."""
DUMP_SUFFIXES = (".sql", ".sql.gz")


@record
class Dump:
    kind: str                     # "cluster" (pg_dumpall), "database" (pg_dump), "custom", "empty", "gzip-broken",
                                  # "not-gzip", "not a dump"
    text: str = ""
    servers: frozenset[str] = frozenset()     # major versions of the servers it was dumped from
    clients: frozenset[str] = frozenset()     # major versions of pg_dump that wrote it


def parse_dump(content: bytes, gzipped: bool = False) -> Dump:
    if gzipped:
        if not content.startswith(b"\x1f\x8b"):
            return Dump("not-gzip")
        try:
            content = zlib.decompressobj(wbits=31).decompress(content, DUMP_READ_LIMIT)
        except zlib.error:
            return Dump("gzip-broken")
    if not content.strip():
        return Dump("empty")
    if content.startswith(b"PGDMP"):
        return Dump("custom")
    text = content.decode("utf-8", "replace")
    head = text[:2000]
    kind = ("cluster" if "-- PostgreSQL database cluster dump" in head
            else "database" if "-- PostgreSQL database dump" in head else "not a dump")
    return Dump(kind, text, frozenset(SERVER.findall(text)), frozenset(CLIENT.findall(text)))


def judge_dump(dump: Dump, shown: str, *, table: str, row: str, cluster: bool = False, one_database: bool = False,
               server_major: str | None = None, client_major: str | None = None, next_step: str) -> Verdict:
    """What is wrong with `dump` (called `shown` in messages), or that it holds `row` in `table`."""
    problems = {
        "empty": f"{shown} is empty: the dump command failed before it wrote anything. Is the server running?",
        "not-gzip": f"{shown} is not gzip-compressed, though its name ends in .gz: pipe the dump through gzip.",
        "gzip-broken": f"{shown} is not a complete gzip stream.",
        "custom": (f"{shown} is a custom-format dump (pg_dump -Fc), which only pg_restore reads; this task asks "
                   "for a plain SQL dump."),
    }
    if dump.kind in problems:
        return fail(problems[dump.kind], dump.kind, "a plain SQL dump", next_step)
    if dump.kind == "not a dump":
        first = next((line for line in dump.text.splitlines() if line.strip()), "")[:60]
        return fail(f"{shown} is not a PostgreSQL dump: it lacks the header pg_dump writes.", repr(first),
                    "-- PostgreSQL database dump", next_step)
    if one_database and dump.kind == "cluster":
        return fail(f"{shown} is a pg_dumpall of the whole cluster (roles and every database); the task asks for "
                    "pg_dump of one database.", "pg_dumpall output", "pg_dump output", next_step)
    if cluster and dump.kind != "cluster":
        return fail(f"{shown} is a dump of one database (pg_dump); use pg_dumpall, which dumps the roles and every "
                    "database.", "pg_dump output", "pg_dumpall output", next_step)
    if server_major and dump.servers != {server_major}:
        found = ", ".join(sorted(dump.servers)) or "an unknown version"
        return fail(f"{shown} was dumped from a PostgreSQL {found} server, not from PostgreSQL {server_major}.",
                    f"server {found}", f"server {server_major}", next_step)
    if client_major and dump.clients != {client_major}:
        found = ", ".join(sorted(dump.clients)) or "an unknown version"
        return fail(f"{shown} was written by pg_dump {found}: dump with the newer version's client, "
                    f"pg_dump {client_major}, which knows what its own server will need.",
                    f"pg_dump {found}", f"pg_dump {client_major}", next_step)
    if f"CREATE TABLE public.{table} (" not in dump.text:
        return fail(f"{shown} holds no table {table}: it is a dump of another database, or of an empty one.",
                    "no CREATE TABLE public." + table, f"CREATE TABLE public.{table}", next_step)
    if row not in dump.text:
        return fail(f"{shown} has the table {table} but not its row {row!r}.", "the table without the row",
                    repr(row), next_step)
    return ok(f"{shown} is a dump holding {table} with {row!r}.")


def host_dump(path: str, *, table: str, row: str, cluster: bool = False, server_major: str | None = None,
              client_major: str | None = None, next_step: str) -> Check:
    """A plain PostgreSQL dump on the host (``$WORKSPACE/…``) holding `row` in `table`, written as asked."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        parent, name = os.path.split(real)
        found = (read_from_host(parent, name, DUMP_READ_LIMIT) if os.path.isdir(parent) else None) or FileRead("missing")
        if found.status == "missing":
            return fail(f"There is no {name} in the host folder {parent}.", "no such file", f"a dump at {real}",
                        next_step)
        if found.status != "file":
            return fail(f"{real} is not a regular file ({found.detail or found.status}).", found.status,
                        "a dump file", next_step)
        return judge_dump(parse_dump(found.content, name.endswith(".gz")), real, table=table, row=row,
                          cluster=cluster, server_major=server_major, client_major=client_major, next_step=next_step)
    what = "pg_dumpall" if cluster else "dump"
    return Check(f"dump:{path}", f"{os.path.basename(path)} is a {what} holding {table}", evaluate)


def _stamp(name: str) -> float | None:
    """The date and time in a dump's name, read as UTC (seconds since the epoch), or None if it holds no time."""
    import calendar
    found = STAMP.search(name)
    if found is None:
        return None
    try:
        return float(calendar.timegm(tuple(int(part) for part in found.groups()) + (0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def dated_dumps(folder: str, *, keep: int, table: str, row: str, example: str, next_step: str,
                one_database: bool = False, utc_names: bool = False, newest_kept: bool = False) -> Check:
    """`folder` (``$WORKSPACE/…``) holds exactly `keep` dumps whose names carry a date, each holding `row`.

    `one_database`: each is a pg_dump of one database, not a pg_dumpall. `utc_names`: a name's stamp, read as UTC,
    is within minutes of the moment the file was written (local time is 30 minutes or more off, unless the
    machine's zone is UTC itself). `newest_kept`: the newest dump was written in the run that last changed the
    folder; a rotation that keeps the oldest deletes the dump it just wrote, so the folder's last change comes a
    whole run after the newest dump it kept."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(folder)
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except FileNotFoundError:
            return fail(f"There is no folder {real}.", "no such folder", f"a folder with {keep} dated dumps",
                        next_step)
        except NotADirectoryError:
            return fail(f"{real} is a file, not a folder.", "a file", "a folder", next_step)
        dumps = [e for e in entries if e.name.endswith(DUMP_SUFFIXES) and not e.name.startswith(".")]
        undated = [e.name for e in dumps if not DATE.search(e.name)]
        if undated:
            return fail(f"{undated[0]} in {real} has no date in its name: each run must write a new file named "
                        f"after the moment it ran, such as {example}.", undated[0], example, next_step)
        if not dumps:
            shown = ", ".join(e.name for e in entries[:5]) or "nothing"
            return fail(f"{real} holds no dumps: no file named like {example}.", shown,
                        f"{keep} files such as {example}", next_step)
        for entry in dumps:
            if entry.is_symlink() or not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                return fail(f"{entry.name} in {real} is not a regular file.", "not a file", "a dump file", next_step)
            found = read_from_host(real, entry.name, DUMP_READ_LIMIT)
            if found is None or found.status != "file":
                return fail(f"labcheck cannot read {entry.name} in {real}.", "unreadable", "a dump file", next_step)
            verdict = judge_dump(parse_dump(found.content, entry.name.endswith(".gz")), f"{entry.name} in {real}",
                                 table=table, row=row, one_database=one_database, next_step=next_step)
            if not verdict.passed:
                return verdict
            stamp = _stamp(entry.name)
            written = entry.stat(follow_symlinks=False).st_mtime
            if utc_names and stamp is not None and abs(stamp - written) > LOCAL_TIME_SLACK:
                hours = (stamp - written) / 3600
                return fail(f"{entry.name} in {real} was written at {_utc(written)} UTC, but its name says "
                            f"{_utc(stamp)}: {abs(hours):.1f} hours off, so the name holds local time, not UTC.",
                            entry.name, f"a name stamped {_utc(written)} (date -u)", next_step)
        if len(dumps) != keep:
            more = (f"the script must delete all but the newest {keep}" if len(dumps) > keep
                    else f"run the script until it has made more than {keep}, so that it has old ones to delete")
            return fail(f"{real} holds {len(dumps)} dated dumps, not {keep}: {more}.",
                        ", ".join(e.name for e in dumps[:6]), f"exactly {keep}", next_step)
        if newest_kept:
            newest = max(e.stat(follow_symlinks=False).st_mtime for e in dumps)
            changed = os.stat(real).st_mtime
            if changed - newest > NEWEST_SLACK:
                return fail(f"The newest dump {real} kept was written {changed - newest:.0f} s before the folder last "
                            "changed: the last run deleted the dump it had just made, so the rotation keeps the "
                            "oldest dumps, not the newest.", f"newest kept written {changed - newest:.0f} s earlier",
                            "the last run's dump among those kept", next_step)
        return ok(f"{real} holds the {keep} newest dumps, each with {table} and its row.")
    return Check(f"dated-dumps:{folder}", f"{os.path.basename(folder)}/ holds exactly {keep} dated dumps of {table}",
                 evaluate)


def _utc(seconds: float) -> str:
    import time
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))
