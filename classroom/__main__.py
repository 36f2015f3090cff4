"""`python -m classroom serve` (`make class`) starts the class hub; `end` (`make class-end`) ends the class.

serve: checks the two images (building them from the repository's Dockerfiles when missing), writes the
offline kit of the labs' images once (so that no learner's engine needs a registry), installs
configurable-http-proxy from npm when it is not there, prints the address and the class code, and runs
JupyterHub in the foreground (Ctrl-C stops the hub; learners' servers keep running and the hub finds them
when started again).

end: stops the hub, then removes every container, volume and network labelled with the class, and the class
folder (settings, the hub's database, the learners' passwords and evidence). Learners' work is gone after it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from classroom.settings import ROOT, class_home, load

IMAGE_DOCKERFILES = {"course": "container/course/Dockerfile", "engine": "container/engine/Dockerfile"}
PROXY = ROOT / "classroom/node_modules/.bin/configurable-http-proxy"


def say(text: str) -> None:
    print(f"class: {text}", flush=True)


def ensure_images(client, settings) -> None:
    import docker.errors

    for image, dockerfile in ((settings.course_image, IMAGE_DOCKERFILES["course"]),
                              (settings.engine_image, IMAGE_DOCKERFILES["engine"])):
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            say(f"building {image} from {dockerfile} (once; `docker rmi {image}` to rebuild)")
            subprocess.run(["docker", "build", "-q", "-f", dockerfile, "-t", image, "."], cwd=ROOT, check=True)


def ensure_kit(client, settings, home: Path) -> None:
    """The labs' images in one archive that each new learner engine loads; skipped when some are missing here
    (then the engines pull them, which needs a registry)."""
    from checker.classroom.images import MissingImages, save
    from checker.engine.connect import connect_readonly
    from checker.exercises import IMAGES

    kit = home / "images.tar"
    if kit.exists():
        return
    wanted = list(settings.images or IMAGES)
    pull_missing(client, wanted)
    engine = connect_readonly()
    try:
        save(engine, wanted, kit)
        say(f"wrote the offline kit {kit} ({kit.stat().st_size / 2 ** 20:.0f} MiB: {', '.join(wanted)})")
    except MissingImages as missing:
        say(f"no offline kit: {missing} not on this engine, so each learner's engine will pull the images "
            "(`labcheck images load` a kit here, or `docker pull` them, then restart the hub)")
    finally:
        engine.close()


def pull_missing(client, images: list[str]) -> None:
    """Pull the labs' images this engine lacks, where a registry answers; the ones that fail are told by the kit."""
    import docker.errors

    for image in images:
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            say(f"pulling {image}")
            try:
                client.images.pull(image)
            except docker.errors.APIError as failed:
                say(f"could not pull {image}: {failed.explanation or failed}")


def ensure_proxy() -> None:
    if not PROXY.exists():
        say("installing configurable-http-proxy from npm (classroom/package-lock.json)")
        try:
            subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=ROOT / "classroom", check=True)
        except FileNotFoundError:
            raise ValueError("npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm), "
                             "then run make class again") from None


def address(settings) -> str:
    host = settings.ip
    if host in ("", "0.0.0.0"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect(("192.0.2.1", 9))         # no packet is sent: this only picks the outgoing address
                host = probe.getsockname()[0]
            except OSError:
                host = socket.gethostname()
    return f"http://{host}:{settings.port}/"


def serve() -> int:
    import docker

    home = class_home()
    settings = load(home)
    client = docker.from_env()
    ensure_images(client, settings)
    ensure_kit(client, settings, home)
    ensure_proxy()
    say(f"""the class {settings.name} is starting.

  Learners open   {address(settings)}
  and log in with a name of their choice, the class code   {settings.code}
  and a password of their own (set at their first log-in).
  The instructor logs in as   instructor   with the password in {home / 'class.json'} (admin_password);
  the class table is at {address(settings)}services/class-table/
  End the class (removes every learner's work): make class-end
""")
    os.chdir(home)
    hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(ROOT / "classroom/jupyterhub_config.py")],
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        return hub.wait()
    except KeyboardInterrupt:
        hub.send_signal(signal.SIGINT)
        return hub.wait()


def stop_hub(home: Path) -> None:
    pid_file = home / "jupyterhub.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (ValueError, ProcessLookupError, PermissionError):
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def end() -> int:
    import shutil

    import docker

    from classroom.resources import end_class

    home = class_home()
    if not (home / "class.json").exists():
        say(f"no class here ({home} holds none)")
        return 0
    settings = load(home)
    stop_hub(home)
    gone = end_class(docker.from_env(), settings)
    shutil.rmtree(home)
    say(f"ended {settings.name}: removed {len(gone['containers'])} containers, {len(gone['volumes'])} volumes, "
        f"{len(gone['networks'])} networks and {home}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"serve": serve, "end": end}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m classroom serve|end", file=sys.stderr)
        return 2
    try:
        return commands[argv[0]]()
    except ValueError as problem:                      # a setting refused, with its reason
        print(f"class: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
