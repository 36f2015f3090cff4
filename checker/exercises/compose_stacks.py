"""Lesson 14: Compose for real stacks: healthchecks, depends_on conditions, one-shot init services, initdb.d."""
from checker.grading.checks import (container_exists, container_finished, container_image, container_running, container_user, has_mount,
                      host_file, volume_exists, volume_file)
from checker.grading.compose_checks import healthcheck_runs, is_healthy, waits_for
from checker.grading.exercise import Exercise, Mistake
from checker.grading.lesson import Lesson
from .compose import compose_file, project_owns

LESSON = Lesson(
    number=14, slug="compose-stacks", title="Compose for real stacks",
    summary=("healthchecks and `depends_on` conditions, one-shot init services, and database init scripts in "
             "`docker-entrypoint-initdb.d`."),
    images=("busybox:1.36", "postgres:17"))
DATA = "/var/lib/postgresql/data"


def compose(folder: str) -> str:
    return f'docker compose -f "$WORKSPACE/{folder}/compose.yaml"'


DB = '''  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: lab-secret
    volumes:
      - dbdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
      interval: 1s
      timeout: 3s
      retries: 30
'''


def client_of_db(service: str, command: str) -> str:
    """A one-shot postgres:17 service that runs `command` (quoted for YAML) once db is healthy, with ./out at /out."""
    return f'''  {service}:
    image: postgres:17
    environment:
      PGPASSWORD: lab-secret
    command: ["sh", "-c", "{command}"]
    volumes:
      - ./out:/out
    depends_on:
      db:
        condition: service_healthy
'''


def database_checks(project: str) -> tuple:
    """PROJECT-db-1 exists and keeps its data in the project's volume dbdata."""
    up = f"{compose(project.removeprefix('lab-'))} up -d"
    return (container_exists(f"{project}-db-1", how=f"Write the files, then run `{up}`."),
            container_image(f"{project}-db-1", "postgres:17"),
            has_mount(f"{project}-db-1", DATA, "volume", f"{project}_dbdata",
                      redo=f"Mount the project volume in db (`- dbdata:{DATA}`), then `{up}`."))


# ---------------------------------------------------------------- ex37: wait until the database is healthy

APP_QUERY = "psql -h db -U postgres -tAc \\\"SELECT 'app reached the database'\\\" > /out/app.txt"
STACK = f'''name: lab-stack
services:
{DB}{client_of_db("app", APP_QUERY)}volumes:
  dbdata:
'''
STACK_UP = (f"{compose('stack')} up -d", "docker wait lab-stack-app-1")
HEALTH_HOW = ('Give db a healthcheck: `healthcheck: test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", '
              f'"postgres"]`, then `{compose("stack")} up -d`.')

