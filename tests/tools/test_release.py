"""`make release`: the folder and zip students get hold the course and nothing of the grading."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import release  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    folder, archive = release.build(out)
    return folder, archive


def test_the_release_holds_lessons_exercises_library_data_and_a_learner_readme(built):
    folder, _ = built
    top = {path.name for path in folder.iterdir()}
    assert top == {"notebooks", "exercises", "course_lib", "data", "README.md", "Makefile",
                   "requirements.txt", "pyproject.toml", "LICENSE", "LICENSE-CONTENT.md"}
    for kind in ("notebooks", "exercises"):
        assert sorted(p.name for p in (folder / kind).glob("*.ipynb")) == sorted(
            p.name for p in (ROOT / kind).glob("*.ipynb"))
    assert (folder / "data" / "digits.csv.gz").read_bytes() == (
        ROOT / "data" / "digits.csv.gz").read_bytes()


def test_no_solutions_grader_or_tests(built):
    folder, archive = built
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    for banned in ("solutions/", "course_grader/", "tests/", "benchmarks/", "tools/"):
        assert not any(name.startswith(banned) for name in names), banned
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    for path in (folder / "exercises").glob("*.ipynb"):
        assert "BEGIN SOLUTION" not in path.read_text()
    readme = (folder / "README.md").read_text()
    assert "solutions" not in readme and "make lab" in readme
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == sorted(f"{release.NAME}/{n}" for n in names)


def test_the_release_is_reproducible(built, tmp_path):
    _, archive = built
    _, again = release.build(tmp_path)
    assert again.read_bytes() == archive.read_bytes()


def test_a_learner_s_check_works_from_the_release(built):
    folder, _ = built
    code = ("import course_lib, sys; assert course_lib.__file__.startswith(sys.argv[1]), "
            "course_lib.__file__\n"
            "from course_lib.grading import checker\n"
            "check = checker('01_gradient_descent')\n"
            "import importlib.util; print(importlib.util.find_spec('course_lib.grading.batch'))")
    run = subprocess.run([sys.executable, "-c", code, str(folder)], cwd=folder,
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "None"  # the batch grader is not in the learner's library
