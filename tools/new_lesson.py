"""Scaffold lesson N: its page, its hands-on lab, its exercise module, its registry and table-of-contents entries.

    python tools/new_lesson.py 14 compose-stacks "Compose for real stacks"
    python tools/new_lesson.py 14 compose-stacks "Compose for real stacks" --summary "…" --exercise-id ex37

Writes

- ``book/NN-slug.md``: label, numbered heading, a runnable ``demo-`` block, common mistakes, a
  "Check yourself" dropdown, and an Exercises section with the ``(exN)=`` anchor and the lab link;
- ``labs/NN-slug.ipynb``: the lab header linking to the lesson, the setup cell, and for the exercise a
  task, an empty ``%%bash`` answer cell and its ``check("exN")`` cell;
- ``checker/exercises/slug.py``: the ``LESSON`` record and one small working exercise to replace;

and registers the module in ``checker/exercises/__init__.py``, adds the page and its recorded lab to
``_toc.yml``, and rewrites the lesson tables in README.md and book/intro.md. It refuses to overwrite
anything. CONTRIBUTING.md says what to do next.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "checker" / "exercises" / "__init__.py"
TOC = ROOT / "_toc.yml"


def existing_lessons() -> dict[int, str]:
    """Lesson number -> "NN-slug", from the pages in book/."""
    return {int(p.stem[:2]): p.stem for p in (ROOT / "book").glob("[0-9][0-9]-*.md")}


def next_exercise_id() -> str:
    ids = [int(n) for path in (ROOT / "checker" / "exercises").glob("*.py")
           for n in re.findall(r'\bid="ex(\d+)"', path.read_text())]
    return f"ex{max(ids, default=0) + 1}"


def page(number: int, slug: str, title: str, exercise: str) -> str:
    name = f"{number:02d}-{slug}"
    return f"""(lesson-{slug})=
# {number}. {title}

One paragraph: what the learner can do after this lesson, and why it matters for their data.

## The idea

Explain one thing at a time, each with a command the reader can run. Every ```bash block on this page
runs, in order, in the tests (tests/test_lessons.py), so it must work on a fresh engine and name what it
creates `demo-…`; remove it again at the end of the block. Use ```text for commands not meant to run.

```bash
docker volume create demo-{slug}
docker run --rm -v demo-{slug}:/data busybox:1.36 \\
  sh -c 'echo hello > /data/hello.txt && cat /data/hello.txt'
docker volume rm demo-{slug}
```

## Common mistakes

- A mistake the reader will make, what they see, and how to put it right.

## Check yourself

:::{{dropdown}} A question the reader should be able to answer now?
Its answer, in a sentence or two.
:::

## Exercises

Lab: {{doc}}`lab-runs/{name}` (notebook `labs/{name}.ipynb`).

({exercise})=
**{exercise}: Create the volume lab-{slug}.** It carries the label `course=docker-volumes`. `labcheck {exercise}`
"""


def notebook(number: int, slug: str, title: str, exercise: str) -> nbformat.NotebookNode:
    name = f"{number:02d}-{slug}"

    markdown = nbformat.v4.new_markdown_cell

    def code(text: str, **metadata):
        return nbformat.v4.new_code_cell(text, metadata=metadata)

    cells = [
        markdown(f"""# Lab {number}: {title[0].lower() + title[1:]}

Lesson: [{number}. {title}](../book/{name}.md). One sentence: what the learner does in this lab.

**How to work.** Run the cells in order (Shift-Enter). Each exercise gives you a task, then an empty
`%%bash` cell for your commands (each line runs in a shell, exactly as in a terminal), then a **check cell**
that grades your real Docker state and tells you what it found and what to do next. `labcheck exN` in a
terminal gives the same verdict.

Stuck? In a terminal, `labcheck hint exN` shows the next hint (one more each time you ask), and
`labcheck solve exN --show` prints the reference solution. Cells that use `demo-` names only show a
technique on their own resources, and remove them again.

