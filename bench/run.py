"""Benchmarks for labcheck, each a ratio against a docker CLI baseline measured in the same run.

    make bench                      # or: .venv/bin/python bench/run.py [--runs N] [--with-tests]

The baseline is one `docker run --rm --network none busybox:1.36 true`: the
fastest container start there is (a slower baseline would flatter us). Each run of a measured command
follows a baseline run, and its ratio is against those paired baseline runs. Results go to bench/results.json and are printed as
the Markdown table the README quotes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LABCHECK = [str(BIN / "labcheck")]
DOCKER_RUN = ["docker", "run", "--rm", "--network", "none", "busybox:1.36", "true"]


def timed(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of `command`."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss


BASELINE_SAMPLES: list[tuple[float, int]] = []      # (seconds, peak RSS) of every baseline run of the bench


def median_of(command: list[str], runs: int, env: dict | None = None) -> tuple[float, int, float]:
    """(median seconds, peak RSS, median seconds of the baseline) for `command`, each of its runs paired with a
    baseline run just before it: a machine whose speed drifts during the bench moves both alike."""
    timed(command, env)                                   # warm caches
    samples, baselines = [], []
    for _ in range(runs):
        baselines.append(timed(DOCKER_RUN))
        samples.append(timed(command, env))
    BASELINE_SAMPLES.extend(baselines)
    return (statistics.median(s[0] for s in samples), max(s[1] for s in samples),
            statistics.median(b[0] for b in baselines))


def baseline() -> float:
    return statistics.median(b[0] for b in BASELINE_SAMPLES)


def watch_latency(env: dict, runs: int) -> float:
    """Median milliseconds from the engine event that completes ex1 to labcheck watch's verdict."""
    latencies = []
    for _ in range(runs):
        subprocess.run([*LABCHECK, "reset", "ex1", "--yes"], env=env, capture_output=True, check=True)
        watcher = subprocess.Popen([*LABCHECK, "watch", "ex1", "--json"], env=env, stdout=subprocess.PIPE, text=True)
        try:
            json.loads(watcher.stdout.readline())         # the first verdict: not yet
            subprocess.run(["docker", "run", "--name", "lab-scratch", "busybox:1.36", "sh", "-c",
                            "echo hello from the writable layer > /notes.txt"], check=True, capture_output=True)
            for line in watcher.stdout:
                verdict = json.loads(line)
                if verdict["passed"]:
                    latencies.append((verdict["graded_at_ns"] - verdict["event"]["time_nano"]) / 1e6)
                    break
        finally:
            watcher.kill()
            watcher.wait()
    subprocess.run([*LABCHECK, "reset", "ex1", "--yes"], env=env, capture_output=True)
    return statistics.median(latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--with-tests", action="store_true", help="also time the whole test suite (minutes)")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="labcheck-bench-")
    # As on a learner's machine: Python keeps compiled bytecode (a shell with PYTHONDONTWRITEBYTECODE=1 would
    # recompile every module on every run and measure that instead of labcheck).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update({"LABCHECK_HOME": f"{scratch}/state", "LABCHECK_WORKSPACE": f"{scratch}/ws"})
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "checker")], env=env, check=True)
    subprocess.run([*LABCHECK, "reset", "--all", "--yes"], env=env, capture_output=True, check=True)

    rows = []

    def add(name: str, seconds: float, target: str = "", unit: str = "ms", against: float | None = None) -> None:
        rows.append({"measure": name, "value": round(seconds * 1000, 1) if unit == "ms" else seconds,
                     "unit": unit, "ratio": round(seconds / (against or baseline()), 3), "target": target})

    one, one_rss, paired = median_of([*LABCHECK, "ex1"], args.runs, env)
    add("labcheck ex1 (one exercise, fresh state)", one, "< 0.5", against=paired)
    every, every_rss, paired = median_of([*LABCHECK, "grade", "--all"], args.runs, env)
    add(f"labcheck grade --all ({len(json.loads(subprocess.run([*LABCHECK, 'list', '--json'], capture_output=True, text=True, env=env).stdout)['exercises'])} exercises, fresh state)", every, "< 1", against=paired)

    print("solving every exercise for the solved-state figures…", file=sys.stderr)
    listing = json.loads(subprocess.run([*LABCHECK, "list", "--json"], capture_output=True, text=True, env=env).stdout)
    unsolved = [row["exercise"] for row in listing["exercises"]
                if subprocess.run([*LABCHECK, "solve", row["exercise"]], env=env, capture_output=True).returncode]
    if unsolved:
        print(f"warning: the reference solution failed for {', '.join(unsolved)}", file=sys.stderr)
    solved_one, _, paired = median_of([*LABCHECK, "ex4"], args.runs, env)
    add("labcheck ex4 (one exercise, solved: reads a file in a volume, host route)", solved_one, "<= 0.4",
        against=paired)
    engine_env = {**env, "LABCHECK_HOST_READS": "0"}
    through_container, _, paired = median_of([*LABCHECK, "ex4"], args.runs, engine_env)
    add("labcheck ex4 (solved, engine route: read through lab-reader, which mounts the volume)",
        through_container, "<= 0.7", against=paired)
    subprocess.run(["docker", "rm", "lab-reader"], capture_output=True, check=True)   # now nothing mounts lab-notes
    with_helper, _, paired = median_of([*LABCHECK, "ex3"], args.runs, engine_env)
    add("labcheck ex3 (solved, engine route: a helper container to read a volume nobody mounts)",
        with_helper, "<= 0.7", against=paired)
    subprocess.run([*LABCHECK, "reset", "ex3", "ex4", "--yes"], env=env, capture_output=True, check=True)
    for exercise in ("ex3", "ex4"):
        subprocess.run([*LABCHECK, "solve", exercise], env=env, capture_output=True, check=True)
    solved_all, solved_rss, paired = median_of([*LABCHECK, "grade", "--all"], args.runs, env)
    add("labcheck grade --all (solved state)", solved_all, "< 1", against=paired)
    engine_route, _, paired = median_of([*LABCHECK, "grade", "--all"], args.runs, engine_env)
    add("labcheck grade --all (solved, engine route, helpers included)", engine_route, "<= 1.0", against=paired)
    left = subprocess.run([*LABCHECK, "reset", "--all", "--yes"], env=env, capture_output=True, text=True)
    if left.returncode:
        print(f"warning: reset --all left something:\n{left.stderr}", file=sys.stderr)

    add("labcheck watch: engine event to verdict", watch_latency(env, max(3, args.runs // 2)) / 1000)

    peak = max(one_rss, every_rss, solved_rss)
    rows.append({"measure": "peak memory of labcheck (max RSS)", "value": round(peak / 1024, 1), "unit": "MiB",
                 "ratio": round(peak / max(b[1] for b in BASELINE_SAMPLES), 3), "target": "vs the docker CLI's own RSS"})

    start = time.perf_counter()
    subprocess.run([str(BIN / "jupyter-book"), "build", "--path-output", scratch, str(ROOT)], capture_output=True,
                   check=True)
    add("book build (jupyter-book, no execution)", time.perf_counter() - start, unit="ms")

    if args.with_tests:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, check=False,
                       capture_output=True)
        add("test suite (pytest, engine already up)", time.perf_counter() - start, unit="ms")

    rows.insert(0, {"measure": "docker run --rm --network none busybox:1.36 true (baseline)",
                    "value": round(baseline() * 1000, 1), "unit": "ms", "ratio": 1.0, "target": ""})
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version(),
              "runs": args.runs, "date": time.strftime("%Y-%m-%d"), "results": rows}
    (ROOT / "bench" / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| measure | median | × docker run | target |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['measure']} | {row['value']} {row['unit']} | {row['ratio']} | {row['target']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
