"""The wrong answers a new learner gave, each written as they wrote it, through ``check``.

Each must lose points, get a named mistake that describes what it does or a hint
pointing at it, and never a message naming a mistake it did not make. Then the
debugging aids: the learner's own line on an exception, the failing case to re-run,
the time limit, the type policy, parameters in the wrong order.
"""

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from learner_answers import (
    GRADIENT_DESCENT_ONE_STEP_TOO_MANY,
    function_from_source,
    log_cosh_central_difference,
)

from course_lib.grading import check as check_module
from course_lib.grading import checker, registry
from course_lib.grading.grade import CALL_SECONDS


def run(exercise, qid, answer):
    result = checker(exercise)(qid, answer)
    question = registry.question(exercise, qid)
    assert result.score < question.points, result.report()
    assert result.mistake or result.hint, result.report()
    return result


# ---------------------------------------------------------------- conceptual slips
def test_the_whole_other_momentum_convention_is_named():
    def convention_a_for_b(theta, g, v, lr, mu):
        v_new = mu * v + lr * g
        return theta - v_new, v_new

    def convention_b_for_a(theta, g, v, lr, gamma):
        v_new = gamma * v + g
        return theta - lr * v_new, v_new

    result = run("03_momentum_and_nesterov", "q1", convention_a_for_b)
    assert "whole textbook convention (a)" in result.mistake
    result = run("03_momentum_and_nesterov", "q2", convention_b_for_a)
    assert "whole PyTorch convention (b)" in result.mistake


def test_nesterov_in_pytorchs_phi_form_is_named():
    def phi_form(theta, v, A, b, lr, gamma):
        g = A @ theta - b
        v_new = gamma * v + lr * g
        return theta - (gamma * v_new + lr * g), v_new

    assert "PyTorch's form of Nesterov" in run("03_momentum_and_nesterov", "q3", phi_form).mistake


def test_a_plain_sign_flip_of_the_update_gets_a_pointed_hint():
    def uphill(theta, g, v, lr, mu):
        v_new = mu * v + g
        return theta + lr * v_new, v_new

    result = run("03_momentum_and_nesterov", "q1", uphill)
    assert result.mistake is None and result.symptom == "step"
    assert "opposite direction" in result.hint

    def decay_grows(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        theta = theta * (1 + lr * weight_decay)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    assert "(1 + ηλ)" in run("04_adaptive_learning_rates", "q4", decay_grows).mistake


def _adam(theta, g, m, v, t, lr, beta1, beta2, eps, *, m_factor=True, correct_m=True,
          correct_v=True, swapped=False, eps_inside=False, efficient=False):
    if swapped:
        m, v = (1 - beta1) * m + beta1 * g, (1 - beta2) * v + beta2 * g**2
    else:
        m = beta1 * m + ((1 - beta1) if m_factor else 1) * g
        v = beta2 * v + (1 - beta2) * g**2
    if efficient:
        step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps)
        return theta - step, m, v
    m_hat = m / (1 - beta1**t) if correct_m else m
    v_hat = v / (1 - beta2**t) if correct_v else v
    denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return theta - lr * m_hat / denominator, m, v


@pytest.mark.parametrize("slip, words", [
    (dict(m_factor=False), "(1 − β₁) factor is missing"),
    (dict(correct_m=False), "only v is bias-corrected"),
    (dict(swapped=True), "decays are on the wrong terms"),
    (dict(efficient=True), "'efficient' form"),
    (dict(correct_m=False, correct_v=False, eps_inside=True), "two slips"),
])
def test_adams_slips_are_named(slip, words):
    def answer(theta, g, m, v, t, lr, beta1, beta2, eps):
        return _adam(theta, g, m, v, t, lr, beta1, beta2, eps, **slip)

    assert words in run("04_adaptive_learning_rates", "q3", answer).mistake


ARRAYS_PER_PARAMETER = {"SGD": 0, "Momentum": 1, "Nesterov": 1, "Adagrad": 1, "RMSprop": 1,
                        "Adadelta": 2, "Adam": 2, "Adam amsgrad": 3, "AdamW": 2, "Adamax": 2,
                        "NAdam": 2, "RAdam": 2}


def optimizer_state_size(name, n):  # a learner's right answer
    return n * n if name == "Newton" else ARRAYS_PER_PARAMETER[name] * n


