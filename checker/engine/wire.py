"""Just enough HTTP/1.1 to talk to a Docker Engine: one request at a time on a socket we open.

Why not http.client: it imports the email package to parse headers, and that import alone is a third
of the time `labcheck exN` may take (see bench/). The engine's answers need little: a status line,
headers, and a body framed by Content-Length, by chunks, or by the end of the connection.
"""
from __future__ import annotations

import socket

MAX_LINE = 64 * 1024          # a status, header or chunk-size line longer than this is not an engine talking
MAX_HEADERS = 200
MAX_INTERIM = 10              # "100 Continue" answers before the real one
# The largest Content-Length or chunk size we accept: 64 GiB, far above the longest body labcheck reads (the
# archive of `images save`, a few GB, streamed a MiB at a time; JSON answers are a few MB). A length is never
# allocated at once: whole-body reads also go a PIECE at a time, so a length that lies costs memory only as its
# bytes arrive, and the cap turns absurd numbers (and int() of thousands of digits) into a ProtocolError.
MAX_LENGTH = 64 << 30
PIECE = 1 << 20
_DECIMAL, _HEX = frozenset("0123456789"), frozenset("0123456789abcdefABCDEF")


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def quote(text: str) -> str:
    """`text` percent-encoded as one path segment or query value (UTF-8; every byte but RFC 3986's
    unreserved ones encoded, "/" included). urllib.parse does the same, at the cost of importing it and the
    ipaddress it imports: 4.4 ms at best (-X importtime, best of 55, bytecode cached, on top of what
    `labcheck ex1` already loads; 4.3 ms of CPU time; Python 3.11), over our 3 ms bar for an import."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8", "surrogateescape"))


def query(params) -> str:
    """A query string from a dict or from (name, value) pairs (a name may repeat: `names=a&names=b`)."""
    pairs = params.items() if isinstance(params, dict) else params
    return "&".join(f"{quote(str(name))}={quote(str(value))}" for name, value in pairs)


def split_endpoint(url: str) -> tuple[str, str]:
    """("unix", "/var/run/docker.sock") or ("tcp", "host:2376") from a DOCKER_HOST-style URL."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "", url
    scheme = scheme.lower()
    return scheme, rest if scheme == "unix" else rest.split("/", 1)[0]


class ProtocolError(Exception):
    """The peer did not answer in HTTP/1.1 as an engine does."""


class Disconnected(ConnectionResetError, ProtocolError):
    """The peer closed the connection before it answered (a keep-alive connection it had dropped), or in the
    middle of its answer (a reply cut short is a malformed reply too)."""


class Headers(dict):
    """Response headers; names are matched without regard to case, as HTTP says."""

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


def _line(file, eof: str = "in the middle of an answer") -> bytes:
    """One line of an answer's head or chunk framing, with its line end; never split, never cut short."""
    line = file.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise ProtocolError(f"a line longer than {MAX_LINE} bytes: {line[:40]!r}...")
    if not line.endswith(b"\n"):
        raise Disconnected(f"the engine closed the connection {eof}")
    return line


def _length(text: str, base: int, what: str) -> int:
    """A Content-Length (base 10) or chunk size (16): digits only (no sign, space, "0x" or "_"), capped."""
    if text and (_HEX if base == 16 else _DECIMAL).issuperset(text) and len(text.lstrip("0")) <= 16:
        value = int(text, base)
        if value <= MAX_LENGTH:
            return value
    raise ProtocolError(f"bad {what} {text[:40]!r}")


def _fields(file) -> Headers:
    """Header (or trailer) lines up to the empty line that ends them."""
    fields = Headers()
    for _ in range(MAX_HEADERS + 1):
        line = _line(file)
        if line in (b"\r\n", b"\n"):
            return fields
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise ProtocolError(f"bad header line {line[:60]!r}")
        fields[name.strip().lower()] = value.strip(" \t\r\n")      # OWS is spaces and tabs only
    raise ProtocolError("too many headers")


