"""The class hub (issue 16): classroom/ on the test engine, two learners and the instructor.

The hub runs as `make class` runs it (tests/class_hub.py), with its own class folder, a class name of this run
and a kit of the one image ex3 needs. Learners log in through the hub's own log-in form (the first log-in makes
the account), then use the hub's REST API with a token, as a script or the browser would. What a learner types
in a terminal runs in their server container (`docker exec`). Teardown ends the class with
`python -m classroom end` and then removes anything still labelled with the class, even when a test failed.
"""
from __future__ import annotations

import os
import re
import sys
import time
import urllib.error

import pytest

from .class_hub import CODE, Hub
from .conftest import RUN_ID
from .course_images import build_images, sh

pytestmark = [pytest.mark.engine, pytest.mark.slow, pytest.mark.isolated]   # the class's own names and engines

CLASS = f"dvc-class-{RUN_ID}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    build_images()
    hub = Hub(tmp_path_factory.mktemp("class") / "home", CLASS)
    try:
        hub.wait_until_up()
        yield hub
    finally:
        hub.end()
        print(hub.output()[-8000:])


def test_the_hub_prints_its_address_and_class_code(hub):
    assert f"Learners open   http://127.0.0.1:{hub.port}/" in hub.output()
    assert f"the class code   {CODE}" in hub.output()
    assert "wrote the offline kit" in hub.output()


def test_a_wrong_class_code_gets_403_and_a_name_is_kept_by_its_own_password(hub):
    assert hub.log_in("alice", "not-the-code", "alice-pass") == 403
    assert hub.log_in("alice", CODE, "alice-pass") == 302            # first log-in: the account is made
    assert hub.log_in("alice", CODE, "someone-else") == 403          # the name is taken: its password only
    with pytest.raises(urllib.error.HTTPError) as refused:
        hub.token_for("alice", "not-the-code", "alice-pass")
    assert refused.value.code == 403
    assert hub.log_in("bob", CODE, "bob-pass") == 302
    assert hub.log_in("instructor", hub.admin_password()) == 302
    for name, own in (("alice", "alice-pass"), ("bob", "bob-pass")):
        hub.token_for(name, CODE, own)
    hub.token_for("instructor", hub.admin_password())


def test_each_learner_gets_a_server_with_an_engine_of_their_own(hub):
    hub.started = {name: hub.start_server(name) for name in ("alice", "bob")}
    for name in ("alice", "bob"):
        assert f"You are {name};" in hub.terminal(name, "labcheck whoami").stdout
        doctor = hub.terminal(name, "labcheck doctor", check=False).stdout
        assert "setup: class hub server, your own private engine" in doctor, doctor
        assert "the course's private Docker Engine 26" in doctor and "through the engine" in doctor, doctor
    ids = {name: hub.terminal(name, "docker info --format '{{.ID}}'").stdout.strip() for name in ("alice", "bob")}
    assert ids["alice"] != ids["bob"]
    hub.terminal("alice", "labcheck solve ex3 >/dev/null")
    assert hub.terminal("alice", "labcheck ex3", check=False).returncode == 0
    assert hub.terminal("bob", "labcheck ex3", check=False).returncode == 1
    assert "lab-notes" not in hub.terminal("bob", "docker volume ls --format '{{.Name}}'").stdout
    assert all(seconds < 120 for seconds in hub.started.values()), hub.started


def test_a_learner_cannot_open_another_learners_server_or_the_class_table(hub):
    alice, bob = hub.tokens["alice"], hub.tokens["bob"]
    assert hub.status("GET", "/user/bob/api/status", bob) == 200
    assert hub.status("GET", "/user/bob/api/status", alice) == 403
    assert hub.status("GET", "/user/bob/api/contents/labs", alice) == 403
    assert hub.status("GET", "/services/class-table/", alice) == 403
    assert hub.status("GET", "/services/class-table/class.csv", bob) == 403
    assert hub.status("POST", "/services/class-table/refresh", alice) == 403
    assert hub.status("GET", "/services/class-table/", hub.tokens["instructor"]) == 200


def test_the_class_table_grades_each_learner_from_their_own_engine(hub):
    rows = hub.table()
    assert rows["alice"]["ex3"] == "passed" and rows["bob"]["ex3"] == "not yet", rows
    hub.terminal("bob", "labcheck solve ex3 >/dev/null")
    rows = hub.table()
    assert rows["alice"]["ex3"] == rows["bob"]["ex3"] == "passed", rows
    with hub.request("GET", "/services/class-table/class.junit.xml", token=hub.tokens["instructor"]) as answer:
        junit = answer.read().decode()
    assert '<testsuite name="alice"' in junit and '<testsuite name="bob"' in junit
    with hub.request("GET", "/services/class-table/", token=hub.tokens["instructor"]) as answer:
        page = answer.read().decode()
    assert "last graded" in page and "Grade everyone now" in page
    assert not [c for c in sh("docker", "ps", "-a", "--format", "{{.Names}}").stdout.split() if "-grader-" in c]


