"""Signed evidence of a learner's work: what `labcheck submit` writes and `verify` and `class` read.

A file holds one JSON object, ``{"evidence": {...}, "signature": {...}}``. The evidence names the learner
(name and learner value), the engine (its ID from GET /info), each exercise's report and a redacted
inspect of the resources the exercise owns: names, IDs, creation times, mounts, labels, image and state,
never environment values or command lines. The signature is HMAC-SHA256 under the class key the instructor
hands out (LABCHECK_CLASS_KEY) over the evidence in canonical JSON; the file must also keep exactly the
layout labcheck wrote, so any changed byte, even whitespace, makes it not intact. The file's name must end
in the learner's slug, so a file renamed to pass as someone else's is caught.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from checker.classroom.learner import Learner, slug_of
from checker.paths import workspace_path
from checker.engine.problems import EnvironmentProblem

FORMAT = "labcheck-evidence/1"
ALGORITHM = "HMAC-SHA256"
KEY_VARIABLE = "LABCHECK_CLASS_KEY"
FILE_PREFIX = "labcheck-evidence-"


def class_key() -> bytes:
    key = os.environ.get(KEY_VARIABLE, "")
    if not key.strip():
        raise EnvironmentProblem(f"{KEY_VARIABLE} is not set, so labcheck cannot sign or check evidence.",
                                 f"Ask your instructor for the class key, then `export {KEY_VARIABLE}=THE-KEY` "
                                 "and run the command again.")
    return key.encode()


def key_id(key: bytes) -> str:
    """A short, public name for a key, to tell "another key" from "changed content"."""
    return hashlib.sha256(b"labcheck class key\n" + key).hexdigest()[:8]


def canonical(evidence: dict) -> bytes:
    return json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed(evidence: dict, key: bytes) -> dict:
    return {"evidence": evidence, "signature": {
        "algorithm": ALGORITHM, "key_id": key_id(key),
        "value": hmac.new(key, canonical(evidence), hashlib.sha256).hexdigest()}}


def file_bytes(document: dict) -> bytes:
    """The one layout labcheck writes (and verify expects)."""
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def default_file_name(learner: Learner) -> str:
    return f"{FILE_PREFIX}{learner.slug}.json"


def name_matches(path: str | Path, slug: str) -> bool:
    """The file's name ends in the learner's slug ("…-ada-lovelace.json"); a prefix an LMS adds is fine."""
    stem = Path(path).name.lower().removesuffix(".json")
    return stem == slug or bool(re.search(rf"[-_ .]{re.escape(slug)}$", stem))


# ---------------------------------------------------------------- what goes in: redacted inspects

def _some(record: dict) -> dict:
    return {k: v for k, v in record.items() if v not in (None, "", {}, [])}


def container_record(attrs: dict) -> dict:
    """Identity, image, state and mounts; not Env, Cmd, Entrypoint or anything else from its config."""
    state, config, host = attrs.get("State") or {}, attrs.get("Config") or {}, attrs.get("HostConfig") or {}
    return {"present": True, "name": attrs.get("Name", "").lstrip("/"), "id": attrs.get("Id"),
            "created": attrs.get("Created"), "image": config.get("Image"), "image_id": attrs.get("Image"),
            "state": _some({"status": state.get("Status"), "running": state.get("Running"),
                            "exit_code": state.get("ExitCode"), "started_at": state.get("StartedAt"),
                            "finished_at": state.get("FinishedAt")}),
            "mounts": [_some({"type": m.get("Type"), "name": m.get("Name"), "source": m.get("Source"),
                              "destination": m.get("Destination"), "rw": m.get("RW"), "driver": m.get("Driver")})
                       for m in attrs.get("Mounts") or ()],
            "tmpfs": host.get("Tmpfs") or {},
            "labels": config.get("Labels") or {}}


def volume_record(attrs: dict) -> dict:
    """Driver options can hold passwords (CIFS, NFS): only their names, and the type, go in."""
    options = attrs.get("Options") or {}
    return _some({"present": True, "name": attrs.get("Name"), "created": attrs.get("CreatedAt"),
                  "driver": attrs.get("Driver"), "scope": attrs.get("Scope"), "labels": attrs.get("Labels") or {},
                  "option_names": sorted(options), "type": options.get("type")})


def image_record(reference: str, attrs: dict) -> dict:
    return {"present": True, "name": reference, "id": attrs.get("Id"), "created": attrs.get("Created")}


def network_record(attrs: dict) -> dict:
    return _some({"present": True, "name": attrs.get("Name"), "id": attrs.get("Id"), "created": attrs.get("Created"),
                  "driver": attrs.get("Driver"), "labels": attrs.get("Labels") or {}})


def host_path_record(relative: str) -> dict:
    """Kind and size only: what is in the file is the checks' business, and in their report."""
    try:
        info = os.lstat(workspace_path() / relative)
    except OSError:
        return {"present": False, "path": relative}
    kind = ("link" if stat.S_ISLNK(info.st_mode) else "folder" if stat.S_ISDIR(info.st_mode)
            else "file" if stat.S_ISREG(info.st_mode) else "other")
    return {"present": True, "path": relative, "kind": kind, "size": info.st_size if kind == "file" else None}


