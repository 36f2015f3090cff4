"""The built book as a learner meets it, in a real browser (Debian's chromium, driven by Playwright).

Everything here asserts what a reader sees: visible text, what a click opens,
computed sizes. The site is served from 127.0.0.1 and no request may leave it.
Screenshots of every lesson, at 1366 and 390 px, land in _build/screenshots/.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.book_site import LESSONS, PAGES, ROOT, SUMMARY, serve

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "_build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MIN_FONT_PX = 12

LABS = {lesson: lesson.replace("book/", "book/lab-runs/") for lesson in LESSONS}

# Text nodes' own font sizes, for elements a reader can see.
VISIBLE_TEXT_SIZES = """() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    found.push([parseFloat(getComputedStyle(el).fontSize), el.tagName, el.textContent.trim().slice(0, 50)]);
  }
  return found;
}"""

RENDERED_DIAGRAMS = """() => [...document.querySelectorAll('article img')]
  .filter(img => img.getAttribute('src').endsWith('.svg') && img.checkVisibility())
  .map(img => [new URL(img.src).pathname, img.getBoundingClientRect().width])"""


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, built_book.log
    base, server = serve(built_book.html)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (bash tools/browser.sh)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Reader:
    """One browser tab on the site, recording every request that leaves 127.0.0.1 and every error."""

    def __init__(self, browser, site: str, viewport: dict):
        self.site = site
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(60_000)   # a CI machine busy with engine tests is slow
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.interrupted = 0   # requests the host's network changes cut off since the last load
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.hostname != "127.0.0.1":
            self.outside.append(request.url)

    # Chromium cuts off loads in flight when the host's network interfaces change, as they do
    # while an engine creates or removes container networks. That says nothing about the site:
    # such a load is repeated rather than counted as an error.
    NETWORK_CHANGED = "ERR_NETWORK_CHANGED"

    def _request_failed(self, request):
        if self.NETWORK_CHANGED in (request.failure or ""):
            self.interrupted += 1

    def _console(self, message):
        if message.type == "error" and self.NETWORK_CHANGED not in message.text:
            self.errors.append(f"console: {message.text}")

    def settle(self, errors_before: int | None = None):
        """Wait for the page to load; load it again if the host's network cut it off.

        What a cut-off load reported (a script that never arrived, and so a name not defined)
        is dropped with it: ERRORS_BEFORE is how many errors there were before this load."""
        errors_before = len(self.errors) if errors_before is None else errors_before
        for _ in range(5):
            self.page.wait_for_load_state("load")
            if not self.interrupted:
                return self.page
            self.interrupted = 0
            del self.errors[errors_before:]
            self.page.reload()
        raise AssertionError(f"{self.page.url} never loaded without a network change")

    def open(self, page: str, query: str = ""):
        self.interrupted, errors_before = 0, len(self.errors)
        self.page.goto(f"{self.site}/{page}.html{query}")
        return self.settle(errors_before)

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def close(self):
        self.context.close()
        assert not self.outside, f"requests left 127.0.0.1: {sorted(set(self.outside))}"
        assert not self.errors, f"the browser reported errors: {self.errors}"


@pytest.fixture
def reader(browser, site):
    readers = []

    def open_reader(viewport=DESKTOP) -> Reader:
        readers.append(Reader(browser, site, viewport))
        return readers[-1]

    yield open_reader
    for r in readers:
        r.close()


def test_self_check_answers_are_hidden_until_clicked(reader):
    tab = reader()
    hidden = {}
    for lesson in LESSONS:
        page = tab.open(lesson)
        questions = page.locator("#check-yourself details")
        answers = page.locator("#check-yourself details .sd-summary-content")
        assert questions.count() >= 1, f"{lesson}: no self-check dropdown"
        hidden[lesson] = sum(not answers.nth(i).is_visible() for i in range(answers.count()))
        assert hidden[lesson] == answers.count(), f"{lesson}: an answer is in plain view"
        # All the section shows before a click: its heading and the questions.
        shown = page.locator("#check-yourself").inner_text()
        for text in ["Check yourself", *page.locator("#check-yourself summary").all_inner_texts()]:
            shown = shown.replace(text, "", 1)
        assert not shown.strip(), f"{lesson} shows more than its questions: {shown.strip()[:200]!r}"
        first_answer = " ".join(answers.first.text_content().split())[:60]
        assert first_answer and first_answer not in " ".join(tab.text().split())
        questions.first.locator("summary").click()
        answers.first.wait_for(state="visible")
        assert first_answer in " ".join(tab.text().split())
    SUMMARY.append("self-check answers hidden when a lesson opens: "
                   + ", ".join(f"{Path(k).name[:2]}: {v}" for k, v in hidden.items()))


def test_every_lesson_shows_its_exercises_and_links_to_its_lab(reader):
    tab = reader()
    for lesson in LESSONS:
        page = tab.open(lesson)
        section = page.locator("section#exercises")
        assert page.get_by_role("heading", name="Exercises").is_visible(), lesson
        shown = re.findall(r"^(ex\d+):", section.inner_text(), flags=re.M)
        assert shown, f"{lesson}: no exercise in view"
        for exercise in shown:
            assert page.locator(f"#{exercise}").count() == 1, f"{lesson}: no anchor #{exercise}"
        lab_link = section.locator(f'a[href$="{Path(LABS[lesson]).name}.html"]').first
        assert lab_link.is_visible(), f"{lesson}: no visible link to {LABS[lesson]}"
        errors_before = len(tab.errors)
        lab_link.click()
        page.wait_for_url(f"**/{LABS[lesson]}.html")
        tab.settle(errors_before)
        assert page.locator("article h1").first.is_visible()


def test_no_markup_shows_as_text(reader):
    tab = reader()
    for name in PAGES:
        tab.open(name)
        visible = tab.text()
        for leak in ("```", "{dropdown}", ":::", "{term}", "{doc}"):
            assert leak not in visible, f"{name} shows {leak!r}"


def test_double_hyphens_survive_in_what_the_reader_copies(reader):
    tab = reader()
    seen = ""
    for name in PAGES:
        tab.open(name)
        visible = tab.text()
        assert not re.search(r"[\u2013\u2014][A-Za-z]", visible), f"{name}: an option lost its --"
        seen += visible
    for option in ("--mount", "--rm", "--volumes-from", "--tmpfs"):
        assert option in seen, option


def test_search_for_tmpfs_lists_the_tmpfs_lesson_first(reader):
    page = reader().open("search", "?q=tmpfs")
    page.get_by_text(re.compile(r"Search finished")).wait_for()
    first = page.locator("#search-results ul.search li a").first
    assert first.get_attribute("href").split("?")[0].endswith("07-tmpfs.html"), first.get_attribute("href")


def test_lesson_lab_next_lesson_by_clicking_next(reader):
    tab = reader()
    page = tab.open(LESSONS[0])
    expected = [p for lesson in LESSONS for p in (lesson, LABS[lesson])]
    for here, after in zip(expected, expected[1:]):
        assert page.url.endswith(f"/{here}.html"), page.url
        errors_before = len(tab.errors)
        page.locator("a.right-next").click()
        page.wait_for_url(f"**/{after}.html")
        tab.settle(errors_before)


def svg_min_font(svg: Path) -> tuple[float, float]:
    """(width of the viewBox, smallest font-size of any <text>) of a diagram."""
    root = ET.parse(svg).getroot()
    width = float(root.get("viewBox").split()[2])
    smallest = float("inf")

    def walk(node, size):
        nonlocal smallest
        size = float(node.get("font-size", size))
        if node.tag.endswith("}text") or node.tag.endswith("}tspan"):
            smallest = min(smallest, size)
        for child in node:
            walk(child, size)

    walk(root, 16.0)
    return width, smallest


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_reader_never_scrolls_sideways_nor_meets_tiny_text(reader, built_book, viewport):
    tab = reader(viewport)
    for name in PAGES:
        page = tab.open(name)
        width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1] + 1, f"{name} scrolls sideways at {viewport['width']} px: {width}"
        tiny = [t for t in page.evaluate(VISIBLE_TEXT_SIZES) if t[0] < MIN_FONT_PX]
        assert not tiny, f"{name}: text under {MIN_FONT_PX} px: {tiny[:5]}"
        for src, rendered in page.evaluate(RENDERED_DIAGRAMS):
            box_width, font = svg_min_font(built_book.html / src.lstrip("/"))
            assert font * rendered / box_width >= MIN_FONT_PX - 0.05, \
                f"{name}: {src} draws text at {font * rendered / box_width:.1f} px"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_screenshots_of_every_lesson(reader, viewport):
    tab = reader(viewport)
    folder = SCREENSHOTS / str(viewport["width"])
    folder.mkdir(parents=True, exist_ok=True)
    for lesson in LESSONS:
        tab.open(lesson).screenshot(path=folder / f"{Path(lesson).name}.png", full_page=True)
    SUMMARY.append(f"screenshots at {viewport['width']} px: {folder}/NN-*.png ({len(LESSONS)} lessons)")
    assert len(list(folder.glob("*.png"))) >= len(LESSONS)
