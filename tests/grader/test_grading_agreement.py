"""check and the batch grader give the same wrong answers the same points and the same feedback.

One submission per exercise holds the wrong answers a learner gave (the issue's list):
in exercise 01 an input changed in place, a slow answer, an extra update from
`while t <= max_steps`, a hard-coded h, 2/trace(A) and an answer that raises; in 02–06 the
remainder and ceil for step decay, the other momentum convention, Nesterov's φ-form, a
sign flip, Adam's slips, (1 + ηλ), ≤ for <, NaN losses dropped without their learning rates,
θ and g counted. The batch grader grades each in its isolated child; ``check`` grades the
same functions in this process with the same time limit per call.
"""

import json

import pytest
from learner_answers import GRADIENT_DESCENT_ONE_STEP_TOO_MANY, log_cosh_central_difference

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
    "q3": log_cosh_central_difference("numerical_gradient", "X, y, theta", 1e-5),
    "q4": GRADIENT_DESCENT_ONE_STEP_TOO_MANY,
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
OTHERS = {
    "02_stochastic_and_minibatch_gd": {"q4": '''
def step_decay_lr(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** (epoch % step_size)
'''},
    "03_momentum_and_nesterov": {"q1": '''
def momentum_step(theta, g, v, lr, mu):
    v_new = mu * v + lr * g
    return theta - v_new, v_new
''', "q2": '''
def momentum_step_a(theta, g, v, lr, gamma):
    v_new = gamma * v + lr * g
    return theta + v_new, v_new
''', "q3": '''
def nesterov_step(theta, v, A, b, lr, gamma):
    g = A @ theta - b
    v_new = gamma * v + lr * g
    return theta - (gamma * v_new + lr * g), v_new
'''},
    "04_adaptive_learning_rates": {"q3": '''
def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''', "q4": '''
def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    theta = theta * (1 + lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
'''},
    "05_gradient_diagnostics": {"q4": '''
def vanishing_layers(norms, ratio):
    return [i for i in range(len(norms) - 1) if norms[i] <= ratio * norms[-1]]
'''},
    "06_choosing_an_optimizer": {"q3": '''
def suggest_learning_rate(lrs, losses):
    kept = losses[np.isfinite(losses)]
    return lrs[np.argmin(kept)] / 10
''', "q4": '''
def optimizer_state_size(name, n):
    table = {"SGD": 0, "Momentum": 1, "Nesterov": 1, "Adagrad": 1, "RMSprop": 1, "Adadelta": 2,
             "Adam": 2, "Adam amsgrad": 3, "AdamW": 2, "Adamax": 2, "NAdam": 2, "RAdam": 2}
    return (n * n if name == "Newton" else table[name] * n) + 2 * n
'''},
}
EVERY = {"01_gradient_descent": ANSWERS, **OTHERS}
CASES = [(exercise, qid) for exercise, answers in EVERY.items() for qid in answers]
INTRO = {"cell_type": "markdown", "metadata": {}, "source": "# Exercises"}


def _setup(exercise):
    return ("import numpy as np\nfrom course_lib.grading import checker\n"
            f"check = checker({exercise!r})")


def _notebook(exercise="01_gradient_descent"):
    cells = [INTRO, {"cell_type": "code", "metadata": {}, "source": _setup(exercise),
                     "outputs": [], "execution_count": None}]
    for qid, source in EVERY[exercise].items():
        cells.append({"cell_type": "markdown", "metadata": {}, "source": f"## {qid}"})
        cells.append({"cell_type": "code", "metadata": {}, "source": source.strip(),
                      "outputs": [], "execution_count": None})
    cells.append({"cell_type": "code", "metadata": {}, "source":
                  "raise NotImplementedError('an ungraded task left as it was')", "outputs": [],
                  "execution_count": None})
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"course": {"exercise": exercise}}}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(the record of exercise 01, {(exercise, qid): batch result}, {(exercise, qid): check's})"""
    base = tmp_path_factory.mktemp("agreement")
    (base / "submissions").mkdir()
    for exercise in EVERY:
        (base / "submissions" / f"{exercise}.ipynb").write_text(json.dumps(_notebook(exercise)))
    limits = Limits(cell_seconds=SECONDS, total_seconds=90)
    with open(base / "progress.txt", "w") as progress:
        records = grade_all([base / "submissions"], base / "out", limits=limits, jobs=2,
                            progress=progress)
    batch = {(record["exercise"], result["id"]): result
             for record in records for result in record["questions"]}
    checked = {}
    saved, check_module.CALL_SECONDS = check_module.CALL_SECONDS, SECONDS
    try:
        for exercise, answers in EVERY.items():
            namespace = {}
            exec(_setup(exercise), namespace)
            check = checker(exercise)
            for qid, source in answers.items():
                exec(source, namespace)
                checked[exercise, qid] = check(qid, namespace[source.split("def ")[1]
                                                             .split("(")[0]])
    finally:
        check_module.CALL_SECONDS = saved
    record = next(r for r in records if r["exercise"] == "01_gradient_descent")
    return record, batch, checked


@pytest.mark.parametrize("key", CASES, ids=lambda key: "/".join(key))
def test_check_and_the_batch_grader_agree(both, key):
    _, batch, checked = both
    mine, theirs = checked[key], batch[key]
    assert theirs["score"] == pytest.approx(mine.score), (mine.report(), theirs)
    assert theirs["status"] == mine.status and theirs["cases"] == mine.cases
    assert theirs["mistake"] == mine.mistake and theirs["symptom"] == mine.symptom
    if key != ("01_gradient_descent", "q3"):  # the one right answer
        assert mine.score < theirs["points"]  # no wrong answer gets full marks, in either
        assert mine.mistake or mine.hint or "changed its inputs" in mine.cases or (
            "out of time" in mine.cases or mine.status == "error")
    assert "failing_case" not in theirs  # check only


def test_what_each_answer_is_told(both):
    _, every, everything = both
    batch = {qid: result for (exercise, qid), result in every.items()
             if exercise == "01_gradient_descent"}
    checked = {qid: result for (exercise, qid), result in everything.items()
               if exercise == "01_gradient_descent"}
    assert checked["q1"].cases == ["changed its inputs"] * 4
    assert "changed its input `X` in place" in batch["q1"]["details"][0]
    assert checked["q2"].cases == ["out of time"] * 4 and checked["q2"].score == 0
    assert "the time limit per call of q2" in batch["q2"]["details"][0]
    assert checked["q3"].score == 2  # a fixed h = 1e-5 answers q3 right
    assert "while t <= max_steps" in batch["q4"]["mistake"]
    assert "trace" in batch["q5"]["mistake"]
    assert "NameError: name 'undefined_name' is not defined" in batch["q6"]["details"][0]


def test_the_batch_grader_numbers_cells_as_a_learner_counts_them(both):
    record, every, _ = both
    batch = {qid: result for (exercise, qid), result in every.items()
             if exercise == "01_gradient_descent"}
    # The answer to q6 is the 14th cell of the notebook (markdown cells count too).
    assert batch["q6"]["details"][1] == ("  raised in your code at cell 14, line 3: "
                                         "return 2 / (lam[0] + lam[-1]), undefined_name")
    assert [cell["cell"] for cell in record["cells"]] == [2, 4, 6, 8, 10, 12, 14, 15]
    # The ungraded task left untouched (cell 15) is not an error.
    assert record["cells"][-1]["status"] == "not attempted"
    assert "errors in cells" not in record["status"], record["status"]


def test_both_stop_a_call_after_the_same_time():
    assert check_module.CALL_SECONDS == Limits().cell_seconds == 20.0
