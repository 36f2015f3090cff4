"""What a lesson is: its number, slug, title and images, the one record its files are named from.

A lesson's book page, lab notebook, recorded lab run and page label all follow
from its number and slug, so they are spelled once, here. The exercises point
at their lesson (``Exercise.part_of``); the registry in ``checker.exercises``
lists lessons in course order. The table of contents, the lesson tables in
``book/intro.md`` and ``README.md`` and the doctor's image list are derived
from these records or checked against them (tests/test_course_record.py).
"""
from __future__ import annotations

from checker.record import record


@record
class Lesson:
    number: int                  # 1, 2, … in course order; the page and lab file names start with it
    slug: str                    # "named-volumes": file names, the page label (lesson-named-volumes)
    title: str                   # the page's heading after "N. ", also the README's lesson column
    summary: str                 # one line for the intro's list of lessons: what the lesson covers
    images: tuple[str, ...] = ("busybox:1.36",)  # images its lab and reference solutions run

    @property
    def name(self) -> str:
        """The stem shared by the page and the lab: "02-named-volumes"."""
        return f"{self.number:02d}-{self.slug}"

    @property
    def page(self) -> str:
        return f"book/{self.name}.md"

    @property
    def lab(self) -> str:
        return f"labs/{self.name}.ipynb"

    @property
    def recorded_lab(self) -> str:
        """The recorded run of the lab that the book shows, as the table of contents names it."""
        return f"book/lab-runs/{self.name}"

    @property
    def label(self) -> str:
        """The MyST target at the top of the page: ``(lesson-named-volumes)=``."""
        return f"lesson-{self.slug}"

    @property
    def heading(self) -> str:
        return f"# {self.number}. {self.title}"
