"""Lesson 8: several containers, one volume: one writer with read-only readers, and one file per writer."""
from checker.grading.checks import (container_exists, container_finished, container_running, has_mount, mounted_with,
                                    volume_exists, volume_file)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=8, slug="shared-volumes", title="Several containers, one volume",
    summary="one writer and read-only readers, and why two writers corrupt one file.")
IMAGE = "busybox:1.36"
RUN_LOGGER = (f"docker run -d --name lab-logger -v lab-logs:/logs {IMAGE} "
              "sh -c 'while true; do echo \"tick $(date +%T)\" >> /logs/app.log; sleep 1; done'")
RUN_SHIPPER = f"docker run -d --name lab-shipper -v lab-logs:/logs:ro {IMAGE} tail -F /logs/app.log"
FIRST_LINE = "until docker exec lab-logger test -s /logs/app.log; do sleep 0.2; done"

SIDECAR = Exercise(
    id="ex20",
    title="One writer, one read-only log shipper",
    part_of=LESSON,
    goal=("Run lab-logger detached with volume lab-logs at /logs, appending a 'tick …' line to /logs/app.log every "
          "second. Run lab-shipper detached with the same volume mounted read-only at /logs, following the log with "
          "tail -F /logs/app.log."),
    owns=Owned(containers=("lab-logger", "lab-shipper"), volumes=("lab-logs",)),
    checks=(
        volume_exists("lab-logs"),
        container_exists("lab-logger", how=f"Run `{RUN_LOGGER}`."),
        has_mount("lab-logger", "/logs", "volume", "lab-logs", flag="-v lab-logs:/logs"),
        container_running("lab-logger"),
        container_exists("lab-shipper", how=f"Run `{RUN_SHIPPER}`."),
        has_mount("lab-shipper", "/logs", "volume", "lab-logs", read_only=True, flag="-v lab-logs:/logs:ro"),
        container_running("lab-shipper"),
        volume_file("lab-logs", "app.log", contains="tick", next_step="Give lab-logger a second to write."),
    ),
    hints=("The shipper only reads: mount it with :ro so a bug in it cannot damage the log.",
           f"{RUN_LOGGER}; {RUN_SHIPPER}"),
    solution=(RUN_LOGGER, FIRST_LINE, RUN_SHIPPER),
    mistakes=(
        Mistake("shipper can write", (RUN_LOGGER, FIRST_LINE,
                                      f"docker run -d --name lab-shipper -v lab-logs:/logs {IMAGE} tail -F /logs/app.log"),
                "In lab-shipper, /logs is mounted read-write",
                hint=("lab-shipper mounts lab-logs read-write. Remove it (`docker rm -f lab-shipper`) and run it "
                      "again with `-v lab-logs:/logs:ro`.")),
        Mistake("shipper on its own volume", (RUN_LOGGER, FIRST_LINE,
                                              f"docker run -d --name lab-shipper -v /logs {IMAGE} tail -F /logs/app.log"),
                "is an anonymous volume",
                hint=("lab-shipper's /logs is a new anonymous volume of its own, so it follows an empty folder, not"
                      " lab-logger's log. Remove it with that volume (`docker rm -fv lab-shipper`) and run it again"
                      " with `-v lab-logs:/logs:ro`.")),
    ),
)

RUN_AUDITOR = f"docker run --name lab-auditor --volumes-from lab-logger:ro {IMAGE} sh -c 'wc -l < /logs/app.log'"

