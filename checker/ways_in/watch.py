"""`labcheck watch exN`: re-grade whenever the engine reports a relevant event.

The engine's event stream (GET /events) tells us the moment a container or a
volume changes; each such event triggers a fresh grade, and the verdict is
shown whenever it changes. Reading events is as read-only as grading.
"""
from __future__ import annotations

import json
import time
from typing import Callable, Iterator

from checker.grading.exercise import Exercise
from checker.grading.run import grade
from checker.engine.helper_client import HELPER_LABEL
from checker.engine.readonly import ReadOnlyEngine
from checker.grading.report import ExerciseReport
from checker.reading.view import EngineView

# Volume mount/unmount events are left out: reading a stopped container's files through the archive
# endpoint mounts its volumes, so grading would wake itself up; a learner's own mount always comes
# with a container event anyway.
RELEVANT = {"container": ["create", "start", "die", "destroy", "rename", "exec_die"],
            "volume": ["create", "destroy"],
            "image": ["tag", "untag", "delete"]}


def caused_by_labcheck(event: dict) -> bool:
    """Events of labcheck's own helper containers (create and destroy around a read)."""
    return HELPER_LABEL in ((event.get("Actor") or {}).get("Attributes") or {})


def event_lines(engine: ReadOnlyEngine) -> Iterator[dict]:
    """Decoded events, as the engine sends them (one JSON object per line)."""
    filters = {"type": list(RELEVANT), "event": sorted({a for actions in RELEVANT.values() for a in actions})}
    response = engine.events(filters)
    buffer = b""
    try:
        while True:
            chunk = response.raw.read1(65536)
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError:
                        continue
    finally:
        response.close()


def watch(exercise: Exercise, engine: ReadOnlyEngine, show: Callable[[ExerciseReport, dict | None, int], None],
          events: Iterator[dict] | None = None) -> bool:
    """Grade now and after every event until the exercise passes; True if it did."""
    with EngineView(engine) as view:
        report = grade(exercise, view)
    show(report, None, time.time_ns())
    if report.passed:
        return True
    last = (report.passed, report.first_failure.message if report.first_failure else "")
    for event in events if events is not None else event_lines(engine):
        if caused_by_labcheck(event):
            continue
        with EngineView(engine) as view:
            report = grade(exercise, view)
        now = (report.passed, report.first_failure.message if report.first_failure else "")
        if now != last:
            show(report, event, time.time_ns())
            last = now
        if report.passed:
            return True
    return False
