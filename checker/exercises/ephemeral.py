"""Lesson 1: containers are ephemeral (the writable layer, copy-on-write, docker diff)."""
from checker.grading.checks import (container_exists, container_file, container_finished, container_image, has_mount, layer_change,
                      layer_lacks, no_mount_at, volume_exists, volume_file, volume_file_older_than)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=1, slug="ephemeral", title="Containers are ephemeral",
    summary="image layers, the writable layer, copy-on-write, and why data written in a container dies with it.")
IMAGE = "busybox:1.36"

WRITABLE_LAYER = Exercise(
    id="ex1",
    title="Write into a container's writable layer",
    part_of=LESSON,
    goal=(f"Run a container named lab-scratch from {IMAGE} whose command writes the line "
          "'hello from the writable layer' to /notes.txt and exits. Do not remove it."),
    owns=Owned(containers=("lab-scratch",)),
    checks=(
        container_exists("lab-scratch", how=(
            f"Run `docker run --name lab-scratch {IMAGE} sh -c 'echo hello from the writable layer > /notes.txt'` "
            "(without --rm: --rm deletes the container, and its layer, the moment it exits).")),
        container_image("lab-scratch", IMAGE),
        container_finished("lab-scratch"),
        layer_change("lab-scratch", "/notes.txt", 1, next_step=(
            "The command must create /notes.txt at the root of the container's filesystem; check the path, then "
            "`docker rm lab-scratch` and run it again.")),
        container_file("lab-scratch", "/notes.txt", lines=("hello from the writable layer",), next_step=(
            "Write exactly that line: `docker rm lab-scratch`, then run the container again.")),
    ),
    hints=(
        "Give the container a name with --name, and a command with sh -c '…' after the image name.",
        "Don't use --rm or -d: you want the container to run its command, exit, and stay around.",
        f"docker run --name lab-scratch {IMAGE} sh -c 'echo hello from the writable layer > /notes.txt'",
    ),
    solution=(f"docker run --name lab-scratch {IMAGE} sh -c 'echo hello from the writable layer > /notes.txt'",),
    mistakes=(
        Mistake("left it running", (f"docker run -d --name lab-scratch {IMAGE} sh -c "
                                    "'echo hello from the writable layer > /notes.txt; sleep 600'",
                                    # `run -d` answers before the file is written: wait for it, as a learner would
                                    "docker exec lab-scratch sh -c 'until [ -s /notes.txt ]; do sleep 0.1; done'"),
                "lab-scratch is still running",
                hint=("lab-scratch is still running: its command has not ended yet. Remove it (`docker rm -f "
                      "lab-scratch`) and run it again in the foreground (no -d), with a command that ends right "
                      "after the echo.")),
        Mistake("wrote to another path", (f"docker run --name lab-scratch {IMAGE} sh -c "
                                          "'echo hello from the writable layer > /tmp/notes.txt'",),
                "docker diff lab-scratch does not list /notes.txt",
                hint=("The line went to another file, so docker diff does not list /notes.txt. Remove lab-scratch "
                      "(`docker rm lab-scratch`) and run it again writing to /notes.txt, at the root of the "
                      "filesystem.")),
        Mistake("wrote other words", (f"docker run --name lab-scratch {IMAGE} sh -c 'echo hello > /notes.txt'",),
                "/notes.txt in container lab-scratch does not hold the expected lines",
                hint=("/notes.txt is there but holds other words. Remove lab-scratch (`docker rm lab-scratch`) and "
                      "run it again with `echo hello from the writable layer > /notes.txt`.")),
        Mistake("command failed", (f"docker run --name lab-scratch {IMAGE} sh -c "
                                   "'echo hello from the writable layer > /no/such/dir/notes.txt'",),
                "exited with code",
                hint=("The command inside lab-scratch failed, for example because a folder in its path does not "
                      "exist. Read `docker logs lab-scratch`, then `docker rm lab-scratch` and run it again writing"
                      " straight to /notes.txt.")),
    ),
)

