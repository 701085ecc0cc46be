"""The learning-rate range test: geometric η grid, early stop on divergence, the suggestion."""

import numpy as np
import pytest

from course_lib.lr_finder import lr_range_test, range_test_lrs, suggest_lr


def test_lrs_are_geometric_from_min_to_max():
    lrs = range_test_lrs(1e-4, 1.0, 5)
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [((0.0, 1.0, 5), "lr_min"), ((1.0, 0.1, 5), "larger"), ((1e-3, 1.0, 1), "num_steps")],
)
def test_bad_range_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        range_test_lrs(*args)


def quadratic_step(curvature):
    """One gradient step on J(θ) = ½ λ θ² from the current θ, which the closure keeps."""
    theta = [1.0]

    def step(lr):
        theta[0] -= lr * curvature * theta[0]
        return 0.5 * curvature * theta[0] ** 2

    return step


def test_range_test_on_a_quadratic_matches_the_closed_form():
    lrs, losses = lr_range_test(quadratic_step(2.0), 1e-3, 10.0, 9)
    theta = np.cumprod(1 - 2.0 * lrs)  # θ_k = Π (1 − η_j λ)
    np.testing.assert_allclose(losses, 0.5 * 2.0 * theta**2, rtol=1e-12)


def test_stop_factor_ends_the_test_once_the_loss_explodes():
    lrs, losses = lr_range_test(quadratic_step(2.0), 1e-3, 100.0, 30, stop_factor=4.0)
    assert len(lrs) == len(losses) < 30
    assert losses[-1] > 4.0 * losses[:-1].min()
    assert np.all(losses[:-1] <= 4.0 * np.minimum.accumulate(losses[:-1]))


def test_suggestion_is_a_tenth_of_the_best_lr_and_skips_nan():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    losses = np.array([2.0, 1.5, 0.4, 0.9, np.nan])
    assert suggest_lr(lrs, losses) == pytest.approx(1e-2)
    with pytest.raises(ValueError, match="same"):
        suggest_lr(lrs, losses[:3])
    with pytest.raises(ValueError, match="NaN"):
        suggest_lr(lrs, np.full(5, np.nan))
