"""Workshops without network: every image the labs need in one archive, saved here and loaded there.

`save` reads the archive with GET /images/get?names=… through the GET-only client (saving changes nothing on
the engine); `load` sends it with POST /images/load through docker-py. Both report bytes as they go, for a
progress bar. The archive is what `docker save` writes, so `docker load -i FILE` reads it too.
"""
from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from checker.engine.problems import EnvironmentProblem

CHUNK = 1 << 20
TRANSFER_TIMEOUT = 600.0     # seconds the engine may stay silent while it packs or unpacks layers


class MissingImages(Exception):
    """Images the archive should hold but this engine does not have."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


class NotAnArchive(Exception):
    """The file given to `load` cannot be an image archive; the message says why."""


@dataclass(frozen=True)
class Saved:
    path: Path
    size: int
    images: dict[str, str]      # reference -> image ID


def image_ids(engine, references) -> dict[str, str | None]:
    found = {}
    for reference in references:
        attrs = engine.inspect_image(reference)
        found[reference] = attrs.get("Id") if attrs else None
    return found


def save(engine, references, path: Path, started=lambda total: None, advanced=lambda size: None) -> Saved:
    """Write every image in `references` into one archive at `path`; `started(total bytes, roughly)` and
    `advanced(bytes)` report progress. Raises MissingImages before writing anything if one is not here."""
    ids, total = {}, 0
    missing = []
    for reference in references:
        attrs = engine.inspect_image(reference)
        if attrs is None:
            missing.append(reference)
        else:
            ids[reference], total = attrs["Id"], total + int(attrs.get("Size") or 0)
    if missing:
        raise MissingImages(missing)
    started(total)
    partial = path.with_name(path.name + ".partial")
    response = engine.stream("/images/get", [("names", r) for r in references], timeout=TRANSFER_TIMEOUT)
    written = 0
    try:
        if response.status != 200:
            raise EnvironmentProblem(f"The engine would not export the images (HTTP {response.status}: "
                                     f"{response.read(500).decode(errors='replace').strip()}).",
                                     "Run `labcheck doctor`, then try again.")
        with open(partial, "wb") as archive:
            while chunk := response.read(CHUNK):
                archive.write(chunk)
                written += len(chunk)
                advanced(len(chunk))
        os.replace(partial, path)
    finally:
        response.close()
        if partial.exists():
            partial.unlink()
    return Saved(path, written, ids)


def check_archive(path: Path) -> int:
    """Size of the archive at `path`; NotAnArchive when it cannot be one (checked from its first blocks)."""
    if not path.is_file():
        raise NotAnArchive(f"{path} is not a file.")
    try:
        if not tarfile.is_tarfile(path):
            raise NotAnArchive(f"{path} is not an image archive (`labcheck images save` or `docker save` "
                               "writes one).")
    except OSError as exc:
        raise NotAnArchive(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return path.stat().st_size


def load(client, path: Path, advanced=lambda size: None) -> list[str]:
    """Send the archive to the engine with docker-py `client`; returns the engine's "Loaded image" lines."""
    import docker
    import requests

    def chunks():
        with open(path, "rb") as archive:
            while chunk := archive.read(CHUNK):
                yield chunk
                advanced(len(chunk))

    loaded = []
    try:
        for message in client.api.load_image(chunks()):
            if not isinstance(message, dict):
                continue
            if message.get("error") or message.get("errorDetail"):
                detail = message.get("error") or message["errorDetail"].get("message", "")
                raise EnvironmentProblem(f"The engine could not load {path}: {detail}.",
                                         "Check that the file is complete (save it again if in doubt).")
            text = str(message.get("stream", "")).strip()
            if text:
                loaded.append(text)
    except docker.errors.APIError as exc:
        raise EnvironmentProblem(f"The engine could not load {path}: {exc.explanation}.",
                                 "Check that the file is an image archive written by `labcheck images save` "
                                 "or `docker save`.") from None
    except requests.exceptions.RequestException:
        raise EnvironmentProblem(f"The engine stopped answering while it loaded {path}.",
                                 "Check that Docker is still running (`docker info`), then load again.") from None
    return loaded
