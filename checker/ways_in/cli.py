"""The `labcheck` command: grade exercises, show progress and hints, reset and solve.

Exit codes: 0 passed, 1 not passed, 2 usage error, 3 environment problem, 130 interrupted.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import click

from checker import __version__
from checker.engine.connect import (LESSONS_API_VERSION, EnvironmentProblem, connect, connect_readonly,
                                    lessons_need_newer, resolve_endpoint)
from checker.grading.exercise import Exercise
from checker.exercises import BY_ID, COURSE, IMAGES
from checker.grading.run import grade, grade_all
from checker.grading.progress import Progress
from checker.ways_in.show import ENVIRONMENT, INTERRUPTED, NOT_PASSED, PASSED, USAGE, grade_many_and_show, grade_one_and_show, show_report
from checker.ways_in.terminal import err, escape, minimal, out, progress_bar, settings, show_problem, use_color
from checker.reading.view import EngineView

LAB_IMAGES = IMAGES  # every lesson's images, from its record in checker/exercises


def Table(*args, **kwargs):
    from rich.table import Table as RichTable
    return RichTable(*args, **kwargs)


def printable(text: str, limit: int = 40) -> str:
    """Echo user input safely: no control characters, bounded length."""
    shown = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def unknown_exercise(name: str) -> click.UsageError:
    ids = ", ".join(e.id for e in COURSE)
    return click.UsageError(f"There is no exercise or command {printable(name)!r}. Exercises: {ids}. "
                            f"Commands: {', '.join(app.commands)}. See `labcheck list`.")


def exercise_or_usage_error(name: str) -> Exercise:
    if name not in BY_ID:
        raise unknown_exercise(name)
    return BY_ID[name]


class LabcheckGroup(click.Group):
    """Turns `labcheck ex3` into grading ex3, and an unknown word into a helpful usage error."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or (grade_command(BY_ID[name]) if name in BY_ID else None)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        command = self.get_command(ctx, args[0])
        if command is None:
            raise unknown_exercise(args[0])
        return args[0], command, args[1:]


def grade_command(exercise: Exercise) -> click.Command:
    def callback(as_json: bool) -> None:
        raise click.exceptions.Exit(grade_one_and_show(exercise, as_json))
    return click.Command(exercise.id, callback=callback, help=f"Grade {exercise.id}: {exercise.title}",
                         params=[click.Option(["--json", "as_json"], is_flag=True, help="Print the result as JSON.")])


@click.group(cls=LabcheckGroup, invoke_without_command=True,
             help="Grade the Docker volumes course's exercises against your real Docker state. "
                  "`labcheck ex3` grades exercise 3; `labcheck` alone shows your progress.")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="For scripts: no tables or decoration, one short line; "
                                                   "the verdict is the exit code.")
@click.version_option(__version__, prog_name="labcheck")
@click.pass_context
def app(ctx: click.Context, as_json: bool, quiet: bool) -> None:
    """Without a command: a table of every exercise, passed, not yet, or never checked."""
    settings.quiet = quiet
    if ctx.invoked_subcommand is not None:
        return
    results = Progress().results()
    rows = []
    for exercise in COURSE:
        passed, when = results.get(exercise.id, (None, None))
        rows.append({"exercise": exercise.id, "title": exercise.title,
                     "status": "never checked" if passed is None else ("passed" if passed else "not yet"),
                     "checked_at": when})
    if as_json:
        print(json.dumps({"exercises": rows}))
        raise click.exceptions.Exit(PASSED)
    table = Table(title="Your progress", title_justify="left")
    for column in ("exercise", "title", "status", "last checked"):
        table.add_column(column)
    colours = {"passed": "green", "not yet": "red", "never checked": "dim"}
    for row in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["checked_at"])) if row["checked_at"] else ""
        table.add_row(row["exercise"], row["title"], f"[{colours[row['status']]}]{row['status']}", when)
    out.print(table)
    done = sum(r["status"] == "passed" for r in rows)
    minimal(f"{done} of {len(rows)} passed.") if settings.quiet else \
        out.print(f"{done} of {len(rows)} passed. Grade one with `labcheck exN`.")
    raise click.exceptions.Exit(PASSED)


