"""Lesson 18: the course app's data: its SQLite notes and its uploads in named volumes, by docker run and in Compose;
data lost without a volume; backup and restore; a consistent live backup; no code in volumes."""
from checker.exercises.compose import compose_file, project_owns
from checker.grading.checks import (container_exists, container_image, container_recreated_after, container_running,
                                    has_mount, host_file, no_mount_at, volume_exists, volume_file)
from checker.grading.archive_checks import host_archive
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson
from checker.grading.sqlite_checks import (container_notes, host_database, host_file_before_container,
                                           no_mount_over_code, volume_notes, written_while_running)

LESSON = Lesson(
    number=18, slug="app-data", title="Your app's data: SQLite and uploads",
    summary=("the course app: its SQLite database and uploads in two named volumes, by docker run and in Compose; "
             "data lost without a volume; backup and restore; a live backup; what not to put in volumes."),
    images=("python:3.13-slim", "busybox:1.36"))

IMAGE = "lab-app:1"
BUILD = f'docker build -q -t {IMAGE} "$COURSE_APP"'
VOLUMES = "-v lab-app-data:/data -v lab-app-uploads:/app/uploads"
RUN = f"docker run -d --name lab-app-web {VOLUMES} {IMAGE}"
NOTE = "Water the plants"
ADD = f'docker exec lab-app-web python app.py add-note "{NOTE}"'
HELLO = 'printf "Hello, volumes!\\n" > "$WORKSPACE/hello.txt"'
UPLOAD = 'docker exec -i lab-app-web python app.py upload hello.txt < "$WORKSPACE/hello.txt"'

RUN_WITH_VOLUMES = Exercise(
    id="ex47",
    title="Run the app with its database and uploads in two named volumes",
    part_of=LESSON,
    goal=("Build the course app as lab-app:1. Run it as lab-app-web with the volume lab-app-data at /data (its SQLite "
          "database, /data/app.db) and lab-app-uploads at /app/uploads. Add the note 'Water the plants' and upload "
          "hello.txt holding the line 'Hello, volumes!'. Then remove lab-app-web and run a new lab-app-web on the same two "
          "volumes: the note and the file are still there."),
    owns=Owned(containers=("lab-app-web",), volumes=("lab-app-data", "lab-app-uploads"), images=(IMAGE,),
               host_paths=("hello.txt",)),
    checks=(
        container_exists("lab-app-web", how=f"Build the image (`{BUILD}`), then `{RUN}`."),
        container_image("lab-app-web", IMAGE),
        has_mount("lab-app-web", "/data", "volume", "lab-app-data", flag="-v lab-app-data:/data"),
        has_mount("lab-app-web", "/app/uploads", "volume", "lab-app-uploads", flag="-v lab-app-uploads:/app/uploads"),
        container_running("lab-app-web"),
        volume_exists("lab-app-data"),
        volume_exists("lab-app-uploads"),
        volume_notes("lab-app-data", "app.db", present=(NOTE,), next_step=f"Add the note: `{ADD}`."),
        volume_file("lab-app-uploads", "hello.txt", lines=("Hello, volumes!",),
                    next_step=f"Write the file (`{HELLO}`) and upload it: `{UPLOAD}`."),
        container_recreated_after("lab-app-web", "lab-app-data"),
    ),
    hints=(
        "The app keeps its notes in the file DATABASE_URL names (/data/app.db) and uploads in /app/uploads: a "
        "volume at each of those folders keeps them when the container goes.",
        "Add a note in the browser (publish the port with -p 8000:8000), or from a terminal: "
        "`docker exec lab-app-web python app.py add-note TEXT`; upload with `docker exec -i lab-app-web python app.py "
        "upload NAME < FILE`.",
        f"{BUILD}; {RUN}; {ADD}; {HELLO}; {UPLOAD}; docker rm -f lab-app-web; {RUN}",
    ),
    solution=(BUILD, "docker volume create lab-app-data", "docker volume create lab-app-uploads", RUN, ADD, HELLO,
              UPLOAD, "sleep 1", "docker rm -f lab-app-web", RUN),
    mistakes=(
        Mistake("uploads left in the container", (
            BUILD, f"docker run -d --name lab-app-web -v lab-app-data:/data {IMAGE}", ADD, HELLO, UPLOAD),
            "lab-app-web has nothing mounted at /app/uploads",
            hint=("The uploads went into lab-app-web's writable layer and die with it. `docker rm -f lab-app-web`, then "
                  f"`{RUN}` and upload hello.txt again.")),
        Mistake("never replaced the container", (BUILD, RUN, ADD, HELLO, UPLOAD),
                "is the container that first created lab-app-data",
                hint=("The point is a new container on the same data: `docker rm -f lab-app-web`, then "
                      f"`{RUN}`; the note and hello.txt are still there.")),
    ),
)

