"""The result of grading one exercise, shown the same way in a terminal, a notebook and JSON."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

MARKS = {True: ("✔", "green"), False: ("✘", "red"), None: ("–", "dim")}


@dataclass(frozen=True)
class CheckReport:
    name: str
    passed: bool | None
    message: str
    found: str = ""
    expected: str = ""
    next_step: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "message": self.message,
                "found": self.found, "expected": self.expected, "next_step": self.next_step}


@dataclass(frozen=True, repr=False)
class ExerciseReport:
    exercise: str
    title: str
    checks: tuple[CheckReport, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def first_failure(self) -> CheckReport | None:
        return next((c for c in self.checks if c.passed is False), None)

    def to_json(self) -> dict:
        return {"exercise": self.exercise, "title": self.title, "passed": self.passed,
                "checks": [c.to_json() for c in self.checks]}

    def __rich__(self) -> Group:
        verdict = Text("PASSED", style="bold green") if self.passed else Text("NOT YET", style="bold red")
        head = Text.assemble((f"{self.exercise} ", "bold"), self.title, "  ", verdict)
        table = Table.grid(padding=(0, 1))
        for check in self.checks:
            mark, colour = MARKS[check.passed]
            table.add_row(Text(mark, style=colour), Text(check.message if check.passed is not None
                                                         else f"{check.name} (skipped: an earlier check failed)",
                                                         style="dim" if check.passed is None else ""))
            if check.passed is False:
                if check.found:
                    table.add_row("", Text(f"found:    {check.found}", style="yellow"))
                if check.expected:
                    table.add_row("", Text(f"expected: {check.expected}", style="cyan"))
                if check.next_step:
                    table.add_row("", Text(f"next:     {check.next_step}", style="bold"))
        return Group(head, table)

    def __str__(self) -> str:
        console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False,
                          force_jupyter=False, highlight=False)
        console.print(self)
        return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        rows = []
        for c in self.checks:
            mark, _ = MARKS[c.passed]
            text = html.escape(c.message if c.passed is not None else f"{c.name} (skipped)")
            extra = "".join(f"<div style='margin-left:1.5em'><b>{label}</b> {html.escape(value)}</div>"
                            for label, value in (("found:", c.found), ("expected:", c.expected),
                                                 ("next:", c.next_step)) if c.passed is False and value)
            rows.append(f"<li style='list-style:none'>{mark} {text}{extra}</li>")
        return (f"<div class='labcheck-report'><b>{html.escape(self.exercise)}</b> {html.escape(self.title)} "
                f"<b style='color:{colour}'>{'PASSED' if self.passed else 'NOT YET'}</b><ul>{''.join(rows)}</ul></div>")
