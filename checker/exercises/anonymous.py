"""Lesson 5: anonymous volumes: where they come from, why they pile up, naming and rescuing them."""
from checker.grading.checks import (container_absent, container_exists, container_image, container_stopped,
                                    copied_from_anonymous_gone, file_in_mount, has_mount, volume_exists, volume_file)
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=5, slug="anonymous-volumes", title="Anonymous volumes",
    summary="where nameless volumes come from, why they pile up, and how to name or rescue them.")
IMAGE = "lab-cache-app:1"
BUILD = "printf 'FROM busybox:1.36\\nVOLUME /cache\\n' | docker build -q -t lab-cache-app:1 -"
RUN_ANON = f"docker run --name lab-anon {IMAGE} sh -c 'echo cached once > /cache/hit.txt'"

FROM_VOLUME_INSTRUCTION = Exercise(
    id="ex11",
    title="Where anonymous volumes come from",
    part_of=LESSON,
    goal=("Build lab-cache-app:1, whose Dockerfile declares VOLUME /cache. Run lab-anon from it with no -v at all, "
          "writing 'cached once' to /cache/hit.txt. Leave it stopped."),
    owns=Owned(containers=("lab-anon",), images=(IMAGE,)),
    checks=(
        container_exists("lab-anon", how=f"Build the image (`{BUILD}`), then run `{RUN_ANON}`."),
        container_image("lab-anon", IMAGE),
        has_mount("lab-anon", "/cache", "volume", anonymous=True),
        file_in_mount("lab-anon", "/cache", "hit.txt", contains="cached once", next_step=(
            f"Write the file under /cache: `docker rm lab-anon`, then `{RUN_ANON}`.")),
        container_stopped("lab-anon"),
    ),
    hints=(
        "A Dockerfile's VOLUME line makes the engine mount a fresh anonymous volume there in every new container.",
        "`docker inspect lab-anon --format '{{json .Mounts}}'` shows the volume's 64-digit name.",
        f"{BUILD}; {RUN_ANON}",
    ),
    solution=(BUILD, RUN_ANON),
    mistakes=(
        Mistake("named the volume", (BUILD, f"docker run --name lab-anon -v lab-cache:/cache {IMAGE} "
                                            "sh -c 'echo cached once > /cache/hit.txt'"),
                "holds the named volume lab-cache",
                hint=("`-v lab-cache:/cache` gave the image's volume a name; this exercise is about the anonymous "
                      "volume Docker makes when you give none. Remove lab-anon (`docker rm lab-anon`) and run it "
                      "again from lab-cache-app:1 with no -v at all.")),
        Mistake("left it running", (BUILD, f"docker run -d --name lab-anon {IMAGE} sh -c "
                                           "'echo cached once > /cache/hit.txt; sleep 600'",
                                    # `run -d` answers before the file is written: wait for it, as a learner would
                                    "docker exec lab-anon sh -c 'until [ -s /cache/hit.txt ]; do sleep 0.1; done'"),
                "lab-anon is still running",
                hint=("lab-anon is still running; the task leaves it stopped. Stop it (`docker stop lab-anon`): its "
                      "anonymous volume, and the file in it, stay.")),
        Mistake("used the base image", (BUILD, "docker run --name lab-anon busybox:1.36 sh -c "
                                               "'mkdir /cache; echo cached once > /cache/hit.txt'"),
                "was created from busybox:1.36, not lab-cache-app:1",
                hint=("lab-anon runs busybox:1.36, which declares no VOLUME, so no anonymous volume was made. "
                      "Remove it (`docker rm lab-anon`) and run it again from lab-cache-app:1.")),
    ),
)

RUN_NAMED = f"docker run --name lab-named-cache -v lab-cache:/cache {IMAGE} sh -c 'echo kept by name > /cache/hit.txt'"

