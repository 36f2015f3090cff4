"""The book builds with warnings as errors, shows recorded lab runs, and runs nothing itself."""
from __future__ import annotations

import re

import pytest
import yaml

from tests.book_site import LESSONS, PAGES, ROOT


@pytest.mark.slow
def test_book_builds_strictly_without_an_engine(built_book):
    # The build ran with DOCKER_HOST on a socket that does not exist (tests/book_site.py):
    # a book build that tried to run a lab would fail here.
    assert built_book.returncode == 0, built_book.log
    html = built_book.html
    for page in PAGES:
        assert (html / f"{page}.html").is_file(), page
    lab_page = (html / "book" / "lab-runs" / "01-ephemeral.html").read_text()
    assert "PASSED" in lab_page and "hello from the writable layer" in lab_page
    assert "layers.svg" in (html / "book" / "01-ephemeral.html").read_text()


@pytest.mark.slow
def test_every_self_check_is_a_dropdown_and_no_fence_leaks(built_book):
    for lesson in LESSONS:
        source = (ROOT / f"{lesson}.md").read_text()
        questions = len(re.findall(r"^:::+\{dropdown\}|^````*\{dropdown\}", source, flags=re.M))
        page = (built_book.html / f"{lesson}.html").read_text()
        assert questions and page.count('<details class="sd-sphinx-override sd-dropdown') == questions, lesson
        assert "```" not in page and "{dropdown}" not in page, lesson
        assert '<section id="exercises">' in page, lesson


@pytest.mark.slow
def test_no_page_names_a_resource_outside_the_site(built_book):
    """A workshop room may be offline: scripts, styles, images and frames all come from the site."""
    loaded = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I)
    for page in built_book.html.rglob("*.html"):
        html = page.read_text()
        assert not loaded.search(html), f"{page.relative_to(built_book.html)}: {loaded.search(html).group(0)}"
        assert "unpkg.com" not in html and "THEBE_JS_URL" not in html, page


def command_lines(lesson_source: str) -> list[str]:
    """Every line of a ```bash block, and the lines of ```text blocks that are commands (`docker …`
    and their continuations) rather than output."""
    lines = []
    for kind, block in re.findall(r"^```(bash|text)\n(.*?)^```", lesson_source, re.S | re.M):
        continued = False
        for line in block.splitlines():
            if kind == "bash" or continued or line.startswith(("docker ", "$ ")):
                lines.append(line)
            continued = line.endswith("\\")
    return lines


def test_lesson_commands_are_wrapped_for_a_narrow_column():
    """A command a reader copies is readable without scrolling: lines of about 80 characters,
    longer commands continued with a backslash (a single option value may not be split)."""
    for lesson in LESSONS:
        long = [line for line in command_lines((ROOT / f"{lesson}.md").read_text()) if len(line) > 84]
        assert not long, f"{lesson}: wrap these with \\: {long}"


def test_book_never_executes_notebooks():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
