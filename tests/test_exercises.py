"""Every exercise, four ways, on the real engine: fresh fails, solution passes,
each common mistake gets its own message, reset spares look-alikes."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from checker.ways_in.cli import app
from checker.exercises import COURSE
from checker.grading.progress import Progress
from checker.reading.view import EngineView

from .exercise_order import family_of
from .conftest import grade_now, prepare_prerequisites, readonly, remove_labelled, reset_exercises, run, solve


def dependents(exercise) -> list:
    """Every exercise that builds on `exercise`, however far down."""
    found = []
    for later in COURSE:
        if exercise.id in later.builds_on:
            found += [later, *dependents(later)]
    return found


def by_family(*values, exercise):
    return pytest.param(*values, marks=pytest.mark.xdist_group(family_of(exercise)))


IDS = [e.id for e in COURSE]
EXERCISES = [by_family(e, exercise=e) for e in COURSE]
MISTAKES = [by_family(e, m, exercise=e) for e in COURSE for m in e.mistakes]
MISTAKE_IDS = [f"{e.id}-{m.what.replace(' ', '-')}" for e in COURSE for m in e.mistakes]


@pytest.fixture
def fresh(client, request):
    """This exercise's resources and those of every exercise built on it removed, before the test; what it
    builds on is kept (solved again only if it no longer passes). Other families are not touched."""
    exercise = request.node.callspec.params["exercise"]
    assert reset_exercises(client, [exercise, *dependents(exercise)]) == []
    yield client
    remove_labelled(client)


def first_failure_message(report) -> str:
    failure = report.first_failure
    assert failure is not None, f"{report.exercise} passed when it should not:\n{report}"
    return failure.message


@pytest.mark.engine
@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_fresh_state_fails_with_specific_message(fresh, exercise):
    prepare_prerequisites(fresh, exercise)
    report = grade_now(fresh, exercise)
    assert not report.passed
    message = first_failure_message(report)
    assert "There is no" in message, message
    failure = report.first_failure
    assert failure.found and failure.expected and failure.next_step, failure


@pytest.mark.engine
@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_reference_solution_passes(fresh, exercise):
    prepare_prerequisites(fresh, exercise)
    solve(fresh, exercise)
    report = grade_now(fresh, exercise)
    assert report.passed, str(report)
    assert all(c.passed is True for c in report.checks)


@pytest.mark.engine
@pytest.mark.parametrize("exercise,mistake", MISTAKES, ids=MISTAKE_IDS)
def test_common_mistake_gets_its_own_message(fresh, exercise, mistake):
    prepare_prerequisites(fresh, exercise)
    fresh_message = first_failure_message(grade_now(fresh, exercise))
    run(mistake.commands, stop_on_failure=False)  # a mistake may well fail
    report = grade_now(fresh, exercise)
    assert not report.passed, f"mistake {mistake.what!r} passed:\n{report}"
    assert mistake.message in first_failure_message(report), str(report)
    assert first_failure_message(report) != fresh_message, "a mistake must not look like an untouched exercise"
    if mistake.hint:    # hints from the state, on the same setup: the next step and the first hint name it
        assert report.first_failure.next_step == mistake.hint, str(report)
        shown = first_hint_shown(exercise)
        assert f"For what is wrong now: {' '.join(mistake.hint.split())}" in shown, shown
        assert not re.search(r"Hint \d+ of \d+", shown), "the general hints come only after the state's hint"


def first_hint_shown(exercise) -> str:
    """What `labcheck hint exN` shows first (whitespace folded), run in-process as a learner would type it."""
    Progress().forget(exercise.id)
    done = CliRunner().invoke(app, ["hint", exercise.id], env={"NO_COLOR": "1"})
    assert done.exit_code == 0, done.output
    return " ".join(done.output.split())


@pytest.mark.parametrize("exercise", COURSE, ids=IDS)
def test_mistake_messages_are_distinct(exercise):
    messages = [m.message for m in exercise.mistakes]
    assert len(set(messages)) == len(messages)
    assert all("There is no container" not in m for m in messages)


def lookalikes(name: str) -> list[str]:
    return [f"{name}-old", f"my-{name}", f"{name}2", f"{name}_", f"x{name}"]


@pytest.mark.engine
@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_reset_returns_to_fresh_and_spares_lookalikes(fresh, labelled, exercise):
    make_volume, make_container = labelled
    decoy_volumes = [make_volume(n) for v in exercise.owns.volumes + exercise.owns.containers for n in lookalikes(v)]
    decoy_containers = [make_container(n) for c in exercise.owns.containers + exercise.owns.volumes
                        for n in lookalikes(c)]
    solve(fresh, exercise)
    assert grade_now(fresh, exercise).passed

    assert reset_exercises(fresh, [exercise]) == []

    view = EngineView(readonly())
    for name in exercise.owns.containers:
        assert view.container(name) is None
    for name in exercise.owns.volumes:
        assert view.volume(name) is None
    assert all(view.volume(v) is not None for v in decoy_volumes)
    assert all(view.container(c) is not None for c in decoy_containers)
    report = grade_now(fresh, exercise)
    assert not report.passed and "There is no" in first_failure_message(report)
