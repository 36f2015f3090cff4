"""Checks of Redis's files: what an RDB snapshot or an append-only file holds, and which one a server loaded.

Redis keeps its data in the folder its ``dir`` names (``/data`` in the official image):

- an RDB snapshot, ``dump.rdb``: binary, starting with ``REDIS`` and a four-digit format version. A string
  key of up to 63 bytes, with a value of up to 20 bytes that is not an integer, is stored as its type byte
  (0), the key's length and bytes, then the value's length and bytes: plain bytes a check can find.
  (Longer values may be LZF-compressed; integers are stored as numbers.)
- the append-only file (AOF): from Redis 7 a folder ``appendonlydir/`` with a manifest
  (``appendonly.aof.manifest``) naming a base file (an RDB snapshot by default) and incremental files of
  commands; before 7, one file ``appendonly.aof``. Commands are in RESP, so ``SET key value`` leaves
  ``$3 SET``, ``$len key``, ``$len value`` lines.

At start, a server with ``appendonly yes`` loads the AOF only and ignores ``dump.rdb``; without it, it loads
``dump.rdb``. A file written after the server's current start has not been loaded by it.
"""
from __future__ import annotations

import os
import re
import shlex

from checker.grading.checks import Check, Verdict, fail, in_workspace, ok
from checker.reading.times import engine_time
from checker.reading.view import EngineView
from checker.reading.volume_files import FileRead, read_from_host

RDB_READ_LIMIT = 1024 * 1024
RDB_MAGIC = re.compile(rb"REDIS\d{4}")
MANIFEST = "appendonlydir/appendonly.aof.manifest"
OLD_AOF = "appendonly.aof"
APPENDONLY_ARGS = re.compile(r"--appendonly\s+(?:yes|\"yes\"|'yes')\b", re.I)
APPENDONLY_LINE = re.compile(r"^\s*appendonly\s+\"?yes\"?\s*$", re.I | re.M)


def plain_string(key: str, value: str) -> tuple[bytes, bytes]:
    """The key and value as bytes, refused when an RDB would not store them as plain bytes."""
    k, v = key.encode(), value.encode()
    if not 0 < len(k) < 64 or not 0 < len(v) <= 20 or re.fullmatch(rb"-?\d+", v):
        raise ValueError(f"{key}={value}: an RDB stores only short, non-integer strings as plain bytes")
    return k, v


def rdb_holds(content: bytes, key: str, value: str) -> bool:
    """An RDB snapshot (or an AOF's RDB base) holds the string `key` with `value`."""
    k, v = plain_string(key, value)
    return b"\x00" + bytes([len(k)]) + k + bytes([len(v)]) + v in content


def aof_holds(content: bytes, key: str, value: str) -> bool:
    """Commands in RESP (an AOF's incremental file) hold `key` followed by `value`, as SET writes them."""
    k, v = plain_string(key, value)
    return b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v) in content


def is_rdb(content: bytes) -> bool:
    return RDB_MAGIC.match(content) is not None


def manifest_files(text: str) -> list[tuple[str, str]]:
    """(file name, type) for each file line of an AOF manifest: type "b" base, "h" history, "i" incremental."""
    files = []
    for line in text.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if len(words) >= 2 and words[0] == "file":
            fields = dict(zip(words[2::2], words[3::2]))
            files.append((words[1], fields.get("type", "")))
    return files


class AofRead:
    """The AOF files found in a volume: `layout` is "dir" (Redis 7+), "file" (before 7) or "none";
    `files` are (path in the volume, FileRead) in load order; `problem` says what is broken."""

    def __init__(self, layout: str, files: list[tuple[str, FileRead]], problem: str = "") -> None:
        self.layout, self.files, self.problem = layout, files, problem

    def holding(self, key: str, value: str) -> tuple[str, FileRead] | None:
        """The first file that holds `key` with `value`, as RDB (a base) or as commands."""
        for path, found in self.files:
            if rdb_holds(found.content, key, value) or aof_holds(found.content, key, value):
                return path, found
        return None


def read_aof(view: EngineView, volume: str, exact_time: bool = False) -> AofRead:
    manifest = view.read_volume_file(volume, MANIFEST)
    if manifest.status == "missing":
        single = view.read_volume_file(volume, OLD_AOF, RDB_READ_LIMIT, exact_time=exact_time)
        if single.status == "file":
            return AofRead("file", [(OLD_AOF, single)])
        return AofRead("none", [])
    if manifest.status != "file":
        return AofRead("dir", [], f"{MANIFEST} cannot be read ({manifest.detail or manifest.status})")
    listed = [name for name, kind in manifest_files(manifest.text) if kind in ("b", "i")]
    if not listed:
        return AofRead("dir", [], f"{MANIFEST} names no base or incremental file")
    files = []
    for name in listed:
        path = "appendonlydir/" + name
        found = view.read_volume_file(volume, path, RDB_READ_LIMIT, exact_time=exact_time)
        if found.status != "file":
            return AofRead("dir", files, f"the manifest names {path}, which is {found.detail or found.status}")
        files.append((path, found))
    return AofRead("dir", files)


