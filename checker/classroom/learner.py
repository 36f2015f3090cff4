"""Who is doing the labs: the learner's name, asked once, and a short value of their own.

The name is stored with the progress (LABCHECK_HOME) together with a random salt made once; the learner
value is six characters derived from both. It goes into the signed evidence beside the name, so a file
cannot be handed over to another name without the value changing too.
"""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from checker.grading.progress import Progress

NAME_LIMIT = 80


class BadName(ValueError):
    """A name labcheck will not store; the message says why."""


@dataclass(frozen=True)
class Learner:
    name: str
    value: str

    @property
    def slug(self) -> str:
        return slug_of(self.name, self.value)


def learner_value(name: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}\n{name}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:6]


def slug_of(name: str, value: str) -> str:
    """The name in file-name form ("Zoë O'Neill" -> "zoe-o-neill"); names with no Latin letters use the value."""
    latin = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")[:40].strip("-")
    return slug or f"learner-{value}"


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise BadName("The name is empty: give the name your instructor knows you by.")
    if len(name) > NAME_LIMIT:
        raise BadName(f"That name is longer than {NAME_LIMIT} characters: give a shorter one.")
    if not all(c.isprintable() for c in name):
        raise BadName("That name holds control characters: type it as plain text.")
    return name


def stored_learner(progress: Progress | None = None) -> Learner | None:
    found = (progress or Progress()).learner()
    return Learner(found[0], learner_value(*found)) if found else None


def remember_learner(name: str, progress: Progress | None = None) -> Learner:
    """Store `name` (cleaned); the salt is made the first time and kept when the name changes."""
    store = progress or Progress()
    name = clean_name(name)
    known = store.learner()
    salt = known[1] if known else secrets.token_hex(16)
    store.set_learner(name, salt)
    return Learner(name, learner_value(name, salt))
