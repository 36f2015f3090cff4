"""Run an exercise's checks against the engine and build its report."""
from __future__ import annotations

import docker
import requests

from .engine import EnvironmentProblem
from .exercise import Exercise
from .report import CheckReport, ExerciseReport
from .view import EngineView


def grade(exercise: Exercise, view: EngineView) -> ExerciseReport:
    """Evaluate checks in order; a check whose requirement did not pass is skipped, not failed."""
    outcome: dict[str, bool | None] = {}
    reports = []
    for check in exercise.checks:
        if any(outcome.get(key) is not True for key in check.requires):
            reports.append(CheckReport(check.name, None, f"{check.name} (skipped)"))
            outcome[check.key] = None
            continue
        try:
            verdict = check.evaluate(view)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise EnvironmentProblem(
                "The Docker Engine stopped answering while grading.",
                "Check that Docker is still running (`docker info`), then grade again.") from exc
        except docker.errors.APIError as exc:
            verdict_message = f"The engine refused a read: {exc.explanation or exc}."
            reports.append(CheckReport(check.name, False, verdict_message, next_step="Run `labcheck doctor`."))
            outcome[check.key] = False
            continue
        reports.append(CheckReport(check.name, verdict.passed, verdict.message, verdict.found,
                                   verdict.expected, verdict.next_step))
        outcome[check.key] = verdict.passed
    return ExerciseReport(exercise.id, exercise.title, tuple(reports))
