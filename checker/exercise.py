"""What an exercise is: everything about it, defined in one place."""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks import Check


@dataclass(frozen=True)
class Owned:
    """Docker resources and host files an exercise owns, by exact name.

    Reset removes these and nothing else; a volume called ``lab-notes-old`` or
    a container ``my-lab-writer`` is never touched.
    """
    containers: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    host_paths: tuple[str, ...] = ()     # relative to the workspace folder


@dataclass(frozen=True)
class Exercise:
    id: str                      # "ex1", "ex2", … in course order; never renumbered
    title: str
    lesson: str                  # book page, e.g. "book/02-named-volumes.md"
    lab: str                     # notebook, e.g. "labs/02-named-volumes.ipynb"
    goal: str                    # the task, as the learner reads it
    owns: Owned
    checks: tuple[Check, ...]
    hints: tuple[str, ...]       # escalating: each `labcheck hint` shows the next
    solution: tuple[str, ...]    # shell commands; `labcheck solve` runs them in order
    builds_on: tuple[str, ...] = field(default=())  # exercises whose end state this one starts from

    @property
    def number(self) -> int:
        return int(self.id[2:])
