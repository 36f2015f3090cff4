"""Order tests/test_exercises.py by family and course order (a conftest plugin: test modules cannot hook)."""
from __future__ import annotations


from checker.exercises import BY_ID, COURSE

KINDS = ("fresh_state", "reference_solution", "common_mistake", "reset_returns")


def family_of(exercise) -> str:
    """Exercises joined by `builds_on` are one family, named by its first member: its tests are one class in
    tests/test_exercises.py, which pytest-xdist's `--dist loadscope` keeps on one worker, in course order, so a family's started servers are shared, not restarted."""
    while exercise.builds_on:
        exercise = BY_ID[exercise.builds_on[0]]
    return exercise.id


def course_order(item) -> tuple:
    """Family, then exercise in course order, then fresh / solution / mistakes / reset: a family's prerequisites are
    solved once and stay solved while its later exercises are tested."""
    exercise = item.callspec.params.get("exercise")
    kind = next((i for i, k in enumerate(KINDS) if k in item.name), len(KINDS))
    if exercise is None:
        return (len(COURSE), 0, kind)
    family = BY_ID[family_of(exercise)]
    return (COURSE.index(family), COURSE.index(exercise), kind)


def pytest_collection_modifyitems(items):
    """Within the contiguous run of test_exercises.py items, sort by course_order; leave everything else alone."""
    positions = [i for i, item in enumerate(items) if item.nodeid.startswith("tests/test_exercises.py::")
                 and hasattr(item, "callspec")]
    ordered = sorted((items[i] for i in positions), key=course_order)
    for i, item in zip(positions, ordered):
        items[i] = item
