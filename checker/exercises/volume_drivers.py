"""Lesson 11: volume drivers and the local driver's options (tmpfs- and folder-backed named volumes)."""
from checker.grading.checks import (container_exists, container_finished, has_mount, host_file, volume_exists, volume_options)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson
from .compose import compose_file, project_owns

LESSON = Lesson(
    number=11, slug="volume-drivers", title="Volume drivers",
    summary=("the `local` driver's options (memory-backed and folder-backed volumes, NFS), plugins, and driver "
             "options in Compose."))
IMAGE = "busybox:1.36"
CREATE_RAM = ("docker volume create --driver local --opt type=tmpfs --opt device=tmpfs "
              "--opt o=size=16m,mode=1777 lab-ramdisk")
RUN_RAM = f"docker run --name lab-ram-user -v lab-ramdisk:/cache {IMAGE} sh -c 'df -h /cache'"

RAM_VOLUME = Exercise(
    id="ex29",
    title="A named volume in memory",
    part_of=LESSON,
    goal=("Create lab-ramdisk with the local driver's options type=tmpfs, device=tmpfs, o=size=16m,mode=1777. Run "
          "lab-ram-user with it at /cache, showing df -h /cache. Leave it stopped."),
    owns=Owned(containers=("lab-ram-user",), volumes=("lab-ramdisk",)),
    checks=(
        volume_exists("lab-ramdisk"),
        volume_options("lab-ramdisk", {"type": "tmpfs", "device": "tmpfs"}, ("size=16m", "mode=1777")),
        container_exists("lab-ram-user", how=f"Run `{RUN_RAM}`."),
        has_mount("lab-ram-user", "/cache", "volume", "lab-ramdisk", flag="-v lab-ramdisk:/cache"),
        container_finished("lab-ram-user"),
    ),
    hints=("--opt KEY=VALUE passes options to the driver; the local driver hands them to the kernel's mount(2) call.",
           f"{CREATE_RAM}; {RUN_RAM}"),
    solution=(CREATE_RAM, RUN_RAM),
    mistakes=(
        Mistake("a plain volume", ("docker volume create lab-ramdisk", RUN_RAM), "has no driver options",
                hint=("lab-ramdisk is a plain volume on disk, and driver options are fixed at creation. Remove "
                      "lab-ram-user and lab-ramdisk, create it with `docker volume create --opt type=tmpfs --opt "
                      "device=tmpfs --opt o=size=16m,mode=1777 lab-ramdisk`, and run lab-ram-user again.")),
        Mistake("default mode", ("docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=16m "
                                 "lab-ramdisk", RUN_RAM), "lack mode=1777",
                hint=("lab-ramdisk has its size but not the mode the task gives: mount options are fixed at "
                      "creation. Remove lab-ram-user and lab-ramdisk, create it again with `--opt "
                      "o=size=16m,mode=1777`, and run lab-ram-user again.")),
        Mistake("no size", ("docker volume create --opt type=tmpfs --opt device=tmpfs lab-ramdisk", RUN_RAM),
                "lack size=16m",
                hint=("lab-ramdisk is a tmpfs, but without `o=size=16m,mode=1777` it has no size limit. Remove "
                      "lab-ram-user and lab-ramdisk, create it again with `--opt o=size=16m,mode=1777` as well, and"
                      " run lab-ram-user again.")),
    ),
)

CREATE_DIR = ('mkdir -p "$WORKSPACE/shared-folder" && docker volume create --opt type=none --opt o=bind '
              '--opt device="$WORKSPACE/shared-folder" lab-hostdir')
RUN_DIR = f"docker run --name lab-hostdir-user -v lab-hostdir:/data {IMAGE} sh -c 'echo hello from a volume > /data/hello.txt'"

