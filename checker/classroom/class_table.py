"""A class's evidence files merged into one table: learner × exercise, for a terminal, CSV, HTML or JUnit XML.

Only intact files (see checker.classroom.evidence) are merged; the others are listed with the reason. When one learner
hands in several files, the latest counts. Submissions under different names that come from the same Docker
engine, or that hold the same container or network IDs, are flagged for the instructor to look at: IDs are
random and per engine, so two learners' honest work never shares them (VMs cloned from one disk image share
an engine ID, though: see the README).
"""
from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from checker.classroom.evidence import Checked


@dataclass(frozen=True)
class Result:
    passed: bool
    title: str
    first_failure: str      # the first failing check's message; "" when passed
    lesson: int | None = None


@dataclass(frozen=True)
class Submission:
    file: str
    name: str
    value: str
    slug: str
    engine_id: str
    submitted_at: str
    results: dict[str, Result]
    resource_ids: dict[str, str]    # container or network ID -> "container lab-writer"

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results.values())


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]
    text: str


@dataclass
class Classroom:
    submissions: list[Submission] = field(default_factory=list)
    not_intact: list[Checked] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)      # older files of a learner who handed in again
    flags: list[Flag] = field(default_factory=list)

    @property
    def exercises(self) -> list[tuple[str, str]]:
        """(id, title) of every exercise any submission holds, in course order."""
        titles = {ex: r.title for s in self.submissions for ex, r in s.results.items()}
        return sorted(titles.items(), key=lambda item: (_number(item[0]), item[0]))

    def lesson_groups(self) -> list[tuple[str, list[str]]]:
        """The exercises grouped by lesson, each headed by its first exercise's number: ("5", [ex5, ex6, ex7])."""
        lessons: dict[str, int | None] = {}
        for s in self.submissions:
            for exercise_id, result in s.results.items():
                lessons[exercise_id] = lessons.get(exercise_id) or result.lesson
        groups: list[list[str]] = []
        for exercise_id, _ in self.exercises:
            if groups and lessons[exercise_id] is not None and lessons[groups[-1][0]] == lessons[exercise_id]:
                groups[-1].append(exercise_id)
            else:
                groups.append([exercise_id])
        return [(ids[0][2:] if _number(ids[0]) < 10 ** 6 else ids[0], ids) for ids in groups]

    def flags_for(self, name: str) -> list[str]:
        return [f.text for f in self.flags if name in f.names]


def _number(exercise_id: str) -> int:
    digits = exercise_id[2:]
    return int(digits) if digits.isdigit() else 10 ** 6


def submission(checked: Checked) -> Submission:
    evidence = checked.evidence
    results, ids = {}, {}
    for record in evidence["exercises"]:
        failure = next((c for c in record["checks"] if isinstance(c, dict) and c.get("passed") is False), None)
        lesson = record.get("lesson")
        number = lesson.get("number") if isinstance(lesson, dict) else None
        results[record["exercise"]] = Result(record["passed"], str(record.get("title", "")),
                                             str(failure.get("message", "")) if failure else "",
                                             number if isinstance(number, int) else None)
        resources = record.get("resources") or {}
        for kind in ("containers", "networks"):
            for item in resources.get(kind) or ():
                if isinstance(item, dict) and item.get("id"):
                    ids[item["id"]] = f"{kind[:-1]} {item.get('name', '')}"
    learner = evidence["learner"]
    return Submission(checked.path, learner["name"], learner["value"], str(learner.get("slug", "")),
                      str(evidence["engine"].get("id", "")), str(evidence.get("submitted_at", "")), results, ids)


def merge(checked: list[Checked]) -> Classroom:
    room = Classroom(not_intact=[c for c in checked if not c.intact])
    latest: dict[str, Submission] = {}
    for one in (submission(c) for c in checked if c.intact):
        key = one.name.casefold()
        earlier = latest.get(key)
        if earlier is None or one.submitted_at >= earlier.submitted_at:
            if earlier is not None:
                room.superseded.append(f"{earlier.file} (an earlier file of {one.name})")
            latest[key] = one
        else:
            room.superseded.append(f"{one.file} (an earlier file of {one.name})")
    room.submissions = sorted(latest.values(), key=lambda s: s.name.casefold())
    room.flags = shared_origins(room.submissions)
    return room


