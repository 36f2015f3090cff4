"""How a grading verdict is printed, the same from the fast entry and the full CLI.

Both checker/ways_in/fast.py and checker/ways_in/cli.py print through these, so `labcheck ex3` looks the same
whichever of them handled it.
"""
from __future__ import annotations

import json
import sys

from checker.ways_in.terminal import columns, minimal, settings, use_color

PASSED, NOT_PASSED, USAGE, ENVIRONMENT, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 3, 130, 141


def grade_one_and_show(exercise, as_json: bool) -> int:
    """`labcheck exN`: grade, remember the verdict, print the report; the exit code is the verdict."""
    from checker.grading.run import grade_and_record

    report = grade_and_record(exercise)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        if not report.passed and not settings.quiet:
            import textwrap

            print(textwrap.fill(f"Task: {exercise.goal}", 100) + "\n")
        show_report(report)
        if not report.passed and not settings.quiet:
            print(f"\nStuck? `labcheck hint {exercise.id}` shows the next hint.")
    return PASSED if report.passed else NOT_PASSED


def grade_many_and_show(exercises, as_json: bool) -> int:
    """`labcheck grade …`: one connection and one look at the engine for all of them; a line each."""
    from checker.grading.run import grade_and_record_all

    reports = grade_and_record_all(exercises)
    if as_json:
        print(json.dumps({"exercises": [r.to_json() for r in reports],
                          "passed": sum(r.passed for r in reports), "total": len(reports)}, ensure_ascii=False))
    else:
        for r in reports if not settings.quiet else ():
            failure = r.first_failure
            print(f"{r.exercise:<5} {'passed ' if r.passed else 'not yet'}  {failure.message if failure else r.title}")
        print(f"{sum(r.passed for r in reports)} of {len(reports)} passed.")
    return PASSED if all(r.passed for r in reports) else NOT_PASSED


def show_report(report) -> None:
    if settings.quiet:
        minimal(f"{report.exercise} {'passed' if report.passed else 'not yet'}")
        return
    print(report.render(color=use_color(sys.stdout), width=max(60, min(columns(), 120))))