def _shown_command(attrs: dict) -> str:
    config = attrs.get("Config") or {}
    return " ".join([*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])])


def config_file_argument(attrs: dict) -> str | None:
    """The configuration file redis-server was given (an argument ending in .conf), as a path in the container."""
    for arg in (attrs.get("Config") or {}).get("Cmd") or []:
        if arg.endswith(".conf") and not arg.startswith("-"):
            return arg if arg.startswith("/") else os.path.join(attrs["Config"].get("WorkingDir") or "/", arg)
    return None


def appendonly_in_command(view: EngineView, container: str) -> bool:
    """The container's command turns AOF on: `--appendonly yes`, or a configuration file saying `appendonly yes`."""
    attrs = view.container(container)
    if APPENDONLY_ARGS.search(" ".join((attrs.get("Config") or {}).get("Cmd") or [])):
        return True
    conf = config_file_argument(attrs)
    if conf is None:
        return False
    found = view.read_container_file(container, conf)
    return found.status == "file" and APPENDONLY_LINE.search(found.text) is not None


def appendonly_on(container: str, volume: str, run: str) -> Check:
    """`container` starts redis-server with AOF on, so that a new container on the volume keeps it on."""
    def evaluate(view: EngineView) -> Verdict:
        if appendonly_in_command(view, container):
            return ok(f"{container} starts redis-server with appendonly yes.")
        shown = _shown_command(view.container(container)) or "the image's default command"
        redo = f"Remove it (`docker rm -f {container}`; the volume keeps the data) and run `{run}`."
        if read_aof(view, volume).layout != "none":
            return fail(f"{volume} holds AOF files, but {container}'s command ({shown}) does not turn AOF on: it was "
                        "switched on at run time (CONFIG SET appendonly yes), which lasts only until the server "
                        "restarts.", shown, "redis-server --appendonly yes", redo)
        return fail(f"{container}'s command ({shown}) does not turn AOF on, so Redis keeps only RDB snapshots, "
                    "taken now and then: writes since the last one are lost in a crash.", shown,
                    "redis-server --appendonly yes", redo)
    return Check(f"appendonly:{container}", f"{container} runs redis-server with appendonly yes", evaluate,
                 requires=(f"container:{container}",))


def aof_in_volume(volume: str, key: str, value: str, next_step: str) -> Check:
    """The AOF files in `volume` (Redis 7's appendonlydir/, or an older appendonly.aof) hold `key` with `value`."""
    plain_string(key, value)

    def evaluate(view: EngineView) -> Verdict:
        aof = read_aof(view, volume)
        if aof.layout == "none":
            return fail(f"There is no AOF in volume {volume}: neither {MANIFEST} (Redis 7 and later) nor {OLD_AOF} "
                        "(before 7).", "no AOF", f"{MANIFEST} and the files it names", next_step)
        if aof.problem:
            return fail(f"The AOF in volume {volume} is broken: {aof.problem}.", aof.problem, "a complete AOF",
                        next_step)
        found = aof.holding(key, value)
        names = ", ".join(os.path.basename(p) for p, _ in aof.files)
        if found is None:
            dump = view.read_volume_file(volume, "dump.rdb", RDB_READ_LIMIT)
            also = ""
            if dump.status == "file" and rdb_holds(dump.content, key, value):
                also = (f" dump.rdb does: the server was started with AOF on over data that was only in dump.rdb. "
                        "With AOF on, Redis loads the AOF (here a new, empty one) and ignores dump.rdb.")
            return fail(f"The AOF files in volume {volume} ({names}) do not hold {key} = {value}.{also}",
                        names, f"{key} = {value} in the AOF", next_step)
        return ok(f"{os.path.basename(found[0])} in {volume} holds {key} = {value}.")
    return Check(f"aof:{volume}:{key}", f"The AOF in volume {volume} holds {key}", evaluate,
                 requires=(f"volume:{volume}",))


def _clock(seconds: float | None) -> str:
    from datetime import datetime, timezone
    if seconds is None:
        return "an unknown time"
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%H:%M:%S UTC")


