"""One archive read answers for every small file a helper mounts; anything it cannot vouch for is left to a
per-file read (lookup answers None)."""
from __future__ import annotations

import io
import tarfile

from checker.reading.volume_files import DEFAULT_LIMIT
from checker.reading.volume_snapshot import take_snapshot

ROOT = "/labcheck-volume-9f3c"


class Archive:
    """An engine whose one container's archive is the given tar bytes."""

    def __init__(self, data: bytes, status: int = 200) -> None:
        self.data, self.status, self.asked = data, status, []

    def archive(self, container_id, path):
        self.asked.append(path)
        stream, status = io.BytesIO(self.data), self.status

        class Response:
            def __init__(self):
                self.status = status

            def read(self, size=-1):
                return stream.read(size)

            def close(self):
                pass
        return Response()


def tar_of(entries) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, kind, value in entries:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, value
                tar.addfile(info)
            else:
                info.size = len(value)
                tar.addfile(info, io.BytesIO(value))
    return buffer.getvalue()


VOLUMES = [("labcheck-volume-9f3c", "dir", None), ("labcheck-volume-9f3c/0", "dir", None),
           ("labcheck-volume-9f3c/0/note.txt", "file", b"hello\n"),
           ("labcheck-volume-9f3c/0/photos", "dir", None),
           ("labcheck-volume-9f3c/0/photos/cat.txt", "file", b"meow"),
           ("labcheck-volume-9f3c/0/link", "symlink", "/etc/passwd"),
           ("labcheck-volume-9f3c/0/big.bin", "file", b"x" * (DEFAULT_LIMIT + 1)),
           ("labcheck-volume-9f3c/1", "dir", None),
           ("labcheck-volume-9f3c/1/data.txt", "file", b"one")]


def test_one_read_answers_like_per_file_reads():
    engine = Archive(tar_of(VOLUMES))
    snapshot = take_snapshot(engine, "helper", ROOT)
    assert engine.asked == [ROOT]
    look = snapshot.lookup
    assert (look(f"{ROOT}/0/note.txt").status, look(f"{ROOT}/0/note.txt").content) == ("file", b"hello\n")
    assert look(f"{ROOT}/0/photos/cat.txt").content == b"meow"
    assert look(f"{ROOT}/1/data.txt").content == b"one"
    assert look(f"{ROOT}/0/missing.txt").status == "missing"
    assert look(f"{ROOT}/0/nodir/missing.txt").status == "missing"
    assert (look(f"{ROOT}/0/link").status, look(f"{ROOT}/0/link").detail) == ("symlink", "/etc/passwd")
    assert look(f"{ROOT}/0/photos").status == "not_file"
    assert look(f"{ROOT}/0/note.txt", 0).truncated and look(f"{ROOT}/0/note.txt", 0).content == b""
    assert look(f"{ROOT}/0/big.bin").truncated                         # larger than the limit: as per file
    assert look(f"{ROOT}/0/big.bin", DEFAULT_LIMIT + 5) is None        # not kept: read it on its own
    assert look(f"{ROOT}/0/link/inside") is None                       # through a symlink: the engine decides
    assert look(f"{ROOT}/0/../1/data.txt") is None and look("/etc/passwd") is None
    assert look(f"{ROOT}/7/note.txt") is None                          # a volume it never saw


def test_a_read_cut_short_vouches_only_for_what_it_saw_whole():
    data = tar_of(VOLUMES)
    cut = data.index(b"one")                     # the budget ends inside volume 1
    snapshot = take_snapshot(Archive(data), "helper", ROOT, budget=cut)
    assert snapshot.lookup(f"{ROOT}/0/note.txt").content == b"hello\n"
    assert snapshot.lookup(f"{ROOT}/1/data.txt") is None
    assert snapshot.lookup(f"{ROOT}/1/other.txt") is None


def test_an_engine_that_refuses_leaves_everything_to_per_file_reads():
    snapshot = take_snapshot(Archive(b"", status=500), "helper", ROOT)
    assert snapshot.lookup(f"{ROOT}/0/note.txt") is None