def test_in_a_browser_a_learner_logs_in_to_jupyterlab_and_the_instructor_sees_the_table(hub):
    """The log-in form and the pages as Chromium renders them; CLASS_SCREENSHOTS=folder keeps screenshots."""
    from playwright.sync_api import sync_playwright

    from .test_browser import CHROMIUM, CHROMIUM_ARGS

    keep = os.environ.get("CLASS_SCREENSHOTS")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            learner = browser.new_page(viewport={"width": 1280, "height": 800})
            learner.goto(f"{hub.url}/hub/login")
            assert learner.get_by_label("Class code:").is_visible()
            learner.get_by_label("Your name").fill("alice")
            learner.get_by_label("Class code:").fill(CODE)
            learner.get_by_label("Your own password").fill("alice-pass")
            if keep:
                learner.screenshot(path=f"{keep}/class-login.png")
            learner.get_by_role("button", name="Sign in").click()
            learner.wait_for_url(re.compile(r".*/user/alice/lab.*"), timeout=60_000)
            learner.get_by_text("02-named-volumes.ipynb").first.wait_for(timeout=60_000)
            if keep:
                learner.screenshot(path=f"{keep}/class-learner-jupyterlab.png")
            learner.goto(f"{hub.url}/services/class-table/")
            assert "403" in learner.content() and "class-table" not in learner.title()

            instructor = browser.new_page(viewport={"width": 1280, "height": 600})
            instructor.goto(f"{hub.url}/hub/login?next=/services/class-table/")
            instructor.get_by_label("Your name").fill("instructor")
            instructor.get_by_label("Class code:").fill(hub.admin_password())
            instructor.get_by_role("button", name="Sign in").click()
            instructor.wait_for_url(re.compile(r".*/services/class-table/$"), timeout=60_000)
            rows = instructor.locator("tbody tr")
            assert rows.count() == 2
            assert "alice" in rows.nth(0).inner_text() and "✔" in rows.nth(0).inner_text()
            forged = instructor.request.post(f"{hub.url}/services/class-table/refresh")   # the cookie, no XSRF token
            assert forged.status == 403
            instructor.get_by_role("button", name="Grade everyone now").click()
            instructor.wait_for_url(re.compile(r".*/services/class-table/$"), timeout=120_000)
            assert "last round" in instructor.content()
            if keep:
                instructor.screenshot(path=f"{keep}/class-table.png", full_page=True)
        finally:
            browser.close()


def test_one_learners_reset_leaves_the_others_volume_alone(hub):
    done = hub.terminal("alice", "labcheck reset --all --yes")
    assert "lab-notes" not in hub.terminal("alice", "docker volume ls --format '{{.Name}}'").stdout, done.stdout
    assert "lab-notes" in hub.terminal("bob", "docker volume ls --format '{{.Name}}'").stdout
    assert hub.terminal("bob", "labcheck ex3", check=False).returncode == 0
    hub.terminal("alice", "labcheck solve ex3 >/dev/null")


def test_a_stopped_and_restarted_server_keeps_the_learners_work(hub):
    hub.terminal("alice", 'echo kept > "$LABCHECK_WORKSPACE/kept.txt"')
    hub.stop_server("alice")
    names = sh("docker", "ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert f"{CLASS}-server-alice" not in names and f"{CLASS}-engine-alice" not in names   # both stopped
    assert f"{CLASS}-engine-bob" in names
    hub.start_server("alice")
    assert hub.terminal("alice", "labcheck ex3", check=False).returncode == 0
    assert hub.terminal("alice", 'cat "$LABCHECK_WORKSPACE/kept.txt"').stdout.strip() == "kept"


def test_ending_the_class_leaves_nothing_of_it(hub):
    assert hub.leftovers()
    hub.stop()
    done = sh(sys.executable, "-m", "classroom", "end", env=hub.env)
    assert "ended" in done.stdout
    assert hub.leftovers() == []
    assert not hub.home.exists()


def test_an_idle_server_is_stopped_with_its_engine_and_the_work_stays(tmp_path_factory):
    """A second class whose servers count as idle after 20 s: the culler stops the server, the spawner its
    engine; the learner's volumes stay until the class ends."""
    build_images()
    hub = Hub(tmp_path_factory.mktemp("idle-class") / "home", f"{CLASS}-idle", idle=20)
    try:
        hub.wait_until_up()
        assert hub.log_in("carol", CODE, "carol-pass") == 302
        hub.token_for("carol", CODE, "carol-pass")
        hub.start_server("carol")
        hub.terminal("carol", 'echo kept > "$LABCHECK_WORKSPACE/kept.txt"')
        deadline = time.monotonic() + 120
        while hub.api("GET", "/hub/api/users/carol", token=hub.tokens["carol"])["servers"]:
            assert time.monotonic() < deadline, f"carol's idle server was not stopped:\n{hub.output()[-4000:]}"
            time.sleep(1)
        names = sh("docker", "ps", "-a", "--format", "{{.Names}}").stdout.split()
        assert f"{hub.name}-server-carol" not in names and f"{hub.name}-engine-carol" not in names
        assert "idle-culler" in hub.output() and "Stopping" in hub.output()
        kept = sh("docker", "volume", "ls", "-q", "--filter", f"name={hub.name}-carol-").stdout.split()
        assert len(kept) == 5, kept
    finally:
        hub.end()
