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


def judge_dump(dump: Dump, shown: str, *, table: str, row: str, cluster: bool = False,
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


def dated_dumps(folder: str, *, keep: int, table: str, row: str, example: str, next_step: str) -> Check:
    """`folder` (``$WORKSPACE/…``) holds exactly `keep` dumps whose names carry a date, each holding `row`."""
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
                                 table=table, row=row, next_step=next_step)
            if not verdict.passed:
                return verdict
        if len(dumps) != keep:
            more = (f"the script must delete all but the newest {keep}" if len(dumps) > keep
                    else f"run the script until it has made more than {keep}, so that it has old ones to delete")
            return fail(f"{real} holds {len(dumps)} dated dumps, not {keep}: {more}.",
                        ", ".join(e.name for e in dumps[:6]), f"exactly {keep}", next_step)
        return ok(f"{real} holds the {keep} newest dumps, each with {table} and its row.")
    return Check(f"dated-dumps:{folder}", f"{os.path.basename(folder)}/ holds exactly {keep} dated dumps of {table}",
                 evaluate)
