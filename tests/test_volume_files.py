"""Reading files inside a volume's folder: bounded, never following links, never blocking."""
from __future__ import annotations

import os

from checker.reading.volume_files import clean_relative, read_from_host


def test_reads_a_small_file(tmp_path):
    (tmp_path / "note.txt").write_text("hello\n")
    found = read_from_host(str(tmp_path), "note.txt")
    assert found.status == "file" and found.text == "hello\n" and not found.truncated


def test_missing_file_and_missing_folder(tmp_path):
    assert read_from_host(str(tmp_path), "nope.txt").status == "missing"
    assert read_from_host(str(tmp_path), "no/such/dir/x").status == "missing"
    assert read_from_host(str(tmp_path / "not-there"), "x") is None     # this host cannot see the volume


def test_symlinks_are_reported_not_followed(tmp_path):
    secret = tmp_path.parent / "outside-secret.txt"
    secret.write_text("do not read me")
    (tmp_path / "note.txt").symlink_to(secret)
    (tmp_path / "dir").symlink_to(tmp_path.parent)
    found = read_from_host(str(tmp_path), "note.txt")
    assert found.status == "symlink" and found.detail == str(secret) and found.content == b""
    assert read_from_host(str(tmp_path), "dir/outside-secret.txt").status == "symlink"


def test_paths_that_climb_out_are_refused(tmp_path):
    assert clean_relative("../etc/passwd") is None
    assert read_from_host(str(tmp_path), "a/../../etc/passwd").status == "unreadable"
    assert clean_relative("/data//./note.txt") == ["data", "note.txt"]


def test_fifo_is_not_opened_for_reading(tmp_path):
    os.mkfifo(tmp_path / "note.txt")
    found = read_from_host(str(tmp_path), "note.txt")    # would block forever if it were read
    assert found.status == "not_file" and "FIFO" in found.detail


def test_huge_sparse_file_reads_only_up_to_the_limit(tmp_path):
    with open(tmp_path / "big", "wb") as f:
        f.truncate(10 * 1024 ** 3)
    found = read_from_host(str(tmp_path), "big", limit=1000)
    assert found.status == "file" and found.truncated and len(found.content) == 1000


def test_directory_is_not_a_file(tmp_path):
    (tmp_path / "d").mkdir()
    assert read_from_host(str(tmp_path), "d").status == "not_file"


def test_non_utf8_content_is_shown_with_replacements(tmp_path):
    (tmp_path / "n.txt").write_bytes(b"ok \xff\xfe")
    assert read_from_host(str(tmp_path), "n.txt").text.startswith("ok ")


def test_a_file_read_says_when_it_was_last_written(tmp_path):
    (tmp_path / "note.txt").write_text("hello\n")
    os.utime(tmp_path / "note.txt", (1_700_000_000, 1_700_000_000))
    assert read_from_host(str(tmp_path), "note.txt").mtime == 1_700_000_000
