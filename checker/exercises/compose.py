"""Lesson 10: volumes in Docker Compose: project-named volumes, down versus down -v, external volumes."""
from checker.grading.checks import (container_absent, container_exists, container_image, has_mount, host_file,
                                    volume_exists, volume_file)
from checker.grading.compose_checks import was_recreated
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=10, slug="compose-volumes", title="Volumes in Docker Compose",
    summary="project volumes, `down` versus `down -v`, and external volumes in Docker Compose.")
PROJECT_FILE = '"$WORKSPACE/compose/compose.yaml"'
COMPOSE = f"docker compose -f {PROJECT_FILE}"


def project_owns(project: str, folder: str, volumes: tuple[str, ...], extra_volumes: tuple[str, ...] = (),
                 services: tuple[str, ...] = ("app",)) -> Owned:
    """What a Compose project called `project` creates: Compose's names for its containers (PROJECT-SERVICE-1),
    volumes (PROJECT_KEY) and default network, and the folder of its compose.yaml."""
    return Owned(containers=tuple(f"{project}-{s}-1" for s in services),
                 volumes=(*(f"{project}_{v}" for v in volumes), *extra_volumes),
                 networks=(f"{project}_default",), host_paths=(folder,))


def compose_file(folder: str, body: str) -> str:
    """A shell command that writes `body` to $WORKSPACE/FOLDER/compose.yaml."""
    return f'mkdir -p "$WORKSPACE/{folder}" && cat > "$WORKSPACE/{folder}/compose.yaml" <<\'YAML\'\n{body}YAML'


APP = '''name: lab-compose
services:
  app:
    image: busybox:1.36
    command: ["sh", "-c", "echo visit >> /data/visits.txt"]
    volumes:
      - data:/data
volumes:
  data:
    labels:
      course: docker-volumes
'''
WRITE_APP = compose_file("compose", APP)
UP_TWICE = (f"{COMPOSE} up", f"{COMPOSE} up --force-recreate")
COMPOSE_LABELS = {"course": "docker-volumes", "com.docker.compose.project": "lab-compose",
                  "com.docker.compose.volume": "data"}

PROJECT_VOLUME = Exercise(
    id="ex26",
    title="A Compose project with a named volume",
    part_of=LESSON,
    goal=("Write compose/compose.yaml in your workspace for a project named lab-compose: a service app "
          "(busybox:1.36) appending the line 'visit' to /data/visits.txt, with a named volume data (label "
          "course=docker-volumes) at /data. Run docker compose up, then docker compose up --force-recreate."),
    owns=project_owns("lab-compose", "compose", ("data",)),
    checks=(
        container_exists("lab-compose-app-1", how=f"Write the file, then run `{COMPOSE} up`."),
        container_image("lab-compose-app-1", "busybox:1.36"),
        has_mount("lab-compose-app-1", "/data", "volume", "lab-compose_data", redo=(f"Mount the project volume in the service (`- data:/data` under its volumes:), then "
                        f"`{COMPOSE} up --force-recreate`.")),
        volume_exists("lab-compose_data", labels=COMPOSE_LABELS),
        volume_file("lab-compose_data", "visits.txt", lines=("visit", "visit"), next_step=(
            f"Run `{COMPOSE} up` once and `{COMPOSE} up --force-recreate` once: two containers, one after the "
            "other, each adding a line to the same volume.")),
        was_recreated("lab-compose-app-1", next_step=(
            f"Start over with `{COMPOSE} down -v`, then `{COMPOSE} up` and `{COMPOSE} up --force-recreate`: the "
            "second line must come from a new container on the same volume.")),
    ),
    hints=(
        "Compose names a project's volume PROJECT_VOLUME: here lab-compose_data.",
        "A top-level volumes: entry declares the volume; the service's volumes: list mounts it as data:/data.",
        f"{COMPOSE} up; {COMPOSE} up --force-recreate",
    ),
    solution=(WRITE_APP, *UP_TWICE),
    mistakes=(
        Mistake("bind mount instead of a volume", (
            compose_file("compose", APP.replace("      - data:/data", "      - ./data:/data")), *UP_TWICE),
            "is a bind mount of the host folder",
                hint=("`./data:/data` mounts a host folder next to compose.yaml. Mount the project volume instead: "
                      "`- data:/data` under the service's volumes:, with data: declared under the top-level "
                      "volumes:; then run `up` and `up --force-recreate` again.")),
        Mistake("ran it once", (WRITE_APP, f"{COMPOSE} up"), "does not hold the expected lines",
                hint=("visits.txt must hold exactly two 'visit' lines: one from `up`, one from `up "
                      '--force-recreate`. With one line, run `docker compose -f "$WORKSPACE/compose/compose.yaml" '
                      "up --force-recreate`; with more, start over with `down -v`, then `up` and `up "
                      "--force-recreate`.")),
        Mistake("up twice, no recreate", (WRITE_APP, f"{COMPOSE} up", f"{COMPOSE} up"),
                "not one that Compose recreated",
                hint=("A second plain `up` only started the same container again. Start over with `docker compose "
                      '-f "$WORKSPACE/compose/compose.yaml" down -v`, then `up` and `up --force-recreate`, so that '
                      "a new container finds the first one's line.")),
        Mistake("no label", (compose_file("compose", APP.replace(
            "    labels:\n      course: docker-volumes\n", "")), *UP_TWICE), "lacks the label course=docker-volumes",
                hint=("lab-compose_data lacks the label, and a volume's labels are fixed when it is created. Add "
                      "`labels:` with `course: docker-volumes` under data: in the top-level volumes:, then `docker "
                      'compose -f "$WORKSPACE/compose/compose.yaml" down -v`, `up` and `up --force-recreate`.')),
    ),
)

