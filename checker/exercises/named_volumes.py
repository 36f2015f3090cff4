"""Lesson 2: named volumes (create, mount, share across containers, inspect, remove)."""
from checker.grading.checks import (container_absent, container_exists, container_finished, has_mount, mounted_with,
                      volume_exists, volume_file)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=2, slug="named-volumes", title="Named volumes",
    summary="create, mount, share, inspect and remove named volumes.")
IMAGE = "busybox:1.36"
LABEL = {"course": "docker-volumes"}

OUTLIVES = Exercise(
    id="ex3",
    title="Data that outlives its container",
    part_of=LESSON,
    goal=("Create a volume lab-notes with the label course=docker-volumes. Run a container lab-writer with it "
          "mounted at /data that writes 'written by lab-writer' to /data/note.txt. Then remove lab-writer."),
    owns=Owned(containers=("lab-writer",), volumes=("lab-notes",)),
    checks=(
        volume_exists("lab-notes", labels=LABEL),
        volume_file("lab-notes", "note.txt", contains="written by lab-writer", next_step=(
            f"Run `docker run --name lab-writer -v lab-notes:/data {IMAGE} sh -c "
            "'echo written by lab-writer > /data/note.txt'`; the volume must be mounted at /data.")),
        container_absent("lab-writer", why="The point is that the data outlives the container that wrote it."),
    ),
    hints=(
        "`docker volume create` takes --label KEY=VALUE; labels cannot be added later.",
        "-v lab-notes:/data mounts the volume at /data; whatever the command writes under /data lands in the volume.",
        "docker volume create --label course=docker-volumes lab-notes; then docker run --name lab-writer "
        "-v lab-notes:/data busybox:1.36 sh -c 'echo written by lab-writer > /data/note.txt'; then docker rm lab-writer",
    ),
    solution=(
        "docker volume create --label course=docker-volumes lab-notes",
        f"docker run --name lab-writer -v lab-notes:/data {IMAGE} sh -c 'echo written by lab-writer > /data/note.txt'",
        "docker rm lab-writer",
    ),
    mistakes=(
        Mistake("let docker run create the volume", (
            f"docker run --name lab-writer -v lab-notes:/data {IMAGE} sh -c 'echo written by lab-writer > /data/note.txt'",
            "docker rm lab-writer"), "created on the fly by `docker run -v`",
                hint=("lab-notes has no labels: `docker run -v lab-notes:/data` created it on the fly before you "
                      "created it yourself. Remove it (`docker volume rm lab-notes`; remove lab-writer first if it "
                      "still exists), create it with `docker volume create --label course=docker-volumes "
                      "lab-notes`, then run lab-writer again.")),
        Mistake("mounted at the wrong path", (
            "docker volume create --label course=docker-volumes lab-notes",
            f"docker run --name lab-writer -v lab-notes:/date {IMAGE} sh -c "
            "'mkdir -p /data && echo written by lab-writer > /data/note.txt'",
            "docker rm lab-writer"), "There is no note.txt in volume lab-notes",
                hint=("lab-notes exists but holds no note.txt: most likely lab-writer mounted it somewhere other "
                      "than /data, so the note went into the container's own layer. Run lab-writer again with `-v "
                      "lab-notes:/data` (after `docker rm lab-writer` if it still exists), then remove it.")),
        Mistake("kept the writer", (
            "docker volume create --label course=docker-volumes lab-notes",
            f"docker run --name lab-writer -v lab-notes:/data {IMAGE} sh -c 'echo written by lab-writer > /data/note.txt'"),
            "Container lab-writer still exists",
                hint=("The note is safe in lab-notes; the last step is to remove the container that wrote it: "
                      "`docker rm lab-writer`. The volume and its data stay.")),
    ),
)

