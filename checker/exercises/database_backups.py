"""Lesson 17: consistent backups of a database: a stopped server's volume in a tar, and dated dumps kept N deep."""
from checker.grading.archive_checks import archive_taken_while_stopped, host_archive
from checker.grading.checks import (container_env, container_exists, container_image, container_running, has_mount,
                                    host_script)
from checker.grading.dump_checks import dated_dumps
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson
from .databases import wait_for

LESSON = Lesson(
    number=17, slug="database-backups", title="Consistent backups of a database",
    summary="a dump, or the stopped server's volume in a tar; a dated backup script that keeps the last few.",
    images=("busybox:1.36", "postgres:17"))
DATA = "/var/lib/postgresql/data"
ROW = "one pot of tea"
WAIT = wait_for("lab-shop")
RUN = f"docker run -d --name lab-shop -e POSTGRES_PASSWORD=lab-secret -v lab-shopdata:{DATA} postgres:17"
SEED = (f"docker exec lab-shop psql -U postgres -c \"CREATE TABLE orders (item text); "
        f"INSERT INTO orders VALUES ('{ROW}');\"")
ARCHIVE = "$WORKSPACE/db-backups/lab-shopdata.tar.gz"


def tar_volume(options: str = "czf", what: str = "-C /data .") -> str:
    return (f'docker run --rm -v lab-shopdata:/data:ro -v "$WORKSPACE/db-backups":/backup busybox:1.36 '
            f"tar {options} /backup/lab-shopdata.tar.gz {what}")


COLD_ARCHIVE = Exercise(
    id="ex44",
    title="Archive a stopped database's volume",
    part_of=LESSON,
    goal=(f"Run lab-shop from postgres:17 (POSTGRES_PASSWORD=lab-secret) with the volume lab-shopdata at {DATA}, and "
          f"create a table orders holding the row '{ROW}'. Stop lab-shop, archive its volume to "
          "db-backups/lab-shopdata.tar.gz in your workspace (gzip, paths from the volume's root), then start it "
          "again."),
    owns=Owned(containers=("lab-shop",), volumes=("lab-shopdata",), host_paths=("db-backups",)),
    checks=(
        host_archive(ARCHIVE, ("PG_VERSION", "base", "global/pg_control"), holding={"PG_VERSION": "17"},
                     next_step=f"Stop lab-shop, then `{tar_volume()}`."),
        container_exists("lab-shop", how=f"Run `{RUN}`."),
        container_image("lab-shop", "postgres:17"),
        container_env("lab-shop", "POSTGRES_PASSWORD", "lab-secret"),
        has_mount("lab-shop", DATA, "volume", "lab-shopdata", flag=f"-v lab-shopdata:{DATA}"),
        archive_taken_while_stopped(ARCHIVE, "lab-shop"),
        container_running("lab-shop"),
    ),
    hints=(
        "A database's files are consistent only while the server is stopped: stop it, copy, start it.",
        "The archive is the lesson 9 way: a throwaway container mounts the volume read-only and a host folder, and "
        "runs tar czf with -C /data .",
        f"{RUN}; {WAIT}; {SEED}; docker stop lab-shop; {tar_volume()}; docker start lab-shop; {WAIT}",
    ),
    solution=(RUN, WAIT, SEED, "docker stop lab-shop", tar_volume(), "docker start lab-shop", WAIT),
    mistakes=(
        Mistake("archived while it runs", (RUN, WAIT, SEED, tar_volume()), "was taken while lab-shop was running",
                hint=(f"Stop the server first, then archive, then start it: `docker stop lab-shop; {tar_volume()}; "
                      "docker start lab-shop`.")),
        Mistake("never started again", (RUN, WAIT, SEED, "docker stop lab-shop", tar_volume()),
                "lab-shop is not running",
                hint="The archive is safe; the last step is to start the server again: `docker start lab-shop`."),
        Mistake("plain tar named .tar.gz", (RUN, WAIT, SEED, "docker stop lab-shop", tar_volume("cf")),
                "is a plain, uncompressed tar archive",
                hint=f"tar cf does not compress; czf does. With lab-shop stopped: `{tar_volume()}`."),
        Mistake("archived the folder, not its contents", (
            RUN, WAIT, SEED, "docker stop lab-shop", tar_volume(what="/data")), "stores the files under data/",
                hint=f"Archive from inside the folder with -C /data . : `{tar_volume()}`."),
    ),
)

SCRIPT_FILE = "$WORKSPACE/backup-shop.sh"
DUMP_TO_PARTIAL = 'docker exec lab-shop pg_dump -U postgres postgres > "$dir/.partial.sql"'
PRUNE = 'ls "$dir"/lab-shop-*.sql | sort -r | tail -n +4 | while read -r old; do rm -- "$old"; done'


def script(dump: str = DUMP_TO_PARTIAL, keep: str = PRUNE, name: str = 'lab-shop-$(date -u +%Y-%m-%d_%H%M%S).sql',
           executable: bool = True) -> str:
    """A command that writes the backup script; the reference one dumps to a temporary name, then renames."""
    rename = f'mv "$dir/.partial.sql" "$dir/{name}"' if ".partial" in dump else ""
    lines = ["#!/bin/sh", "# Dump lab-shop's database into shop-dumps/ beside this script; keep the newest 3.",
             "set -eu", 'dir="$(dirname "$0")/shop-dumps"', 'mkdir -p "$dir"', dump, rename, keep]
    body = "\n".join(line for line in lines if line)
    made = f"cat > \"{SCRIPT_FILE}\" <<'EOF'\n{body}\nEOF"
    return made + f"\nchmod +x \"{SCRIPT_FILE}\"" if executable else made


