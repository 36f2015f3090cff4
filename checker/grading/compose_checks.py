"""Checks of a Compose stack's start-up order: healthchecks, health, and what a service waits for.

All three read `docker inspect` only. What a service waits for is in the label Compose puts on
its containers, ``com.docker.compose.depends_on``: ``SERVICE:CONDITION:RESTART`` entries,
comma-separated, e.g. ``db:service_healthy:false,init:service_completed_successfully:false``.
"""
from __future__ import annotations

from checker.grading.checks import Check, Verdict, fail, ok
from checker.reading.view import EngineView

DEPENDS_ON_LABEL = "com.docker.compose.depends_on"
CONDITIONS = {
    "service_started": "has started",
    "service_healthy": "is healthy",
    "service_completed_successfully": "has run to completion with exit code 0",
}


def healthcheck_runs(container: str, command: str, *, next_step: str) -> Check:
    """`container` has a healthcheck whose test runs `command` (e.g. ``pg_isready``)."""
    def evaluate(view: EngineView) -> Verdict:
        test = (view.container(container)["Config"].get("Healthcheck") or {}).get("Test") or []
        if not test or test == ["NONE"]:
            return fail(f"{container} has no healthcheck, so neither Docker nor Compose can tell when it is ready "
                        "for work.", "no healthcheck", f"a healthcheck that runs {command}", next_step)
        shown = " ".join(test[1:]) if test[0] in ("CMD", "CMD-SHELL") else " ".join(test)
        if command not in shown:
            return fail(f"{container}'s healthcheck runs `{shown}`, which does not ask {command}.", shown,
                        f"a healthcheck that runs {command}", next_step)
        return ok(f"{container}'s healthcheck runs `{shown}`.")
    return Check(f"healthcheck:{container}", f"{container} has a healthcheck that runs {command}", evaluate,
                 requires=(f"container:{container}",))


def is_healthy(container: str, *, next_step: str) -> Check:
    """The engine's last verdict on `container`'s healthcheck is "healthy"."""
    def evaluate(view: EngineView) -> Verdict:
        health = view.container(container)["State"].get("Health") or {}
        status = health.get("Status", "none")
        if status == "healthy":
            return ok(f"{container} is healthy.")
        last = (health.get("Log") or [{}])[-1]
        said = " ".join(str(last.get("Output", "")).split())[:160]
        if status == "starting":
            return fail(f"{container} is still starting: its healthcheck has not passed yet.", "starting", "healthy",
                        f"Wait a few seconds and check again; if it stays so, read `docker logs {container}`.")
        return fail(f"{container} is {status}: its healthcheck fails"
                    + (f" (exit code {last.get('ExitCode')}: {said!r})." if last else "."), status, "healthy",
                    next_step)
    return Check(f"healthy:{container}", f"{container} is healthy", evaluate,
                 requires=(f"healthcheck:{container}",))


def waits_for(container: str, service: str, condition: str, *, next_step: str) -> Check:
    """The Compose service of `container` waits until `service` meets `condition` before it starts."""
    wanted = CONDITIONS[condition]

    def evaluate(view: EngineView) -> Verdict:
        label = (view.container(container)["Config"].get("Labels") or {}).get(DEPENDS_ON_LABEL, "")
        conditions = dict(entry.split(":")[:2] for entry in label.split(",") if entry.count(":") >= 1)
        expected = f"depends_on: {service}: condition: {condition}"
        if service not in conditions:
            return fail(f"{container} does not wait for {service}: its service has no depends_on entry for it, so "
                        "Compose starts both at once.", label or "no depends_on", expected, next_step)
        have = conditions[service]
        if have != condition:
            return fail(f"{container} starts as soon as {service} {CONDITIONS.get(have, have)} ({have}), not once it "
                        f"{wanted} ({condition}).", f"{service}: {have}", expected, next_step)
        return ok(f"{container} starts only once {service} {wanted}.")
    return Check(f"waits:{container}:{service}", f"{container} waits until {service} {wanted}", evaluate,
                 requires=(f"container:{container}",))


REPLACE_LABEL = "com.docker.compose.replace"


def was_recreated(container: str, *, next_step: str) -> Check:
    """Compose made `container` to replace an earlier container of its service (``up --force-recreate``, or an
    ``up`` after the service changed): Compose v2 marks such a container with the label
    ``com.docker.compose.replace`` (the value names the container it replaced). A second plain ``up`` only starts
    the same container again, and ``down`` then ``up`` makes one that replaces nothing."""
    def evaluate(view: EngineView) -> Verdict:
        labels = view.container(container)["Config"].get("Labels") or {}
        if labels.get(REPLACE_LABEL):
            return ok(f"Compose recreated {container}: it replaced the earlier {labels[REPLACE_LABEL]}.")
        return fail(f"{container} is the first container of its service, started again or made anew, not one that "
                    "Compose recreated in place of the first.", "no com.docker.compose.replace label",
                    "a container made by up --force-recreate", next_step)
    return Check(f"recreated-by-compose:{container}", f"Compose recreated {container}", evaluate,
                 requires=(f"container:{container}",))
