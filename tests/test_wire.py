"""checker/engine/wire.py against canned engine answers on a socket pair: every body framing the engine uses."""
from __future__ import annotations

import socket
import threading

import pytest

from checker.engine.wire import Connection, Disconnected, ProtocolError, query, quote, split_endpoint


class CannedPeer:
    """The other end of a socket pair: records each request and answers it with the next canned reply."""

    def __init__(self, *replies: bytes, close_after: bool = False) -> None:
        self.ours, self.theirs = socket.socketpair()
        self.requests: list[bytes] = []
        self.opened = 0
        self._replies, self._close_after = list(replies), close_after
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        buffer = b""
        for reply in self._replies:
            while b"\r\n\r\n" not in buffer:
                data = self.theirs.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(buffer) < length:
                buffer += self.theirs.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + buffer[:length])
            buffer = buffer[length:]
            self.theirs.sendall(reply)
        if self._close_after:
            self.theirs.close()

    def open(self) -> socket.socket:
        self.opened += 1
        if self.opened > 1:
            raise AssertionError("the connection was opened twice; it should have been kept alive")
        return self.ours


def test_content_length_body_and_keep_alive():
    peer = CannedPeer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
                      b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}")
    connection = Connection(peer.open)
    first = connection.request("GET", "/v1.45/volumes/x")
    assert (first.status, first.headers.get("Content-Type"), first.read()) == (200, "text/plain", b"hello")
    second = connection.request("GET", "/v1.45/containers/y/json")
    assert (second.status, second.read()) == (404, b"{}")
    assert peer.requests[0].startswith(b"GET /v1.45/volumes/x HTTP/1.1\r\nHost: localhost\r\n")
    assert peer.opened == 1


def test_chunked_body_read_whole_and_in_pieces():
    body = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n"
    peer = CannedPeer(body, body)
    connection = Connection(peer.open)
    assert connection.request("GET", "/a").read() == b"Wikipedia in \r\n\r\nchunks."
    reply = connection.request("GET", "/b")
    pieces = []
    while chunk := reply.read(3):
        pieces.append(chunk)
    assert b"".join(pieces) == b"Wikipedia in \r\n\r\nchunks." and max(map(len, pieces)) == 3
    assert reply.done and peer.opened == 1


def test_read1_streams_chunks_as_they_come():
    peer = CannedPeer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab\n\r\n3\r\ncd\n\r\n0\r\n\r\n")
    reply = Connection(peer.open).request("GET", "/events")
    seen = []
    while chunk := reply.read1(65536):
        seen.append(chunk)
    assert b"".join(seen) == b"ab\ncd\n"


def test_body_framed_by_the_end_of_the_connection():
    peer = CannedPeer(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe rest of the stream", close_after=True)
    reply = Connection(peer.open).request("GET", "/archive")
    assert reply.read() == b"the rest of the stream" and not reply.keep_alive


def test_interim_answers_are_skipped_and_no_content_has_no_body():
    peer = CannedPeer(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
                      b"HTTP/1.1 201 Created\r\nContent-Length: 13\r\n\r\n{\"Id\": \"abc\"}")
    connection = Connection(peer.open)
    gone = connection.request("DELETE", "/containers/x")
    assert (gone.status, gone.read()) == (204, b"")
    made = connection.request("POST", "/containers/create", body=b'{"Image": "busybox:1.36"}',
                              headers={"Content-Type": "application/json"})
    assert (made.status, made.read()) == (201, b'{"Id": "abc"}')
    assert peer.requests[1].endswith(b'Content-Length: 25\r\n\r\n{"Image": "busybox:1.36"}')


def test_a_peer_that_hangs_up_or_speaks_something_else_is_an_error():
    peer = CannedPeer(b"", close_after=True)        # reads the request, then hangs up without a word
    with pytest.raises(Disconnected):
        Connection(peer.open).request("GET", "/version")
    peer = CannedPeer(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with pytest.raises(ProtocolError):
        Connection(peer.open).request("GET", "/version")
    peer = CannedPeer(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", close_after=True)
    reply = Connection(peer.open).request("GET", "/version")
    with pytest.raises(Disconnected):
        reply.read()


@pytest.mark.parametrize("text", ["lab-notes", "a b/c?d#e&f=g", "caf\u00e9 \u2603", "~._-", "%41", '{"label": ["x"]}', ""])
def test_quote_encodes_as_urllib_does(text):
    from urllib.parse import quote as urllib_quote, urlencode

    assert quote(text) == urllib_quote(text, safe="")
    assert query({"filters": text, "all": "1"}) == urlencode({"filters": text, "all": "1"}, quote_via=urllib_quote)
    pairs = [("names", text), ("names", "busybox:1.36")]
    assert query(pairs) == urlencode(pairs, quote_via=urllib_quote)


@pytest.mark.parametrize("url, expected", [
    ("unix:///var/run/docker.sock", ("unix", "/var/run/docker.sock")),
    ("UNIX:///run/user/1001/docker.sock", ("unix", "/run/user/1001/docker.sock")),
    ("tcp://192.168.1.20:2376", ("tcp", "192.168.1.20:2376")),
    ("tcp://[::1]:2375/", ("tcp", "[::1]:2375")),
])
def test_endpoints_split_into_scheme_and_address(url, expected):
    assert split_endpoint(url) == expected
