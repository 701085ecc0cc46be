"""CI really fails when a notebook raises, has outputs committed, or has a stale exercise.

A small temporary copy of the course is run with the same pytest configuration in a child
process twice: clean, where everything passes, and broken four ways at once, where each test
finds its breakage failing (or, for a cell tagged raises-exception, passing) by name in the
report. One broken run instead of one per breakage: each run starts pytest and a kernel.
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


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The report of one run on a copy broken four ways at once (each test below checks
    that its breakage fails, or passes, by name): a notebook that raises, a notebook whose
    cell tagged raises-exception raises, committed outputs, and a stale exercise."""
    course = _course(tmp_path_factory.mktemp("course"))
    nbformat.write(new_notebook("x = 1", "1 / 0"), course / "notebooks" / "02_broken.ipynb")
    nbformat.write(new_notebook("1 / 0", tags=["raises-exception"]),
                   course / "notebooks" / "03_expected.ipynb")

    path = course / "notebooks" / "01_lesson.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    notebook.cells[0].execution_count = 1
    nbformat.write(notebook, path)

    path = course / "solutions" / "01_exercise.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A new question."))
    nbformat.write(notebook, path)

    code, output = run_pytest(course)
    assert code == 1, output
    return output


def _statuses(output, name):
    """PASSED or FAILED, for the tests in the report (-rA) whose id contains NAME."""
    return {line.split()[0] for line in output.splitlines()
            if line.startswith(("PASSED", "FAILED")) and name in line}


def test_a_notebook_that_raises_fails(broken):
    assert _statuses(broken, "notebooks/02_broken.ipynb::Cell 1") == {"FAILED"}, broken
    assert "ZeroDivisionError" in broken


def test_a_cell_tagged_raises_exception_may_raise(broken):
    assert _statuses(broken, "notebooks/03_expected.ipynb") == {"PASSED"}, broken


def test_committed_outputs_fail(broken):
    assert _statuses(broken, "test_notebook_is_clean[notebooks/01_lesson.ipynb]") == {"FAILED"}, (
        broken)
    assert "cell 0 has outputs committed" in broken and "make strip" in broken


def test_a_stale_exercise_fails(broken):
    assert _statuses(broken, "test_committed_exercises_match_their_solutions") == {"FAILED"}, (
        broken)
    assert "differs from what solutions/01_exercise.ipynb generates" in broken
