"""Grading's two reads of the engine's archive stream (`read_through_container` for one file, `take_snapshot` for a
helper's volumes) read what was written, in every header format and however the stream is cut into chunks, and
turn damage into the same verdict as ever: an unreadable file, a volume the snapshot does not vouch for.

The engine's own archives are read through them in every engine test (test_exercises, test_learner); these feed
them the formats and the damage an engine on this machine does not produce.
"""
from __future__ import annotations

import base64
import io
import json
import tarfile
import time

import pytest

from checker.reading.volume_files import DEFAULT_LIMIT, MAX_EXTENSION, read_through_container
from checker.reading.volume_snapshot import Entry, take_snapshot

BLOCK = tarfile.BLOCKSIZE
BROKEN = ("unreadable", "the engine sent a broken archive")
ENTRIES = [
    ("data/notes.txt", "file", b"hello from a volume\n"),
    ("data/.hidden", "file", b"a dot file"),
    ("data/empty", "file", b""),
    ("data/exactly-one-block", "file", b"x" * BLOCK),
    ("data/" + "long-name-" * 12 + ".txt", "file", b"a name longer than 100 bytes"),
    ("data/caf\u00e9/men\u00fc.txt", "file", "non-ASCII names and content: \u00e9".encode()),
    ("data/sub", "dir", b""),
    ("data/link", "symlink", "notes.txt"),
    ("data/" + "far/" * 30 + "link", "symlink", "../" * 30 + "target-" * 20),
    ("data/hard", "hardlink", "data/notes.txt"),
    ("data/pipe", "other", b""),
    ("data/big-ish", "file", bytes(range(256)) * 300),       # over DEFAULT_LIMIT: skipped, not kept
    ("data/after-big", "file", b"read after a member skipped"),
    ("data/more", "dir", b""),
    ("data/more/one.txt", "file", b"one"),
]


class Engine:
    """An engine whose archive endpoint answers with `data`, `chunk` bytes at most per read, counting what is read."""

    def __init__(self, data: bytes, chunk: int = 4096, stat: dict | None = None, status: int = 200) -> None:
        self.data, self.chunk, self.status, self.sent, self.closed = data, chunk, status, 0, False
        self.stat = {"name": "f", "size": 1, "mode": 0o644, "mtime": "2024-05-01T12:00:00.5Z", **(stat or {})}

    def archive(self, container_id, path):
        engine, stream = self, io.BytesIO(self.data)
        header = base64.b64encode(json.dumps(self.stat).encode()).decode().rstrip("=")

        class Response:
            status, headers = engine.status, {"X-Docker-Container-Path-Stat": header}

            def read(self, size=-1):
                data = stream.read(engine.chunk if size < 0 else min(size, engine.chunk))
                engine.sent += len(data)
                return data

            def close(self):
                engine.closed = True
        return Response()


def archive(fmt: int = tarfile.PAX_FORMAT, entries=ENTRIES) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        for name, kind, value in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if kind == "file":
                info.size = len(value)
                tar.addfile(info, io.BytesIO(value))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                         "other": tarfile.FIFOTYPE}[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = value
            tar.addfile(info)
    return buffer.getvalue()


def expected(entries) -> dict[str, Entry]:
    """What a snapshot should hold: entries by path under their top folder, as take_snapshot keeps them."""
    kept = {}
    for name, kind, value in entries:
        key = name.split("/", 1)[1]
        if kind == "file":
            kept[key] = Entry("file", len(value), value if len(value) <= DEFAULT_LIMIT else None)
        else:
            kept[key] = Entry("symlink", link=value) if kind == "symlink" else Entry(
                "dir" if kind == "dir" else "other")
    return kept


def snapshot_of(data: bytes, chunk: int = 4096, root: str = "/data"):
    """A snapshot of `root` (its members are named from its base name on, as the engine names them)."""
    return take_snapshot(Engine(data, chunk), "helper", root)


def read_one(data: bytes, chunk: int = 4096, limit: int = DEFAULT_LIMIT, **stat):
    return read_through_container(Engine(data, chunk, stat), "c", "/f", limit)


def with_size_field(data: bytes, field: bytes) -> bytes:
    """`data` with its first header's size field replaced, and the checksum made right again."""
    header = bytearray(data[:BLOCK])
    header[124:136] = field
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    return bytes(header) + data[BLOCK:]


def formats():
    return pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
                                   ids=["ustar", "gnu", "pax"])