NOVOL_RUN = f"docker run -d --name lab-app-novol {IMAGE}"
GONE = "Gone with the container"
NOVOL_ADD = f'docker exec lab-app-novol python app.py add-note "{GONE}"'
BEFORE = "$WORKSPACE/novol-before.txt"
SAVE_BEFORE = f'docker exec lab-app-novol python app.py notes > "{BEFORE}"'
NOVOL_NOTES = "docker exec lab-app-novol python app.py notes"
WITHOUT_VOLUME = Exercise(
    id="ex48",
    title="Without a volume the notes die with the container",
    part_of=LESSON,
    goal=("Run lab-app-novol from lab-app:1 with no volume at all. Add the note 'Gone with the container' and save "
          "what `python app.py notes` prints in that container to novol-before.txt in your workspace. Remove "
          "lab-app-novol and run a new one the same way: its database no longer holds the note."),
    owns=Owned(containers=("lab-app-novol",), host_paths=("novol-before.txt",)),
    checks=(
        container_exists("lab-app-novol", how=f"`{NOVOL_RUN}`, then add the note: `{NOVOL_ADD}`."),
        container_image("lab-app-novol", IMAGE),
        no_mount_at("lab-app-novol", "/data", why="This exercise shows what happens WITHOUT a volume."),
        container_running("lab-app-novol"),
        host_file(BEFORE, contains=GONE, next_step=(
            f"Before you replace the container, add the note and save its notes: `{NOVOL_ADD}`, then "
            f"`{SAVE_BEFORE}`.")),
        host_file_before_container(BEFORE, "lab-app-novol", requires=(f"host-file:{BEFORE}:{GONE}",), next_step=(
            f"Save the first container's notes, then replace it: `docker rm -f lab-app-novol`, `{NOVOL_RUN}`.")),
        container_notes("lab-app-novol", "/data/app.db", absent=(GONE,),
                        absent_why="It is the same container: a stop, start or restart keeps its writable layer.",
                        next_step=f"Remove the container and run a new one: `docker rm -f lab-app-novol`, "
                                  f"then `{NOVOL_RUN}`."),
    ),
    hints=(
        "With no volume, /data/app.db sits in the container's writable layer, which `docker rm` deletes.",
        "A restart keeps the writable layer; only removing the container loses it.",
        f"{NOVOL_RUN}; {NOVOL_ADD}; {SAVE_BEFORE}; docker rm -f lab-app-novol; {NOVOL_RUN}; {NOVOL_NOTES}",
    ),
    solution=(NOVOL_RUN, NOVOL_ADD, SAVE_BEFORE, "docker rm -f lab-app-novol", NOVOL_RUN, NOVOL_NOTES),
    mistakes=(
        Mistake("restarted instead of replacing", (NOVOL_RUN, NOVOL_ADD, SAVE_BEFORE, "sleep 1",
                                                   "docker restart lab-app-novol"),
                "was written after this lab-app-novol was created",
                hint=("A restart keeps the container and its writable layer, so the note is still there. Remove it "
                      f"and run a new one: `docker rm -f lab-app-novol`, then `{NOVOL_RUN}`.")),
        Mistake("ran it with a volume", (f"docker run -d --name lab-app-novol -v lab-app-data:/data {IMAGE}",),
                "lab-app-novol has volume lab-app-data",
                hint=(f"Run it without any -v: `docker rm -f lab-app-novol`, then `{NOVOL_RUN}`.")),
    ),
    builds_on=("ex47",),
)

ARCHIVE = "$WORKSPACE/app-backups/lab-app-data.tar.gz"
STOP_BACKUP = ("docker stop lab-app-web && mkdir -p \"$WORKSPACE/app-backups\" && "
               'docker run --rm -v lab-app-data:/data:ro -v "$WORKSPACE/app-backups":/backup busybox:1.36 '
               "tar czf /backup/lab-app-data.tar.gz -C /data . && docker start lab-app-web")
RESTORE = ("docker volume create lab-app-data-restored && "
           'docker run --rm -v lab-app-data-restored:/data -v "$WORKSPACE/app-backups":/backup:ro busybox:1.36 '
           "tar xzf /backup/lab-app-data.tar.gz -C /data")
