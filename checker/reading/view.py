"""A read-only, memoising view of the engine for one grading run.

Checks see the engine only through this class, which sits on the GET-only
ReadOnlyEngine: nothing here can create, change or remove anything. Each object
is inspected at most once per run, so grading every exercise costs a handful of
round trips.
"""
from __future__ import annotations

import functools
import os
import threading

from checker.reading.helper_reads import (HELPER_LABEL, MOUNT_AT, PREFERRED_IMAGE, NoImage, VolumeChanged, VolumePeek,
                                         volume_identity)
from checker.engine.readonly import ReadOnlyEngine
from checker.reading.volume_files import DEFAULT_LIMIT, FileRead, read_from_host, read_through_container
from checker.reading.volume_snapshot import Snapshot, take_snapshot


def memoised(method):
    """Cache a method's answers on the instance (functools.cache would keep every view alive).

    Thread-safe, and a question already being asked is waited for, not asked again: `grade --all` grades
    exercises in parallel, and two of them often read the same file. (Memoised methods only call ones
    nearer the engine than themselves, so waiting cannot go round in a circle.)
    """
    @functools.wraps(method)
    def wrapper(self, *args):
        key = (method.__name__, *args)
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._memo_guard:
            lock = self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = method(self, *args)
        return self._memo[key]
    return wrapper


def mount_of(summary: dict, volume: str) -> dict | None:
    """The mount of `volume` in a container (its summary or inspect), if it has one."""
    return next((m for m in summary.get("Mounts") or () if m.get("Type") == "volume" and m.get("Name") == volume),
                None)


def is_anonymous_volume_name(name: str) -> bool:
    """Docker names anonymous volumes with 64 hex digits."""
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def host_reads_allowed() -> bool:
    """LABCHECK_HOST_READS=0 makes labcheck read volumes as it must on Docker Desktop (through the engine)."""
    return os.environ.get("LABCHECK_HOST_READS", "1") != "0"


def reads_through(summary: dict) -> bool:
    """Whether grading may read a volume through this container's archive endpoint: not when it was never
    started. For such a container the engine makes the mount points in the container's own layer as it serves
    the archive (`docker diff` then shows `A /config`): a write, however small. A helper reads those volumes."""
    return summary.get("State") != "created"


