"""CI really fails when a notebook raises, has outputs committed, or has a stale exercise.

A small temporary copy of the course is run with the same pytest configuration in a child
process twice: clean, where everything passes, and broken four ways at once, where each test
finds its breakage failing (or, for a cell tagged raises-exception, passing) by name in the
report, and nothing else fails. One broken run instead of one per breakage: each run starts
pytest and a kernel.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("pyproject.toml", "tests/conftest.py", "tests/notebooks/test_notebook_hygiene.py",
          "tests/lib/grading/test_exercise_generator.py", "tools/strip_notebooks.py")


def new_notebook(*sources, tags=()):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for cell in notebook.cells:
        cell.metadata["slideshow"] = {"slide_type": "-"}
        if tags:
            cell.metadata["tags"] = list(tags)
    return notebook


def _course(folder):
    """A small clean copy of the course in FOLDER: one lesson, one solution, its exercise."""
    for name in COPIED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    for part in ("notebooks", "solutions", "exercises"):
        (folder / part).mkdir()
    nbformat.write(new_notebook("x = 1 + 1"), folder / "notebooks" / "01_lesson.ipynb")
    nbformat.write(
        new_notebook("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        folder / "solutions" / "01_exercise.ipynb")
    subprocess.run([sys.executable, "-m", "course_lib.grading.generate",
                    "--solutions", folder / "solutions", "--exercises", folder / "exercises"],
                   check=True, capture_output=True)
    return folder


def run_pytest(course):
    """The course's pytest configuration run on COURSE: its exit code, its report."""
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             "-rA", "tests", "notebooks", "solutions", "exercises"],
                            cwd=course, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_the_clean_copy_passes(tmp_path):
    code, output = run_pytest(_course(tmp_path))
    assert code == 0, output


# The tests each breakage fails, by id.
BROKEN_CELL = "notebooks/02_broken.ipynb::Cell 1"
UNCLEAN = ("tests/notebooks/test_notebook_hygiene.py::"
           "test_notebook_is_clean[notebooks/01_lesson.ipynb]")
STALE = ("tests/lib/grading/test_exercise_generator.py::"
         "test_committed_exercises_match_their_solutions")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """One run on a copy broken four ways at once: its report, and each test's result by id
    (each test below checks its own breakage): a notebook whose second cell raises, a
    notebook whose cell tagged raises-exception raises, committed outputs, a stale exercise."""
    course = _course(tmp_path_factory.mktemp("course"))
    nbformat.write(new_notebook("x = 1", "1 / 0"), course / "notebooks" / "02_broken.ipynb")
    nbformat.write(new_notebook("raise KeyError('expected')", tags=["raises-exception"]),
                   course / "notebooks" / "03_expected.ipynb")

    path = course / "notebooks" / "01_lesson.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    notebook.cells[0].execution_count = 1
    nbformat.write(notebook, path)

    path = course / "solutions" / "01_exercise.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(
        "A new question.", metadata={"slideshow": {"slide_type": "-"}}))
    nbformat.write(notebook, path)

    code, output = run_pytest(course)
    assert code == 1, output
    return output, _results(output)


def _results(output):
    """{test id: PASSED, FAILED, ERROR, SKIPPED, XFAIL or XPASS} from a report made with -rA."""
    results = {}
    for line in output.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS"):
            results[rest.split(" - ")[0]] = status
    return results


def test_a_notebook_that_raises_fails(broken):
    output, results = broken
    assert results.get(BROKEN_CELL) == "FAILED", output
    assert results.get("notebooks/02_broken.ipynb::Cell 0") == "PASSED", output
    assert "ZeroDivisionError" in output


def test_a_cell_tagged_raises_exception_may_raise(broken):
    output, results = broken
    assert results.get("notebooks/03_expected.ipynb::Cell 0") == "PASSED", output


def test_committed_outputs_fail(broken):
    output, results = broken
    assert results.get(UNCLEAN) == "FAILED", output
    assert "cell 0 has outputs committed" in output and "make strip" in output


def test_a_stale_exercise_fails(broken):
    output, results = broken
    assert results.get(STALE) == "FAILED", output
    assert "differs from what solutions/01_exercise.ipynb generates" in output


def test_nothing_else_fails(broken):
    output, results = broken
    failed = {test for test, status in results.items() if status != "PASSED"}
    assert failed == {BROKEN_CELL, UNCLEAN, STALE}, output
