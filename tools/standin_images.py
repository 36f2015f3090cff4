"""Build local stand-ins for the images the labs use, where no registry is reachable.

The labs name official images (``busybox:1.36``). On a learner's machine Docker
pulls them; here no registry answers, so we build an image with the same name
that honours the contract the lessons rely on: a POSIX shell and the usual
applets on PATH, ``CMD ["sh"]``, root by default, ``/etc/passwd`` with
``nobody`` (65534). An image already present is left alone.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile

import docker

STANDIN_LABEL = "org.docker-volumes-course.standin"
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


def ensure_busybox(client: docker.DockerClient) -> str:
    try:
        client.images.get(BUSYBOX)
        return f"{BUSYBOX}: present"
    except docker.errors.ImageNotFound:
        pass
    repo, tag = BUSYBOX.split(":")
    try:
        client.images.pull(repo, tag=tag)     # the real image, wherever a registry answers
        return f"{BUSYBOX}: pulled"
    except docker.errors.APIError:
        pass
    client.api.import_image_from_data(
        busybox_rootfs(busybox_binary()), repository=repo, tag=tag,
        changes=['CMD ["sh"]', f"LABEL {STANDIN_LABEL}=true",
                 "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    return f"{BUSYBOX}: built a local stand-in"


def main() -> int:
    client = docker.from_env()
    print("images:", ensure_busybox(client), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
