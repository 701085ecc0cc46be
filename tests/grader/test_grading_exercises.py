"""Every exercise notebook through the batch grader: solutions earn full marks,
untouched exercises earn zero with "not implemented yet" on every question.

Grades all notebooks in solutions/ and exercises/ in one run, two at a time,
with the command instructors use.
"""

import json
from pathlib import Path

import pytest

from course_grader.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    main([str(ROOT / "solutions"), str(ROOT / "exercises"), "--out", str(out), "--jobs", "2"])
    return {(path.parent.name, path.stem): json.loads(
        (out / "feedback" / f"{path.parent.name}__{path.stem}.json").read_text())
        for path in SOLUTIONS + EXERCISES}


def test_every_solution_has_its_exercise():
    assert [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES]


@pytest.mark.parametrize("stem", [p.stem for p in SOLUTIONS])
def test_a_solution_scores_full_marks(feedback, stem):
    record = feedback["solutions", stem]
    assert record["exercise"] == stem
    assert record["max_score"] > 0 and record["score"] == record["max_score"], record["questions"]
    assert record["status"] == "ok", record["cells"]


@pytest.mark.parametrize("stem", [p.stem for p in EXERCISES])
def test_an_untouched_exercise_scores_zero_not_implemented(feedback, stem):
    record = feedback["exercises", stem]
    assert record["exercise"] == stem and record["max_score"] > 0 and record["score"] == 0
    for question in record["questions"]:
        assert question["status"] == "not implemented", question
        assert question["details"][0].startswith("Not implemented yet")
