"""Lesson 12: database state in volumes, dumps, and a major-version upgrade (PostgreSQL 15 to 17)."""
from checker.grading.checks import (container_env, container_exists, container_image, container_recreated_after, container_running, has_mount,
                      volume_exists, volume_file)
from checker.grading.dump_checks import host_dump
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=12, slug="databases", title="Databases: state, dumps and major-version upgrades",
    summary="a database's state in a volume, dumps, and moving from PostgreSQL 15 to 17.",
    images=("postgres:15", "postgres:17"))
DATA = "/var/lib/postgresql/data"


def run_db(name: str, volume: str, image: str) -> str:
    return (f"docker run -d --name {name} -e POSTGRES_PASSWORD=lab-secret -v {volume}:{DATA} {image}")


def wait_for(name: str) -> str:
    """Ready means accepting TCP: during first-start initialisation the server listens on its socket only."""
    return f"until docker exec {name} pg_isready -q -h 127.0.0.1 -U postgres; do sleep 0.5; done"


CREATE_ROW = ("docker exec lab-db psql -U postgres -c \"CREATE TABLE notes (body text); "
              "INSERT INTO notes VALUES ('kept across containers');\"")

SURVIVES = Exercise(
    id="ex32",
    title="A database that outlives its container",
    part_of=LESSON,
    goal=(f"Run lab-db from postgres:15 (POSTGRES_PASSWORD=lab-secret) with the volume lab-pgdata at {DATA}. Create "
          "a table notes holding the row 'kept across containers'. Remove lab-db and start a new lab-db on the same "
          "volume."),
    owns=Owned(containers=("lab-db",), volumes=("lab-pgdata",)),
    checks=(
        container_exists("lab-db", how=f"Run `{run_db('lab-db', 'lab-pgdata', 'postgres:15')}`."),
        container_image("lab-db", "postgres:15"),
        container_env("lab-db", "POSTGRES_PASSWORD", "lab-secret"),
        has_mount("lab-db", DATA, "volume", "lab-pgdata", flag=f"-v lab-pgdata:{DATA}"),
        container_running("lab-db"),
        volume_exists("lab-pgdata"),
        volume_file("lab-pgdata", "PG_VERSION", lines=("15",), next_step=(
            f"The volume must hold PostgreSQL's data folder: mount it at {DATA}.")),
        container_recreated_after("lab-db", "lab-pgdata"),
    ),
    hints=(
        f"The official image, up to postgres:17, keeps its data in {DATA}; that is where the volume goes.",
        "Wait until `pg_isready -h 127.0.0.1` succeeds before you connect: the first start initialises the database.",
        f"{run_db('lab-db', 'lab-pgdata', 'postgres:15')}; {wait_for('lab-db')}; {CREATE_ROW}; docker rm -f lab-db; "
        f"{run_db('lab-db', 'lab-pgdata', 'postgres:15')}",
    ),
    solution=(run_db("lab-db", "lab-pgdata", "postgres:15"), wait_for("lab-db"), CREATE_ROW, "docker rm -f lab-db",
              run_db("lab-db", "lab-pgdata", "postgres:15"), wait_for("lab-db")),
    mistakes=(
        Mistake("no volume", ("docker run -d --name lab-db -e POSTGRES_PASSWORD=lab-secret postgres:15",),
                "is an anonymous volume",
                hint=("Without -v, the image's VOLUME gave lab-db an anonymous volume, lost with the container. "
                      "Remove both (`docker rm -fv lab-db`) and run it again with `-v "
                      "lab-pgdata:/var/lib/postgresql/data`.")),
        Mistake("wrong data path", (
            "docker run -d --name lab-db -e POSTGRES_PASSWORD=lab-secret -v lab-pgdata:/data postgres:15",),
            "mounts volume lab-pgdata at /data, not at /var/lib/postgresql/data",
                hint=("PostgreSQL 15 keeps its data in /var/lib/postgresql/data, so lab-pgdata at /data stays "
                      "empty. Remove lab-db with the anonymous volume it got (`docker rm -fv lab-db`) and run it "
                      "again with `-v lab-pgdata:/var/lib/postgresql/data`.")),
        Mistake("no password", ("docker run -d --name lab-db -v lab-pgdata:/var/lib/postgresql/data postgres:15",
                                "docker wait lab-db"), "lab-db's POSTGRES_PASSWORD is not set",
                hint=("lab-db has no POSTGRES_PASSWORD, and the postgres image will not initialise a new database "
                      "without it, so it stopped (see `docker logs lab-db`). Remove it (`docker rm lab-db`) and run "
                      "it again with `-e POSTGRES_PASSWORD=lab-secret`.")),
        Mistake("never recreated", (run_db("lab-db", "lab-pgdata", "postgres:15"), wait_for("lab-db")),
                "is the container that first created lab-pgdata",
                hint=("lab-db is still the container that created lab-pgdata. Once the table holds the row, remove "
                      "it (`docker rm -f lab-db`) and run a new lab-db with the same `-v "
                      "lab-pgdata:/var/lib/postgresql/data`: the row is still there.")),
    ),
)

