"""Lesson 3: -v versus --mount, read-only mounts, labels, and what prune removes."""
from checker.grading.checks import (container_exists, container_finished, has_mount, mounted_with, volume_absent, volume_exists,
                      volume_file, volume_file_absent)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=3, slug="mount-syntax", title="`-v` versus `--mount`, read-only mounts, and pruning",
    summary=("`-v` versus `--mount`, read-only mounts, labels, and what `docker volume prune` removes on today's "
             "engines and older ones."))
IMAGE = "busybox:1.36"
LABEL = {"course": "docker-volumes"}
CREATE = "docker volume create --label course=docker-volumes lab-config"
RUN_V = f"docker run --name lab-syntax-v -v lab-config:/config:ro {IMAGE} ls -la /config"
RUN_MOUNT = (f"docker run --name lab-syntax-mount --mount type=volume,source=lab-config,target=/config,readonly "
             f"{IMAGE} ls -la /config")

TWO_SYNTAXES = Exercise(
    id="ex5",
    title="One read-only mount, two syntaxes",
    part_of=LESSON,
    goal=("Create a volume lab-config labelled course=docker-volumes. Run lab-syntax-v with -v and lab-syntax-mount "
          "with --mount, each mounting lab-config read-only at /config and listing it. Leave both stopped."),
    owns=Owned(containers=("lab-syntax-v", "lab-syntax-mount"), volumes=("lab-config",)),
    checks=(
        volume_exists("lab-config", labels=LABEL),
        container_exists("lab-syntax-v", how=f"Run `{RUN_V}`."),
        has_mount("lab-syntax-v", "/config", "volume", "lab-config", read_only=True, flag="-v lab-config:/config:ro"),
        mounted_with("lab-syntax-v", "/config", "-v"),
        container_finished("lab-syntax-v"),
        container_exists("lab-syntax-mount", how=f"Run `{RUN_MOUNT}`."),
        has_mount("lab-syntax-mount", "/config", "volume", "lab-config", read_only=True,
                  flag="--mount type=volume,source=lab-config,target=/config,readonly"),
        mounted_with("lab-syntax-mount", "/config", "--mount"),
        container_finished("lab-syntax-mount"),
    ),
    hints=(
        "With -v the options go after a second colon: NAME:PATH:ro.",
        "With --mount every field is named: type=volume,source=…,target=…, and the flag readonly (or ro).",
        f"{CREATE}; {RUN_V}; {RUN_MOUNT}",
    ),
    solution=(CREATE, RUN_V, RUN_MOUNT),
    mistakes=(
        Mistake("forgot :ro", (CREATE, f"docker run --name lab-syntax-v -v lab-config:/config {IMAGE} ls /config",
                               RUN_MOUNT), "In lab-syntax-v, /config is mounted read-write",
                hint=("lab-syntax-v can write to lab-config. Remove it (`docker rm lab-syntax-v`) and run it again "
                      "with `-v lab-config:/config:ro`: the third field of -v holds the options.")),
        Mistake("forgot readonly", (CREATE, RUN_V, f"docker run --name lab-syntax-mount --mount "
                                                   f"type=volume,source=lab-config,target=/config {IMAGE} ls /config"),
                "In lab-syntax-mount, /config is mounted read-write",
                hint=("lab-syntax-mount can write to lab-config. Remove it (`docker rm lab-syntax-mount`) and run "
                      "it again with readonly at the end of the --mount value: `--mount "
                      "type=volume,source=lab-config,target=/config,readonly`.")),
        Mistake("--mount for both", (CREATE, RUN_MOUNT.replace("lab-syntax-mount", "lab-syntax-v"), RUN_MOUNT),
                "lab-syntax-v's mount at /config was made with --mount",
                hint=("lab-syntax-v is the -v half of the pair: remove it (`docker rm lab-syntax-v`) and run it again"
                      " with `-v lab-config:/config:ro`.")),
        Mistake("wrong target", (CREATE, RUN_V, f"docker run --name lab-syntax-mount --mount "
                                                f"type=volume,source=lab-config,target=/configs,readonly {IMAGE} ls /"),
                "mounts volume lab-config at /configs, not at /config",
                hint=("lab-syntax-mount mounts lab-config at /configs. Remove it (`docker rm lab-syntax-mount`) and"
                      " run it again with target=/config.")),
        Mistake("let -v create the volume", (RUN_V, RUN_MOUNT), "created on the fly",
                hint=("lab-config has no label: the first `docker run -v lab-config:…` created it on the fly. "
                      "Remove both containers and the volume (`docker rm lab-syntax-v lab-syntax-mount`, `docker "
                      "volume rm lab-config`), create it with `docker volume create --label course=docker-volumes "
                      "lab-config`, then run both again.")),
    ),
)

