"""Lesson 16: PostgreSQL 18's data layout, and moving a 17 database into it with the newer client's dump."""
from checker.grading.checks import (container_env, container_exists, container_image, container_running, has_mount, no_mount_at, volume_exists,
                      volume_file)
from checker.grading.dump_checks import host_dump
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson
from .databases import wait_for

LESSON = Lesson(
    number=16, slug="postgres-18", title="PostgreSQL 18's new data layout",
    summary="where postgres:18 keeps its data, why a volume at …/data stops it, and moving 17's data into 18.",
    images=("postgres:17", "postgres:18"))
OLD_DATA = "/var/lib/postgresql/data"        # PGDATA and VOLUME up to 17
NEW_MOUNT = "/var/lib/postgresql"            # VOLUME from 18 on; PGDATA is 18/docker below it
ROW = "moved to the new layout"


RUN_17 = f"docker run -d --name lab-pg17 -e POSTGRES_PASSWORD=lab-secret -v lab-pg17data:{OLD_DATA} postgres:17"
SEED_17 = (f"docker exec lab-pg17 psql -U postgres -c \"CREATE TABLE notes (body text); "
           f"INSERT INTO notes VALUES ('{ROW}');\"")
DUMP_BY_18 = ('mkdir -p "$WORKSPACE/pg18" && docker run --rm --network container:lab-pg17 -e PGPASSWORD=lab-secret '
              'postgres:18 pg_dumpall -h 127.0.0.1 -U postgres > "$WORKSPACE/pg18/from-17.sql"')
DUMP_BY_17 = ('mkdir -p "$WORKSPACE/pg18" && docker exec lab-pg17 pg_dumpall -U postgres '
              '> "$WORKSPACE/pg18/from-17.sql"')

DUMP_WITH_18 = Exercise(
    id="ex42",
    title="Dump PostgreSQL 17 with the 18 client",
    part_of=LESSON,
    goal=(f"Run lab-pg17 from postgres:17 (POSTGRES_PASSWORD=lab-secret) with the volume lab-pg17data at {OLD_DATA}, "
          f"and create a table notes holding the row '{ROW}'. Then dump every database in it to pg18/from-17.sql in "
          "your workspace with pg_dumpall from postgres:18, the version you are moving to."),
    owns=Owned(containers=("lab-pg17",), volumes=("lab-pg17data",), host_paths=("pg18",)),
    checks=(
        container_exists("lab-pg17", how=f"Run `{RUN_17}`."),
        container_image("lab-pg17", "postgres:17"),
        container_env("lab-pg17", "POSTGRES_PASSWORD", "lab-secret"),
        has_mount("lab-pg17", OLD_DATA, "volume", "lab-pg17data", flag=f"-v lab-pg17data:{OLD_DATA}"),
        container_running("lab-pg17"),
        host_dump("$WORKSPACE/pg18/from-17.sql", table="notes", row=ROW, cluster=True, server_major="17",
                  client_major="18", next_step=f"Run `{DUMP_BY_18}`."),
    ),
    hints=(
        "Upgrade notes say: dump with the NEWER version's pg_dumpall. It is in the postgres:18 image, not in lab-pg17.",
        "`--network container:lab-pg17` puts a throwaway container in lab-pg17's network namespace: 127.0.0.1 there "
        "is lab-pg17's own loopback, which the postgres image trusts, so the client needs no password (PGPASSWORD in "
        "the full command only matters where the server asks for one, such as a client on another container's "
        "network).",
        f"{RUN_17}; {wait_for('lab-pg17')}; {SEED_17}; {DUMP_BY_18}",
    ),
    solution=(RUN_17, wait_for("lab-pg17"), SEED_17, DUMP_BY_18),
    mistakes=(
        Mistake("dumped with 17's own client", (RUN_17, wait_for("lab-pg17"), SEED_17, DUMP_BY_17),
                "was written by pg_dump 17",
                hint=("`docker exec lab-pg17 pg_dumpall` runs 17's own client. Run 18's against the 17 server: "
                      f"`{DUMP_BY_18}`.")),
        Mistake("dumped before the table existed", (RUN_17, wait_for("lab-pg17"), DUMP_BY_18), "holds no table notes",
                hint=f"Create the table and its row first (`{SEED_17}`), then dump again."),
        Mistake("the client in its own network namespace", (
            RUN_17, wait_for("lab-pg17"), SEED_17,
            'mkdir -p "$WORKSPACE/pg18" && docker run --rm -e PGPASSWORD=lab-secret postgres:18 '
            'pg_dumpall -h 127.0.0.1 -U postgres > "$WORKSPACE/pg18/from-17.sql"'), "is empty",
                hint=("Without `--network container:lab-pg17`, 127.0.0.1 is the throwaway container's own loopback, "
                      "where no server listens: pg_dumpall failed, and the redirect left an empty file. Share "
                      f"lab-pg17's network namespace: `{DUMP_BY_18}`.")),
    ),
)

