"""A GET-only client for the Docker Engine API, used for all grading.

It can only send GET requests: grading reads the engine through it and nothing else. The one
write path grading has is a separate client, checker/engine/helper_client.py, which can do
three things only (create a helper container, read its archive, delete a helper container). It speaks HTTP/1.1 (checker/wire.py) over the
engine's Unix socket or TCP, with TLS when the endpoint asks for it, which keeps
`labcheck exN` fast to start.
"""
from __future__ import annotations

import json
import socket
import threading

from checker.engine.endpoint import Endpoint
from checker.engine.problems import EnvironmentProblem, engine_gone, permission_denied, too_slow, unreachable
from checker.engine.transport import open_connection
from checker.engine.wire import Connection, Disconnected, ProtocolError, Reply, query, quote, split_endpoint

ENGINE_ERRORS = (OSError, ProtocolError)


class Response:
    """A streamed engine response; close it when done (it owns its connection)."""

    def __init__(self, raw: Reply) -> None:
        self.raw = raw
        self.status, self.headers = raw.status, raw.headers

    def read(self, size: int = -1) -> bytes:
        return self.raw.read(size)

    def close(self) -> None:
        self.raw.close()


class ReadOnlyEngine:
    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint, self.timeout = endpoint, timeout
        self.api_version = ""
        self.server = ""                        # the Server header of /_ping, e.g. "Docker/26.1.5 (linux)"
        self._version_info: dict | None = None
        self._local = threading.local()         # one keep-alive connection per thread
        self._opened: list[Connection] = []
        self._scheme, self._address = split_endpoint(endpoint.host)
        if self._scheme not in ("unix", "tcp", "http", "https"):
            raise ValueError(self._scheme)

    # -- transport

    def _new_connection(self, timeout: float | None = -1.0) -> Connection:
        """A connection that opens its socket on first use; `timeout=None` waits forever (events)."""
        return open_connection(self.endpoint, self.timeout if timeout == -1.0 else timeout)

    def _explain(self, exc: BaseException) -> EnvironmentProblem:
        if isinstance(exc, PermissionError):
            return permission_denied(self._address)
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return too_slow(self.endpoint.where, self.timeout)
        return unreachable(self.endpoint.where)

    def _path(self, path: str, params, versioned: bool) -> str:
        prefix = f"/v{self.api_version}" if versioned and self.api_version else ""
        return prefix + path + ("?" + query(params) if params else "")

    def _send(self, connection: Connection, path: str) -> Reply:
        # GET is the only method this client knows.
        return connection.request("GET", path)

    def get_json(self, path: str, params: dict | None = None, versioned: bool = True):
        """(status, decoded body) of a GET; one reused connection, retried once if the engine closed it."""
        response, body = self._get(self._path(path, params, versioned))
        try:
            return response.status, (json.loads(body) if body else None)
        except ValueError:
            return response.status, None

    def _get(self, target: str) -> tuple[Reply, bytes]:
        """(response, raw body) of a GET on this thread's connection, retried once if the engine had closed it."""
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = self._local.connection = self._new_connection()
                self._opened.append(connection)
            try:
                response = self._send(connection, target)
                return response, response.read()
            except (Disconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if attempt == 2 or not self.api_version:
                    raise self._explain(exc) if not self.api_version else engine_gone() from None
            except ENGINE_ERRORS as exc:
                self._drop_connection()
                raise (self._explain(exc) if not self.api_version or isinstance(exc, socket.timeout)
                       else engine_gone()) from None
        raise AssertionError("unreachable")

    def stream(self, path: str, params=None, timeout: float | None = -1.0) -> Response:
        """A response to read as it arrives, on its own connection; `timeout=None` waits forever (events)."""
        connection = self._new_connection(timeout)
        try:
            return Response(self._send(connection, self._path(path, params, True)))
        except ENGINE_ERRORS as exc:
            connection.close()
            raise (too_slow(self.endpoint.where, self.timeout) if isinstance(exc, socket.timeout)
                   else engine_gone()) from None

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Close every connection this client opened, in any thread."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        for other in self._opened:
            other.close()
        self._opened.clear()
        if connection is not None:
            connection.close()

    # -- the engine's read endpoints, as the grader needs them

    def negotiate(self) -> str:
        """The API version to speak, from `/_ping` as the docker CLI does: the engine answers it from memory,
        where `/version` asks containerd and the runtimes for theirs (about 10 ms of a grade)."""
        response, _ = self._get("/_ping")
        version = response.headers.get("api-version") if response.status == 200 else None
        if not version:
            return self._negotiate_from_version()
        self.api_version = version
        self.server = response.headers.get("server") or ""
        if response.headers.get("libpod-api-version"):
            self.server = f"Podman {response.headers.get('libpod-api-version')}"
        return self.api_version

    def _negotiate_from_version(self) -> str:
        status, version = self.get_json("/version", versioned=False)
        if status != 200 or not isinstance(version, dict) or "ApiVersion" not in version:
            raise EnvironmentProblem(f"The service at {self.endpoint.where} does not answer like a Docker Engine.",
                                     "Check DOCKER_HOST and `docker context ls`.")
        self.api_version = version["ApiVersion"]
        self._version_info = version
        return self.api_version

    @property
    def version_info(self) -> dict:
        """The engine's `/version` answer (its version and components), fetched when first asked for."""
        if self._version_info is None:
            status, version = self.get_json("/version", versioned=False)
            self._version_info = version if status == 200 and isinstance(version, dict) else {}
        return self._version_info

    def _object(self, path: str):
        status, body = self.get_json(path)
        if status == 404:
            return None
        if status != 200:
            raise EnvironmentProblem(f"The engine refused {path}: {(body or {}).get('message', status)}.",
                                     "Run `labcheck doctor`.")
        return body

    def inspect_volume(self, name: str) -> dict | None:
        return self._object(f"/volumes/{quote(name)}")

    def inspect_container(self, name: str) -> dict | None:
        return self._object(f"/containers/{quote(name)}/json")

    def inspect_image(self, reference: str) -> dict | None:
        return self._object(f"/images/{quote(reference)}/json")

    def inspect_network(self, name: str) -> dict | None:
        found = self._object(f"/networks/{quote(name)}")
        return found if found and found.get("Name") == name else None     # the engine also matches ID prefixes

    def diff(self, container_id: str) -> list:
        return self._object(f"/containers/{quote(container_id)}/changes") or []

    def containers(self, filters: dict) -> list:
        status, body = self.get_json("/containers/json", {"all": "1", "filters": json.dumps(filters)})
        return body if status == 200 and isinstance(body, list) else []

    def info(self) -> dict:
        return self._object("/info") or {}

    def volumes(self) -> list:
        status, body = self.get_json("/volumes")
        return (body or {}).get("Volumes") or [] if status == 200 and isinstance(body, dict) else []

    def volumes_with_sizes(self) -> list | None:
        """`docker system df -v` for volumes only: each volume with UsageData.Size (-1 when unknown).

        None when the engine declines (e.g. another disk-usage run is under way)."""
        status, body = self.get_json("/system/df", {"type": "volume"})
        return (body.get("Volumes") or []) if status == 200 and isinstance(body, dict) else None

    def events(self, filters: dict) -> Response:
        return self.stream("/events", {"filters": json.dumps(filters)}, timeout=None)

    def archive(self, container_id: str, path: str) -> Response:
        return self.stream(f"/containers/{quote(container_id)}/archive", {"path": path})
