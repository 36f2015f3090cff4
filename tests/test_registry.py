"""The course definition itself: ids, owned names, hints, check wiring, prerequisites.

The rules are tools/dev_check.py's (`make dev-check`), which test_course_record.py runs on the real course;
here each runs on a few exercises broken one way, to see that the problem names the exercises involved.
"""
from __future__ import annotations

from checker.exercises import BY_ID, COURSE
from checker.grading.checks import Check
from checker.grading.exercise import Owned
from checker.grading.lesson import Lesson

from .test_course_record import dev_check

ONE = Lesson(number=1, slug="one", title="One", summary="The first.")
TWO = Lesson(number=2, slug="two", title="Two", summary="The second.")


def exercise(id: str, lesson: Lesson = ONE, title: str = "", **changes):
    return BY_ID["ex1"]._replace(**{"id": id, "title": title or f"Exercise {id}", "part_of": lesson,
                                    "owns": Owned(containers=(f"lab-{id}",)), "builds_on": (), "mistakes": (),
                                    **changes})


def course(*exercises, lessons=(ONE, TWO)):
    return dev_check.Course(lessons, exercises)


def test_the_real_exercises_pass_the_exercise_rules():
    real = dev_check.real_course()
    for rule in (dev_check.exercise_ids, dev_check.exercise_fields, dev_check.check_wiring, dev_check.prerequisites,
                 dev_check.owned_names):
        assert list(rule(real)) == [], rule.__name__
    assert len(COURSE) == len(BY_ID)


def test_ids_are_unique_and_the_clash_names_both_exercises():
    clash = course(exercise("ex1", title="Scratch"), exercise("ex2"), exercise("ex2", TWO, title="Cow"))
    assert list(dev_check.exercise_ids(clash)) == [
        "ex2 is the id of 2 exercises: 'Exercise ex2' (lesson 1) and 'Cow' (lesson 2)"]


def test_ids_run_without_gaps_and_name_the_missing_one():
    """Ids are never renumbered, so an exercise added later to an early lesson takes the next free id
    (lesson 1's ex46): within a lesson ids ascend, across the course they need not."""
    gap = course(exercise("ex1"), exercise("ex4"), exercise("ex2", TWO), exercise("ex5", TWO))
    assert list(dev_check.exercise_ids(gap)) == [
        "there is no ex3: ids run from ex1 without gaps, and are never renumbered (give the next new exercise ex3)"]
    out_of_order = course(exercise("ex1"), exercise("ex3"), exercise("ex2"), exercise("ex4", TWO))
    assert list(dev_check.exercise_ids(out_of_order)) == [
        "lesson 1 lists its exercises out of id order: ex1, ex3, ex2"]
    assert list(dev_check.exercise_ids(course(exercise("ex1"), exercise("Ex2")))) == [
        "'Ex2' (Exercise Ex2) is not an id of the form ex1, ex2, …"]


def test_every_exercise_has_hints_solution_goal_and_something_to_reset():
    bare = course(exercise("ex1", hints=("look", " ")), exercise("ex2", goal="", solution=(), owns=Owned()))
    assert list(dev_check.exercise_fields(bare)) == [
        "ex1 has an empty hint",
        "ex2 has no goal",
        "ex2 has no solution",
        "ex2 owns no container, volume or workspace path: a reset would have nothing to remove"]


def test_a_check_requires_only_earlier_checks_of_its_exercise():
    def check(key, *requires):
        return Check(key=key, name=f"the {key} check", evaluate=lambda view: None, requires=requires)

    wired = course(exercise("ex1", checks=(check("a", "b"), check("b"), check("b", "a"))))
    assert list(dev_check.check_wiring(wired)) == [
        "ex1: the check 'the a check' requires b, which no earlier check of ex1 is",
        "ex1 has two checks with the key 'b'"]


def test_prerequisites_exist_and_come_earlier():
    later = course(exercise("ex1", builds_on=("ex2",)), exercise("ex2", builds_on=("ex9",)))
    assert list(dev_check.prerequisites(later)) == [
        "ex1 builds on ex2, which is not an earlier exercise",
        "ex2 builds on ex9, and there is no ex9"]


def test_an_owned_name_belongs_to_one_exercise_and_the_clash_names_both():
    clash = course(exercise("ex1", owns=Owned(containers=("lab-a",), volumes=("lab-notes",))),
                   exercise("ex2", owns=Owned(containers=("lab-b",), volumes=("lab-notes",), host_paths=("site",))),
                   exercise("ex3", TWO, owns=Owned(containers=("lab-c", "lab-c"), host_paths=("site",),
                                                   networks=("lab-net",), images=("lab-web:1",))),
                   exercise("ex4", TWO, owns=Owned(containers=("lab-d",), networks=("lab-net",), images=("lab-web:1",))))
    assert list(dev_check.owned_names(clash)) == [
        "ex3 names the container lab-c twice",
        "the volume lab-notes is owned by both ex1 and ex2: an owned name belongs to one exercise",
        "the network lab-net is owned by both ex3 and ex4: an owned name belongs to one exercise",
        "the image lab-web:1 is owned by both ex3 and ex4: an owned name belongs to one exercise",
        "the workspace path site is owned by both ex2 and ex3: an owned name belongs to one exercise"]


def test_owned_docker_names_start_with_lab_and_workspace_paths_stay_inside():
    strays = course(exercise("ex1", owns=Owned(containers=("web",), volumes=("lab-ok",), images=("nginx:1",))),
                    exercise("ex2", owns=Owned(volumes=("lab-Notes",), host_paths=("/etc", "../up", "fine/name"))))
    assert list(dev_check.owned_names(strays)) == [
        "ex1 owns the container 'web', whose name does not start with lab-: resets remove only lab-… names",
        "ex1 owns the image 'nginx:1', whose name does not start with lab-: resets remove only lab-… names",
        "ex2 owns the volume 'lab-Notes', whose name does not start with lab-: resets remove only lab-… names",
        "ex2 owns the workspace path '/etc': it must be a plain relative path inside the workspace",
        "ex2 owns the workspace path '../up': it must be a plain relative path inside the workspace"]


def test_a_workspace_path_inside_another_exercises_is_allowed_only_along_builds_on():
    nested = course(exercise("ex1", owns=Owned(host_paths=("pg18",))),
                    exercise("ex2", owns=Owned(host_paths=("pg18/after.sql",))))
    assert list(dev_check.owned_names(nested)) == [
        "the workspace path pg18/after.sql (ex2) lies inside pg18 (ex1), and neither exercise builds on the other: "
        "resetting ex1 would delete ex2's"]
    built_on = nested._replace(exercises=(nested.exercises[0], nested.exercises[1]._replace(builds_on=("ex1",))))
    assert list(dev_check.owned_names(built_on)) == []
