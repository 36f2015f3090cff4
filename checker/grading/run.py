"""Run an exercise's checks against the engine and build its report."""
from __future__ import annotations

import threading

from checker.grading.exercise import Exercise
from checker.grading.report import CheckReport, ExerciseReport
from checker.reading.view import EngineView


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
    from checker.grading.parallel import in_parallel

    view.look_in_bulk()
    release = HelperRelease(view, exercises)

    def grade_then_release(exercise: Exercise) -> ExerciseReport:
        try:
            return grade(exercise, view)
        finally:
            release.graded(exercise)

    # The slowest first (a file read through the engine, `docker diff`), so none of them starts last.
    order = sorted(exercises, key=slowness)
    tasks = [view.prepare_helper] + [lambda exercise=exercise: grade_then_release(exercise) for exercise in order]
    reports = {report.exercise: report for report in in_parallel(tasks, workers)[1:]}
    return [reports[exercise.id] for exercise in exercises]


class HelperRelease:
    """Removes the helper as soon as every exercise that owns a volume only a helper can read is graded,
    while the others are still being graded, instead of at the end of the run (a delete is ~15 ms).
    A later read that needs a helper after all makes a new one, so this changes timing, never a verdict."""

    def __init__(self, view: EngineView, exercises) -> None:
        self.view, self.exercises = view, exercises
        self.left: int | None = None
        self.lock = threading.Lock()

    def graded(self, exercise: Exercise) -> None:
        helper_only = {name for name, _ in self.view.only_a_helper_can_read()}
        if not helper_only:
            return
        with self.lock:
            if self.left is None:
                self.left = sum(bool(helper_only.intersection(e.owns.volumes)) for e in self.exercises)
            if not helper_only.intersection(exercise.owns.volumes):
                return
            self.left -= 1
            last = self.left == 0
        if last:
            self.view.release_helpers()


# "host-file" because an owner check on rootless Docker asks /info once, late in a run otherwise.
SLOW_CHECKS = {"file", "older", "no-file", "mount-file", "layer-file", "diff", "no-diff", "dump", "archive",
               "archive-stopped", "dated-dumps", "host-file"}


def slowness(exercise: Exercise) -> int:
    """Minus the number of checks that read files or ask for `docker diff`: a sort key, slowest first."""
    return -sum(check.key.split(":", 1)[0] in SLOW_CHECKS for check in exercise.checks)


def grade_and_record(exercise: Exercise) -> ExerciseReport:
    """Connect, grade one exercise, and remember the verdict for the progress table: what `labcheck exN` and a
    notebook's check cell both do."""
    return grade_and_record_all([exercise])[0]


def _import_quietly(name: str) -> None:
    try:
        __import__(name)
    except Exception:             # the import where the module is used reports it
        pass


def grade_and_record_all(exercises) -> list[ExerciseReport]:
    """Connect once, grade these exercises, and remember every verdict (one write for all of them)."""
    from checker.engine.connect import connect_readonly

    # sqlite3 takes a few milliseconds to import: let that happen while grading waits for the engine.
    threading.Thread(target=_import_quietly, args=("checker.grading.progress",), daemon=True).start()
    engine = connect_readonly()
    try:
        with EngineView(engine) as view:
            reports = grade_all(exercises, view)
    finally:
        engine.close()
    from checker.grading.progress import Progress

    Progress().record_many((report.exercise, report.passed) for report in reports)
    return reports
