"""Backups made on a schedule are graded by the archives they left: UTC names, the kind, dump.rdb and its key, the
newest N kept, and the folder's last change right after the newest archive."""
from __future__ import annotations

import calendar
import io
import os
import tarfile
import time
from pathlib import Path

from checker.grading.redis_checks import is_rdb, rdb_holds
from checker.grading.schedule_checks import scheduled_archives, stamp_of

DUMP = (Path(__file__).parent / "redis_files" / "dump.rdb").read_bytes()


def judge(content: bytes) -> str | None:
    if not is_rdb(content):
        return "is not an RDB snapshot"
    return None if rdb_holds(content, "lab:greeting", "hello-redis") else "does not hold lab:greeting"


def archive(folder: Path, name: str, when: float, *, member: str = "dump.rdb", content: bytes = DUMP,
            mode: str = "w:gz") -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    path = folder / name
    path.write_bytes(buf.getvalue())
    os.utime(path, (when, when))


def name_at(when: float, fmt: str = "redis-%Y%m%dT%H%M%SZ.tar.gz") -> str:
    return time.strftime(fmt, time.gmtime(when))


def grade(folder: Path, changed: float | None = None):
    if changed is not None:
        os.utime(folder, (changed, changed))
    check = scheduled_archives(str(folder), keep=3, member="dump.rdb", judge=judge,
                               example="redis-20261203T101500Z.tar.gz", fresh_within=120, next_step="Fix it.")
    return check.evaluate(None)


def runs(folder: Path, count: int, every: float = 3.0, **kw) -> float:
    """`count` archives, the newest written a second ago; returns the newest's time."""
    newest = time.time() - 1
    for n in range(count):
        when = newest - every * (count - 1 - n)
        archive(folder, name_at(when), when, **kw)
    return newest


def test_stamps_in_the_usual_spellings_are_read_as_utc():
    want = calendar.timegm((2026, 12, 3, 10, 15, 0))
    for name in ("redis-20261203T101500Z.tar.gz", "redis-2026-12-03_101500.tar.gz", "r-2026-12-03T10:15:00.tgz",
                 "redis-20261203-101500.tar"):
        assert stamp_of(name) == want, name
    assert stamp_of("redis-2026-12-03.tar.gz") is None and stamp_of("redis.tar.gz") is None


def test_the_newest_three_named_in_utc_pass(tmp_path):
    newest = runs(tmp_path, 3)
    (tmp_path / "notes.txt").write_text("not an archive")
    verdict = grade(tmp_path, changed=newest + 0.1)
    assert verdict.passed, verdict.message


def test_a_missing_folder_is_the_fresh_state(tmp_path):
    assert grade(tmp_path / "backups").message.startswith("There is no folder")


def test_more_than_three_or_fewer_are_told(tmp_path):
    newest = runs(tmp_path, 5)
    assert "holds 5 archives, more than 3" in grade(tmp_path, changed=newest).message
    for extra in sorted(tmp_path.iterdir())[:4]:
        extra.unlink()
    assert "holds 1 archive so far, not 3" in grade(tmp_path, changed=newest).message


def test_a_rotation_that_keeps_the_oldest_leaves_a_late_folder_change(tmp_path):
    newest = runs(tmp_path, 3)
    verdict = grade(tmp_path, changed=newest + 9)
    assert not verdict.passed and "keeps the oldest 3" in verdict.message
    (tmp_path / ".partial.tar.gz").write_bytes(b"")             # a run in progress explains a late change
    os.utime(tmp_path / ".partial.tar.gz", (newest + 9, newest + 9))
    assert grade(tmp_path, changed=newest + 9).passed


def test_local_time_in_the_names_is_told(tmp_path):
    now = time.time() - 1
    for n in range(3):
        when = now - 3 * (2 - n)
        archive(tmp_path, name_at(when + 3600), when)            # a zone one hour ahead of UTC
    verdict = grade(tmp_path, changed=now)
    assert not verdict.passed and "the name is not in UTC" in verdict.message and "1.0 h ahead" in verdict.message


def test_each_archive_is_the_kind_its_name_says_with_dump_rdb_holding_the_key(tmp_path):
    now = time.time() - 1
    archive(tmp_path, name_at(now), now, mode="w")
    assert "plain, uncompressed tar archive" in grade(tmp_path, changed=now).message
    archive(tmp_path, name_at(now), now, member="data/dump.rdb")
    assert "It stores it as data/dump.rdb" in grade(tmp_path, changed=now).message
    archive(tmp_path, name_at(now), now, content=DUMP.replace(b"hello-redis", b"hello-other"))
    assert "does not hold lab:greeting" in grade(tmp_path, changed=now).message
    (tmp_path / name_at(now)).unlink()
    archive(tmp_path, "redis-latest.tar.gz", now)
    assert "has no date and time in its name" in grade(tmp_path, changed=now).message


def test_a_stopped_schedule_is_told(tmp_path):
    old = time.time() - 600
    for n in range(3):
        archive(tmp_path, name_at(old + 3 * n), old + 3 * n)
    verdict = grade(tmp_path, changed=old + 6)
    assert not verdict.passed and "the schedule has stopped" in verdict.message


def test_archives_only_their_owner_can_read_are_told_when_everyone_should(tmp_path):
    newest = runs(tmp_path, 3)
    for path in tmp_path.iterdir():
        path.chmod(0o600)
    os.utime(tmp_path, (newest, newest))
    check = scheduled_archives(str(tmp_path), keep=3, member="dump.rdb", judge=judge, example="redis-x.tar.gz",
                               fresh_within=120, next_step="Fix it.", readable_by_all=True)
    verdict = check.evaluate(None)
    assert not verdict.passed and "is readable by its owner only (mode 600" in verdict.message
    assert grade(tmp_path, changed=newest).passed          # without the demand, the same archives pass