COPY_ON_WRITE = Exercise(
    id="ex2",
    title="Copy-on-write: change a file that comes from the image",
    part_of=LESSON,
    goal=(f"Run a container named lab-cow from {IMAGE} that appends the line "
          "'learner:x:1000:1000:learner:/home:/bin/sh' to the image's /etc/passwd and exits. Keep the container."),
    owns=Owned(containers=("lab-cow",)),
    checks=(
        container_exists("lab-cow", how=(
            f"Run `docker run --name lab-cow {IMAGE} sh -c "
            "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd'`.")),
        container_image("lab-cow", IMAGE),
        container_finished("lab-cow"),
        layer_change("lab-cow", "/etc/passwd", 0, next_step=(
            "Modify /etc/passwd itself (append with >>); then `docker diff lab-cow` lists it with C.")),
        container_file("lab-cow", "/etc/passwd", contains="learner:x:1000:1000:learner:/home:/bin/sh", next_step=(
            "Append the exact line with >>: `docker rm lab-cow`, then run it again.")),
        container_file("lab-cow", "/etc/passwd", contains="root:x:0:0:", next_step=(
            "The root entry from the image is gone: a single > replaces the file instead of appending to it. "
            "`docker rm lab-cow` and run it again with >>.")),
    ),
    hints=(
        "The shell's >> appends to a file; > replaces it.",
        "After it exits, compare `docker diff lab-cow` with `docker run --rm busybox:1.36 cat /etc/passwd`.",
        f"docker run --name lab-cow {IMAGE} sh -c 'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd'",
    ),
    solution=(f"docker run --name lab-cow {IMAGE} sh -c "
              "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd'",),
    mistakes=(
        Mistake("replaced the file with >", (f"docker run --name lab-cow {IMAGE} sh -c "
                                             "'echo learner:x:1000:1000:learner:/home:/bin/sh > /etc/passwd'",),
                "does not contain 'root:x:0:0:'",
                hint=("A single > replaced /etc/passwd, so root's line is gone. Remove lab-cow (`docker rm "
                      "lab-cow`) and run it again appending with >>: `echo "
                      "learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd`.")),
        Mistake("wrote a new file instead", (f"docker run --name lab-cow {IMAGE} sh -c "
                                             "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd.new'",),
                "docker diff lab-cow does not list /etc/passwd",
                hint=("The line went into a new file, so /etc/passwd itself never changed. Remove lab-cow (`docker "
                      "rm lab-cow`) and append to /etc/passwd itself: copy-on-write then copies the image's file up"
                      " into the container's layer.")),
        Mistake("left it running", (f"docker run -d --name lab-cow {IMAGE} sh -c "
                                    "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd; sleep 600'",
                                    "docker exec lab-cow sh -c 'until grep -q ^learner: /etc/passwd; do sleep 0.1; done'"),
                "lab-cow is still running",
                hint=("lab-cow is still running. Remove it (`docker rm -f lab-cow`) and run it again in the "
                      "foreground (no -d), with nothing after the append.")),
    ),
)

WRITE = "sh -c 'mkdir -p /data && echo my precious data > /data/precious.txt'"
NO_VOLUME = f"docker run --name lab-novol {IMAGE} {WRITE}"
LOOK_NO_VOLUME = f"docker run --name lab-novol {IMAGE} sh -c 'cat /data/precious.txt || echo gone'"
WITH_VOLUME = f"docker run --name lab-withvol -v lab-survives:/data {IMAGE} {WRITE}"
LOOK_WITH_VOLUME = f"docker run --name lab-withvol -v lab-survives:/data {IMAGE} cat /data/precious.txt"

