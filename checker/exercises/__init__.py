"""The course's exercises, in course order. Ids are never renumbered."""
from ..exercise import Exercise
from . import (anonymous, backup, bind_mounts, compose, data_loss, databases, ephemeral, mount_syntax, named_volumes,
               shared_volumes, tmpfs, volume_drivers, volume_init)

LESSONS = (ephemeral, named_volumes, mount_syntax, volume_init, anonymous, bind_mounts, tmpfs, shared_volumes,
           backup, compose, volume_drivers, databases, data_loss)
COURSE: tuple[Exercise, ...] = tuple(exercise for lesson in LESSONS for exercise in lesson.EXERCISES)
BY_ID: dict[str, Exercise] = {exercise.id: exercise for exercise in COURSE}
