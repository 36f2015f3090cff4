"""Lesson 7: tmpfs mounts: in memory only, size and mode, gone when the container stops."""
from checker.grading.checks import (container_exists, container_file, container_finished, container_running, container_stopped,
                      has_mount, layer_lacks, mounted_with)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=7, slug="tmpfs", title="tmpfs mounts",
    summary="memory-only mounts for secrets and scratch space, with size and mode.")
IMAGE = "busybox:1.36"
MIB = 1024 * 1024
RUN_SECRETS = (f"docker run -d --name lab-secrets --mount type=tmpfs,target=/run/secrets,tmpfs-size=1m,tmpfs-mode=0700 "
               f"{IMAGE} sleep 3600")

SECRETS = Exercise(
    id="ex17",
    title="A small, private tmpfs for secrets",
    part_of=LESSON,
    # What is written to a tmpfs cannot be read through the engine's archive API (docker cp cannot either), and
    # grading never execs into a container, so the task stops at the mount; the lab then writes a token with exec.
    goal=("Run lab-secrets detached (sleep 3600) with a tmpfs at /run/secrets, limited to 1 MiB, mode 0700, using "
          "--mount."),
    owns=Owned(containers=("lab-secrets",)),
    checks=(
        container_exists("lab-secrets", how=f"Run `{RUN_SECRETS}`."),
        has_mount("lab-secrets", "/run/secrets", "tmpfs", tmpfs_size=MIB, tmpfs_mode=0o700,
                  flag="--mount type=tmpfs,target=/run/secrets,tmpfs-size=1m,tmpfs-mode=0700"),
        mounted_with("lab-secrets", "/run/secrets", "--mount"),
        container_running("lab-secrets"),
    ),
    hints=(
        "tmpfs-size and tmpfs-mode are --mount options; the mode is octal, like chmod's.",
        "Keep it running: sleep 3600 gives you an hour to put a secret in it with docker exec.",
        RUN_SECRETS,
    ),
    solution=(RUN_SECRETS,),
    mistakes=(
        Mistake("no size limit", (f"docker run -d --name lab-secrets --mount type=tmpfs,target=/run/secrets,"
                                  f"tmpfs-mode=0700 {IMAGE} sleep 3600",), "has no size limit",
                hint=("The tmpfs at /run/secrets has no size limit. Remove lab-secrets (`docker rm -f "
                      "lab-secrets`) and run it again with tmpfs-size=1m added to --mount (beside "
                      "tmpfs-mode=0700).")),
        Mistake("default mode", (f"docker run -d --name lab-secrets --mount type=tmpfs,target=/run/secrets,"
                                 f"tmpfs-size=1m {IMAGE} sleep 3600",), "not 700",
                hint=("The tmpfs at /run/secrets has the default mode 1777: every user in the container can read "
                      "it. Remove lab-secrets (`docker rm -f lab-secrets`) and run it again with tmpfs-mode=0700 "
                      "added to --mount.")),
        Mistake("--tmpfs instead of --mount", (f"docker run -d --name lab-secrets --tmpfs /run/secrets:size=1m,mode=0700 "
                                               f"{IMAGE} sleep 3600",),
                "was made with --tmpfs; this step asks for --mount",
                hint=("lab-secrets has the right tmpfs, made with --tmpfs; this step practises the --mount form. "
                      "Remove it (`docker rm -f lab-secrets`) and run it again with `--mount "
                      "type=tmpfs,target=/run/secrets,tmpfs-size=1m,tmpfs-mode=0700`.")),
        Mistake("a volume instead", (f"docker run -d --name lab-secrets -v /run/secrets {IMAGE} sleep 3600",),
                "is a volume mount, not a tmpfs mount",
                hint=("/run/secrets is an anonymous volume: on disk, and it outlives the container. Remove both "
                      "(`docker rm -fv lab-secrets`) and run it again with `--mount "
                      "type=tmpfs,target=/run/secrets,tmpfs-size=1m,tmpfs-mode=0700`.")),
    ),
)

RUN_FULL = (f"docker run --name lab-tmpfs-full --tmpfs /scratch:size=1m {IMAGE} "
            "sh -c 'dd if=/dev/zero of=/scratch/big bs=1024 count=2048 || echo refused > /result.txt'")

