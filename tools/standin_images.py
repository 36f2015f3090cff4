"""Build local stand-ins for the images the labs use, where no registry is reachable.

The labs name official images (``busybox:1.36``, ``postgres:15``, ``postgres:17``, ``postgres:18``, ``redis:8``, …).
On a learner's machine Docker pulls them; here no registry answers, so we build
images with the same names that honour the contracts the lessons rely on:

- busybox: a POSIX shell and the usual applets on PATH, ``CMD ["sh"]``, root by
  default, ``/etc/passwd`` with ``nobody`` (65534);
- postgres: Debian's PostgreSQL of that major version (bookworm has 15, trixie
  17, testing and unstable 18) with an entrypoint that follows the official one
  as the lessons use it (see tools/postgres/docker-entrypoint.sh), the server as
  user ``postgres`` (UID 999), port 5432, trusting the Unix socket, 127.0.0.1 and
  ::1 and asking every other client for its password (scram-sha-256), as the
  official ``pg_hba.conf`` does. Up to 17, ``PGDATA`` and the ``VOLUME``
  are ``/var/lib/postgresql/data``; from 18 on, as in the official images,
  ``PGDATA`` is ``/var/lib/postgresql/18/docker`` under ``VOLUME /var/lib/postgresql``,
  and the entrypoint refuses to initialise while data or a mount sits at the old
  ``/var/lib/postgresql/data``;
- python:3.13-slim: Debian trixie's python3 (3.13) on a minbase root, ``python`` and ``python3`` in
  ``/usr/local/bin`` (first on PATH), ``CMD ["python3"]``, root by default; the standard library with its
  ``sqlite3`` module and, as in the official slim image, no ``sqlite3`` command-line tool.
- redis:8: Debian trixie's redis-server (8.0) with an entrypoint that follows the official one (see
  tools/redis/docker-entrypoint.sh): leading options go to redis-server (``docker run redis:8 --appendonly yes``),
  the server runs as ``redis`` (UID 999) in ``/data`` (``VOLUME`` and working folder), port 6379, files made
  with umask 0077, and protected mode off as the official build has it;

Each stand-in carries a recipe label (a hash of the parts of this file that build it); one built from an
older recipe is rebuilt (ours carry the label ``org.docker-volumes-course.standin``); any other image of
that name, such as a real one pulled earlier, is left alone.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import docker

STANDIN_LABEL = "org.docker-volumes-course.standin"
RECIPE_LABEL = STANDIN_LABEL + ".recipe"
BUSYBOX = "busybox:1.36"


def busybox_binary() -> str:
    """Debian's busybox-static; a dynamically linked busybox would need libc in the image."""
    path = "/bin/busybox"
    if not _is_static(path):
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "busybox-static"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return path


def _is_static(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return b"/lib64/ld-linux" not in f.read()
    except OSError:
        return False


def busybox_rootfs(binary: str) -> bytes:
    applets = subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add_dir(name: str, mode: int = 0o755) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)

        def add_file(name: str, data: bytes, mode: int = 0o644) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))

        for d in ("bin", "etc", "home", "root", "var", "var/www", "usr", "usr/sbin"):
            add_dir(d, 0o700 if d == "root" else 0o755)
        add_dir("tmp", 0o1777)
        with open(binary, "rb") as f:
            add_file("bin/busybox", f.read(), 0o755)
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        add_file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                               b"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                               b"www-data:x:33:33:www-data:/var/www:/bin/false\n"
                               b"nobody:x:65534:65534:nobody:/home:/bin/false\n")
        add_file("etc/group", b"root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nnogroup:x:65533:\nnobody:x:65534:\n")
    return buf.getvalue()


def fingerprint(*parts: object) -> str:
    """A short hash of what a stand-in is built from (files' bytes, functions' source, constants)."""
    import hashlib
    import inspect
    digest = hashlib.sha256()
    for part in parts:
        data = (part.read_bytes() if isinstance(part, Path)
                else inspect.getsource(part) if callable(part) else repr(part))
        digest.update(data if isinstance(data, bytes) else data.encode())
    return digest.hexdigest()[:16]


def recipe() -> str:
    """A fingerprint of what a postgres stand-in is built from: a stand-in built from an older recipe is rebuilt.
    Only the postgres parts of this file count, so a change to another stand-in does not rebuild these."""
    return fingerprint(ENTRYPOINT, Postgres, POSTGRES, debootstrap, postgres_rootfs, build_postgres)