The first cell starts this lab from a clean slate: it removes only what this lab creates (the volume
`lab-{slug}`), never anything else."""),
        code(f"""import os
from checker import check, reset, workspace

# Your host folder for bind mounts and archives (~/docker-volumes-lab unless LABCHECK_WORKSPACE says otherwise);
# in %%bash cells it is $WORKSPACE.
os.environ["WORKSPACE"] = str(workspace())
print("workspace:", os.environ["WORKSPACE"])
reset("{exercise}")"""),
        markdown(f"""## Exercise {exercise}: create the volume lab-{slug}

1. Create a volume named `lab-{slug}` with the label `course=docker-volumes`."""),
        code(f"%%bash\n# Your commands for {exercise}: create the volume lab-{slug} with its label",
             exercise=exercise, tags=["answer"]),
        code(f'check("{exercise}")', exercise=exercise, tags=["check"]),
        markdown("""## Wrap-up

- What the learner should remember from this lab, in one line each."""),
    ]
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})


def module(number: int, slug: str, title: str, summary: str, exercise: str) -> str:
    volume = f"lab-{slug}"
    return f'''"""Lesson {number}: {title}."""
from checker.grading.checks import volume_exists
from checker.grading.exercise import Exercise, Mistake, Owned
from checker.grading.lesson import Lesson

LESSON = Lesson(
    number={number}, slug={json.dumps(slug)}, title={json.dumps(title)},
    summary={json.dumps(summary)})
CREATE = "docker volume create --label course=docker-volumes {volume}"

# A small working exercise to start from: replace it with the lesson's own (CONTRIBUTING.md says how).
FIRST = Exercise(
    id="{exercise}",
    title="Create the volume {volume}",
    part_of=LESSON,
    goal="Create a volume named {volume} with the label course=docker-volumes.",
    owns=Owned(volumes=("{volume}",)),
    checks=(volume_exists("{volume}", labels={{"course": "docker-volumes"}}),),
    hints=("docker volume create takes --label KEY=VALUE.", CREATE),
    solution=(CREATE,),
    mistakes=(
        Mistake("no label", ("docker volume create {volume}",), "lacks the label course=docker-volumes",
                hint="Labels are fixed when a volume is created: `docker volume rm {volume}`, then `" + CREATE + "`."),
    ),
)

EXERCISES = (FIRST,)
'''


def register(module_name: str, number: int) -> None:
    """Add the module to the registry's import list and to MODULES, after the lesson before it."""
    text = REGISTRY.read_text()
    imports = re.search(r"^from \. import \((.*?)\)\n", text, re.S | re.M)
    names = sorted({*re.findall(r"\w+", imports.group(1)), module_name})
    wrapped = textwrap.fill(", ".join(names), 120, initial_indent="from . import (",
                            subsequent_indent=" " * len("from . import (")) + ")\n"
    text = text[:imports.start()] + wrapped + text[imports.end():]
    order = re.search(r"^MODULES = \((.*?)\)\n", text, re.S | re.M)
    modules = re.findall(r"\w+", order.group(1))
    modules.insert(number - 1, module_name)
    wrapped = textwrap.fill(", ".join(modules), 120, initial_indent="MODULES = (", subsequent_indent=" " * 11) + ")\n"
    REGISTRY.write_text(text[:order.start()] + wrapped + text[order.end():])


def add_to_toc(name: str, before: str | None) -> None:
    """Put the page right after the previous lesson's page or lab, and its recorded lab right after the
    previous recorded lab; when each lesson is followed by its lab, that keeps the two together."""
    lines = TOC.read_text().splitlines(keepends=True)
    entry = "      - file: {}\n"
    page, lab = f"book/{name}", f"book/lab-runs/{name}"
    if before is None:
        raise SystemExit("lesson 1 exists already; new lessons go after it")
    previous_page = lines.index(entry.format(f"book/{before}"))
    previous_lab = lines.index(entry.format(f"book/lab-runs/{before}"))
    if previous_lab == previous_page + 1:        # each lesson followed by its lab
        lines[previous_lab + 1:previous_lab + 1] = [entry.format(page), entry.format(lab)]
    else:                                        # a part of lessons, then a part of labs
        lines.insert(previous_lab + 1, entry.format(lab))
        lines.insert(previous_page + 1, entry.format(page))
    TOC.write_text("".join(lines))


