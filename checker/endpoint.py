"""Which engine to talk to, found the way the docker CLI finds it.

DOCKER_HOST wins, then DOCKER_CONTEXT, then the current context in the CLI's
config.json. This reads the same files as docker-py's ContextAPI, without
importing docker-py: grading must start fast (see bench/).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .problems import EnvironmentProblem
from .record import record

DEFAULT_HOST = "unix:///var/run/docker.sock"


@record
class Endpoint:
    host: str
    source: str                       # "DOCKER_HOST", or "context NAME"
    tls_verify: bool = False
    cert_path: str | None = None      # folder with ca.pem, cert.pem, key.pem

    @property
    def where(self) -> str:
        return f"{self.host} (from {self.source})"


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def current_context_name() -> str:
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    try:
        return json.loads((docker_config_dir() / "config.json").read_text()).get("currentContext") or "default"
    except (OSError, ValueError, AttributeError):
        return "default"


def resolve_endpoint() -> Endpoint:
    if os.environ.get("DOCKER_HOST"):
        verify = os.environ.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
        return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST", verify,
                        os.environ.get("DOCKER_CERT_PATH") or str(docker_config_dir()) if verify else None)
    name = current_context_name()
    if name == "default":
        return Endpoint(DEFAULT_HOST, "context default")
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()
    meta_file = docker_config_dir() / "contexts" / "meta" / digest / "meta.json"
    try:
        meta = json.loads(meta_file.read_text())
        endpoint = meta["Endpoints"]["docker"]
    except FileNotFoundError:
        raise EnvironmentProblem(f"The docker context {name!r} does not exist.",
                                 "Run `docker context ls`, then `docker context use NAME` with one that does.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(f"The docker context {name!r} cannot be read ({exc}).",
                                 "Run `docker context ls` and `docker context use default`.") from None
    tls_dir = docker_config_dir() / "contexts" / "tls" / digest / "docker"
    verify = not endpoint.get("SkipTLSVerify", False) and tls_dir.is_dir()
    return Endpoint(endpoint.get("Host") or DEFAULT_HOST, f"context {name}", verify,
                    str(tls_dir) if tls_dir.is_dir() else None)
