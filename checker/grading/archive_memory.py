"""What an archive on the host held, remembered while the archive stays the same file, unchanged.

A database backup is megabytes of compressed tar with the file a check needs near its end, so reading
it costs tens of milliseconds every time `labcheck grade --all` runs. The answer is kept in labcheck's
state folder with the facts it depends on: the archive's path, device, inode, size, modification and change
times (to the nanosecond) and the question asked; any write, rename or chmod changes them. Only successful
reads are kept, at most KEEP of them.
"""
from __future__ import annotations

import binascii
import json
import os
import zlib

from checker.paths import state_folder

KEEP = 200


def _folder() -> str:
    return os.path.join(state_folder(), "archive-reads")


def key(path: str, info: os.stat_result, wanted, enough) -> str:
    """The facts an archive read depends on, as one string; recall() returns a read only for the same string.
    (Files are named by a checksum of it, so a clash of names can only cost a read, never answer wrongly.)"""
    return json.dumps([os.path.realpath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns,
                       info.st_ctime_ns, sorted(wanted), sorted(enough)])


def _file(memory: str) -> str:
    data = memory.encode()
    return os.path.join(_folder(), f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}.json")


def recall(memory: str) -> dict | None:
    """{"kind", "members", "contents"} as last read for exactly these facts, or None."""
    try:
        with open(_file(memory), encoding="utf-8") as handle:
            saved = json.load(handle)
        if saved["key"] != memory:
            return None
        saved["contents"] = {name: binascii.a2b_base64(data) for name, data in saved["contents"].items()}
        if isinstance(saved["kind"], str) and isinstance(saved["members"], list):
            return saved
    except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        pass
    return None


def remember(memory: str, kind: str, members, contents: dict[str, bytes]) -> None:
    """Keep a read (best effort: a state folder we cannot write only costs the next read its speed)."""
    folder = _folder()
    try:
        os.makedirs(folder, exist_ok=True)
        final = _file(memory)
        partial = f"{final}.{os.getpid()}.partial"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({"key": memory, "kind": kind, "members": sorted(members),
                       "contents": {name: binascii.b2a_base64(data, newline=False).decode()
                                    for name, data in contents.items()}}, handle)
        os.replace(partial, final)
        kept = sorted(os.scandir(folder), key=lambda entry: entry.stat().st_mtime)
        for old in kept[:-KEEP]:
            os.unlink(old.path)
    except OSError:
        pass