@app.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_exercises(as_json: bool) -> None:
    """List every exercise with its lesson and lab."""
    if as_json:
        print(json.dumps({"exercises": [{"exercise": e.id, "title": e.title, "lesson": e.lesson, "lab": e.lab,
                                         "goal": e.goal} for e in COURSE]}))
        return
    table = Table(title="Exercises", title_justify="left")
    for column in ("exercise", "title", "lab"):
        table.add_column(column)
    for e in COURSE:
        table.add_row(e.id, e.title, e.lab)
    out.print(table)


@app.command("grade")
@click.argument("exercise_ids", nargs=-1, metavar="[EXERCISE]...")
@click.option("--all", "everything", is_flag=True, help="Grade every exercise.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def grade_many(exercise_ids: tuple[str, ...], everything: bool, as_json: bool) -> None:
    """Grade several exercises at once (one connection, one look at the engine)."""
    exercises = _selected(list(exercise_ids), everything, verb="grade")
    raise click.exceptions.Exit(grade_many_and_show(exercises, as_json))


@app.command("watch")
@click.argument("exercise_id", metavar="EXERCISE")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per verdict.")
def watch_exercise(exercise_id: str, as_json: bool) -> None:
    """Re-grade an exercise each time a container or volume changes, until it passes."""
    from checker.ways_in.watch import watch

    exercise = exercise_or_usage_error(exercise_id)

    def show(report, event, graded_at_ns):
        if as_json:
            line = {**report.to_json(), "graded_at_ns": graded_at_ns,
                    "event": None if event is None else {"type": event.get("Type"), "action": event.get("Action"),
                                                         "time_nano": event.get("timeNano")}}
            print(json.dumps(line, ensure_ascii=False), flush=True)
            return
        if event is not None:
            name = (event.get("Actor") or {}).get("Attributes", {}).get("name", "")
            out.print(f"[dim]{event.get('Type')} {event.get('Action')} {name}[/dim]", markup=True)
        show_report(report)
        if not report.passed:
            print("Watching for changes; Ctrl-C to stop.", flush=True)

    engine = connect_readonly()
    try:
        passed = watch(exercise, engine, show)
    finally:
        engine.close()
    Progress().record(exercise.id, passed)
    raise click.exceptions.Exit(PASSED if passed else NOT_PASSED)


@app.command()
@click.argument("exercise_id", metavar="EXERCISE")
def hint(exercise_id: str) -> None:
    """Show a hint: first one for what is wrong now, then the general hints, one more each time."""
    from rich.markup import escape

    from checker.grading.state_hints import grade_for_hint, next_hint

    exercise = exercise_or_usage_error(exercise_id)
    shown = next_hint(exercise, Progress(), grade_for_hint(exercise))
    # emoji=False: "learner:x:1000" must not turn into a cross mark.
    out.print(f"[bold]{exercise.id}[/bold] {exercise.title}\n[dim]Task: {escape(exercise.goal)}[/dim]", emoji=False)
    out.print(f"{shown.label}: {escape(shown.text)}", emoji=False)
    if shown.from_state:
        out.print("[dim]Ask again for the general hints.[/dim]")


def _selected(exercise_ids: list[str], everything: bool, verb: str = "reset") -> list[Exercise]:
    if everything == bool(exercise_ids):
        raise click.UsageError(f"Name the exercises to {verb} (`labcheck {verb} ex3`) or use --all, not both.")
    return list(COURSE) if everything else [exercise_or_usage_error(i) for i in exercise_ids]


@app.command()
@click.argument("exercise_ids", nargs=-1, metavar="[EXERCISE]...")
@click.option("--all", "everything", is_flag=True, help="Reset every exercise.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before removing.")
def reset(exercise_ids: tuple[str, ...], everything: bool, yes: bool) -> None:
    """Remove what an exercise created (its own containers, volumes and files, by exact name)."""
    from checker.ways_in.reset_and_solve import apply_reset, plan_reset

    exercises = _selected(list(exercise_ids), everything)
    engine, client = connect_readonly(), connect()
    problems: list[str] = []
    try:
        with EngineView(engine, helpers=False) as view:
            plan = plan_reset(exercises, view)
        problems += plan.blocked
        if plan.empty and not problems:
            out.print("Nothing to remove: already fresh.")
        elif not plan.empty:
            out.print("This removes:\n" + "\n".join(f"  - {line}" for line in plan.lines()))
            if not yes:
                if not sys.stdin.isatty():
                    raise click.UsageError("Not asking without a terminal: add --yes to confirm.")
                click.confirm("Go ahead?", abort=True)
            with progress_bar() as bar:
                task = bar.add_task("removing", total=len(plan.lines()))
                problems += apply_reset(plan, client, step=lambda: bar.advance(task))
    finally:
        engine.close()
        client.close()
    store = Progress()
    for exercise in exercises:
        store.forget(exercise.id)
    if problems:
        for problem in problems:
            err.print(f"[yellow]Not removed:[/yellow] {problem}", markup=True, soft_wrap=True)
        err.print(f"The reset is not complete: {len(problems)} thing{'s' if len(problems) > 1 else ''} "
                  "left, listed above.")
        raise click.exceptions.Exit(NOT_PASSED)
    if not plan.empty:
        out.print("Done: everything listed is removed.")


@app.command()
@click.argument("exercise_id", metavar="EXERCISE")
@click.option("--show", is_flag=True, help="Only print the reference solution.")
def solve(exercise_id: str, show: bool) -> None:
    """Run the reference solution (for instructors and tests): resets the exercise first."""
    exercise = exercise_or_usage_error(exercise_id)
    if show:
        out.print("\n".join(exercise.solution), soft_wrap=True)
        return
    from checker.ways_in.reset_and_solve import SolveFailed

    engine, client = connect_readonly(), connect()
    try:
        with progress_bar() as bar:
            steps = {f"$ {command}" for ex in (exercise, *prerequisites(exercise)) for command in ex.solution}
            task = bar.add_task(f"solving {exercise.id}", total=len(steps))

            def echo(line: str) -> None:
                out.print(line, markup=False, soft_wrap=True)
                if line in steps:
                    bar.advance(task)
            solve_with_prerequisites(exercise, engine, client, echo)
        with EngineView(engine) as view:
            report = grade(exercise, view)
    except SolveFailed as failure:
        err.print(f"The reference solution failed: {failure}")
        raise click.exceptions.Exit(ENVIRONMENT)
    finally:
        engine.close()
        client.close()
    show_report(report)
    raise click.exceptions.Exit(PASSED if report.passed else NOT_PASSED)


def prerequisites(exercise: Exercise) -> list[Exercise]:
    return [p for earlier in exercise.builds_on for p in (*prerequisites(BY_ID[earlier]), BY_ID[earlier])]


def solve_with_prerequisites(exercise: Exercise, engine, client, echo=None) -> None:
    """Solve what `exercise` builds on (unless it passes already), then reset it and run its solution."""
    from checker.ways_in.reset_and_solve import apply_reset, plan_reset, run_commands

    echo = echo or (lambda line: out.print(line, markup=False, soft_wrap=True))
    for earlier in exercise.builds_on:
        with EngineView(engine) as view:
            passed = grade(BY_ID[earlier], view).passed
        if not passed:
            solve_with_prerequisites(BY_ID[earlier], engine, client, echo)
    with EngineView(engine, helpers=False) as view:
        plan = plan_reset([exercise], view)
    apply_reset(plan, client)
    run_commands(exercise.solution, echo=echo)


@app.command("map")
@click.option("--all", "everything", is_flag=True, help="Show every container and volume, not only the course's.")
@click.option("--json", "as_json", is_flag=True, help="Print the map as JSON.")
def storage_map(everything: bool, as_json: bool) -> None:
    """A picture of the storage: which containers mount which volumes, host folders and tmpfs (read only)."""
    from checker.storage_map.read import read_storage_map

    engine = connect_readonly()
    try:
        picture = read_storage_map(engine, everything)
    finally:
        engine.close()
    if as_json:
        print(json.dumps(picture.to_json(), ensure_ascii=False))
    else:
        print(picture.render(color=use_color(sys.stdout), width=max(60, shutil.get_terminal_size((100, 24)).columns)))


@app.command()
def doctor() -> None:
    """Check that everything the course needs is in place."""
    problems = 0
    try:
        endpoint = resolve_endpoint()
        out.print(f"[green]✔[/green] endpoint {endpoint.host} (from {endpoint.source})")
        from checker.reading.engine_kind import course_setup

        if course_setup():
            out.print(f"[green]✔[/green] setup: {course_setup()}")
        engine = connect_readonly()
    except EnvironmentProblem as problem:
        out.print(f"[red]✘[/red] {problem.summary}\n  {problem.advice}")
        raise click.exceptions.Exit(ENVIRONMENT)
    try:
        older = lessons_need_newer(engine.api_version, str(engine.version_info.get("Version") or ""))
        if older:
            out.print(f"[yellow]![/yellow] {older}", soft_wrap=True)
        else:
            out.print(f"[green]✔[/green] Docker Engine {engine.version_info.get('Version')} answers, API "
                      f"{engine.api_version} (the lessons need {LESSONS_API_VERSION}, Engine 26, or newer)")
        from checker.reading.helper_reads import PREFERRED_IMAGE
        from checker.reading.engine_kind import ENGINE_ROUTE, recognise

        info = engine.info()
        here = recognise(engine, info)
        out.print(f"[green]✔[/green] this is {here.name}", markup=True, soft_wrap=True)
        route = "from this host's volume folders" if here.read_route == "host" else "through the engine"
        out.print(f"[green]✔[/green] volume reads: {route}, because {here.why}"
                  + ("" if here.read_route == "host" else f" So {ENGINE_ROUTE}."), soft_wrap=True)
        if here.read_route == "engine" and engine.inspect_image(PREFERRED_IMAGE) is None:
            out.print("[yellow]![/yellow] busybox:1.36 is missing: labcheck will borrow another local image for "
                      "its helper container (`docker pull busybox:1.36` to use the usual one)")
        root = info.get("DockerRootDir", "")
        if root and os.path.isdir(root):
            free = shutil.disk_usage(root).free / 2 ** 30
            mark = "[green]✔[/green]" if free > 2 else "[yellow]![/yellow]"
            out.print(f"{mark} {free:.1f} GiB free under {root}")
        else:
            out.print(f"[green]✔[/green] engine data lives in {root or 'a VM'} (its free space is not visible from here)")
        missing = [image for image in LAB_IMAGES if engine.inspect_image(image) is None]
        if missing:
            out.print(f"[yellow]![/yellow] the labs' images {', '.join(missing)} are not here yet: "
                      + "; ".join(f"`docker pull {image}`" for image in missing)
                      + ("; without a network, `labcheck images load FILE` with an archive that "
                         "`labcheck images save FILE` wrote where they are" if course_setup() else ""),
                      soft_wrap=True)
        else:
            out.print(f"[green]✔[/green] the labs' images are here: {', '.join(LAB_IMAGES)}")
    finally:
        engine.close()
    import subprocess

    compose = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True) \
        if shutil.which("docker") else None
    if compose is None:
        problems += 1
        out.print("[red]✘[/red] the docker command is not on PATH: install Docker Desktop or the docker CLI")
    elif compose.returncode == 0:
        out.print(f"[green]✔[/green] Docker Compose v2 plugin {compose.stdout.strip()}")
    else:
        problems += 1
        out.print("[red]✘[/red] `docker compose` is missing: install the Compose v2 plugin")
    raise click.exceptions.Exit(ENVIRONMENT if problems else PASSED)


