"""Which kind of Docker this is, and how labcheck can read files inside its volumes from here.

The engine says what it is: Docker Desktop reports ``OperatingSystem: Docker Desktop``, rootless
Docker lists ``name=rootless`` among its ``SecurityOptions``. Whether volume folders can be read
from this host is tried, not guessed: a Linux user in the ``docker`` group talks to the engine
but cannot open ``/var/lib/docker/volumes``.
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from checker.engine.readonly import ReadOnlyEngine
from checker.reading.view import host_reads_allowed


# compose.yaml's two setups and the class hub's (COURSE_SETUP in the course container), in the words
# `labcheck doctor` uses.
COURSE_SETUPS = {"private-engine": "course container, private engine",
                 "host-engine": "course container, your own engine (compose.host-engine.yaml)",
                 "class-hub": "class hub server, your own private engine"}


def course_setup() -> str | None:
    """The course container's setup in words, or None when labcheck runs anywhere else."""
    return COURSE_SETUPS.get(os.environ.get("COURSE_SETUP", ""))


@dataclass(frozen=True)
class Platform:
    kind: str            # "docker-desktop", "rootless", "remote", "private" (the course's own), "engine"
    name: str            # what to call it in a sentence
    read_route: str      # "host" or "engine"
    why: str             # why that route, in a sentence


def recognise(engine: ReadOnlyEngine, info: dict | None = None) -> Platform:
    info = info if info is not None else engine.info()
    host = engine.endpoint.host
    options = " ".join(info.get("SecurityOptions") or ())
    if info.get("OperatingSystem") == "Docker Desktop":
        kind, name = "docker-desktop", f"Docker Desktop ({info.get('OSType', 'linux')} VM, {info.get('ServerVersion')})"
    elif "rootless" in options:
        kind, name = "rootless", f"rootless Docker Engine {info.get('ServerVersion')}"
    elif not host.startswith("unix://"):
        kind, name = "remote", f"a Docker Engine {info.get('ServerVersion')} on another machine ({host})"
    elif os.environ.get("COURSE_SETUP") in ("private-engine", "class-hub"):
        kind, name = "private", (f"the course's private Docker Engine {info.get('ServerVersion')} "
                                 "(Docker-in-Docker, in the course's engine container)")
    else:
        kind, name = "engine", f"Docker Engine {info.get('ServerVersion')} on this machine"
    volumes = os.path.join(info.get("DockerRootDir") or "/var/lib/docker", "volumes")
    if kind == "private":
        return Platform(kind, name, "engine", "the private engine keeps its volume folders in its own container, "
                                              "not in this one.")
    if not host_reads_allowed():
        return Platform(kind, name, "engine", "LABCHECK_HOST_READS=0 asks for the engine route.")
    if kind in ("docker-desktop", "remote"):
        where = "in Docker Desktop's VM" if kind == "docker-desktop" else "on the engine's machine"
        return Platform(kind, name, "engine", f"volume folders live {where}, not on this host.")
    try:
        os.close(os.open(volumes, os.O_RDONLY | os.O_DIRECTORY))
    except PermissionError:
        return Platform(kind, name, "engine", f"{volumes} is not readable by {getpass.getuser()} "
                                              "(only root can read it; the docker group is not enough).")
    except OSError:
        return Platform(kind, name, "engine", f"{volumes} is not on this host.")
    return Platform(kind, name, "host", f"{volumes} is readable here, so files are read straight from "
                                        "each volume's folder.")


ENGINE_ROUTE = ("files in a volume are read through a container that mounts it (the archive endpoint, which "
                "starts nothing); for a volume no container mounts, labcheck creates a labelled helper "
                "container, never starts it, reads through it and removes it before answering")
