"""Redis's files are graded by what they hold: the snapshot's magic and key, the AOF its manifest names, and
whether the running server read them when it started. The files in tests/redis_files/ were written by redis:8
(8.0.2): dump.rdb after `SET lab:greeting hello-redis` and BGSAVE, and the AOF of a server started with
--appendonly yes that then ran the same SET."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.grading.redis_checks import (aof_holds, aof_in_volume, appendonly_on, host_rdb, is_rdb, loaded_at_start,
                                          manifest_files, plain_string, rdb_holds, volume_rdb)
from checker.reading.volume_files import FileRead

FILES = Path(__file__).parent / "redis_files"
KEY, VALUE = "lab:greeting", "hello-redis"
STARTED = "2026-12-03T02:10:10.385200094Z"
BEFORE, AFTER = 1796263800.0, 1796263820.0        # 02:10:00 and 02:10:20 UTC, around STARTED


def real(name: str) -> bytes:
    return (FILES / name).read_bytes()


AOF_FILES = {
    "appendonlydir/appendonly.aof.manifest": real("appendonly.aof.manifest"),
    "appendonlydir/appendonly.aof.1.base.rdb": real("appendonly.aof.1.base.rdb"),
    "appendonlydir/appendonly.aof.1.incr.aof": real("appendonly.aof.1.incr.aof"),
}


class FakeView:
    """Volumes as {volume: {path: bytes}}, every file written at `mtime`; containers as inspect dicts."""

    def __init__(self, volumes: dict[str, dict[str, bytes]], containers: dict[str, dict], mtime: float = BEFORE,
                 container_files: dict[str, bytes] | None = None) -> None:
        self.volumes, self.containers, self.mtime = volumes, containers, mtime
        self.container_files = container_files or {}

    def read_volume_file(self, volume, path, limit=64 * 1024, exact_time=False) -> FileRead:
        content = self.volumes.get(volume, {}).get(path)
        if content is None:
            return FileRead("missing")
        return FileRead("file", content[:limit], len(content) > limit, mtime=self.mtime)

    def container(self, name):
        return self.containers.get(name)

    def read_container_file(self, name, path, limit=64 * 1024) -> FileRead:
        content = self.container_files.get(path)
        return FileRead("file", content) if content is not None else FileRead("missing")


def redis(*cmd: str, started: str = STARTED) -> dict:
    return {"Config": {"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["redis-server", *cmd], "WorkingDir": "/data"},
            "State": {"Running": True, "StartedAt": started}}


def test_a_real_snapshot_holds_the_key_as_plain_bytes():
    dump = real("dump.rdb")
    assert is_rdb(dump) and rdb_holds(dump, KEY, VALUE)
    assert not rdb_holds(dump, KEY, "hello-other") and not rdb_holds(dump, "lab:other", VALUE)
    assert not is_rdb(b"\x1f\x8b\x08") and not is_rdb(b"")


def test_the_aof_holds_the_set_command_and_its_manifest_names_base_and_incr():
    assert aof_holds(real("appendonly.aof.1.incr.aof"), KEY, VALUE)
    assert not aof_holds(real("appendonly.aof.1.incr.aof"), KEY, "hello-other")
    assert manifest_files(real("appendonly.aof.manifest").decode()) == [
        ("appendonly.aof.1.base.rdb", "b"), ("appendonly.aof.1.incr.aof", "i")]
    assert manifest_files('file "odd name.aof" seq 2 type i startoffset 0\nnot a file line\n') == [
        ("odd name.aof", "i")]


def test_only_short_non_integer_strings_can_be_graded_as_bytes():
    plain_string(KEY, VALUE)
    for key, value in ((KEY, "12345"), (KEY, "x" * 21), ("", VALUE), ("k" * 64, VALUE)):
        with pytest.raises(ValueError):
            plain_string(key, value)


def grade(check, view):
    return check.evaluate(view)


def test_the_aof_in_a_volume_is_read_through_its_manifest():
    check = aof_in_volume("data", KEY, VALUE, next_step="Set it.")
    assert grade(check, FakeView({"data": AOF_FILES}, {})).passed
    assert grade(check, FakeView({"data": {"appendonly.aof": real("appendonly.aof.1.incr.aof")}}, {})).passed
    fresh = grade(check, FakeView({"data": {}}, {}))
    assert not fresh.passed and fresh.message.startswith("There is no AOF in volume data")
    missing = {k: v for k, v in AOF_FILES.items() if not k.endswith("incr.aof")}
    broken = grade(check, FakeView({"data": missing}, {}))
    assert not broken.passed and "names appendonlydir/appendonly.aof.1.incr.aof" in broken.message


def test_an_aof_started_over_snapshot_data_is_told_apart():
    empty_incr = {**AOF_FILES, "appendonlydir/appendonly.aof.1.incr.aof": b"", "dump.rdb": real("dump.rdb")}
    verdict = grade(aof_in_volume("data", KEY, VALUE, next_step="Set it."), FakeView({"data": empty_incr}, {}))
    assert not verdict.passed and "With AOF on, Redis loads the AOF" in verdict.message


def test_appendonly_in_the_command_or_its_configuration_file():
    check = appendonly_on("r", "data", "docker run …")
    assert grade(check, FakeView({"data": {}}, {"r": redis("--appendonly", "yes")})).passed
    assert grade(check, FakeView({"data": {}}, {"r": redis("--save", "60", "1", "--appendonly", "yes")})).passed
    conf = FakeView({"data": {}}, {"r": redis("/etc/redis.conf")}, container_files={"/etc/redis.conf": b"appendonly yes\n"})
    assert grade(check, conf).passed
    off = grade(check, FakeView({"data": {}}, {"r": redis()}))
    assert not off.passed and "does not turn AOF on" in off.message
    runtime = grade(check, FakeView({"data": AOF_FILES}, {"r": redis()}))
    assert not runtime.passed and "switched on at run time" in runtime.message


def test_a_server_must_have_started_after_the_file_holding_the_key_was_written():
    aof = FakeView({"data": AOF_FILES}, {"r": redis("--appendonly", "yes")}, mtime=BEFORE)
    check = loaded_at_start("r", "data", KEY, VALUE, redo="Restart it.")
    assert grade(check, aof).passed
    later = FakeView({"data": AOF_FILES}, {"r": redis("--appendonly", "yes")}, mtime=AFTER)
    verdict = grade(check, later)
    assert not verdict.passed and "the server reads its files only when it starts" in verdict.message
    snapshot = FakeView({"data": {"dump.rdb": real("dump.rdb")}}, {"r": redis()})
    assert grade(check, snapshot).passed
    with_aof_on = FakeView({"data": {"dump.rdb": real("dump.rdb"), **{k: b"" for k in AOF_FILES}}},
                           {"r": redis("--appendonly", "yes")})
    verdict = grade(check, with_aof_on)
    assert not verdict.passed and "runs with AOF on" in verdict.message


def test_snapshots_in_volumes_and_on_the_host(tmp_path):
    check = volume_rdb("data", "dump.rdb", KEY, VALUE, next_step="Copy it.")
    assert grade(check, FakeView({"data": {"dump.rdb": real("dump.rdb")}}, {})).passed
    assert grade(check, FakeView({"data": {}}, {})).message.startswith("There is no dump.rdb in volume data")
    not_rdb = grade(check, FakeView({"data": {"dump.rdb": b"hello"}}, {}))
    assert not not_rdb.passed and "not an RDB snapshot" in not_rdb.message
    (tmp_path / "copy.rdb").write_bytes(real("dump.rdb"))
    assert grade(host_rdb(str(tmp_path / "copy.rdb"), KEY, VALUE, next_step="Copy it."), None).passed
    (tmp_path / "old.rdb").write_bytes(real("appendonly.aof.1.base.rdb"))       # a snapshot of an empty dataset
    old = grade(host_rdb(str(tmp_path / "old.rdb"), KEY, VALUE, next_step="Copy it."), None)
    assert not old.passed and "without lab:greeting" in old.message
    missing = grade(host_rdb(str(tmp_path / "none" / "x.rdb"), KEY, VALUE, next_step="Copy it."), None)
    assert missing.message.startswith("There is no x.rdb")
