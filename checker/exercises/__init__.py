"""The course: one module per lesson, in course order. Ids are never renumbered.

Each module defines its ``LESSON`` record and its ``EXERCISES``; everything else
(lesson and lab paths, the table of contents, the lesson tables, the doctor's
image list) follows from these lists or is checked against them.
"""
from checker.grading.exercise import Exercise
from checker.grading.lesson import Lesson
from . import (anonymous, app_data, backup, bind_mounts, compose, compose_stacks, data_loss, database_backups,
               databases, ephemeral, mount_syntax, named_volumes, node_modules, postgres_18, redis_and_schedules,
               shared_volumes, tmpfs, volume_drivers, volume_init)

MODULES = (ephemeral, named_volumes, mount_syntax, volume_init, anonymous, bind_mounts, tmpfs, shared_volumes, backup,
           compose, volume_drivers, databases, data_loss, compose_stacks, node_modules, postgres_18, database_backups,
           app_data, redis_and_schedules)
LESSONS: tuple[Lesson, ...] = tuple(module.LESSON for module in MODULES)
EXERCISES_OF: dict[int, tuple[Exercise, ...]] = {module.LESSON.number: module.EXERCISES for module in MODULES}
COURSE: tuple[Exercise, ...] = tuple(exercise for module in MODULES for exercise in module.EXERCISES)
BY_ID: dict[str, Exercise] = {exercise.id: exercise for exercise in COURSE}
IMAGES: tuple[str, ...] = tuple(dict.fromkeys(image for lesson in LESSONS for image in lesson.images))
"""Every image the labs run, once each, in course order: what `labcheck doctor` looks for."""