class Reply:
    """One response; `read` decodes the body's framing. The connection is reusable once the body is read."""

    def __init__(self, connection: Connection, status: int, headers: Headers, has_body: bool) -> None:
        self._connection, self.status, self.headers = connection, status, headers
        self._file = connection.file
        self._chunked = "chunked" in (headers.get("transfer-encoding") or "").lower()
        length = headers.get("content-length")
        self._left = None if self._chunked or length is None else _length(length, 10, "Content-Length")
        self._chunk_left = 0
        self.done = not has_body or self._left == 0
        self.keep_alive = (headers.get("connection") or "").lower() != "close" and (self._chunked or
                                                                                  self._left is not None or
                                                                                  not has_body)

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes of body (all of it with -1); b"" at its end."""
        if self.done:
            return b""
        if self._chunked:
            return self._read_chunked(size)
        if self._left is None:                       # framed by the end of the connection
            data = self._file.read() if size < 0 else self._file.read(size)
            self.done = not data
            return data
        if size < 0:                                 # a PIECE at a time: memory only for bytes that came
            parts = []
            while not self.done:
                parts.append(self.read(PIECE))
            return b"".join(parts)
        want = min(size, self._left)
        data = self._file.read(want)
        if len(data) < want:
            raise Disconnected("the engine closed the connection in the middle of a response")
        self._left -= len(data)
        self.done = self._left == 0
        return data

    def read1(self, size: int = 65536) -> bytes:
        """What has arrived, at most `size` bytes, waiting only if nothing has (for streams such as events)."""
        if self.done:
            return b""
        if self._chunked:
            if self._chunk_left == 0 and not self._next_chunk():
                return b""
            data = self._file.read1(min(size, self._chunk_left))
            if not data:
                raise Disconnected("the engine closed the connection in the middle of a chunk")
            self._chunk_left -= len(data)
            if self._chunk_left == 0:
                self._chunk_end()
            return data
        data = self._file.read1(size if self._left is None else min(size, self._left))
        if self._left is not None:
            self._left -= len(data)
            self.done = self._left == 0
        if not data:
            self.done = True
            if self._left:
                raise Disconnected("the engine closed the connection in the middle of a response")
        return data

    def _next_chunk(self) -> bool:
        line = _line(self._file)                     # size in hex, then ";extensions" we ignore
        self._chunk_left = _length(line.split(b";", 1)[0].rstrip(b" \t\r\n").decode("latin-1"), 16, "chunk size")
        if self._chunk_left == 0:                    # last chunk: skip trailers up to the empty line
            _fields(self._file)
            self.done = True
            return False
        return True

    def _chunk_end(self) -> None:
        end = self._file.readline(3)                 # the CRLF after a chunk
        if not end:
            raise Disconnected("the engine closed the connection in the middle of a chunk")
        if end not in (b"\r\n", b"\n"):
            raise ProtocolError(f"no line end after a chunk but {end!r}")

    def _read_chunked(self, size: int) -> bytes:
        parts, wanted = [], size
        while not self.done and (size < 0 or wanted > 0):
            if self._chunk_left == 0 and not self._next_chunk():
                break
            take = min(self._chunk_left, PIECE if size < 0 else wanted)
            data = self._file.read(take)
            if len(data) < take:
                raise Disconnected("the engine closed the connection in the middle of a chunk")
            parts.append(data)
            self._chunk_left -= take
            wanted -= take
            if self._chunk_left == 0:
                self._chunk_end()
        return b"".join(parts)

    def close(self) -> None:
        """Close the connection under this reply (a stream owns its connection)."""
        self._connection.close()


class Connection:
    """One socket to the engine, opened on first use by `opener`; requests go one after another."""

    def __init__(self, opener, host_header: str = "localhost") -> None:
        self._opener, self._host = opener, host_header
        self.sock: socket.socket | None = None
        self.file = None
        self._reply: Reply | None = None

    def request(self, method: str, target: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """Send one request and read the status line and headers of its answer."""
        if self._reply is not None and not (self._reply.done and self._reply.keep_alive):
            self.close()
        if self.sock is None:
            self.sock = self._opener()
            self.file = self.sock.makefile("rb")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host}", "User-Agent: labcheck"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body or b'')}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        self._reply = self._read_head(method)
        return self._reply

    def _read_head(self, method: str) -> Reply:
        for _ in range(MAX_INTERIM + 1):
            line = _line(self.file, "without answering")
            parts = line.decode("latin-1").split(None, 2)    # HTTP/1.1 200 OK
            if (len(parts) < 2 or parts[0] not in ("HTTP/1.1", "HTTP/1.0") or len(parts[1]) != 3
                    or not _DECIMAL.issuperset(parts[1]) or not 100 <= int(parts[1]) <= 599):
                raise ProtocolError(f"not an HTTP answer: {line[:60]!r}")
            status = int(parts[1])
            headers = _fields(self.file)
            if status < 200:                          # 100 Continue and the like: the real answer follows
                continue
            has_body = method != "HEAD" and status not in (204, 304)
            return Reply(self, status, headers, has_body)
        raise ProtocolError("too many interim answers")

    def close(self) -> None:
        for thing in (self.file, self.sock):
            if thing is not None:
                try:
                    thing.close()
                except OSError:
                    pass
        self.file = self.sock = self._reply = None
