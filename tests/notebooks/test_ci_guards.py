"""CI really fails when a notebook raises, has outputs committed, or has a stale exercise.

Each test breaks a temporary copy of the course and runs the same pytest
configuration on it in a child process.
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


@pytest.fixture
def course(tmp_path):
    """A small clean copy of the course: one lesson, one solution, its exercise."""
    for name in COPIED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("notebooks", "solutions", "exercises"):
        (tmp_path / folder).mkdir()
    nbformat.write(new_notebook("x = 1 + 1"), tmp_path / "notebooks" / "01_lesson.ipynb")
    nbformat.write(
        new_notebook("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        tmp_path / "solutions" / "01_exercise.ipynb")
    subprocess.run([sys.executable, "-m", "course_lib.grading.generate",
                    "--solutions", tmp_path / "solutions", "--exercises", tmp_path / "exercises"],
                   check=True, capture_output=True)
    return tmp_path


def run_pytest(course, *args):
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                            cwd=course, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_the_clean_copy_passes(course):
    code, output = run_pytest(course, "tests", "notebooks", "solutions", "exercises")
    assert code == 0, output


def test_a_notebook_that_raises_fails(course):
    nbformat.write(new_notebook("x = 1", "1 / 0"), course / "notebooks" / "02_broken.ipynb")
    code, output = run_pytest(course, "notebooks")
    assert code == 1, output
    assert "ZeroDivisionError" in output and "1 failed" in output


def test_a_cell_tagged_raises_exception_may_raise(course):
    nbformat.write(new_notebook("1 / 0", tags=["raises-exception"]),
                   course / "notebooks" / "02_expected.ipynb")
    code, output = run_pytest(course, "notebooks")
    assert code == 0, output


def test_committed_outputs_fail(course):
    path = course / "notebooks" / "01_lesson.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    notebook.cells[0].execution_count = 1
    nbformat.write(notebook, path)
    code, output = run_pytest(course, "tests/notebooks/test_notebook_hygiene.py")
    assert code == 1, output
    assert "cell 0 has outputs committed" in output and "make strip" in output


def test_a_stale_exercise_fails(course):
    path = course / "solutions" / "01_exercise.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A new question."))
    nbformat.write(notebook, path)
    code, output = run_pytest(course, "tests/lib/grading/test_exercise_generator.py")
    assert code == 1, output
    assert "differs from what solutions/01_exercise.ipynb generates" in output