def link_from_previous_lab(before: str, number: int, title: str, name: str) -> list[str]:
    """End the previous lab, and its recorded run, with a Next: link to the new lesson, as every lab but the
    last ends (tools/dev_check.py holds them to it). Returns the files it changed."""
    changed = []
    for path, target in ((ROOT / "labs" / f"{before}.ipynb", f"../book/{name}.md"),
                         (ROOT / "book" / "lab-runs" / f"{before}.ipynb", f"../{name}.md")):
        if not path.is_file():
            continue
        lab = nbformat.read(path, as_version=4)
        last = lab.cells[-1]
        if last.cell_type != "markdown" or "Next:" in last.source:
            continue
        last.source = last.source.rstrip() + f"\n\nNext: [{number}. {title}]({target})."
        path.write_text(nbformat.writes(lab) + "\n")
        changed.append(str(path.relative_to(ROOT)))
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("number", type=int)
    parser.add_argument("slug", help="lower-case words joined by hyphens, e.g. compose-stacks")
    parser.add_argument("title", help="the page heading after 'N. '")
    parser.add_argument("--summary", default=None, help="one line for the intro's list of lessons")
    parser.add_argument("--exercise-id", default=None, help="the first exercise's id (default: the next free one)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.slug):
        parser.error("the slug is lower-case words joined by hyphens, e.g. compose-stacks")
    lessons = existing_lessons()
    if args.number in lessons:
        parser.error(f"lesson {args.number} exists already: book/{lessons[args.number]}.md")
    if args.number != max(lessons, default=0) + 1:
        parser.error(f"the next lesson is {max(lessons, default=0) + 1}: lessons are numbered without gaps")
    name, module_name = f"{args.number:02d}-{args.slug}", args.slug.replace("-", "_")
    exercise = args.exercise_id or next_exercise_id()
    summary = args.summary or f"{args.title[0].lower() + args.title[1:]}."
    files = {ROOT / "book" / f"{name}.md": page(args.number, args.slug, args.title, exercise),
             ROOT / "labs" / f"{name}.ipynb": nbformat.writes(notebook(args.number, args.slug, args.title, exercise)) + "\n",
             ROOT / "checker" / "exercises" / f"{module_name}.py":
                 module(args.number, args.slug, args.title, summary, exercise)}
    taken = [str(p.relative_to(ROOT)) for p in files if p.exists()]
    if taken:
        parser.error(f"not overwriting {', '.join(taken)}")
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    register(module_name, args.number)
    print(f"registered {module_name} in {REGISTRY.relative_to(ROOT)}")
    add_to_toc(name, lessons.get(args.number - 1))
    print(f"added book/{name} and book/lab-runs/{name} to _toc.yml")
    for path in link_from_previous_lab(lessons[args.number - 1], args.number, args.title, name):
        print(f"ended {path} with a Next: link to lesson {args.number}")
    subprocess.run([sys.executable, str(ROOT / "tools" / "course_tables.py")], check=True)
    print(f"""
Next (CONTRIBUTING.md, "Adding lesson N+1"):
  1. write the lesson in book/{name}.md and the lab's tasks in labs/{name}.ipynb;
  2. replace the example exercise in checker/exercises/{module_name}.py with the lesson's own;
  3. record the lab run the book shows and run the lesson's tests, under the engine lock:
     flock /tmp/docker-engine.lock .venv/bin/python tools/record_labs.py {name[:2]}
     flock /tmp/docker-engine.lock .venv/bin/python -m pytest -q tests/test_labs.py tests/test_lessons.py -k {name[:2]}
     flock /tmp/docker-engine.lock .venv/bin/python -m pytest -q tests/test_exercises.py -k {exercise}""")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
