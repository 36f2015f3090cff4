"""Small, composable checks over a read-only EngineView.

Each factory returns a :class:`Check` whose ``name`` is the line the learner
reads in the checklist. A failing check says what it found, what it expected
and the next step; the mistakes learners commonly make each get their own words.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from checker.reading.idmap import host_uid
from checker.reading.mounts import human_bytes, mount_at, mounts_of, requested_with
from checker.record import record
from checker.reading.times import FILE_CLOCK_LAG, engine_time
from checker.reading.view import EngineView, is_anonymous_volume_name
from checker.reading.volume_files import FileRead, read_from_host


@record
class Verdict:
    passed: bool | None
    """True passed, False failed, None skipped because a check it needs did not pass."""
    message: str
    """One sentence for the learner: what is right, or what is wrong."""
    found: str = ""
    expected: str = ""
    next_step: str = ""


def ok(message: str) -> Verdict:
    return Verdict(True, message)


def fail(message: str, found: str, expected: str, next_step: str) -> Verdict:
    return Verdict(False, message, found, expected, next_step)


@record
class Check:
    key: str
    """Stable identity, e.g. ``container:lab-writer``; other checks name it in ``requires``."""
    name: str
    """The checklist line the learner reads."""
    evaluate: Callable[[EngineView], Verdict]
    requires: tuple[str, ...] = ()
    """Keys of checks (of the same exercise) that must pass for this one to mean anything."""


# ---------------------------------------------------------------- volumes

def volume_exists(name: str, labels: dict[str, str] | None = None, driver: str = "local") -> Check:
    wanted = ", ".join(f"{k}={v}" for k, v in (labels or {}).items())
    create = "docker volume create " + "".join(f"--label {k}={v} " for k, v in (labels or {}).items()) + name

    def evaluate(view: EngineView) -> Verdict:
        volume = view.volume(name)
        if volume is None:
            return fail(f"There is no volume named {name}.", "no such volume", f"a volume named {name}",
                        f"Create it: `{create}`.")
        if volume.get("Driver") != driver:
            return fail(f"{name} uses the {volume.get('Driver')} driver.", f"driver {volume.get('Driver')}",
                        f"driver {driver}", f"Remove it and run `{create}`.")
        have = volume.get("Labels") or {}
        missing = {k: v for k, v in (labels or {}).items() if have.get(k) != v}
        if missing:
            shown = ", ".join(f"{k}={v}" for k, v in have.items()) or "no labels"
            hint = (" It was probably created on the fly by `docker run -v`, which adds no labels."
                    if not have else "")
            return fail(f"{name} exists but lacks the label {', '.join(f'{k}={v}' for k, v in missing.items())}.{hint}",
                        shown, f"labels {wanted}",
                        f"Labels are fixed when a volume is created: `docker volume rm {name}`, then `{create}`.")
        return ok(f"Volume {name} exists" + (f" with label {wanted}." if labels else "."))
    return Check(f"volume:{name}", f"Volume {name} exists" + (f" with label {wanted}" if labels else ""), evaluate)


def volume_options(name: str, options: dict[str, str], mount_options: tuple[str, ...] = ()) -> Check:
    """The volume was created with these driver options (``--opt KEY=VALUE``), and `o=` holds `mount_options`.

    A value may start with ``$WORKSPACE/``, resolved when the check runs.
    """
    create = "docker volume create " + "".join(f"--opt {k}={v} " for k, v in options.items()) + name

    def evaluate(view: EngineView) -> Verdict:
        have = view.volume(name).get("Options") or {}
        if not have:
            return fail(f"{name} has no driver options: it is a plain volume in the engine's own folder.",
                        "no options", ", ".join(f"{k}={v}" for k, v in options.items()),
                        f"Options are fixed at creation: `docker volume rm {name}`, then `{create}`.")
        for key, value in options.items():
            value = in_workspace(value)
            if have.get(key) != value and not (key == "device" and _same_path(have.get(key), value)):
                return fail(f"{name} has {key}={have.get(key, '(none)')}, not {key}={value}.",
                            ", ".join(f"{k}={v}" for k, v in have.items()), f"{key}={value}",
                            f"`docker volume rm {name}`, then `{create}`.")
        given = set(filter(None, (have.get("o") or "").split(",")))
        missing = [o for o in mount_options if o not in given]
        if missing:
            return fail(f"{name}'s mount options o={have.get('o', '')} lack {','.join(missing)}.", f"o={have.get('o', '')}",
                        "o=" + ",".join(mount_options), f"`docker volume rm {name}`, then `{create}`.")
        return ok(f"{name} was created with " + ", ".join(f"{k}={v}" for k, v in have.items()) + ".")
    return Check(f"options:{name}", f"Volume {name} has driver options "
                 + ", ".join(f"{k}={v}" for k, v in options.items()), evaluate, requires=(f"volume:{name}",))


def _same_path(have: str | None, want: str) -> bool:
    """A folder named two ways (a trailing slash, `.` or `..` on the way, a symbolic link) is the same folder."""
    if not have or not have.startswith("/"):
        return False
    return (os.path.normpath(have) == os.path.normpath(want)
            or os.path.realpath(have) == os.path.realpath(want))


def volume_absent(name: str, why: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        if view.volume(name) is None:
            return ok(f"Volume {name} is gone.")
        users = [c["Names"][0].lstrip("/") for c in view.containers_using_volume(name)]
        step = (f"`docker volume rm {name}` refuses while a container uses it: remove {', '.join(users)} first."
                if users else f"Remove it: `docker volume rm {name}`.")
        return fail(f"Volume {name} still exists. {why}", "the volume", "no volume of that name", step)
    return Check(f"no-volume:{name}", f"Volume {name} has been removed", evaluate)


ANONYMOUS_LOOKED_AT = 12
"""How many unused anonymous volumes, newest first, `copied_from_anonymous_gone` reads: a learner's machine may
hold hundreds, and the one a copy came from was made minutes ago."""


def copied_from_anonymous_gone(copy: str, path: str, *, why: str, next_step: str) -> Check:
    """No unused anonymous volume still holds the `path` that `copy` holds a copy of.

    `cp -a` keeps a file's modification time, so the source is the anonymous volume whose `path` has the same
    bytes and the same time, to the second (busybox's cp keeps whole seconds, GNU cp nanoseconds); an older
    leftover of the same task has another time and is not blamed. A copy made without its time kept cannot be
    traced, and passes."""
    def evaluate(view: EngineView) -> Verdict:
        copied = view.read_volume_file(copy, path, exact_time=True)
        if copied.status != "file" or copied.mtime is None:
            return ok(f"No anonymous volume left behind holds the {path} copied into {copy}.")
        used = view.users_by_volume()
        candidates = sorted((v for name, v in view.all_volumes().items()
                             if is_anonymous_volume_name(name) and name not in used),
                            key=lambda v: v.get("CreatedAt") or "", reverse=True)[:ANONYMOUS_LOOKED_AT]
        view.expect_volumes(v["Name"] for v in candidates)
        for volume in candidates:
            found = view.read_volume_file(volume["Name"], path, exact_time=True)
            if (found.status == "file" and found.mtime is not None and found.content == copied.content
                    and int(found.mtime) == int(copied.mtime)):
                return fail(f"The anonymous volume {volume['Name'][:12]}… still holds the {path} you copied into "
                            f"{copy}; no container uses it any more. {why}", f"volume {volume['Name']}",
                            "no anonymous volume left behind", next_step)
        return ok(f"No anonymous volume left behind holds the {path} copied into {copy}.")
    return Check(f"anonymous-gone:{copy}:{path}", f"The anonymous volume {path} was copied from is gone", evaluate,
                 requires=(f"volume:{copy}",))


# ---------------------------------------------------------------- containers

def container_exists(name: str, how: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        if view.container(name) is None:
            return fail(f"There is no container named {name}.", "no such container (`docker ps -a`)",
                        f"a container named {name}", how)
        return ok(f"Container {name} exists.")
    return Check(f"container:{name}", f"Container {name} exists", evaluate)


def container_finished(name: str) -> Check:
    """The container ran its command to the end: stopped, exit code 0."""
    def evaluate(view: EngineView) -> Verdict:
        state = view.container(name)["State"]
        if state.get("Running"):
            return fail(f"{name} is still running.", "running", "exited",
                        f"Let its command finish, or stop it: `docker stop {name}` (stopping keeps its data).")
        code = state.get("ExitCode")
        if state.get("Status") == "created":
            return fail(f"{name} was created but never started.", "created", "exited with code 0",
                        f"Start it: `docker start -a {name}`.")
        if code != 0:
            return fail(f"{name} exited with code {code}: its command failed.", f"exit code {code}",
                        "exit code 0", f"Read `docker logs {name}`, then `docker rm {name}` and run it again.")
        return ok(f"{name} ran its command and exited cleanly.")
    return Check(f"finished:{name}", f"Container {name} ran to completion", evaluate, requires=(f"container:{name}",))


def container_running(name: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        state = view.container(name)["State"]
        if state.get("Running"):
            return ok(f"{name} is running.")
        return fail(f"{name} is not running ({state.get('Status')}, exit code {state.get('ExitCode')}).",
                    state.get("Status", "?"), "running",
                    f"Read `docker logs {name}`; then `docker start {name}`, or remove it and run it again with -d.")
    return Check(f"running:{name}", f"Container {name} is running", evaluate, requires=(f"container:{name}",))


def container_env(name: str, variable: str, value: str, next_step: str = "") -> Check:
    """The container was started with `variable`=`value` in its environment (-e, or Compose's `environment:`)."""
    def evaluate(view: EngineView) -> Verdict:
        env = dict(item.partition("=")[::2] for item in view.container(name)["Config"].get("Env") or ())
        if env.get(variable) == value:
            return ok(f"{name} has {variable} set as asked.")
        found = "not set" if variable not in env else "set to another value"
        return fail(f"{name}'s {variable} is {found}.", found, f"{variable}={value}",
                    next_step or f"The environment is fixed at creation: `docker rm -f {name}`, then run it again "
                                 f"with `-e {variable}={value}`.")
    return Check(f"env:{name}:{variable}", f"Container {name} has {variable}={value}", evaluate,
                 requires=(f"container:{name}",))


def container_image(name: str, image: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        used = view.container(name)["Config"].get("Image", "")
        if used == image:
            return ok(f"{name} runs {image}.")
        return fail(f"{name} was created from {used}, not {image}.", used, image,
                    f"Remove it (`docker rm -f {name}`) and run it again from {image}.")
    return Check(f"image:{name}", f"Container {name} runs image {image}", evaluate, requires=(f"container:{name}",))


def container_user(name: str, user: str, next_step: str = "") -> Check:
    """The container's process runs as `user` ("UID:GID"), as set with --user (or Compose's `user:`)."""
    def evaluate(view: EngineView) -> Verdict:
        have = view.container(name)["Config"].get("User") or ""
        if have == user:
            return ok(f"{name} runs as {user}.")
        shown = have or "root (the image's default user)"
        owner = have.split(":")[0] if have else "root"
        return fail(f"{name} runs as {shown}, so the files it creates belong to {owner}.", shown,
                    user, next_step or f"Remove it (`docker rm -f {name}`) and run it again with `--user {user}`.")
    return Check(f"user:{name}", f"Container {name} runs as {user}", evaluate, requires=(f"container:{name}",))


def container_stopped(name: str) -> Check:
    """Stopped after running (docker stop), whatever its exit code; neither running nor never started."""
    def evaluate(view: EngineView) -> Verdict:
        state = view.container(name)["State"]
        if state.get("Running"):
            return fail(f"{name} is still running.", "running", "stopped", f"Stop it: `docker stop {name}`.")
        if state.get("Status") == "created":
            return fail(f"{name} was created but never started.", "created", "stopped after running",
                        f"`docker start {name}`, do the step, then `docker stop {name}`.")
        return ok(f"{name} has stopped.")
    return Check(f"stopped:{name}", f"Container {name} has stopped", evaluate, requires=(f"container:{name}",))


def container_recreated_after(name: str, volume: str, seconds: float = 1.0) -> Check:
    """`name` was created well after `volume`: a new container on old data, not the one that made the volume.

    The local driver records a volume's creation to the second, so the container
    that created it is less than a second younger than it.
    """
    def evaluate(view: EngineView) -> Verdict:
        created = engine_time(view.container(name).get("Created", ""))
        born = engine_time((view.volume(volume) or {}).get("CreatedAt", ""))
        if created is None or born is None or created - born >= seconds:
            return ok(f"{name} is a newer container than the data in {volume}.")
        return fail(f"{name} is the container that first created {volume}; the point is a NEW container on the "
                    "same data.", "the original container", "a container created later",
                    f"`docker rm -f {name}`, then run it again with the same volume.")
    return Check(f"recreated:{name}", f"Container {name} was recreated on {volume}", evaluate,
                 requires=(f"container:{name}", f"volume:{volume}"))


def container_read_only_root(name: str) -> Check:
    """Started with --read-only: a write outside its mounts fails loudly instead of vanishing with the container."""
    def evaluate(view: EngineView) -> Verdict:
        if (view.container(name).get("HostConfig") or {}).get("ReadonlyRootfs"):
            return ok(f"{name}'s root filesystem is read-only.")
        return fail(f"{name}'s root filesystem is writable, so a write to the wrong path would succeed and be lost "
                    "with the container.", "writable root filesystem", "--read-only",
                    f"Remove it (`docker rm -f {name}`) and run it again with --read-only.")
    return Check(f"read-only-root:{name}", f"Container {name} has a read-only root filesystem", evaluate,
                 requires=(f"container:{name}",))


def container_absent(name: str, why: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        container = view.container(name)
        if container is None:
            return ok(f"Container {name} is gone.")
        running = container["State"].get("Running")
        return fail(f"Container {name} still exists{' and is running' if running else ''}. {why}",
                    container["State"].get("Status", "present"), "no container of that name",
                    f"Remove it: `docker rm {'-f ' if running else ''}{name}`.")
    return Check(f"no-container:{name}", f"Container {name} has been removed", evaluate)


# ---------------------------------------------------------------- mounts

def msys_mangled(path: str) -> bool:
    """A path Git Bash on Windows rewrote (MSYS path conversion): `/data` becomes `C:/Program Files/Git/data`."""
    shown = path.replace("\\", "/").lower()
    return ("/program files/git/" in shown or "/msys64/" in shown or "/mingw64/" in shown
            or (";" in path and ":" in path))


MSYS_ADVICE = ("Git Bash rewrote a path that starts with / into a Windows path (MSYS path conversion). Run the "
               "command as `MSYS_NO_PATHCONV=1 docker run …`, or write the path in the container with two "
               "slashes (`//data`), or use PowerShell.")


def _mount_spec(type_: str, source: str) -> str:
    return {"volume": f"volume {source}", "bind": f"bind mount of {source}", "tmpfs": "tmpfs mount"}[type_]


def has_mount(container: str, destination: str, type: str, source: str = "", *, read_only: bool | None = None,
              anonymous: bool = False, tmpfs_size: int | None = None, tmpfs_mode: int | None = None,
              flag: str = "", redo: str = "") -> Check:
    """`container` mounts `source` (volume name or host path) at `destination`, as asked.

    A bind `source` may start with ``$WORKSPACE/``, resolved when the check runs.

    `read_only`: True when the task asks for a read-only mount, False when it asks for a writable one, None
    (the default) when the task does not say; a write that a read-only mount refused shows up elsewhere (the
    command fails, or the file is missing).

    `flag` is the option that would have been right, e.g. ``-v lab-notes:/data``;
    messages quote it as the next step, unless `redo` says what to do instead.
    """
    spec = "anonymous volume" if anonymous else _mount_spec(type, source)
    expected = f"{spec} at {destination}" + (" (read-only)" if read_only else "")
    source_given = source
    redo = redo or (f"Remove the container (`docker rm -f {container}`) and run it again with `{flag}`." if flag
                    else f"Remove the container (`docker rm -f {container}`) and run it again with the right mount.")

    def evaluate(view: EngineView) -> Verdict:
        source = in_workspace(source_given)
        mounts = mounts_of(view.container(container))
        here = mount_at(mounts, destination)
        listing = "; ".join(m.describe() for m in mounts) or "no mounts"
        if here is None:
            mangled = next((m for m in mounts if msys_mangled(m.destination) or msys_mangled(m.source)), None)
            if mangled is not None:
                return fail(f"{container} has {mangled.describe()}: that path was meant to be {destination}. "
                            + MSYS_ADVICE, listing, expected, redo)
            same_source = next((m for m in mounts if m.type == type and source and source in (m.name, m.source)), None)
            if same_source:
                return fail(f"{container} mounts {spec} at {same_source.destination}, not at {destination}.",
                            listing, expected, redo)
            if not mounts:
                return fail(f"{container} has no mounts at all, so what it wrote to {destination} went into its "
                            "own writable layer and dies with it.", listing, expected, redo)
            return fail(f"{container} has nothing mounted at {destination}.", listing, expected, redo)
        if here.type != type:
            if type == "volume" and here.type == "bind":
                why = (f"{destination} is a bind mount of the host folder {here.source}, not a volume. "
                       f"With -v, a source that starts with / or . is a host path; a plain name is a volume.")
            elif type == "bind" and here.type == "volume":
                why = (f"{destination} is {here.describe().split(' at ')[0]}, not a bind mount of {source}. "
                       "With -v, a host path must be absolute (or start with ./); otherwise it names a volume.")
            else:
                why = f"{destination} is a {here.type} mount, not a {type} mount."
            return fail(why, here.describe(), expected, redo)
        if anonymous and not here.anonymous:
            return fail(f"{destination} holds the named volume {here.name}; this step is about the anonymous volume "
                        "Docker makes when you give no name.", here.describe(), expected, redo)
        if type == "volume" and source and here.name != source:
            elsewhere = next((m for m in mounts if m.type == "volume" and m.name == source), None)
            if elsewhere is not None:
                origin = " (the anonymous volume there comes from the image's VOLUME)" if here.anonymous else ""
                return fail(f"{container} mounts volume {source} at {elsewhere.destination}, not at {destination}"
                            f"{origin}.", listing, expected, redo)
            if here.anonymous:
                return fail(f"{destination} is an anonymous volume ({here.name[:12]}…): `-v {destination}` with no "
                            f"name makes a new, nameless volume each time. Name it {source}.",
                            here.describe(), expected, redo)
            return fail(f"{destination} holds volume {here.name}, not {source}.", here.describe(), expected, redo)
        if type == "bind" and source and msys_mangled(here.source):
            return fail(f"{destination} is bound to {here.source}, not {source}. " + MSYS_ADVICE,
                        here.describe(), expected, redo)
        if type == "bind" and source and os.path.normpath(here.source) != os.path.normpath(source):
            return fail(f"{destination} is bound to {here.source}, not {source}.", here.describe(), expected, redo)
        if read_only and not here.read_only:
            return fail(f"In {container}, {destination} is mounted read-write; it should be read-only.",
                        here.describe(), expected,
                        f"Add `:ro` to -v, or `readonly` to --mount. {redo}")
        if read_only is False and here.read_only:
            return fail(f"In {container}, {destination} is mounted read-only, so nothing can be written there.",
                        here.describe(),
                        expected, redo)
        if type == "tmpfs":
            if tmpfs_size is not None and here.tmpfs_size is None:
                return fail(f"The tmpfs at {destination} has no size limit: it may grow until memory runs out.",
                            here.describe(), f"a size limit of {human_bytes(tmpfs_size)}", redo)
            if tmpfs_size is not None and here.tmpfs_size != tmpfs_size:
                return fail(f"The tmpfs at {destination} is limited to {human_bytes(here.tmpfs_size)}, "
                            f"not {human_bytes(tmpfs_size)}.", here.describe(), f"size {human_bytes(tmpfs_size)}", redo)
            if tmpfs_mode is not None and (here.tmpfs_mode or 0o1777) != tmpfs_mode:
                shown = f"{here.tmpfs_mode:o}" if here.tmpfs_mode is not None else "the default 1777"
                return fail(f"The tmpfs at {destination} has mode {shown}, not {tmpfs_mode:o}.",
                            here.describe(), f"mode {tmpfs_mode:o}", redo)
        return ok(f"{container} has {here.describe()}.")
    return Check(f"mount:{container}:{destination}", f"{container} has {expected}", evaluate,
                 requires=(f"container:{container}",))


_SYNTAX_WHY = {
    "-v": "the short -v form (SOURCE:TARGET[:OPTIONS])",
    "--mount": "--mount, which names every field (type=…,source=…,target=…)",
    "--tmpfs": "--tmpfs PATH[:OPTIONS]",
    "--volumes-from": "--volumes-from, which borrows another container's mounts",
}


def mounted_with(container: str, destination: str, syntax: str, *, source: str = "", redo: str = "") -> Check:
    """The mount at `destination` was asked for with `syntax` ("-v", "--mount", "--tmpfs", or "--volumes-from"
    borrowing from the container `source`), where the task names the syntax: the container records which
    (``HostConfig.Binds``, ``.Mounts``, ``.Tmpfs``, ``.VolumesFrom``). Use it only where the task names it."""
    redo = redo or f"Remove the container (`docker rm -f {container}`) and run it again with {syntax}."

    def evaluate(view: EngineView) -> Verdict:
        attrs = view.container(container)
        used = requested_with(attrs, destination)
        if syntax == "--volumes-from":
            borrowed = [entry.split(":")[0] for entry in (attrs.get("HostConfig") or {}).get("VolumesFrom") or ()]
            if used == "--volumes-from" and source in borrowed:
                return ok(f"{container} borrows {destination} from {source} with --volumes-from.")
            if used == "--volumes-from":
                return fail(f"{container} borrows its mounts from {', '.join(borrowed)}, not from {source}.",
                            "--volumes-from " + ", ".join(borrowed), f"--volumes-from {source}", redo)
            return fail(f"{container} mounts {destination} itself (with {used or 'an anonymous volume'}); this step "
                        f"borrows {source}'s mounts with --volumes-from {source}.", used or "its own mount",
                        f"--volumes-from {source}", redo)
        if used == syntax:
            return ok(f"{container}'s mount at {destination} was made with {syntax}.")
        shown = used or "no mount option (an image's VOLUME or an anonymous -v PATH)"
        return fail(f"{container}'s mount at {destination} was made with {shown}; this step asks for "
                    f"{_SYNTAX_WHY[syntax]}.", shown, syntax, redo)
    return Check(f"syntax:{container}:{destination}", f"{container}'s mount at {destination} is made with {syntax}",
                 evaluate, requires=(f"mount:{container}:{destination}",))


def no_mount_at(container: str, destination: str, why: str) -> Check:
    """Nothing is mounted at `destination` in `container`: what it writes there stays in its own layer."""
    def evaluate(view: EngineView) -> Verdict:
        here = mount_at(mounts_of(view.container(container)), destination)
        if here is None:
            return ok(f"{container} has nothing mounted at {destination}.")
        return fail(f"{container} has {here.describe()}. {why}", here.describe(), f"nothing mounted at {destination}",
                    f"Remove it (`docker rm -f {container}`) and run it again without that mount.")
    return Check(f"no-mount:{container}:{destination}", f"{container} has nothing mounted at {destination}", evaluate,
                 requires=(f"container:{container}",))


def in_workspace(path: str) -> str:
    if path.startswith("$WORKSPACE/"):
        from checker.paths import workspace_folder
        return os.path.join(workspace_folder(), path[len("$WORKSPACE/"):])
    return path


# ---------------------------------------------------------------- files

def _show(text: str, width: int = 60) -> str:
    text = text.strip()
    one_line = " / ".join(line.strip() for line in text.splitlines()) or "(empty)"
    return repr(one_line if len(one_line) <= width else one_line[: width - 1] + "…")


def _content_required(path: str, lines: tuple[str, ...] | None, contains: str | None) -> None:
    """Data is graded by content, not presence: a file check must say what the file holds."""
    if lines is None and not contains:
        raise ValueError(f"a check of {path} must give lines= or contains=: presence alone proves nothing")


def _judge_file(found: FileRead, where: str, path: str, lines: tuple[str, ...] | None,
                contains: str | None, missing_step: str) -> Verdict:
    if found.status == "missing":
        return fail(f"There is no {path} in {where}.", "no such file", f"a file {path}", missing_step)
    if found.status == "symlink":
        return fail(f"{path} in {where} is a symbolic link to {found.detail!r}; labcheck reads real files only "
                    "and never follows links.", "a symlink", "a regular file", f"Replace it with a real file. {missing_step}")
    if found.status == "unreadable" and "no image at all" in found.detail:
        return fail(f"{path} in {where} cannot be read: {found.detail}.", "no image on this engine",
                    "any local image, to look inside the volume", "Run `docker pull busybox:1.36`, then grade again.")
    if found.status == "unreadable" and "grading never deletes a volume" in found.detail:
        return fail(f"{path} in {where} could not be read: {found.detail}.", "a volume removed while it was graded",
                    "a volume that stays while it is graded", "Run the check again.")
    if found.status != "file":
        return fail(f"{path} in {where} cannot be read: {found.detail}.", found.status, "a regular file", missing_step)
    text = found.text
    if found.truncated:
        return fail(f"{path} in {where} is far larger than expected.", "more than the read limit",
                    "a small text file", missing_step)
    if lines is not None:
        have = tuple(line.strip() for line in text.splitlines() if line.strip())
        if have != lines:
            detail = ""
            if set(have) == set(lines):
                detail = " The lines are right but in the wrong order or repeated."
            elif set(lines) - set(have):
                detail = f" Missing: {_show(next(iter(l for l in lines if l not in have)))}."
            return fail(f"{path} in {where} does not hold the expected lines.{detail}", _show(text),
                        _show("\n".join(lines)), missing_step)
    if contains is not None and contains not in text:
        return fail(f"{path} in {where} does not contain {contains!r}.", _show(text), repr(contains), missing_step)
    if contains is not None:
        return ok(f"{path} in {where} contains {contains!r}.")
    return ok(f"{path} in {where} holds {_show(text)}.")


def volume_file(volume: str, path: str, *, lines: tuple[str, ...] | None = None, contains: str | None = None,
                next_step: str, requires: tuple[str, ...] = ()) -> Check:
    _content_required(path, lines, contains)

    def evaluate(view: EngineView) -> Verdict:
        return _judge_file(view.read_volume_file(volume, path), f"volume {volume}", path, lines, contains, next_step)
    what = " with the expected lines" if lines else (f" containing {contains!r}" if contains else "")
    return Check(f"file:{volume}:{path}:{contains or lines}", f"{path} in volume {volume}{what}", evaluate,
                 requires=requires or (f"volume:{volume}",))


def volume_file_older_than(volume: str, path: str, container: str, *, message: str = "",
                           next_step: str = "") -> Check:
    """`path` in `volume` was last written before `container` was created: the container found what an earlier
    one left there. Exact to the nanosecond, unlike a volume's creation time, which the engine keeps to the second.
    `message` and `next_step` replace the default words (a new container that finds an earlier one's file)."""
    def evaluate(view: EngineView) -> Verdict:
        written = view.read_volume_file(volume, path, exact_time=True).mtime
        created = engine_time(view.container(container).get("Created", ""))
        if written is None or created is None or written < created:
            return ok(f"{path} in {volume} was there before {container} was created.")
        return fail(message or f"{container} wrote {path} in {volume} itself; the point is a NEW {container} that "
                    "finds what an earlier container left there.", f"{path} written after {container} was created",
                    f"{path} written before {container} existed",
                    next_step or f"`docker rm {container}`, then run a new {container} on the same volume that only "
                                 "reads the file.")
    return Check(f"older:{volume}:{path}:{container}", f"{path} in {volume} predates {container}", evaluate,
                 requires=(f"volume:{volume}", f"container:{container}"))


def volume_file_absent(volume: str, path: str, why: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        found = view.read_volume_file(volume, path, 0)
        if found.status == "missing":
            return ok(f"There is no {path} in volume {volume}, as it should be.")
        return fail(f"Volume {volume} holds {path}. {why}", found.status, "no such file",
                    f"Remove it (`docker run --rm -v {volume}:/v busybox:1.36 rm /v/{path}`), then redo the step.")
    return Check(f"no-file:{volume}:{path}", f"No {path} in volume {volume}", evaluate,
                 requires=(f"volume:{volume}",))


def file_in_mount(container: str, destination: str, path: str, *, contains: str, next_step: str) -> Check:
    """A file in whatever volume `container` has at `destination`: for anonymous volumes, whose name is unknown."""
    def evaluate(view: EngineView) -> Verdict:
        here = mount_at(mounts_of(view.container(container)), destination)
        if here is None or here.type != "volume":
            return fail(f"{container} has no volume at {destination}.", "no volume", f"a volume at {destination}",
                        next_step)
        where = f"the volume at {destination} of {container}"
        return _judge_file(view.read_volume_file(here.name, path), where, path, None, contains, next_step)
    return Check(f"mount-file:{container}:{destination}:{path}", f"{path} in the volume at {destination} of {container}",
                 evaluate, requires=(f"container:{container}",))


def host_file(path: str, *, contains: str | None = None, lines: tuple[str, ...] | None = None,
              owner_uid: int | None = None, next_step: str) -> Check:
    """A file on the host, under the workspace (``$WORKSPACE/…``); read bounded, links not followed."""
    _content_required(path, lines, contains)

    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        parent, name = os.path.split(real)
        found = read_from_host(parent, name) if os.path.isdir(parent) else FileRead("missing")
        verdict = _judge_file(found or FileRead("missing"), "the host folder " + parent, name, lines, contains,
                              next_step)
        if verdict.passed and owner_uid is not None:
            uid = os.lstat(real).st_uid
            mapped = host_uid(view.engine, owner_uid)         # owner_uid as containers see it; rootless shifts it
            why = f" ({mapped.why})" if mapped.why else ""
            if uid != mapped.uid:
                who = "root" if uid == 0 else f"UID {uid}"
                wanted = f"UID {owner_uid}" if mapped.uid in (owner_uid, None) else f"UID {mapped.uid}"
                return fail(f"{real} belongs to {who}, not {wanted}{why}.", f"owner {who}",
                            f"owner {wanted}", next_step)
            return ok(f"{real} exists and belongs to UID {uid}{why}.")
        return verdict
    what = " with the expected lines" if lines else (f" containing {contains!r}" if contains else "")
    return Check(f"host-file:{path}:{contains or lines}", f"Host file {path}{what}", evaluate)


def host_file_changed_after_start(path: str, container: str, *, message: str, next_step: str) -> Check:
    """The host file was last changed after `container` started: an edit made while it ran, not before."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        started = engine_time(view.container(container)["State"].get("StartedAt", ""))
        try:
            changed = os.lstat(real).st_mtime
        except OSError:
            return fail(f"There is no {real}.", "no such file", f"a file {real}", next_step)
        if started is None or changed > started - FILE_CLOCK_LAG:
            return ok(f"{real} was changed after {container} started.")
        return fail(message, f"{real} last changed before {container} started",
                    f"a change made while {container} runs", next_step)
    return Check(f"host-changed:{path}:{container}", f"Host file {path} changed after {container} started", evaluate,
                 requires=(f"container:{container}",))


def host_script(path: str, *, contains: str, next_step: str) -> Check:
    """An executable script on the host (``$WORKSPACE/…``) that names `contains` (the tool the task says it runs)."""
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        parent, name = os.path.split(real)
        found = (read_from_host(parent, name) if os.path.isdir(parent) else None) or FileRead("missing")
        verdict = _judge_file(found, "the host folder " + parent, name, None, contains, next_step)
        if not verdict.passed:
            return verdict
        if not os.lstat(real).st_mode & 0o100:
            return fail(f"{real} is not executable, so it cannot run as `{real}`.", "not executable",
                        "executable (chmod +x)", f"Make it executable: `chmod +x {real}`.")
        return ok(f"{real} is an executable script that runs {contains}.")
    return Check(f"script:{path}", f"Host script {path} is executable and runs {contains}", evaluate)


def host_file_absent(path: str, why: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        real = in_workspace(path)
        if not os.path.lexists(real):
            return ok(f"There is no {real}, as it should be.")
        return fail(f"{real} exists. {why}", "the file", "no such file", f"Delete it (`rm {real}`), then redo the step.")
    return Check(f"no-host-file:{path}", f"No host file {path}", evaluate)


def layer_lacks(container: str, path: str, why: str) -> Check:
    def evaluate(view: EngineView) -> Verdict:
        # The mount point itself may appear (the engine creates it); files under it must not.
        hits = [p for p, _ in view.changes(container) if p.startswith(path.rstrip("/") + "/")]
        if not hits:
            return ok(f"Nothing under {path} reached {container}'s writable layer.")
        return fail(f"{', '.join(hits[:3])} sits in {container}'s writable layer. {why}", ", ".join(hits[:3]),
                    f"nothing under {path} in docker diff",
                    f"Remove it (`docker rm -f {container}`) and run it again with the mount in place.")
    return Check(f"no-diff:{container}:{path}", f"Nothing under {path} in {container}'s writable layer", evaluate,
                 requires=(f"container:{container}",))


def container_file(container: str, path: str, *, lines: tuple[str, ...] | None = None, contains: str | None = None,
                   next_step: str) -> Check:
    _content_required(path, lines, contains)

    def evaluate(view: EngineView) -> Verdict:
        return _judge_file(view.read_container_file(container, path), f"container {container}", path, lines,
                           contains, next_step)
    what = f" containing {contains!r}" if contains else ""
    return Check(f"layer-file:{container}:{path}:{contains or lines}", f"{path} in container {container}{what}", evaluate,
                 requires=(f"container:{container}",))


_KINDS = {0: "changed (C)", 1: "added (A)", 2: "deleted (D)"}


def layer_change(container: str, path: str, kind: int, next_step: str) -> Check:
    """`docker diff` shows `path` with `kind` (0 changed, 1 added, 2 deleted) in the writable layer."""
    def evaluate(view: EngineView) -> Verdict:
        changes = dict(view.changes(container))
        if changes.get(path) == kind:
            return ok(f"docker diff {container} shows {path} {_KINDS[kind]}.")
        if path in changes:
            return fail(f"docker diff {container} shows {path} {_KINDS[changes[path]]}, not {_KINDS[kind]}.",
                        _KINDS[changes[path]], _KINDS[kind], next_step)
        shown = ", ".join(f"{p} {_KINDS[k][-2]}" for p, k in list(changes.items())[:6]) or "no changes"
        return fail(f"docker diff {container} does not list {path}.", shown, f"{path} {_KINDS[kind]}", next_step)
    return Check(f"diff:{container}:{path}", f"docker diff {container} shows {path} {_KINDS[kind]}", evaluate,
                 requires=(f"container:{container}",))
