"""Make the learner's exercise notebooks from the solution notebooks.

``solutions/*.ipynb`` are the one source. In each of them

* code between a ``### BEGIN SOLUTION`` line and a ``### END SOLUTION`` line
  becomes one line ``raise NotImplementedError(...)`` at the marker's
  indentation, and the cell is tagged ``raises-exception`` so that "Run All"
  in JupyterLab and the notebook tests carry on past it;
* markdown between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->``
  is replaced by a short prompt for the learner's own answer, and the cell is
  marked as a written answer, ``metadata.course.written = "w1"``, ``"w2"``, …
  in notebook order, so the batch grader can collect it for the instructor;
* outputs and execution counts are dropped, and the notebook's metadata
  records which exercise it is (``metadata.course.exercise``).

Usage::

    python -m course_lib.grading.generate            # rewrite exercises/
    python -m course_lib.grading.generate --check    # exit 1 if any is stale
"""

import argparse
import copy
import sys
from pathlib import Path

import nbformat

CODE_BEGIN, CODE_END = "### BEGIN SOLUTION", "### END SOLUTION"
MARKDOWN_BEGIN, MARKDOWN_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
CODE_PLACEHOLDER = 'raise NotImplementedError("Write your solution here.")'
MARKDOWN_PLACEHOLDER = "*Write your answer here.*"
RAISES = "raises-exception"
ROOT = Path(__file__).resolve().parents[2]


class SolutionMarkerError(ValueError):
    """A solution notebook whose BEGIN/END markers do not pair up.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """


def strip_solution(lines, begin, end, placeholder, where):
    """Replace each ``begin`` … ``end`` block of ``lines`` by ``placeholder``.

    The placeholder keeps the indentation of the ``begin`` line. Returns the
    new lines and the number of blocks replaced.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    kept, inside, blocks = [], False, 0
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == begin:
            if inside:
                raise SolutionMarkerError(
                    f"{where}, line {number}: {begin!r} inside another solution block")
            inside, blocks = True, blocks + 1
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + placeholder)
        elif marker == end:
            if not inside:
                raise SolutionMarkerError(
                    f"{where}, line {number}: {end!r} without a matching {begin!r}")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise SolutionMarkerError(f"{where}: {begin!r} is never closed by {end!r}")
    return kept, blocks


def exercise_from_solution(solution, exercise_name):
    """Return the exercise notebook (a new object) made from ``solution``.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    exercise = copy.deepcopy(solution)
    exercise.metadata.setdefault("course", {})["exercise"] = exercise_name
    written = 0
    for index, cell in enumerate(exercise.cells):
        where = f"{exercise_name}, cell {index}"
        lines = cell.source.split("\n")
        if cell.cell_type == "code":
            lines, blocks = strip_solution(lines, CODE_BEGIN, CODE_END, CODE_PLACEHOLDER, where)
            cell.outputs, cell.execution_count = [], None
            if blocks:
                tags = cell.metadata.setdefault("tags", [])
                if RAISES not in tags:
                    tags.append(RAISES)
        elif cell.cell_type == "markdown":
            lines, blocks = strip_solution(lines, MARKDOWN_BEGIN, MARKDOWN_END,
                                           MARKDOWN_PLACEHOLDER, where)
            if blocks:
                written += 1
                cell.metadata.setdefault("course", {})["written"] = f"w{written}"
        cell.source = "\n".join(lines)
    return exercise


def render(notebook):
    """The notebook as the exact text we commit.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    return nbformat.writes(notebook) + "\n"


def expected_exercises(solutions_dir):
    """Map each exercise file name to the text the generator makes for it.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    expected = {}
    for path in sorted(Path(solutions_dir).glob("*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        expected[path.name] = render(exercise_from_solution(solution, path.stem))
    return expected


def stale_exercises(solutions_dir, exercises_dir):
    """Describe every exercise that differs from what the generator makes now.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    expected = expected_exercises(solutions_dir)
    exercises_dir = Path(exercises_dir)
    problems = []
    for name, text in expected.items():
        path = exercises_dir / name
        if not path.exists():
            problems.append(f"{path}: missing (its solution is solutions/{name})")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs from what solutions/{name} generates")
    for path in sorted(exercises_dir.glob("*.ipynb")):
        if path.name not in expected:
            problems.append(f"{path}: has no solution notebook in {solutions_dir}")
    return problems


def write_exercises(solutions_dir, exercises_dir):
    """Regenerate ``exercises_dir`` from ``solutions_dir``; return what changed.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    expected = expected_exercises(solutions_dir)
    exercises_dir = Path(exercises_dir)
    exercises_dir.mkdir(exist_ok=True)
    changed = []
    for name, text in expected.items():
        path = exercises_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(f"wrote {path}")
    for path in sorted(exercises_dir.glob("*.ipynb")):
        if path.name not in expected:
            path.unlink()
            changed.append(f"removed {path} (no solution notebook for it)")
    return changed


def main(argv=None):
    """``python -m course_lib.grading.generate``: write the exercises, or list the stale ones.

    Part of the exercise generator (``make exercises``), not of a lesson.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solutions", default=ROOT / "solutions", type=Path)
    parser.add_argument("--exercises", default=ROOT / "exercises", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="only report stale exercises; exit 1 if any")
    args = parser.parse_args(argv)
    if not args.solutions.is_dir():
        parser.error(f"no solutions folder at {args.solutions}")
    try:
        if args.check:
            problems = stale_exercises(args.solutions, args.exercises)
            for problem in problems:
                print(problem)
            if problems:
                print("Run `make exercises` to regenerate them.")
            return 1 if problems else 0
        for line in write_exercises(args.solutions, args.exercises) or ["exercises are up to date"]:
            print(line)
    except SolutionMarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