LOST_WITHOUT_VOLUME = Exercise(
    id="ex46",
    title="Data is lost without a volume, and kept with one",
    part_of=LESSON,
    goal=(f"Run lab-novol from {IMAGE} writing 'my precious data' to /data/precious.txt, remove it, and run a new "
          "lab-novol from the same image that looks for the file. Then do the same with lab-withvol, but with the "
          "volume lab-survives at /data in both containers. Leave both second containers in place."),
    owns=Owned(containers=("lab-novol", "lab-withvol"), volumes=("lab-survives",)),
    checks=(
        container_exists("lab-novol", how=f"Run `{NO_VOLUME}`, then `docker rm lab-novol`, then `{LOOK_NO_VOLUME}`."),
        container_image("lab-novol", IMAGE),
        no_mount_at("lab-novol", "/data", why=(
            "This half of the exercise is about a container WITHOUT a volume, whose files live in its own layer.")),
        layer_lacks("lab-novol", "/data", why=(
            "This is still the container that wrote the file: remove it (`docker rm lab-novol`) and run a new "
            f"lab-novol from the same image (`{LOOK_NO_VOLUME}`): the file is not there.")),
        container_exists("lab-withvol", how=(
            f"Run `{WITH_VOLUME}`, then `docker rm lab-withvol`, then `{LOOK_WITH_VOLUME}`.")),
        container_image("lab-withvol", IMAGE),
        has_mount("lab-withvol", "/data", "volume", "lab-survives", flag="-v lab-survives:/data"),
        volume_exists("lab-survives"),
        volume_file("lab-survives", "precious.txt", contains="my precious data", next_step=(
            f"Write the file through the volume: `docker rm lab-withvol`, `{WITH_VOLUME}`, `docker rm lab-withvol`, "
            f"`{LOOK_WITH_VOLUME}`.")),
        volume_file_older_than("lab-survives", "precious.txt", "lab-withvol"),
    ),
    hints=(
        "docker rm deletes a container and its writable layer; a new container from the same image starts clean.",
        "A volume is not part of any container: the second lab-withvol mounts the same lab-survives and finds the file.",
        f"{NO_VOLUME}; docker rm lab-novol; {LOOK_NO_VOLUME}; {WITH_VOLUME}; docker rm lab-withvol; {LOOK_WITH_VOLUME}",
    ),
    solution=(NO_VOLUME, "docker rm lab-novol", LOOK_NO_VOLUME, WITH_VOLUME, "docker rm lab-withvol",
              LOOK_WITH_VOLUME),
    mistakes=(
        Mistake("never replaced lab-novol", (NO_VOLUME,), "sits in lab-novol's writable layer",
                hint=f"Remove lab-novol (`docker rm lab-novol`), then run a new one: `{LOOK_NO_VOLUME}`."),
        Mistake("a volume on lab-novol too", (
            f"docker run --name lab-novol -v lab-survives:/data {IMAGE} {WRITE}", "docker rm lab-novol",
            f"docker run --name lab-novol -v lab-survives:/data {IMAGE} cat /data/precious.txt"),
            "lab-novol has volume lab-survives at /data",
                hint=f"lab-novol shows what happens WITHOUT a volume: `docker rm lab-novol`, then `{NO_VOLUME}`, "
                     f"`docker rm lab-novol`, `{LOOK_NO_VOLUME}`."),
        Mistake("lab-withvol without a volume", (
            NO_VOLUME, "docker rm lab-novol", LOOK_NO_VOLUME, f"docker run --name lab-withvol {IMAGE} {WRITE}",
            "docker rm lab-withvol", f"docker run --name lab-withvol {IMAGE} cat /data/precious.txt"),
            "lab-withvol has no mounts at all",
                hint=f"Give both lab-withvol containers `-v lab-survives:/data`: `docker rm lab-withvol`, then "
                     f"`{WITH_VOLUME}`, `docker rm lab-withvol`, `{LOOK_WITH_VOLUME}`."),
        Mistake("never replaced lab-withvol", (NO_VOLUME, "docker rm lab-novol", LOOK_NO_VOLUME, WITH_VOLUME),
                "lab-withvol wrote precious.txt in lab-survives itself",
                hint=f"Remove lab-withvol and run a new one on the same volume: `docker rm lab-withvol; "
                     f"{LOOK_WITH_VOLUME}`."),
    ),
)

EXERCISES = (WRITABLE_LAYER, COPY_ON_WRITE, LOST_WITHOUT_VOLUME)
