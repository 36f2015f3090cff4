"""Lesson 19: Redis persistence and backups on a schedule."""
from checker.grading.checks import volume_exists
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=19, slug="redis-and-schedules", title="Redis persistence and backups on a schedule",
    summary="Redis's RDB and AOF files in /data, a BGSAVE backup restored into a new volume, and a Compose service that backs up on a schedule and keeps the last few.")
CREATE = "docker volume create --label course=docker-volumes lab-redis-and-schedules"

# A small working exercise to start from: replace it with the lesson's own (CONTRIBUTING.md says how).
FIRST = Exercise(
    id="ex53",
    title="Create the volume lab-redis-and-schedules",
    part_of=LESSON,
    goal="Create a volume named lab-redis-and-schedules with the label course=docker-volumes.",
    owns=Owned(volumes=("lab-redis-and-schedules",)),
    checks=(volume_exists("lab-redis-and-schedules", labels={"course": "docker-volumes"}),),
    hints=("docker volume create takes --label KEY=VALUE.", CREATE),
    solution=(CREATE,),
    mistakes=(
        Mistake("no label", ("docker volume create lab-redis-and-schedules",), "lacks the label course=docker-volumes",
                hint="Labels are fixed when a volume is created: `docker volume rm lab-redis-and-schedules`, then `" + CREATE + "`."),
    ),
)

EXERCISES = (FIRST,)
