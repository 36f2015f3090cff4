"""What an archive on the host held, remembered while the archive stays the same file, unchanged.

A database backup is megabytes of compressed tar with the file a check needs near its end, so reading
it costs tens of milliseconds every time `labcheck grade --all` runs. The answer is kept in labcheck's
state folder under a key made of the archive's path, device, inode, size, modification and change times
(to the nanosecond) and the question asked; any write, rename or chmod changes the key. Only successful
reads are kept, at most KEEP of them.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os

from .paths import state_dir

KEEP = 200


def _folder() -> str:
    return os.path.join(state_dir(), "archive-reads")


def key(path: str, info: os.stat_result, wanted, enough) -> str:
    facts = [os.path.realpath(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
             sorted(wanted), sorted(enough)]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:40]


def recall(memory: str) -> dict | None:
    """{"kind", "members", "contents"} as last read, or None."""
    try:
        with open(os.path.join(_folder(), memory + ".json"), encoding="utf-8") as handle:
            saved = json.load(handle)
        saved["contents"] = {name: base64.b64decode(data) for name, data in saved["contents"].items()}
        if isinstance(saved["kind"], str) and isinstance(saved["members"], list):
            return saved
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def remember(memory: str, kind: str, members, contents: dict[str, bytes]) -> None:
    """Keep a read (best effort: a state folder we cannot write only costs the next read its speed)."""
    folder = _folder()
    try:
        os.makedirs(folder, exist_ok=True)
        partial = os.path.join(folder, f".{memory}.{os.getpid()}.partial")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({"kind": kind, "members": sorted(members),
                       "contents": {name: base64.b64encode(data).decode() for name, data in contents.items()}},
                      handle)
        os.replace(partial, os.path.join(folder, memory + ".json"))
        kept = sorted(os.scandir(folder), key=lambda entry: entry.stat().st_mtime)
        for old in kept[:-KEEP]:
            os.unlink(old.path)
    except OSError:
        pass
