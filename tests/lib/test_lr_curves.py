"""Schedules as curves: lr_curve reads a scheduler's η_t; warmup_cosine in closed form."""

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.lr_curves import lr_curve, warmup_cosine
from course_lib.optim import SGD
from course_lib.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, StepLR


def optimizer(lr=1.0):
    return SGD([Parameter(np.zeros(2))], lr=lr)


def test_lr_curve_reads_a_step_schedule():
    curve = lr_curve(StepLR(optimizer(0.1), step_size=3, gamma=0.5), 7)
    np.testing.assert_allclose(curve, [0.1] * 3 + [0.05] * 3 + [0.025], rtol=1e-12)


def test_lr_curve_reads_torch_cosine_annealing():
    curve = lr_curve(CosineAnnealingLR(optimizer(1.0), T_max=10, eta_min=0.1), 11)
    t = np.arange(11)
    np.testing.assert_allclose(curve, 0.1 + 0.45 * (1 + np.cos(np.pi * t / 10)), rtol=1e-12)


def test_warmup_cosine_landmarks():
    assert warmup_cosine(1, 0.4, 4, 20) == pytest.approx(0.1)      # η/T_w at t = 1
    assert warmup_cosine(4, 0.4, 4, 20) == pytest.approx(0.4)      # the peak at t = T_w
    assert warmup_cosine(12, 0.4, 4, 20, 0.04) == pytest.approx(0.22)  # half-way: the mean
    assert warmup_cosine(20, 0.4, 4, 20, 0.04) == pytest.approx(0.04)  # η_min at t = T


def test_warmup_cosine_as_a_lambda_schedule_for_an_optimizer():
    """LambdaLR's counter starts at 0 for the first step, so it takes t − 1."""
    total, warmup = 30, 5
    schedule = LambdaLR(optimizer(1.0), lambda e: warmup_cosine(e + 1, 1.0, warmup, total))
    curve = lr_curve(schedule, total)
    np.testing.assert_allclose(curve, warmup_cosine(np.arange(1, total + 1), 1.0, warmup, total),
                               rtol=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [((0, 1.0, 5, 10), "t must"), ((11, 1.0, 5, 10), "t must"), ((1, 1.0, 10, 10), "exceed"),
     ((1, 1.0, 0, 10), "warmup_steps"), ((1, 0.1, 2, 10, 0.5), "min_lr")],
)
def test_bad_schedule_arguments_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        warmup_cosine(*args)


def test_lr_curve_needs_a_positive_count():
    with pytest.raises(ValueError, match="num_steps"):
        lr_curve(StepLR(optimizer(), step_size=2), 0)
