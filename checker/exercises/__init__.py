"""The course's exercises, in course order. Ids are never renumbered."""
from ..exercise import Exercise
from . import ephemeral, named_volumes

COURSE: tuple[Exercise, ...] = (*ephemeral.EXERCISES, *named_volumes.EXERCISES)
BY_ID: dict[str, Exercise] = {exercise.id: exercise for exercise in COURSE}