RUN_RESTORED = f"docker run -d --name lab-app-restored -v lab-app-data-restored:/data {IMAGE}"
BACKUP_RESTORE = Exercise(
    id="ex49",
    title="Back the database volume up and restore it into a new volume",
    part_of=LESSON,
    goal=("Back up the volume lab-app-data to app-backups/lab-app-data.tar.gz in your workspace (the folder's contents "
          "at the archive's root). Restore the archive into a new volume lab-app-data-restored and run a second app, "
          "lab-app-restored, from lab-app:1 with it at /data: its database holds 'Water the plants'."),
    owns=Owned(containers=("lab-app-restored",), volumes=("lab-app-data-restored",), host_paths=("app-backups/lab-app-data.tar.gz",)),
    checks=(
        host_archive(ARCHIVE, ("app.db",), next_step=f"Back the volume up: `{STOP_BACKUP}`."),
        volume_exists("lab-app-data-restored"),
        volume_notes("lab-app-data-restored", "app.db", present=(NOTE,), next_step=(
            f"Restore the archive at the volume's root: `{RESTORE}`.")),
        container_exists("lab-app-restored", how=f"`{RUN_RESTORED}`."),
        has_mount("lab-app-restored", "/data", "volume", "lab-app-data-restored", flag="-v lab-app-data-restored:/data"),
        container_running("lab-app-restored"),
    ),
    hints=(
        "A throwaway container with the volume and a host folder mounted can tar one into the other; `-C /data .` "
        "puts the files at the archive's root.",
        "Stop lab-app-web while you archive, so that app.db and app.db-wal belong to one moment; start it again after.",
        f"{STOP_BACKUP}; {RESTORE}; {RUN_RESTORED}",
    ),
    solution=(STOP_BACKUP, RESTORE, RUN_RESTORED),
    mistakes=(
        Mistake("restored into a subfolder", (STOP_BACKUP, "docker volume create lab-app-data-restored",
                                              'docker run --rm -v lab-app-data-restored:/data -v "$WORKSPACE/app-backups":/backup:ro '
                                              "busybox:1.36 tar xzf /backup/lab-app-data.tar.gz -C /data/..",
                                              "docker volume create lab-app-data-restored",
                                              'docker run --rm -v lab-app-data-restored:/restore -v "$WORKSPACE/app-backups":/backup:ro '
                                              "busybox:1.36 sh -c 'mkdir /restore/data && tar xzf "
                                              "/backup/lab-app-data.tar.gz -C /restore/data'", RUN_RESTORED),
                "There is no app.db in volume lab-app-data-restored",
                hint=("The app looks for /data/app.db, so app.db must sit at the volume's root. `docker rm -f "
                      "lab-app-restored`, `docker volume rm lab-app-data-restored`, then `" + RESTORE + "` and `"
                      + RUN_RESTORED + "`.")),
        Mistake("second app on the old volume", (STOP_BACKUP, RESTORE,
                                                 f"docker run -d --name lab-app-restored -v lab-app-data:/data {IMAGE}"),
                "holds volume lab-app-data, not lab-app-data-restored",
                hint=("lab-app-restored runs on the original volume, so it proves nothing about the restore. "
                      f"`docker rm -f lab-app-restored`, then `{RUN_RESTORED}`.")),
    ),
    builds_on=("ex47",),
)

