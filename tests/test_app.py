"""The course app (app/app.py): its settings, its notes in SQLite in WAL mode, uploads, the page and its commands,
in-process with no engine; and its image on the engine, run as the lessons run it."""
from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def load_app():
    spec = importlib.util.spec_from_file_location("course_app", APP / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = load_app()


def test_database_url_is_a_path_or_a_sqlite_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert app.database_path() == "/data/app.db"
    assert app.database_path("/data/app.db") == "/data/app.db"
    assert app.database_path("sqlite:////data/app.db") == "/data/app.db"
    with pytest.raises(SystemExit):
        app.database_path("postgres://db/app")


def test_upload_names_lose_their_folders_and_hidden_names_are_refused():
    assert app.safe_name("../../etc/passwd") == "passwd"
    assert app.safe_name("C:\\temp\\report.txt") == "report.txt"
    for bad in ("", ".env", "dir/", ".."):
        with pytest.raises(ValueError):
            app.safe_name(bad)


def test_a_multipart_body_round_trips():
    body, content_type = app.multipart("hello.txt", b"Hello, volumes!\n\x00\xff")
    assert app.file_from_form(content_type, body) == ("hello.txt", b"Hello, volumes!\n\x00\xff")


@pytest.fixture
def server(tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    db = tmp_path / "app.db"
    httpd = app.make_server(str(db), str(uploads), 0, host="127.0.0.1")
    port = httpd.server_address[1]
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.setenv("DATABASE_URL", str(db))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield db, uploads, port
    httpd.shutdown()
    httpd.server_close()
    httpd.RequestHandlerClass.notes.close()


def test_notes_and_uploads_through_the_commands_and_the_page(server, capsys, monkeypatch):
    db, uploads, port = server
    assert app.main(["add-note", "Water", "the", "plants"]) == 0
    monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": __import__("io").BytesIO(b"Hello, volumes!\n")})())
    assert app.main(["upload", "hello.txt"]) == 0
    assert (uploads / "hello.txt").read_bytes() == b"Hello, volumes!\n"
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
    assert "<li>Water the plants</li>" in page and 'href="/uploads/hello.txt"' in page
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/uploads/hello.txt").read() == b"Hello, volumes!\n"
    assert app.main(["notes"]) == 0
    assert capsys.readouterr().out == "Water the plants\n"


def test_the_database_is_in_wal_mode_and_new_notes_wait_in_the_log(server):
    db, _, _ = server
    app.main(["add-note", "only in the log"])
    assert os.path.exists(f"{db}-wal")
    alone = sqlite3.connect(f"file:{db}?immutable=1", uri=True)     # app.db without its log
    tables = [r[0] for r in alone.execute("SELECT name FROM sqlite_master")]
    assert "notes" not in tables
    alone.close()


def test_backup_is_consistent_and_self_contained_while_the_server_runs(server, tmp_path):
    app.main(["add-note", "backed up live"])
    target = tmp_path / "backup.db"
    app.main(["backup", str(target)])
    assert not os.path.exists(f"{target}-wal")
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT body FROM notes").fetchall() == [("backed up live",)]
    copy.close()


def test_the_image_declares_no_volume_and_runs_as_a_user_of_its_own():
    dockerfile = (APP / "Dockerfile").read_text()
    assert "VOLUME" not in dockerfile
    assert "FROM python:3.13-slim" in dockerfile and "USER app" in dockerfile
    assert "chown app:app /data /app/uploads" in dockerfile


@pytest.mark.engine
def test_the_image_keeps_notes_and_uploads_in_its_volumes(client):
    """Built and run as lesson 18 runs it: a new container on the same volumes finds the note and the file, and
    the new volumes took the image folders' owner, so the app (UID 1000) could write them."""
    tag, name, volumes = "demo-apptest:1", "demo-apptest", ("demo-apptest-data", "demo-apptest-uploads")

    def sh(*command, input=None):
        return subprocess.run(command, capture_output=True, text=True, check=True, input=input).stdout

    try:
        sh("docker", "build", "-q", "-t", tag, str(APP))
        run = ("docker", "run", "-d", "--name", name, "-v", f"{volumes[0]}:/data", "-v", f"{volumes[1]}:/app/uploads", tag)
        sh(*run)
        sh("docker", "exec", name, "python", "app.py", "add-note", "kept")
        sh("docker", "exec", "-i", name, "python", "app.py", "upload", "a.txt", input="bytes\n")
        assert sh("docker", "exec", name, "id", "-u").strip() == "1000"
        assert sh("docker", "exec", name, "stat", "-c", "%u", "/data", "/app/uploads").split() == ["1000", "1000"]
        sh("docker", "rm", "-f", name)
        sh(*run)
        assert sh("docker", "exec", name, "python", "app.py", "notes") == "kept\n"
        assert sh("docker", "exec", name, "cat", "/app/uploads/a.txt") == "bytes\n"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "volume", "rm", *volumes], capture_output=True)
        subprocess.run(["docker", "image", "rm", tag], capture_output=True)
