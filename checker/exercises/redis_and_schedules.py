"""Lesson 19: Redis persistence and backups on a schedule."""
from checker.grading.checks import container_exists, container_image, container_running, has_mount, volume_exists
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson
from checker.grading.redis_checks import (aof_in_volume, appendonly_on, host_rdb, is_rdb, loaded_at_start, rdb_holds,
                                          volume_rdb)
from checker.grading.schedule_checks import scheduled_archives
from .compose import project_owns

LESSON = Lesson(
    number=19, slug="redis-and-schedules", title="Redis persistence and backups on a schedule",
    summary=("Redis's RDB and AOF files in /data, a BGSAVE backup restored into a new volume, and a Compose service "
             "that backs up on a schedule and keeps the last few."),
    images=("busybox:1.36", "redis:8"))
KEY, VALUE = "lab:greeting", "hello-redis"


def wait_for(name: str) -> str:
    """Ready means answering PONG: while it loads its files, the server answers LOADING."""
    return f"until docker exec {name} redis-cli PING 2>/dev/null | grep -q PONG; do sleep 0.2; done"


RUN = "docker run -d --name lab-redis -v lab-redisdata:/data redis:8 --appendonly yes"
SET = f"docker exec lab-redis redis-cli SET {KEY} {VALUE}"
RESTART = "docker restart lab-redis"

AOF = Exercise(
    id="ex53",
    title="Redis with an append-only file on a volume",
    part_of=LESSON,
    goal=(f"Run lab-redis from redis:8 with the volume lab-redisdata at /data and the append-only file switched on "
          f"in its command (--appendonly yes). Set the key {KEY} to {VALUE}. Then restart the server (docker restart, "
          "or remove the container and run it again the same way) so that it reads the key back from its files, and "
          "leave it running."),
    owns=Owned(containers=("lab-redis",), volumes=("lab-redisdata",)),
    checks=(
        container_exists("lab-redis", how=f"Run `{RUN}`."),
        container_running("lab-redis"),
        has_mount("lab-redis", "/data", "volume", "lab-redisdata", flag="-v lab-redisdata:/data"),
        volume_exists("lab-redisdata"),
        appendonly_on("lab-redis", "lab-redisdata", RUN),
        aof_in_volume("lab-redisdata", KEY, VALUE, next_step=f"`{SET}`, then `{RESTART}`."),
        loaded_at_start("lab-redis", "lab-redisdata", KEY, VALUE,
                        redo=f"Restart it so it reads the key back from disk: `{RESTART}`."),
    ),
    hints=(
        "The official image passes arguments that start with - to redis-server: `redis:8 --appendonly yes`.",
        "Redis keeps its files in /data in this image; from Redis 7 the AOF is the folder appendonlydir/ there.",
        f"{RUN}; {wait_for('lab-redis')}; {SET}; {RESTART}",
    ),
    solution=(RUN, wait_for("lab-redis"), SET, RESTART, wait_for("lab-redis")),
    mistakes=(
        Mistake("AOF switched on at run time", (
            RUN.replace(" --appendonly yes", ""), wait_for("lab-redis"),
            "docker exec lab-redis redis-cli CONFIG SET appendonly yes", SET, RESTART, wait_for("lab-redis")),
            "was switched on at run time",
            hint=("CONFIG SET appendonly yes lasts until the server restarts; put it in the command: "
                  f"`docker rm -f lab-redis`, then `{RUN}`; set the key again and restart.")),
        Mistake("AOF switched on over RDB-only data", (
            RUN.replace(" --appendonly yes", ""), wait_for("lab-redis"), SET, "docker stop lab-redis",
            "docker rm lab-redis", RUN,
            wait_for("lab-redis")),
            "With AOF on, Redis loads the AOF",
            hint=("A server started with --appendonly yes over a volume holding only dump.rdb starts empty. Set the "
                  f"key again in the running lab-redis (`{SET}`), then `{RESTART}`. Next time switch AOF on with "
                  "CONFIG SET appendonly yes first (it writes the data into the AOF), then restart with the option.")),
        Mistake("the image's anonymous volume", (
            RUN.replace(" -v lab-redisdata:/data", ""), wait_for("lab-redis"), SET, RESTART),
            "is an anonymous volume",
            hint=("redis:8 declares VOLUME /data, so without -v every container gets a new nameless volume. "
                  f"`docker rm -f lab-redis`, then `{RUN}`, set the key and restart.")),
        Mistake("never restarted", (RUN, wait_for("lab-redis"), SET),
                "the server reads its files only when it starts",
                hint=f"Restart it to show the key survives: `{RESTART}`."),
    ),
)