def test_counting_theta_and_g_in_the_state_is_named():
    assert checker("06_choosing_an_optimizer")("q4", optimizer_state_size).status == "passed"

    def with_theta_and_g(name, n):
        return optimizer_state_size(name, n) + 2 * n

    assert "θ and its gradient g too" in run("06_choosing_an_optimizer", "q4",
                                              with_theta_and_g).mistake


def test_an_extra_update_from_while_t_at_most_max_steps_shows_t_too():
    gradient_descent = function_from_source(GRADIENT_DESCENT_ONE_STEP_TOO_MANY)
    result = run("01_gradient_descent", "q4", gradient_descent)
    assert "while t <= max_steps" in result.mistake
    assert "element 1 of the result" in result.details[0]  # t is shown beside θ


KEEPS_A_STEP_COUNTER = {"Adagrad", "RMSprop", "Adadelta", "Adam", "Adam amsgrad", "AdamW",
                        "Adamax", "NAdam", "RAdam"}  # PyTorch's state["step"]


@pytest.mark.parametrize("counted, words", [
    (KEEPS_A_STEP_COUNTER, "the step counter t is one number"),
    (KEEPS_A_STEP_COUNTER | {"Momentum", "Nesterov"}, "SGD with momentum keeps none"),
    (KEEPS_A_STEP_COUNTER | {"SGD", "Momentum", "Nesterov"}, "plain SGD keeps none"),
])
def test_counting_the_step_counter_is_named_not_told_off_by_one(counted, words):
    def with_t(name, n):
        return optimizer_state_size(name, n) + (name in counted)

    result = run("06_choosing_an_optimizer", "q4", with_t)
    assert words in result.mistake and "where your counter starts" not in result.report()


def test_forgetting_the_momentum_buffer_is_named():
    def no_velocity(name, n):
        return 0 if name in ("Momentum", "Nesterov") else optimizer_state_size(name, n)

    assert "momentum_buffer" in run("06_choosing_an_optimizer", "q4", no_velocity).mistake


@pytest.mark.parametrize("bytes_per_float", [4, 8])
def test_bytes_instead_of_floats_is_named(bytes_per_float):
    result = run("06_choosing_an_optimizer", "q4",
                 lambda name, n: bytes_per_float * optimizer_state_size(name, n))
    assert f"you returned bytes ({bytes_per_float} per float" in result.mistake


def test_floats_per_parameter_instead_of_for_n_is_named():
    result = run("06_choosing_an_optimizer", "q4", lambda name, n: (
        n * n if name == "Newton" else ARRAYS_PER_PARAMETER[name]))
    assert "floats per parameter" in result.mistake


def test_building_a_course_optimizer_to_count_its_state_scores_zero():
    from course_lib import optim
    from course_lib.parameter import Parameter

    def from_the_state(name, n):
        if name == "Newton":
            return n * n
        theta = Parameter(np.zeros(n))
        optimizer = optim.Adam([theta], lr=0.1, amsgrad=name == "Adam amsgrad")
        theta.grad = np.ones(n)
        optimizer.step()
        return sum(np.size(value) for value in optimizer.state[theta].values()
                   if np.shape(value) == (n,))

    result = checker("06_choosing_an_optimizer")("q4", from_the_state)
    assert result.status == "forbidden" and "course_lib.optim" in result.report()


def test_a_summed_loss_in_the_range_test_is_named():
    def with_sum(X, y, lr_min, lr_max, num_steps):
        theta, losses = np.zeros(X.shape[1]), []
        for lr in np.geomspace(lr_min, lr_max, num_steps):
            theta = theta - lr * 2 * X.T @ (X @ theta - y) / len(y)
            losses.append(np.sum((X @ theta - y) ** 2))
        return losses

    assert "np.mean, not np.sum" in run("06_choosing_an_optimizer", "q2", with_sum).mistake


def test_returning_the_index_of_the_best_loss_is_named():
    def index(lrs, losses):
        return np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))

    assert "the index of the lowest loss" in run("06_choosing_an_optimizer", "q3", index).mistake


# ---------------------------------------------------------------- messages that accused wrongly
def test_a_hard_coded_h_is_not_told_it_returned_the_exact_gradient():
    fixed_h = function_from_source(
        log_cosh_central_difference("central_difference", "X, y, theta, h", 1e-2))
    result = run("01_gradient_descent", "q2", fixed_h)
    assert result.mistake is None and "right when `h` = 0.01" in result.hint


