"""PostgreSQL dumps are graded by what they hold: who wrote them, from which server, the table and its row."""
from __future__ import annotations

import gzip
import os

from checker.grading.dump_checks import dated_dumps, host_dump, parse_dump

HEADER = """--
-- PostgreSQL database dump
--

-- Dumped from database version {server}.2 (Debian {server}.2-1)
-- Dumped by pg_dump version {client}.1 (Debian {client}.1-1)
"""
TABLE = """
CREATE TABLE public.orders (
    item text
);

COPY public.orders (item) FROM stdin;
one pot of tea
\\.
"""


def dump(server="17", client="17", body=TABLE, cluster=False) -> str:
    head = "--\n-- PostgreSQL database cluster dump\n--\n\n" if cluster else ""
    return head + HEADER.format(server=server, client=client) + body


def check_file(tmp_path, name, content, **wanted):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return host_dump(str(path), table="orders", row="one pot of tea", next_step="Dump again.", **wanted).evaluate(None)


def test_the_header_says_which_server_and_which_client():
    parsed = parse_dump(dump(server="17", client="18", cluster=True).encode())
    assert parsed.kind == "cluster" and parsed.servers == {"17"} and parsed.clients == {"18"}
    assert parse_dump(dump().encode()).kind == "database"
    assert parse_dump(b"").kind == "empty"
    assert parse_dump(b"PGDMP\x01\x0e").kind == "custom"
    assert parse_dump(b"hello").kind == "not a dump"


def test_a_good_dump_passes(tmp_path):
    assert check_file(tmp_path, "d.sql", dump(), server_major="17").passed


def test_each_wrong_dump_gets_its_own_words(tmp_path):
    cases = [
        ("", {}, "is empty"),
        ("SELECT 1;\n", {}, "is not a PostgreSQL dump"),
        (b"PGDMP\x01", {}, "custom-format dump"),
        (dump(), {"cluster": True}, "is a dump of one database"),
        (dump(server="15"), {"server_major": "17"}, "dumped from a PostgreSQL 15 server"),
        (dump(client="17"), {"client_major": "18"}, "written by pg_dump 17"),
        (dump(body=""), {}, "holds no table orders"),
        (dump(body=TABLE.replace("one pot of tea", "scones")), {}, "not its row 'one pot of tea'"),
    ]
    for number, (content, wanted, words) in enumerate(cases):
        verdict = check_file(tmp_path, f"d{number}.sql", content, **wanted)
        assert verdict.passed is False and words in verdict.message, (words, verdict.message)


def test_a_missing_dump_starts_with_there_is_no(tmp_path):
    verdict = host_dump(str(tmp_path / "nope" / "d.sql"), table="t", row="r", next_step="x").evaluate(None)
    assert verdict.passed is False and verdict.message.startswith("There is no d.sql")


def test_a_sql_gz_must_be_gzip_and_is_read_decompressed(tmp_path):
    assert check_file(tmp_path, "d.sql.gz", gzip.compress(dump().encode())).passed
    verdict = check_file(tmp_path, "e.sql.gz", dump())
    assert verdict.passed is False and "not gzip-compressed" in verdict.message


def rotation(tmp_path, names, content=None):
    folder = tmp_path / "dumps"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_text(dump() if content is None else content)
    return dated_dumps(str(folder), keep=3, table="orders", row="one pot of tea", example="shop-2026-01-01.sql",
                       next_step="Run the script.").evaluate(None)


def test_rotation_keeps_exactly_n_dated_dumps(tmp_path):
    stamps = ["shop-2026-11-23_101500.sql", "shop-2026-11-23_101501.sql", "shop-20261123-101502.sql"]
    assert rotation(tmp_path / "a", stamps).passed
    verdict = rotation(tmp_path / "b", stamps + ["shop-2026-11-23_101503.sql"])
    assert verdict.passed is False and "holds 4 dated dumps, not 3" in verdict.message
    verdict = rotation(tmp_path / "c", ["shop.sql"])
    assert verdict.passed is False and "shop.sql" in verdict.message and "no date in its name" in verdict.message
    verdict = rotation(tmp_path / "d", stamps, content="")
    assert verdict.passed is False and "is empty" in verdict.message


def test_rotation_ignores_hidden_partial_files_and_reads_no_links(tmp_path):
    stamps = ["shop-2026-11-23_101500.sql", "shop-2026-11-23_101501.sql", "shop-2026-11-23_101502.sql"]
    (tmp_path / "x").mkdir()
    folder = tmp_path / "x" / "dumps"
    folder.mkdir()
    for name in stamps[:2]:
        (folder / name).write_text(dump())
    (folder / ".partial.sql").write_text("")
    (tmp_path / "outside.sql").write_text(dump())
    os.symlink(tmp_path / "outside.sql", folder / stamps[2])
    verdict = dated_dumps(str(folder), keep=3, table="orders", row="one pot of tea", example="e",
                          next_step="x").evaluate(None)
    assert verdict.passed is False and "not a regular file" in verdict.message


def test_a_missing_folder_starts_with_there_is_no(tmp_path):
    verdict = dated_dumps(str(tmp_path / "none"), keep=3, table="t", row="r", example="e",
                          next_step="x").evaluate(None)
    assert verdict.passed is False and verdict.message.startswith("There is no folder")
