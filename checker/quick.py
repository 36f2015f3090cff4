"""The `labcheck` entry point: grading starts without loading the whole command-line interface.

`labcheck exN` and `labcheck grade …` are what a learner runs most, often many times an exercise, so
those forms are recognised here and graded with only the modules grading needs (no click, no rich).
Every other form, and any grading form spelled in a way this does not recognise (`--help`, an unknown
exercise, an unknown option), goes to the full CLI in checker/cli.py. Both print the same: the output
functions below are the ones the CLI's grade commands call.
"""
from __future__ import annotations

import json
import sys

from .problems import EnvironmentProblem
from .terminal import columns, minimal, settings, show_problem, use_color

PASSED, NOT_PASSED, USAGE, ENVIRONMENT, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 3, 130, 141
QUIET_FLAGS = ("-q", "--quiet")


def grade_one_and_show(exercise, as_json: bool) -> int:
    """`labcheck exN`: grade, remember the verdict, print the report; the exit code is the verdict."""
    from .grading import grade_and_record

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
    from .grading import grade_and_record_all

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


def grading_request(argv: list[str]):
    """(exercises, as_json, quiet, one) for a grading form this module handles, else None.

    Handled: `[-q] exN [--json]` and `[-q] grade (--all | exN ...) [--json]`, options in any order
    after the command word.
    """
    from .exercises import BY_ID, COURSE

    quiet = False
    words = list(argv)
    while words and words[0] in QUIET_FLAGS:
        quiet, words = True, words[1:]
    if not words:
        return None
    command, rest = words[0], words[1:]
    as_json = "--json" in rest
    rest = [word for word in rest if word != "--json"]
    if command in BY_ID and not rest:
        return [BY_ID[command]], as_json, quiet, True
    if command != "grade":
        return None
    everything = "--all" in rest
    ids = [word for word in rest if word != "--all"]
    if everything == bool(ids) or any(i not in BY_ID for i in ids) or len(set(ids)) != len(ids):
        return None
    return (list(COURSE) if everything else [BY_ID[i] for i in ids]), as_json, quiet, False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        request = grading_request(argv)
        if request is None:
            from .cli import main as full_cli

            return full_cli(argv)
        exercises, as_json, settings.quiet, one = request
        return grade_one_and_show(exercises[0], as_json) if one else grade_many_and_show(exercises, as_json)
    except EnvironmentProblem as problem:
        show_problem(problem)
        return ENVIRONMENT
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return INTERRUPTED


def run() -> None:
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Whatever read our output stopped reading (`labcheck grade --all | head -3`): stop quietly, as cat
        # does, with the exit status of a process that SIGPIPE ended.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = BROKEN_PIPE
    sys.exit(code)