DUMP = 'mkdir -p "$WORKSPACE/pg" && docker exec lab-db pg_dumpall -U postgres > "$WORKSPACE/pg/dump.sql"'

DUMP_IT = Exercise(
    id="ex33",
    title="Dump the database to a file on the host",
    part_of=LESSON,
    goal="Write a dump of every database in lab-db to pg/dump.sql in your workspace, with pg_dumpall.",
    owns=Owned(host_paths=("pg",)),
    builds_on=("ex32",),
    checks=(
        host_dump("$WORKSPACE/pg/dump.sql", table="notes", row="kept across containers", cluster=True,
                  server_major="15", next_step=f"Run `{DUMP}`."),
    ),
    hints=("`docker exec` runs pg_dumpall inside the container; its output comes out on your terminal.",
           "Redirect that output with > into a file on the host.", DUMP),
    solution=(DUMP,),
    mistakes=(
        Mistake("pg_dump of one database", (
            'mkdir -p "$WORKSPACE/pg" && docker exec lab-db pg_dump -U postgres postgres > "$WORKSPACE/pg/dump.sql"',),
            "is a dump of one database",
                hint=("dump.sql comes from pg_dump, which dumps one database. Use `docker exec lab-db pg_dumpall -U"
                      ' postgres > "$WORKSPACE/pg/dump.sql"`, which dumps every database and the roles.')),
    ),
)

RESTORE = 'docker exec -i lab-db17 psql -q -U postgres -f - < "$WORKSPACE/pg/dump.sql"'
PROOF = 'docker exec lab-db17 pg_dumpall -U postgres > "$WORKSPACE/pg/after-upgrade.sql"'

UPGRADE = Exercise(
    id="ex34",
    title="Upgrade PostgreSQL 15 to 17 with dump and restore",
    part_of=LESSON,
    goal=(f"Run lab-db17 from postgres:17 on a NEW volume lab-pgdata17 at {DATA}, restore pg/dump.sql into it, then "
          "dump it again to pg/after-upgrade.sql as proof."),
    owns=Owned(containers=("lab-db17",), volumes=("lab-pgdata17",)),
    builds_on=("ex33",),
    checks=(
        container_exists("lab-db17", how=f"Run `{run_db('lab-db17', 'lab-pgdata17', 'postgres:17')}`."),
        container_image("lab-db17", "postgres:17"),
        has_mount("lab-db17", DATA, "volume", "lab-pgdata17", flag=f"-v lab-pgdata17:{DATA}"),
        container_running("lab-db17"),
        volume_exists("lab-pgdata17"),
        volume_file("lab-pgdata17", "PG_VERSION", lines=("17",), next_step="Start lab-db17 on a new, empty volume."),
        host_dump("$WORKSPACE/pg/after-upgrade.sql", table="notes", row="kept across containers", server_major="17",
                  next_step=f"Restore (`{RESTORE}`), then `{PROOF}`."),
    ),
    hints=(
        "PostgreSQL 17 cannot start on a data folder written by 15: a new major version needs a new, empty volume.",
        "psql -f - reads SQL from standard input; docker exec -i passes yours through.",
        f"{run_db('lab-db17', 'lab-pgdata17', 'postgres:17')}; {wait_for('lab-db17')}; {RESTORE}; {PROOF}",
    ),
    solution=(run_db("lab-db17", "lab-pgdata17", "postgres:17"), wait_for("lab-db17"), RESTORE, PROOF),
    mistakes=(
        Mistake("17 on the old volume", (
            f"docker run -d --name lab-db17 -e POSTGRES_PASSWORD=lab-secret -v lab-pgdata:{DATA} postgres:17",
            "docker wait lab-db17"), "holds volume lab-pgdata, not lab-pgdata17",
                hint=("lab-db17 mounts lab-pgdata, a PostgreSQL 15 data folder that 17 will not start on. Remove it"
                      " (`docker rm -f lab-db17`) and run it on a new volume: `-v "
                      "lab-pgdata17:/var/lib/postgresql/data`.")),
        Mistake("proof from the old server", (
            run_db("lab-db17", "lab-pgdata17", "postgres:17"), wait_for("lab-db17"), RESTORE,
            'docker exec lab-db pg_dumpall -U postgres > "$WORKSPACE/pg/after-upgrade.sql"'),
                "dumped from a PostgreSQL 15 server",
                hint=f"The proof must come from the new server, lab-db17: `{PROOF}`."),
        Mistake("no restore", (run_db("lab-db17", "lab-pgdata17", "postgres:17"), wait_for("lab-db17"), PROOF),
                "holds no table notes",
                hint=("after-upgrade.sql lacks your row: lab-db17 started empty and nothing was restored. Restore "
                      'the dump (`docker exec -i lab-db17 psql -q -U postgres -f - < "$WORKSPACE/pg/dump.sql"`), '
                      "then dump again to pg/after-upgrade.sql.")),
    ),
)

EXERCISES = (SURVIVES, DUMP_IT, UPGRADE)
