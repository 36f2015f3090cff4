"""A read-only, memoising view of the engine for one grading run.

Checks see the engine only through this class, which sits on the GET-only
ReadOnlyEngine: nothing here can create, change or remove anything. Each object
is inspected at most once per run, so grading every exercise costs a handful of
round trips.
"""
from __future__ import annotations

import functools
import os

from .peek import HELPER_LABEL, PREFERRED_IMAGE, NoImage, VolumePeek
from .readonly_client import ReadOnlyEngine
from .volume_files import DEFAULT_LIMIT, FileRead, read_from_host, read_through_container


def memoised(method):
    """Cache a method's answers on the instance (functools.cache would keep every view alive)."""
    @functools.wraps(method)
    def wrapper(self, *args):
        key = (method.__name__, *args)
        if key not in self._memo:
            self._memo[key] = method(self, *args)
        return self._memo[key]
    return wrapper


def is_anonymous_volume_name(name: str) -> bool:
    """Docker names anonymous volumes with 64 hex digits."""
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def host_reads_allowed() -> bool:
    """LABCHECK_HOST_READS=0 makes labcheck read volumes as it must on Docker Desktop (through the engine)."""
    return os.environ.get("LABCHECK_HOST_READS", "1") != "0"


class EngineView:
    """Close it (or use it in a `with`): a helper it created to look inside a volume goes then."""

    def __init__(self, engine: ReadOnlyEngine, host_reads: bool | None = None, helpers: bool = True) -> None:
        self.engine = engine
        local = engine.endpoint.host.startswith("unix://")     # a remote engine's folders are not ours to read
        self.host_reads = (host_reads_allowed() if host_reads is None else host_reads) and local
        self.peek = VolumePeek(engine) if helpers else None
        self.expected_volumes: set[str] = set()
        self._memo: dict = {}

    def close(self) -> None:
        if self.peek is not None:
            self.peek.close()

    def __enter__(self) -> "EngineView":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @memoised
    def volume(self, name: str) -> dict | None:
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
        """Volumes this run will probably read: one helper then serves them all (see checker.peek)."""
        self.expected_volumes |= set(names)

    @memoised
    def host_can_read(self, volume: str) -> bool:
        """Whether `volume`'s folder can be opened from here (asked once per run)."""
        attrs = self.volume(volume)
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

    def _helper_batch(self, volume: str) -> dict[str, str]:
        """`volume` and every other expected volume only a helper can read, each with the CreatedAt seen."""
        batch = {volume: self.volume(volume).get("CreatedAt", "")}
        for other in sorted(self.expected_volumes - {volume}):
            seen = self.volume(other)
            if seen is not None and not self.host_can_read(other) and not self.containers_using_volume(other):
                batch[other] = seen.get("CreatedAt", "")
        return batch

    @memoised
    def read_volume_file(self, volume: str, path: str, limit: int = DEFAULT_LIMIT) -> FileRead:
        attrs = self.volume(volume)
        if attrs is None:
            return FileRead("unreadable", detail=f"there is no volume {volume}")
        if self.host_can_read(volume):
            found = read_from_host(attrs["Mountpoint"], path, limit)
            if found is not None:
                return found
        for summary in self.containers_using_volume(volume):
            for mount in summary.get("Mounts", ()):
                if mount.get("Type") == "volume" and mount.get("Name") == volume:
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
        except FileNotFoundError:
            return FileRead("unreadable", detail=f"volume {volume} was removed while labcheck looked at it")
        except OSError as exc:
            return FileRead("unreadable", detail=str(exc))
        return read_through_container(self.engine, helper, mounted_at + "/" + path.lstrip("/"), limit)
