"""Measures the course with only Docker installed (compose.yaml, issue 15); results to bench/course_container.json.

    flock /tmp/docker-engine.lock .venv/bin/python bench/course_container.py [--runs N]

- from `docker compose up` with built images to JupyterLab answering (goal: under 30 s), and to the address
  printed in the logs (after `labcheck doctor` has looked at the private engine);
- the two images' sizes, and what takes the space in the course image (goal: under 700 MB);
- idle memory of the course and its private engine, 20 s after JupyterLab answers (goal: under 400 MiB);
- one exercise graded inside the course container (`labcheck ex3`, solved), as a ratio to
  `docker run --rm --network none busybox:1.36 true` against the private engine, timed in the same container,
  each grade after a baseline run (the pairing bench/run.py uses).

The images are built as the tests build them (tests/test_course_container.py); the course runs as its own
Compose project and is removed with its volumes afterwards.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.compose_course import Course                             # noqa: E402
from tests.course_images import build_images, sh                   # noqa: E402

PROJECT = "dvc-bench"
MIB = 2 ** 20

TIMING = r"""
import json, statistics, subprocess, sys, time
runs = int(sys.argv[1])
def once(cmd):
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); return time.perf_counter() - t
base, grade = [], []
once(["docker", "run", "--rm", "--network", "none", "busybox:1.36", "true"]); once(["labcheck", "ex3"])
for _ in range(runs):
    base.append(once(["docker", "run", "--rm", "--network", "none", "busybox:1.36", "true"]))
    grade.append(once(["labcheck", "ex3"]))
print(json.dumps({"baseline_ms": statistics.median(base) * 1000, "grade_ms": statistics.median(grade) * 1000,
                  "ratio": statistics.median(g / b for g, b in zip(grade, base))}))
"""

SPACE = ("du -sxm /usr/local/lib/python3*/dist-packages /usr/local/bin/docker /usr/local/libexec/docker "
         "/opt/course/book-html /usr/lib /usr/share 2>/dev/null; "
         "cd /usr/local/lib/python3*/dist-packages && du -sxm * | sort -rn | head -8")


def image_size_mb(tag: str) -> float:
    return int(sh("docker", "image", "inspect", "--format", "{{.Size}}", tag).stdout) / 1e6


def memory_mib(container: str) -> float:
    usage = sh("docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", container).stdout.split("/")[0].strip()
    number, unit = float(usage.rstrip("KMGiB")), usage.lstrip("0123456789.")
    return number * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--ups", type=int, default=3)
    args = parser.parse_args()
    build_images()
    course = Course(PROJECT, ("compose.yaml",), {})
    results: dict = {}
    try:
        ups, answering = [], []
        for i in range(args.ups):                  # the first with new volumes, then as after `down`
            ups.append(course.up())
            answering.append(course.answering_s)
            if i < args.ups - 1:
                course.compose("down", "--timeout", "5")
        course.load_images(["busybox:1.36"])
        time.sleep(20)
        memory = {service: memory_mib(course.container(service)) for service in ("course", "engine")}
        course.run("labcheck solve ex3 >/dev/null")
        timing = json.loads(course.compose("exec", "-T", "course", "python3", "-c", TIMING, str(args.runs)).stdout)
        space = course.run(SPACE).stdout
        results = {
            "up_to_jupyterlab_answering_s": {"runs": [round(a, 2) for a in answering],
                                             "median": round(statistics.median(answering), 2), "goal": "< 30"},
            "up_to_address_printed_s": {"runs": [round(u, 2) for u in ups], "median": round(statistics.median(ups), 2),
                                        "note": "after labcheck doctor has checked the private engine"},
            "image_mb": {"course": round(image_size_mb("docker-volumes-course/course:local"), 1),
                         "engine": round(image_size_mb("docker-volumes-course/engine:local"), 1),
                         "goal": "course < 700"},
            "course_image_space_mb": space.strip().splitlines(),
            "idle_memory_mib": {**{k: round(v, 1) for k, v in memory.items()},
                                "total": round(sum(memory.values()), 1), "goal": "< 400"},
            "grade_inside": {"measure": "labcheck ex3 (solved) in the course container",
                             "baseline": "docker run --rm --network none busybox:1.36 true on the private engine",
                             "baseline_ms": round(timing["baseline_ms"], 1), "grade_ms": round(timing["grade_ms"], 1),
                             "ratio": round(timing["ratio"], 3), "runs": args.runs},
        }
    finally:
        course.remove_everything()
    (ROOT / "bench" / "course_container.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
