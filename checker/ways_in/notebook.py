"""The notebook API: `check`, `reset` and `map`, what the labs' cells call (`from checker import check`).

Every import is inside a function, so `import checker` stays cheap for the command line.
"""
from __future__ import annotations


def check(exercise_id: str):
    """Grade one exercise from a notebook; the result renders as HTML (or text) in the cell."""
    from checker.engine.connect import EnvironmentProblem
    from checker.exercises import BY_ID
    from checker.grading.run import grade_and_record

    if exercise_id not in BY_ID:
        return Notice(f"There is no exercise {exercise_id!r}; the course has {', '.join(BY_ID)}.")
    try:
        return grade_and_record(BY_ID[exercise_id])
    except EnvironmentProblem as problem:
        return Notice(f"{problem.summary} {problem.advice}")


class Notice(str):
    """A plain message in place of a report, when grading could not happen."""

    passed = False

    def __repr__(self) -> str:
        return str(self)


def reset(*exercise_ids: str) -> str:
    """Remove what these exercises own (exact names only), so a lab can start over."""
    from checker.ways_in.reset_and_solve import apply_reset, plan_reset
    from checker.engine.connect import EnvironmentProblem, connect, connect_readonly
    from checker.exercises import BY_ID
    from checker.grading.progress import Progress
    from checker.reading.view import EngineView

    unknown = [i for i in exercise_ids if i not in BY_ID]
    if unknown:
        return Notice(f"There is no exercise {unknown[0]!r}; the course has {', '.join(BY_ID)}.")
    try:
        engine, client = connect_readonly(), connect()
    except EnvironmentProblem as problem:
        return Notice(f"{problem.summary} {problem.advice}")
    try:
        with EngineView(engine, helpers=False) as view:
            plan = plan_reset([BY_ID[i] for i in exercise_ids], view)
        problems = plan.blocked + apply_reset(plan, client)
    finally:
        engine.close()
        client.close()
    store = Progress()
    for exercise_id in exercise_ids:
        store.forget(exercise_id)
    if not problems:
        return Notice(f"Removed {', '.join(plan.lines())}." if not plan.empty else "Nothing to remove: already fresh.")
    return Notice("NOT everything could be removed, so this lab does not start fresh: " + "; ".join(problems) + ".")


def map(all: bool = False):  # noqa: A001  (`from checker import map` beside `check`, as the labs use it)
    """A picture of the storage (containers → volumes, host folders, tmpfs) that a notebook draws as SVG.

    `all=True` shows everything on the engine, not only the course's resources. Only reads.
    """
    from checker.engine.connect import EnvironmentProblem, connect_readonly
    from checker.storage_map.read import read_storage_map

    try:
        engine = connect_readonly()
    except EnvironmentProblem as problem:
        return Notice(f"{problem.summary} {problem.advice}")
    try:
        return read_storage_map(engine, everything=all)
    except EnvironmentProblem as problem:
        return Notice(f"{problem.summary} {problem.advice}")
    finally:
        engine.close()
