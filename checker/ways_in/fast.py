"""The `labcheck` entry point: grading starts without loading the whole command-line interface.

`labcheck exN` and `labcheck grade …` are what a learner runs most, often many times an exercise, so
those forms are recognised here and graded with only the modules grading needs (no click, no rich).
Every other form, and any grading form spelled in a way this does not recognise (`--help`, an unknown
exercise, an unknown option), goes to the full CLI in checker/cli.py. Both print the same: the output
functions below are the ones the CLI's grade commands call.
"""
from __future__ import annotations

import sys

from checker.engine.problems import EnvironmentProblem
from checker.ways_in.show import BROKEN_PIPE, ENVIRONMENT, INTERRUPTED, grade_many_and_show, grade_one_and_show
from checker.ways_in.terminal import settings, show_problem

QUIET_FLAGS = ("-q", "--quiet")


def grading_request(argv: list[str]):
    """(exercises, as_json, quiet, one) for a grading form this module handles, else None.

    Handled: `[-q] exN [--json]` and `[-q] grade (--all | exN ...) [--json]`, options in any order
    after the command word.
    """
    from checker.exercises import BY_ID, COURSE

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
            from checker.ways_in.cli import main as full_cli

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
