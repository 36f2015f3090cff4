"""The course's two images (container/), built from the repository's Dockerfiles on the stand-in bases once per
content of their build context, for the tests that run the course in a container (the Compose course, the
class hub). Also the small shell and port helpers those tests share."""
from __future__ import annotations

import fcntl
import hashlib
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTEXT_LABEL = "org.docker-volumes-course.context"
IMAGES_BUILT = {"engine": "container/engine/Dockerfile", "course": "container/course/Dockerfile"}
CONTEXT = ("pyproject.toml", "_config.yml", "_toc.yml", ".dockerignore", "checker", "labs", "book", "app", "container",
           "classroom")


def context_hash() -> str:
    """What the images are built from: every file of the build context (wheels by name and size)."""
    digest = hashlib.sha256()
    for top in CONTEXT:
        paths = [ROOT / top] if (ROOT / top).is_file() else sorted((ROOT / top).rglob("*"))
        for path in paths:
            if not path.is_file() or {"__pycache__", ".ipynb_checkpoints", "node_modules"} & set(path.parts):
                continue
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(str(path.stat().st_size).encode() if path.suffix == ".whl" else path.read_bytes())
    return digest.hexdigest()[:16]


def sh(*args, check=True, timeout=600, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


BUILD_LOCK = Path("/tmp/docker-volumes-course-images.lock")
"""`make test` runs two pytest processes side by side (tools/test_streams.sh) that may both want the images:
the second waits for the first's build, then finds it done."""


def build_images() -> None:
    """Stand-in bases, wheels from the host, then both images unless one of today's context is there."""
    with open(BUILD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _build_images()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build_images() -> None:
    sh(str(ROOT / ".venv/bin/python"), "tools/standin_docker.py")
    lists = b"".join((ROOT / "container" / name).read_bytes() for name in ("requirements.txt", "book-requirements.txt"))
    stamp = ROOT / "container/wheels/.requirements"
    if not stamp.exists() or stamp.read_text().strip() != hashlib.sha256(lists).hexdigest()[:16]:
        sh("bash", "tools/course_wheels.sh")
    wanted = context_hash()
    for name, dockerfile in IMAGES_BUILT.items():
        tag = f"docker-volumes-course/{name}:local"
        have = sh("docker", "image", "inspect", "--format", f'{{{{index .Config.Labels "{CONTEXT_LABEL}"}}}}', tag,
                  check=False).stdout.strip()
        if have != wanted:
            sh("docker", "build", "--quiet", "-f", dockerfile, "--label", f"{CONTEXT_LABEL}={wanted}", "-t", tag, ".",
               timeout=1200)
    # The images of an earlier context, now untagged: ours only, by label.
    sh("docker", "image", "prune", "--force", "--filter", f"label={CONTEXT_LABEL}", check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