HEALTHY_FIRST = Exercise(
    id="ex37",
    title="An app that waits until its database is healthy",
    part_of=LESSON,
    goal=("Write stack/compose.yaml in your workspace for a project lab-stack: a service db (postgres:17, "
          "POSTGRES_PASSWORD=lab-secret, a named volume dbdata at /var/lib/postgresql/data) with a healthcheck that "
          "runs pg_isready, and a service app (postgres:17, PGPASSWORD=lab-secret) that waits until db is healthy, "
          "then runs psql -h db -U postgres -tAc \"SELECT 'app reached the database'\" into /out/app.txt, with "
          "./out bound at /out. Run docker compose up -d."),
    owns=project_owns("lab-stack", "stack", ("dbdata",), services=("db", "app")),
    checks=(
        *database_checks("lab-stack"),
        container_exists("lab-stack-app-1", how=f"Add the service app, then `{compose('stack')} up -d`."),
        container_image("lab-stack-app-1", "postgres:17"),
        waits_for("lab-stack-app-1", "db", "service_healthy", next_step=(
            "Use the long form of depends_on: `depends_on: db: condition: service_healthy`. The short form "
            "(`- db`) only waits for the container to start, long before PostgreSQL accepts connections.")),
        healthcheck_runs("lab-stack-db-1", "pg_isready", next_step=HEALTH_HOW),
        is_healthy("lab-stack-db-1", next_step=(
            "pg_isready must ask the server where it listens: `-h 127.0.0.1` (port 5432). Fix the test, then "
            f"`{compose('stack')} up -d`.")),
        container_running("lab-stack-db-1"),
        container_finished("lab-stack-app-1"),
        host_file("$WORKSPACE/stack/out/app.txt", contains="app reached the database", next_step=(
            "app writes psql's answer to /out/app.txt; bind ./out at /out and run "
            f"`{compose('stack')} up -d` again.")),
    ),
    hints=(
        "A healthcheck is a command Docker runs inside the container again and again; pg_isready exits 0 once the "
        "server accepts connections.",
        "depends_on has a long form: under the service name, `condition: service_healthy`.",
        f"{compose('stack')} up -d; docker wait lab-stack-app-1; cat \"$WORKSPACE/stack/out/app.txt\"",
    ),
    solution=(compose_file("stack", STACK), *STACK_UP),
    mistakes=(
        Mistake("short depends_on", (
            compose_file("stack", STACK.replace("    depends_on:\n      db:\n        condition: service_healthy\n",
                                                "    depends_on:\n      - db\n")), *STACK_UP),
            "starts as soon as db has started (service_started)",
            hint=("`- db` under depends_on is the short form: app starts as soon as db's container runs, while "
                  "PostgreSQL may still be initialising. Write `depends_on:`, `db:`, `condition: service_healthy`.")),
        Mistake("healthcheck on the wrong port", (
            compose_file("stack", STACK.replace('"-U", "postgres"]', '"-p", "5433", "-U", "postgres"]')
                         .replace("retries: 30", "retries: 3")), f"{compose('stack')} up -d"),
            "is unhealthy: its healthcheck fails",
            hint=("The healthcheck asks the wrong place, so it never passes and app never starts. pg_isready must ask "
                  "127.0.0.1 on port 5432 (the default): drop `-p 5433`, then `up -d` again.")),
        Mistake("no healthcheck", (
            compose_file("stack", STACK.replace(
                '    healthcheck:\n      test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "postgres"]\n'
                '      interval: 1s\n      timeout: 3s\n      retries: 30\n', "")), f"{compose('stack')} up -d"),
            "has no healthcheck",
            hint=("`condition: service_healthy` needs a healthcheck on db, or Compose has nothing to wait for. Add "
                  "`healthcheck:` with `test: [\"CMD\", \"pg_isready\", \"-h\", \"127.0.0.1\", \"-U\", "
                  "\"postgres\"]` under db.")),
    ),
)

# ---------------------------------------------------------------- ex38: initdb.d scripts run on first start only

SEED_SQL = ('mkdir -p "$WORKSPACE/seed/initdb" && cat > "$WORKSPACE/seed/initdb/01-notes.sql" <<\'SQL\'\n'
            "CREATE TABLE notes (body text);\nINSERT INTO notes VALUES ('seeded on first start');\nSQL")
SEED = f'''name: lab-seed
services:
{DB.replace("      - dbdata:/var/lib/postgresql/data", "      - dbdata:/var/lib/postgresql/data" + chr(10) + "      - ./initdb:/docker-entrypoint-initdb.d:ro")}{client_of_db("export", "pg_dump -h db -U postgres -t notes > /out/notes.sql")}volumes:
  dbdata:
'''
SEED_UP = (f"{compose('seed')} up -d", "docker wait lab-seed-export-1")
NO_INITDB = SEED.replace("      - ./initdb:/docker-entrypoint-initdb.d:ro\n", "")

