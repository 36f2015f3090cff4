"""Grade one learner of a class from their own engine, in a container the learner does not control.

The grader is a fresh container of the course image, on no network, that mounts the learner's engine socket
and, read-only, their workspace and progress (for their learner value). It runs `labcheck submit`, which
grades every exercise against the learner's engine and signs the evidence with the class key, a secret the
learner's own server never holds. The container is removed as soon as it has answered; grading writes nothing
in the learner's volumes, and labcheck's own read path inside their engine is the one it always uses.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from classroom.resources import DOCKER_HOST, SOCKET_FOLDER, LearnerResources
from classroom.settings import ClassSettings

SCRIPT = r"""set -e
mkdir -p /tmp/progress /tmp/evidence
cp -a /learner-progress/. /tmp/progress/ 2>/dev/null || true
export LABCHECK_HOME=/tmp/progress
labcheck whoami --name "$LEARNER" >/dev/null
labcheck --quiet submit -o /tmp/evidence >/dev/null
cat /tmp/evidence/*.json
"""


@dataclass(frozen=True)
class Graded:
    name: str
    document: bytes | None       # the signed evidence, as labcheck wrote it
    problem: str = ""            # why there is none
    seconds: float = 0.0


def escape_name(name: str) -> str:
    """The hub name as DockerSpawner escapes it for Docker names (its default escape, the one the spawner uses)."""
    from dockerspawner import DockerSpawner

    return DockerSpawner._escape(name)


def grade_learner(client, settings: ClassSettings, name: str) -> Graded:
    import docker.errors

    mine = LearnerResources(settings, escape_name(name))
    began = time.monotonic()
    try:
        engine = client.containers.get(mine.engine)
    except docker.errors.NotFound:
        return Graded(name, None, "no engine running (the learner's server is stopped, or has not started yet)")
    if engine.status != "running":
        return Graded(name, None, "engine stopped (the learner's server is not running)")
    try:
        client.containers.get(mine.grader).remove(force=True)      # left by a grading that was cut off
    except docker.errors.NotFound:
        pass
    try:
        output = client.containers.run(
            settings.course_image, entrypoint=["/bin/sh", "-c", SCRIPT], name=mine.grader, network_mode="none",
            environment={"LEARNER": name, "LABCHECK_CLASS_KEY": settings.class_key,
                         "DOCKER_HOST": DOCKER_HOST, "LABCHECK_WORKSPACE": "/workspace"},
            volumes={mine.socket: {"bind": SOCKET_FOLDER, "mode": "rw"},
                     mine.workspace: {"bind": "/workspace", "mode": "ro"},
                     mine.progress: {"bind": "/learner-progress", "mode": "ro"}},
            labels={**mine.labels(name), "org.docker-volumes-course.role": "grader"},
            stdout=True, stderr=False, remove=True)
    except docker.errors.ContainerError as failed:
        tail = (failed.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return Graded(name, None, f"grading failed: {tail[0]}", time.monotonic() - began)
    except docker.errors.APIError as failed:
        return Graded(name, None, f"grading could not start: {failed.explanation or failed}", time.monotonic() - began)
    return Graded(name, output, "", time.monotonic() - began)
