"""Where labcheck keeps its own state and where the labs keep host-side files."""
from __future__ import annotations

import os

TYPE_CHECKING = False           # typing itself costs a grade milliseconds to import
if TYPE_CHECKING:
    from pathlib import Path

# Grading uses the *_folder() strings: pathlib costs a grade several milliseconds to import.


def state_folder() -> str:
    """Progress database and hint counters (LABCHECK_HOME overrides)."""
    if os.environ.get("LABCHECK_HOME"):
        return os.environ["LABCHECK_HOME"]
    import platformdirs          # only when needed: every labcheck command starts faster without it

    return platformdirs.user_state_dir("labcheck")


def workspace_folder() -> str:
    """The host folder for bind-mount sources and backup archives (LABCHECK_WORKSPACE overrides).

    It lives under the home folder because Docker Desktop shares the home
    folder with its VM by default, so bind mounts from here work everywhere.
    Grading only reads paths in it, so this does not create it.
    """
    return os.environ.get("LABCHECK_WORKSPACE") or os.path.join(os.path.expanduser("~"), "docker-volumes-lab")


def course_app_folder() -> str:
    """The course app's source (lesson 18), which the labs build as lab-app:1 (COURSE_APP overrides).

    The course is installed from its clone (`make start`), so the app sits beside the checker package."""
    return os.environ.get("COURSE_APP") or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                        "app")


def workspace_path() -> Path:
    from pathlib import Path

    return Path(workspace_folder())


def workspace() -> Path:
    """The workspace folder, created if need be: for labs and reference solutions that write into it."""
    path = workspace_path()
    path.mkdir(parents=True, exist_ok=True)
    return path