def loaded_at_start(container: str, volume: str, key: str, value: str, *, redo: str) -> Check:
    """The running server in `container` found `key` on disk when it started: the file it loads at start (the AOF
    with appendonly on, else dump.rdb) holds the key and was last written before the server's current start."""
    plain_string(key, value)

    def evaluate(view: EngineView) -> Verdict:
        attrs = view.container(container)
        started = engine_time((attrs.get("State") or {}).get("StartedAt", ""))
        if appendonly_in_command(view, container):
            aof = read_aof(view, volume, exact_time=True)
            found = aof.holding(key, value) if not aof.problem else None
            if found is None:
                dump = view.read_volume_file(volume, "dump.rdb", RDB_READ_LIMIT)
                why = (" though dump.rdb does: with AOF on, Redis loads the AOF and ignores dump.rdb" if
                       dump.status == "file" and rdb_holds(dump.content, key, value) else "")
                return fail(f"{container} runs with AOF on, and the AOF in {volume} does not hold {key},{why}. The "
                            "server started without the key.", "an AOF without the key",
                            f"{key} in the files the server loads", redo)
        else:
            dump = view.read_volume_file(volume, "dump.rdb", RDB_READ_LIMIT, exact_time=True)
            if dump.status != "file" or not is_rdb(dump.content) or not rdb_holds(dump.content, key, value):
                return fail(f"{container} runs without AOF, so it loads dump.rdb at start, and dump.rdb in {volume} "
                            f"does not hold {key} = {value}.", "no such key in dump.rdb", f"{key} in dump.rdb", redo)
            found = ("dump.rdb", dump)
        path, read = found
        if read.mtime is not None and started is not None and read.mtime >= started:
            return fail(f"{path} in {volume}, which holds {key}, was written at {_clock(read.mtime)}, after {container} "
                        f"last started ({_clock(started)}): the server reads its files only when it starts, so the "
                        "key it serves was not loaded from disk.", f"{path} written after the start",
                        f"{path} written before {container} started", redo)
        return ok(f"{container} loaded {key} from {path} when it started.")
    return Check(f"loaded:{container}:{key}", f"{container} found {key} on disk when it started", evaluate,
                 requires=(f"container:{container}", f"volume:{volume}"))


def _judge_rdb(found: FileRead, where: str, key: str, value: str, next_step: str) -> Verdict:
    if found.status == "missing":
        return fail(f"There is no {where}.", "no such file", f"an RDB snapshot holding {key}", next_step)
    if found.status == "symlink":
        return fail(f"{where} is a symbolic link to {found.detail!r}; labcheck reads real files only.", "a symlink",
                    "a regular file", next_step)
    if found.status != "file":
        return fail(f"{where} cannot be read: {found.detail or found.status}.", found.status, "a regular file",
                    next_step)
    if not found.content:
        return fail(f"{where} is empty.", "an empty file", "an RDB snapshot", next_step)
    if not is_rdb(found.content):
        shown = found.content[:9].decode("ascii", "replace")
        return fail(f"{where} is not an RDB snapshot: it does not start with REDIS and a version.", repr(shown),
                    "REDIS0012 (or another version)", next_step)
    if not rdb_holds(found.content, key, value):
        return fail(f"{where} is an RDB snapshot without {key} = {value}: it was taken before the key was set, or "
                    "from another server.", "a snapshot without the key", f"{key} = {value}", next_step)
    return ok(f"{where} is an RDB snapshot holding {key} = {value}.")


def volume_rdb(volume: str, path: str, key: str, value: str, next_step: str) -> Check:
    """`path` in `volume` is an RDB snapshot holding `key` with `value`."""
    plain_string(key, value)

    def evaluate(view: EngineView) -> Verdict:
        return _judge_rdb(view.read_volume_file(volume, path, RDB_READ_LIMIT), f"{path} in volume {volume}", key,
                          value, next_step)
    return Check(f"rdb:{volume}:{path}", f"{path} in volume {volume} is a snapshot holding {key}", evaluate,
                 requires=(f"volume:{volume}",))


def host_rdb(path: str, key: str, value: str, next_step: str) -> Check:
    """A file on the host (``$WORKSPACE/…``) that is an RDB snapshot holding `key` with `value`."""
    plain_string(key, value)

    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        parent, name = os.path.split(real)
        found = (read_from_host(parent, name, RDB_READ_LIMIT) if os.path.isdir(parent) else None) or FileRead("missing")
        return _judge_rdb(found, f"{name} in the host folder {parent}", key, value, next_step)
    return Check(f"host-rdb:{path}", f"{os.path.basename(path)} is a snapshot holding {key}", evaluate)
