"""Classroom evidence without a server: whoami, submit, verify and class, on the real engine."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.classroom.evidence import check_file, file_bytes, signed
from checker.exercises import BY_ID, COURSE

from .conftest import reset_all, solve
from .snapshot import settled_snapshot

LABCHECK = [sys.executable, "-m", "checker"]
KEY = "a class key for the tests"
LEARNERS = ("Ada Lovelace", "Bob Stone", "Zoë O'Neill")
SLUGS = ("ada-lovelace", "bob-stone", "zoe-o-neill")


def labcheck(*args, home: Path, cwd: Path | None = None, key: str | None = KEY, env=None):
    environment = {**os.environ, "COLUMNS": "200", "LABCHECK_HOME": str(home), **(env or {})}
    environment.pop("LABCHECK_CLASS_KEY", None)
    if key is not None:
        environment["LABCHECK_CLASS_KEY"] = key
    done = subprocess.run([*LABCHECK, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=environment, stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def submissions(client, tmp_path_factory):
    """Three learners hand in: Ada has solved ex1 and ex3, Bob ex1, Zoë nothing (all on this one engine)."""
    folder = tmp_path_factory.mktemp("submissions")
    files = {}
    try:
        for name, slug, solved in zip(LEARNERS, SLUGS, (("ex1", "ex3"), ("ex1",), ())):
            reset_all(client)
            for exercise in solved:
                solve(client, BY_ID[exercise])
            home = folder / f"home-{slug}"
            assert labcheck("whoami", "--name", name, home=home)[0] == 0
            before = settled_snapshot(client)
            code, out, err = labcheck("submit", home=home, cwd=folder)
            assert settled_snapshot(client) == before, "submit changed the engine"
            assert code == 0, err
            files[name] = folder / f"labcheck-evidence-{slug}.json"
            assert files[name].is_file() and str(files[name]) in out.replace("\n", "")
    finally:
        reset_all(client)
    return files


def evidence_of(path: Path) -> dict:
    return json.loads(path.read_text())["evidence"]


# ---------------------------------------------------------------- whoami and submit

def test_whoami_asks_once_and_the_value_is_the_learners_own(tmp_path):
    code, _, err = labcheck("whoami", home=tmp_path / "a")
    assert code == 2 and "whoami --name" in err
    code, out, _ = labcheck("whoami", "--name", "  Ada   Lovelace ", home=tmp_path / "a")
    assert code == 0 and "You are Ada Lovelace" in out
    value = labcheck("--quiet", "whoami", home=tmp_path / "a")[1].strip()
    assert len(value) == 6 and value.isalnum() and value in out
    assert labcheck("-q", "whoami", home=tmp_path / "a")[1].strip() == value           # stored, not asked again
    other_machine = labcheck("-q", "whoami", "--name", "Ada Lovelace", home=tmp_path / "b")[1].strip()
    assert other_machine != value                                                    # a salt of its own
    assert labcheck("-q", "whoami", "--name", "Ada King", home=tmp_path / "a")[1].strip() != value
    code, _, err = labcheck("whoami", "--name", "\x1b[31m", home=tmp_path / "a")
    assert code == 2 and "control characters" in err


def test_submit_without_a_class_key_says_so(tmp_path):
    labcheck("whoami", "--name", "Ada Lovelace", home=tmp_path)
    code, out, err = labcheck("submit", home=tmp_path, cwd=tmp_path, key=None)
    assert code == 3 and "LABCHECK_CLASS_KEY is not set" in err and "instructor" in err
    assert not list(tmp_path.glob("*.json"))


def test_submit_refuses_a_file_name_that_is_not_the_learners(tmp_path):
    labcheck("whoami", "--name", "Ada Lovelace", home=tmp_path)
    code, _, err = labcheck("submit", "-o", str(tmp_path / "bob-stone.json"), home=tmp_path)
    assert code == 2 and "ada-lovelace.json" in err


@pytest.mark.engine
def test_evidence_names_the_learner_the_engine_and_the_resources_it_inspected(submissions, client):
    evidence = evidence_of(submissions["Ada Lovelace"])
    assert evidence["learner"]["name"] == "Ada Lovelace" and len(evidence["learner"]["value"]) == 6
    assert evidence["engine"]["id"] == client.info()["ID"]
    records = {r["exercise"]: r for r in evidence["exercises"]}
    assert list(records) == [e.id for e in COURSE]
    assert records["ex1"]["passed"] and records["ex3"]["passed"] and not records["ex2"]["passed"]
    container = records["ex1"]["resources"]["containers"][0]
    assert container["name"] == "lab-scratch" and container["present"]
    assert len(container["id"]) == 64 and container["created"].startswith("20")
    volume = records["ex3"]["resources"]["volumes"][0]
    assert volume["name"] == "lab-notes" and volume["labels"] == {"course": "docker-volumes"} and volume["created"]
    assert records["ex2"]["resources"]["containers"] == [{"present": False, "name": "lab-cow"}]
    text = submissions["Ada Lovelace"].read_text()
    for secret in ('"Env"', '"Cmd"', '"Entrypoint"', '"Config"', "PATH="):
        assert secret not in text


# ---------------------------------------------------------------- verify

@pytest.mark.engine
def test_intact_files_verify(submissions, tmp_path):
    code, out, _ = labcheck("verify", *map(str, submissions.values()), home=tmp_path)
    assert code == 0 and out.count("intact") == 3 and "Zoë O'Neill" in out


@pytest.mark.engine
def test_a_file_edited_by_one_byte_fails_verification(submissions, tmp_path):
    original = submissions["Bob Stone"].read_bytes()
    target = tmp_path / submissions["Bob Stone"].name
    offsets = sorted({*range(0, len(original), max(1, len(original) // 150)), len(original) - 1,
                      original.index(b"Bob Stone"), original.index(b'"passed": true'),
                      original.rindex(b'"value"') + 12})
    for offset in offsets:
        changed = bytearray(original)
        changed[offset] ^= 0x01
        target.write_bytes(bytes(changed))
        checked = check_file(target, KEY.encode())
        assert not checked.intact, f"a changed byte at {offset} went unnoticed"
    changed = original.replace(b'"passed": false', b'"passed": true ', 1)      # same length, still valid JSON
    target.write_bytes(changed)
    code, out, _ = labcheck("verify", str(target), home=tmp_path)
    assert code == 1 and "changed after it was signed" in out


@pytest.mark.engine
def test_a_file_signed_with_another_key_fails(submissions, tmp_path):
    code, out, _ = labcheck("verify", str(submissions["Ada Lovelace"]), home=tmp_path, key="another key")
    assert code == 1 and "another class key" in out


@pytest.mark.engine
def test_one_learners_file_renamed_as_anothers_fails(submissions, tmp_path):
    renamed = tmp_path / "labcheck-evidence-bob-stone.json"
    shutil.copy(submissions["Ada Lovelace"], renamed)
    code, out, _ = labcheck("verify", str(renamed), str(submissions["Bob Stone"]), home=tmp_path)
    assert code == 1 and "named for someone else" in out and "Ada Lovelace" in out
    assert out.count("intact;") == 1


# ---------------------------------------------------------------- class

@pytest.mark.engine
def test_class_renders_a_table_csv_html_and_junit_for_three_submissions(submissions, tmp_path):
    files = [str(f) for f in submissions.values()]
    code, table, _ = labcheck("class", *files, home=tmp_path)
    assert code == 0
    total = len(COURSE)
    assert all(name in table for name in LEARNERS)
    assert f"2/{total}" in table and f"1/{total}" in table and f"0/{total}" in table
    assert "same Docker engine" in table

    code, text, _ = labcheck("class", *files, "--format", "csv", home=tmp_path)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and [r["learner"] for r in rows] == list(LEARNERS)
    ada = rows[0]
    assert ada["ex1"] == "passed" and ada["ex3"] == "passed" and ada["ex2"] == "not yet" and ada["passed"] == "2"
    assert all(r["intact"] == "yes" for r in rows) and "same Docker engine" in ada["to_look_at"]

    out_file = tmp_path / "class.xml"
    code, _, _ = labcheck("class", *files, "--format", "junit", "-o", str(out_file), home=tmp_path)
    suites = ET.parse(out_file).getroot()
    assert code == 0 and suites.tag == "testsuites"
    assert [s.get("name") for s in suites.findall("testsuite")] == list(LEARNERS)
    bob = suites.findall("testsuite")[1]
    assert len(bob.findall("testcase")) == len(COURSE) and bob.get("failures") == str(len(COURSE) - 1)
    first = next(c for c in bob.findall("testcase") if c.get("name") == f"ex2 {BY_ID['ex2'].title}").find("failure")
    bob_ex2 = next(r for r in evidence_of(submissions["Bob Stone"])["exercises"] if r["exercise"] == "ex2")
    first_message = next(c["message"] for c in bob_ex2["checks"] if c["passed"] is False)
    assert first is not None and first.get("message") == first_message
    assert suites.get("tests") == str(3 * len(COURSE))

    code, page, _ = labcheck("class", *files, "--format", "html", home=tmp_path)
    assert code == 0 and page.startswith("<!doctype html>") and "Zoë O&#x27;Neill" in page
    assert page.count("class='pass'") == 3 and "same Docker engine" in page


@pytest.mark.engine
def test_class_lists_files_that_are_not_intact_apart(submissions, tmp_path):
    tampered = tmp_path / submissions["Zoë O'Neill"].name
    tampered.write_bytes(submissions["Zoë O'Neill"].read_bytes().replace(b'"passed": 0', b'"passed": 9', 1))
    files = [str(submissions["Ada Lovelace"]), str(submissions["Bob Stone"]), str(tampered)]
    code, table, _ = labcheck("class", *files, home=tmp_path)
    assert code == 1 and "Not merged:" in table and "changed after it was signed" in table
    assert "Zoë" not in table.split("Not merged:")[0]
    code, text, _ = labcheck("class", *files, "--format", "csv", home=tmp_path)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["intact"] for r in rows] == ["yes", "yes", "no"] and rows[2]["ex1"] == ""
    code, xml, _ = labcheck("class", *files, "--format", "junit", home=tmp_path)
    suites = ET.fromstring(xml.encode())
    assert suites.get("errors") == "1" and suites.findall("testsuite")[2].find("testcase/error") is not None


@pytest.mark.engine
def test_class_flags_the_same_resources_handed_in_under_two_names(submissions, tmp_path):
    """Someone with the class key re-signs Ada's work as their own, from "another engine": the resource
    IDs still give it away."""
    evidence = evidence_of(submissions["Ada Lovelace"])
    evidence["learner"] = {"name": "Mallory Copy", "value": "abcdef", "slug": "mallory-copy"}
    evidence["engine"]["id"] = "another-engine"
    copy = tmp_path / "labcheck-evidence-mallory-copy.json"
    copy.write_bytes(file_bytes(signed(evidence, KEY.encode())))
    assert check_file(copy, KEY.encode()).intact
    code, text, _ = labcheck("class", str(submissions["Ada Lovelace"]), str(copy), "--format", "csv", home=tmp_path)
    rows = {r["learner"]: r for r in csv.DictReader(io.StringIO(text))}
    assert code == 0 and "hand in the same resources" in rows["Mallory Copy"]["to_look_at"]
    assert "lab-scratch" in rows["Ada Lovelace"]["to_look_at"]
    assert "same Docker engine" not in rows["Ada Lovelace"]["to_look_at"]


@pytest.mark.engine
def test_a_later_file_of_the_same_learner_supersedes_the_earlier(submissions, tmp_path):
    evidence = evidence_of(submissions["Bob Stone"])
    evidence["submitted_at"] = "2000-01-01T00:00:00+00:00"
    older = tmp_path / "old-labcheck-evidence-bob-stone.json"
    older.write_bytes(file_bytes(signed(evidence, KEY.encode())))
    code, table, _ = labcheck("class", str(older), str(submissions["Bob Stone"]), home=tmp_path)
    assert code == 0 and "Superseded:" in table and str(older) in table.replace("\n", "")
