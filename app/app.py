"""The course app: notes in SQLite and uploaded files, served on one port, Python's standard library only.

Where its data lives (the two things a container must not keep in its writable layer):

- the notes: a SQLite database at the path DATABASE_URL names (default ``/data/app.db``). A plain path,
  or the same path written as a URL, ``sqlite:////data/app.db``. It is opened in WAL mode, so recent
  writes sit in ``app.db-wal`` beside it until a checkpoint copies them into ``app.db``;
- the uploads: files in UPLOADS_DIR (default ``/app/uploads``).

Commands (``python app.py COMMAND``):

    serve                 the web page on PORT (default 8000): list and add notes, upload and list files
    add-note TEXT         add a note through the running server
    upload NAME           upload standard input as the file NAME through the running server
    notes                 print the notes, oldest first, one a line
    backup DEST           a consistent copy of the database into the file DEST, safe while the server runs
"""
from __future__ import annotations

import html
import os
import signal
import sqlite3
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_UPLOAD = 10 * 1024 * 1024


def database_path(url: str | None = None) -> str:
    """The database file DATABASE_URL names: ``/data/app.db`` or ``sqlite:////data/app.db``."""
    url = url or os.environ.get("DATABASE_URL") or "/data/app.db"
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
    elif "://" in url:
        raise SystemExit(f"DATABASE_URL must be a file path or sqlite:///PATH, not {url!r}")
    return url


def uploads_dir() -> str:
    return os.environ.get("UPLOADS_DIR") or "/app/uploads"


def port() -> int:
    return int(os.environ.get("PORT") or 8000)


class Notes:
    """The notes table, behind one long-lived connection, as a server keeps it."""

    def __init__(self, path: str) -> None:
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
                        "created TEXT NOT NULL DEFAULT (datetime('now')))")

    def add(self, body: str) -> None:
        body = body.strip()
        if not body:
            raise ValueError("a note needs some text")
        with self.lock:
            self.db.execute("INSERT INTO notes (body) VALUES (?)", (body,))

    def all(self) -> list[str]:
        with self.lock:
            return [row[0] for row in self.db.execute("SELECT body FROM notes ORDER BY id")]

    def close(self) -> None:
        """Closing the last connection checkpoints the WAL into the database file and removes app.db-wal."""
        with self.lock:
            self.db.close()


def safe_name(name: str) -> str:
    """An upload's file name without any folder part; refuses names that are empty or hidden."""
    name = os.path.basename(name.replace("\\", "/")).strip()
    if not name or name.startswith("."):
        raise ValueError(f"not a usable file name: {name!r}")
    return name


def save_upload(folder: str, name: str, data: bytes) -> str:
    name = safe_name(name)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    return name


def list_uploads(folder: str) -> list[str]:
    return sorted(e.name for e in os.scandir(folder) if e.is_file() and not e.name.startswith("."))


def file_from_form(content_type: str, body: bytes) -> tuple[str, bytes]:
    """(file name, bytes) of the field "file" in a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file" and part.get_filename():
            return part.get_filename(), part.get_payload(decode=True) or b""
    raise ValueError("no file in the form")


def page(notes: list[str], uploads: list[str], db: str, folder: str) -> bytes:
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes) or "<li><em>no notes yet</em></li>"
    files = "".join(f'<li><a href="/uploads/{urllib.parse.quote(u)}">{html.escape(u)}</a></li>' for u in uploads) \
        or "<li><em>no uploads yet</em></li>"
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Notes</title></head>
<body>
<h1>Notes</h1>
<p>Notes live in <code>{html.escape(db)}</code>; uploads in <code>{html.escape(folder)}</code>.</p>
<ul id="notes">{items}</ul>
<form method="post" action="/notes"><input name="body" required> <button>Add note</button></form>
<h2>Uploads</h2>
<ul id="uploads">{files}</ul>
<form method="post" action="/uploads" enctype="multipart/form-data">
<input type="file" name="file" required> <button>Upload</button></form>
</body></html>
""".encode()


class Handler(BaseHTTPRequestHandler):
    notes: Notes
    db_path: str
    folder: str

    def send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def back_home(self) -> None:
        self.send_response(303)
        self.send_header("Location", "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == "/":
            self.send(200, page(self.notes.all(), list_uploads(self.folder), self.db_path, self.folder),
                      "text/html; charset=utf-8")
        elif path == "/notes":
            self.send(200, "".join(n + "\n" for n in self.notes.all()).encode())
        elif path.startswith("/uploads/"):
            try:
                name = safe_name(path[len("/uploads/"):])
                with open(os.path.join(self.folder, name), "rb") as f:
                    self.send(200, f.read(), "application/octet-stream")
            except (ValueError, OSError):
                self.send(404, b"no such upload\n")
        else:
            self.send(404, b"not found\n")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_UPLOAD:
            self.send(413, b"too large\n")
            return
        body = self.rfile.read(length)
        try:
            if self.path == "/notes":
                self.notes.add(urllib.parse.parse_qs(body.decode()).get("body", [""])[0])
            elif self.path == "/uploads":
                save_upload(self.folder, *file_from_form(self.headers.get("Content-Type", ""), body))
            else:
                self.send(404, b"not found\n")
                return
        except ValueError as exc:
            self.send(400, f"{exc}\n".encode())
            return
        self.back_home()

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")


def make_server(db_path: str, folder: str, listen_port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    handler = type("AppHandler", (Handler,), {"notes": Notes(db_path), "db_path": db_path, "folder": folder})
    return ThreadingHTTPServer((host, listen_port), handler)


def serve() -> int:
    db, folder = database_path(), uploads_dir()
    server = make_server(db, folder, port())
    # `docker stop` sends SIGTERM: close the database cleanly (a checkpoint), then exit.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"serving on port {port()}: notes in {db}, uploads in {folder}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    server.RequestHandlerClass.notes.close()
    return 0


def post(path: str, data: bytes, content_type: str, wait: float = 15.0) -> None:
    """POST to the server in this container, waiting up to `wait` seconds for it to listen (just after a start)."""
    import time
    request = urllib.request.Request(f"http://127.0.0.1:{port()}{path}", data=data,
                                     headers={"Content-Type": content_type}, method="POST")
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
            return
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"the server refused it: {exc.code} {exc.read().decode(errors='replace').strip()}")
        except urllib.error.URLError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"no server answers on port {port()} ({exc.reason}): is `python app.py serve` "
                                 "running in this container?")
            time.sleep(0.2)


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "course-app-" + os.urandom(8).hex()
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def backup(dest: str) -> None:
    """Copy the database with SQLite's online backup: one consistent moment, WAL content included."""
    source = sqlite3.connect(database_path())
    target = sqlite3.connect(dest)
    with target:
        source.backup(target)
    target.close()
    source.close()


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("serve", [])
    if command == "serve" and not args:
        return serve()
    if command == "add-note" and args:
        post("/notes", urllib.parse.urlencode({"body": " ".join(args)}).encode(), "application/x-www-form-urlencoded")
        return 0
    if command == "upload" and len(args) == 1:
        post("/uploads", *multipart(safe_name(args[0]), sys.stdin.buffer.read()))
        return 0
    if command == "notes" and not args:
        notes = Notes(database_path())
        for body in notes.all():
            print(body)
        notes.close()
        return 0
    if command == "backup" and len(args) == 1:
        backup(args[0])
        return 0
    print(__doc__.split("Commands")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
