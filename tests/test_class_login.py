"""The class log-in (classroom/authenticator.py) without a hub: the class code, and a name kept by the
password its first log-in chose; the instructor only with the admin password."""
from __future__ import annotations

import asyncio
import json

import pytest

from classroom.authenticator import ClassCodeAuthenticator
from classroom.settings import ClassSettings, load

CODE = "vol-2026"
ADMIN = "a" * 40


@pytest.fixture
def login(tmp_path):
    authenticator = ClassCodeAuthenticator(user_password=CODE, admin_password=ADMIN, admin_users={"instructor"},
                                           allow_all=True, learners_file=str(tmp_path / "learners.json"))

    def attempt(name, code, own=""):
        found = asyncio.run(authenticator.authenticate(None, {"username": name, "password": code, "otp": own}))
        return found and found["name"], found and found["admin"]
    attempt.file = tmp_path / "learners.json"
    return attempt


def test_the_class_code_lets_a_new_name_in_and_that_name_keeps_its_own_password(login):
    assert login("alice", "wrong-code", "alice-pass") == (None, None)
    assert login("alice", CODE, "") == (None, None)                 # a first log-in must choose a password
    assert login("alice", CODE, "alice-pass") == ("alice", False)
    assert login("alice", CODE, "bob-pass") == (None, None)         # someone else, the same name
    assert login("alice", CODE, "alice-pass") == ("alice", False)
    stored = json.loads(login.file.read_text())
    assert set(stored) == {"alice"} and "alice-pass" not in login.file.read_text()
    assert login.file.stat().st_mode & 0o777 == 0o600


def test_the_instructor_needs_the_admin_password_and_a_learner_never_becomes_admin(login):
    assert login("instructor", CODE, "whatever") == (None, None)
    assert login("instructor", ADMIN) == ("instructor", True)
    assert login("alice", ADMIN, "alice-pass") == (None, None)


def test_settings_are_made_once_kept_private_and_refuse_a_short_code(tmp_path):
    first = load(tmp_path / "class", environ={})
    assert len(first.code) >= 8 and len(first.admin_password) >= 32
    assert load(tmp_path / "class", environ={}) == first
    assert (tmp_path / "class").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "class" / "class.json").stat().st_mode & 0o777 == 0o600
    assert load(tmp_path / "class", environ={"CLASS_CODE": "vol-2027"}).code == "vol-2027"
    with pytest.raises(ValueError, match="at least 8"):
        load(tmp_path / "class", environ={"CLASS_CODE": "short"})
    with pytest.raises(ValueError, match="CLASS_NAME"):
        ClassSettings(name="Not A Name").validate()