SIZE_ENFORCED = Exercise(
    id="ex18",
    title="The size limit is enforced",
    part_of=LESSON,
    goal=("Run lab-tmpfs-full with --tmpfs /scratch:size=1m and a command that tries to write 2 MiB there and "
          "records the refusal: sh -c 'dd if=/dev/zero of=/scratch/big bs=1024 count=2048 || echo refused > "
          "/result.txt'. Leave it stopped."),
    owns=Owned(containers=("lab-tmpfs-full",)),
    checks=(
        container_exists("lab-tmpfs-full", how=f"Run `{RUN_FULL}`."),
        has_mount("lab-tmpfs-full", "/scratch", "tmpfs", tmpfs_size=MIB, flag="--tmpfs /scratch:size=1m"),
        mounted_with("lab-tmpfs-full", "/scratch", "--tmpfs"),
        container_finished("lab-tmpfs-full"),
        container_file("lab-tmpfs-full", "/result.txt", contains="refused", next_step=(
            "The write must fail: with a 1 MiB limit, 2 MiB do not fit. `docker rm lab-tmpfs-full` and run it again.")),
    ),
    hints=("--tmpfs PATH:size=1m is the short form.", f"{RUN_FULL}"),
    solution=(RUN_FULL,),
    mistakes=(
        Mistake("no limit", (f"docker run --name lab-tmpfs-full --tmpfs /scratch {IMAGE} "
                             "sh -c 'dd if=/dev/zero of=/scratch/big bs=1024 count=2048 || echo refused > /result.txt'",),
                "has no size limit",
                hint=("The tmpfs at /scratch has no size limit, so the 2 MiB write went through. Remove "
                      "lab-tmpfs-full (`docker rm lab-tmpfs-full`) and run it again with `--tmpfs "
                      "/scratch:size=1m`.")),
        Mistake("limit too big", (f"docker run --name lab-tmpfs-full --tmpfs /scratch:size=4m {IMAGE} "
                                  "sh -c 'dd if=/dev/zero of=/scratch/big bs=1024 count=2048 || echo refused > /result.txt'",),
                "is limited to 4m, not 1m",
                hint=("A 4 MiB limit lets the 2 MiB write through. Remove lab-tmpfs-full (`docker rm "
                      "lab-tmpfs-full`) and run it again with `--tmpfs /scratch:size=1m`.")),
    ),
)

RUN_STOP = f"docker run -d --name lab-tmp-stop --tmpfs /work:size=8m,mode=1770 {IMAGE} sleep 3600"
DRAFT = "docker exec lab-tmp-stop sh -c 'echo draft > /work/draft.txt && cat /work/draft.txt'"

GONE_ON_STOP = Exercise(
    id="ex19",
    title="Gone when the container stops",
    part_of=LESSON,
    goal=("Run lab-tmp-stop detached (sleep 3600) with --tmpfs /work:size=8m,mode=1770. Write /work/draft.txt with "
          "docker exec, then docker stop the container (do not remove it)."),
    owns=Owned(containers=("lab-tmp-stop",)),
    checks=(
        container_exists("lab-tmp-stop", how=f"Run `{RUN_STOP}`."),
        has_mount("lab-tmp-stop", "/work", "tmpfs", tmpfs_size=8 * MIB, tmpfs_mode=0o1770,
                  flag="--tmpfs /work:size=8m,mode=1770"),
        mounted_with("lab-tmp-stop", "/work", "--tmpfs"),
        container_stopped("lab-tmp-stop"),
        layer_lacks("lab-tmp-stop", "/work", why="Files on a tmpfs never reach the writable layer."),
    ),
    hints=("The --tmpfs options are a comma-separated list after a colon.",
           f"{RUN_STOP}; {DRAFT}; docker stop lab-tmp-stop"),
    solution=(RUN_STOP, DRAFT, "docker stop -t 1 lab-tmp-stop"),
    mistakes=(
        Mistake("still running", (RUN_STOP, DRAFT), "lab-tmp-stop is still running",
                hint=("lab-tmp-stop is still running. Stop it, do not remove it: `docker stop lab-tmp-stop`. Its "
                      "tmpfs, and the draft in it, go with the stop.")),
        Mistake("wrong mode", (f"docker run -d --name lab-tmp-stop --tmpfs /work:size=8m {IMAGE} sleep 3600",
                               "docker stop -t 1 lab-tmp-stop"), "not 1770",
                hint=("The tmpfs at /work has the default mode 1777, not 1770. Remove lab-tmp-stop (`docker rm -f "
                      "lab-tmp-stop`), run it again with `--tmpfs /work:size=8m,mode=1770`, write the draft with "
                      "docker exec, then `docker stop lab-tmp-stop`.")),
    ),
)

EXERCISES = (SECRETS, SIZE_ENFORCED, GONE_ON_STOP)
