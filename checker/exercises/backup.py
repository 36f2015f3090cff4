"""Lesson 9: backing up a volume to an archive, restoring it, and cloning a volume."""
from checker.grading.archive_checks import host_archive
from checker.grading.checks import volume_exists, volume_file
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=9, slug="backup-restore", title="Backup and restore",
    summary="back a volume up to an archive, restore it, clone it, and keep backups consistent.")
IMAGE = "busybox:1.36"
SEED = (f"docker run --rm -v lab-important:/data {IMAGE} sh -c "
        "'mkdir -p /data/photos && echo \"the only copy\" > /data/notes.txt && echo meow > /data/photos/cat.txt'")
BACKUP = (f'docker run --rm -v lab-important:/data:ro -v "$WORKSPACE/backups":/backup {IMAGE} '
          "tar czf /backup/lab-important.tar.gz -C /data .")
ARCHIVE = "$WORKSPACE/backups/lab-important.tar.gz"

BACK_UP = Exercise(
    id="ex23",
    title="Back up a volume to an archive on the host",
    part_of=LESSON,
    goal=("Fill a volume lab-important with notes.txt ('the only copy') and photos/cat.txt ('meow'). Back it up to "
          "backups/lab-important.tar.gz in your workspace with a throwaway container that mounts the volume "
          "read-only, with paths in the archive relative to the volume's root."),
    owns=Owned(volumes=("lab-important",), host_paths=("backups",)),
    checks=(
        volume_exists("lab-important"),
        volume_file("lab-important", "notes.txt", lines=("the only copy",), next_step=f"Fill the volume: `{SEED}`."),
        volume_file("lab-important", "photos/cat.txt", lines=("meow",), next_step=f"Fill the volume: `{SEED}`."),
        host_archive(ARCHIVE, ("notes.txt", "photos/cat.txt"), next_step=f"Run `{BACKUP}`.",
                     holding={"notes.txt": "the only copy", "photos/cat.txt": "meow"}),
    ),
    hints=(
        "Mount the volume (read-only is enough) and a host folder, and run tar in a throwaway container.",
        "tar's -C /data . archives the contents of /data with paths relative to it.",
        f"{SEED}; {BACKUP}",
    ),
    solution=(SEED, BACKUP),
    mistakes=(
        Mistake("absolute paths in the archive", (
            SEED, f'docker run --rm -v lab-important:/data:ro -v "$WORKSPACE/backups":/backup {IMAGE} '
                  "tar czf /backup/lab-important.tar.gz /data"), "stores the files under data/",
                hint=("The archive stores data/notes.txt, not notes.txt: `tar czf … /data` keeps the folder's name."
                      " Make it again with `tar czf /backup/lab-important.tar.gz -C /data .`, so that paths start "
                      "at the volume's root.")),
        Mistake("plain tar named .tar.gz", (
            SEED, f'docker run --rm -v lab-important:/data:ro -v "$WORKSPACE/backups":/backup {IMAGE} '
                  "tar cf /backup/lab-important.tar.gz -C /data ."), "is a plain, uncompressed tar archive",
                hint=("tar cf writes an uncompressed archive, whatever its name: make it again with tar's z option, "
                      f"`{BACKUP}`.")),
        Mistake("backed up an empty volume", (
            "docker volume create lab-important", BACKUP), "There is no notes.txt in volume lab-important",
                hint=("lab-important is empty, so the archive made from it is empty too. Fill the volume first "
                      "(notes.txt, and photos/cat.txt), then run the backup container again: it overwrites the "
                      "archive.")),
    ),
)

RESTORE = (f'docker run --rm -v lab-restored:/data -v "$WORKSPACE/backups":/backup:ro {IMAGE} '
           "tar xzf /backup/lab-important.tar.gz -C /data")

RESTORE_IT = Exercise(
    id="ex24",
    title="Restore the archive into a new volume",
    part_of=LESSON,
    goal="Restore backups/lab-important.tar.gz into a new volume lab-restored, so that its root holds notes.txt "
         "and photos/cat.txt.",
    owns=Owned(volumes=("lab-restored",)),
    builds_on=("ex23",),
    checks=(
        volume_exists("lab-restored"),
        volume_file("lab-restored", "notes.txt", lines=("the only copy",), next_step=f"Run `{RESTORE}`."),
        volume_file("lab-restored", "photos/cat.txt", lines=("meow",), next_step=f"Run `{RESTORE}`."),
    ),
    hints=("tar's -C FOLDER, when extracting, says where the files go.", RESTORE),
    solution=(RESTORE,),
    mistakes=(
        Mistake("extracted outside the volume", (
            f'docker run --rm -v lab-restored:/data -v "$WORKSPACE/backups":/backup:ro {IMAGE} '
            "tar xzf /backup/lab-important.tar.gz",), "There is no notes.txt in volume lab-restored",
                hint=("lab-restored holds no notes.txt. Most likely tar unpacked into the container's working "
                      "folder, not into the volume. Run the restore again with -C: `tar xzf "
                      "/backup/lab-important.tar.gz -C /data`.")),
    ),
)

CREATE_CLONE = "docker volume create --label course=docker-volumes lab-clone"
CLONE = f"docker run --rm -v lab-important:/from:ro -v lab-clone:/to {IMAGE} cp -a /from/. /to/"

CLONE_IT = Exercise(
    id="ex25",
    title="Clone a volume without an archive",
    part_of=LESSON,
    goal=("Create a volume lab-clone labelled course=docker-volumes and copy everything in lab-important into it "
          "with one container that mounts both, the source read-only."),
    owns=Owned(volumes=("lab-clone",)),
    builds_on=("ex23",),
    checks=(
        volume_exists("lab-clone", labels={"course": "docker-volumes"}),
        volume_file("lab-clone", "notes.txt", lines=("the only copy",), next_step=f"Run `{CLONE}`."),
        volume_file("lab-clone", "photos/cat.txt", lines=("meow",), next_step=f"Run `{CLONE}`."),
    ),
    hints=("cp -a SOURCE/. TARGET/ copies a folder's contents, keeping owners, modes and times.",
           f"{CREATE_CLONE}; {CLONE}"),
    solution=(CREATE_CLONE, CLONE),
    mistakes=(
        Mistake("copied the folder, not its contents", (
            CREATE_CLONE, f"docker run --rm -v lab-important:/from:ro -v lab-clone:/to {IMAGE} cp -a /from /to/"),
            "There is no notes.txt in volume lab-clone",
                hint=("lab-clone holds no notes.txt at its root. If you ran `cp -a /from /to/`, it copied the "
                      "folder itself (lab-clone now holds from/notes.txt). Clear it (`docker run --rm -v "
                      "lab-clone:/to busybox:1.36 rm -rf /to/from`) and copy the contents: `cp -a /from/. /to/`.")),
        Mistake("no label", (f"docker run --rm -v lab-important:/from:ro -v lab-clone:/to {IMAGE} cp -a /from/. /to/",),
                "created on the fly",
                hint=("lab-clone has no label: `docker run -v lab-clone:…` created it on the fly. Remove it "
                      "(`docker volume rm lab-clone`), create it with `docker volume create --label "
                      "course=docker-volumes lab-clone`, then copy again.")),
    ),
)

EXERCISES = (BACK_UP, RESTORE_IT, CLONE_IT)