SEEDED = Exercise(
    id="ex38",
    title="Seed a database on its first start with docker-entrypoint-initdb.d",
    part_of=LESSON,
    goal=("Write seed/initdb/01-notes.sql in your workspace: it creates a table notes and inserts the row "
          "'seeded on first start'. Write seed/compose.yaml for a project lab-seed: db as in ex37 (healthcheck, "
          "volume dbdata) with ./initdb bound read-only at /docker-entrypoint-initdb.d, and a one-shot service "
          "export (postgres:17) that waits until db is healthy, then runs pg_dump -h db -U postgres -t notes into "
          "/out/notes.sql, with ./out bound at /out. Run docker compose up -d."),
    owns=project_owns("lab-seed", "seed", ("dbdata",), services=("db", "export")),
    checks=(
        *database_checks("lab-seed"),
        host_file("$WORKSPACE/seed/initdb/01-notes.sql", contains="seeded on first start", next_step=(
            "Write the script: `CREATE TABLE notes (body text); INSERT INTO notes VALUES ('seeded on first start');`")),
        has_mount("lab-seed-db-1", "/docker-entrypoint-initdb.d", "bind", "$WORKSPACE/seed/initdb", read_only=True,
                  redo=("Bind the folder in db: `- ./initdb:/docker-entrypoint-initdb.d:ro`, then "
                        f"`{compose('seed')} down -v` and `{compose('seed')} up -d`.")),
        container_exists("lab-seed-export-1", how=f"Add the service export, then `{compose('seed')} up -d`."),
        container_image("lab-seed-export-1", "postgres:17"),
        waits_for("lab-seed-export-1", "db", "service_healthy", next_step=(
            "`depends_on: db: condition: service_healthy`, so pg_dump runs once PostgreSQL accepts connections.")),
        host_file("$WORKSPACE/seed/out/notes.sql", contains="seeded on first start", next_step=(
            "The scripts in /docker-entrypoint-initdb.d run only when the data folder is empty, on the very first "
            "start. Start over with an empty volume: "
            f"`{compose('seed')} down -v`, then `{compose('seed')} up -d`.")),
        host_file("$WORKSPACE/seed/out/notes.sql", contains="CREATE TABLE public.notes", next_step=(
            "export must dump the table with its definition: `pg_dump -h db -U postgres -t notes`.")),
        container_finished("lab-seed-export-1"),
    ),
    hints=(
        "The postgres image runs every *.sql and *.sh file in /docker-entrypoint-initdb.d, in name order, when it "
        "creates a new database: the first start on an empty data folder.",
        "A volume that already holds a database is never initialised again, so a script added later never runs.",
        f"{compose('seed')} down -v; {compose('seed')} up -d; docker wait lab-seed-export-1",
    ),
    solution=(SEED_SQL, compose_file("seed", SEED), *SEED_UP),
    mistakes=(
        Mistake("script added after the first start", (
            SEED_SQL, compose_file("seed", NO_INITDB), *SEED_UP,
            compose_file("seed", SEED), *SEED_UP),
            "does not contain 'seeded on first start'",
            hint=("The volume already held a database when the script arrived, so the image skipped initialisation, "
                  "script included. Start with an empty volume: `docker compose -f \"$WORKSPACE/seed/compose.yaml\" "
                  "down -v`, then `up -d`.")),
        Mistake("script not mounted", (SEED_SQL, compose_file("seed", NO_INITDB), *SEED_UP),
                "has nothing mounted at /docker-entrypoint-initdb.d",
                hint=("The script sits in your folder, but db never sees it. Bind it under db's volumes: "
                      "`- ./initdb:/docker-entrypoint-initdb.d:ro`; then `down -v` and `up -d`, so it runs on a "
                      "first start.")),
    ),
)

# ---------------------------------------------------------------- ex39: a one-shot init service

INIT = '''name: lab-init
services:
  init:
    image: busybox:1.36
    command: ["sh", "-c", "echo 'schema 2' > /config/version.txt && chown -R 1000:1000 /config"]
    volumes:
      - config:/config
  app:
    image: busybox:1.36
    user: "1000:1000"
    command: ["sh", "-c", "echo \\"app started on $$(cat /config/version.txt)\\" > /config/app.txt"]
    volumes:
      - config:/config
    depends_on:
      init:
        condition: service_completed_successfully
volumes:
  config:
'''
INIT_UP = f"{compose('init')} up"