DOWN_PROJECT = APP.replace("name: lab-compose", "name: lab-compose-down")
DOWN_COMPOSE = 'docker compose -f "$WORKSPACE/compose-down/compose.yaml"'

DOWN_KEEPS = Exercise(
    id="ex27",
    title="docker compose down keeps named volumes",
    part_of=LESSON,
    goal=("Copy your compose.yaml to compose-down/compose.yaml with the project renamed lab-compose-down. Run "
          "docker compose up, then docker compose down (without -v). The project's volume must survive."),
    owns=project_owns("lab-compose-down", "compose-down", ("data",)),
    checks=(
        host_file("$WORKSPACE/compose-down/compose.yaml", contains="lab-compose-down",
                  next_step="Write the file: the project of ex26, with `name: lab-compose-down`."),
        container_absent("lab-compose-down-app-1", why=f"Take the project down: `{DOWN_COMPOSE} down`."),
        volume_exists("lab-compose-down_data"),
        volume_file("lab-compose-down_data", "visits.txt", contains="visit", next_step=(
            f"Run `{DOWN_COMPOSE} up`, then `{DOWN_COMPOSE} down` without -v.")),
    ),
    hints=("down removes the project's containers and networks; -v would remove its volumes too.",
           f"{DOWN_COMPOSE} up; {DOWN_COMPOSE} down"),
    solution=(compose_file("compose-down", DOWN_PROJECT), f"{DOWN_COMPOSE} up", f"{DOWN_COMPOSE} down"),
    mistakes=(
        Mistake("down -v", (compose_file("compose-down", DOWN_PROJECT), f"{DOWN_COMPOSE} up", f"{DOWN_COMPOSE} down -v"),
                "There is no volume named lab-compose-down_data",
                hint=("`down -v` removed the project's volume and its data. Run `docker compose -f "
                      '"$WORKSPACE/compose-down/compose.yaml" up` again, then `down` without -v.')),
        Mistake("never took it down", (compose_file("compose-down", DOWN_PROJECT), f"{DOWN_COMPOSE} up"),
                "Container lab-compose-down-app-1 still exists",
                hint=("The project's container is still there. Run `docker compose -f "
                      '"$WORKSPACE/compose-down/compose.yaml" down` (without -v): the container goes, the volume '
                      "stays.")),
    ),
)

EXTERNAL = '''name: lab-compose-ext
services:
  app:
    image: busybox:1.36
    command: ["sh", "-c", "echo from compose > /data/ext.txt"]
    volumes:
      - shared:/data
volumes:
  shared:
    external: true
    name: lab-ext-data
'''
EXT_COMPOSE = 'docker compose -f "$WORKSPACE/compose-ext/compose.yaml"'

EXTERNAL_VOLUME = Exercise(
    id="ex28",
    title="An external volume survives docker compose down -v",
    part_of=LESSON,
    goal=("Create the volume lab-ext-data yourself (label course=docker-volumes). Write compose-ext/compose.yaml for "
          "a project lab-compose-ext whose service app writes 'from compose' to /data/ext.txt, mounting lab-ext-data "
          "as an external volume. Run docker compose up, then docker compose down -v."),
    owns=project_owns("lab-compose-ext", "compose-ext", ("shared",), extra_volumes=("lab-ext-data",)),
    checks=(
        volume_exists("lab-ext-data", labels={"course": "docker-volumes"}),
        container_absent("lab-compose-ext-app-1", why=f"Take the project down: `{EXT_COMPOSE} down -v`."),
        volume_file("lab-ext-data", "ext.txt", contains="from compose", next_step=(
            "The service must mount lab-ext-data itself: declare it with external: true and name: lab-ext-data.")),
    ),
    hints=("external: true tells Compose the volume is not its own: it neither creates nor removes it.",
           "name: lab-ext-data gives the real volume name; the key under volumes: is only the name inside the file."),
    solution=("docker volume create --label course=docker-volumes lab-ext-data", compose_file("compose-ext", EXTERNAL),
              f"{EXT_COMPOSE} up", f"{EXT_COMPOSE} down -v"),
    mistakes=(
        Mistake("a project volume instead", (
            "docker volume create --label course=docker-volumes lab-ext-data",
            compose_file("compose-ext", EXTERNAL.replace("    external: true\n    name: lab-ext-data\n", "")),
            f"{EXT_COMPOSE} up", f"{EXT_COMPOSE} down -v"), "There is no ext.txt in volume lab-ext-data",
                hint=("Most likely Compose made a volume of its own (lab-compose-ext_shared), so ext.txt went there"
                      " and `down -v` removed it. Under shared: in the top-level volumes:, add `external: true` and"
                      " `name: lab-ext-data`, then `up` and `down -v` again.")),
    ),
)

EXERCISES = (PROJECT_VOLUME, DOWN_KEEPS, EXTERNAL_VOLUME)