def entries_for(fmt: int):
    if fmt != tarfile.USTAR_FORMAT:
        return ENTRIES
    plain = [e for e in ENTRIES if "far/" not in e[0] and "long-name" not in e[0] and "caf" not in e[0]]
    return plain + [("data/" + "deep/" * 25 + "x.txt", "file", b"prefix")]    # USTAR's name prefix


@formats()
@pytest.mark.parametrize("chunk", [1, 700, 65536])
def test_a_snapshot_reads_every_format_as_written(fmt, chunk):
    entries = entries_for(fmt)
    snapshot = snapshot_of(archive(fmt, entries), chunk)
    assert snapshot.entries == expected(entries)
    assert snapshot.complete == {key.split("/")[0] for key in expected(entries)}      # every folder seen whole


@formats()
@pytest.mark.parametrize("chunk", [1, 700, 65536])
def test_a_file_read_reads_every_format_as_written(fmt, chunk):
    for name, kind, value in entries_for(fmt):
        if kind != "file":
            continue
        base = name.rsplit("/", 1)[1]                 # the engine names a file's one member by its base name
        engine = Engine(archive(fmt, [(base, "file", value)]), chunk, {"size": len(value)})
        found = read_through_container(engine, "c", "/" + base, limit=len(value) + 1)
        assert (found.status, found.content, found.truncated) == ("file", value, False), name
        assert found.mtime == 1714564800.5 and engine.closed


def test_other_kinds_and_absence_read_as_before():
    assert read_one(archive(entries=[("sub", "dir", b"")])).status == "not_file"
    assert read_one(archive(entries=[("pipe", "other", b"")])).status == "not_file"
    assert read_one(b"").status == "missing"                          # no member at all
    assert read_one(bytes(2 * BLOCK)).status == "missing"             # the end blocks alone


def test_a_file_read_takes_only_what_the_limit_allows():
    big = bytes(range(256)) * 4096                                   # 1 MB: the file grew after the engine's stat
    engine = Engine(archive(entries=[("f", "file", big)]), 65536, {"size": 3})
    found = read_through_container(engine, "c", "/f", limit=5)
    assert (found.content, found.truncated) == (big[:5], True)
    assert engine.sent < 32 * 1024 and engine.closed                 # a header, 6 bytes and tarfile's read-ahead
    larger = read_one(archive(entries=[("f", "file", big)]), size=len(big))
    assert (larger.status, larger.content, larger.truncated, larger.detail) == \
        ("file", b"", True, "larger than the read limit")            # the engine's stat said so: nothing read


def test_pax_records_override_the_header():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("short")
        info.size = 3
        info.pax_headers = {"path": "the/real name with spaces=and equals", "comment": "ignored"}
        tar.addfile(info, io.BytesIO(b"abc"))
    assert snapshot_of(buffer.getvalue()).entries == {"real name with spaces=and equals": Entry("file", 3, b"abc")}


def test_base256_sizes_are_read():
    data = with_size_field(archive(tarfile.GNU_FORMAT, [("d/f", "file", b"12345")]), b"\x80" + (5).to_bytes(11, "big"))
    assert snapshot_of(data).entries == {"f": Entry("file", 5, b"12345")}


def test_the_end_of_the_stream_without_end_blocks_is_the_end():
    data = archive(entries=[("d/a", "file", b"1")])[:2 * BLOCK]
    snapshot = snapshot_of(data, 1)
    assert (snapshot.entries, snapshot.complete) == ({"a": Entry("file", 1, b"1")}, {"a"})
    assert read_one(archive(entries=[("a", "file", b"1")])[:2 * BLOCK], 1).content == b"1"


def test_hostile_names_and_links_are_kept_as_names_never_followed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = archive(entries=[("d/../../escape", "file", b"x"), ("/abs/x", "file", b"y"),
                            ("d/link", "symlink", "/etc/passwd"), ("d/link/through", "file", b"z")])
    snapshot = snapshot_of(data, root="/d")
    assert snapshot.entries == {"x": Entry("file", 1, b"y"), "link": Entry("symlink", link="/etc/passwd"),
                                "link/through": Entry("file", 1, b"z")}
    assert snapshot.lookup("/d/link/through") is None                  # through a symlink: the engine decides
    assert read_one(archive(entries=[("../../escape", "file", b"x")]), size=1).content == b"x"   # the one member
    assert list(tmp_path.iterdir()) == []                               # nothing is extracted