def test_two_over_the_trace_is_not_told_it_is_the_best_learning_rate():
    result = run("01_gradient_descent", "q5", lambda A: 2 / np.trace(A))
    assert "best learning rate" not in result.mistake and "trace" in result.mistake


def test_the_remainder_is_not_told_it_ignores_step_size():
    result = run("02_stochastic_and_minibatch_gd", "q4",
                 lambda lr0, gamma, step_size, epoch: lr0 * gamma ** (epoch % step_size))
    assert "ignores step_size" not in result.mistake and "remainder" in result.mistake


def test_rounding_up_is_told_how_early_it_decays():
    result = run(
        "02_stochastic_and_minibatch_gd", "q4",
        lambda lr0, gamma, step_size, epoch: lr0 * gamma ** int(np.ceil(epoch / step_size)))
    assert ("one epoch early" not in result.mistake
            and "step_size − 1 epochs early" in result.mistake)


@pytest.mark.parametrize("name, size", [("AdamW", 3), ("RMSprop", 2)])
def test_one_wrong_count_is_not_told_it_counted_theta(name, size):
    def answer(optimizer, n):
        return size * n if optimizer == name else optimizer_state_size(optimizer, n)

    result = run("06_choosing_an_optimizer", "q4", answer)
    assert result.mistake is None and f"wrong only when `name` = {name!r}" in result.hint


# ---------------------------------------------------------------- stated rules
def _momentum_in_place(theta, g, v, lr, mu):
    v *= mu
    v += g
    theta -= lr * v
    return theta, v


def _adagrad_in_place(theta, g, G, lr, eps):
    G += g**2
    theta -= lr * g / (np.sqrt(G) + eps)
    return theta, G


def _sgd_in_place(X, y, theta0, lr, batch_size, epochs, seed):
    rng, theta = np.random.default_rng(seed), theta0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            theta -= lr * X[batch].T @ (X[batch] @ theta - y[batch]) / len(batch)
    return theta


