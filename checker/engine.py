"""Connect to the Docker Engine the way the docker CLI would, or say plainly why not.

Every failure to reach a usable engine becomes an :class:`EnvironmentProblem`
with a one-line summary and what to do next; the CLI turns it into exit code 3.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import docker
import requests
from docker.context import ContextAPI
from docker.context.config import get_current_context_name

# Engine 23 (API 1.42) is where `docker volume prune` stopped removing named
# volumes and gained --all; the lessons teach that behaviour.
MIN_API_VERSION = "1.42"
DEFAULT_TIMEOUT = 10.0


class EnvironmentProblem(Exception):
    """The engine cannot be used; ``summary`` says why, ``advice`` what to do."""

    def __init__(self, summary: str, advice: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.advice = advice


@dataclass(frozen=True)
class Endpoint:
    host: str
    source: str            # "DOCKER_HOST", or "context NAME"
    tls: object = None


def api_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def resolve_endpoint() -> Endpoint:
    """DOCKER_HOST wins, then DOCKER_CONTEXT, then the CLI's current context."""
    if os.environ.get("DOCKER_HOST"):
        kwargs = docker.utils.kwargs_from_env()
        return Endpoint(kwargs["base_url"], "DOCKER_HOST", kwargs.get("tls"))
    name = os.environ.get("DOCKER_CONTEXT") or get_current_context_name()
    try:
        context = ContextAPI.get_context(name)
    except docker.errors.ContextException as exc:
        raise EnvironmentProblem(f"The docker context {name!r} cannot be read: {exc}",
                                 "Run `docker context ls` and `docker context use default`.") from None
    if context is None:
        raise EnvironmentProblem(f"The docker context {name!r} does not exist.",
                                 "Run `docker context ls` and `docker context use NAME` with one that does.")
    host = context.Host or "unix:///var/run/docker.sock"
    return Endpoint(host, f"context {context.Name}", context.TLSConfig)


def _socket_path(host: str) -> str | None:
    return host[len("unix://"):] if host.startswith("unix://") else None


def explain_connection_error(exc: BaseException, endpoint: Endpoint, timeout: float) -> EnvironmentProblem:
    """Turn whatever docker-py or requests raised into a sentence a learner can act on."""
    chain, seen = [], exc
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(e) for e in chain) + " " + " ".join(repr(a) for e in chain for a in getattr(e, "args", ()))
    where = f"{endpoint.host} (from {endpoint.source})"
    if any(isinstance(e, PermissionError) for e in chain) or "Permission denied" in text:
        sock = _socket_path(endpoint.host) or endpoint.host
        return EnvironmentProblem(
            f"Permission denied on the Docker socket {sock}.",
            "Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log out and in), "
            "or use Docker Desktop / rootless Docker, and try again.")
    if any(isinstance(e, (requests.exceptions.Timeout, TimeoutError)) for e in chain) or "timed out" in text.lower():
        return EnvironmentProblem(
            f"The Docker Engine at {where} did not answer within {timeout:g} s.",
            "Check that Docker is not stuck (`docker info`), restart Docker Desktop or the docker "
            "service, or raise the limit with LABCHECK_TIMEOUT=SECONDS.")
    return EnvironmentProblem(
        f"Cannot reach the Docker Engine at {where}.",
        "Start Docker Desktop, or the engine (`sudo systemctl start docker`), then run `labcheck doctor`.")


def connect(timeout: float | None = None) -> docker.DockerClient:
    """A client for a reachable engine of API MIN_API_VERSION or newer."""
    timeout = timeout if timeout is not None else float(os.environ.get("LABCHECK_TIMEOUT", DEFAULT_TIMEOUT))
    endpoint = resolve_endpoint()
    try:
        client = docker.DockerClient(base_url=endpoint.host, tls=endpoint.tls, version="auto", timeout=timeout)
    except docker.errors.DockerException as exc:
        raise explain_connection_error(exc, endpoint, timeout) from None
    except requests.exceptions.RequestException as exc:
        raise explain_connection_error(exc, endpoint, timeout) from None
    if api_tuple(client.api.api_version) < api_tuple(MIN_API_VERSION):
        version = client.api.api_version
        client.close()
        raise EnvironmentProblem(
            f"The Docker Engine at {endpoint.host} speaks API {version}; this course needs {MIN_API_VERSION} "
            "(Docker Engine 23) or newer.",
            "Upgrade Docker Engine or Docker Desktop: older engines prune named volumes and behave "
            "differently from what the lessons teach.")
    client.endpoint = endpoint  # type: ignore[attr-defined]  # shown by `labcheck doctor`
    return client