class EngineView:
    """Close it (or use it in a `with`): a helper it created to look inside a volume goes then."""

    def __init__(self, engine: ReadOnlyEngine, host_reads: bool | None = None, helpers: bool = True) -> None:
        self.engine = engine
        local = engine.endpoint.host.startswith("unix://")     # a remote engine's folders are not ours to read
        self.host_reads = (host_reads_allowed() if host_reads is None else host_reads) and local
        self.peek = VolumePeek(engine, self._listing_for_sweep) if helpers else None
        self.expected_volumes: set[str] = set()
        self.bulk = False
        self._memo: dict = {}
        self._memo_locks: dict = {}
        self._memo_guard = threading.Lock()

    def close(self) -> None:
        if self.peek is not None:
            self.peek.close()

    def __enter__(self) -> "EngineView":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def look_in_bulk(self) -> None:
        """Answer volume and volume-user questions from one list of each (for grading many exercises at once)."""
        self.bulk = True

    @memoised
    def all_volumes(self) -> dict[str, dict]:
        return {v.get("Name"): v for v in self.engine.volumes()}

    @memoised
    def every_container(self) -> tuple[dict, ...]:
        """Every container's summary (`docker ps -a`), labcheck's own helpers included."""
        return tuple(self.engine.containers({}))

    @memoised
    def all_containers(self) -> tuple[dict, ...]:
        """Every container's summary, labcheck's own helpers left out."""
        return tuple(c for c in self.every_container() if HELPER_LABEL not in (c.get("Labels") or {}))

    @memoised
    def users_by_volume(self) -> dict[str, tuple[dict, ...]]:
        """Volume name -> the learner's containers that mount it, from the one list of all containers."""
        users: dict[str, list[dict]] = {}
        for summary in self.all_containers():
            for name in {m.get("Name") for m in summary.get("Mounts") or () if m.get("Type") == "volume"}:
                users.setdefault(name, []).append(summary)
        return {name: tuple(found) for name, found in users.items()}

    def _listing_for_sweep(self) -> tuple[dict, ...] | None:
        return self.every_container() if self.bulk else None

    @memoised
    def volume(self, name: str) -> dict | None:
        if self.bulk:                      # the list gives what inspect gives, for every volume at once
            return self.all_volumes().get(name)
        return self.engine.inspect_volume(name)

    @memoised
    def container(self, name: str) -> dict | None:
        """Inspect by exact name (never by ID prefix or partial name)."""
        attrs = self.engine.inspect_container(name)
        return attrs if attrs and attrs.get("Name", "").lstrip("/") == name else None

    @memoised
    def image(self, reference: str) -> dict | None:
        return self.engine.inspect_image(reference)

    @memoised
    def network(self, name: str) -> dict | None:
        return self.engine.inspect_network(name)

    @memoised
    def changes(self, name: str) -> tuple[tuple[str, int], ...]:
        """`docker diff`: (path, kind) with kind 0 modified, 1 added, 2 deleted."""
        attrs = self.container(name)
        if attrs is None:
            return ()
        return tuple((c["Path"], c["Kind"]) for c in self.engine.diff(attrs["Id"]))

    @memoised
    def containers_using_volume(self, volume: str) -> tuple[dict, ...]:
        """The learner's containers that mount `volume` (labcheck's own helpers are not among them)."""
        if self.bulk:
            return self.users_by_volume().get(volume, ())
        return tuple(c for c in self.engine.containers({"volume": [volume]})
                     if HELPER_LABEL not in (c.get("Labels") or {}))

    @memoised
    def read_container_file(self, name: str, path: str, limit: int = DEFAULT_LIMIT) -> FileRead:
        """A file as the container sees it (its writable layer over the image, and its mounts)."""
        attrs = self.container(name)
        if attrs is None:
            return FileRead("unreadable", detail=f"there is no container {name}")
        return read_through_container(self.engine, attrs["Id"], path, limit)

    def expect_volumes(self, names) -> None:
        """Volumes this run will probably read: one helper then serves them all (see checker.reading.helper_reads)."""
        self.expected_volumes |= set(names)

    @memoised
    def host_can_read(self, volume: str) -> bool:
        """Whether `volume`'s folder can be opened from here (asked once per run)."""
        return self._readable_here(self.volume(volume))

    def _readable_here(self, attrs: dict | None) -> bool:
        # A local volume with mount options (NFS, tmpfs, a device) is only mounted while a container
        # uses it, so its host directory may be empty: never read it from the host.
        if not (attrs and self.host_reads and attrs.get("Driver") == "local" and not attrs.get("Options")
                and attrs.get("Mountpoint")):
            return False
        try:
            os.close(os.open(attrs["Mountpoint"], os.O_RDONLY | os.O_DIRECTORY))
        except OSError:
            return False
        return True

    @memoised
    def only_a_helper_can_read(self) -> tuple[tuple[str, str], ...]:
        """(name, identity) of the expected volumes that exist, cannot be read from this host, and no container
        of the learner's that grading may read through mounts: found with two list requests, not two a volume."""
        if not self.expected_volumes:
            return ()
        listed, used = self.all_volumes(), self.users_by_volume()
        return tuple((name, volume_identity(listed[name])) for name in sorted(self.expected_volumes)
                     if name in listed and not any(reads_through(c) for c in used.get(name, ()))
                     and not self._readable_here(listed[name]))

    def release_helpers(self) -> None:
        """Remove the helpers made so far, before the run ends; a later read that needs one makes another."""
        if self.peek is not None:
            self.peek.close()

    def prepare_helper(self) -> None:
        """Create the helper the expected volumes need now, beside the other grading, not at the first read."""
        pending = self.only_a_helper_can_read() if self.peek is not None else ()
        if pending:
            first = pending[0][0]
            try:
                self.peek.container_for(first, lambda: self._helper_batch(first))
            except (NoImage, VolumeChanged, OSError):
                pass                      # the reads that need it say why

    @memoised
    def a_helper_may_read(self) -> tuple[tuple[str, str], ...]:
        """(name, identity) of the expected volumes a helper reads once this run makes one anyway: those only a
        helper can read, and those that only stopped containers mount. Reading the latter through the helper is
        just as harmless, and its one snapshot request replaces an archive request per file."""
        if not self.only_a_helper_can_read():
            return ()
        listed, used = self.all_volumes(), self.users_by_volume()
        return tuple((name, volume_identity(listed[name])) for name in sorted(self.expected_volumes)
                     if name in listed and not self._readable_here(listed[name])
                     and not any(c.get("State") == "running" for c in used.get(name, ())))

    def _helper_batch(self, volume: str) -> dict[str, str]:
        """`volume` and every other expected volume a helper may read, each with the identity seen."""
        return {volume: volume_identity(self.volume(volume)), **dict(self.a_helper_may_read())}

    @memoised
    def helper_snapshot(self, helper: str) -> Snapshot:
        """Everything small in the volumes `helper` mounts, read in one request (see checker.reading.volume_snapshot)."""
        return take_snapshot(self.peek.reader, helper, MOUNT_AT)

    def read_volume_file(self, volume: str, path: str, limit: int = DEFAULT_LIMIT,
                         exact_time: bool = False) -> FileRead:
        """`path` in `volume`; `exact_time` when the check compares the file's mtime (to the nanosecond).

        Every route but the helper's snapshot gives the exact time; a file the snapshot found (its mtime
        unknown) is then read again on its own."""
        found = self._read_volume_file(volume, path, limit)
        if exact_time and found.status == "file" and found.mtime is None:
            return self._read_volume_file(volume, path, limit, False)
        return found

    @memoised
    def _read_volume_file(self, volume: str, path: str, limit: int, snapshot: bool = True) -> FileRead:
        attrs = self.volume(volume)
        if attrs is None:
            return FileRead("unreadable", detail=f"there is no volume {volume}")
        if self.host_can_read(volume):
            found = read_from_host(attrs["Mountpoint"], path, limit)
            if found is not None:
                return found
        # A running container has its volumes mounted already; the engine reads through one more cheaply.
        # A stopped one serves too, unless this run has (or is making) a helper that reads the volume anyway.
        users = sorted((c for c in self.containers_using_volume(volume) if reads_through(c)),
                       key=lambda c: c.get("State") != "running")
        helper_reads_it = (self.peek is not None and users and users[0].get("State") != "running"
                           and volume in dict(self.a_helper_may_read()))
        for summary in () if helper_reads_it else users:
            mount = mount_of(summary, volume)
            if mount:
                inner = mount["Destination"].rstrip("/") + "/" + path.lstrip("/")
                return read_through_container(self.engine, summary["Id"], inner, limit)
        if self.peek is None:
            return FileRead("unreadable", detail=f"labcheck cannot see inside {volume} from here and no container "
                                                 "mounts it")
        try:
            helper, mounted_at = self.peek.container_for(volume, lambda: self._helper_batch(volume))
        except NoImage:
            return FileRead("unreadable", detail=(
                f"labcheck looks inside {volume} through a container that is created and never started, and this "
                f"engine has no image at all to create one from: run `docker pull {PREFERRED_IMAGE}`"))
        except VolumeChanged as changed:
            return FileRead("unreadable", detail=changed.line)
        except OSError as exc:
            return FileRead("unreadable", detail=str(exc))
        inner = mounted_at + "/" + path.lstrip("/")
        found = self.helper_snapshot(helper).lookup(inner, limit) if snapshot else None
        return found or read_through_container(self.peek.reader, helper, inner, limit)
