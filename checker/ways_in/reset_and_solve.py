"""The only code that changes engine state: reset and solve, limited to what an exercise owns."""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

from checker.grading.exercise import Exercise
from checker.paths import course_app_folder, workspace, workspace_path
from checker.reading.view import EngineView


@dataclass
class ResetPlan:
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    host_paths: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)   # volumes used by containers the course does not own

    @property
    def empty(self) -> bool:
        return not (self.containers or self.volumes or self.host_paths or self.images or self.networks)

    def lines(self) -> list[str]:
        return ([f"container {c}" for c in self.containers] + [f"volume {v}" for v in self.volumes]
                + [f"image {i}" for i in self.images] + [f"network {n}" for n in self.networks]
                + [f"host path {p}" for p in self.host_paths])


def owner_of_container(name: str) -> Exercise | None:
    from checker.exercises import COURSE
    return next((ex for ex in COURSE if name in ex.owns.containers), None)


def why_volume_is_held(volume: str, users: list[str], resetting: list[Exercise]) -> str:
    """Who holds `volume`, and the command that frees it."""
    owners = {name: owner_of_container(name) for name in users}
    others = sorted({ex.id for ex in owners.values() if ex is not None}, key=lambda i: int(i[2:]))
    strangers = [name for name, ex in owners.items() if ex is None]
    parts = [f"container {name} of {owners[name].id}" for name in users if owners[name] is not None]
    parts += [f"container {name}, which is not the course's" for name in strangers]
    steps = []
    if others:
        steps.append(f"run `labcheck reset {' '.join(others)}` first, or reset them together: "
                     f"`labcheck reset {' '.join(sorted({*others, *(e.id for e in resetting)}, key=lambda i: int(i[2:])))}`")
    if strangers:
        steps.append(f"remove {' '.join(strangers)} yourself (`docker rm {' '.join(strangers)}`) if you no longer need it")
    return f"volume {volume} is still used by {', '.join(parts)}; " + "; ".join(steps)


def plan_reset(exercises: list[Exercise], view: EngineView) -> ResetPlan:
    """What resetting `exercises` would remove: owned resources that exist now, by exact name."""
    plan = ResetPlan()
    owned_containers = {c for ex in exercises for c in ex.owns.containers}
    for ex in exercises:
        plan.containers += [c for c in ex.owns.containers if view.container(c) is not None]
        for volume in ex.owns.volumes:
            if view.volume(volume) is None:
                continue
            users = {c["Names"][0].lstrip("/") for c in view.containers_using_volume(volume)}
            foreign = sorted(users - owned_containers)
            if foreign:
                plan.blocked.append(why_volume_is_held(volume, foreign, exercises))
            else:
                plan.volumes.append(volume)
        plan.images += [i for i in ex.owns.images if view.image(i) is not None]
        plan.networks += [n for n in ex.owns.networks if view.network(n) is not None]
        root = workspace_path()
        plan.host_paths += [str(root / p) for p in ex.owns.host_paths if os.path.lexists(root / p)]
    return plan


def apply_reset(plan: ResetPlan, client, step=lambda: None) -> list[str]:
    """Remove what the plan lists with docker-py `client`; returns what could not be removed, and why.
    `step()` is called after each item (a progress bar counts them).

    Containers go first (with their anonymous volumes, never named ones), so that
    the volumes, networks and images they held are free to go.
    """
    import docker

    api, problems = client.api, []
    removals = ([("container", name, lambda n: api.remove_container(n, force=True, v=True)) for name in plan.containers]
                + [("volume", name, api.remove_volume) for name in plan.volumes]
                + [("network", name, api.remove_network) for name in plan.networks]
                + [("image", tag, api.remove_image) for tag in plan.images])   # untags; shared layers stay
    for kind, name, remove in removals:
        try:
            remove(name)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            problems.append(f"{kind} {name}: {exc.explanation}")
        step()
    for path in plan.host_paths:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except FileNotFoundError:
            pass                      # inside a folder removed just before: gone already
        except PermissionError:
            # A container wrote these files as root into the workspace: let a container remove them.
            problem = remove_through_container(client, path)
            if problem:
                problems.append(problem)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}")
        step()
    return problems


def remove_through_container(client, path: str) -> str | None:
    """Remove `path` with a throwaway container that bind-mounts its folder; None when it is gone.

    The container is labelled as labcheck's own, has no network and is removed when it exits.
    """
    import docker

    from checker.engine.helper_client import HELPER_LABEL
    from checker.reading.helper_reads import PREFERRED_IMAGE

    parent, name = os.path.split(path)
    try:
        client.containers.run(PREFERRED_IMAGE, ["rm", "-rf", "--", f"/workspace/{name}"], remove=True,
                              network_mode="none", labels={HELPER_LABEL: "reset"},
                              mounts=[docker.types.Mount("/workspace", parent, type="bind")])
    except docker.errors.ImageNotFound:
        return (f"{path}: a container wrote it as root and labcheck needs {PREFERRED_IMAGE} to remove it "
                f"(`docker pull {PREFERRED_IMAGE}`), or remove it with `sudo rm -r {path}`")
    except docker.errors.APIError as exc:
        return f"{path}: a container wrote it as root, and removing it through a container failed: {exc.explanation}"
    except docker.errors.ContainerError as exc:
        return f"{path}: removing it through a container failed: {exc.stderr!r}"
    return None if not os.path.lexists(path) else f"{path}: still there after removing it through a container"


def run_commands(commands: tuple[str, ...], echo=print, stop_on_failure: bool = True) -> None:
    """Run shell commands in the workspace, as a learner would type them; stop at the first failure."""
    env = {**os.environ, "WORKSPACE": str(workspace()), "COURSE_APP": course_app_folder()}
    for command in commands:
        echo(f"$ {command}")
        done = subprocess.run(["bash", "-c", command], cwd=workspace(), env=env, capture_output=True, text=True)
        output = (done.stdout + done.stderr).strip()
        if output:
            echo(output)
        if done.returncode != 0 and stop_on_failure:
            raise SolveFailed(command, done.returncode, output)


class SolveFailed(Exception):
    def __init__(self, command: str, code: int, output: str) -> None:
        super().__init__(f"`{command}` exited with {code}: {output[-500:]}")
