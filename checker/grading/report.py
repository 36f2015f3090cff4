"""The result of grading one exercise, shown the same way in a terminal, a notebook and JSON."""
from __future__ import annotations

from checker.record import record

MARKS = {True: ("✔", "32"), False: ("✘", "31"), None: ("–", "2")}


def _painter(color: bool):
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text
    return paint


@record
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


@record
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

    def render(self, color: bool = False, width: int = 100) -> str:
        """The checklist as text: a mark per check, and found / expected / next under each failure."""
        import textwrap          # here, not at the top: `grade --all` prints no checklist

        paint = _painter(color)
        verdict = paint("PASSED", "1;32") if self.passed else paint("NOT YET", "1;31")
        lines = [f"{paint(self.exercise, '1')} {self.title}  {verdict}"]
        for check in self.checks:
            mark, code = MARKS[check.passed]
            text = check.message if check.passed is not None else f"{check.name} (skipped: an earlier check failed)"
            body = textwrap.wrap(text, width - 2) or [""]
            lines.append(f"{paint(mark, code)} {paint(body[0], '2') if check.passed is None else body[0]}")
            lines += [f"  {paint(more, '2') if check.passed is None else more}" for more in body[1:]]
            if check.passed is False:
                for label, value, style in (("found:   ", check.found, "33"), ("expected:", check.expected, "36"),
                                            ("next:    ", check.next_step, "1")):
                    if value:
                        wrapped = textwrap.wrap(value, width - 14) or [""]
                        lines.append(f"  {label} {paint(wrapped[0], style)}")
                        lines += [f"            {paint(more, style)}" for more in wrapped[1:]]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render(color=False)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html  # notebooks only: the terminal report starts faster without it

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
