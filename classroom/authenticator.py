"""Log-in for a class: a name the learner chooses, the class code, and a password of their own.

JupyterHub's SharedPasswordAuthenticator checks the class code (its `user_password`) and the instructor's admin
password. On its own it lets anyone who knows the code log in under any name, so a learner could open another
learner's server. Here the first log-in under a name also sets that learner's own password (the form's third
field); every later log-in under the name must give it. Nothing is set up in advance, and the passwords are
stored only as scrypt hashes in the class folder.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from traitlets import Unicode, default

OWN_PASSWORD_MIN = 6


def _hash(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return base64.b64encode(salt + digest).decode()


def _matches(password: str, stored: str) -> bool:
    raw = base64.b64decode(stored)
    return secrets.compare_digest(_hash(password, raw[:16]), stored)


class ClassCodeAuthenticator(SharedPasswordAuthenticator):
    learners_file = Unicode(config=True, help="Where each learner name's own password is kept, hashed.")

    @default("request_otp")
    def _ask_for_own_password(self):
        return True

    @default("otp_prompt")
    def _own_password_prompt(self):
        return f"Your own password (first time: choose one, {OWN_PASSWORD_MIN}+ characters):"

    def _learners(self) -> dict[str, str]:
        path = Path(self.learners_file)
        return json.loads(path.read_text()) if path.exists() else {}

    def _remember(self, learners: dict[str, str]) -> None:
        path = Path(self.learners_file)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(learners))
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)

    async def authenticate(self, handler, data):
        found = await super().authenticate(handler, data)
        if not found or found.get("admin"):
            return found
        own = str(data.get("otp") or "")
        learners = self._learners()
        name = found["name"]
        if name not in learners:
            if len(own) < OWN_PASSWORD_MIN:
                self.log.info("Refused %s: a first log-in needs an own password of %d+ characters", name,
                              OWN_PASSWORD_MIN)
                return None
            learners[name] = _hash(own, secrets.token_bytes(16))
            self._remember(learners)
            return found
        return found if _matches(own, learners[name]) else None
