"""Lesson 4's optimizer comparison with course_lib.optim: J(θ) = θ², θ₀ = 3, η = 0.01, 1000 steps.

SGD with momentum 0.9, Nesterov (momentum 0.9), Adagrad, Adam and RMSprop, PyTorch's
defaults otherwise. The lesson counts iterations from 0 (the loop index i of
``for i in range(1000)``), so "reaches |θ| < 0.01 at step 444" means after the 445th update.
"""

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.optim import SGD, Adagrad, Adam, RMSprop

OPTIMIZERS = {
    "momentum": lambda p: SGD(p, lr=0.01, momentum=0.9),
    "nesterov": lambda p: SGD(p, lr=0.01, momentum=0.9, nesterov=True),
    "adagrad": lambda p: Adagrad(p, lr=0.01),
    "rmsprop": lambda p: RMSprop(p, lr=0.01),
    "adam": lambda p: Adam(p, lr=0.01),
}


def trajectory(name):
    """θ after each of the 1000 updates (entry i: after iteration i, counting from 0)."""
    theta = Parameter([3.0])
    optimizer = OPTIMIZERS[name]([theta])
    path = []
    for _ in range(1000):
        theta.grad = 2 * theta.data                 # ∇J(θ) = 2θ
        optimizer.step()
        path.append(theta.data[0])
    return np.array(path)


def first_iteration_within(path, radius=0.01):
    return int(np.flatnonzero(np.abs(path) < radius)[0])


@pytest.mark.parametrize("name, lowest", [("momentum", -0.885), ("nesterov", -0.687)])
def test_momentum_methods_overshoot(name, lowest):
    assert trajectory(name).min() == pytest.approx(lowest, abs=5e-4)


def test_adagrad_is_very_slow():
    path = trajectory("adagrad")
    assert path[-1] == pytest.approx(2.406, abs=5e-4)
    assert np.all(np.abs(path) > 2.4)


@pytest.mark.parametrize("name, iteration", [("momentum", 36), ("rmsprop", 444), ("adam", 807)])
def test_when_each_method_reaches_the_optimum(name, iteration):
    assert first_iteration_within(trajectory(name)) == iteration