# ---------------------------------------------------------------- classroom evidence (checker/evidence.py,
# checker/classroom.py) and offline images (checker/images.py)

def known_learner():
    """The stored learner, or the name asked for on a terminal (once)."""
    from checker.classroom.learner import BadName, remember_learner, stored_learner

    learner = stored_learner()
    if learner is not None:
        return learner
    if not sys.stdin.isatty():
        raise click.UsageError('labcheck does not know your name yet: run `labcheck whoami --name "Your Name"` once.')
    try:
        return remember_learner(click.prompt("Your name, as your instructor knows you"))
    except BadName as problem:
        raise click.UsageError(str(problem)) from None


@app.command()
@click.option("--name", help="Set or change your name (otherwise asked once).")
def whoami(name: str | None) -> None:
    """Your name for the class evidence, and your learner value."""
    from checker.classroom.learner import BadName, remember_learner

    try:
        learner = remember_learner(name) if name is not None else known_learner()
    except BadName as problem:
        raise click.UsageError(str(problem)) from None
    minimal(learner.value) if settings.quiet else \
        out.print(f"You are {learner.name}; your learner value is [bold]{escape(learner.value)}[/bold].", soft_wrap=True)


@app.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="The evidence file, or a folder for it.")
def submit(output: Path | None) -> None:
    """Grade every exercise and write one evidence file, signed with LABCHECK_CLASS_KEY, for your instructor."""
    from checker.classroom import evidence

    key = evidence.class_key()
    learner = known_learner()
    try:
        path = evidence.target_path(output, learner)
    except evidence.BadTarget as problem:
        raise click.UsageError(str(problem)) from None
    engine = connect_readonly()
    try:
        with EngineView(engine) as view:
            reports = grade_all(list(COURSE), view)
            document = evidence.signed(evidence.collect(learner, engine, view, COURSE, reports, __version__), key)
    finally:
        engine.close()
    store = Progress()
    for report in reports:
        store.record(report.exercise, report.passed)
    try:
        evidence.write(document, path)
    except OSError as exc:
        raise click.UsageError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    passed = sum(r.passed for r in reports)
    minimal(str(path)) if settings.quiet else \
        out.print(f"Wrote {escape(str(path))}: {escape(learner.name)} ({learner.value}), {passed} of "
                  f"{len(reports)} exercises passed. Hand this file to your instructor.", soft_wrap=True)


