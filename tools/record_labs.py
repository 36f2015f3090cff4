"""Record the lab runs the book shows (book/lab-runs/): each lab run on the engine with the reference answers.

    .venv/bin/python tools/record_labs.py                  # every lab
    .venv/bin/python tools/record_labs.py 06 12-databases  # the labs named: number, name or path
    make lab-runs LABS="06 12"                             # the same, after making sure of the engine

On a shared machine, take the engine lock: `flock /tmp/docker-engine.lock .venv/bin/python tools/record_labs.py`.

Every exercise is reset before and after each lab, as in the lab tests. The run uses a workspace and a
labcheck state folder in a temporary folder, never yours, and the recording names them as a learner sees
them: `~/docker-volumes-lab` and `~/.local/state/labcheck`. A lab whose checks do not all pass is not
written; the exit status is then 1.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from tools.lab_runs import (LABS, LEARNER_STATE, LEARNER_WORKSPACE, RECORDED, SCRATCH_PREFIX, execute,  # noqa: E402
                            recording, reference_run_problems, with_reference_answers)


def chosen_labs(names: list[str]) -> list[Path]:
    """Labs by number (`6`, `06`), name (`06-bind-mounts`) or path; every lab when none is named."""
    if not names:
        return LABS
    chosen = []
    for name in names:
        stem = Path(name).stem
        found = [lab for lab in LABS if lab.stem == stem or lab.stem.split("-")[0] == stem.zfill(2)]
        if not found:
            raise SystemExit(f"record_labs: there is no lab {name!r}; the labs are {', '.join(p.stem for p in LABS)}")
        chosen += [lab for lab in found if lab not in chosen]
    return chosen


def reset_everything() -> None:
    """Remove every exercise's resources, as `labcheck reset` does for each (exact names only)."""
    from checker.engine.connect import connect, connect_readonly
    from checker.exercises import COURSE
    from checker.reading.view import EngineView
    from checker.ways_in.reset_and_solve import apply_reset, plan_reset

    engine, client = connect_readonly(), connect()
    try:
        with EngineView(engine, helpers=False) as view:
            plan = plan_reset(list(COURSE), view)
        problems = plan.blocked + apply_reset(plan, client)
    finally:
        engine.close()
        client.close()
    if problems:
        raise SystemExit("record_labs: could not start from a fresh state: " + "; ".join(problems))


def record(lab: Path, shown_paths: dict[str, str]) -> list[str]:
    """Run `lab` with the reference answers and write its recording; what went wrong, if anything."""
    given = nbformat.read(lab, as_version=4)
    ran = with_reference_answers(given)
    reset_everything()
    try:
        execute(ran, lab)
    finally:
        reset_everything()
    problems = reference_run_problems(lab, ran)
    if not problems:
        RECORDED.mkdir(exist_ok=True)
        nbformat.write(recording(given, ran, shown_paths), RECORDED / lab.name)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="labs to record (default: all)")
    labs = chosen_labs(parser.parse_args(argv).labs)

    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX)).resolve()
    workspace, state = scratch / "docker-volumes-lab", scratch / "state"
    # The kernels inherit these: the labs' cells and labcheck work in the scratch folder.
    os.environ["LABCHECK_WORKSPACE"], os.environ["LABCHECK_HOME"] = str(workspace), str(state)
    shown_paths = {str(workspace): LEARNER_WORKSPACE, str(state): LEARNER_STATE, str(scratch): "~"}

    failed, started = [], time.monotonic()
    try:
        for lab in labs:
            began = time.monotonic()
            problems = record(lab, shown_paths)
            took = time.monotonic() - began
            if problems:
                failed.append(lab.name)
                print(f"NOT recorded {lab.name} ({took:.0f} s):", *problems, sep="\n  ", file=sys.stderr, flush=True)
            else:
                print(f"recorded {RECORDED.relative_to(ROOT) / lab.name} ({took:.0f} s)", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if scratch.exists():
            print(f"record_labs: could not remove all of {scratch} (files containers wrote as another user)",
                  file=sys.stderr)
    print(f"{len(labs) - len(failed)} of {len(labs)} labs recorded in {time.monotonic() - started:.0f} s"
          + (f"; not recorded: {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
