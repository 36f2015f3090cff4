"""checker/engine/wire.py against canned engine answers on a socket pair: every body framing the engine uses,
and every way an answer can be malformed, which ends in a ProtocolError and, for the learner, in exit code 3."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from checker.engine.endpoint import Endpoint
from checker.engine.problems import EnvironmentProblem
from checker.engine.readonly import ReadOnlyEngine
from checker.engine.wire import MAX_HEADERS, MAX_LINE, Connection, Disconnected, ProtocolError, query, quote, \
    split_endpoint

from .fakes import _SocketServer, read_request_head


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


def answer(raw: bytes, how: str = "read") -> bytes:
    """The body of `raw`, the whole reply of a peer that then hangs up, read whole, in pieces or as it comes."""
    reply = Connection(CannedPeer(raw, close_after=True).open).request("GET", "/version")
    if how == "read":
        return reply.read()
    pieces = []
    while piece := (reply.read(3) if how == "pieces" else reply.read1(65536)):
        pieces.append(piece)
    return b"".join(pieces)


OK = b"HTTP/1.1 200 OK\r\n"
CHUNKED = OK + b"Transfer-Encoding: chunked\r\n\r\n"


def with_length(value: bytes, body: bytes = b"hello") -> bytes:
    return OK + b"Content-Length: " + value + b"\r\n\r\n" + body


@pytest.mark.parametrize("value", [b"+5", b"-1", b"5, 6", b"0x10", b"1_0", b"5 5", b"", "\u0663".encode(),
                                   b"\xb2", b"\xa05\xa0", b"99999999999999999999", b"9" * 5000],
                         ids=["plus", "negative", "list", "hex", "underscore", "inner space", "empty",
                              "arabic-indic digit", "superscript", "nbsp", "absurd", "5000 digits"])
def test_a_content_length_that_is_not_plain_digits_or_is_absurd_is_a_protocol_error(value):
    with pytest.raises(ProtocolError, match="bad Content-Length"):
        answer(with_length(value))


@pytest.mark.parametrize("size", [b" 5", b"-5", b"+5", b"0x5", b"5_0", b"zz", b"", b";ext", b"ff" * 9],
                         ids=["leading space", "negative", "plus", "0x", "underscore", "not hex", "empty",
                              "only an extension", "absurd"])
@pytest.mark.parametrize("how", ["read", "pieces", "read1"])
def test_a_bad_chunk_size_is_a_protocol_error(size, how):
    with pytest.raises(ProtocolError, match="bad chunk size"):
        answer(CHUNKED + size + b"\r\nhello\r\n0\r\n\r\n", how)


@pytest.mark.parametrize("how", ["read", "pieces", "read1"])
def test_a_chunk_without_its_line_end_is_a_protocol_error(how):
    with pytest.raises(ProtocolError, match="no line end after a chunk"):
        answer(CHUNKED + b"5\r\nhelloXX\r\n0\r\n\r\n", how)


@pytest.mark.parametrize("status", [b"HTTP/1.1 2000 OK", b"HTTP/1.1 20 OK", b"HTTP/1.1 099 Low", b"HTTP/1.1 600 High",
                                    b"HTTP/1.1 +20 OK", b"HTTP/1.1 \xb200 OK", b"HTTP/1.1 200OK", b"HTTP/1.1",
                                    b"HTTP/2 200 OK", b"HTTP/1.1x 200 OK", b"ICY 200 OK", b"200 OK", b""])
def test_a_bad_status_line_is_a_protocol_error(status):
    with pytest.raises(ProtocolError, match="not an HTTP answer"):
        answer(status + b"\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 " + b"O" * MAX_LINE + b"\r\n\r\n",
    OK + b"X-Long: " + b"a" * MAX_LINE + b"Content-Length: 0\r\n\r\n",        # its tail must not become a header
    CHUNKED + b"5;" + b"e" * MAX_LINE + b"\r\nhello\r\n0\r\n\r\n",
    CHUNKED + b"0\r\nX-Trailer: " + b"t" * MAX_LINE + b"\r\n\r\n",
], ids=["status line", "header line", "chunk size line", "trailer line"])
def test_a_line_longer_than_max_line_is_a_protocol_error_not_split(raw):
    with pytest.raises(ProtocolError, match="a line longer than"):
        answer(raw)


def test_too_many_headers_trailers_or_interim_answers_are_a_protocol_error():
    many = b"".join(b"X-%d: x\r\n" % n for n in range(MAX_HEADERS + 1))
    with pytest.raises(ProtocolError, match="too many headers"):
        answer(OK + many + b"Content-Length: 0\r\n\r\n")
    with pytest.raises(ProtocolError, match="too many headers"):
        answer(CHUNKED + b"0\r\n" + many + b"\r\n")
    with pytest.raises(ProtocolError, match="too many interim answers"):
        answer(b"HTTP/1.1 100 Continue\r\n\r\n" * 50 + OK + b"Content-Length: 0\r\n\r\n")


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 O",                                              # in the status line
    OK + b"Content-Length: 5\r\n",                                 # before the empty line
    OK + b"Content-Len",                                            # in a header line
    with_length(b"5", b"hel"),                                      # in the body
    with_length(b"60000000000"),                                    # a length that lies (56 GiB, 5 bytes)
    CHUNKED + b"5\r\nhel",                                          # in a chunk
    CHUNKED + b"fffffffff\r\nhello",                                # a chunk size that lies (64 GiB)
    CHUNKED + b"5\r\nhello",                                        # before a chunk's line end
    CHUNKED + b"5\r\nhello\r\n",                                    # before the next chunk size
    CHUNKED + b"0\r\nX-Trailer: t\r\n",                              # in the trailers
], ids=["status line", "headers", "header line", "body", "lying length", "chunk", "lying chunk size",
        "chunk line end", "next chunk", "trailers"])
@pytest.mark.parametrize("how", ["read", "pieces", "read1"])
def test_an_answer_cut_short_is_a_protocol_error(raw, how):
    with pytest.raises(ProtocolError) as caught:
        answer(raw, how)
    assert isinstance(caught.value, Disconnected)        # and still a ConnectionResetError, for the retry


def test_what_http_allows_is_still_accepted():
    line_at_the_limit = b"X-Full: " + b"f" * (MAX_LINE - 10) + b"\r\n"
    assert len(line_at_the_limit) == MAX_LINE
    assert answer(OK + line_at_the_limit + b"Content-Length: \t 0005 \r\n\r\nhello") == b"hello"
    assert answer(b"HTTP/1.0 200\r\nContent-Length: 2\r\n\r\n{}") == b"{}"
    assert answer(b"HTTP/1.1 599 Some Odd Reason\r\nContent-Length: 0\r\n\r\n") == b""
    assert answer(CHUNKED + b"5 ;a=1;b=\"x y\"\r\nhello\r\n00A\r\n0123456789\r\n0;last\r\n\r\n") == \
        b"hello0123456789"


class MalformedEngine(_SocketServer):
    """Answers /_ping as an engine speaking API 1.45 does (unless `ping` is off), and anything else with
    `reply`, after which it hangs up."""

    def __init__(self, path: str, reply: bytes, ping: bool = True) -> None:
        super().__init__(path)
        self.reply, self.ping = reply, ping

    def handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while (request := read_request_head(conn)) is not None:
                    if not (self.ping and b" /_ping " in request.split(b"\r\n", 1)[0]):
                        conn.sendall(self.reply)
                        return
                    conn.sendall(OK + b"Api-Version: 1.45\r\nServer: Docker/27.0.0 (linux)\r\n"
                                      b"Content-Length: 2\r\n\r\nOK")
            except OSError:
                return


MALFORMED = [with_length(b"+5"), b"HTTP/1.1 20 OK\r\n\r\n", OK + b"X-Long: " + b"a" * MAX_LINE + b"\r\n\r\n",
             CHUNKED + b"0x5\r\nhello\r\n0\r\n\r\n", with_length(b"50", b"short")]
MALFORMED_IDS = ["Content-Length", "status", "long line", "chunk size", "cut short"]


@pytest.mark.parametrize("reply", MALFORMED, ids=MALFORMED_IDS)
@pytest.mark.parametrize("ping", [False, True], ids=["negotiating", "reading"])
def test_the_engine_client_turns_a_malformed_answer_into_an_environment_problem(tmp_path, reply, ping):
    path = str(tmp_path / "bad.sock")
    with MalformedEngine(path, reply, ping):
        engine = ReadOnlyEngine(Endpoint(f"unix://{path}", "DOCKER_HOST"), timeout=5)
        try:
            with pytest.raises(EnvironmentProblem) as caught:
                engine.negotiate()
                engine.info()
        finally:
            engine.close()
    summary = caught.value.summary
    assert summary.endswith(".") and ". " not in summary and caught.value.advice, summary


@pytest.mark.parametrize("reply, ping", [(MALFORMED[0], True), (MALFORMED[1], False)],
                         ids=["Content-Length while reading", "status while negotiating"])
def test_labcheck_meets_a_malformed_engine_with_exit_3_and_no_traceback(tmp_path, reply, ping):
    path = str(tmp_path / "bad.sock")
    with MalformedEngine(path, reply, ping):
        done = subprocess.run([sys.executable, "-m", "checker", "ex1"], capture_output=True, text=True, timeout=60,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              stdin=subprocess.DEVNULL,
                              env={**os.environ, "DOCKER_HOST": f"unix://{path}", "LABCHECK_HOME": str(tmp_path / "s"),
                                   "LABCHECK_WORKSPACE": str(tmp_path / "w")})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "Docker Engine" in done.stderr


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