@app.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def verify(files: tuple[str, ...]) -> None:
    """Say for each evidence file whether it is intact (signature, content, and name all match)."""
    from checker.classroom import evidence

    key = evidence.class_key()
    checked = [evidence.check_file(f, key) for f in files]
    for c in checked:
        if c.intact:
            e = c.evidence
            out.print(f"[green]✔[/green] {escape(c.path)}: intact; {escape(c.learner)} ({e['learner']['value']}), "
                      f"{e.get('passed')} of {e.get('total')} passed, submitted {e.get('submitted_at')}", soft_wrap=True)
        else:
            minimal(f"not intact: {c.path} {c.reason}") if settings.quiet else \
                out.print(f"[red]✘[/red] {escape(c.path)} {escape(c.reason)}", soft_wrap=True)
    raise click.exceptions.Exit(PASSED if all(c.intact for c in checked) else NOT_PASSED)


@app.command("class")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "form", type=click.Choice(["table", "csv", "html", "junit"]), default="table",
              help="A terminal table (default), CSV, an HTML page, or JUnit XML.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def class_results(files: tuple[str, ...], form: str, output: Path | None) -> None:
    """Merge evidence files into one table, learner by exercise; files that are not intact are listed apart."""
    from checker.classroom import class_table as classroom, evidence

    key = evidence.class_key()
    room = classroom.merge([evidence.check_file(f, key) for f in files])
    if form == "table":
        text = classroom.table_text(room) if output else None
        if not output:
            for table in classroom.rich_tables(room, out.width):
                out.print(table)
            for line in classroom.notes(room):
                out.print(line, markup=False, soft_wrap=True)
    else:
        text = {"csv": classroom.csv_text, "html": classroom.html_text, "junit": classroom.junit_xml}[form](room)
        if not output:
            print(text, end="")
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"Cannot write {output}: {exc.strerror or exc}.") from None
    summary = f"{len(room.submissions)} learners merged; {len(room.not_intact)} files not intact"
    minimal(summary) if settings.quiet or output else None
    raise click.exceptions.Exit(NOT_PASSED if room.not_intact else PASSED)


