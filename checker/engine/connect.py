"""Connect to the Docker Engine the way the docker CLI would, or say plainly why not.

Two doors: `connect_readonly()` for grading (a GET-only client, quick to start)
and `connect()` (docker-py) for the few commands that change state: reset and
solve. Every failure to reach a usable engine becomes an EnvironmentProblem.
"""
from __future__ import annotations

import os

from checker.engine.endpoint import Endpoint, resolve_endpoint
from checker.engine.problems import EnvironmentProblem, permission_denied, too_slow, unreachable
from checker.engine.readonly import ReadOnlyEngine

__all__ = ["EnvironmentProblem", "LESSONS_API_VERSION", "MIN_API_VERSION", "connect", "connect_readonly",
           "lessons_need_newer", "resolve_endpoint"]

# Engine 23 (API 1.42) is where `docker volume prune` stopped removing named
# volumes and gained --all: below it, grading would judge by rules the engine
# does not follow, so labcheck refuses to grade.
MIN_API_VERSION = "1.42"
# Engine 26 (API 1.45) is what the lessons need (lesson 3's volume-subpath, among
# others): an engine between the two grades the labs, and `labcheck doctor`
# warns that some lesson commands will not behave as written.
LESSONS_API_VERSION = "1.45"
DEFAULT_TIMEOUT = 10.0


def api_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def lessons_need_newer(api_version: str, engine_version: str = "") -> str:
    """One line for `labcheck doctor` when the engine grades the labs but is older than the lessons need; else ""."""
    if api_tuple(api_version) >= api_tuple(LESSONS_API_VERSION):
        return ""
    engine = f"Docker Engine {engine_version}" if engine_version else "This Docker Engine"
    return (f"{engine} (API {api_version}) grades the labs, but the lessons need Docker Engine 26 (API "
            f"{LESSONS_API_VERSION}) or newer (lesson 3's volume-subpath, for one): upgrade to run every lesson "
            "as written")


def timeout_setting() -> float:
    try:
        return float(os.environ.get("LABCHECK_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        raise EnvironmentProblem(f"LABCHECK_TIMEOUT={os.environ['LABCHECK_TIMEOUT']!r} is not a number of seconds.",
                                 "Set it to a number, e.g. LABCHECK_TIMEOUT=20, or unset it.") from None


def require_current(api_version: str, endpoint: Endpoint, product: str = "") -> None:
    if api_tuple(api_version) < api_tuple(MIN_API_VERSION):
        if "podman" in product.lower():
            raise EnvironmentProblem(
                f"{endpoint.host} is Podman's Docker-compatible API ({product}), which speaks Docker API "
                f"{api_version}; labcheck needs Docker Engine API {MIN_API_VERSION} or newer.",
                "The course teaches Docker Engine behaviour (prune, volume initialisation, tmpfs options); "
                "install Docker Engine or Docker Desktop to grade the labs.")
        raise EnvironmentProblem(
            f"The Docker Engine at {endpoint.host} speaks API {api_version}; this course needs {MIN_API_VERSION} "
            "(Docker Engine 23) or newer.",
            "Upgrade Docker Engine or Docker Desktop: older engines prune named volumes and behave "
            "differently from what the lessons teach.")


def connect_readonly(timeout: float | None = None) -> ReadOnlyEngine:
    """A GET-only client for a reachable, current engine."""
    endpoint = resolve_endpoint()
    try:
        engine = ReadOnlyEngine(endpoint, timeout if timeout is not None else timeout_setting())
    except ValueError:
        raise EnvironmentProblem(
            f"labcheck cannot use the endpoint {endpoint.where}: it talks to unix:// and tcp:// endpoints.",
            "Point DOCKER_HOST at a Unix socket or TCP address (for ssh://, forward the socket with "
            "`ssh -nNL /tmp/docker.sock:/var/run/docker.sock HOST`).") from None
    try:
        engine.negotiate()
        if api_tuple(engine.api_version) < api_tuple(MIN_API_VERSION):
            require_current(engine.api_version, endpoint, _podman_product(engine))
    except EnvironmentProblem:
        engine.close()
        raise
    return engine


def _podman_product(engine: ReadOnlyEngine) -> str:
    """"Podman 4.9.3" when the engine is Podman's Docker-compatible API, else ""."""
    if engine.server.startswith("Podman"):
        return engine.server
    return next((f"{c.get('Name')} {c.get('Version')}" for c in engine.version_info.get("Components") or ()
                 if isinstance(c, dict) and "podman" in str(c.get("Name", "")).lower()), "")


def connect(timeout: float | None = None):
    """A docker-py client, for reset and solve, which change state."""
    import docker
    import requests

    timeout = timeout if timeout is not None else timeout_setting()
    endpoint = resolve_endpoint()
    tls = None
    if endpoint.tls_verify and endpoint.cert_path:
        tls = docker.tls.TLSConfig(client_cert=(f"{endpoint.cert_path}/cert.pem", f"{endpoint.cert_path}/key.pem"),
                                   ca_cert=f"{endpoint.cert_path}/ca.pem", verify=True)
    try:
        client = docker.DockerClient(base_url=endpoint.host, tls=tls, version="auto", timeout=timeout)
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise _explain(exc, endpoint, timeout) from None
    try:
        require_current(client.api.api_version, endpoint)
    except EnvironmentProblem:
        client.close()
        raise
    return client


def _explain(exc: BaseException, endpoint: Endpoint, timeout: float) -> EnvironmentProblem:
    chain, seen = [], exc
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(e) for e in chain)
    if any(isinstance(e, PermissionError) for e in chain) or "Permission denied" in text:
        return permission_denied(endpoint.host.removeprefix("unix://"))
    if any(isinstance(e, TimeoutError) for e in chain) or "timed out" in text.lower():
        return too_slow(endpoint.where, timeout)
    return unreachable(endpoint.where)