RUN_18 = f"docker run -d --name lab-pg18 -e POSTGRES_PASSWORD=lab-secret -v lab-pg18data:{NEW_MOUNT} postgres:18"
RESTORE = 'docker exec -i lab-pg18 psql -q -U postgres -f - < "$WORKSPACE/pg18/from-17.sql"'
PROOF = 'docker exec lab-pg18 pg_dumpall -U postgres > "$WORKSPACE/pg18/after-upgrade.sql"'

INTO_18 = Exercise(
    id="ex43",
    title="Restore into PostgreSQL 18's layout",
    part_of=LESSON,
    goal=(f"Run lab-pg18 from postgres:18 (POSTGRES_PASSWORD=lab-secret) with a new volume lab-pg18data mounted at "
          f"{NEW_MOUNT}, restore pg18/from-17.sql into it, then dump it to pg18/after-upgrade.sql as proof."),
    owns=Owned(containers=("lab-pg18",), volumes=("lab-pg18data",), host_paths=("pg18/after-upgrade.sql",)),
    builds_on=("ex42",),
    checks=(
        container_exists("lab-pg18", how=f"Run `{RUN_18}`."),
        container_image("lab-pg18", "postgres:18"),
        container_env("lab-pg18", "POSTGRES_PASSWORD", "lab-secret"),
        no_mount_at("lab-pg18", OLD_DATA, why=(
            "PostgreSQL 18 keeps its data in /var/lib/postgresql/18/docker, and its entrypoint refuses to start with "
            f"a mount at {OLD_DATA} (`docker logs lab-pg18` says why).")),
        has_mount("lab-pg18", NEW_MOUNT, "volume", "lab-pg18data", flag=f"-v lab-pg18data:{NEW_MOUNT}"),
        container_running("lab-pg18"),
        volume_exists("lab-pg18data"),
        volume_file("lab-pg18data", "18/docker/PG_VERSION", lines=("18",), next_step=(
            f"Mount the new, empty volume at {NEW_MOUNT}: the server makes 18/docker in it on its first start.")),
        host_dump("$WORKSPACE/pg18/after-upgrade.sql", table="notes", row=ROW, server_major="18", next_step=(
            f"Restore (`{RESTORE}`), then `{PROOF}`.")),
    ),
    hints=(
        f"From 18 on, the volume goes one level up: {NEW_MOUNT}, not {OLD_DATA}.",
        "psql -f - reads SQL from standard input; docker exec -i passes your file through.",
        f"{RUN_18}; {wait_for('lab-pg18')}; {RESTORE}; {PROOF}",
    ),
    solution=(RUN_18, wait_for("lab-pg18"), RESTORE, PROOF),
    mistakes=(
        Mistake("the volume at the old path", (
            f"docker run -d --name lab-pg18 -e POSTGRES_PASSWORD=lab-secret -v lab-pg18data:{OLD_DATA} postgres:18",
            "docker wait lab-pg18"), f"refuses to start with a mount at {OLD_DATA}",
                hint=(f"Remove lab-pg18 and lab-pg18data, then run it with `-v lab-pg18data:{NEW_MOUNT}`: "
                      f"`docker rm lab-pg18; docker volume rm lab-pg18data; {RUN_18}`.")),
        Mistake("18 on the 17 volume", (
            f"docker run -d --name lab-pg18 -e POSTGRES_PASSWORD=lab-secret -v lab-pg17data:{NEW_MOUNT} postgres:18",
            "docker wait lab-pg18"), "holds volume lab-pg17data, not lab-pg18data",
                hint=("18 cannot use 17's data files, and refuses a volume that holds them. Give it a new, empty "
                      f"volume: `docker rm lab-pg18; {RUN_18}`.")),
        Mistake("no restore", (RUN_18, wait_for("lab-pg18"), PROOF), "holds no table notes",
                hint=f"The new server starts empty: restore the dump (`{RESTORE}`), then dump again (`{PROOF}`)."),
    ),
)

EXERCISES = (DUMP_WITH_18, INTO_18)
