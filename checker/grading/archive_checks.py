"""Checks of tar archives on the host: their kind, their members and what those members hold.

An archive is graded by content: it must be of the kind its name says (a
``.tar.gz`` is gzip, a ``.tar`` is plain tar, told by the first bytes, not the
name), hold the members asked for, as paths from the archived folder's root,
and those members must hold the expected text. Files are opened without
following links; reads are bounded.
"""
from __future__ import annotations

import os
import stat

from checker.grading.checks import Check, Verdict, fail, in_workspace, ok
from checker.reading.times import engine_time
from checker.reading.view import EngineView

MAX_ARCHIVE_MEMBERS = 100_000
MEMBER_READ_LIMIT = 64 * 1024

# (first bytes, kind); a plain tar is told by "ustar" at offset 257.
MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"))
NAMED = ((".tar.gz", "gzip"), (".tgz", "gzip"), (".tar.bz2", "bzip2"), (".tbz2", "bzip2"), (".tar.xz", "xz"),
         (".txz", "xz"), (".tar.zst", "zstd"), (".tar", "tar"))
FLAG = {"gzip": "z", "bzip2": "j", "xz": "J", "zstd": "--zstd"}


def kind_named(path: str) -> tuple[str, str] | None:
    """(suffix, kind) that a file name promises, e.g. (".tar.gz", "gzip"); None when it promises none."""
    return next(((suffix, kind) for suffix, kind in NAMED if path.endswith(suffix)), None)


def kind_of(head: bytes) -> str:
    """What the first 512 bytes say a file is: a compression, "tar", or "unknown"."""
    kind = next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    if kind:
        return kind
    return "tar" if head[257:262] == b"ustar" else "unknown"


def _name(member) -> str:
    """A member's path from the archive's root ("./a/b/" and "a/b" are both "a/b"; "./.env" is ".env")."""
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return name.strip("/") or "."


class ArchiveRead:
    """What reading an archive on the host found; `members` and `contents` fill in as it is read."""

    def __init__(self, status: str, kind: str = "", detail: str = "") -> None:
        self.status = status                                # "ok", "missing", "symlink", "not_file", "unreadable"
        self.kind = kind                                    # from the first bytes: "gzip", "tar", …
        self.members: set[str] = set()                      # paths from the archive's root
        self.contents: dict[str, bytes] = {}                # of the members asked for, bounded
        self.detail = detail


def read_archive(path: str, wanted: tuple[str, ...] = (), enough: tuple[str, ...] = ()) -> ArchiveRead:
    """Kind and member list of the archive at `path`, and the first bytes of the `wanted` regular members.

    Reading stops once every name in `enough` and `wanted` has been seen: a database's archive can hold
    hundreds of megabytes that grading has no need to decompress. Without `enough`, every member is listed.
    What an unchanged archive held is remembered (checker/archive_memory.py): grading it again reads nothing.
    """
    needed = set(enough) | set(wanted) if enough else None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return ArchiveRead("missing")
    except OSError as exc:
        if os.path.islink(path):
            return ArchiveRead("symlink", detail=os.readlink(path))
        return ArchiveRead("unreadable", detail=exc.strerror or str(exc))
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return ArchiveRead("not_file", detail="not a regular file")
    from checker.grading import archive_memory

    memory = archive_memory.key(path, info, wanted, enough)
    remembered = archive_memory.recall(memory)
    if remembered is not None:
        os.close(fd)
        read = ArchiveRead("ok", kind=remembered["kind"])
        read.members, read.contents = set(remembered["members"]), remembered["contents"]
        return read
    import tarfile                   # only when an archive is read: grading starts faster without it

    with os.fdopen(fd, "rb") as handle:
        read = ArchiveRead("ok", kind=kind_of(handle.read(512)))
        handle.seek(0)
        try:
            with tarfile.open(fileobj=handle, mode="r:*") as tar:
                for count, member in enumerate(tar):
                    if count >= MAX_ARCHIVE_MEMBERS:
                        break
                    name = _name(member)
                    read.members.add(name)
                    if name in wanted and member.isfile():
                        extracted = tar.extractfile(member)
                        read.contents[name] = extracted.read(MEMBER_READ_LIMIT) if extracted else b""
                    if needed is not None and needed <= read.members:
                        break
        except (tarfile.TarError, OSError, EOFError) as exc:
            return ArchiveRead("unreadable", kind=read.kind, detail=f"not a readable tar archive ({exc})")
    archive_memory.remember(memory, read.kind, read.members, read.contents)
    return read


def archive_members(path: str) -> set[str] | str:
    """Member names of a tar archive (any compression), or why it cannot be read."""
    read = read_archive(path)
    if read.status == "ok":
        return set(read.members)
    return read.status if read.status == "missing" else read.detail or read.status