NAME_IT = Exercise(
    id="ex12",
    title="Give the image's volume a name",
    part_of=LESSON,
    goal=("Run lab-named-cache from lab-cache-app:1 with the volume the image declares given a name: lab-cache at "
          "/cache. Write 'kept by name' to /cache/hit.txt."),
    owns=Owned(containers=("lab-named-cache",), volumes=("lab-cache",)),
    builds_on=("ex11",),
    checks=(
        container_exists("lab-named-cache", how=f"Run `{RUN_NAMED}`."),
        container_image("lab-named-cache", IMAGE),
        has_mount("lab-named-cache", "/cache", "volume", "lab-cache", flag="-v lab-cache:/cache"),
        volume_exists("lab-cache"),
        volume_file("lab-cache", "hit.txt", lines=("kept by name",), next_step=f"Run `{RUN_NAMED}`."),
    ),
    hints=(
        "A -v for the same path as the image's VOLUME replaces the anonymous volume with yours.",
        f"{RUN_NAMED}",
    ),
    solution=(RUN_NAMED,),
    mistakes=(
        Mistake("no name", (f"docker run --name lab-named-cache {IMAGE} sh -c 'echo kept by name > /cache/hit.txt'",),
                "is an anonymous volume",
                hint=("/cache is the anonymous volume that the image's VOLUME line makes when you name none. Remove"
                      " lab-named-cache with that volume (`docker rm -v lab-named-cache`) and run it again with `-v"
                      " lab-cache:/cache`.")),
        Mistake("used the base image", ("docker run --name lab-named-cache -v lab-cache:/cache busybox:1.36 "
                                        "sh -c 'echo kept by name > /cache/hit.txt'",),
                "was created from busybox:1.36, not lab-cache-app:1",
                hint=("lab-named-cache runs busybox:1.36; the point is to name the volume that lab-cache-app:1 "
                      "declares. Remove it (`docker rm lab-named-cache`) and run it again from lab-cache-app:1 with "
                      "`-v lab-cache:/cache`.")),
        Mistake("bind mount", ('mkdir -p "$WORKSPACE/cache"',
                               f'docker run --name lab-named-cache -v "$WORKSPACE/cache":/cache {IMAGE} '
                               "sh -c 'echo kept by name > /cache/hit.txt'"), "is a bind mount of the host folder",
                hint=("/cache is a host folder: a source that starts with / is a host path. Remove lab-named-cache "
                      "(`docker rm lab-named-cache`) and run it again with the volume's name: `-v "
                      "lab-cache:/cache`.")),
    ),
)

RUN_FORGOT = f"docker run --name lab-forgot {IMAGE} sh -c 'echo precious > /cache/data.txt'"
RESCUE = "docker run --rm --volumes-from lab-forgot -v lab-rescued:/rescue busybox:1.36 cp -a /cache/. /rescue/"

RESCUE_DATA = Exercise(
    id="ex13",
    title="Rescue data from an anonymous volume",
    part_of=LESSON,
    goal=("lab-forgot (from lab-cache-app:1) wrote 'precious' to /cache/data.txt, in an anonymous volume. Copy "
          "/cache into a new named volume lab-rescued with a throwaway container using --volumes-from lab-forgot, "
          "then remove lab-forgot together with its anonymous volume."),
    owns=Owned(containers=("lab-forgot",), volumes=("lab-rescued",)),
    builds_on=("ex11",),
    checks=(
        volume_exists("lab-rescued"),
        volume_file("lab-rescued", "data.txt", contains="precious", next_step=(
            f"Copy before you remove: `{RESCUE}`. If lab-forgot is gone, its data is gone: run `{RUN_FORGOT}` "
            "and try again.")),
        container_absent("lab-forgot", why="Once the data is safe, remove it with its anonymous volume: "
                                           "`docker rm -v lab-forgot`."),
        copied_from_anonymous_gone("lab-rescued", "data.txt", why=(
            "`docker rm` without -v removes the container but leaves its anonymous volumes behind."), next_step=(
            "Remove that volume by the name shown: `docker volume rm NAME` (`docker volume ls -f dangling=true` "
            "lists the volumes no container uses).")),
    ),
    hints=(
        "--volumes-from CONTAINER mounts every volume of CONTAINER at the same paths.",
        "cp -a /cache/. /rescue/ copies the contents, with owners and modes.",
        f"{RUN_FORGOT}; {RESCUE}; docker rm -v lab-forgot",
    ),
    solution=(RUN_FORGOT, RESCUE, "docker rm -v lab-forgot"),
    mistakes=(
        Mistake("removed before copying", (RUN_FORGOT, "docker rm -v lab-forgot", "docker volume create lab-rescued"),
                "There is no data.txt in volume lab-rescued",
                hint=("lab-rescued is empty: `docker rm -v lab-forgot` took the anonymous volume with the data "
                      "before anything copied it. Run lab-forgot again from lab-cache-app:1 writing 'precious' to "
                      "/cache/data.txt, copy first (`docker run --rm --volumes-from lab-forgot -v "
                      "lab-rescued:/rescue busybox:1.36 cp -a /cache/. /rescue/`), and only then `docker rm -v "
                      "lab-forgot`.")),
        Mistake("removed without -v", (RUN_FORGOT, RESCUE, "docker rm lab-forgot"), "still holds the data.txt",
                hint=("lab-forgot is gone, but `docker rm` without -v left its anonymous volume, data and all. "
                      "Remove it by the name the check shows: `docker volume rm NAME` (`docker volume ls -f "
                      "dangling=true` lists the volumes no container uses).")),
        Mistake("kept the container", (RUN_FORGOT, RESCUE), "Container lab-forgot still exists",
                hint=("The data is safe in lab-rescued; now remove lab-forgot together with its anonymous volume: "
                      "`docker rm -v lab-forgot`.")),
    ),
)

EXERCISES = (FROM_VOLUME_INSTRUCTION, NAME_IT, RESCUE_DATA)
