"""Lesson 18: Your app's data: SQLite and uploads."""
from checker.grading.checks import volume_exists
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number=18, slug="app-data", title="Your app's data: SQLite and uploads",
    summary="the course app: its SQLite database and uploads in two named volumes, by docker run and in Compose; a live backup; what not to put in volumes.")
CREATE = "docker volume create --label course=docker-volumes lab-app-data"

# A small working exercise to start from: replace it with the lesson's own (CONTRIBUTING.md says how).
FIRST = Exercise(
    id="ex47",
    title="Create the volume lab-app-data",
    part_of=LESSON,
    goal="Create a volume named lab-app-data with the label course=docker-volumes.",
    owns=Owned(volumes=("lab-app-data",)),
    checks=(volume_exists("lab-app-data", labels={"course": "docker-volumes"}),),
    hints=("docker volume create takes --label KEY=VALUE.", CREATE),
    solution=(CREATE,),
    mistakes=(
        Mistake("no label", ("docker volume create lab-app-data",), "lacks the label course=docker-volumes",
                hint="Labels are fixed when a volume is created: `docker volume rm lab-app-data`, then `" + CREATE + "`."),
    ),
)

EXERCISES = (FIRST,)
