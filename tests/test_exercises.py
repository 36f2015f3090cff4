"""Every exercise, four ways, on the real engine: fresh fails, solution passes,
each common mistake gets its own message, reset spares look-alikes."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from checker.ways_in.cli import app
from checker.exercises import COURSE
from checker.grading.progress import Progress
from checker.reading.view import EngineView, is_anonymous_volume_name

from .exercise_order import family_of
from .conftest import grade_now, lineage, prepare_prerequisites, readonly, remove_labelled, reset_exercises, run, solve
from .read_only_proof import grade_proving_read_only


def dependents(exercise) -> list:
    """Every exercise that builds on `exercise`, however far down."""
    found = []
    for later in COURSE:
        if exercise.id in later.builds_on:
            found += [later, *dependents(later)]
    return found


IDS = [e.id for e in COURSE]
FAMILIES = sorted({family_of(e) for e in COURSE}, key=lambda first: IDS.index(first))


def pytest_generate_tests(metafunc):
    """The four-way tests live in one class per family (`--dist loadscope` keeps a class on one worker), each
    parametrized with the family's exercises, or their mistakes, in course order."""
    family = getattr(metafunc.cls, "FAMILY", None)
    if family is None:
        return
    members = [e for e in COURSE if family_of(e) == family]
    if "mistake" in metafunc.fixturenames:
        pairs = [(e, m) for e in members for m in e.mistakes]
        metafunc.parametrize("exercise,mistake", pairs, ids=[f"{e.id}-{m.what.replace(' ', '-')}" for e, m in pairs])
    elif "exercise" in metafunc.fixturenames:
        metafunc.parametrize("exercise", members, ids=[e.id for e in members])


@pytest.fixture
def fresh(client, request):
    """This exercise's resources and those of every exercise built on it removed, before the test; what it
    builds on is kept (solved again only if it no longer passes). Other families are not touched."""
    exercise = request.node.callspec.params["exercise"]
    assert reset_exercises(client, [exercise, *dependents(exercise)]) == []
    volumes_before = {v["Name"] for v in client.api.volumes().get("Volumes") or ()}
    yield client
    remove_labelled(client)
    remove_anonymous_volumes_left_behind(client, volumes_before)
    mistake = request.node.callspec.params.get("mistake")
    if mistake and touches_what_it_builds_on(exercise, mistake):
        reset_exercises(client, [*lineage(exercise), *dependents(exercise)])


def remove_anonymous_volumes_left_behind(client, before: set[str]) -> None:
    """A mistake such as `docker rm` without -v (ex13) leaves a container's anonymous volume behind, on purpose:
    grading must see it. Remove those the test made (new since it began, used by no container), so that the
    engine is left as it was found."""
    for volume in client.api.volumes(filters={"dangling": True}).get("Volumes") or ():
        name = volume["Name"]
        if name not in before and is_anonymous_volume_name(name):
            try:
                client.api.remove_volume(name)
            except Exception:      # in use again, or gone already: not ours to fight over
                pass


def touches_what_it_builds_on(exercise, mistake) -> bool:
    """Whether a mistake's commands name a resource an earlier exercise owns: then that exercise is solved again
    for the next test rather than trusted (it may still pass while holding what the mistake left)."""
    commands = " ".join(mistake.commands)
    return any(name in commands for earlier in lineage(exercise)[1:]
               for name in (*earlier.owns.containers, *earlier.owns.volumes, *earlier.owns.host_paths))


def first_failure_message(report) -> str:
    failure = report.first_failure
    assert failure is not None, f"{report.exercise} passed when it should not:\n{report}"
    return failure.message


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


def graded(client, exercise):
    """Every grade in the four-way tests proves it read only (tests/read_only_proof.py): so the proof covers
    each exercise fresh, solved and in each of its mistakes, on both read routes as root."""
    return grade_proving_read_only(client, exercise, lineage(exercise), grade_now)


def lookalikes(name: str) -> list[str]:
    return [f"{name}-old", f"my-{name}", f"{name}2", f"{name}_", f"x{name}"]


class FourWays:
    """Each exercise four ways on the real engine; a subclass per family (below) says which exercises."""

    @pytest.mark.engine
    def test_fresh_state_fails_with_specific_message(self, fresh, exercise):
        prepare_prerequisites(fresh, exercise)
        report = graded(fresh, exercise)
        assert not report.passed
        message = first_failure_message(report)
        assert "There is no" in message, message
        failure = report.first_failure
        assert failure.found and failure.expected and failure.next_step, failure

    @pytest.mark.engine
    def test_reference_solution_passes(self, fresh, exercise):
        prepare_prerequisites(fresh, exercise)
        solve(fresh, exercise)
        report = graded(fresh, exercise)
        assert report.passed, str(report)
        assert all(c.passed is True for c in report.checks)

    @pytest.mark.engine
    def test_common_mistake_gets_its_own_message(self, fresh, exercise, mistake):
        prepare_prerequisites(fresh, exercise)
        fresh_message = first_failure_message(graded(fresh, exercise))
        run(mistake.commands, stop_on_failure=False)  # a mistake may well fail
        report = graded(fresh, exercise)
        assert not report.passed, f"mistake {mistake.what!r} passed:\n{report}"
        assert mistake.message in first_failure_message(report), str(report)
        assert first_failure_message(report) != fresh_message, "a mistake must not look like an untouched exercise"
        if mistake.hint:    # hints from the state, on the same setup: the next step and the first hint name it
            assert report.first_failure.next_step == mistake.hint, str(report)
            shown = first_hint_shown(exercise)
            assert f"For what is wrong now: {' '.join(mistake.hint.split())}" in shown, shown
            assert not re.search(r"Hint \d+ of \d+", shown), "the general hints come only after the state's hint"

    @pytest.mark.engine
    def test_reset_returns_to_fresh_and_spares_lookalikes(self, fresh, labelled, exercise):
        make_volume, make_container = labelled
        decoy_volumes = [make_volume(n) for v in exercise.owns.volumes + exercise.owns.containers for n in lookalikes(v)]
        decoy_containers = [make_container(n) for c in exercise.owns.containers + exercise.owns.volumes
                            for n in lookalikes(c)]
        solve(fresh, exercise)
        assert graded(fresh, exercise).passed

        assert reset_exercises(fresh, [exercise]) == []

        view = EngineView(readonly())
        for name in exercise.owns.containers:
            assert view.container(name) is None
        for name in exercise.owns.volumes:
            assert view.volume(name) is None
        assert all(view.volume(v) is not None for v in decoy_volumes)
        assert all(view.container(c) is not None for c in decoy_containers)
        report = graded(fresh, exercise)
        assert not report.passed and "There is no" in first_failure_message(report)


for _family in FAMILIES:
    globals()[f"TestFamily_{_family}"] = type(f"TestFamily_{_family}", (FourWays,), {"FAMILY": _family})
