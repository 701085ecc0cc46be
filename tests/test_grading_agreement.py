"""check and the batch grader give the same wrong answers the same points and the same feedback.

One submission of exercise 01 holds answers a learner gave: an input changed in place, a
slow answer, an extra update from `while t <= max_steps`, a hard-coded h, 2/trace(A), an
answer that raises, and one right answer. The batch grader grades it in its isolated child;
``check`` grades the same functions in this process with the same time limit per call.
"""

import json

import pytest

from course_grader.batch import grade_all
from course_grader.sandbox import Limits
from course_lib.grading import check as check_module
from course_lib.grading import checker

SECONDS = 1.0  # the per-call limit of both, shortened for the test
ANSWERS = {
    "q1": '''
def least_squares_gradient(X, y, theta):
    X /= len(y)          # changes the caller's X
    return X.T @ (X @ theta - y) * len(y)
''',
    "q2": '''
def central_difference(X, y, theta, h):
    import time
    time.sleep(25)       # far past the limit
    return theta
''',
    "q3": '''
def numerical_gradient(X, y, theta):
    h = 1e-5
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        plus = np.mean(np.log(np.cosh(X @ (theta + e) - y)))
        minus = np.mean(np.log(np.cosh(X @ (theta - e) - y)))
        grad[i] = (plus - minus) / (2 * h)
    return grad
''',
    "q4": '''
def gradient_descent(A, b, theta0, lr, tol, max_steps):
    theta, t = theta0.copy(), 0
    while t <= max_steps and np.linalg.norm(A @ theta - b) > tol:
        theta = theta - lr * (A @ theta - b)
        t += 1
    return theta, t
''',
    "q5": '''
def largest_stable_lr(A):
    return 2 / np.trace(A)
''',
    "q6": '''
def best_lr_and_rate(A):
    lam = np.linalg.eigvalsh(A)
    return 2 / (lam[0] + lam[-1]), undefined_name
''',
}
SETUP = "import numpy as np\nfrom course_lib.grading import checker\ncheck = checker('01_gradient_descent')"
INTRO = {"cell_type": "markdown", "metadata": {}, "source": "# Exercises 01"}


def _notebook():
    cells = [INTRO, {"cell_type": "code", "metadata": {}, "source": SETUP, "outputs": [],
                     "execution_count": None}]
    for qid, source in ANSWERS.items():
        cells.append({"cell_type": "markdown", "metadata": {}, "source": f"## {qid}"})
        cells.append({"cell_type": "code", "metadata": {}, "source": source.strip(),
                      "outputs": [], "execution_count": None})
    cells.append({"cell_type": "code", "metadata": {}, "source":
                  "raise NotImplementedError('an ungraded task left as it was')", "outputs": [],
                  "execution_count": None})
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"course": {"exercise": "01_gradient_descent"}}}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("agreement")
    (base / "submissions").mkdir()
    (base / "submissions" / "learner.ipynb").write_text(json.dumps(_notebook()))
    limits = Limits(cell_seconds=SECONDS, total_seconds=90)
    with open(base / "progress.txt", "w") as progress:
        record, = grade_all([base / "submissions"], base / "out", limits=limits, progress=progress)
    batch = {result["id"]: result for result in record["questions"]}

    namespace = {}
    exec(SETUP, namespace)
    for source in ANSWERS.values():
        exec(source, namespace)
    saved, check_module.CALL_SECONDS = check_module.CALL_SECONDS, SECONDS
    try:
        check = checker("01_gradient_descent")
        checked = {qid: check(qid, namespace[source.split("def ")[1].split("(")[0]])
                   for qid, source in ANSWERS.items()}
    finally:
        check_module.CALL_SECONDS = saved
    return record, batch, checked


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_check_and_the_batch_grader_agree(both, qid):
    _, batch, checked = both
    mine, theirs = checked[qid], batch[qid]
    assert theirs["score"] == pytest.approx(mine.score), (mine.report(), theirs)
    assert theirs["status"] == mine.status and theirs["cases"] == mine.cases
    assert theirs["mistake"] == mine.mistake and theirs["symptom"] == mine.symptom
    assert "failing_case" not in theirs  # check only


def test_what_each_answer_is_told(both):
    _, batch, checked = both
    assert checked["q1"].cases == ["changed its inputs"] * 4
    assert "changed its input `X` in place" in batch["q1"]["details"][0]
    assert checked["q2"].cases == ["out of time"] * 4 and checked["q2"].score == 0
    assert "the time limit per call of q2" in batch["q2"]["details"][0]
    assert checked["q3"].score == 2  # a fixed h = 1e-5 answers q3 right
    assert "while t <= max_steps" in batch["q4"]["mistake"]
    assert "trace" in batch["q5"]["mistake"]
    assert "NameError: name 'undefined_name' is not defined" in batch["q6"]["details"][0]


def test_the_batch_grader_numbers_cells_as_a_learner_counts_them(both):
    record, batch, _ = both
    # The answer to q6 is the 14th cell of the notebook (markdown cells count too).
    assert batch["q6"]["details"][1] == ("  raised in your code at cell 14, line 3: "
                                         "return 2 / (lam[0] + lam[-1]), undefined_name")
    assert [cell["cell"] for cell in record["cells"]] == [2, 4, 6, 8, 10, 12, 14, 15]
    # The ungraded task left untouched (cell 15) is not an error.
    assert record["cells"][-1]["status"] == "not attempted"
    assert "errors in cells" not in record["status"], record["status"]


def test_both_stop_a_call_after_the_same_time():
    assert check_module.CALL_SECONDS == Limits().cell_seconds == 20.0
