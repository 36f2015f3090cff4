"""A recording proxy in front of the engine's Unix socket: every request any client sends through it.

Point DOCKER_HOST at `proxy.host` and every request labcheck sends, in this process or in a
`labcheck` subprocess, is forwarded to the engine unchanged and recorded as (method, target, body),
so a test can say exactly which requests grading sent.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
import threading


class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream                         # the engine's socket path
        self.folder = tempfile.mkdtemp(prefix="rec-")    # short: a socket path has at most 107 bytes
        self.path = os.path.join(self.folder, "engine.sock")
        self.requests: list[tuple[str, str, dict | None]] = []
        self._lock = threading.Lock()
        self._server: socket.socket | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    def __enter__(self) -> "RecordingProxy":
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.close()
        os.unlink(self.path)
        os.rmdir(self.folder)

    def non_get(self) -> list[tuple[str, str, dict | None]]:
        with self._lock:
            return [r for r in self.requests if r[0] != "GET"]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            engine.connect(self.upstream)
            threading.Thread(target=self._client_to_engine, args=(client, engine), daemon=True).start()
            threading.Thread(target=self._pipe, args=(engine, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            hang_up(source, sink)

    def _client_to_engine(self, client: socket.socket, engine: socket.socket) -> None:
        """Forward as it arrives; parse a copy into requests (our clients send Content-Length bodies only)."""
        pending = b""
        try:
            while chunk := client.recv(65536):
                engine.sendall(chunk)
                pending += chunk
                while b"\r\n\r\n" in pending:
                    head, rest = pending.split(b"\r\n\r\n", 1)
                    lines = head.decode("latin-1").split("\r\n")
                    method, target, _ = lines[0].split(" ", 2)
                    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
                    length = int(headers.get("content-length", "0"))
                    if len(rest) < length:
                        break
                    body, pending = rest[:length], rest[length:]
                    with self._lock:
                        self.requests.append((method, target, json.loads(body) if body else None))
        except OSError:
            pass
        finally:
            hang_up(client, engine)


def hang_up(*ends: socket.socket) -> None:
    for end in ends:
        try:
            end.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
