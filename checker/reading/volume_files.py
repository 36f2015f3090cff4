"""Read a file inside a volume without starting a container, bounded in size.

The routes, in the order checker/reading/view.py tries them:

1. the volume's ``Mountpoint`` on this host, when labcheck runs beside the
   engine with the rights to read it (Docker Engine on Linux, as root or with
   access to /var/lib/docker). Paths are walked one component at a time with
   ``O_NOFOLLOW``, so a symlink planted in a volume is reported, never followed.
2. the engine's archive endpoint on a container that already mounts the volume
   (running or stopped; reading an archive does not start it). Never one that was
   never started: for it the engine makes the mount points in the container's own
   layer as it serves the archive (see ``view.reads_through``).
3. a helper container (checker/reading/helper_reads.py): created, never started,
   network-less, read-only mounts, removed before the verdict. This is how
   Docker Desktop, where the Mountpoint lives in a VM, is served when no container
   mounts the volume.
"""
from __future__ import annotations

import binascii
import errno
import json
import os
import stat

from checker.record import record
from checker.reading.times import engine_time

DEFAULT_LIMIT = 64 * 1024
GO_MODE_SYMLINK = 1 << 27   # os.ModeSymlink in the engine's archive stat header
GO_MODE_DIR = 1 << 31
MAX_EXTENSION = 1024 * 1024     # an extended header (PAX, GNU long name) larger than this is not the engine's
HEADROOM = MAX_EXTENSION + 64 * 1024    # a member's headers, and tarfile's read-ahead (a 10 KB record)
_KINDS = {b"0": "file", b"\0": "file", b"7": "file", b"5": "dir", b"2": "symlink", b"1": "hardlink"}
_EXTENSIONS = (b"x", b"g", b"X", b"L", b"K")   # PAX per-file, global, Solaris; GNU long name, long link name


@record
class FileRead:
    """What was found at a path."""

    status: str             # "file", "missing", "symlink", "not_file", "unreadable"
    content: bytes = b""    # at most `limit` bytes
    truncated: bool = False
    detail: str = ""        # e.g. a symlink's target, the kind of a non-file, why unreadable
    mtime: float | None = None   # when the file was last written (seconds since the epoch), if known

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def clean_relative(path: str) -> list[str] | None:
    """Path components inside the volume, or None if the path climbs out of it."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return None if ".." in parts else parts


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def read_from_host(mountpoint: str, path: str, limit: int = DEFAULT_LIMIT) -> FileRead | None:
    """Read via the host directory; None when this host cannot see it."""
    parts = clean_relative(path)
    if parts is None:
        return FileRead("unreadable", detail="the path leaves the volume")
    try:
        dir_fd = os.open(mountpoint, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        for i, name in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | (0 if last else os.O_DIRECTORY)
            try:
                fd = os.open(name, flags, dir_fd=dir_fd)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    return FileRead("missing")
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    try:
                        return FileRead("symlink", detail=os.readlink(name, dir_fd=dir_fd))
                    except OSError:
                        return FileRead("not_file", detail=f"{'/'.join(parts[:i + 1])} is not a directory")
                if exc.errno == errno.ENXIO:      # a FIFO or socket with nobody on the other end
                    return FileRead("not_file", detail="a FIFO or socket")
                if exc.errno in (errno.EACCES, errno.EPERM):   # not ours to read: the engine route can
                    return None
                return FileRead("unreadable", detail=exc.strerror or str(exc))
            os.close(dir_fd)
            dir_fd = fd
        info = os.fstat(dir_fd)
        if not stat.S_ISREG(info.st_mode):
            return FileRead("not_file", detail=_kind_of(info.st_mode))
        data = os.read(dir_fd, limit + 1) if limit else b""
        chunks = [data]
        while len(data) and sum(map(len, chunks)) <= limit:
            data = os.read(dir_fd, limit + 1 - sum(map(len, chunks)))
            chunks.append(data)
        content = b"".join(chunks)
        return FileRead("file", content[:limit], truncated=len(content) > limit, mtime=info.st_mtime)
    finally:
        os.close(dir_fd)


def read_through_container(engine, container_id: str, path_in_container: str,
                           limit: int = DEFAULT_LIMIT) -> FileRead:
    """Read via GET /containers/{id}/archive; works on stopped containers and starts nothing.

    The response is closed after `limit` bytes: the engine would otherwise
    stream all of a 10 GB file.
    """
    response = engine.archive(container_id, path_in_container)
    try:
        if response.status == 404:
            return FileRead("missing")
        if response.status != 200:
            return FileRead("unreadable", detail=response.read(300).decode("utf-8", "replace").strip())
        header = _decode_stat(response.headers.get("X-Docker-Container-Path-Stat", ""))
        mode = int(header.get("mode", 0))
        if mode & GO_MODE_SYMLINK:
            return FileRead("symlink", detail=header.get("linkTarget", ""))
        if mode & GO_MODE_DIR:
            return FileRead("not_file", detail="a directory")
        if mode & ~0o7777:          # any file-type bit left: a FIFO, socket or device
            return FileRead("not_file", detail="not a regular file")
        mtime = engine_time(header.get("mtime", ""))
        if int(header.get("size", 0)) > limit:
            return FileRead("file", b"", truncated=True, detail="larger than the read limit", mtime=mtime)
        import tarfile            # here, not at the top: a grade that reads no archive does not load it

        # Only the bytes needed are read (the member's headers, then at most limit + 1 bytes of the file, with
        # tarfile's read-ahead); closing the response then stops the engine from sending the rest of a large file.
        try:
            tar = open_archive(ReadBudget(response.read, limit + HEADROOM))
            member = next(iter(tar), None)
            if member is None:
                return FileRead("missing")
            if member_kind(member) != "file":
                return FileRead("not_file", detail="not a regular file")
            content = tar.extractfile(member).read(limit + 1)
        except (tarfile.TarError, EOFError):
            return FileRead("unreadable", detail="the engine sent a broken archive")
        except OSError:
            return FileRead("unreadable", detail="the engine's archive stopped before its end")
        return FileRead("file", content[:limit], truncated=len(content) > limit or member.size > limit, mtime=mtime)
    finally:
        response.close()


def _decode_stat(header: str) -> dict:
    try:
        return json.loads(binascii.a2b_base64(header + "=" * (-len(header) % 4)) or b"{}")
    except (ValueError, TypeError):
        return {}


def member_kind(member) -> str:
    """A tarfile.TarInfo's kind: "file", "dir", "symlink", "hardlink" or "other" (a device, FIFO or sparse file)."""
    return _KINDS.get(member.type, "other")