BACKUPS = "$WORKSPACE/redis-backups"
BGSAVE = ("before=$(docker exec lab-redis redis-cli LASTSAVE); sleep 1; docker exec lab-redis redis-cli BGSAVE; "
          'while [ "$(docker exec lab-redis redis-cli LASTSAVE)" = "$before" ]; do sleep 0.5; done')
COPY_OUT = f'mkdir -p "{BACKUPS}" && docker cp lab-redis:/data/dump.rdb "{BACKUPS}/lab-redis.rdb"'
RESTORE_INTO = ('docker volume create lab-restoreddata && docker run --rm -v lab-restoreddata:/data '
                f'-v "{BACKUPS}":/backup:ro busybox:1.36 cp /backup/lab-redis.rdb /data/dump.rdb')
RUN_RESTORED = "docker run -d --name lab-redis-restored -v lab-restoreddata:/data redis:8"

RESTORE = Exercise(
    id="ex54",
    title="A BGSAVE backup, restored into a new volume",
    part_of=LESSON,
    goal=("Back up lab-redis: note LASTSAVE, run BGSAVE, wait until LASTSAVE changes, then copy /data/dump.rdb out to "
          "redis-backups/lab-redis.rdb in your workspace. Restore it into a new volume lab-restoreddata as dump.rdb, "
          "and run lab-redis-restored from redis:8 with that volume at /data, so that it starts with "
          f"{KEY} = {VALUE}. Leave it running."),
    owns=Owned(containers=("lab-redis-restored",), volumes=("lab-restoreddata",), host_paths=("redis-backups",)),
    builds_on=("ex53",),
    checks=(
        host_rdb(f"{BACKUPS}/lab-redis.rdb", KEY, VALUE, next_step=f"`{BGSAVE}`, then `{COPY_OUT}`."),
        volume_exists("lab-restoreddata"),
        volume_rdb("lab-restoreddata", "dump.rdb", KEY, VALUE, next_step=f"`{RESTORE_INTO}`."),
        container_exists("lab-redis-restored", how=f"Run `{RUN_RESTORED}`."),
        container_running("lab-redis-restored"),
        container_image("lab-redis-restored", "redis:8"),
        has_mount("lab-redis-restored", "/data", "volume", "lab-restoreddata", flag="-v lab-restoreddata:/data"),
        loaded_at_start("lab-redis-restored", "lab-restoreddata", KEY, VALUE,
                        redo=("Put dump.rdb in the volume before the server starts: `docker rm -f lab-redis-restored`, "
                              f"then `{RUN_RESTORED}`.")),
    ),
    hints=(
        "BGSAVE returns at once and saves in a child process; LASTSAVE changes when the save has finished.",
        "`docker cp lab-redis:/data/dump.rdb FILE` copies it out; a throwaway busybox:1.36 container with both the "
        "new volume and the backup folder mounted copies it in.",
        "Without --appendonly the restored server loads dump.rdb when it starts; with it, it would load an empty AOF.",
        f"{BGSAVE}; {COPY_OUT}; {RESTORE_INTO}; {RUN_RESTORED}",
    ),
    solution=(BGSAVE, COPY_OUT, RESTORE_INTO, RUN_RESTORED, wait_for("lab-redis-restored")),
    mistakes=(
        Mistake("restored server started with AOF on", (
            BGSAVE, COPY_OUT, RESTORE_INTO, RUN_RESTORED + " --appendonly yes", wait_for("lab-redis-restored")),
            "runs with AOF on, and the AOF in lab-restoreddata does not hold",
            hint=("The new server made an empty AOF and ignored dump.rdb. Remove container and volume (`docker rm -f "
                  "lab-redis-restored; docker volume rm lab-restoreddata`), restore again and run it without "
                  "--appendonly; switch AOF on later with CONFIG SET appendonly yes.")),
        Mistake("mounted where Debian keeps it", (
            BGSAVE, COPY_OUT, RESTORE_INTO, RUN_RESTORED.replace(":/data", ":/var/lib/redis"),
            wait_for("lab-redis-restored")),
            "mounts volume lab-restoreddata at /var/lib/redis, not at /data",
            hint=("Debian's own redis-server package keeps its files in /var/lib/redis; the official image runs the "
                  "server in /data. `docker rm -f lab-redis-restored`, then "
                  f"`{RUN_RESTORED}`.")),
        Mistake("restored under another name", (
            BGSAVE, COPY_OUT, RESTORE_INTO.replace("/data/dump.rdb", "/data/lab-redis.rdb"), RUN_RESTORED),
            "There is no dump.rdb in volume lab-restoreddata",
            hint=("Redis reads the file its dbfilename names, dump.rdb by default: copy the backup in under that name "
                  "while the server is stopped, then start it.")),
    ),
)