RUN_FIVE_TIMES = f'for run in 1 2 3 4 5; do "{SCRIPT_FILE}"; sleep 1; done'
NAIVE_DUMP = 'docker exec lab-shop pg_dump -U postgres postgres > "$dir/lab-shop-$(date -u +%Y-%m-%d_%H%M%S).sql"'

ROTATION = Exercise(
    id="ex45",
    title="A backup script that keeps the last three dumps",
    part_of=LESSON,
    goal=("Write backup-shop.sh in your workspace, an executable script: each run dumps lab-shop's database "
          "postgres (that one database) with pg_dump into shop-dumps/ beside the script, in a file whose name holds "
          "the date and time in UTC (lab-shop-2026-11-23_101500.sql), and then deletes all but the newest 3 dumps. "
          "Run it five times, a second apart."),
    owns=Owned(host_paths=("shop-dumps", "backup-shop.sh")),
    builds_on=("ex44",),
    checks=(
        host_script(SCRIPT_FILE, contains="pg_dump", next_step="Write the script (`labcheck hint ex45`)."),
        dated_dumps("$WORKSPACE/shop-dumps", keep=3, table="orders", row=ROW,
                    example="lab-shop-2026-11-23_101500.sql", one_database=True, utc_names=True, newest_kept=True,
                    next_step=f"Write the script (`labcheck hint ex45`), then `{RUN_FIVE_TIMES}`."),
    ),
    hints=(
        "date -u +%Y-%m-%d_%H%M%S prints a UTC stamp that sorts in time order all year (local time jumps back an "
        "hour once a year), so `sort` on the names sorts the dumps.",
        "`ls DIR/lab-shop-*.sql | sort -r | tail -n +4` lists all but the newest three: delete those.",
        "Dump to a temporary name and rename it when the dump is complete, so a failed run leaves no half dump.",
        f"{script()}\n{RUN_FIVE_TIMES}",
    ),
    solution=(script(), RUN_FIVE_TIMES),
    mistakes=(
        Mistake("kept every dump", (script(keep=""), RUN_FIVE_TIMES), "holds 5 dated dumps, not 3",
                hint=f"Add the pruning line to the script: `{PRUNE}`; then run it once more."),
        Mistake("kept the oldest", (script(keep=PRUNE.replace("sort -r", "sort")), RUN_FIVE_TIMES),
                "the rotation keeps the oldest dumps",
                hint=("`sort` lists the oldest name first, so `tail -n +4` picked the newest dumps for deletion. "
                      "Sort newest first (`sort -r`), delete the dumps in shop-dumps, and run the script five "
                      "times again.")),
        Mistake("local time in the names", (script(name="lab-shop-$(date +%Y-%m-%d_%H%M%S).sql"),
                                            f"export TZ=EST5; {RUN_FIVE_TIMES}"),
                "so the name holds local time, not UTC",
                hint=("`date` without -u prints local time, which jumps back an hour once a year where clocks "
                      "change, so names stop sorting in time order. Use `date -u +%Y-%m-%d_%H%M%S`, delete the "
                      "dumps in shop-dumps, and run the script five times again.")),
        Mistake("dumped the whole cluster", (
            script(dump=DUMP_TO_PARTIAL.replace("pg_dump -U postgres postgres", "pg_dumpall -U postgres")),
            RUN_FIVE_TIMES), "is a pg_dumpall of the whole cluster",
                hint=("pg_dumpall dumps every database and the roles; this backup is of one database: `pg_dump -U "
                      "postgres postgres`. Fix the script, delete the dumps in shop-dumps, and run it again.")),
        Mistake("script not executable", (script(executable=False),
                                          f'for run in 1 2 3 4 5; do sh "{SCRIPT_FILE}"; sleep 1; done'),
                "is not executable",
                hint=f'Make it executable, so that it runs as a command of its own: `chmod +x "{SCRIPT_FILE}"`.'),
        Mistake("one name for every run", (script(name="lab-shop.sql"), RUN_FIVE_TIMES),
                "has no date in its name",
                hint="Put the moment into the name: lab-shop-$(date -u +%Y-%m-%d_%H%M%S).sql; remove lab-shop.sql."),
        Mistake("dumped while the server was down", (
            "docker stop lab-shop", script(dump=NAIVE_DUMP), RUN_FIVE_TIMES), "is empty",
                hint=("pg_dump needs a running server, and `> file` creates the file even when the command fails: "
                      "start lab-shop, dump to a temporary name and rename it only when the dump succeeded.")),
        Mistake("dumped another database", (
            script(dump=DUMP_TO_PARTIAL.replace("postgres postgres", "postgres template1")), RUN_FIVE_TIMES),
            "holds no table orders", hint="The table is in the database postgres: `pg_dump -U postgres postgres`."),
    ),
)

EXERCISES = (COLD_ARCHIVE, ROTATION)
