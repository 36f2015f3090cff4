"""JupyterHub for a class on one server (`make class` runs it; `jupyterhub -f classroom/jupyterhub_config.py`
does the same by hand). Settings and secrets come from the class folder (classroom/settings.py)."""
import os
import socket
import sys
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.exercises import IMAGES                         # noqa: E402
from classroom.resources import ensure_engines_network, ensure_network  # noqa: E402
from classroom.settings import class_home, load             # noqa: E402
from classroom.spawner import CourseSpawner                 # noqa: E402

c = get_config()  # noqa: F821  (JupyterHub's config loader provides it)
home = class_home()
settings = load(home)
engine_client = docker.from_env()
gateway = ensure_network(engine_client, settings)
ensure_engines_network(engine_client, settings)
engine_client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the hub: learners reach it on settings.ip:port; servers reach its API on the class network only
c.JupyterHub.ip = settings.ip
c.JupyterHub.port = settings.port
c.JupyterHub.hub_ip = gateway
c.JupyterHub.db_url = f"sqlite:///{home / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(home / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(home / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(home / "proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"     # not the usual 8001: two hubs may run
c.ConfigurableHTTPProxy.command = [str(ROOT / "classroom/node_modules/.bin/configurable-http-proxy")]
c.JupyterHub.template_paths = [str(ROOT / "classroom/templates")]
c.JupyterHub.template_vars = {"class_name": settings.name}
# Servers live on after the hub stops, so restarting the hub (a new code, a crash) does not cut the class off.
c.JupyterHub.cleanup_servers = False

# ---- log-in: a name the learner chooses, the class code, and their own password (classroom/authenticator.py)
c.JupyterHub.authenticator_class = "classroom.authenticator.ClassCodeAuthenticator"
c.ClassCodeAuthenticator.user_password = settings.code
c.ClassCodeAuthenticator.admin_password = settings.admin_password
c.ClassCodeAuthenticator.admin_users = {"instructor"}
c.ClassCodeAuthenticator.allow_all = True
c.ClassCodeAuthenticator.learners_file = str(home / "learners.json")
# Names become Docker names and the learner's `labcheck whoami`: letters, digits, dot, dash, underscore.
c.ClassCodeAuthenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,31}$"

# ---- each learner: the course image, and a private engine beside it (classroom/spawner.py)
c.JupyterHub.spawner_class = CourseSpawner
CourseSpawner.class_settings = settings
c.CourseSpawner.image = settings.course_image
c.CourseSpawner.pull_policy = "never" if settings.course_image.endswith(":local") else "ifnotpresent"
c.CourseSpawner.cmd = ["jupyterhub-singleuser"]
c.CourseSpawner.prefix = settings.name
c.CourseSpawner.name_template = "{prefix}-server-{username}"
c.CourseSpawner.network_name = settings.network
c.CourseSpawner.use_internal_ip = True
c.CourseSpawner.remove = True                # the container goes; the learner's volumes stay
c.CourseSpawner.default_url = "/lab/tree/labs"
c.CourseSpawner.lab_images = list(settings.images or IMAGES)
kit = home / "images.tar"
c.CourseSpawner.kit = str(kit) if kit.exists() else ""
c.CourseSpawner.start_timeout = 300          # a first start loads the kit into a new engine
c.CourseSpawner.http_timeout = 120

# ---- services: the instructor's class table (admins only) and the idle culler
c.JupyterHub.services = [
    {"name": "class-table", "url": f"http://127.0.0.1:{free_port()}", "display": True, "oauth_no_confirm": True,
     "command": [sys.executable, "-m", "classroom.table_service"], "cwd": str(ROOT),
     "environment": {"CLASS_HOME": str(home), "DOCKER_HOST": os.environ.get("DOCKER_HOST", ""),
                     "PYTHONPATH": str(ROOT)}},
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                        f"--timeout={settings.idle_seconds}",
                                        f"--cull-every={max(10, min(300, settings.idle_seconds // 2))}"]},
]
c.JupyterHub.load_roles = [
    # The table lists the learners and their servers; who may open it is the `access:services` scope,
    # which only the admin role holds (learners have `self`, their own server only).
    {"name": "class-table", "services": ["class-table"], "scopes": ["list:users", "read:users", "read:servers"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]