KEEP = 3
SCHEDULE_KEY, SCHEDULE_VALUE = "lab:plan", "every-3-seconds"
FOLDER = "redis-schedule"
COMPOSE = f'docker compose -f "$WORKSPACE/{FOLDER}/compose.yaml"'
STACK = '''name: lab-sched
services:
  redis:
    image: redis:8
    volumes:
      - redisdata:/data
  backup:
    image: redis:8
    command: ["sh", "/backup.sh"]
    depends_on:
      - redis
    volumes:
      - redisdata:/data:ro
      - ./backup.sh:/backup.sh:ro
      - ./backups:/backups
volumes:
  redisdata:
'''


def backup_script(*, stamp: str = "date -u +%Y%m%dT%H%M%SZ", prune: str = "sort -r | tail -n +4",
                  archive: str = "tar -czf /backups/.partial.tar.gz -C /data dump.rdb", umask: str = "umask 022") -> str:
    """The backup service's loop: every 3 seconds a fresh snapshot (BGSAVE, then LASTSAVE changes), archived under
    a UTC name, the newest 3 kept."""
    return f'''#!/bin/sh
# Every 3 seconds: a fresh snapshot from redis, archived as /backups/redis-UTCTIME.tar.gz; the newest 3 kept.
{umask}
while true; do
    sleep 3
    before=$(redis-cli -h redis LASTSAVE) || continue
    redis-cli -h redis BGSAVE >/dev/null || continue
    tries=0
    while [ "$(redis-cli -h redis LASTSAVE)" = "$before" ] && [ $tries -lt 20 ]; do
        sleep 0.5; tries=$((tries + 1))
    done
    stamp=$({stamp})
    {archive} && mv /backups/.partial.tar.gz "/backups/redis-$stamp.tar.gz"
    ls /backups/redis-*.tar.gz | {prune} | while read -r old; do rm -f -- "$old"; done
done
'''


def write_stack(script: str = "", stack: str = STACK) -> str:
    script = script or backup_script()
    return (f'mkdir -p "$WORKSPACE/{FOLDER}" && cat > "$WORKSPACE/{FOLDER}/compose.yaml" <<\'YAML\'\n{stack}YAML\n'
            f'cat > "$WORKSPACE/{FOLDER}/backup.sh" <<\'SH\'\n{script}SH')


UP = f"{COMPOSE} up -d"
SET_PLAN = (f"{wait_for('lab-sched-redis-1')}; "
            f"docker exec lab-sched-redis-1 redis-cli SET {SCHEDULE_KEY} {SCHEDULE_VALUE}")
LET_IT_RUN = "sleep 22"


def judge_snapshot(content: bytes) -> str | None:
    if not is_rdb(content):
        return "is not an RDB snapshot (it does not start with REDIS and a version)"
    if not rdb_holds(content, SCHEDULE_KEY, SCHEDULE_VALUE):
        return f"does not hold {SCHEDULE_KEY} = {SCHEDULE_VALUE}: was the key set, and BGSAVE run before each copy"
    return None