@app.group()
def images() -> None:
    """Every image the labs need in one archive: save it where there is network, load it where there is not."""


@images.command("save")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def images_save(file: Path) -> None:
    """Write the labs' images into FILE (an archive `docker load` also reads)."""
    from checker.classroom.images import MissingImages, save

    engine = connect_readonly()
    try:
        with progress_bar(transfer=True) as bar:
            task = bar.add_task(f"saving {len(LAB_IMAGES)} images", total=None)
            saved = save(engine, LAB_IMAGES, file, started=lambda total: bar.update(task, total=total),
                         advanced=lambda size: bar.advance(task, size))
    except MissingImages as missing:
        names = missing.names
        err.print(f"Nothing saved: {', '.join(names)} {'is' if len(names) == 1 else 'are'} not on this engine, so "
                  f"the archive would be incomplete. Get {'it' if len(names) == 1 else 'them'} first ("
                  + "; ".join(f"`docker pull {n}`" for n in names) + "), then save again.", markup=False, soft_wrap=True)
        raise click.exceptions.Exit(ENVIRONMENT)
    except OSError as exc:
        raise click.UsageError(f"Cannot write {file}: {exc.strerror or exc}.") from None
    finally:
        engine.close()
    minimal(str(file)) if settings.quiet else \
        out.print(f"Saved {', '.join(saved.images)} to {file} ({saved.size / 2 ** 20:.0f} MiB). On a machine "
                  f"without network: `labcheck images load {file.name}`.", markup=False, soft_wrap=True)