def test_a_huge_member_is_not_skipped_past_the_budget():
    claim = with_size_field(archive(entries=[("d/huge", "file", b"")]), b"\x80" + (1 << 80).to_bytes(11, "big"))
    data = claim[:BLOCK] + bytes(3 * 1024 * 1024)
    started = time.monotonic()
    engine = Engine(data, 65536)
    snapshot = take_snapshot(engine, "helper", "/d", budget=1024 * 1024)
    assert snapshot.complete == set() and snapshot.lookup("/d/huge") is None
    assert engine.sent <= 1024 * 1024 and time.monotonic() - started < 2
    short = take_snapshot(Engine(data[:200 * 1024]), "helper", "/d")    # the stream ends first
    assert short.complete == set() and time.monotonic() - started < 2


def damaged(damage: str, folder: str = "") -> bytes:
    """An archive of one file, `folder` + a name, damaged as `damage` says."""
    data = bytearray(archive(entries=[(folder + "a", "file", b"x" * 1000)]))
    if damage == "checksum":
        data[0:1] = b"b"
    elif damage == "truncated header":
        data = data[:300]
    elif damage == "truncated content":
        data = data[:BLOCK + 100]
    elif damage == "not tar":
        data = bytearray(b"<html>not an archive</html>".ljust(BLOCK, b" "))
    elif damage == "bad number":
        data = bytearray(with_size_field(bytes(data), b"12z4\0\0\0\0\0\0\0\0"))
    elif damage == "bad pax":
        data = bytearray(archive(entries=[(folder + "\u00e9" * 3, "file", b"x")]))
        start = data.index(b" path=")
        data[start - 2:start] = b"zz"
    elif damage == "pax size":
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(folder + "a")
            info.pax_headers = {"size": "lots"}
            tar.addfile(info)
        data = bytearray(buffer.getvalue())
    elif damage == "oversized extended header":
        data = bytearray(with_size_field(archive(entries=[(folder + "\u00e9", "file", b"x")]),
                                         b"\x80" + (MAX_EXTENSION + 1).to_bytes(11, "big")) + bytes(2 * MAX_EXTENSION))
    return bytes(data)


DAMAGE = ["checksum", "truncated header", "truncated content", "not tar", "bad number", "bad pax", "pax size",
          "oversized extended header"]


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("chunk", [1, 65536])
def test_damage_is_an_unreadable_file_not_a_guess(damage, chunk):
    engine = Engine(damaged(damage), chunk, {"size": 1000})
    found = read_through_container(engine, "c", "/a")
    assert (found.status, found.detail) == BROKEN
    assert engine.sent < 64 * 1024                                    # an oversized header is refused unread


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_after_the_first_volume_leaves_that_volume_to_per_file_reads(damage):
    """tarfile alone ends an archive quietly at a bad header after the first; a snapshot does not vouch for it."""
    whole = archive(entries=[("d/first", "dir", b""), ("d/first/ok.txt", "file", b"ok"), ("d/second", "dir", b"")])
    snapshot = snapshot_of(whole[:4 * BLOCK] + damaged(damage, "d/second/"), root="/d")     # no end blocks between
    assert snapshot.complete == {"first"} and snapshot.lookup("/d/first/ok.txt").content == b"ok"
    assert snapshot.lookup("/d/second/missing.txt") is None            # not "missing": it did not see all of it


def test_the_engine_stopping_mid_stream_is_still_its_own_verdict():
    data = archive(entries=[("f", "file", b"x" * 5000)])

    class Dropping(Engine):
        def archive(self, container_id, path):
            response = super().archive(container_id, path)
            read = response.read

            def dropping(size=-1):
                if self.sent > 1000:
                    raise ConnectionResetError("the engine closed the connection in the middle of a response")
                return read(size)
            response.read = dropping
            return response

    found = read_through_container(Dropping(data, 600, {"size": 5000}), "c", "/f")
    assert (found.status, found.detail) == ("unreadable", "the engine's archive stopped before its end")
    assert take_snapshot(Dropping(data, 600), "helper", "/").complete == set()