def shared_origins(submissions: list[Submission]) -> list[Flag]:
    """Different names, same engine or same resource IDs."""
    flags = []
    by_engine = defaultdict(list)
    for s in submissions:
        if s.engine_id:
            by_engine[s.engine_id].append(s.name)
    for engine_id, names in by_engine.items():
        if len(names) > 1:
            flags.append(Flag(tuple(names), f"{_names(names)} submitted from the same Docker engine "
                                            f"(ID {engine_id[:12]}…)"))
    owners = defaultdict(list)
    for s in submissions:
        for resource_id, what in s.resource_ids.items():
            owners[resource_id].append((s.name, what))
    shared = defaultdict(list)
    for resource_id, held in owners.items():
        names = tuple(sorted({name for name, _ in held}))
        if len(names) > 1:
            shared[names].append(f"{held[0][1]} {resource_id[:12]}")
    for names, what in shared.items():
        more = f" and {len(what) - 3} more" if len(what) > 3 else ""
        flags.append(Flag(names, f"{_names(names)} hand in the same resources: {', '.join(what[:3])}{more}"))
    return flags


def _names(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


# ---------------------------------------------------------------- renderings

MARK = {True: ("✔", "green"), False: ("✘", "red"), None: ("·", "dim")}


def rich_tables(room: Classroom, width: int = 120) -> list:
    """The learner × lesson table, split into as many tables as it takes to fit `width` columns (each repeats
    the learner column), so that a long course never shrinks a column to "…"."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    exercises, groups = room.exercises, room.lesson_groups()
    name_width = min(28, max([len("learner"), *(len(s.name) for s in room.submissions)]))
    fixed = name_width + 2 + 8 + 8 + 2          # learner, value, passed, each with its padding and divider; edges
    parts: list[list[tuple[str, list[str]]]] = [[]]
    used = fixed
    for header, ids in groups:
        cost = max(len(header), len(ids)) + 2
        if parts[-1] and used + cost > width:
            parts.append([])
            used = fixed
        parts[-1].append((header, ids))
        used += cost
    tables = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        table = Table(title=None if number else f"Class: {len(room.submissions)} learners, {len(exercises)} exercises",
                      caption=("A column a lesson, headed by the number of its first exercise; a mark an exercise, "
                               "in order: ✔ passed, ✘ not yet, · not in the file.") if last else None,
                      title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))
        table.add_column("learner", no_wrap=True, max_width=28)
        table.add_column("value", no_wrap=True)
        for header, _ in part:
            table.add_column(header, no_wrap=True)
        if last:
            table.add_column("passed", justify="right", no_wrap=True)
        for s in room.submissions:
            cells = []
            for _, ids in part:
                marks = (MARK[None if s.results.get(i) is None else s.results[i].passed] for i in ids)
                cells.append("".join(f"[{style}]{mark}[/{style}]" for mark, style in marks))
            table.add_row(escape(s.name), s.value, *cells, *([f"{s.passed}/{len(exercises)}"] if last else []))
        tables.append(table)
    return tables


def notes(room: Classroom) -> list[str]:
    """The lines under the table: flags, files not merged, files superseded."""
    lines = [f"To look at: {f.text}." for f in room.flags]
    lines += [f"Not merged: {c.path} {c.reason}." for c in room.not_intact]
    lines += [f"Superseded: {s}." for s in room.superseded]
    return lines


def exercise_columns(room: Classroom) -> list[str]:
    return [exercise_id for exercise_id, _ in room.exercises]


def csv_text(room: Classroom) -> str:
    buffer = io.StringIO()
    columns = exercise_columns(room)
    writer = csv.writer(buffer)
    writer.writerow(["file", "learner", "learner_value", "intact", "problem", "engine_id", "submitted_at",
                     *columns, "passed", "total", "to_look_at"])
    for s in room.submissions:
        verdicts = ["" if s.results.get(e) is None else ("passed" if s.results[e].passed else "not yet")
                    for e in columns]
        writer.writerow([s.file, s.name, s.value, "yes", "", s.engine_id, s.submitted_at, *verdicts, s.passed,
                         len(columns), "; ".join(room.flags_for(s.name))])
    for c in room.not_intact:
        writer.writerow([c.path, "", "", "no", c.reason, "", "", *([""] * len(columns)), "", "", ""])
    return buffer.getvalue()


def html_text(room: Classroom, when_column: str | None = None) -> str:
    """The table as a page; `when_column` names a column of each learner's submission time ("last graded")."""
    e = html.escape
    head = "".join(f"<th title='{e(title)}'>{e(exercise_id)}</th>" for exercise_id, title in room.exercises)
    rows = []
    for s in room.submissions:
        cells = []
        for exercise_id, title in room.exercises:
            result = s.results.get(exercise_id)
            if result is None:
                cells.append("<td class='none' title='not in this file'>·</td>")
            elif result.passed:
                cells.append(f"<td class='pass' title='{e(title)}: passed'>✔</td>")
            else:
                cells.append(f"<td class='fail' title='{e(title)}: {e(result.first_failure)}'>✘</td>")
        when = f"<td class='when'>{e(s.submitted_at[:19].replace('T', ' '))} UTC</td>" if when_column else ""
        rows.append(f"<tr><th scope='row'>{e(s.name)}</th><td><code>{e(s.value)}</code></td>{''.join(cells)}"
                    f"<td>{s.passed}/{len(room.exercises)}</td>{when}</tr>")
    items = "".join(f"<li>{e(line)}</li>" for line in notes(room))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>labcheck class</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }} th, td {{ padding: .2em .4em; border-bottom: 1px solid #ddd; text-align: center; }}
th[scope=row] {{ text-align: left; }} .when {{ white-space: nowrap; }} .pass {{ color: #1a7f37; }} .fail {{ color: #cf222e; }} .none {{ color: #888; }}
</style></head><body>
<h1>Class: {len(room.submissions)} learners, {len(room.exercises)} exercises</h1>
<p>Hover a mark for the exercise and, when it is not passed yet, the first thing its check found missing.</p>
<table><thead><tr><th>learner</th><th>value</th>{head}<th>passed</th>{f'<th>{e(when_column)}</th>' if when_column else ''}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{f'<h2>Notes</h2><ul>{items}</ul>' if items else ''}
</body></html>
"""


def junit_xml(room: Classroom) -> str:
    """One testsuite per learner, one testcase per exercise; a file that is not intact is a suite with an error."""
    suites = ET.Element("testsuites", name="labcheck class")
    total = failures = errors = 0
    for s in room.submissions:
        failed = [e for e, r in s.results.items() if not r.passed]
        suite = ET.SubElement(suites, "testsuite", name=s.name, tests=str(len(s.results)),
                              failures=str(len(failed)), errors="0", skipped="0",
                              timestamp=s.submitted_at.removesuffix("+00:00"))
        properties = ET.SubElement(suite, "properties")
        for key, value in (("learner_value", s.value), ("engine_id", s.engine_id), ("file", s.file),
                           *(("to_look_at", text) for text in room.flags_for(s.name))):
            ET.SubElement(properties, "property", name=key, value=value)
        for exercise_id in sorted(s.results, key=_number):
            result = s.results[exercise_id]
            case = ET.SubElement(suite, "testcase", classname=f"labcheck.{s.slug or s.value}",
                                 name=f"{exercise_id} {result.title}".strip())
            if not result.passed:
                ET.SubElement(case, "failure", message=result.first_failure, type="not passed").text = \
                    result.first_failure
        total, failures = total + len(s.results), failures + len(failed)
    for c in room.not_intact:
        suite = ET.SubElement(suites, "testsuite", name=c.path, tests="1", failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", classname="labcheck.evidence", name="evidence file is intact")
        ET.SubElement(case, "error", message=f"{c.path} {c.reason}", type="not intact").text = c.reason
        total, errors = total + 1, errors + 1
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def table_text(room: Classroom, width: int = 200) -> str:
    """The terminal table and its notes as plain text, for a file."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False, highlight=False)
    for table in rich_tables(room, width):
        console.print(table)
    for line in notes(room):
        console.print(line, markup=False, soft_wrap=True)
    return console.file.getvalue()
