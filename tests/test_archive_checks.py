"""Archives on the host are graded by content: their kind from the first bytes, their members, what those hold."""
from __future__ import annotations

import io
import os
import tarfile

from checker.grading.archive_checks import archive_members, host_archive, kind_of, read_archive


def make_tar(path, files, mode="w:gz"):
    """`files`: member name -> content (bytes), or a list of names holding b"x"."""
    if not isinstance(files, dict):
        files = {name: b"x" for name in files}
    with tarfile.open(path, mode) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_archive_members_of_any_compression(tmp_path):
    make_tar(tmp_path / "b.tar.gz", ["./note.txt", "./sub/a.txt"])
    make_tar(tmp_path / "b.tar", ["note.txt"], mode="w")
    assert archive_members(str(tmp_path / "b.tar.gz")) == {"note.txt", "sub/a.txt"}
    assert archive_members(str(tmp_path / "b.tar")) == {"note.txt"}
    assert archive_members(str(tmp_path / "none.tar")) == "missing"
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 10)
    assert archive_members(str(tmp_path / "junk.tar")).startswith("not a readable tar archive")


def test_the_kind_comes_from_the_first_bytes_not_the_name(tmp_path):
    for mode, kind in (("w:gz", "gzip"), ("w:bz2", "bzip2"), ("w:xz", "xz"), ("w", "tar")):
        make_tar(tmp_path / "a", ["x"], mode=mode)
        assert kind_of((tmp_path / "a").read_bytes()[:512]) == kind
    assert kind_of(b"hello") == "unknown"


def test_host_archive_check_names_what_is_missing(tmp_path):
    make_tar(tmp_path / "backup.tar.gz", ["./note.txt"])
    check = host_archive(str(tmp_path / "backup.tar.gz"), ("note.txt", "other.txt"), next_step="Back it up again.")
    verdict = check.evaluate(None)
    assert verdict.passed is False and "other.txt" in verdict.message and verdict.next_step
    assert host_archive(str(tmp_path / "backup.tar.gz"), ("note.txt",), next_step="").evaluate(None).passed


def test_a_plain_tar_named_tar_gz_fails_and_says_so(tmp_path):
    make_tar(tmp_path / "backup.tar.gz", ["note.txt"], mode="w")
    verdict = host_archive(str(tmp_path / "backup.tar.gz"), ("note.txt",), next_step="Again.").evaluate(None)
    assert verdict.passed is False and "plain, uncompressed tar archive" in verdict.message
    assert "tar czf" in verdict.message


def test_a_gzip_archive_named_tar_fails(tmp_path):
    make_tar(tmp_path / "backup.tar", ["note.txt"], mode="w:gz")
    verdict = host_archive(str(tmp_path / "backup.tar"), ("note.txt",), next_step="Again.").evaluate(None)
    assert verdict.passed is False and "gzip-compressed, though its name ends in .tar" in verdict.message


def test_a_text_file_named_tar_gz_is_not_an_archive(tmp_path):
    (tmp_path / "backup.tar.gz").write_text("notes\n" * 200)
    verdict = host_archive(str(tmp_path / "backup.tar.gz"), ("note.txt",), next_step="Again.").evaluate(None)
    assert verdict.passed is False and "not a tar archive" in verdict.message


def test_members_must_hold_the_expected_text(tmp_path):
    path = tmp_path / "backup.tar.gz"
    make_tar(path, {"./notes.txt": b"the only copy\n", "./empty.txt": b""})
    holding = host_archive(str(path), ("notes.txt",), next_step="", holding={"notes.txt": "the only copy"})
    assert holding.evaluate(None).passed
    wrong = host_archive(str(path), ("empty.txt",), next_step="Again.", holding={"empty.txt": "meow"})
    verdict = wrong.evaluate(None)
    assert verdict.passed is False and "empty.txt" in verdict.message and "'meow'" in verdict.message


def test_a_directory_member_cannot_stand_in_for_a_file(tmp_path):
    path = tmp_path / "backup.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    verdict = host_archive(str(path), ("notes.txt",), next_step="", holding={"notes.txt": "x"}).evaluate(None)
    assert verdict.passed is False and "not a regular file" in verdict.message


def test_links_are_not_followed(tmp_path):
    make_tar(tmp_path / "real.tar.gz", ["note.txt"])
    os.symlink(tmp_path / "real.tar.gz", tmp_path / "backup.tar.gz")
    assert read_archive(str(tmp_path / "backup.tar.gz")).status == "symlink"
    verdict = host_archive(str(tmp_path / "backup.tar.gz"), ("note.txt",), next_step="").evaluate(None)
    assert verdict.passed is False and "symbolic link" in verdict.message


def test_an_unchanged_archive_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    monkeypatch.setenv("LABCHECK_HOME", str(tmp_path / "state"))
    archive = tmp_path / "backup.tar.gz"
    make_tar(archive, {"./PG_VERSION": b"17\n", "./.env": b"x"})
    first = read_archive(str(archive), wanted=("PG_VERSION",), enough=("PG_VERSION", ".env"))
    assert first.members == {"PG_VERSION", ".env"} and first.contents == {"PG_VERSION": b"17\n"}

    def no_second_read(*args, **kwargs):
        raise AssertionError("an unchanged archive was decompressed again")
    monkeypatch.setattr(tarfile, "open", no_second_read)
    again = read_archive(str(archive), wanted=("PG_VERSION",), enough=("PG_VERSION", ".env"))
    assert (again.status, again.kind, again.members, again.contents) == \
        (first.status, first.kind, first.members, first.contents)
    monkeypatch.undo()

    monkeypatch.setenv("LABCHECK_HOME", str(tmp_path / "state"))
    make_tar(archive, {"./PG_VERSION": b"18\n", "./.env": b"x"})    # same size, same second, new content
    assert read_archive(str(archive), wanted=("PG_VERSION",), enough=("PG_VERSION", ".env")).contents == \
        {"PG_VERSION": b"18\n"}
