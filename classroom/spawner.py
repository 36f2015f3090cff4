"""DockerSpawner with a private Docker Engine beside each learner's server.

Before the server (the course image) starts, the learner's engine starts: the engine image (Docker-in-Docker),
privileged, its /var/lib/docker in the learner's own volume, listening only on a unix socket in a volume that
only this learner's server and engine mount. The workspace is one volume at /workspace in both, so a bind
mount from the workspace names the same folder to the CLI and to the engine. A new engine gets the labs'
images from the offline kit, when the class has one. When the server stops (the learner, the instructor or
the idle culler), its engine stops with it; every volume stays until the class ends.
"""
from __future__ import annotations

import asyncio
import time

from dockerspawner import DockerSpawner
from docker.errors import APIError, NotFound
from traitlets import Int, List, Unicode

from classroom.resources import DOCKER_HOST, KIT_IN_ENGINE, LearnerResources
from classroom.settings import ClassSettings


class CourseSpawner(DockerSpawner):
    class_settings = None            # a ClassSettings, set by jupyterhub_config.py
    kit = Unicode("", config=True, help="An archive of the labs' images (`labcheck images save`) for new engines.")
    lab_images = List(Unicode(), config=True, help="The images a learner's engine must hold.")
    engine_timeout = Int(120, config=True, help="Seconds to wait for a learner's engine to answer.")

    @property
    def resources(self) -> LearnerResources:
        settings: ClassSettings = self.class_settings
        return LearnerResources(settings, self.escaped_name)

    def get_env(self):
        env = super().get_env()
        env.update(DOCKER_HOST=DOCKER_HOST, COURSE_SETUP="class-hub", LABCHECK_WORKSPACE="/workspace",
                   LABCHECK_HOME="/course/progress")
        return env

    async def start(self):
        mine = self.resources
        started = time.monotonic()
        for volume in mine.volumes:
            await self.docker("create_volume", volume, labels=mine.labels(self.user.name))
        self.volumes = dict(mine.server_mounts())
        self.extra_create_kwargs = {"labels": mine.labels(self.user.name), "hostname": "course"}
        await self.start_engine(mine)
        await self.load_images(mine)
        self.log.info("Engine of %s ready in %.1f s", self.user.name, time.monotonic() - started)
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now)
        await self.stop_engine(self.resources)

    # ------------------------------------------------------------ the learner's engine

    async def start_engine(self, mine: LearnerResources) -> None:
        try:
            found = await self.docker("inspect_container", mine.engine)
        except NotFound:
            found = None
        if found is None:
            binds = {volume: {"bind": folder, "mode": "rw"} for volume, folder in mine.engine_mounts().items()}
            if self.kit:
                binds[self.kit] = {"bind": KIT_IN_ENGINE, "mode": "ro"}
            host_config = self.client.create_host_config(privileged=True, binds=binds,
                                                         network_mode=self.class_settings.engines_network)
            await self.docker("create_container", image=self.class_settings.engine_image, name=mine.engine,
                              command=["dockerd", f"--host={DOCKER_HOST}"], environment={"DOCKER_TLS_CERTDIR": ""},
                              labels=mine.labels(self.user.name), host_config=host_config, hostname="engine",
                              volumes=list(mine.engine_mounts().values()))
        if not (found or {}).get("State", {}).get("Running"):
            await self.docker("start", mine.engine)
        deadline = time.monotonic() + self.engine_timeout
        while await self.in_engine(mine, "docker", "version") != 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{mine.engine} did not answer within {self.engine_timeout} s")
            await asyncio.sleep(0.25)

    async def in_engine(self, mine: LearnerResources, *command: str) -> int:
        """Run `command` in the learner's engine container; its exit code."""
        try:
            run = await self.docker("exec_create", mine.engine, list(command), environment={"DOCKER_HOST": DOCKER_HOST})
            await self.docker("exec_start", run["Id"])
            return (await self.docker("exec_inspect", run["Id"]))["ExitCode"]
        except APIError as problem:
            self.log.debug("exec in %s: %s", mine.engine, problem)
            return -1

    async def load_images(self, mine: LearnerResources) -> None:
        # One inspect for all of them: it fails when any one is missing, and then the kit loads them all.
        if not self.lab_images or await self.in_engine(mine, "docker", "image", "inspect", *self.lab_images) == 0:
            return
        if not self.kit:
            self.log.warning("%s lacks some of %s and the class has no kit: the labs pull them", mine.engine,
                             self.lab_images)
            return
        began = time.monotonic()
        code = await self.in_engine(mine, "docker", "load", "--quiet", "--input", KIT_IN_ENGINE)
        self.log.info("Loaded the kit into %s in %.1f s (exit %s)", mine.engine, time.monotonic() - began, code)

    async def stop_engine(self, mine: LearnerResources) -> None:
        """Stop and remove the engine container; its volumes (the engine's data) stay."""
        try:
            await self.docker("stop", mine.engine, timeout=20)
            await self.docker("remove_container", mine.engine)
        except NotFound:
            pass
