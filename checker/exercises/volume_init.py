"""Lesson 4: volume initialisation from image content, and what a bind mount does instead."""
from checker.grading.checks import (container_exists, container_file, container_finished, container_image,
                                    container_stopped, has_mount, host_file_absent, volume_exists, volume_file,
                                    volume_file_older_than)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=4, slug="volume-init", title="How a new volume gets its first files",
    summary="how an empty volume is filled from the image, and why a bind mount hides the image's files instead.")
IMAGE = "lab-web:1"
BUILD = ("printf 'FROM busybox:1.36\\nRUN mkdir -p /srv/www && echo \"welcome from the image\" > /srv/www/index.html\\n' "
         "| docker build -q -t lab-web:1 -")
RUN_INIT = f"docker run --name lab-web-init -v lab-www:/srv/www {IMAGE} ls -l /srv/www"

FILLED_FROM_IMAGE = Exercise(
    id="ex8",
    title="An empty volume is filled from the image",
    part_of=LESSON,
    goal=("Build lab-web:1, whose /srv/www/index.html says 'welcome from the image'. Run lab-web-init from it with a "
          "new, empty volume lab-www mounted at /srv/www, listing /srv/www. Leave it stopped."),
    owns=Owned(containers=("lab-web-init",), volumes=("lab-www",), images=(IMAGE,)),
    checks=(
        container_exists("lab-web-init", how=f"Build the image (`{BUILD}`), then run `{RUN_INIT}`."),
        container_image("lab-web-init", IMAGE),
        has_mount("lab-web-init", "/srv/www", "volume", "lab-www", flag="-v lab-www:/srv/www"),
        volume_exists("lab-www"),
        volume_file("lab-www", "index.html", contains="welcome from the image", next_step=(
            "The engine copies the image's files only into an EMPTY volume on its first mount. "
            "`docker rm lab-web-init`, `docker volume rm lab-www`, then run lab-web-init again.")),
        container_stopped("lab-web-init"),
    ),
    hints=(
        "Build the image from a Dockerfile on standard input: `docker build -t lab-web:1 -`.",
        "Mount a volume that does not exist yet: the engine creates it empty, then fills it from the image.",
        f"{BUILD}; {RUN_INIT}",
    ),
    solution=(BUILD, RUN_INIT),
    mistakes=(
        Mistake("left it running", (BUILD, f"docker run -d --name lab-web-init -v lab-www:/srv/www {IMAGE} "
                                           "sh -c 'ls -l /srv/www; sleep 600'"),
                "lab-web-init is still running",
                hint=("lab-web-init is still running; the task leaves it stopped. Stop it (`docker stop "
                      "lab-web-init`): the volume keeps what the image put in it.")),
        Mistake("used the base image", (BUILD, "docker run --name lab-web-init -v lab-www:/srv/www busybox:1.36 "
                                               "ls /srv/www"), "was created from busybox:1.36, not lab-web:1",
                hint=("lab-web-init runs busybox:1.36, which has no /srv/www/index.html to copy into the volume. "
                      "Remove it and its volume (`docker rm lab-web-init`, `docker volume rm lab-www`) and run it "
                      "again from lab-web:1.")),
        Mistake("wrong mount path", (BUILD, f"docker run --name lab-web-init -v lab-www:/srv/web {IMAGE} ls /srv"),
                "mounts volume lab-www at /srv/web, not at /srv/www",
                hint=("lab-web-init mounts lab-www at /srv/web, where the image has nothing, so nothing was copied."
                      " Remove both (`docker rm lab-web-init`, `docker volume rm lab-www`) and run it again with "
                      "`-v lab-www:/srv/www`.")),
        Mistake("bind mount instead", (BUILD, 'mkdir -p "$WORKSPACE/www"',
                                       f'docker run --name lab-web-init -v "$WORKSPACE/www":/srv/www {IMAGE} ls /srv/www'),
                "is a bind mount of the host folder",
                hint=("/srv/www is a host folder: a bind mount hides the image's files and copies nothing. Remove "
                      "lab-web-init (`docker rm lab-web-init`) and run it again with the volume's name: `-v "
                      "lab-www:/srv/www`.")),
        Mistake("volume was not empty", (
            BUILD, "docker run --rm -v lab-www:/srv/www busybox:1.36 sh -c 'echo mine > /srv/www/other.txt'", RUN_INIT),
            "There is no index.html in volume lab-www",
                hint=("lab-www holds no index.html. Most likely it already held a file when lab-web-init mounted "
                      "it, and Docker copies the image's files only into an empty volume. Remove both (`docker rm "
                      "lab-web-init`, `docker volume rm lab-www`) and let lab-web-init be the first to use a new "
                      "lab-www.")),
    ),
)

RUN_BIND = ('docker run --name lab-web-bind -v "$WORKSPACE/empty-www":/srv/www lab-web:1 '
            "sh -c 'ls -A /srv/www | wc -l > /count.txt'")