def owned_resources(exercise, view) -> dict:
    """A redacted inspect of what `exercise` owns, read through the grading view (GET only)."""
    def each(names, inspect, record):
        found = []
        for name in names:
            attrs = inspect(name)
            found.append(record(attrs) if attrs is not None else {"present": False, "name": name})
        return found

    owns = exercise.owns
    return _some({"containers": each(owns.containers, view.container, container_record),
                  "volumes": each(owns.volumes, view.volume, volume_record),
                  "images": [image_record(i, a) if (a := view.image(i)) is not None
                             else {"present": False, "name": i} for i in owns.images],
                  "networks": each(owns.networks, view.network, network_record),
                  "host_paths": [host_path_record(p) for p in owns.host_paths]})


def collect(learner: Learner, engine, view, exercises, reports, version: str) -> dict:
    info = engine.info()
    records = []
    for exercise, report in zip(exercises, reports):
        lesson = {"number": exercise.part_of.number, "title": exercise.part_of.title}
        records.append({**report.to_json(), "lesson": lesson, "resources": owned_resources(exercise, view)})
    return {"format": FORMAT, "labcheck": version,
            "submitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "learner": {"name": learner.name, "value": learner.value, "slug": learner.slug},
            "engine": _some({"id": info.get("ID"), "version": engine.version_info.get("Version"),
                             "api_version": engine.api_version, "os": info.get("OperatingSystem")}),
            "exercises": records, "passed": sum(r.passed for r in reports), "total": len(reports)}


def write(document: dict, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(file_bytes(document))
    os.replace(partial, path)


# ---------------------------------------------------------------- what comes back: verification

@dataclass(frozen=True)
class Checked:
    """One file as `verify` and `class` see it; `evidence` is set only when the file is intact."""
    path: str
    intact: bool
    reason: str = ""
    evidence: dict | None = None

    @property
    def learner(self) -> str:
        return self.evidence["learner"]["name"] if self.evidence else ""


def _well_formed(document) -> bool:
    if not isinstance(document, dict) or set(document) != {"evidence", "signature"}:
        return False
    evidence, signature = document["evidence"], document["signature"]
    if not isinstance(evidence, dict) or not isinstance(signature, dict):
        return False
    learner, exercises = evidence.get("learner"), evidence.get("exercises")
    return (evidence.get("format") == FORMAT and signature.get("algorithm") == ALGORITHM
            and isinstance(signature.get("key_id"), str) and isinstance(signature.get("value"), str)
            and isinstance(learner, dict) and isinstance(learner.get("name"), str)
            and isinstance(learner.get("value"), str) and isinstance(evidence.get("engine"), dict)
            and isinstance(exercises, list)
            and all(isinstance(e, dict) and isinstance(e.get("exercise"), str) and isinstance(e.get("passed"), bool)
                    and isinstance(e.get("checks"), list) for e in exercises))


def check_file(path: str | Path, key: bytes) -> Checked:
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return Checked(shown, False, f"cannot be read ({exc.strerror or exc})")
    try:
        document = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        return Checked(shown, False, "is not a labcheck evidence file (not readable JSON): changed, or not ours")
    if not _well_formed(document):
        return Checked(shown, False, "is not a labcheck evidence file (its fields are not the ones labcheck writes)")
    signature, evidence = document["signature"], document["evidence"]
    if signature["key_id"] != key_id(key):
        return Checked(shown, False, f"was signed with another class key (key id {signature['key_id']}; "
                                     f"{KEY_VARIABLE} here has key id {key_id(key)})")
    expected = hmac.new(key, canonical(evidence), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature["value"]):
        return Checked(shown, False, "was changed after it was signed (the signature does not match its content)")
    if file_bytes(document) != raw:
        return Checked(shown, False, "was changed after it was signed (its bytes differ from what labcheck wrote)")
    learner = evidence["learner"]
    slug = slug_of(learner["name"], learner["value"])
    if not name_matches(path, slug):
        return Checked(shown, False, f"is named for someone else: it holds the evidence of {learner['name']}, "
                                     f"so its name must end in {slug}.json")
    return Checked(shown, True, "", evidence)


class BadTarget(ValueError):
    """An output path `submit` will not write to; the message says why."""


def target_path(output: Path | None, learner: Learner) -> Path:
    """Where `submit` writes: the default name here, or in the folder given, or the file given if its name ends
    in the learner's slug (verify refuses any other)."""
    if output is None or output.is_dir():
        return (output or Path.cwd()) / default_file_name(learner)
    if not name_matches(output, learner.slug):
        raise BadTarget(f"The file name must end in {learner.slug}.json, so that your instructor can tell whose "
                        f"it is: e.g. -o {output.with_name(default_file_name(learner))}")
    return output
