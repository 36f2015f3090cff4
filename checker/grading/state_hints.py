"""Which hint `labcheck hint` shows: first the one for what is wrong now, then the escalating general hints.

What is wrong now is the exercise's first failing check. When its message
carries the words of one of the exercise's known mistakes, that mistake's hint
comes first (once for each new mistake); every further call shows the next
general hint, as before.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.grading.exercise import Exercise, Mistake
from checker.grading.progress import Progress
from checker.grading.report import ExerciseReport


@dataclass(frozen=True)
class Hint:
    text: str
    label: str
    """"For what is wrong now" or "Hint 2 of 3"."""
    from_state: bool
    """True when the hint was chosen from the engine's current state."""


def current_mistake(exercise: Exercise, report: ExerciseReport | None) -> Mistake | None:
    failure = report.first_failure if report is not None else None
    return exercise.mistake_behind(failure.message) if failure is not None else None


def next_hint(exercise: Exercise, progress: Progress, report: ExerciseReport | None) -> Hint:
    """The hint to show now; `report` is the exercise graded just now (None if the engine could not be asked)."""
    mistake = current_mistake(exercise, report)
    if progress.first_time_for(exercise.id, mistake.what if mistake else None):
        return Hint(mistake.hint, "For what is wrong now", True)
    index = progress.next_hint_index(exercise.id, len(exercise.hints))
    return Hint(exercise.hints[index], f"Hint {index + 1} of {len(exercise.hints)}", False)


def grade_for_hint(exercise: Exercise) -> ExerciseReport | None:
    """Grade the exercise as `labcheck exN` does, without recording a verdict; None if the engine cannot be asked."""
    from checker.engine.connect import EnvironmentProblem, connect_readonly
    from checker.grading.run import grade
    from checker.reading.view import EngineView

    try:
        engine = connect_readonly()
    except EnvironmentProblem:
        return None
    try:
        with EngineView(engine) as view:
            return grade(exercise, view)
    except EnvironmentProblem:
        return None
    finally:
        engine.close()
