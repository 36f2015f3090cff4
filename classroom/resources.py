"""What a class makes on the server's engine, named in one place: a network, and per learner a server
container, an engine container and five volumes. Every one carries the class label, so that ending the class
finds and removes exactly these, whatever state they are in."""
from __future__ import annotations

from dataclasses import dataclass

from classroom.settings import LABEL, ClassSettings

SOCKET_FOLDER = "/run/course-engine"
DOCKER_HOST = f"unix://{SOCKET_FOLDER}/docker.sock"
LEARNER_LABEL = "org.docker-volumes-course.learner"
KIT_IN_ENGINE = "/kit/images.tar"


@dataclass(frozen=True)
class LearnerResources:
    """A learner's resources; `key` is their hub name escaped for Docker names (DockerSpawner's escape)."""
    settings: ClassSettings
    key: str

    def _named(self, what: str) -> str:
        return f"{self.settings.name}-{self.key}-{what}"

    @property
    def server(self) -> str:
        return f"{self.settings.name}-server-{self.key}"

    @property
    def engine(self) -> str:
        return f"{self.settings.name}-engine-{self.key}"

    @property
    def grader(self) -> str:
        return f"{self.settings.name}-grader-{self.key}"

    @property
    def engine_data(self) -> str:
        return self._named("engine")

    @property
    def socket(self) -> str:
        return self._named("socket")

    @property
    def workspace(self) -> str:
        return self._named("workspace")

    @property
    def progress(self) -> str:
        return self._named("progress")

    @property
    def notebooks(self) -> str:
        return self._named("labs")

    def server_mounts(self) -> dict[str, str]:
        """Volume -> folder in the learner's server (the course image)."""
        return {self.socket: SOCKET_FOLDER, self.workspace: "/workspace", self.progress: "/course/progress",
                self.notebooks: "/course/labs"}

    def engine_mounts(self) -> dict[str, str]:
        """Volume -> folder in the learner's engine; the workspace at the same path as in the server."""
        return {self.engine_data: "/var/lib/docker", self.socket: SOCKET_FOLDER, self.workspace: "/workspace"}

    @property
    def volumes(self) -> tuple[str, ...]:
        return (self.engine_data, self.socket, self.workspace, self.progress, self.notebooks)

    def labels(self, name: str) -> dict[str, str]:
        return {LABEL: self.settings.name, LEARNER_LABEL: name}


def _ensure_bridge(client, name: str, settings: ClassSettings, **options: str):
    """The class's bridge network `name`, made with the class label (and driver `options`) when missing."""
    import docker.errors

    try:
        return client.networks.get(name)
    except docker.errors.NotFound:
        return client.networks.create(name, driver="bridge", labels={LABEL: settings.name}, options=options)


def ensure_network(client, settings: ClassSettings) -> str:
    """The class network (servers and the hub's API meet there); returns its gateway, the hub's address on it."""
    network = _ensure_bridge(client, settings.network, settings)
    network.reload()
    configs = (network.attrs.get("IPAM") or {}).get("Config") or []
    gateway = next((c.get("Gateway") for c in configs if c.get("Gateway")), "")
    if not gateway:
        raise RuntimeError(f"network {settings.network} has no gateway address")
    return gateway


def ensure_engines_network(client, settings: ClassSettings) -> str:
    """The network the learners' engines join: a bridge with inter-container traffic off, so that a port one
    learner's lab publishes on their engine cannot be reached from another learner's engine (the engine
    enforces this with iptables, where it manages them)."""
    _ensure_bridge(client, settings.engines_network, settings, **{"com.docker.network.bridge.enable_icc": "false"})
    return settings.engines_network


def end_class(client, settings: ClassSettings) -> dict[str, list[str]]:
    """Remove every container, volume and network with this class's label; returns what went, by kind."""
    import docker.errors

    selector = {"label": f"{LABEL}={settings.name}"}
    gone: dict[str, list[str]] = {"containers": [], "volumes": [], "networks": []}
    for container in client.containers.list(all=True, filters=selector):
        try:
            container.remove(force=True)
            gone["containers"].append(container.name)
        except docker.errors.NotFound:
            pass
    for volume in client.volumes.list(filters=selector):
        try:
            volume.remove(force=True)
            gone["volumes"].append(volume.name)
        except docker.errors.NotFound:
            pass
    for network in client.networks.list(filters=selector):
        try:
            network.remove()
            gone["networks"].append(network.name)
        except docker.errors.NotFound:
            pass
    return gone
