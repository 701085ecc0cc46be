"""Gradient descent and momentum on a quadratic: the theory of lessons 1 and 3.

On J(θ) = ½ Σᵢ λᵢ θᵢ² (any quadratic, written in the eigenbasis of its
Hessian) every coordinate evolves on its own, so the whole behaviour of an
optimizer is decided by the curvatures λᵢ > 0. Write λ_min and λ_max for the
smallest and largest curvature (elsewhere called μ and L; here μ is the
momentum) and κ = λ_max / λ_min for the condition number.

Steps are counted as in PyTorch: step t = 1, 2, … takes the gradient
g_t = ∇J(θ_{t−1}) at the current point and produces θ_t, starting from θ₀.

- Gradient descent, θ_t = θ_{t−1} − η g_t, multiplies coordinate i by
  (1 − ηλᵢ) at every step.
- Momentum (heavy ball, PyTorch convention) v_t = μ v_{t−1} + g_t,
  θ_t = θ_{t−1} − η v_t (v₀ = 0), gives θ_{t+1} = (1 + μ − ηλᵢ) θ_t − μ θ_{t−1}
  per coordinate: a linear recurrence whose characteristic polynomial is
  z² − (1 + μ − ηλᵢ) z + μ.
- Nesterov momentum gives θ_{t+1} = (1 − ηλᵢ)((1 + μ) θ_t − μ θ_{t−1}),
  with characteristic polynomial z² − (1 + μ)(1 − ηλᵢ) z + μ(1 − ηλᵢ).

The convergence rate is the factor by which the distance to the minimum
shrinks per step in the long run: the largest modulus of those roots over
all i (the spectral radius of the iteration). A rate below 1 means
convergence; above 1, divergence. The loss above the minimum, J − J*, is
quadratic in the distance, so it shrinks like rate² per step.

Every function below broadcasts over arrays of η and μ, so a whole (η, μ)
grid is evaluated at once.
"""

import numpy as np

__all__ = [
    "condition_number",
    "gd_optimal_eta",
    "gd_optimal_rate",
    "gd_rate",
    "largest_stable_eta",
    "measured_rate",
    "momentum_optimal",
    "momentum_optimal_rate",
    "momentum_rate",
    "nesterov_rate",
]


def _curvatures(eigenvalues):
    """The curvatures λᵢ as a 1-D float array; all must be finite and > 0."""
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim == 0:
        lam = lam.reshape(1)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(
            f"eigenvalues must be a non-empty 1-D sequence of curvatures, got shape {lam.shape}"
        )
    if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"eigenvalues must be finite and > 0 (a convex quadratic), got {lam}")
    return lam


def _check_kappa(kappa):
    kappa = np.asarray(kappa, dtype=float)
    if np.any(~np.isfinite(kappa)) or np.any(kappa < 1):
        raise ValueError(f"the condition number κ must be finite and >= 1, got {kappa}")
    return kappa


def _check_eta_mu(eta, mu):
    eta = np.asarray(eta, dtype=float)
    bad_eta = ~np.isfinite(eta) | (eta <= 0)
    if np.any(bad_eta):
        raise ValueError(f"the learning rate η must be finite and > 0, got {eta[bad_eta].flat[0]}")
    return eta, _check_mu(mu)


def _check_mu(mu):
    mu = np.asarray(mu, dtype=float)
    bad = ~np.isfinite(mu) | (mu < 0) | (mu >= 1)
    if np.any(bad):
        raise ValueError(f"the momentum μ must lie in [0, 1), got {mu[bad].flat[0]}")
    return mu


def condition_number(eigenvalues):
    """κ = λ_max / λ_min, the ratio of the largest to the smallest curvature.

    Introduced in lesson 1.
    """
    lam = _curvatures(eigenvalues)
    return lam.max() / lam.min()


def gd_rate(eigenvalues, eta):
    """Rate of gradient descent at learning rate η: max_i |1 − ηλᵢ|.

    Below 1 exactly when 0 < η < 2/λ_max. ``eta`` may be an array.

    Introduced in lesson 1.
    """
    return momentum_rate(eigenvalues, eta, 0.0)


def gd_optimal_eta(eigenvalues):
    """The η minimising the rate of gradient descent: η* = 2 / (λ_min + λ_max).

    At η* the slowest and the fastest coordinate shrink by the same factor,
    (κ − 1)/(κ + 1), one of them flipping sign at every step.

    Introduced in lesson 1.
    """
    lam = _curvatures(eigenvalues)
    return 2.0 / (lam.min() + lam.max())


def gd_optimal_rate(kappa):
    """Rate of gradient descent at its best η: (κ − 1)/(κ + 1).

    Introduced in lesson 1.
    """
    kappa = _check_kappa(kappa)
    return (kappa - 1) / (kappa + 1)