COMPOSE_APP = '''name: lab-app-compose
services:
  app:
    image: lab-app:1
    environment:
      DATABASE_URL: /data/app.db
    volumes:
      - app-data:/data
      - uploads:/app/uploads
volumes:
  app-data:
  uploads:
'''
COMPOSE = 'docker compose -f "$WORKSPACE/app-compose/compose.yaml"'
SURVIVES = "Survives down and up"
COMPOSE_ADD = f'docker exec lab-app-compose-app-1 python app.py add-note "{SURVIVES}"'
COMPOSE_NOTES = "docker exec lab-app-compose-app-1 python app.py notes"
IN_COMPOSE = Exercise(
    id="ex50",
    title="The app in Compose with two named volumes",
    part_of=LESSON,
    goal=("Write app-compose/compose.yaml in your workspace for a project lab-app-compose: a service app from "
          "lab-app:1 with DATABASE_URL=/data/app.db, the project volume app-data at /data and uploads at "
          "/app/uploads. Start it, add the note 'Survives down and up', then `docker compose down` and `up -d` "
          "again: the new container finds the note."),
    owns=project_owns("lab-app-compose", "app-compose", ("app-data", "uploads")),
    checks=(
        container_exists("lab-app-compose-app-1", how=f"Write the file, then `{COMPOSE} up -d`."),
        has_mount("lab-app-compose-app-1", "/data", "volume", "lab-app-compose_app-data",
                  redo=f"Mount the project volume: `- app-data:/data` under the service's volumes:, then `{COMPOSE} "
                       "up -d`."),
        has_mount("lab-app-compose-app-1", "/app/uploads", "volume", "lab-app-compose_uploads",
                  redo=f"Mount the project volume: `- uploads:/app/uploads`, then `{COMPOSE} up -d`."),
        container_running("lab-app-compose-app-1"),
        volume_exists("lab-app-compose_app-data"),
        volume_notes("lab-app-compose_app-data", "app.db", present=(SURVIVES,), next_step=f"`{COMPOSE_ADD}`."),
        container_recreated_after("lab-app-compose-app-1", "lab-app-compose_app-data"),
    ),
    hints=(
        "Compose names the volumes PROJECT_KEY: lab-app-compose_app-data and lab-app-compose_uploads.",
        "`docker compose down` removes the containers and the network and keeps the volumes; `down -v` would "
        "remove the volumes too.",
        f"{COMPOSE} up -d; {COMPOSE_ADD}; {COMPOSE} down; {COMPOSE} up -d; {COMPOSE_NOTES}",
    ),
    solution=(compose_file("app-compose", COMPOSE_APP), f"{COMPOSE} up -d", COMPOSE_ADD, "sleep 1",
              f"{COMPOSE} down", f"{COMPOSE} up -d", COMPOSE_NOTES),
    mistakes=(
        Mistake("down -v", (compose_file("app-compose", COMPOSE_APP), f"{COMPOSE} up -d", COMPOSE_ADD,
                            f"{COMPOSE} down -v", f"{COMPOSE} up -d", COMPOSE_NOTES),
                f"holds no note '{SURVIVES}'",
                hint=("`down -v` removed the project's volumes, and the note with them. Add the note again "
                      f"(`{COMPOSE_ADD}`), then `{COMPOSE} down` without -v and `{COMPOSE} up -d`.")),
        Mistake("bind mount instead of a volume", (
            compose_file("app-compose", COMPOSE_APP.replace("      - app-data:/data", "      - ./data:/data")),
            f"{COMPOSE} up -d"),
            "is a bind mount of the host folder",
            hint=("`./data:/data` mounts a host folder next to compose.yaml. Use the project volume: `- "
                  f"app-data:/data`, then `{COMPOSE} up -d`.")),
    ),
    builds_on=("ex47",),
)

LIVE = "Backed up live"
LIVE_ADD = f'docker exec lab-app-web python app.py add-note "{LIVE}"'
LIVE_DB = "$WORKSPACE/app-backups/app-live.db"
VACUUM = ("docker exec lab-app-web python -c \"import sqlite3; "
          "sqlite3.connect('/data/app.db').execute(\\\"VACUUM INTO '/tmp/app-live.db'\\\")\" && "
          'mkdir -p "$WORKSPACE/app-backups" && '
          'docker cp lab-app-web:/tmp/app-live.db "$WORKSPACE/app-backups/app-live.db" && '
          "docker exec lab-app-web rm /tmp/app-live.db")