def _wrong_kind(real: str, kind: str) -> str | None:
    """Why the archive is not of the kind its name says, or None."""
    promised = kind_named(real)
    if promised is None or kind == promised[1]:
        return None
    suffix, wanted = promised
    if kind == "tar":
        return (f"{real} is a plain, uncompressed tar archive, though its name ends in {suffix}: compress it with "
                f"tar's {FLAG[wanted]} option (tar c{FLAG[wanted]}f …), or name it .tar.")
    if wanted == "tar":
        return (f"{real} is {kind}-compressed, though its name ends in .tar: tar cf writes a plain archive; name a "
                f"{kind} one after its compression.")
    if kind == "unknown":
        return f"{real} is not a tar archive at all, though its name ends in {suffix}."
    return f"{real} is {kind}-compressed, though its name ends in {suffix}."


def host_archive(path: str, members: tuple[str, ...], next_step: str,
                 holding: dict[str, str] | None = None) -> Check:
    """A tar archive on the host (``$WORKSPACE/…`` allowed), of the kind its name says, holding `members` as paths
    from its root; each member named in `holding` contains the given text."""
    holding = holding or {}

    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        read = read_archive(real, tuple(holding), enough=members)
        if read.status == "missing":
            return fail(f"There is no archive at {real}.", "no file", f"a tar archive at {real}", next_step)
        if read.status == "symlink":
            return fail(f"{real} is a symbolic link to {read.detail!r}; labcheck reads real files only.",
                        "a symlink", "an archive file", next_step)
        if read.status == "not_file":
            return fail(f"{real} is not a regular file.", read.detail, "an archive file", next_step)
        wrong = _wrong_kind(real, read.kind)
        if wrong:
            return fail(wrong, f"{read.kind} data" if read.kind != "unknown" else "not an archive",
                        f"a {kind_named(real)[1]} archive", next_step)
        if read.status != "ok":
            return fail(f"{real} is {read.detail or read.status}.", read.detail or read.status, "a tar archive",
                        next_step)
        names = set(read.members)
        absent = [m for m in members if m not in names]
        if absent:
            shown = ", ".join(sorted(names)[:6]) or "nothing"
            prefixed = sorted({n.split("/", 1)[0] for n in names if "/" in n and n.split("/", 1)[1] in members})
            if prefixed:
                return fail(f"{real} stores the files under {prefixed[0]}/ ({prefixed[0]}/{absent[0]}): a restore "
                            "would put them in a subfolder. Archive with -C FOLDER . so paths start at the volume's root.",
                            shown, ", ".join(members), next_step)
            return fail(f"{real} lacks {', '.join(absent)}.", shown, ", ".join(members), next_step)
        for member, text in holding.items():
            if member not in read.contents:
                return fail(f"{member} in {real} is not a regular file.", "not a file", f"a file containing {text!r}",
                            next_step)
            content = read.contents[member].decode("utf-8", "replace")
            if text not in content:
                shown = content.strip()[:60] or "(empty)"
                return fail(f"{member} in {real} does not contain {text!r}.", repr(shown), repr(text), next_step)
        return ok(f"{real} is a {read.kind} archive holding {', '.join(members)}"
                  + (" with the expected content." if holding else "."))
    return Check(f"archive:{path}", f"Archive {os.path.basename(path)} holds {', '.join(members)}", evaluate)


def archive_taken_while_stopped(path: str, container: str) -> Check:
    """The archive's file was last written while `container` was stopped: after it last stopped and, if it runs
    again, before it started again. A copy of a running database's files is not a consistent backup."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        taken = os.lstat(real).st_mtime
        attrs = view.container(container)
        state = attrs.get("State") or {}
        created, started = engine_time(attrs.get("Created", "")), engine_time(state.get("StartedAt", ""))
        finished = engine_time(state.get("FinishedAt", ""))
        never_stopped = finished is None or finished <= 0       # the engine says 0001-01-01 for "never"
        redo = (f"`docker stop {container}`, archive its volume again, then `docker start {container}`.")
        when = _clock(taken)
        if created is not None and taken < created:
            return fail(f"{container} was created after the archive was written ({when}), so labcheck cannot tell "
                        "whether the database was stopped when it was taken.", f"archive from {when}",
                        f"an archive taken while this {container} was stopped", redo)
        if never_stopped:
            return fail(f"{real} was taken while {container} was running: it has not been stopped since it started "
                        f"at {_clock(started)}. Files copied from a live database can mix moments.",
                        f"archive written {when}, {container} running", "an archive taken while it was stopped", redo)
        if taken < finished:
            return fail(f"{real} was taken at {when}, before {container} last stopped ({_clock(finished)}): while it "
                        "was running.", f"archive written {when}", f"after {_clock(finished)}", redo)
        if state.get("Running") and started is not None and started > finished and taken > started:
            return fail(f"{real} was taken at {when}, while {container} was running again (it started at "
                        f"{_clock(started)} after stopping at {_clock(finished)}).", f"archive written {when}",
                        f"between {_clock(finished)} and {_clock(started)}", redo)
        return ok(f"{real} was taken at {when}, while {container} was stopped.")
    return Check(f"archive-stopped:{path}:{container}", f"{os.path.basename(path)} was taken while {container} "
                 "was stopped", evaluate, requires=(f"archive:{path}", f"container:{container}"))


def _clock(seconds: float | None) -> str:
    from datetime import datetime, timezone
    if seconds is None:
        return "an unknown time"
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%H:%M:%S UTC")