def _clip_in_place(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    for g in grads:
        g *= min(1.0, max_norm / total)
    return grads


def _gradient_in_place(X, y, theta):
    X /= len(y)  # divides the caller's X
    return X.T @ (X @ theta - y) * len(y)


@pytest.mark.parametrize("exercise, qid, answer", [
    ("01_gradient_descent", "q1", _gradient_in_place),
    ("03_momentum_and_nesterov", "q1", _momentum_in_place),
    ("04_adaptive_learning_rates", "q1", _adagrad_in_place),
    ("02_stochastic_and_minibatch_gd", "q2", _sgd_in_place),
    ("05_gradient_diagnostics", "q2", _clip_in_place),
], ids=lambda value: getattr(value, "__name__", value))
def test_answers_that_change_their_inputs_lose_those_cases(exercise, qid, answer):
    result = checker(exercise)(qid, answer)
    assert result.score < registry.question(exercise, qid).points
    assert "changed its inputs" in result.cases and "in place" in " ".join(result.details)


def test_a_strict_threshold_and_non_monotone_norms_are_tested():
    at_most = run("05_gradient_diagnostics", "q4", lambda norms, ratio: [
        i for i in range(len(norms) - 1) if norms[i] <= ratio * norms[-1]])
    assert "strict" in at_most.mistake

    def monotone(norms, ratio):
        layers = []
        for i in range(len(norms) - 1):
            if norms[i] >= ratio * norms[-1]:
                break
            layers.append(i)
        return layers

    assert "need not grow" in run("05_gradient_diagnostics", "q4", monotone).mistake


def test_nan_losses_dropped_without_their_learning_rates_are_named():
    def misaligned(lrs, losses):
        kept = losses[np.isfinite(losses)]
        return lrs[np.argmin(kept)] / 10

    assert "line up" in run("06_choosing_an_optimizer", "q3", misaligned).mistake


# ---------------------------------------------------------------- debugging
def test_an_exception_shows_the_learners_own_line():
    def swapped_matmul(X, y, theta):
        residual = theta @ X - y  # the learner's bug
        return X.T @ residual / len(y)

    result = checker("01_gradient_descent")("q1", swapped_matmul)
    assert result.status == "error" and "ValueError" in result.details[0]
    where = result.details[1]
    assert "raised in your code at" in where and "residual = theta @ X - y" in where
    assert "test_grading_wrong_answers.py" in where and "grade.py" not in where


def test_in_a_notebook_the_line_is_named_by_its_cell():
    code = textwrap.dedent('''
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        for cell in ("from course_lib.grading import checker",
                     "check = checker('01_gradient_descent')",
                     "def least_squares_gradient(X, y, theta):\\n"
                     "    n = len(y)\\n"
                     "    return X.T @ (theta @ X - y) / n",
                     "result = check('q1', least_squares_gradient)"):
            shell.run_cell(cell, store_history=True)  # numbered In[1] … as in JupyterLab
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120).stdout
    assert "raised in your code at Cell In[3], line 3: return X.T @ (theta @ X - y) / n" in out


def test_the_failing_case_can_be_re_run():
    def wrong(X, y, theta):
        return X.T @ (X @ theta - y)

    result = checker("01_gradient_descent")("q1", wrong)
    case = result.failing_case
    assert case.number == 1 and "failing_case" in result.report()
    assert np.allclose(case.call(wrong), case.got)
    reference = registry.question("01_gradient_descent", "q1").reference
    assert np.allclose(reference(*case.args), case.expected)
    assert "failing_case" not in result.to_dict()  # never in the batch grader's records


def test_a_slow_answer_is_stopped_at_the_batch_graders_limit(monkeypatch):
    from course_grader.sandbox import Limits

    assert CALL_SECONDS == Limits().cell_seconds == check_module.CALL_SECONDS
    monkeypatch.setattr(check_module, "CALL_SECONDS", 0.3)

    def sleepy(X, y, theta):
        time.sleep(25)
        return X.T @ (X @ theta - y) / len(y)

    start = time.monotonic()
    result = checker("01_gradient_descent")("q1", sleepy)
    assert time.monotonic() - start < 10
    assert result.score == 0 and result.cases == ["out of time"] * 4
    assert ("longer than 0.3 s, the time limit per call of q1 (check and the batch"
            in result.details[0])


def test_parameters_in_another_order_are_named():
    def gradient(theta, X, y):
        return X.T @ (X @ theta - y) / len(y)

    result = checker("01_gradient_descent")("q1", gradient)
    assert result.details[0] == ("Your function's parameters are (theta, X, y), but it is called "
                                 "as least_squares_gradient(X, y, theta): put them in that order.")

    def renamed(theta, data, targets):
        return data.T @ (data @ theta - targets) / len(targets)

    result = checker("01_gradient_descent")("q1", renamed)
    assert result.status == "error" and result.details[0] == (
        "Your function is called as least_squares_gradient(X, y, theta), in that order: your "
        "parameters (theta, data, targets) receive X, y, theta respectively.")


# ---------------------------------------------------------------- the type policy
def test_the_type_policy_holds_everywhere():
    def best_lr_and_rate(A):
        lam = np.linalg.eigvalsh(A)
        return 2 / (lam[0] + lam[-1]), (lam[-1] - lam[0]) / (lam[-1] + lam[0])

    def vanishing_layers(norms, ratio):
        return [i for i in range(len(norms) - 1) if norms[i] < ratio * norms[-1]]

    ex1, ex5 = checker("01_gradient_descent"), checker("05_gradient_diagnostics")
    assert ex1("q6", lambda A: np.array(best_lr_and_rate(A))).status == "passed"  # array for tuple
    assert ex5("q4", lambda norms, ratio: np.where(
        np.asarray(norms)[:-1] < ratio * norms[-1])[0]).status == "passed"  # array for a list
    assert ex5("q4", lambda norms, ratio: tuple(vanishing_layers(norms, ratio))).status == "passed"
    float32 = ex1("q1", lambda X, y, theta: (X.T @ (X @ theta - y) / len(y)).astype(np.float32))
    assert float32.status == "passed"
    assert ex1("q1", lambda X, y, theta: list(X.T @ (X @ theta - y) / len(y))).status == "passed"
    one_element = ex1("q5", lambda A: np.array([2 / np.linalg.eigvalsh(A).max()]))
    assert one_element.score == 0 and "expected a number" in one_element.details[0]


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_every_exercise_states_the_type_policy_and_the_rules(folder):
    import json
    from pathlib import Path

    notebooks = sorted((Path(__file__).resolve().parents[3] / folder).glob("0[1-6]_*.ipynb"))
    assert len(notebooks) == 6
    for notebook in notebooks:
        intro = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
        for words in ("What your functions may return", "Never modify the inputs", "failing_case",
                      "at most 20 s", "float32"):
            assert words in intro, (notebook.name, words)
