"""The quadratic theory of lesson 3 (course_lib.quadratic_rates) against direct runs."""

import numpy as np
import pytest

from course_lib import quadratic_rates as q

# The curvatures of lesson 3's reference quadratic ½ Σ λᵢ θᵢ² (condition number κ = 100):
# gradient descent at η = 2/(λ_min + λ_max) converges at rate (κ − 1)/(κ + 1) ≈ 0.980, and
# the best momentum at rate (√κ − 1)/(√κ + 1) = 9/11 ≈ 0.818.
LAMBDAS = np.array([0.01, 0.1, 1.0])


def heavy_ball_distances(lam, eta, mu, steps):
    """‖θ_t‖ for v_t = μ v_{t−1} + g_t, θ_t = θ_{t−1} − η v_t on ½ Σ λᵢ θᵢ²."""
    theta, v = np.ones_like(lam), np.zeros_like(lam)
    out = [np.linalg.norm(theta)]
    for _ in range(steps):
        v = mu * v + lam * theta
        theta = theta - eta * v
        out.append(np.linalg.norm(theta))
    return np.array(out)


def test_r3_gradient_descent():
    eta = q.gd_optimal_eta(LAMBDAS)
    assert eta == pytest.approx(2 / 1.01)
    assert round(eta, 3) == 1.980
    assert q.gd_rate(LAMBDAS, eta) == pytest.approx(0.99 / 1.01)
    assert q.gd_optimal_rate(q.condition_number(LAMBDAS)) == pytest.approx(0.99 / 1.01)
    measured = q.measured_rate(heavy_ball_distances(LAMBDAS, eta, 0.0, 1000))
    assert round(measured, 2) == round(float(q.gd_rate(LAMBDAS, eta)), 2) == 0.98


def test_r3_momentum():
    eta, mu = q.momentum_optimal(LAMBDAS)
    assert round(eta, 3) == 3.306 and round(mu, 3) == 0.669
    assert q.momentum_rate(LAMBDAS, eta, mu) == pytest.approx(9 / 11)
    assert q.momentum_optimal_rate(100.0) == pytest.approx(9 / 11)
    measured = q.measured_rate(heavy_ball_distances(LAMBDAS, eta, mu, 1000))
    assert round(measured, 2) == round(9 / 11, 2) == 0.82


@pytest.mark.parametrize("eta, mu", [(0.5, 0.0), (1.5, 0.3), (2.5, 0.5), (3.0, 0.9), (0.2, 0.95)])
def test_theoretical_rate_matches_runs(eta, mu):
    theory = q.momentum_rate(LAMBDAS, eta, mu)
    measured = q.measured_rate(heavy_ball_distances(LAMBDAS, eta, mu, 3000), tail=0.3)
    assert measured == pytest.approx(theory, abs=2e-3)


def nesterov_distances(lam, eta, mu, steps):
    """‖θ_t‖ for torch's Nesterov: v_t = μ v_{t−1} + g_t, θ_t = θ_{t−1} − η (g_t + μ v_t)."""
    theta, v = np.ones_like(lam), np.zeros_like(lam)
    out = [np.linalg.norm(theta)]
    for _ in range(steps):
        g = lam * theta
        v = mu * v + g
        theta = theta - eta * (g + mu * v)
        out.append(np.linalg.norm(theta))
    return np.array(out)


@pytest.mark.parametrize("eta, mu", [(0.5, 0.5), (1.0, 0.9), (1.3, 0.2), (0.05, 0.95)])
def test_nesterov_rate_matches_runs(eta, mu):
    theory = q.nesterov_rate(LAMBDAS, eta, mu)
    measured = q.measured_rate(nesterov_distances(LAMBDAS, eta, mu, 3000), tail=0.3)
    assert measured == pytest.approx(theory, abs=2e-3)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_nesterov_stability_boundary(mu):
    limit = (2 + 2 * mu) / (1 + 2 * mu)   # for λ_max = 1
    assert q.nesterov_rate(LAMBDAS, limit * 0.999, mu) < 1
    assert q.nesterov_rate(LAMBDAS, limit * 1.001, mu) > 1
    np.testing.assert_allclose(q.nesterov_rate(LAMBDAS, 0.7, 0.0), q.gd_rate(LAMBDAS, 0.7))


def test_momentum_beats_gd_for_every_kappa():
    kappa = np.logspace(0.5, 4, 20)
    assert np.all(q.momentum_optimal_rate(kappa) < q.gd_optimal_rate(kappa))
    assert q.gd_optimal_rate(1.0) == 0.0 and q.momentum_optimal_rate(1.0) == 0.0


def test_optimal_momentum_is_the_minimum_over_a_grid():
    eta, mu = np.meshgrid(np.linspace(0.05, 3.9, 300), np.linspace(0.0, 0.95, 300))
    rates = q.momentum_rate(LAMBDAS, eta, mu)
    assert rates.shape == eta.shape
    assert rates.min() >= 9 / 11 - 1e-12
    assert rates.min() == pytest.approx(9 / 11, abs=5e-3)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_stability_boundary(mu):
    limit = q.largest_stable_eta(LAMBDAS, mu)
    assert limit == pytest.approx(2 + 2 * mu)
    assert q.momentum_rate(LAMBDAS, limit * 0.999, mu) < 1
    assert q.momentum_rate(LAMBDAS, limit * 1.001, mu) > 1
    assert q.momentum_rate(LAMBDAS, limit, mu) == pytest.approx(1.0)


def test_gd_rate_is_momentum_rate_at_zero_momentum():
    eta = np.linspace(0.1, 2.5, 7)
    expected = np.max(np.abs(1 - eta[:, None] * LAMBDAS), axis=1)
    np.testing.assert_allclose(q.gd_rate(LAMBDAS, eta), expected, rtol=1e-12)


def test_measured_rate_of_a_geometric_sequence():
    assert q.measured_rate(0.7 ** np.arange(50)) == pytest.approx(0.7)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: q.condition_number([1.0, -2.0]), "> 0"),
        (lambda: q.condition_number([]), "non-empty"),
        (lambda: q.gd_optimal_eta([[1.0, 2.0]]), "1-D"),
        (lambda: q.momentum_rate(LAMBDAS, 1.0, 1.0), r"\[0, 1\)"),
        (lambda: q.momentum_rate(LAMBDAS, -1.0, 0.5), "η"),
        (lambda: q.nesterov_rate(LAMBDAS, 0.5, 1.2), r"\[0, 1\)"),
        (lambda: q.largest_stable_eta(LAMBDAS, -0.1), "μ"),
        (lambda: q.gd_optimal_rate(0.5), "κ"),
        (lambda: q.measured_rate([1.0, 0.5]), "at least 3"),
        (lambda: q.measured_rate([1.0, 0.5, 0.0]), "> 0"),
        (lambda: q.measured_rate([1.0, 0.5, 0.2], tail=1.5), "tail"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
