"""Hints from the state, without an engine: which hint comes first, and that every mistake has its own."""
from __future__ import annotations

from checker.exercises import COURSE
from checker.grading.progress import Progress
from checker.grading.report import CheckReport, ExerciseReport
from checker.grading.state_hints import next_hint

EXERCISE = next(e for e in COURSE if len(e.mistakes) >= 2)


def report_failing_with(message: str) -> ExerciseReport:
    return ExerciseReport(EXERCISE.id, EXERCISE.title, (CheckReport("a check", False, message),))


def test_every_mistake_has_a_hint_of_its_own():
    for exercise in COURSE:
        hints = [m.hint for m in exercise.mistakes]
        assert all(len(h) > 40 for h in hints), f"{exercise.id}: a mistake without a useful hint"
        assert len(set(hints)) == len(hints), f"{exercise.id}: two mistakes share a hint"
        assert not set(hints) & set(exercise.hints), f"{exercise.id}: a mistake's hint repeats a general hint"


def test_the_state_hint_comes_first_then_the_general_hints_escalate(tmp_path):
    progress = Progress(tmp_path / "progress.sqlite")
    first, second = EXERCISE.mistakes[:2]
    now = report_failing_with(f"… {first.message} …")
    shown = [next_hint(EXERCISE, progress, now) for _ in range(len(EXERCISE.hints) + 1)]
    assert (shown[0].text, shown[0].from_state) == (first.hint, True)
    assert [h.text for h in shown[1:]] == list(EXERCISE.hints)
    assert shown[1].label == f"Hint 1 of {len(EXERCISE.hints)}"

    # A different mistake now: its hint comes first again; the general hints stay where they were.
    assert next_hint(EXERCISE, progress, report_failing_with(second.message)).text == second.hint
    assert next_hint(EXERCISE, progress, report_failing_with(second.message)).text == EXERCISE.hints[-1]


def test_without_a_known_mistake_or_an_engine_the_general_hints_come(tmp_path):
    progress = Progress(tmp_path / "progress.sqlite")
    assert next_hint(EXERCISE, progress, report_failing_with("There is no container named x.")).label == \
        f"Hint 1 of {len(EXERCISE.hints)}"
    assert next_hint(EXERCISE, progress, None).label == f"Hint 2 of {len(EXERCISE.hints)}"


def test_the_same_mistake_made_again_after_a_fix_gets_its_hint_again(tmp_path):
    progress = Progress(tmp_path / "progress.sqlite")
    mistake = EXERCISE.mistakes[0]
    assert next_hint(EXERCISE, progress, report_failing_with(mistake.message)).from_state
    assert not next_hint(EXERCISE, progress, report_failing_with("something else")).from_state
    assert next_hint(EXERCISE, progress, report_failing_with(mistake.message)).from_state