def ensure_image(client: docker.DockerClient, tag: str, build, fingerprint: str = "") -> str:
    """Present (and, for a stand-in, from today's recipe): nothing to do. Else the real image from a registry,
    or else `build()` a stand-in."""
    try:
        labels = client.images.get(tag).labels or {}
        if STANDIN_LABEL not in labels or not fingerprint or labels.get(RECIPE_LABEL) == fingerprint:
            return f"{tag}: present"
        client.images.remove(tag, force=True)       # our own stand-in, from an older recipe
        return build()
    except docker.errors.ImageNotFound:
        pass
    repo, version = tag.split(":")
    try:
        client.images.pull(repo, tag=version)     # the real image, wherever a registry answers
        return f"{tag}: pulled"
    except docker.errors.APIError:
        return build()


def build_busybox(client: docker.DockerClient) -> str:
    repo, tag = BUSYBOX.split(":")
    client.api.import_image_from_data(
        busybox_rootfs(busybox_binary()), repository=repo, tag=tag,
        changes=['CMD ["sh"]', f"LABEL {STANDIN_LABEL}=true",
                 "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    return f"{BUSYBOX}: built a local stand-in"


@dataclass(frozen=True)
class Postgres:
    suites: tuple[str, ...]     # Debian suites that carry postgresql-MAJOR, tried in order
    major: str

    @property
    def new_layout(self) -> bool:
        """18 and later: PGDATA in a major-version folder under one volume at /var/lib/postgresql."""
        return int(self.major) >= 18

    @property
    def pgdata(self) -> str:
        return f"/var/lib/postgresql/{self.major}/docker" if self.new_layout else "/var/lib/postgresql/data"

    @property
    def volume(self) -> str:
        return "/var/lib/postgresql" if self.new_layout else "/var/lib/postgresql/data"


# Testing is guarded against uninstallable packages; unstable is the fallback while testing lacks a package.
POSTGRES = {"postgres:15": Postgres(("bookworm",), "15"), "postgres:17": Postgres(("trixie",), "17"),
            "postgres:18": Postgres(("testing", "sid"), "18")}
CACHE = Path(os.environ.get("COURSE_CACHE", "/var/cache/docker-volumes-course"))
ENTRYPOINT = Path(__file__).resolve().parent / "postgres" / "docker-entrypoint.sh"


def debootstrap(suites: tuple[str, ...], major: str, target: Path) -> None:
    """A minimal Debian with postgresql-MAJOR in `target`, from the first suite that carries it."""
    for suite in suites:
        subprocess.run(["rm", "-rf", str(target)], check=True)
        with open(CACHE / f"debootstrap-pg{major}.log", "a") as log:
            done = subprocess.run(["debootstrap", "--variant=minbase", f"--include=postgresql-{major}", suite,
                                   str(target)], stdout=log, stderr=subprocess.STDOUT)
        if done.returncode == 0:
            return
    raise RuntimeError(f"no Debian suite of {', '.join(suites)} could be debootstrapped with postgresql-{major}; "
                       f"see {CACHE / f'debootstrap-pg{major}.log'}")


def postgres_rootfs(pg: Postgres) -> Path:
    """A Debian root with PostgreSQL `major` and no cluster of its own, debootstrapped once into the cache."""
    major = pg.major
    root = CACHE / f"pg{major}-root"
    if not (root / f"usr/lib/postgresql/{major}/bin/postgres").exists():
        partial = Path(f"{root}.partial")
        CACHE.mkdir(parents=True, exist_ok=True)
        debootstrap(pg.suites, major, partial)
        partial.rename(root)
    # Shape it like the official image: no Debian cluster, postgres as 999:999, the data folder, our entrypoint.
    subprocess.run(["rm", "-rf", str(root / f"var/lib/postgresql/{major}"), str(root / f"etc/postgresql/{major}"),
                    str(root / "var/lib/postgresql/data"),
                    str(root / "var/cache/apt/archives"), str(root / "usr/share/doc"), str(root / "usr/share/man")],
                   check=True)
    # 18+: the volume's root is the postgres user's home, writable by all as in the official image (mode 1777).
    data = ("chmod 1777 /var/lib/postgresql" if pg.new_layout else "mkdir -p /var/lib/postgresql/data")
    # Newer suites may give 999 to another system group or user (sid's lpadmin): move it aside first.
    make_room = ("free() { n=980; while getent $1 $n >/dev/null; do n=$((n-1)); done; echo $n; }; "
                 "g=$(getent group 999 | cut -d: -f1); "
                 "if [ -n \"$g\" ] && [ \"$g\" != postgres ]; then groupmod -g $(free group) \"$g\"; fi; "
                 "u=$(getent passwd 999 | cut -d: -f1); "
                 "if [ -n \"$u\" ] && [ \"$u\" != postgres ]; then usermod -u $(free passwd) \"$u\"; fi; ")
    subprocess.run(["chroot", str(root), "sh", "-c", make_room +
                    "groupmod -g 999 postgres && usermod -u 999 -g 999 postgres && "
                    f"mkdir -p /var/lib/postgresql /var/run/postgresql /docker-entrypoint-initdb.d && {data} && "
                    "chown -R 999:999 /var/lib/postgresql /var/run/postgresql"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = root / "usr/local/bin/docker-entrypoint.sh"
    target.write_bytes(ENTRYPOINT.read_bytes())
    target.chmod(0o755)
    return root


def build_postgres(tag: str) -> str:
    if os.geteuid() != 0:
        return f"{tag}: not present and no registry answers; building a stand-in needs root"
    pg = POSTGRES[tag]
    root = postgres_rootfs(pg)
    major = pg.major
    changes = [f"ENV PATH=/usr/lib/postgresql/{major}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               f"ENV PGDATA={pg.pgdata}", "ENV LANG=C.UTF-8", f"ENV PG_MAJOR={major}",
               f"VOLUME {pg.volume}", 'ENTRYPOINT ["docker-entrypoint.sh"]', 'CMD ["postgres"]',
               "EXPOSE 5432", "STOPSIGNAL SIGINT", f"LABEL {STANDIN_LABEL}=true", f"LABEL {RECIPE_LABEL}={recipe()}"]
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(["docker", "import", *[arg for change in changes for arg in ("--change", change)], "-", tag],
                   stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
    tar.stdout.close()
    tar.wait()
    return f"{tag}: built a local stand-in from Debian's postgresql-{major}"


PYTHON = "python:3.13-slim"
PYTHON_SUITE = "trixie"          # Debian 13 carries Python 3.13, as the official 3.13-slim is built on trixie


def minbase_root(stem: str, suite: str, packages: str, ready: str, strip: tuple[str, ...] = ()) -> Path:
    """A minimal Debian `suite` with `packages`, debootstrapped once into the cache as CACHE/STEM-root (its log
    beside it); `ready` is a file inside that exists once the root is complete. Each call removes the package
    caches and documentation, and the folders in `strip`, as the official slim images leave them out."""
    root = CACHE / f"{stem}-root"
    if not (root / ready).exists():
        partial = Path(f"{root}.partial")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["rm", "-rf", str(partial)], check=True)
        log_path = CACHE / f"debootstrap-{stem}.log"
        with open(log_path, "a") as log:
            done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={packages}", suite, str(partial)],
                                  stdout=log, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            raise RuntimeError(f"debootstrap {suite} with {packages} failed; see {log_path}")
        partial.rename(root)
    gone = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/info", *strip)
    subprocess.run(["rm", "-rf", *(str(root / path) for path in gone)], check=True)
    (root / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
    return root


def import_root(root: Path, tag: str, changes: list[str]) -> None:
    """`docker import` the folder `root` as the image `tag`, with Dockerfile `changes` (ENV, CMD, LABEL, ...)."""
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(["docker", "import", *[arg for change in changes for arg in ("--change", change)], "-", tag],
                   stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
    tar.stdout.close()
    tar.wait()


def python_rootfs() -> Path:
    """A minimal Debian trixie with its python3 (3.13), debootstrapped once into the cache.

    Shaped like the official slim image as the lessons use it: `python` and `python3` in /usr/local/bin,
    the standard library with its sqlite3 module, and no sqlite3 command-line tool."""
    root = minbase_root("python3.13", PYTHON_SUITE, "python3", "usr/bin/python3.13")
    for name in ("python", "python3"):
        link = root / "usr/local/bin" / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to("/usr/bin/python3")
    return root


def python_recipe() -> str:
    return fingerprint(PYTHON, PYTHON_SUITE, minbase_root, python_rootfs, build_python)


def build_python() -> str:
    if os.geteuid() != 0:
        return f"{PYTHON}: not present and no registry answers; building a stand-in needs root"
    root = python_rootfs()
    version = subprocess.run(["chroot", str(root), "python3", "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The official image's contract as the lessons use it: PATH with /usr/local/bin first, C.UTF-8, root, python3.
    changes = ["ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "ENV LANG=C.UTF-8",
               f"ENV PYTHON_VERSION={version}", 'CMD ["python3"]',
               f"LABEL {STANDIN_LABEL}=true", f"LABEL {RECIPE_LABEL}={python_recipe()}"]
    import_root(root, PYTHON, changes)
    return f"{PYTHON}: built a local stand-in from Debian {PYTHON_SUITE}'s python3 ({version})"


REDIS = "redis:8"
REDIS_SUITE = "trixie"           # Debian 13 carries redis-server 8.0, matching the official redis:8
REDIS_ENTRYPOINT = Path(__file__).resolve().parent / "redis" / "docker-entrypoint.sh"


def redis_rootfs() -> Path:
    """A minimal Debian trixie with its redis-server, debootstrapped once into the cache, shaped like the official
    image as the lessons use it: the redis user and group as 999:999, an empty /data it owns, our entrypoint, no
    Debian configuration or data folder (the official image runs redis-server without a configuration file)."""
    root = minbase_root("redis8", REDIS_SUITE, "redis-server", "usr/bin/redis-server",
                        strip=("etc/redis", "var/lib/redis", "var/log/redis", "data"))
    # 999 may belong to another system group or user in a newer suite: move it aside first.
    make_room = ("free() { n=980; while getent $1 $n >/dev/null; do n=$((n-1)); done; echo $n; }; "
                 "g=$(getent group 999 | cut -d: -f1); "
                 "if [ -n \"$g\" ] && [ \"$g\" != redis ]; then groupmod -g $(free group) \"$g\"; fi; "
                 "u=$(getent passwd 999 | cut -d: -f1); "
                 "if [ -n \"$u\" ] && [ \"$u\" != redis ]; then usermod -u $(free passwd) \"$u\"; fi; ")
    subprocess.run(["chroot", str(root), "sh", "-c", make_room +
                    "groupmod -g 999 redis && usermod -u 999 -g 999 -d /home/redis redis && "
                    "mkdir /data && chown redis:redis /data"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = root / "usr/local/bin/docker-entrypoint.sh"
    target.write_bytes(REDIS_ENTRYPOINT.read_bytes())
    target.chmod(0o755)
    return root


def redis_recipe() -> str:
    return fingerprint(REDIS, REDIS_SUITE, REDIS_ENTRYPOINT, minbase_root, redis_rootfs, build_redis)


def build_redis() -> str:
    if os.geteuid() != 0:
        return f"{REDIS}: not present and no registry answers; building a stand-in needs root"
    root = redis_rootfs()
    version = subprocess.run(["chroot", str(root), "redis-server", "--version"],
                             capture_output=True, text=True, check=True).stdout.split("v=")[1].split()[0]
    # The official image's contract as the lessons use it: /data as volume and working folder, the entrypoint that
    # turns leading options into redis-server's and drops to UID 999, redis-server as the command, port 6379.
    changes = ["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"ENV REDIS_VERSION={version}",
               "VOLUME /data", "WORKDIR /data", 'ENTRYPOINT ["docker-entrypoint.sh"]', 'CMD ["redis-server"]',
               "EXPOSE 6379", f"LABEL {STANDIN_LABEL}=true", f"LABEL {RECIPE_LABEL}={redis_recipe()}"]
    import_root(root, REDIS, changes)
    return f"{REDIS}: built a local stand-in from Debian {REDIS_SUITE}'s redis-server ({version})"


def main() -> int:
    client = docker.from_env()
    print("images:", ensure_image(client, BUSYBOX, lambda: build_busybox(client)), file=sys.stderr)
    print("images:", ensure_image(client, PYTHON, build_python, python_recipe()), file=sys.stderr)
    print("images:", ensure_image(client, REDIS, build_redis, redis_recipe()), file=sys.stderr)
    for tag in POSTGRES:
        print("images:", ensure_image(client, tag, lambda tag=tag: build_postgres(tag), recipe()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
