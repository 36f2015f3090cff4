"""Lesson 1: containers are ephemeral (the writable layer, copy-on-write, docker diff)."""
from ..checks import container_exists, container_file, container_finished, layer_change
from ..exercise import Exercise, Mistake, Owned
from ..lesson import Lesson

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
        container_finished("lab-scratch"),
        layer_change("lab-scratch", "/notes.txt", 1, next_step=(
            "The command must create /notes.txt at the root of the container's filesystem; check the path, then "
            "`docker rm lab-scratch` and run it again.")),
        container_file("lab-scratch", "/notes.txt", contains="hello from the writable layer", next_step=(
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
                                    "'echo hello from the writable layer > /notes.txt; sleep 600'",),
                "lab-scratch is still running"),
        Mistake("wrote to another path", (f"docker run --name lab-scratch {IMAGE} sh -c "
                                          "'echo hello from the writable layer > /tmp/notes.txt'",),
                "docker diff lab-scratch does not list /notes.txt"),
        Mistake("wrote other words", (f"docker run --name lab-scratch {IMAGE} sh -c 'echo hello > /notes.txt'",),
                "does not contain 'hello from the writable layer'"),
        Mistake("command failed", (f"docker run --name lab-scratch {IMAGE} sh -c "
                                   "'echo hello from the writable layer > /no/such/dir/notes.txt'",),
                "exited with code"),
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
                "does not contain 'root:x:0:0:'"),
        Mistake("wrote a new file instead", (f"docker run --name lab-cow {IMAGE} sh -c "
                                             "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd.new'",),
                "docker diff lab-cow does not list /etc/passwd"),
        Mistake("left it running", (f"docker run -d --name lab-cow {IMAGE} sh -c "
                                    "'echo learner:x:1000:1000:learner:/home:/bin/sh >> /etc/passwd; sleep 600'",),
                "lab-cow is still running"),
    ),
)

EXERCISES = (WRITABLE_LAYER, COPY_ON_WRITE)
