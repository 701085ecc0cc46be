"""The one practice question of notebooks/00_start_here.ipynb."""

import numpy as np

from course_lib.grading.registry import Question, register


def gradient_of_square(theta):
    """g = ∇J(θ) = 2θ for J(θ) = θ², element by element."""
    return 2 * np.asarray(theta, dtype=float)


def _cases(rng):
    return [(rng.normal(scale=3.0, size=5),), (np.array([0.0, -1.5, 4.0]),),
            (rng.uniform(-2, 2, size=(2, 3)),)]


register(Question(
    exercise="00_start_here",
    id="q1",
    title="The gradient of J(θ) = θ²",
    points=1,
    function="gradient_of_square",
    inputs=_cases,
    reference=gradient_of_square,
    mistakes={
        "you returned J(θ) = θ², the value of the loss, not its gradient 2θ":
            lambda theta: np.asarray(theta) ** 2,
        "the factor 2 is missing: the derivative of θ² is 2θ":
            lambda theta: np.asarray(theta, dtype=float),
        "the sign is flipped: the gradient points uphill, +2θ; gradient descent subtracts it":
            lambda theta: -2 * np.asarray(theta, dtype=float),
    },
))
