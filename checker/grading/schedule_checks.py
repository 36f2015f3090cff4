"""Checks of backups made on a schedule: dated archives in a host folder, the newest N kept.

What a schedule leaves behind shows how it ran: each archive's name carries the UTC moment it was taken
(so names sort in time order all year), which agrees with the time the file was written; no more than N are
kept; the newest is recent while the schedule runs; and the folder's last change (a file added or removed)
comes right after the newest archive was written. A rotation that deletes the newest archive each run, and
so keeps the oldest, changes the folder long after its newest remaining archive was written.
"""
from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable

from checker.grading.archive_checks import _wrong_kind, kind_named, read_archive
from checker.grading.checks import Check, Verdict, fail, in_workspace, ok

STAMP = re.compile(r"((?:19|20)\d\d)-?([01]\d)-?([0-3]\d)[T_\-]?([0-2]\d)[:\-]?([0-5]\d)[:\-]?([0-5]\d)")
UTC_SLACK = 10 * 60           # a name's time and its file's time may differ by the run's length, not by a zone
ROTATION_SLACK = 2.0          # a run removes the old archives right after it writes the new one


def stamp_of(name: str) -> float | None:
    """The moment a name carries (YYYY-MM-DD HH:MM:SS in any of the usual spellings), read as UTC."""
    import calendar
    match = STAMP.search(name)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return float(calendar.timegm((year, month, day, hour, minute, second)))
    except ValueError:
        return None


def _archives(real: str) -> list[os.DirEntry]:
    return sorted((e for e in os.scandir(real) if not e.name.startswith(".") and kind_named(e.name)),
                  key=lambda e: e.name)


def _clock(seconds: float) -> str:
    from datetime import datetime, timezone
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def scheduled_archives(folder: str, *, keep: int, member: str, judge: Callable[[bytes], str | None], example: str,
                       fresh_within: float, next_step: str, readable_by_all: bool = False) -> Check:
    """`folder` (``$WORKSPACE/…``) holds the newest `keep` archives of a running schedule: names dated in UTC, each
    archive of the kind its name says with `member` at its root, whose content `judge` finds no fault with
    (it returns what is wrong, or None); the newest written within `fresh_within` seconds. With `readable_by_all`,
    each archive's mode lets everyone read it (a container writing as root under umask 077 makes it root's alone)."""
    def evaluate(view) -> Verdict:
        for _ in range(3):
            try:
                return look(in_workspace(folder))
            except FileNotFoundError:       # a run removed an archive while it was being read: look again
                continue
        return look(in_workspace(folder))

    def look(real: str) -> Verdict:
        if not os.path.isdir(real) or os.path.islink(real):
            return fail(f"There is no folder {real}.", "no such folder", f"a folder of archives such as {example}",
                        next_step)
        archives = _archives(real)
        if not archives:
            shown = ", ".join(sorted(os.listdir(real))[:5]) or "nothing"
            return fail(f"{real} holds no archives: no file named like {example}.", shown,
                        f"{keep} archives such as {example}", next_step)
        for entry in archives:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                return fail(f"{entry.name} in {real} is not a regular file.", "not a file", "an archive", next_step)
            if readable_by_all and not info.st_mode & 0o004:
                return fail(f"{entry.name} in {real} is readable by its owner only (mode {stat.S_IMODE(info.st_mode):o}"
                            f", owner UID {info.st_uid}): a umask of 077 made it so. Start the script with umask 022, "
                            "so that you can read your own backups.", f"mode {stat.S_IMODE(info.st_mode):o}",
                            "mode 644", next_step)
            taken = stamp_of(entry.name)
            if taken is None:
                return fail(f"{entry.name} in {real} has no date and time in its name: each run must write a new "
                            f"file named after the moment it ran, such as {example}.", entry.name, example, next_step)
            if abs(taken - info.st_mtime) > UTC_SLACK:
                hours = (taken - info.st_mtime) / 3600
                return fail(f"The time in {entry.name}'s name is {abs(hours):.1f} h "
                            f"{'ahead of' if hours > 0 else 'behind'} the moment it was written ({_clock(info.st_mtime)})"
                            ": the name is not in UTC. `date` prints the container's local time (TZ); `date -u` "
                            "prints UTC, which never jumps.", entry.name, "a UTC time in the name", next_step)
            path = os.path.join(real, entry.name)
            read = read_archive(path, (member,), enough=(member,))
            wrong = _wrong_kind(path, read.kind) if read.status == "ok" or read.kind else None
            if wrong:
                return fail(wrong, f"{read.kind} data", f"a {kind_named(entry.name)[1]} archive", next_step)
            if read.status == "unreadable" and "denied" in read.detail:
                return fail(f"labcheck cannot read {entry.name} in {real}: it belongs to UID {info.st_uid} with mode "
                            f"{stat.S_IMODE(info.st_mode):o}. Start the script with umask 022, so that its archives are "
                            "readable by you.", read.detail, "a readable archive", next_step)
            if read.status != "ok":
                return fail(f"{entry.name} in {real} is {read.detail or read.status}.", read.detail or read.status,
                            "a tar archive", next_step)
            if member not in read.members:
                under = sorted(n for n in read.members if n.endswith("/" + member))
                where = (f" It stores it as {under[0]}: archive with -C FOLDER {member} so it sits at the root."
                         if under else "")
                shown = ", ".join(sorted(read.members)[:5]) or "nothing"
                return fail(f"{entry.name} in {real} lacks {member} at its root.{where}", shown, member, next_step)
            problem = judge(read.contents.get(member, b""))
            if problem:
                return fail(f"{member} in {entry.name} {problem}.", problem, f"{member} as asked", next_step)
        names = ", ".join(e.name for e in archives[:6])
        if len(archives) > keep:
            return fail(f"{real} holds {len(archives)} archives, more than {keep}: each run must delete all but the "
                        f"newest {keep}.", names, f"at most {keep}", next_step)
        if len(archives) < keep:
            return fail(f"{real} holds {len(archives)} archive{'s' if len(archives) > 1 else ''} so far, not {keep}: "
                        "let the schedule run until it has made more than that, then grade again.", names,
                        f"{keep} archives", next_step)
        newest = max(e.stat(follow_symlinks=False).st_mtime for e in archives)
        age = time.time() - newest
        if age > fresh_within:
            return fail(f"The newest archive in {real} was written {age:.0f} s ago ({_clock(newest)}): the schedule "
                        "has stopped making backups. Is its container running, and do its logs show errors?",
                        f"newest {age:.0f} s old", f"newest under {fresh_within:.0f} s old", next_step)
        changed = os.stat(real).st_mtime
        in_progress = [e.stat(follow_symlinks=False).st_mtime for e in os.scandir(real) if e.name.startswith(".")]
        if changed - max([newest, *in_progress]) > ROTATION_SLACK:
            return fail(f"{real} last changed at {_clock(changed)}, {changed - newest:.0f} s after its newest archive "
                        "was written: a later run added an archive and deleted it again. The rotation keeps the "
                        f"oldest {keep} and deletes each new one; sort the names newest first before deleting.",
                        f"newest kept written {_clock(newest)}", f"the newest {keep} kept", next_step)
        return ok(f"{real} holds the newest {keep} archives, named in UTC, each with {member} as asked.")
    return Check(f"scheduled-archives:{folder}", f"{os.path.basename(folder)}/ holds the newest {keep} dated archives",
                 evaluate)
