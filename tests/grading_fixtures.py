"""A tiny test-only exercise, "zz_grading_selftest", for the grader's own tests.

q1 asks for one gradient-descent step, q2 for a pair of summary numbers,
q3 for κ = λ_max/λ_min without calling course_lib.quadratic_rates.condition_number.
"""

import numpy as np

from course_lib.grading.registry import Question, register
from course_lib.quadratic_rates import condition_number

EXERCISE = "zz_grading_selftest"


def gd_step(theta, g, lr):
    """θ − η g."""
    return theta - lr * g


def _step_cases(rng):
    return [(rng.normal(size=4), rng.normal(size=4), float(rng.uniform(0.01, 1))) for _ in range(4)]


def summary(values):
    """(mean, largest |value|) of an array."""
    return float(np.mean(values)), float(np.max(np.abs(values)))


def _summary_cases(rng):
    return [{"values": rng.normal(size=int(n))} for n in rng.integers(3, 9, size=3)]


def _kappa_cases(rng):
    return [(rng.uniform(0.1, 10, size=3),) for _ in range(3)]


Q1 = register(Question(
    exercise=EXERCISE, id="q1", title="One gradient-descent step", points=2,
    function="gd_step", inputs=_step_cases, reference=gd_step, rtol=1e-9, atol=1e-12,
    mistakes={"you added η g: gradient descent moves against the gradient":
              lambda theta, g, lr: theta + lr * g},
))
Q2 = register(Question(
    exercise=EXERCISE, id="q2", title="Mean and largest magnitude", points=1,
    function="summary", inputs=_summary_cases, reference=summary,
))
Q3 = register(Question(
    exercise=EXERCISE, id="q3", title="The condition number κ", points=1,
    function="kappa", inputs=_kappa_cases, reference=condition_number,
    forbidden=(condition_number,),
))
