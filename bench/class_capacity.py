"""Measures a class on one server (classroom/, issue 16); results to bench/class_capacity.json.

    flock /tmp/docker-engine.lock .venv/bin/python bench/class_capacity.py [--learners 30]

- time from a learner's log-in (the form, then starting the server through the REST API) to their JupyterLab
  answering through the hub, for each of N learners joining one after another (the simulation of a class
  joining in the same minute: the hub would start their servers side by side, but on the same cores, so the
  sum of the N start-ups estimates how long the last learner waits);
- the same for a learner's second start (engine data already there, no kit to load);
- memory and CPU of each learner's server and engine, idle (20 s after the last start), and one learner's
  peak while the class table grades the class (docker stats samples; the grader container lives too briefly
  to be caught by one);
- how long loading the whole offline kit (every lab image) into a new engine takes;
- one exercise graded in a learner's server (`labcheck ex3`, solved), as a ratio to
  `docker run --rm --network none busybox:1.36 true` against the learner's engine, in the same container.

Each engine gets only busybox:1.36 (the kit for ex3) so that N engines fit this machine's disk; the full kit is
timed once, into one more engine. The class is ended (every container, volume and network) afterwards.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.class_hub import CODE, Hub                         # noqa: E402
from tests.course_images import build_images, sh               # noqa: E402
from bench.course_container import TIMING                      # noqa: E402

CLASS = "dvc-bench-class"


def stats(names: list[str]) -> dict[str, tuple[float, float]]:
    """name -> (MiB, CPU %) from one `docker stats` sample."""
    running = set(sh("docker", "ps", "--format", "{{.Names}}").stdout.split())
    names = [n for n in names if n in running]       # one missing name would empty the whole answer
    if not names:
        return {}
    lines = sh("docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.CPUPerc}}", *names,
               check=False).stdout.splitlines()
    found = {}
    for line in lines:
        name, usage, *_, cpu = line.split()
        number, unit = float(usage.rstrip("KMGiB")), usage.lstrip("0123456789.")
        found[name] = (number * {"B": 1 / 2 ** 20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit], float(cpu.rstrip("%")))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=30)
    args = parser.parse_args()
    build_images()
    home = Path(tempfile.mkdtemp(prefix="class-bench-")) / "home"
    hub = Hub(home, CLASS)
    results: dict = {"learners": args.learners, "machine": "2 cores, 24 GiB; the class hub and Docker Engine 26.1"}
    try:
        hub.wait_until_up()
        assert hub.log_in("instructor", hub.admin_password()) == 302
        hub.token_for("instructor", hub.admin_password())
        names = [f"learner{n:02d}" for n in range(1, args.learners + 1)]
        joined = []
        for name in names:
            began = time.monotonic()
            assert hub.log_in(name, CODE, f"{name}-pass") == 302
            hub.token_for(name, CODE, f"{name}-pass")
            hub.start_server(name)
            joined.append(round(time.monotonic() - began, 2))
            print(f"{name}: JupyterLab answers {joined[-1]:.1f} s after log-in", flush=True)
        results["login_to_jupyterlab_s"] = {"each": joined, "first": joined[0], "median": statistics.median(joined),
                                            "last_if_all_at_once": round(sum(joined), 1)}
        time.sleep(20)
        servers = [f"{CLASS}-server-{n}" for n in names]
        engines = [f"{CLASS}-engine-{n}" for n in names]
        idle = stats(servers + engines)
        results["idle"] = {
            "server_mib_median": round(statistics.median(idle[s][0] for s in servers), 1),
            "engine_mib_median": round(statistics.median(idle[e][0] for e in engines), 1),
            "per_learner_mib_median": round(statistics.median(idle[s][0] + idle[e][0] for s, e in zip(servers, engines)), 1),
            "all_learners_mib": round(sum(v[0] for v in idle.values()), 1),
            "cpu_percent_all": round(sum(v[1] for v in idle.values()), 1)}
        print("idle:", results["idle"], flush=True)

        first = names[0]
        hub.terminal(first, "labcheck solve ex3 >/dev/null")
        timing = hub.terminal(first, f"python3 - 15 <<'EOF'\n{TIMING}\nEOF").stdout.strip().splitlines()[-1]
        results["ex3_in_a_learners_server"] = json.loads(timing)
        print("ex3:", results["ex3_in_a_learners_server"], flush=True)

        peak: dict[str, float] = {}
        done = threading.Event()

        def sample() -> None:
            watched = [f"{CLASS}-server-{first}", f"{CLASS}-engine-{first}", f"{CLASS}-grader-{first}"]
            while not done.is_set():
                for name, (mib, _) in stats(watched).items():
                    peak[name] = max(peak.get(name, 0.0), mib)
        sampler = threading.Thread(target=sample)
        sampler.start()
        began = time.monotonic()
        graded = hub.api("POST", "/services/class-table/refresh", token=hub.tokens["instructor"], timeout=1800)
        results["grading_round_s"] = round(time.monotonic() - began, 1)
        done.set()
        sampler.join()
        results["grading"] = {"peak_mib": {k.replace(f"{CLASS}-", "").replace(f"-{first}", ""): round(v, 1)
                                           for k, v in peak.items() if v},
                              "per_learner_seconds_median": statistics.median(
                                  g["seconds"] for g in graded["graded"].values())}
        print("grading:", results["grading"], flush=True)

        hub.stop_server(first)
        results["second_start_s"] = round(hub.start_server(first), 2)
        print("second start:", results["second_start_s"], flush=True)

        # The whole kit into one new engine: how long a learner's first start takes with every lab image.
        from checker.exercises import IMAGES

        kit = home.parent / "full-kit.tar"
        sh("docker", "save", "-o", str(kit), *IMAGES, timeout=1200)
        engine = f"{CLASS}-engine-{first}"
        # Into the workspace volume: docker cp writes under the container's own mounts, not the ones its
        # entrypoint made inside it (dind's /tmp).
        sh("docker", "cp", str(kit), f"{engine}:/workspace/full-kit.tar", timeout=1200)
        began = time.monotonic()
        sh("docker", "exec", "-e", "DOCKER_HOST=unix:///run/course-engine/docker.sock", engine,
           "docker", "load", "-q", "-i", "/workspace/full-kit.tar", timeout=1200)
        results["full_kit"] = {"images": len(IMAGES), "mib": round(kit.stat().st_size / 2 ** 20),
                               "load_s": round(time.monotonic() - began, 1)}
        kit.unlink()
    finally:
        hub.end()
        out = ROOT / "bench/class_capacity.json"
        out.write_text(json.dumps(results, indent=2) + "\n")      # what was measured, even when a step failed
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
