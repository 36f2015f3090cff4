"""Shared fixtures: a real engine, isolated labcheck state, and cleanup that always runs.

Every resource a test creates is either owned by an exercise (removed by a
reset) or carries TEST_LABEL (removed by label), in teardown, pass or fail.
"""
from __future__ import annotations

import os
import uuid

import docker
import pytest

from checker.ways_in.reset_and_solve import apply_reset, plan_reset, run_commands
from checker.engine.connect import EnvironmentProblem, connect, connect_readonly
from checker.grading.exercise import Exercise
from checker.exercises import BY_ID, COURSE
from checker.grading.run import grade
from checker.reading.view import EngineView

pytest_plugins = ("tests.exercise_order",)

TEST_LABEL = "org.docker-volumes-course.test"
RUN_ID = uuid.uuid4().hex[:8]
IMAGE = "busybox:1.36"


@pytest.fixture(scope="session", autouse=True)
def isolated_labcheck_state(tmp_path_factory):
    """Progress and workspace in temporary folders, never the developer's own."""
    root = tmp_path_factory.mktemp("labcheck")
    if os.environ.get("COURSE_TESTS_AS_LEARNER"):
        # tools/learner.sh: a learner's own account; labcheck's defaults (~/docker-volumes-lab and
        # the user's state folder) are what is under test, so keep them.
        os.environ.pop("LABCHECK_HOME", None)
        os.environ.pop("LABCHECK_WORKSPACE", None)
    else:
        os.environ["LABCHECK_HOME"] = str(root / "state")
        os.environ["LABCHECK_WORKSPACE"] = str(root / "workspace")
    yield root


@pytest.fixture(scope="session")
def client() -> docker.DockerClient:
    """docker-py, for what tests set up and tear down."""
    try:
        engine = connect()
    except EnvironmentProblem as problem:
        pytest.fail(f"these tests need a Docker Engine: {problem.summary} ({problem.advice}) -- run `make test`")
    yield engine
    remove_labelled(engine)
    reset_exercises(engine, [e for e in COURSE if e.id in TOUCHED])
    engine.close()


TOUCHED: set[str] = set()
"""Exercises whose resources this test process may have made: reset at the end of the session. With
pytest-xdist, each worker resets only its own, never what another worker is using."""


def readonly():
    return connect_readonly()


def remove_labelled(engine: docker.DockerClient) -> None:
    """Remove what this test process labelled (its RUN_ID): another xdist worker's resources stay."""
    api, mine = engine.api, f"{TEST_LABEL}={RUN_ID}"
    for c in api.containers(all=True, filters={"label": mine}):
        api.remove_container(c["Id"], force=True, v=True)
    for v in (api.volumes(filters={"label": mine}) or {}).get("Volumes") or ():
        try:
            api.remove_volume(v["Name"], force=True)
        except docker.errors.NotFound:
            pass


def reset_exercises(client: docker.DockerClient, exercises) -> list[str]:
    TOUCHED.update(e.id for e in exercises)
    engine = readonly()
    try:
        return apply_reset(plan_reset(list(exercises), EngineView(engine)), client)
    finally:
        engine.close()


def reset_all(client: docker.DockerClient) -> None:
    reset_exercises(client, COURSE)


@pytest.fixture
def fresh(client):
    """Every exercise's resources removed before and after the test."""
    reset_all(client)
    yield client
    reset_all(client)
    remove_labelled(client)


def grade_now(client: docker.DockerClient, exercise: Exercise, **view_options):
    """Grade as labcheck does: through the GET-only client."""
    engine = readonly()
    try:
        with EngineView(engine, **view_options) as view:
            return grade(exercise, view)
    finally:
        engine.close()


def solve(client: docker.DockerClient, exercise: Exercise) -> None:
    """The same path as `labcheck solve`: prerequisites first (unless they pass), then the reference commands."""
    TOUCHED.update(e.id for e in lineage(exercise))
    from checker.ways_in.cli import solve_with_prerequisites
    engine = readonly()
    try:
        solve_with_prerequisites(exercise, engine, client)
    finally:
        engine.close()


def lineage(exercise: Exercise) -> list[Exercise]:
    """`exercise` and everything it builds on, however far back."""
    found = [exercise]
    for earlier in exercise.builds_on:
        found += [e for e in lineage(BY_ID[earlier]) if e not in found]
    return found


def prepare_prerequisites(client: docker.DockerClient, exercise: Exercise) -> None:
    """Solve what `exercise` builds on, unless it passes already (a started database is kept, not started again)."""
    for earlier in exercise.builds_on:
        if not grade_now(client, BY_ID[earlier]).passed:
            prepare_prerequisites(client, BY_ID[earlier])
            solve(client, BY_ID[earlier])


def run(commands, stop_on_failure: bool = True) -> None:
    run_commands(tuple(commands), echo=lambda line: None, stop_on_failure=stop_on_failure)


@pytest.fixture
def labelled(client):
    """Create test-labelled look-alike resources; removed in teardown."""
    made: list[str] = []

    def make_volume(name: str) -> str:
        client.api.create_volume(name, labels={TEST_LABEL: RUN_ID})
        made.append(name)
        return name

    def make_container(name: str, **kwargs) -> str:
        kwargs.setdefault("command", ["true"])
        client.api.create_container(IMAGE, name=name, labels={TEST_LABEL: RUN_ID}, **kwargs)
        made.append(name)
        return name

    yield make_volume, make_container
    remove_labelled(client)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book, built once per run for every test that reads it."""
    from tests.book_site import SUMMARY, build_book
    book = build_book(tmp_path_factory.mktemp("book"))
    SUMMARY.append(f"book built in {book.seconds:.1f} s (clean, strict) into {book.html}")
    return book


def pytest_terminal_summary(terminalreporter):
    """What the book and browser tests saw, where a reader of the test log finds it."""
    from tests.book_site import SUMMARY
    if SUMMARY:
        terminalreporter.section("book")
        for line in SUMMARY:
            terminalreporter.write_line(line)


ENGINE_FIXTURES = {"client", "clean_engine", "old_engine"}
"""Fixtures that reach a Docker Engine: `client` (and `fresh`, `labelled` and every fixture built on it), and the
second engines that tools/engine.sh starts."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test that uses an engine fixture carries the engine mark, so `-m "not engine"` (make check) never
    reaches one. Runs before -m deselects anything, so the whole suite is held to it on every run."""
    unmarked = [item.nodeid for item in items
                if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("engine") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the engine but lack @pytest.mark.engine (or pytestmark = "
                                "pytest.mark.engine in their module):\n  " + "\n  ".join(unmarked))
