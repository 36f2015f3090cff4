"""Read a file inside a volume without starting a container, bounded in size.

Two routes, tried in order:

1. the volume's ``Mountpoint`` on this host, when labcheck runs beside the
   engine with the rights to read it (Docker Engine on Linux, as root or with
   access to /var/lib/docker). Paths are walked one component at a time with
   ``O_NOFOLLOW``, so a symlink planted in a volume is reported, never followed.
2. the engine's archive endpoint on a container that already mounts the volume
   (running or stopped; reading an archive does not start it). This is how
   Docker Desktop, where the Mountpoint lives in a VM, is served.

If neither works the result says so; grading never creates a container to look.
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
        from checker.reading.tar_stream import BrokenArchive, TarStream

        # Only the bytes asked for are read (a header, then at most limit + 1 bytes of the file); closing
        # the response then stops the engine from sending the rest of a large file.
        try:
            tar = TarStream(response.read)
            member = tar.next()
            if member is None:
                return FileRead("missing")
            if member.kind != "file":
                return FileRead("not_file", detail="not a regular file")
            content = tar.read(limit + 1)
        except BrokenArchive:
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