SECOND_CONTAINER = Exercise(
    id="ex4",
    title="A second container picks up the data",
    part_of=LESSON,
    goal=("Run a container lab-reader with lab-notes mounted at /data (use --mount) that prints /data/note.txt and "
          "then appends the line 'read by lab-reader'. Leave lab-reader stopped, not removed."),
    owns=Owned(containers=("lab-reader",)),
    builds_on=("ex3",),
    checks=(
        volume_exists("lab-notes"),
        container_exists("lab-reader", how=(
            f"Run `docker run --name lab-reader --mount type=volume,source=lab-notes,target=/data {IMAGE} sh -c "
            "'cat /data/note.txt; echo read by lab-reader >> /data/note.txt'`.")),
        container_finished("lab-reader"),
        has_mount("lab-reader", "/data", "volume", "lab-notes",
                  flag="--mount type=volume,source=lab-notes,target=/data"),
        mounted_with("lab-reader", "/data", "--mount"),
        volume_file("lab-notes", "note.txt", lines=("written by lab-writer", "read by lab-reader"), next_step=(
            "note.txt must hold lab-writer's line first and lab-reader's line after it. Append with >>; if the "
            "file is damaged, `labcheck reset ex3`, solve ex3 again, then `docker rm lab-reader` and rerun it.")),
    ),
    hints=(
        "--mount spells it out: type=volume,source=VOLUME,target=PATH.",
        "Use >> to append; a single > would wipe lab-writer's line.",
        "docker run --name lab-reader --mount type=volume,source=lab-notes,target=/data busybox:1.36 "
        "sh -c 'cat /data/note.txt; echo read by lab-reader >> /data/note.txt'",
    ),
    solution=(f"docker run --name lab-reader --mount type=volume,source=lab-notes,target=/data {IMAGE} "
              "sh -c 'cat /data/note.txt; echo read by lab-reader >> /data/note.txt'",),
    mistakes=(
        Mistake("used -v, not --mount", (
            f"docker run --name lab-reader -v lab-notes:/data {IMAGE} "
            "sh -c 'cat /data/note.txt; echo read by lab-reader >> /data/note.txt'",),
            "was made with -v; this step asks for --mount",
                hint=("lab-reader mounts the right volume, but with -v; this step practises --mount. Remove it "
                      "(`docker rm lab-reader`), put note.txt back to lab-writer's line alone (`docker run --rm -v "
                      "lab-notes:/data busybox:1.36 sh -c 'echo written by lab-writer > /data/note.txt'`), and run "
                      "it again with `--mount type=volume,source=lab-notes,target=/data`.")),
        Mistake("bind-mounted a host folder", (
            f'docker run --name lab-reader -v "$WORKSPACE/lab-notes":/data {IMAGE} '
            "sh -c 'echo read by lab-reader >> /data/note.txt'",), "is a bind mount of the host folder",
                hint=("lab-reader's /data is a host folder, not the volume: with -v, a source that starts with / is"
                      " a host path. Remove lab-reader (`docker rm lab-reader`) and run it again with `--mount "
                      "type=volume,source=lab-notes,target=/data`.")),
        Mistake("anonymous volume", (
            f"docker run --name lab-reader -v /data {IMAGE} sh -c 'echo read by lab-reader >> /data/note.txt'",),
            "is an anonymous volume",
                hint=("lab-reader's /data is a new, empty anonymous volume, because the mount named no source. "
                      "Remove it with its anonymous volume (`docker rm -v lab-reader`) and run it again with "
                      "`--mount type=volume,source=lab-notes,target=/data`.")),
        Mistake("mounted at the wrong path", (
            f"docker run --name lab-reader --mount type=volume,source=lab-notes,target=/date {IMAGE} "
            "sh -c 'echo read by lab-reader >> /date/note.txt'",), "mounts volume lab-notes at /date, not at /data",
                hint=("The volume exists but lab-reader mounts it at /date; remove lab-reader (`docker rm "
                      "lab-reader`) and run it again with target=/data.")),
        Mistake("mounted read-only", (
            f"docker run --name lab-reader --mount type=volume,source=lab-notes,target=/data,readonly {IMAGE} "
            "sh -c 'cat /data/note.txt; echo read by lab-reader >> /data/note.txt'",), "exited with code 1",
                hint=("lab-reader's command failed. If you mounted lab-notes with readonly, the append to "
                      "/data/note.txt was refused: this step writes. Remove lab-reader (`docker rm lab-reader`) and"
                      " run it again without readonly; otherwise read `docker logs lab-reader` first.")),
        Mistake("left it running", (
            f"docker run -d --name lab-reader --mount type=volume,source=lab-notes,target=/data {IMAGE} "
            "sh -c 'echo read by lab-reader >> /data/note.txt; sleep 600'",), "lab-reader is still running",
                hint=("lab-reader is still running; the task wants it finished and stopped. Remove it (`docker rm "
                      "-f lab-reader`) and run it again in the foreground, with a command that ends after the "
                      "append.")),
        Mistake("overwrote the note", (
            f"docker run --name lab-reader --mount type=volume,source=lab-notes,target=/data {IMAGE} "
            "sh -c 'echo read by lab-reader > /data/note.txt'",), "Missing: 'written by lab-writer'",
                hint=("note.txt lost lab-writer's line: a single > replaced the file. Put the line back (`docker "
                      "run --rm -v lab-notes:/data busybox:1.36 sh -c 'echo written by lab-writer > "
                      "/data/note.txt'`), remove lab-reader, and run it again appending with >>.")),
    ),
)

EXERCISES = (OUTLIVES, SECOND_CONTAINER)
