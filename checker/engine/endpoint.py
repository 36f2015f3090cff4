"""Which engine to talk to, found the way the docker CLI finds it.

DOCKER_HOST wins, then DOCKER_CONTEXT, then the current context in the CLI's
config.json. This reads the same files as docker-py's ContextAPI, without
importing docker-py: grading must start fast (see bench/).
"""
from __future__ import annotations

import json
import os

from checker.engine.problems import EnvironmentProblem
from checker.record import record

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


def docker_config_dir() -> str:
    return os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")


def current_context_name() -> str:
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    try:
        with open(os.path.join(docker_config_dir(), "config.json"), encoding="utf-8") as config:
            return json.load(config).get("currentContext") or "default"
    except (OSError, ValueError, AttributeError):
        return "default"


def resolve_endpoint() -> Endpoint:
    if os.environ.get("DOCKER_HOST"):
        verify = os.environ.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
        return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST", verify,
                        os.environ.get("DOCKER_CERT_PATH") or docker_config_dir() if verify else None)
    name = current_context_name()
    if name == "default":
        return Endpoint(DEFAULT_HOST, "context default")
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()
    meta_file = os.path.join(docker_config_dir(), "contexts", "meta", digest, "meta.json")
    try:
        with open(meta_file, encoding="utf-8") as meta_text:
            meta = json.load(meta_text)
        endpoint = meta["Endpoints"]["docker"]
    except FileNotFoundError:
        raise EnvironmentProblem(f"The docker context {name!r} does not exist.",
                                 "Run `docker context ls`, then `docker context use NAME` with one that does.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(f"The docker context {name!r} cannot be read ({exc}).",
                                 "Run `docker context ls` and `docker context use default`.") from None
    tls_dir = os.path.join(docker_config_dir(), "contexts", "tls", digest, "docker")
    verify = not endpoint.get("SkipTLSVerify", False) and os.path.isdir(tls_dir)
    return Endpoint(endpoint.get("Host") or DEFAULT_HOST, f"context {name}", verify,
                    tls_dir if os.path.isdir(tls_dir) else None)
