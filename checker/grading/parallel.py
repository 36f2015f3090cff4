"""Run a list of tasks on a few threads: what `grade --all` needs of a thread pool.

concurrent.futures would do, but importing it imports logging, and that alone costs a grade about a
fiftieth of its time (see CONTRIBUTING.md, "Keeping grading fast").
"""
from __future__ import annotations

import threading
from collections.abc import Callable


def in_parallel(tasks: list[Callable[[], object]], workers: int) -> list:
    """Each task's result, in the tasks' order. Tasks start in that order, `workers` at a time. If any
    raised, the error of the first such task (in list order) is raised once all have ended."""
    results: list = [None] * len(tasks)
    errors: dict[int, BaseException] = {}
    pending = iter(enumerate(tasks))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            index, task = item
            try:
                results[index] = task()
            except BaseException as exc:          # handed to the caller below, as the task's own error
                errors[index] = exc

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(tasks))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[min(errors)]
    return results
