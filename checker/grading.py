"""Run an exercise's checks against the engine and build its report."""
from __future__ import annotations

from .exercise import Exercise
from .report import CheckReport, ExerciseReport
from .view import EngineView


def grade(exercise: Exercise, view: EngineView) -> ExerciseReport:
    """Evaluate checks in order; a check whose requirement did not pass is skipped, not failed.

    An EnvironmentProblem (the engine went away, a read timed out) propagates:
    a half-graded exercise is not a verdict.
    """
    view.expect_volumes(exercise.owns.volumes)
    outcome: dict[str, bool | None] = {}
    reports = []
    for check in exercise.checks:
        if any(outcome.get(key) is not True for key in check.requires):
            reports.append(CheckReport(check.name, None, f"{check.name} (skipped)"))
            outcome[check.key] = None
            continue
        verdict = check.evaluate(view)
        next_step = verdict.next_step
        if verdict.passed is False and not any(r.passed is False for r in reports):
            # The first failure names a known mistake: its hint is the most useful next step.
            mistake = exercise.mistake_behind(verdict.message)
            next_step = mistake.hint if mistake else next_step
        reports.append(CheckReport(check.name, verdict.passed, verdict.message, verdict.found,
                                   verdict.expected, next_step))
        outcome[check.key] = verdict.passed
    return ExerciseReport(exercise.id, exercise.title, tuple(reports))


def grade_all(exercises, view: EngineView, workers: int = 8) -> list[ExerciseReport]:
    """Grade many exercises at once; their reads overlap, since the engine answers requests in parallel."""
    view.expect_volumes(v for exercise in exercises for v in exercise.owns.volumes)
    if len(exercises) < 2:
        return [grade(exercise, view) for exercise in exercises]
    from concurrent.futures import ThreadPoolExecutor

    view.look_in_bulk()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pool.submit(view.prepare_helper)
        # The slowest first (a file read through the engine, `docker diff`), so none of them starts last.
        futures = {exercise.id: pool.submit(grade, exercise, view) for exercise in sorted(exercises, key=slowness)}
        return [futures[exercise.id].result() for exercise in exercises]


SLOW_CHECKS = {"file", "older", "no-file", "mount-file", "layer-file", "diff", "no-diff", "dump", "archive",
               "archive-stopped", "dated-dumps"}


def slowness(exercise: Exercise) -> int:
    """Minus the number of checks that read files or ask for `docker diff`: a sort key, slowest first."""
    return -sum(check.key.split(":", 1)[0] in SLOW_CHECKS for check in exercise.checks)


def grade_and_record(exercise: Exercise) -> ExerciseReport:
    """Connect, grade one exercise, and remember the verdict for the progress table: what `labcheck exN` and a
    notebook's check cell both do."""
    return grade_and_record_all([exercise])[0]


def grade_and_record_all(exercises) -> list[ExerciseReport]:
    """Connect once, grade these exercises, and remember every verdict (one write for all of them)."""
    from .engine import connect_readonly
    from .progress import Progress

    engine = connect_readonly()
    try:
        with EngineView(engine) as view:
            reports = grade_all(exercises, view)
    finally:
        engine.close()
    Progress().record_many((report.exercise, report.passed) for report in reports)
    return reports
