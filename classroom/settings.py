"""A class's settings and secrets, made once by `make class` and kept until `make class-end`.

They live in one folder (CLASS_HOME, default `.class/` in the repository), readable by its owner only: the
class code learners type, the instructor's admin password, the key that signs the evidence the class table
grades, the hub's database and cookie secret, and the learners' own passwords (hashed). Environment
variables set on the first run (CLASS_CODE, CLASS_NAME, CLASS_PORT, CLASS_IP, CLASS_IDLE_SECONDS,
CLASS_IMAGES) are stored; later runs take them from the file unless set again.
"""
from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABEL = "org.docker-volumes-course.class"       # on every container, volume and network a class makes
COURSE_IMAGE = "docker-volumes-course/course:local"
ENGINE_IMAGE = "docker-volumes-course/engine:local"
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i: a code read aloud or from a slide


def class_home() -> Path:
    return Path(os.environ.get("CLASS_HOME") or ROOT / ".class")


def new_code() -> str:
    """Eight characters in two groups ("k7m2-q9rt"): JupyterHub's shared password needs at least eight."""
    pick = lambda n: "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))   # noqa: E731
    return f"{pick(4)}-{pick(4)}"


@dataclass(frozen=True)
class ClassSettings:
    name: str = "dvc-class"               # prefix of every resource the class makes, and its label's value
    code: str = field(default_factory=new_code)
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    class_key: str = field(default_factory=lambda: secrets.token_hex(32))
    ip: str = ""                          # where learners reach the hub; "" is every interface
    port: int = 8000
    idle_seconds: int = 3600              # idle servers (and their engines) are stopped after this
    images: tuple[str, ...] = ()          # the labs' images each learner's engine gets; () is all of them
    course_image: str = COURSE_IMAGE
    engine_image: str = ENGINE_IMAGE

    @property
    def network(self) -> str:
        """Where the servers and the hub's API meet."""
        return f"{self.name}-net"

    @property
    def engines_network(self) -> str:
        """Where the learners' engines reach out (to pull images); they cannot reach one another there."""
        return f"{self.name}-engines"

    def validate(self) -> "ClassSettings":
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,30}", self.name):
            raise ValueError(f"CLASS_NAME {self.name!r}: use 1-31 lower-case letters, digits and dashes.")
        if len(self.code) < 8:
            raise ValueError("CLASS_CODE must be at least 8 characters (JupyterHub refuses a shorter shared "
                             "password).")
        return self


FROM_ENVIRONMENT = {"CLASS_NAME": ("name", str), "CLASS_CODE": ("code", str), "CLASS_IP": ("ip", str),
                    "CLASS_PORT": ("port", int), "CLASS_IDLE_SECONDS": ("idle_seconds", int),
                    "CLASS_IMAGES": ("images", lambda text: tuple(text.split())),
                    "CLASS_COURSE_IMAGE": ("course_image", str), "CLASS_ENGINE_IMAGE": ("engine_image", str)}


def load(home: Path | None = None, environ=os.environ) -> ClassSettings:
    """The stored settings with the environment's over them; made and stored the first time."""
    home = home or class_home()
    path = home / "class.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if "images" in stored:
        stored["images"] = tuple(stored["images"])
    settings = ClassSettings(**stored)
    changes = {attr: convert(environ[var]) for var, (attr, convert) in FROM_ENVIRONMENT.items()
               if environ.get(var)}
    settings = replace(settings, **changes).validate()
    if not path.exists() or changes:
        save(settings, home)
    return settings


def save(settings: ClassSettings, home: Path) -> None:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = home / "class.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(settings), indent=2) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