INIT_FIRST = Exercise(
    id="ex39",
    title="A one-shot init service that runs to completion first",
    part_of=LESSON,
    goal=("Write init/compose.yaml in your workspace for a project lab-init with a named volume config at /config in "
          "two busybox:1.36 services: init writes 'schema 2' to /config/version.txt and gives /config to UID 1000 "
          "(chown -R 1000:1000 /config); app runs as user 1000:1000, starts only once init has completed "
          "successfully, and writes 'app started on ' followed by the content of version.txt to /config/app.txt. "
          "Run docker compose up."),
    owns=project_owns("lab-init", "init", ("config",), services=("init", "app")),
    checks=(
        container_exists("lab-init-init-1", how=f"Write the file, then run `{INIT_UP}`."),
        container_image("lab-init-init-1", "busybox:1.36"),
        container_finished("lab-init-init-1"),
        container_exists("lab-init-app-1", how=f"Add the service app, then `{INIT_UP}`."),
        container_image("lab-init-app-1", "busybox:1.36"),
        container_user("lab-init-app-1", "1000:1000", next_step=(
            f"Give the service app `user: \"1000:1000\"` in compose.yaml, then `{INIT_UP}` (Compose recreates it).")),
        waits_for("lab-init-app-1", "init", "service_completed_successfully", next_step=(
            "`depends_on: init: condition: service_completed_successfully`: app must not start before init has "
            "written the file and handed the volume over.")),
        volume_exists("lab-init_config"),
        volume_file("lab-init_config", "version.txt", lines=("schema 2",), next_step=(
            "init writes it: `echo 'schema 2' > /config/version.txt`.")),
        volume_file("lab-init_config", "app.txt", lines=("app started on schema 2",), next_step=(
            f"app writes it as UID 1000, so init must first `chown -R 1000:1000 /config`. Then `{INIT_UP}`.")),
        container_finished("lab-init-app-1"),
    ),
    hints=(
        "A one-shot service runs its command and exits; `condition: service_completed_successfully` makes the "
        "next one wait for exit code 0.",
        "A new volume's top folder takes the owner of the image's folder at the mount path; busybox has no /config, "
        "so it belongs to root, and a service that runs as UID 1000 can write there only after someone gives it to "
        "that user. (In an image you build, a folder made and chowned there is the simpler fix.)",
        "In compose.yaml, write $$ for a literal $ in a command: \"$$(cat /config/version.txt)\".",
    ),
    solution=(compose_file("init", INIT), INIT_UP),
    mistakes=(
        Mistake("app starts with init", (
            compose_file("init", INIT.replace("    depends_on:\n      init:\n        condition: "
                                              "service_completed_successfully\n", "    depends_on:\n      - init\n")),
            INIT_UP), "starts as soon as init has started (service_started)",
            hint=("`- init` only waits for init's container to start, so app may read the volume before init has "
                  "written it. Write `depends_on:`, `init:`, `condition: service_completed_successfully`.")),
        Mistake("app run as root", (
            compose_file("init", INIT.replace('    user: "1000:1000"\n', "")), INIT_UP),
            "lab-init-app-1 runs as root",
            hint=("app runs as root, the image's default user, so the chown proves nothing and its files belong to "
                  "root. Add `user: \"1000:1000\"` under app in compose.yaml, then `up` again.")),
        Mistake("init fails", (
            compose_file("init", INIT.replace("> /config/version.txt", "> /conf/version.txt")), INIT_UP),
            "lab-init-init-1 exited with code",
            hint=("init failed, so Compose never started app. Read `docker logs lab-init-init-1`: init must write "
                  "to /config/version.txt, the path where the volume is mounted. Fix it, then `up` again.")),
        Mistake("no chown", (
            compose_file("init", INIT.replace(" && chown -R 1000:1000 /config", "")), INIT_UP),
            "There is no app.txt in volume lab-init_config",
            hint=("app runs as UID 1000 and cannot write to a volume folder that belongs to root. Let init hand it "
                  "over after writing: `... && chown -R 1000:1000 /config`, then `up` again.")),
    ),
)

EXERCISES = (HEALTHY_FIRST, SEEDED, INIT_FIRST)
