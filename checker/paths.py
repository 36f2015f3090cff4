"""Where labcheck keeps its own state and where the labs keep host-side files."""
from __future__ import annotations

import os
from pathlib import Path



def state_dir() -> Path:
    """Progress database and hint counters (LABCHECK_HOME overrides)."""
    if os.environ.get("LABCHECK_HOME"):
        return Path(os.environ["LABCHECK_HOME"])
    import platformdirs          # only when needed: every labcheck command starts faster without it

    return Path(platformdirs.user_state_dir("labcheck"))


def workspace_path() -> Path:
    """The host folder for bind-mount sources and backup archives (LABCHECK_WORKSPACE overrides).

    It lives under the home folder because Docker Desktop shares the home
    folder with its VM by default, so bind mounts from here work everywhere.
    Grading only reads paths in it, so this does not create it.
    """
    return Path(os.environ.get("LABCHECK_WORKSPACE") or Path.home() / "docker-volumes-lab")


def workspace() -> Path:
    """The workspace folder, created if need be: for labs and reference solutions that write into it."""
    path = workspace_path()
    path.mkdir(parents=True, exist_ok=True)
    return path