WRITE_CONFIG = "docker run --rm -v lab-config:/config busybox:1.36 sh -c 'echo mode=production > /config/app.conf'"
RUN_APP = ("docker run --name lab-app -v lab-config:/config:ro busybox:1.36 "
           "sh -c 'cat /config/app.conf && ! touch /config/new.conf'")

READ_ONLY_PROOF = Exercise(
    id="ex6",
    title="Read-only really means read-only",
    part_of=LESSON,
    goal=("Write mode=production to app.conf in lab-config (through a read-write mount). Then run lab-app with "
          "lab-config mounted read-only at /config and the command "
          "sh -c 'cat /config/app.conf && ! touch /config/new.conf', which succeeds only if the write is refused."),
    owns=Owned(containers=("lab-app",)),
    builds_on=("ex5",),
    checks=(
        volume_exists("lab-config"),
        volume_file("lab-config", "app.conf", contains="mode=production", next_step=f"Run `{WRITE_CONFIG}`."),
        container_exists("lab-app", how=f"Run `{RUN_APP}`."),
        has_mount("lab-app", "/config", "volume", "lab-config", read_only=True, flag="-v lab-config:/config:ro"),
        container_finished("lab-app"),
        volume_file_absent("lab-config", "new.conf", why="Something wrote it through a read-write mount."),
    ),
    hints=(
        "Write app.conf with a short-lived container that mounts lab-config read-write.",
        "`! touch …` succeeds only when touch fails: on a read-only mount it must fail.",
        f"{WRITE_CONFIG}; {RUN_APP}",
    ),
    solution=(WRITE_CONFIG, RUN_APP),
    mistakes=(
        Mistake("mounted read-write", (WRITE_CONFIG, "docker run --name lab-app -v lab-config:/config busybox:1.36 "
                                                     "sh -c 'cat /config/app.conf && ! touch /config/new.conf'"),
                "In lab-app, /config is mounted read-write",
                hint=("lab-app mounts lab-config read-write, so its touch succeeds instead of being refused. Remove"
                      " it (`docker rm lab-app`) and run it again with `-v lab-config:/config:ro`.")),
    ),
)

SCRATCH = ("docker volume create --label lab-purpose=scratch lab-tmp-1",
           "docker volume create --label lab-purpose=scratch lab-tmp-2",
           "docker volume create --label lab-purpose=keep lab-keep")
PRUNE_ALL = "docker volume prune --all --force --filter label=lab-purpose=scratch"
NAMED_PRUNE_WHY = "Since Docker Engine 23, docker volume prune removes unused named volumes only with --all."

PRUNE = Exercise(
    id="ex7",
    title="Prune only what you mean to",
    part_of=LESSON,
    goal=("Create volumes lab-tmp-1 and lab-tmp-2 labelled lab-purpose=scratch and lab-keep labelled "
          "lab-purpose=keep. Then remove the two scratch volumes, and only them, with a single docker volume prune."),
    owns=Owned(volumes=("lab-tmp-1", "lab-tmp-2", "lab-keep")),
    checks=(
        volume_exists("lab-keep", labels={"lab-purpose": "keep"}),
        volume_absent("lab-tmp-1", why=NAMED_PRUNE_WHY),
        volume_absent("lab-tmp-2", why=NAMED_PRUNE_WHY),
    ),
    hints=(
        "`docker volume prune --filter label=KEY=VALUE` limits the prune to volumes with that label.",
        "On a current engine, prune spares named volumes unless you add --all.",
        f"{PRUNE_ALL}",
    ),
    solution=(*SCRATCH, PRUNE_ALL),
    mistakes=(
        Mistake("pruned without --all", (*SCRATCH, "docker volume prune --force --filter label=lab-purpose=scratch"),
                "removes unused named volumes only with --all",
                hint=("The scratch volumes survived: on Engine 23 and later, `docker volume prune` removes named "
                      "volumes only with --all. Run `docker volume prune --all --force --filter "
                      "label=lab-purpose=scratch`; the filter keeps lab-keep safe.")),
    ),
)

EXERCISES = (TWO_SYNTAXES, READ_ONLY_PROOF, PRUNE)