@images.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def images_load(file: Path) -> None:
    """Load the labs' images from FILE, written by `labcheck images save`."""
    from checker.classroom.images import TRANSFER_TIMEOUT, NotAnArchive, check_archive, image_ids, load

    try:
        size = check_archive(file)
    except NotAnArchive as problem:
        raise click.UsageError(str(problem)) from None
    client = connect(timeout=TRANSFER_TIMEOUT)
    try:
        with progress_bar(transfer=True) as bar:
            task = bar.add_task(f"loading {file.name}", total=size)
            loaded = load(client, file, advanced=lambda step: bar.advance(task, step))
    finally:
        client.close()
    engine = connect_readonly()
    try:
        missing = [name for name, found in image_ids(engine, LAB_IMAGES).items() if found is None]
    finally:
        engine.close()
    for line in loaded:
        out.print(line, markup=False, soft_wrap=True)
    if missing:
        err.print(f"The labs still miss {', '.join(missing)}: {file} did not hold "
                  f"{'it' if len(missing) == 1 else 'them'}. Save the archive again with a current labcheck.",
                  markup=False, soft_wrap=True)
        raise click.exceptions.Exit(ENVIRONMENT)
    minimal(f"{len(LAB_IMAGES)} images ready") if settings.quiet else \
        out.print(f"The labs' images are here: {', '.join(LAB_IMAGES)}.", markup=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run labcheck and return its exit code; never lets a traceback reach the learner."""
    try:
        result = app.main(args=argv, prog_name="labcheck", standalone_mode=False)
        return result if isinstance(result, int) else PASSED
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.UsageError as error:
        error.show(file=sys.stderr)
        return USAGE
    except click.exceptions.Abort:
        err.print("Cancelled; nothing was changed.")
        return INTERRUPTED
    except EnvironmentProblem as problem:
        show_problem(problem)
        return ENVIRONMENT
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return INTERRUPTED