LIVE_BACKUP = Exercise(
    id="ex51",
    title="A consistent backup of the live database",
    part_of=LESSON,
    goal=("While lab-app-web keeps running, add the note 'Backed up live', then copy its database to "
          "app-backups/app-live.db in your workspace with SQLite's own backup (VACUUM INTO, or `python app.py backup`), "
          "without stopping lab-app-web. The one file must hold every note, 'Backed up live' included."),
    owns=Owned(host_paths=("app-backups/app-live.db",)),
    checks=(
        container_exists("lab-app-web", how=f"Do ex47 first: `labcheck solve ex47` runs lab-app-web."),
        host_database(LIVE_DB, present=(NOTE, LIVE), next_step=f"Add the note (`{LIVE_ADD}`), then `{VACUUM}`.",
                      single_file_why=("The newest writes of a running WAL database sit in app.db-wal until a "
                                       "checkpoint: a copy of app.db alone misses them. Let SQLite make the copy.")),
        written_while_running(LIVE_DB, "lab-app-web", next_step=(
            f"Start lab-app-web again (`docker start lab-app-web`) and take the copy while it runs: `{VACUUM}`.")),
    ),
    hints=(
        "In WAL mode SQLite appends new writes to app.db-wal and copies them into app.db only at a checkpoint.",
        "`VACUUM INTO 'FILE'` (or Python's Connection.backup, which `python app.py backup FILE` uses) writes one "
        "consistent, self-contained copy while the app keeps writing.",
        f"{LIVE_ADD}; {VACUUM}",
    ),
    solution=(LIVE_ADD, VACUUM),
    mistakes=(
        Mistake("copied app.db alone", (LIVE_ADD, 'mkdir -p "$WORKSPACE/app-backups"',
                                        f'docker cp lab-app-web:/data/app.db "{LIVE_DB}"'),
                "a copy of app.db alone misses them",
                hint=("`docker cp` copied app.db without app.db-wal, where the newest notes still are. Let SQLite "
                      f"write the copy: `{VACUUM}`.")),
        Mistake("stopped the app", (LIVE_ADD, "docker stop lab-app-web", 'mkdir -p "$WORKSPACE/app-backups"',
                                    'docker run --rm -v lab-app-data:/data -v "$WORKSPACE/app-backups":/backup '
                                    "python:3.13-slim python -c \"import sqlite3; sqlite3.connect('/data/app.db')"
                                    ".execute(\\\"VACUUM INTO '/backup/app-live.db'\\\")\""),
                "lab-app-web is not running",
                hint=(f"This backup is to be taken live. `docker start lab-app-web`, then `{VACUUM}`.")),
    ),
    builds_on=("ex47",),
)

DEV_APP = '''name: lab-app-prod
services:
  app:
    image: lab-app:1
    volumes:
      - ./src:/app
      - app-data:/data
volumes:
  app-data:
'''
PROD_APP = DEV_APP.replace("      - ./src:/app\n", "")
PROD = 'docker compose -f "$WORKSPACE/app-prod/compose.yaml"'
DEV_SRC = 'mkdir -p "$WORKSPACE/app-prod/src" && cp "$COURSE_APP/app.py" "$WORKSPACE/app-prod/src/"'
NO_CODE_IN_VOLUMES = Exercise(
    id="ex52",
    title="No code in volumes in production",
    part_of=LESSON,
    goal=("app-prod/compose.yaml (project lab-app-prod) was written for development: it bind-mounts ./src over "
          "/app, where the image keeps its code. Make it fit for production: the code comes from lab-app:1 only, "
          "the database stays in the project volume app-data at /data. Run it with `up -d`."),
    owns=project_owns("lab-app-prod", "app-prod", ("app-data", "code")),
    checks=(
        container_exists("lab-app-prod-app-1", how=f"Write the file without the code mount, then `{PROD} up -d`."),
        container_image("lab-app-prod-app-1", IMAGE),
        no_mount_over_code("lab-app-prod-app-1", "/app", data_folders=("/app/uploads",), next_step=(
            f"Delete the mount over /app from the service's volumes:, then `{PROD} up -d` (Compose recreates the "
            "container).")),
        has_mount("lab-app-prod-app-1", "/data", "volume", "lab-app-prod_app-data",
                  redo=f"Keep `- app-data:/data` under the service's volumes:, then `{PROD} up -d`."),
        container_running("lab-app-prod-app-1"),
    ),
    hints=(
        "The image already holds the code (COPY in its Dockerfile); a mount over /app hides it.",
        "Keep mounts for data: the database's volume at /data stays; the line `- ./src:/app` goes.",
        f"Remove `- ./src:/app` from the file, then `{PROD} up -d`.",
    ),
    solution=(compose_file("app-prod", PROD_APP), f"{PROD} up -d"),
    mistakes=(
        Mistake("left the code mount", (DEV_SRC, compose_file("app-prod", DEV_APP), f"{PROD} up -d"),
                "the host's files hide the code the image was built with",
                hint=(f"Delete the line `- ./src:/app` from the service's volumes:, then `{PROD} up -d`.")),
        Mistake("code in a named volume", (compose_file("app-prod", DEV_APP.replace("./src:/app", "code:/app")
                                                        + "  code:\n"), f"{PROD} up -d"),
                "keeps that old code when you ship a new image",
                hint=("A volume over /app freezes the code of the first image that filled it. Delete `- code:/app` "
                      f"and the code: volume, then `{PROD} up -d` and `docker volume rm lab-app-prod_code`.")),
    ),
    builds_on=("ex47",),
)

EXERCISES = (RUN_WITH_VOLUMES, WITHOUT_VOLUME, BACKUP_RESTORE, IN_COMPOSE, LIVE_BACKUP, NO_CODE_IN_VOLUMES)