FOLDER_VOLUME = Exercise(
    id="ex30",
    title="A named volume that lives in a folder you choose",
    part_of=LESSON,
    goal=("Create the folder shared-folder in your workspace and a volume lab-hostdir on it (type=none, o=bind, "
          "device=that folder). Run lab-hostdir-user with lab-hostdir at /data writing 'hello from a volume' to "
          "/data/hello.txt; the file must appear in the folder on the host."),
    owns=Owned(containers=("lab-hostdir-user",), volumes=("lab-hostdir",), host_paths=("shared-folder",)),
    checks=(
        volume_exists("lab-hostdir"),
        volume_options("lab-hostdir", {"type": "none", "device": "$WORKSPACE/shared-folder"}, ("bind",)),
        container_exists("lab-hostdir-user", how=f"Run `{RUN_DIR}`."),
        has_mount("lab-hostdir-user", "/data", "volume", "lab-hostdir", flag="-v lab-hostdir:/data"),
        host_file("$WORKSPACE/shared-folder/hello.txt", lines=("hello from a volume",), next_step=f"Run `{RUN_DIR}`."),
    ),
    hints=("The folder must exist before the first container mounts the volume.", f"{CREATE_DIR}; {RUN_DIR}"),
    solution=(CREATE_DIR, RUN_DIR),
    mistakes=(
        Mistake("a bind mount instead", (CREATE_DIR, f'docker run --name lab-hostdir-user -v "$WORKSPACE/shared-folder":/data '
                                                     f"{IMAGE} sh -c 'echo hello from a volume > /data/hello.txt'"),
                "is a bind mount of the host folder",
                hint=("lab-hostdir-user binds the folder itself; the task is to mount the volume lab-hostdir, which"
                      " points at that folder. Remove it (`docker rm lab-hostdir-user`) and run it again with `-v "
                      "lab-hostdir:/data`.")),
        Mistake("another folder", ('mkdir -p "$WORKSPACE/elsewhere" && docker volume create --opt type=none --opt o=bind '
                                   '--opt device="$WORKSPACE/elsewhere" lab-hostdir', RUN_DIR), "has device=",
                hint=("lab-hostdir points at another folder (see its device= option). Remove lab-hostdir-user and "
                      'lab-hostdir, create the volume again with `--opt device="$WORKSPACE/shared-folder"` (and '
                      "type=none, o=bind), then run lab-hostdir-user again.")),
    ),
)

COMPOSE_FILE = '''name: lab-compose-ram
services:
  app:
    image: busybox:1.36
    command: ["sh", "-c", "echo warm > /cache/state.txt && df -h /cache"]
    volumes:
      - cache:/cache
volumes:
  cache:
    driver: local
    driver_opts:
      type: tmpfs
      device: tmpfs
      o: size=8m
'''
WRITE_COMPOSE = compose_file("compose-ram", COMPOSE_FILE)
UP = 'docker compose -f "$WORKSPACE/compose-ram/compose.yaml" up'

COMPOSE_DRIVER = Exercise(
    id="ex31",
    title="Driver options in a Compose file",
    part_of=LESSON,
    goal=("Write compose-ram/compose.yaml for a project lab-compose-ram whose service app mounts a volume cache at "
          "/cache, declared with driver: local and driver_opts type=tmpfs, device=tmpfs, o=size=8m. Run it once."),
    owns=project_owns("lab-compose-ram", "compose-ram", ("cache",)),
    checks=(
        container_exists("lab-compose-ram-app-1", how=f"Write the file, then run `{UP}`."),
        has_mount("lab-compose-ram-app-1", "/cache", "volume", "lab-compose-ram_cache",
                  redo=f"Mount the volume in the service (`- cache:/cache`), then `{UP} --force-recreate`."),
        volume_exists("lab-compose-ram_cache"),
        volume_options("lab-compose-ram_cache", {"type": "tmpfs", "device": "tmpfs"}, ("size=8m",)),
        container_finished("lab-compose-ram-app-1"),
    ),
    hints=("driver_opts: is the Compose spelling of --opt; its keys are the same.",
           "Options are fixed when the volume is created. After you change them, Compose 2.32+ asks before it "
           "recreates the volume, and `up -y` answers yes: the new volume starts empty, the old data is lost. "
           "Older Compose keeps the old options without a word; there, run `docker compose down -v` first."),
    solution=(WRITE_COMPOSE, UP),
    mistakes=(
        Mistake("no driver options", (
            WRITE_COMPOSE.replace("    driver: local\n    driver_opts:\n      type: tmpfs\n      device: tmpfs\n"
                                  "      o: size=8m\n", "    driver: local\n"), UP), "has no driver options",
                hint=("The project's cache volume has no driver options. Under cache: in the top-level volumes:, "
                      "add `driver: local` and driver_opts with type: tmpfs, device: tmpfs and o: size=8m; then "
                      '`docker compose -f "$WORKSPACE/compose-ram/compose.yaml" down -v` and `up`: options are '
                      "fixed when the volume is created.")),
    ),
)

EXERCISES = (RAM_VOLUME, FOLDER_VOLUME, COMPOSE_DRIVER)