BIND_HIDES = Exercise(
    id="ex9",
    title="A bind mount hides the image's content",
    part_of=LESSON,
    goal=("Make an empty folder empty-www in your workspace. Run lab-web-bind from lab-web:1 with that folder "
          "bind-mounted at /srv/www and the command sh -c 'ls -A /srv/www | wc -l > /count.txt'. Leave it stopped."),
    owns=Owned(containers=("lab-web-bind",), host_paths=("empty-www",)),
    builds_on=("ex8",),
    checks=(
        container_exists("lab-web-bind", how=f'Run `mkdir -p "$WORKSPACE/empty-www"`, then `{RUN_BIND}`.'),
        container_image("lab-web-bind", IMAGE),
        has_mount("lab-web-bind", "/srv/www", "bind", "$WORKSPACE/empty-www",
                  flag='-v "$WORKSPACE/empty-www":/srv/www'),
        container_finished("lab-web-bind"),
        container_file("lab-web-bind", "/count.txt", lines=("0",), next_step=(
            "The command counts the entries it sees at /srv/www: with a bind mount of an empty folder it is 0.")),
        host_file_absent("$WORKSPACE/empty-www/index.html", why="A bind mount is never filled from the image."),
    ),
    hints=(
        "Your workspace folder is in $WORKSPACE (in the lab) or ~/docker-volumes-lab.",
        "A host path in -v must be absolute: -v \"$WORKSPACE/empty-www\":/srv/www.",
        f'mkdir -p "$WORKSPACE/empty-www"; {RUN_BIND}',
    ),
    solution=('mkdir -p "$WORKSPACE/empty-www"', RUN_BIND),
    mistakes=(
        Mistake("volume instead of bind", (
            "docker run --name lab-web-bind -v lab-www:/srv/www lab-web:1 sh -c 'ls -A /srv/www | wc -l > /count.txt'",),
            "is volume lab-www, not a bind mount",
                hint=("lab-web-bind mounts the volume lab-www, not a host folder. Remove it (`docker rm "
                      "lab-web-bind`) and run it again with an absolute host path: `-v "
                      '"$WORKSPACE/empty-www":/srv/www`.')),
        Mistake("bound another folder", (
            'mkdir -p "$WORKSPACE/other"', 'docker run --name lab-web-bind -v "$WORKSPACE/other":/srv/www lab-web:1 '
            "sh -c 'ls -A /srv/www | wc -l > /count.txt'"), "/srv/www is bound to",
                hint=("/srv/www is bound to another host folder than empty-www in your workspace. Remove "
                      "lab-web-bind (`docker rm lab-web-bind`) and run it again with `-v "
                      '"$WORKSPACE/empty-www":/srv/www`.')),
    ),
)

CHANGE = "docker run --rm -v lab-www-mine:/srv/www busybox:1.36 sh -c 'echo changed by me > /srv/www/index.html'"
RUN_AGAIN = f"docker run --name lab-web-again -v lab-www-mine:/srv/www {IMAGE} cat /srv/www/index.html"

NOT_REFILLED = Exercise(
    id="ex10",
    title="A volume that holds data is never refilled",
    part_of=LESSON,
    goal=("Put your own index.html, the single line 'changed by me', into a new volume lab-www-mine. Then run "
          "lab-web-again from lab-web:1 with lab-www-mine at /srv/www, printing index.html. The image's page must "
          "not appear."),
    owns=Owned(containers=("lab-web-again",), volumes=("lab-www-mine",)),
    builds_on=("ex8",),
    checks=(
        container_exists("lab-web-again", how=f"Run `{CHANGE}`, then `{RUN_AGAIN}`."),
        container_image("lab-web-again", IMAGE),
        has_mount("lab-web-again", "/srv/www", "volume", "lab-www-mine", flag="-v lab-www-mine:/srv/www"),
        volume_exists("lab-www-mine"),
        volume_file("lab-www-mine", "index.html", lines=("changed by me",), next_step=(
            f"Write your page into the volume before any container of lab-web:1 mounts it: `docker rm lab-web-again`, "
            f"`docker volume rm lab-www-mine`, `{CHANGE}`, then `{RUN_AGAIN}`.")),
        volume_file_older_than("lab-www-mine", "index.html", "lab-web-again", message=(
            "index.html in lab-www-mine was written after lab-web-again was created: the task puts your page in "
            "first, so that lab-web-again meets a volume that already holds data."), next_step=(
            f"Start over in the task's order: `docker rm lab-web-again`, `docker volume rm lab-www-mine`, "
            f"`{CHANGE}`, then `{RUN_AGAIN}`.")),
    ),
    hints=(
        "Any container that mounts lab-www-mine can write the file; busybox:1.36 will do.",
        "The order matters: the volume must hold data before lab-web:1 first mounts it.",
        f"{CHANGE}; {RUN_AGAIN}",
    ),
    solution=(CHANGE, RUN_AGAIN),
    mistakes=(
        Mistake("seeded first, then appended", (
            RUN_AGAIN, "docker run --rm -v lab-www-mine:/srv/www busybox:1.36 "
                       "sh -c 'echo changed by me >> /srv/www/index.html'"), "does not hold the expected lines",
                hint=("index.html holds more than your line: lab-web-again met an empty volume, so Docker copied "
                      "the image's page in, and your line came after it. Start over: `docker rm lab-web-again`, "
                      "`docker volume rm lab-www-mine`, write your index.html into the new volume first (with >), "
                      "then run lab-web-again.")),
        Mistake("wrote the page afterwards", (RUN_AGAIN, CHANGE),
                "was written after lab-web-again was created",
                hint=("Your page went in after lab-web-again had already met the empty volume (and Docker had "
                      "copied the image's page in), so this shows nothing about a volume that holds data. Start "
                      "over: `docker rm lab-web-again`, `docker volume rm lab-www-mine`, write your index.html "
                      "into the new volume first, then run lab-web-again.")),
        Mistake("forgot the volume", (CHANGE, f"docker run --name lab-web-again {IMAGE} cat /srv/www/index.html"),
                "lab-web-again has no mounts at all",
                hint=("lab-web-again has no mounts, so it printed the image's own page. Remove it (`docker rm "
                      "lab-web-again`) and run it again with `-v lab-www-mine:/srv/www`.")),
    ),
)

EXERCISES = (FILLED_FROM_IMAGE, BIND_HIDES, NOT_REFILLED)
