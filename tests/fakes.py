"""Stand-ins for broken environments, on local Unix sockets only.

FakeEngine answers like an engine of a chosen API version (the "engine too old"
case); DelayingProxy forwards to the real engine after a delay (a slow engine).
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time


class _SocketServer:
    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self.sock.close()
        os.unlink(self.path)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError


def read_request_head(conn: socket.socket) -> bytes | None:
    """A request's line and headers, up to and including the blank line; None when the client hung up first."""
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        request += chunk
    return request


class FakeEngine(_SocketServer):
    """Answers /version and /_ping as an engine speaking `api_version` would."""

    def __init__(self, path: str, api_version: str, engine_version: str = "20.10.24") -> None:
        super().__init__(path)
        self.body = json.dumps({"Version": engine_version, "ApiVersion": api_version,
                                "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64"}).encode()

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while (request := read_request_head(conn)) is not None:
                    path = request.split(b" ", 2)[1].decode()
                    body = self.body if path.endswith("/version") else b"OK"
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Api-Version: " + json.loads(self.body)["ApiVersion"].encode() +
                                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            except OSError:
                return


def _upstream(target: str) -> socket.socket | None:
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
        return upstream
    except OSError:
        upstream.close()
        return None


def _shut(*sockets: socket.socket) -> None:
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _forward(src: socket.socket, dst: socket.socket, allow=lambda: True) -> None:
    """Copy src to dst until either side closes or `allow()` says stop; then shut both."""
    try:
        while (data := src.recv(65536)) and allow():
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _shut(src, dst)


class DelayingProxy(_SocketServer):
    """Forwards every connection to `target` after waiting `delay` seconds."""

    def __init__(self, path: str, target: str, delay: float) -> None:
        super().__init__(path)
        self.target, self.delay = target, delay

    def handle(self, conn: socket.socket) -> None:
        time.sleep(self.delay)
        upstream = _upstream(self.target)
        if upstream is None:
            conn.close()
            return
        threading.Thread(target=_forward, args=(upstream, conn), daemon=True).start()
        _forward(conn, upstream)


class DyingProxy(DelayingProxy):
    """Forwards to `target` until `responses` upstream reads have passed, then drops everything and goes away."""

    def __init__(self, path: str, target: str, responses: int) -> None:
        super().__init__(path, target, delay=0)
        self.budget = responses
        self.lock = threading.Lock()

    def spend(self) -> bool:
        with self.lock:
            self.budget -= 1
            return self.budget >= 0

    def handle(self, conn: socket.socket) -> None:
        upstream = _upstream(self.target)
        if upstream is None:
            conn.close()
            return
        threading.Thread(target=_forward, args=(conn, upstream), daemon=True).start()
        _forward(upstream, conn, allow=self.spend)
        conn.close()
        upstream.close()


class StallingProxy(DelayingProxy):
    """Forwards to `target`, except that a connection whose first request reads an archive (a file in a
    container or volume) is held open and never answered: a read that hangs, for killing labcheck mid-read."""

    def __init__(self, path: str, target: str) -> None:
        super().__init__(path, target, delay=0)
        self.stalled = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        first = conn.recv(65536)
        if b"/archive" in first.split(b"\r\n", 1)[0]:
            self.stalled.set()
            while not self._stop.is_set():
                time.sleep(0.1)
            conn.close()
            return
        upstream = _upstream(self.target)
        if upstream is None:
            conn.close()
            return
        upstream.sendall(first)
        threading.Thread(target=_forward, args=(upstream, conn), daemon=True).start()
        _forward(conn, upstream)


def _forward_rewriting(src: socket.socket, dst: socket.socket, old: bytes, new: bytes) -> None:
    """Copy src to dst, replacing `old` with `new` (the same length, so Content-Length and chunk sizes hold)."""
    try:
        while data := src.recv(65536):
            dst.sendall(data.replace(old, new))
    except OSError:
        pass
    finally:
        _shut(src, dst)


class OlderApiProxy(_SocketServer):
    """Forwards to the real engine at `target`, but says it speaks API `api_version` (the `Api-Version` header and
    /version's `ApiVersion`): an Engine 25 as labcheck sees it, on an engine of today. The engine still answers
    the requests, made under /v1.44/… , as it answers any older client."""

    def __init__(self, path: str, target: str, real: str, api_version: str) -> None:
        super().__init__(path)
        assert len(real) == len(api_version)
        self.target, self.real, self.api_version = target, real.encode(), api_version.encode()

    def handle(self, conn: socket.socket) -> None:
        upstream = _upstream(self.target)
        if upstream is None:
            conn.close()
            return
        threading.Thread(target=_forward_rewriting, args=(upstream, conn, self.real, self.api_version),
                         daemon=True).start()
        _forward(conn, upstream)