def momentum_rate(eigenvalues, eta, mu):
    """Rate of momentum (heavy ball) at learning rate η and momentum μ.

    For each curvature λ the iteration θ_{t+1} = (1 + μ − ηλ) θ_t − μ θ_{t−1}
    has the characteristic roots of z² − (1 + μ − ηλ) z + μ. The rate is the
    largest |z| over both roots and all curvatures. When the roots are
    complex, |z| = √μ: the coordinate spirals in while oscillating.

    ``eta`` and ``mu`` broadcast against each other (e.g. a meshgrid); the
    result has their broadcast shape.

    Introduced in lesson 3.
    """
    lam = _curvatures(eigenvalues)
    eta, mu = np.broadcast_arrays(*_check_eta_mu(eta, mu))
    h = eta[..., None] * lam                      # ηλ, one trailing axis per curvature
    mu = mu[..., None]
    return _largest_root(1.0 + mu - h, mu)


def nesterov_rate(eigenvalues, eta, mu):
    """Rate of Nesterov momentum at learning rate η and momentum μ.

    Per curvature, θ_{t+1} = (1 − ηλ)((1 + μ) θ_t − μ θ_{t−1}): the roots of
    z² − (1 + μ)(1 − ηλ) z + μ(1 − ηλ). Stable exactly for
    0 < ηλ < (2 + 2μ)/(1 + 2μ), a narrower range than the heavy ball's.
    Broadcasts over ``eta`` and ``mu`` like ``momentum_rate``.

    Introduced in lesson 3.
    """
    lam = _curvatures(eigenvalues)
    eta, mu = np.broadcast_arrays(*_check_eta_mu(eta, mu))
    shrink = 1.0 - eta[..., None] * lam           # 1 − ηλ
    mu = mu[..., None]
    return _largest_root((1.0 + mu) * shrink, mu * shrink)


def _largest_root(b, c):
    """max over the last axis of the largest |z| with z² − b z + c = 0 (b, c real arrays)."""
    root = np.sqrt((b * b - 4.0 * c).astype(complex))
    return (np.maximum(np.abs(b + root), np.abs(b - root)) / 2.0).max(axis=-1)


def momentum_optimal(eigenvalues):
    """The (η, μ) minimising the rate of momentum on the quadratic.

    η* = (2 / (√λ_max + √λ_min))²  and  μ* = ((√κ − 1)/(√κ + 1))²
    (Polyak's heavy ball; for λ = (0.01, 0.1, 1): η* ≈ 3.306, μ* ≈ 0.669).

    Introduced in lesson 3.
    """
    lam = _curvatures(eigenvalues)
    low, high = np.sqrt(lam.min()), np.sqrt(lam.max())
    eta = (2.0 / (high + low)) ** 2
    mu = ((high - low) / (high + low)) ** 2
    return float(eta), float(mu)


def momentum_optimal_rate(kappa):
    """Rate of momentum at its best (η, μ): (√κ − 1)/(√κ + 1) = √μ*.

    Introduced in lesson 3.
    """
    root = np.sqrt(_check_kappa(kappa))
    return (root - 1) / (root + 1)


def largest_stable_eta(eigenvalues, mu=0.0):
    """Supremum of stable learning rates: η < (2 + 2μ) / λ_max.

    The iteration converges exactly when 0 < ηλᵢ < 2 + 2μ for every i
    (with 0 <= μ < 1); μ = 0 gives gradient descent's limit 2/λ_max.

    Introduced in lesson 1 (η < 2/λ_max); the momentum case in lesson 3.
    """
    lam = _curvatures(eigenvalues)
    return (2.0 + 2.0 * _check_mu(mu)) / lam.max()


def measured_rate(distances, tail=0.5):
    """Measured rate of a run from its distances to the minimum ‖θ_t − θ*‖.

    The geometric mean of the per-step ratios over the last ``tail`` fraction
    of the run: (d_T / d_s)^(1/(T − s)), with s the first step of the tail.
    Starting late lets the fast modes die out, so what remains is the rate.

    Introduced in lesson 1.
    """
    d = np.asarray(distances, dtype=float)
    if d.ndim != 1 or d.size < 3:
        raise ValueError(
            f"distances must be a 1-D sequence of at least 3 values, got shape {d.shape}"
        )
    if not 0 < tail < 1:
        raise ValueError(f"tail must be a fraction in (0, 1), got {tail}")
    if np.any(~np.isfinite(d)) or np.any(d <= 0):
        raise ValueError("distances must be finite and > 0 (stop the run before it reaches 0)")
    start = round((d.size - 1) * (1 - tail))
    steps = d.size - 1 - start
    return float((d[-1] / d[start]) ** (1.0 / steps))