class ReadBudget:
    """The file object tarfile reads an archive stream through: `read` (a response's) behind a byte budget.

    It gives at most `left` bytes. Reading past the budget, or on after the stream has ended, is a
    tarfile.ReadError: tarfile skips a member it is not asked for by reading it, and a header that claims
    terabytes must not be skipped one empty read at a time. (So take members by iterating: iteration stops at
    the end, where TarFile.next() would read again.)
    """

    def __init__(self, read, budget: int) -> None:
        import tarfile

        self._read, self.left, self._ended, self._broken = read, budget, False, tarfile.ReadError

    def read(self, size: int = -1) -> bytes:
        if self._ended or self.left <= 0:
            raise self._broken("the archive stream ended, or its read budget did")
        data = self._read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        self._ended = not data
        return data


def open_archive(source: ReadBudget):
    """tarfile over an archive stream in streaming mode ("r|"): members in order, as they arrive, never a seek back.

    tarfile reads every header format the engine writes (USTAR, PAX, GNU long names; the engine's archives are
    uncompressed), and host backups are read with it too (checker/grading/archive_checks.py). Left to itself it
    ends an archive quietly at a damaged header after the first, and reads an extended header of any size;
    grading must tell a broken archive from a whole one, so here a bad checksum or number, a malformed PAX
    record, an extended header over MAX_EXTENSION or a stream cut inside a header or a file is a
    tarfile.ReadError. A stream that ends between members ends the archive.
    """
    import tarfile            # here, not at the top: a grade that reads no archive does not load it

    return tarfile.open(fileobj=source, mode="r|", tarinfo=_strict_tarinfo(tarfile), encoding="utf-8")


_STRICT = None


def _strict_tarinfo(tarfile):
    """A tarfile.TarInfo that turns what tarfile would skip over or guess at into a ReadError."""
    global _STRICT
    if _STRICT is not None:
        return _STRICT

    class StrictInfo(tarfile.TarInfo):
        @classmethod
        def frombuf(cls, buf, encoding, errors):
            member = super().frombuf(buf, encoding, errors)
            if member.size < 0 or member.type in _EXTENSIONS and member.size > MAX_EXTENSION:
                raise tarfile.InvalidHeaderError("a header's size is negative, or an extended header's too large")
            return member

        @classmethod
        def fromtarfile(cls, tar):
            try:
                member = super().fromtarfile(tar)
            except (tarfile.EOFHeaderError, tarfile.EmptyHeaderError):
                raise tarfile.EOFHeaderError("the end of the archive") from None     # end blocks, or no more stream
            except (tarfile.HeaderError, ValueError, IndexError, RecursionError) as exc:
                raise tarfile.ReadError(f"a damaged header ({exc})") from None
            try:
                size = int(member.pax_headers.get("size", 0))
            except ValueError:
                raise tarfile.ReadError("a PAX size is not a number") from None
            if size < 0 or member.size < 0:
                raise tarfile.ReadError("a member has a negative size")
            return member

        def _proc_pax(self, tar):
            # tarfile's own parser (before Python 3.11.10 and 3.12.6) stops quietly at a malformed record; the
            # records are checked first, then handed back to it as its first read.
            stream = tar.fileobj
            records = stream.read(self._block(self.size))
            if len(records) < self.size or not _pax_framed(records[:self.size]):
                raise tarfile.InvalidHeaderError("a PAX record is malformed")
            tar.fileobj = _Replay(tar, stream, records)
            try:
                return super()._proc_pax(tar)
            finally:
                tar.fileobj = stream

    _STRICT = StrictInfo
    return _STRICT


class _Replay:
    """Gives `records`, already read from `stream`, to the first read, and puts the stream back in its place."""

    def __init__(self, tar, stream, records: bytes) -> None:
        self.tar, self.stream, self.records = tar, stream, records

    def read(self, size: int) -> bytes:
        self.tar.fileobj = self.stream
        return self.records


def _pax_framed(data: bytes) -> bool:
    """Whether a PAX header is records "LENGTH KEY=VALUE\\n", LENGTH counting the whole record, up to its end."""
    at = 0
    while at < len(data) and data[at] != 0:
        space = data.find(b" ", at)
        if space <= at or not data[at:space].isdigit():
            return False
        end = at + int(data[at:space])
        if end <= space + 1 or end > len(data) or data[end - 1] != 0x0A or b"=" not in data[space + 1:end]:
            return False
        at = end
    return True