VOLUMES_FROM = Exercise(
    id="ex21",
    title="Borrow another container's volumes, read-only",
    part_of=LESSON,
    goal=("Run lab-auditor with --volumes-from lab-logger:ro, counting the lines of /logs/app.log with "
          "sh -c 'wc -l < /logs/app.log'. Leave it stopped."),
    owns=Owned(containers=("lab-auditor",)),
    builds_on=("ex20",),
    checks=(
        container_exists("lab-auditor", how=f"Run `{RUN_AUDITOR}`."),
        has_mount("lab-auditor", "/logs", "volume", "lab-logs", read_only=True, flag="--volumes-from lab-logger:ro"),
        mounted_with("lab-auditor", "/logs", "--volumes-from", source="lab-logger"),
        container_finished("lab-auditor"),
    ),
    hints=("--volumes-from copies another container's mounts, paths included; :ro makes them all read-only.",
           RUN_AUDITOR),
    solution=(RUN_AUDITOR,),
    mistakes=(
        Mistake("read-write", (f"docker run --name lab-auditor --volumes-from lab-logger {IMAGE} "
                               "sh -c 'wc -l < /logs/app.log'",), "In lab-auditor, /logs is mounted read-write",
                hint=("lab-auditor borrowed lab-logger's mounts read-write. Remove it (`docker rm lab-auditor`) and"
                      " run it again with `--volumes-from lab-logger:ro`.")),
        Mistake("mounted the volume itself", (f"docker run --name lab-auditor -v lab-logs:/logs:ro {IMAGE} "
                                              "sh -c 'wc -l < /logs/app.log'",),
                "lab-auditor mounts /logs itself (with -v)",
                hint=("lab-auditor names lab-logs itself; this step borrows lab-logger's mounts, whatever they are. "
                      "Remove it (`docker rm lab-auditor`) and run it again with `--volumes-from lab-logger:ro`.")),
        Mistake("no volumes", (f"docker run --name lab-auditor {IMAGE} sh -c 'wc -l < /logs/app.log'",),
                "lab-auditor has no mounts at all",
                hint=("lab-auditor has no mounts, so there was no /logs/app.log for it to count. Remove it (`docker"
                      " rm lab-auditor`) and run it again with `--volumes-from lab-logger:ro`.")),
    ),
)


def writer(tag: str, target: str) -> str:
    return (f"docker run -d --name lab-writer-{tag} -v lab-shared:/shared {IMAGE} "
            f"sh -c 'for i in $(seq 1 200); do echo \"{tag} $i\"; done > /shared/{target}'")


WAIT = "docker wait lab-writer-a lab-writer-b"

ONE_FILE_EACH = Exercise(
    id="ex22",
    title="Two writers, one file each",
    part_of=LESSON,
    goal=("Run lab-writer-a and lab-writer-b at the same time (-d) on volume lab-shared at /shared, each writing 200 "
          "numbered lines ('a 1' … 'a 200', 'b 1' … 'b 200'), each to its own file: a.log and b.log."),
    owns=Owned(containers=("lab-writer-a", "lab-writer-b"), volumes=("lab-shared",)),
    checks=(
        volume_exists("lab-shared"),
        container_exists("lab-writer-a", how=f"Run `{writer('a', 'a.log')}`."),
        has_mount("lab-writer-a", "/shared", "volume", "lab-shared", flag="-v lab-shared:/shared"),
        container_finished("lab-writer-a"),
        container_exists("lab-writer-b", how=f"Run `{writer('b', 'b.log')}`."),
        has_mount("lab-writer-b", "/shared", "volume", "lab-shared", flag="-v lab-shared:/shared"),
        container_finished("lab-writer-b"),
        volume_file("lab-shared", "a.log", lines=tuple(f"a {i}" for i in range(1, 201)),
                    next_step="Let lab-writer-a write a.log alone."),
        volume_file("lab-shared", "b.log", lines=tuple(f"b {i}" for i in range(1, 201)),
                    next_step="Let lab-writer-b write b.log alone."),
    ),
    hints=("Two processes writing one file without coordination overwrite or interleave each other.",
           f"{writer('a', 'a.log')}; {writer('b', 'b.log')}"),
    solution=(writer("a", "a.log"), writer("b", "b.log"), WAIT),
    mistakes=(
        Mistake("both into one file", (writer("a", "shared.log"), writer("b", "shared.log"), WAIT),
                "There is no a.log in volume lab-shared",
                hint=("There is no a.log: most likely both writers wrote one file, so one overwrote the other. "
                      "Remove them (`docker rm lab-writer-a lab-writer-b`) and run them again, lab-writer-a writing"
                      " > /shared/a.log and lab-writer-b writing > /shared/b.log.")),
    ),
)

EXERCISES = (SIDECAR, VOLUMES_FROM, ONE_FILE_EACH)
