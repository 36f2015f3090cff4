"""Lesson 13: the mistakes that lose data, and two habits against them."""
from checker.grading.checks import (container_exists, container_finished, container_read_only_root, has_mount, volume_exists,
                      volume_file)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=13, slug="data-loss", title="The mistakes that lose data",
    summary="the mistakes that lose data, gathered into one checklist, and what to do when it has happened.")
IMAGE = "busybox:1.36"
SEED = ("docker volume create --label course=docker-volumes lab-precious && "
        f"docker run --rm -v lab-precious:/data {IMAGE} sh -c 'echo \"ten years of invoices\" > /data/invoices.txt'")
BACKUP = ('mkdir -p "$WORKSPACE/rescue" && docker run --rm -v lab-precious:/data:ro -v "$WORKSPACE/rescue":/backup '
          f"{IMAGE} tar czf /backup/precious.tar.gz -C /data .")
ACCIDENT = "docker volume rm lab-precious"
RECREATE = "docker volume create --label course=docker-volumes lab-precious"
RESTORE = (f'docker run --rm -v lab-precious:/data -v "$WORKSPACE/rescue":/backup:ro {IMAGE} '
           "tar xzf /backup/precious.tar.gz -C /data")

RECOVER = Exercise(
    id="ex35",
    title="Recover from a deleted volume",
    part_of=LESSON,
    goal=("lab-precious (label course=docker-volumes) was backed up to rescue/precious.tar.gz in your workspace, "
          "then deleted. Bring it back: recreate it with its label and restore the archive into it."),
    owns=Owned(volumes=("lab-precious",), host_paths=("rescue",)),
    checks=(
        volume_exists("lab-precious", labels={"course": "docker-volumes"}),
        volume_file("lab-precious", "invoices.txt", contains="ten years of invoices", next_step=f"Run `{RESTORE}`."),
    ),
    hints=("Create the volume first, with its label, so that the restore does not create a bare one.",
           f"{RECREATE}; {RESTORE}"),
    solution=(SEED, BACKUP, ACCIDENT, RECREATE, RESTORE),
    mistakes=(
        Mistake("restored without recreating the label", (SEED, BACKUP, ACCIDENT, RESTORE), "created on the fly",
                hint=("lab-precious holds the data but no label: `docker run -v` created it on the fly. Remove it "
                      "(`docker volume rm lab-precious`), create it with `docker volume create --label "
                      "course=docker-volumes lab-precious`, then restore the archive again.")),
        Mistake("recreated but never restored", (SEED, BACKUP, ACCIDENT, RECREATE),
                "There is no invoices.txt in volume lab-precious",
                hint=("lab-precious is back, but empty. Restore the archive into it: `docker run --rm -v "
                      'lab-precious:/data -v "$WORKSPACE/rescue":/backup:ro busybox:1.36 tar xzf '
                      "/backup/precious.tar.gz -C /data`.")),
    ),
)

RUN_GUARDED = (f"docker run --name lab-guarded --read-only --tmpfs /tmp -v lab-appdata:/data {IMAGE} "
               "sh -c 'echo saved > /data/out.txt && echo scratch > /tmp/x && ! touch /oops'")

READ_ONLY_ROOT = Exercise(
    id="ex36",
    title="Make a write to the wrong place fail loudly",
    part_of=LESSON,
    goal=("Run lab-guarded with --read-only, a tmpfs at /tmp and the volume lab-appdata at /data, with the command "
          "sh -c 'echo saved > /data/out.txt && echo scratch > /tmp/x && ! touch /oops'. Leave it stopped."),
    owns=Owned(containers=("lab-guarded",), volumes=("lab-appdata",)),
    checks=(
        container_exists("lab-guarded", how=f"Run `{RUN_GUARDED}`."),
        container_read_only_root("lab-guarded"),
        has_mount("lab-guarded", "/data", "volume", "lab-appdata", flag="-v lab-appdata:/data"),
        has_mount("lab-guarded", "/tmp", "tmpfs", flag="--tmpfs /tmp"),
        container_finished("lab-guarded"),
        volume_exists("lab-appdata"),
        volume_file("lab-appdata", "out.txt", contains="saved", next_step=f"Run `{RUN_GUARDED}`."),
    ),
    hints=("--read-only makes everything outside the container's mounts read-only.",
           "Programs still need somewhere to scribble: give them a tmpfs at /tmp.", RUN_GUARDED),
    solution=(RUN_GUARDED,),
    mistakes=(
        Mistake("writable root", (f"docker run --name lab-guarded --tmpfs /tmp -v lab-appdata:/data {IMAGE} "
                                  "sh -c 'echo saved > /data/out.txt && echo scratch > /tmp/x && ! touch /oops'",),
                "root filesystem is writable",
                hint=("lab-guarded's root filesystem is writable, so `touch /oops` quietly succeeds. Remove it "
                      "(`docker rm lab-guarded`) and run it again with --read-only.")),
        Mistake("no tmpfs for /tmp", (f"docker run --name lab-guarded --read-only -v lab-appdata:/data {IMAGE} "
                                      "sh -c 'echo saved > /data/out.txt && echo scratch > /tmp/x && ! touch /oops'",),
                "has nothing mounted at /tmp",
                hint=("With --read-only, /tmp is read-only too, so the scratch write fails. Remove lab-guarded "
                      "(`docker rm lab-guarded`) and run it again with `--tmpfs /tmp` as well.")),
    ),
)

EXERCISES = (RECOVER, READ_ONLY_ROOT)
