"""The one client grading may write with: it makes and removes helper containers, and nothing else.

Grading reads the engine through the GET-only client (checker/engine/readonly.py). To read a
volume that nobody mounts and this host cannot open, it needs a container that mounts it. This
client can do exactly three things:

1. **create a helper**: a container labelled ``HELPER_LABEL`` (with the pid and host of the run
   that made it), never started (its command does not exist and nothing here can start it), with
   no network, mounting only the volumes asked for, read-only and ``nocopy``, under ``MOUNT_AT``,
   with a tmpfs over each VOLUME its image declares so that no anonymous volume appears;
2. **read a helper's archive** (``GET /containers/{id}/archive``), for helpers it made;
3. **delete a container that carries HELPER_LABEL** (``force``, never its volumes: ``v=0``).

The request bodies are built here, not passed in, so a caller cannot ask for anything else. It
has no way to start, stop or change a container, and none to remove a volume: grading never
deletes a volume.
"""
from __future__ import annotations

import json
import os
import socket

from checker.engine.endpoint import Endpoint
from checker.engine.problems import engine_gone, too_slow
from checker.engine.readonly import ENGINE_ERRORS, Response
from checker.engine.transport import open_connection
from checker.engine.wire import query, quote

HELPER_LABEL = "org.docker-volumes-course.labcheck-helper"
PID_LABEL = HELPER_LABEL + ".pid"
HOST_LABEL = HELPER_LABEL + ".host"
MOUNT_AT = "/labcheck-volume-9f3c"          # not in any image: nothing to copy into the volume
NEVER_STARTS = ["/labcheck-helper-never-starts"]


class HelperRefused(OSError):
    """The engine would not create, or this client will not touch, a helper; the message says why."""


class HelperClient:
    def __init__(self, endpoint: Endpoint, api_version: str, timeout: float) -> None:
        self.endpoint, self.api_version, self.timeout = endpoint, api_version, timeout
        self.made: set[str] = set()              # helpers this client created and has not removed

    def _send(self, method: str, path: str, params=None, body: dict | None = None) -> tuple[int, object]:
        """One request on its own connection: (status, decoded body); (0, None) when the engine is unreachable."""
        connection = open_connection(self.endpoint, self.timeout)
        target = f"/v{self.api_version}{path}" + ("?" + query(params) if params else "")
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            response = connection.request(method, target, body=payload, headers=headers)
            raw = response.read()
        except ENGINE_ERRORS:
            return 0, None
        finally:
            connection.close()
        try:
            return response.status, (json.loads(raw) if raw else None)
        except ValueError:
            return response.status, None

    # 1. create

    def create(self, image: str, volumes: dict[str, str], declared: tuple[str, ...] = ()) -> str:
        """A new helper from the local image `image`, mounting each volume at its target (under MOUNT_AT),
        read-only and nocopy; `declared` are the image's VOLUME paths, each covered by a tmpfs. Returns its id."""
        if not volumes or any(not target.startswith(MOUNT_AT + "/") for target in volumes.values()):
            raise HelperRefused(f"a helper mounts volumes under {MOUNT_AT} only")
        mounts = [{"Type": "volume", "Source": name, "Target": target, "ReadOnly": True,
                   "VolumeOptions": {"NoCopy": True}} for name, target in volumes.items()]
        mounts += [{"Type": "tmpfs", "Target": path} for path in declared if not path.startswith(MOUNT_AT)]
        body = {
            "Image": image,
            "Cmd": NEVER_STARTS, "Entrypoint": [""],
            "Labels": {HELPER_LABEL: "1", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname()},
            "NetworkDisabled": True,
            "HostConfig": {"Mounts": mounts, "NetworkMode": "none", "AutoRemove": False},
        }
        status, answer = self._send("POST", "/containers/create", body=body)
        if status != 201 or not isinstance(answer, dict) or not isinstance(answer.get("Id"), str):
            message = answer.get("message", status) if isinstance(answer, dict) else status or "no answer"
            raise HelperRefused(f"the engine would not create a helper to read {', '.join(sorted(volumes))}: "
                                f"{message}")
        self.made.add(answer["Id"])
        return answer["Id"]

    # 2. read

    def archive(self, helper: str, path: str) -> Response:
        """A tar stream of `path` inside a helper this client made (the archive endpoint starts nothing)."""
        if helper not in self.made:
            raise HelperRefused(f"{helper[:12]} is not a helper this run made")
        connection = open_connection(self.endpoint, self.timeout)
        target = f"/v{self.api_version}/containers/{quote(helper)}/archive?" + query({"path": path})
        try:
            return Response(connection.request("GET", target))
        except ENGINE_ERRORS as exc:
            connection.close()
            raise (too_slow(self.endpoint.where, self.timeout) if isinstance(exc, socket.timeout)
                   else engine_gone()) from None

    # 3. delete

    def remove(self, container_id: str, labels: dict | None = None) -> bool:
        """Delete a helper (never its volumes). One this client did not make is deleted only when `labels`
        (from the engine's own list) carry HELPER_LABEL. True when it is gone."""
        if container_id not in self.made and HELPER_LABEL not in (labels or {}):
            raise HelperRefused(f"{container_id[:12]} does not carry {HELPER_LABEL}; labcheck does not remove it")
        status, _ = self._send("DELETE", f"/containers/{quote(container_id)}", {"force": "1", "v": "0"})
        gone = status in (204, 404)
        if gone:
            self.made.discard(container_id)
        return gone
