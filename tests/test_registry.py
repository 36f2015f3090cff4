"""The course definition itself: ids, order, hints, links, check wiring."""
import re

import nbformat
from pathlib import Path

from checker.exercises import BY_ID, COURSE, EXERCISES_OF

ROOT = Path(__file__).resolve().parent.parent


def test_ids_are_unique_without_gaps_and_ascend_within_each_lesson():
    """Ids are never renumbered, so an exercise added later to an early lesson takes the next free id
    (lesson 1's ex46): ids follow the course order within a lesson, not across the whole course."""
    assert len(BY_ID) == len(COURSE)
    assert sorted(e.number for e in COURSE) == list(range(1, len(COURSE) + 1))
    for lesson, exercises in EXERCISES_OF.items():
        numbers = [e.number for e in exercises]
        assert numbers == sorted(numbers), f"lesson {lesson} lists its exercises out of id order: {numbers}"


def test_every_exercise_has_hints_solution_goal_and_owned_resources():
    for e in COURSE:
        assert e.hints and all(h.strip() for h in e.hints), e.id
        assert e.solution and e.goal and e.title, e.id
        assert e.owns.containers or e.owns.volumes or e.owns.host_paths, e.id


def test_lessons_and_labs_exist_and_mention_the_exercise():
    for e in COURSE:
        lesson, lab = ROOT / e.lesson, ROOT / e.lab
        assert lesson.is_file(), e.lesson
        assert lab.is_file(), e.lab
        assert f"({e.id})=" in lesson.read_text(), f"{e.lesson} has no label for {e.id}"
        checks = [c.source for c in nbformat.read(lab, as_version=4).cells if "check" in c.metadata.get("tags", ())]
        assert f'check("{e.id}")' in checks, f"{e.lab} has no check cell for {e.id}"


def test_requirements_name_earlier_checks_of_the_same_exercise():
    for e in COURSE:
        seen = set()
        for check in e.checks:
            assert set(check.requires) <= seen, f"{e.id}: {check.name} needs {check.requires}, seen {seen}"
            seen.add(check.key)
        assert len(seen) == len(e.checks), f"{e.id} has two checks with one key"


def test_no_two_exercises_own_the_same_resource():
    owned = [("c", n) for e in COURSE for n in e.owns.containers] + [("v", n) for e in COURSE for n in e.owns.volumes]
    assert len(owned) == len(set(owned))


def test_prerequisites_come_earlier():
    for e in COURSE:
        for earlier in e.builds_on:
            assert BY_ID[earlier].number < e.number


def test_owned_names_are_lab_prefixed():
    for e in COURSE:
        for name in e.owns.containers + e.owns.volumes + e.owns.networks:
            assert re.fullmatch(r"lab-[a-z0-9_-]+", name), name
