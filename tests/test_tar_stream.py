"""checker.reading.tar_stream reads what tarfile reads, in every header format, and refuses what is not a tar archive.

The engine's own archives are read through it in every engine test (test_volume_files, test_exercises);
these cover the formats and the damage an engine on this machine does not produce.
"""
from __future__ import annotations

import io
import tarfile

import pytest

from checker.reading.tar_stream import BLOCK, BrokenArchive, TarStream

ENTRIES = [
    ("data/notes.txt", "file", b"hello from a volume\n"),
    ("data/empty", "file", b""),
    ("data/exactly-one-block", "file", b"x" * BLOCK),
    ("data/" + "long-name-" * 12 + ".txt", "file", b"a name longer than 100 bytes"),
    ("data/caf\u00e9/men\u00fc.txt", "file", "non-ASCII names and content: \u00e9".encode()),
    ("data/sub", "dir", b""),
    ("data/link", "symlink", "notes.txt"),
    ("data/" + "far/" * 30 + "link", "symlink", "../" * 30 + "target-" * 20),
    ("data/hard", "hardlink", "data/notes.txt"),
    ("data/pipe", "other", b""),
    ("data/big-ish", "file", bytes(range(256)) * 300),
]


def archive(fmt: int, entries=ENTRIES) -> bytes:
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


def read_all(data: bytes, chunk: int = 4096) -> list[tuple[str, str, object]]:
    source = io.BytesIO(data)
    tar = TarStream(lambda size: source.read(min(size, chunk)))
    found = []
    for member in tar:
        value = tar.read() if member.kind == "file" else member.linkname if member.kind in ("symlink", "hardlink") \
            else b""
        found.append((member.name, member.kind, value))
    return found


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
                         ids=["ustar", "gnu", "pax"])
@pytest.mark.parametrize("chunk", [1, 700, 65536])
def test_every_format_reads_as_tarfile_reads_it(fmt, chunk):
    entries = ENTRIES if fmt != tarfile.USTAR_FORMAT else [e for e in ENTRIES if "far/" not in e[0]
                                                             and "long-name" not in e[0]]
    if fmt == tarfile.USTAR_FORMAT:
        entries = [e for e in entries if "caf" not in e[0]] + [("data/" + "deep/" * 25 + "x.txt", "file", b"prefix")]
    assert read_all(archive(fmt, entries), chunk) == [(n, k, v) for n, k, v in entries]


def test_a_member_read_in_part_does_not_spill_into_the_next():
    source = io.BytesIO(archive(tarfile.PAX_FORMAT))
    tar = TarStream(source.read)
    first = tar.next()
    assert (first.name, tar.read(5)) == ("data/notes.txt", b"hello")
    assert tar.next().name == "data/empty"
    assert tar.read(10) == b""
    assert tar.next().size == BLOCK


def test_pax_records_override_the_header():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("short")
        info.size = 3
        info.pax_headers = {"path": "the/real name with spaces=and equals", "comment": "ignored"}
        tar.addfile(info, io.BytesIO(b"abc"))
    assert read_all(buffer.getvalue()) == [("the/real name with spaces=and equals", "file", b"abc")]


def test_base256_sizes_are_read():
    data = bytearray(archive(tarfile.GNU_FORMAT, [("f", "file", b"12345")]))
    header = data[:BLOCK]
    header[124:136] = b"\x80" + (5).to_bytes(11, "big")
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    data[:BLOCK] = header
    assert read_all(bytes(data)) == [("f", "file", b"12345")]


def test_the_end_of_the_stream_without_end_blocks_is_the_end():
    data = archive(tarfile.PAX_FORMAT, [("a", "file", b"1")])
    assert read_all(data[:2 * BLOCK]) == [("a", "file", b"1")]


@pytest.mark.parametrize("damage", ["checksum", "truncated header", "truncated content", "not tar",
                                    "bad number", "bad pax"])
def test_damage_is_a_broken_archive_not_a_guess(damage):
    data = bytearray(archive(tarfile.PAX_FORMAT, [("a", "file", b"x" * 1000)]))
    if damage == "checksum":
        data[0:1] = b"b"
    elif damage == "truncated header":
        data = data[:300]
    elif damage == "truncated content":
        data = data[:BLOCK + 100]
    elif damage == "not tar":
        data = bytearray(b"<html>not an archive</html>".ljust(BLOCK, b" "))
    elif damage == "bad number":
        data[124:136] = b"12z4\0\0\0\0\0\0\0\0"
    elif damage == "bad pax":
        pax = bytearray(archive(tarfile.PAX_FORMAT, [("\u00e9" * 3, "file", b"x")]))
        start = pax.index(b" path=")
        pax[start - 2:start] = b"zz"
        data = pax
    with pytest.raises(BrokenArchive):
        read_all(bytes(data))


def test_hostile_extended_header_sizes_are_refused_before_reading():
    data = bytearray(archive(tarfile.PAX_FORMAT, [("\u00e9", "file", b"x")]))
    header = data[:BLOCK]
    header[124:136] = b"\x80" + (1 << 40).to_bytes(11, "big")
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    data[:BLOCK] = header
    with pytest.raises(BrokenArchive, match="too large"):
        read_all(bytes(data))
