"""What an exercise is: everything about it, defined in one place."""
from __future__ import annotations

from checker.grading.checks import Check
from checker.grading.lesson import Lesson
from checker.record import record


@record
class Owned:
    """Docker resources and host files an exercise owns, by exact name.

    Reset removes these and nothing else; a volume called ``lab-notes-old`` or
    a container ``my-lab-writer`` is never touched.
    """
    containers: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    host_paths: tuple[str, ...] = ()     # relative to the workspace folder
    images: tuple[str, ...] = ()         # tags the lab builds, e.g. "lab-web:1"
    networks: tuple[str, ...] = ()       # e.g. the default network of a Compose project


@record
class Mistake:
    """A common wrong turn: the commands that make it, and words of the message it earns.

    The test suite makes each mistake on a real engine and asserts that the
    first failing check says `message`; instructors can read them as a list of
    what to watch for.
    """
    what: str
    commands: tuple[str, ...]
    message: str
    hint: str = ""
    """What to do about this mistake: shown first when the first failing check's message contains `message`."""


@record
class Exercise:
    id: str                      # "ex1", "ex2", … in course order; never renumbered
    title: str
    part_of: Lesson              # the lesson record: its page and lab are this exercise's
    goal: str                    # the task, as the learner reads it
    owns: Owned
    checks: tuple[Check, ...]
    hints: tuple[str, ...]       # escalating: each `labcheck hint` shows the next
    solution: tuple[str, ...]    # shell commands; `labcheck solve` runs them in order
    mistakes: tuple[Mistake, ...] = ()
    builds_on: tuple[str, ...] = ()  # exercises whose end state this one starts from

    @property
    def number(self) -> int:
        return int(self.id[2:])

    def mistake_behind(self, message: str) -> Mistake | None:
        """The mistake (with a hint) that a failing check's `message` points to, if any."""
        return next((m for m in self.mistakes if m.hint and m.message in message), None)

    @property
    def lesson(self) -> str:
        """The book page, e.g. "book/02-named-volumes.md"."""
        return self.part_of.page

    @property
    def lab(self) -> str:
        """The lab notebook, e.g. "labs/02-named-volumes.ipynb"."""
        return self.part_of.lab