SCHEDULE = Exercise(
    id="ex55",
    title="Backups on a schedule, the newest three kept",
    part_of=LESSON,
    goal=(f"Write {FOLDER}/compose.yaml in your workspace for a project lab-sched: a service redis (redis:8) with a "
          "named volume redisdata at /data, and a service backup that, every 3 seconds, has redis save a fresh "
          f"snapshot (BGSAVE, then wait for LASTSAVE to change) and archives dump.rdb as {FOLDER}/backups/redis-"
          f"UTCTIME.tar.gz (gzip, dump.rdb at the archive's root, the UTC time in the name such as "
          f"redis-20261203T101500Z.tar.gz, readable by everyone: umask 022), keeping the newest {KEEP}. Start it, set {SCHEDULE_KEY} to "
          f"{SCHEDULE_VALUE}, let it run for about 20 seconds, and leave it running."),
    owns=project_owns("lab-sched", FOLDER, ("redisdata",), services=("redis", "backup")),
    checks=(
        container_exists("lab-sched-backup-1", how=f"Write the files (`labcheck hint ex55`), then `{UP}`."),
        container_running("lab-sched-backup-1"),
        container_exists("lab-sched-redis-1", how=f"Add the redis service, then `{UP}`."),
        container_running("lab-sched-redis-1"),
        has_mount("lab-sched-redis-1", "/data", "volume", "lab-sched_redisdata",
                  redo=f"Mount the project volume: `- redisdata:/data` under the redis service, then `{UP}`."),
        scheduled_archives(f"$WORKSPACE/{FOLDER}/backups", keep=KEEP, member="dump.rdb", judge=judge_snapshot,
                           example="redis-20261203T101500Z.tar.gz", fresh_within=120,
                           next_step=f"Fix the backup service (`labcheck hint ex55`), `{UP} --force-recreate backup`, "
                                     "and let it run for 20 seconds.", readable_by_all=True),
    ),
    hints=(
        "The backup service can run from redis:8 too: it has redis-cli, sh, tar and date. Mount the data volume "
        "read-only and a host folder for the archives, and reach the server by its service name, redis.",
        "A loop with sleep is enough for every 3 seconds (crond's smallest step is a minute). `date -u "
        "+%Y%m%dT%H%M%SZ` names sort in time order; `ls … | sort -r | tail -n +4` lists all but the newest 3.",
        "The redis image's entrypoint sets umask 077 for every command it runs, so files the script writes would "
        "be readable by root only: start the script with `umask 022`.",
        f"{write_stack()}\n{UP}\n{SET_PLAN}\n{LET_IT_RUN}",
    ),
    solution=(write_stack(), UP, SET_PLAN, LET_IT_RUN),
    mistakes=(
        Mistake("kept every archive", (write_stack(backup_script(prune="grep -v .")), UP, SET_PLAN, LET_IT_RUN),
                "more than 3", hint=("Delete all but the newest three after each archive: "
                                     "`ls /backups/redis-*.tar.gz | sort -r | tail -n +4 | while read -r old; "
                                     f'do rm -f -- "$old"; done`; then `{UP} --force-recreate backup`.')),
        Mistake("kept the oldest", (write_stack(backup_script(prune="sort | tail -n +4")), UP, SET_PLAN, LET_IT_RUN),
                "keeps the oldest 3",
                hint=("`sort` lists the oldest first, so `tail -n +4` picked the new ones: sort with -r. Remove the "
                      f"old archives (`rm {FOLDER}/backups/*`, through a container if they belong to root) and "
                      f"`{UP} --force-recreate backup`.")),
        Mistake("archives only root can read", (write_stack(backup_script(umask="")), UP, SET_PLAN, LET_IT_RUN),
                "is readable by its owner only",
                hint=("The redis image's entrypoint set umask 077 for your script. Add `umask 022` at its top, remove "
                      f"the old archives and `{UP} --force-recreate backup`.")),
        Mistake("local time in the names", (write_stack(backup_script(stamp="TZ=CET-1 date +%Y%m%dT%H%M%S")), UP,
                                            SET_PLAN, LET_IT_RUN),
                "the name is not in UTC",
                hint=("`date` prints the local time of the TZ it is given; `date -u +%Y%m%dT%H%M%SZ` prints UTC. "
                      f"Fix the script, remove the old archives and `{UP} --force-recreate backup`.")),
    ),
)

EXERCISES = (AOF, RESTORE, SCHEDULE)
