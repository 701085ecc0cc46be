"""Exercise 01, gradient descent: the questions, their references and the known mistakes.

The losses of the exercise, with X of shape (n, d), y of shape (n,) and θ of shape (d,):

- least squares  J(θ) = 1/(2n) ‖Xθ − y‖²,            ∇J(θ) = (1/n) Xᵀ(Xθ − y);
- log-cosh       J(θ) = (1/n) Σᵢ log cosh(xᵢᵀθ − yᵢ), ∇J(θ) = (1/n) Xᵀ tanh(Xθ − y);
- a quadratic    J(θ) = ½ θᵀAθ − bᵀθ,                 ∇J(θ) = Aθ − b  (A symmetric pos. definite).

The quadratic's learning rates come from ``course_lib.quadratic_rates``.
"""

import numpy as np

from course_lib import gradcheck, quadratic_rates
from course_lib.grading.registry import Mutant, Question, register

EXERCISE = "01_gradient_descent"


# ------------------------------------------------------------------ q1: analytic gradient
def least_squares_gradient(X, y, theta):
    """∇J(θ) = (1/n) Xᵀ(Xθ − y) for J(θ) = 1/(2n) ‖Xθ − y‖²."""
    return X.T @ (X @ theta - y) / len(y)


def _regression_cases(rng):
    cases = []
    for n, d in [(20, 3), (7, 5), (50, 1), (12, 2)]:
        X, y, theta = rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)
        cases.append((X, y, theta))
    return cases


def _twice(X, y, theta):
    return 2 * X.T @ (X @ theta - y) / len(y)


def _no_mean(X, y, theta):
    return X.T @ (X @ theta - y)


def _flipped_sign(X, y, theta):
    return X.T @ (y - X @ theta) / len(y)


def _divided_by_d(X, y, theta):
    return X.T @ (X @ theta - y) / X.shape[1]


def _without_y(X, y, theta):
    return X.T @ (X @ theta) / len(y)


def _squared_residual(X, y, theta):
    return X.T @ (X @ theta - y) ** 2 / len(y)


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="Analytic gradient of the least-squares loss",
    points=2,
    function="least_squares_gradient",
    inputs=_regression_cases,
    reference=least_squares_gradient,
    rtol=1e-9,
    mistakes={
        "your gradient is twice the right one: the ½ in J(θ) = 1/(2n)‖Xθ − y‖² cancels the 2 "
        "that comes from differentiating the square": _twice,
        "the 1/n is missing: J is a mean over the n examples, so its gradient is a mean too":
            _no_mean,
        "the sign is flipped: the residual is prediction minus target, Xθ − y, and ∇J points "
        "uphill": _flipped_sign,
        "you divided by d (the number of features, X.shape[1]) instead of n (the number of "
        "examples, len(y))": _divided_by_d,
        "y is missing: the residual is Xθ − y, so ∇J = (1/n) Xᵀ(Xθ − y)": _without_y,
        "the residual is squared: differentiating ½(Xθ − y)² leaves the residual itself, "
        "∇J = (1/n) Xᵀ(Xθ − y)": _squared_residual,
    },
    mutants=(
        Mutant("y dropped from the residual", _without_y),
        Mutant("the residual squared inside the gradient", _squared_residual),
    ),
    forbidden=(least_squares_gradient,),
))


# ------------------------------------------------------------------ q2, q3: finite differences
def logcosh_loss(X, y, theta):
    """J(θ) = (1/n) Σᵢ log cosh(xᵢᵀθ − yᵢ): squared error near 0, absolute error far from it."""
    return np.mean(np.log(np.cosh(X @ theta - y)))


def central_difference(X, y, theta, h):
    """(J(θ + h eᵢ) − J(θ − h eᵢ)) / 2h for every coordinate i, J the log-cosh loss."""
    return gradcheck.numerical_gradient(lambda t: logcosh_loss(X, y, t),
                                        np.array(theta, dtype=float), h)


def logcosh_gradient(X, y, theta):
    """The exact ∇J(θ) = (1/n) Xᵀ tanh(Xθ − y) of the log-cosh loss.

    The reference for the learner's own choice of h: central differences with
    h near 1e-5 match it to about 1e-10; one-sided differences, or an h far
    from 1e-5, do not.
    """
    return X.T @ np.tanh(X @ theta - y) / len(y)


def _difference(X, y, theta, h, kind):
    """Finite differences of the log-cosh loss ("forward", "central", or "no2": central over h)."""
    steps = h * np.eye(theta.size)   # row i is h eᵢ
    plus = np.array([logcosh_loss(X, y, theta + step) for step in steps])
    if kind == "forward":
        return (plus - logcosh_loss(X, y, theta)) / h
    minus = np.array([logcosh_loss(X, y, theta - step) for step in steps])
    return (plus - minus) / (2 * h) if kind == "central" else (plus - minus) / h


def _variant(h, kind):
    return lambda X, y, theta, *_: _difference(X, y, theta, h, kind)


def _logcosh_data(rng, n, d):
    return rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(scale=0.5, size=d)


def _central_cases(rng):
    return [(*_logcosh_data(rng, n, d), h) for (n, d), h in
            [((30, 3), 0.1), ((10, 4), 1e-2), ((60, 2), 1e-5), ((25, 3), 0.3)]]


def _forward_at_h(X, y, theta, h):
    return _difference(X, y, theta, h, "forward")


def _without_the_two(X, y, theta, h):
    return _difference(X, y, theta, h, "no2")


def _backward(X, y, theta, h):
    return 2 * _difference(X, y, theta, h, "central") - _difference(X, y, theta, h, "forward")


def _exact_instead(X, y, theta, h):
    return logcosh_gradient(X, y, theta)


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="Central differences with a given step h",
    points=2,
    function="central_difference",
    inputs=_central_cases,
    reference=central_difference,
    rtol=1e-7,
    atol=1e-10,
    mistakes={
        "one-sided differences (J(θ + h eᵢ) − J(θ))/h: the question asks for the central "
        "difference (J(θ + h eᵢ) − J(θ − h eᵢ))/(2h)": _forward_at_h,
        "backward differences (J(θ) − J(θ − h eᵢ))/h: the question asks for the central "
        "difference (J(θ + h eᵢ) − J(θ − h eᵢ))/(2h)": _backward,
        "your result is twice the central difference: divide by 2h, not h": _without_the_two,
        "your result does not follow the given h: it is the exact gradient (or a central "
        "difference at a tiny step of your own). Use the h you are given: at h = 0.1 the "
        "central difference differs from the exact gradient by a term of order h²":
            _exact_instead,
    },
    mutants=(
        Mutant("h hard-coded to 1e-5 instead of the given h", _variant(1e-5, "central")),
        Mutant("h hard-coded to 1e-2 instead of the given h", _variant(1e-2, "central"),
               "argument"),
        Mutant("the difference divided by 2 only, not 2h",
               lambda X, y, theta, h: _difference(X, y, theta, h, "central") * h, "factor"),
        Mutant("backward differences (J(θ) − J(θ − h eᵢ))/h", _backward),
    ),
    forbidden=(central_difference, gradcheck.numerical_gradient, logcosh_gradient),
))


def _numerical_cases(rng):
    cases = [_logcosh_data(rng, n, d) for n, d in [(30, 3), (10, 4), (60, 2)]]
    # Far from the fit (targets × 5, so J ≈ 3): rounding, ε·J/h, decides, and one-sided
    # differences fail at every h, while central ones with h from 1e-6 to 1e-4 pass.
    X, y, theta = _logcosh_data(rng, 40, 3)
    return cases + [(X, 5 * y, theta)]


_NUMERICAL_MISTAKES = {
    f"one-sided differences with h = {h:g}: their error is of order h, far above the "
    "tolerance; use central differences": _variant(h, "forward")
    for h in (1e-4, 1e-5, 1e-6)
}
_NUMERICAL_MISTAKES.update({
    f"one-sided differences with h = {h:g}: at best about √ε ≈ 1e-8 relative, not enough "
    "when every component, small ones too, must be within 1e-7 relative or 1e-9 absolute; "
    "use central differences": _variant(h, "forward")
    for h in (1e-7, 1e-8)
})
_NUMERICAL_MISTAKES.update({
    f"central differences with h = {h:g}: h is too big, the truncation error (of order h²) "
    "dominates; try h ≈ 1e-5": _variant(h, "central")
    for h in (1e-1, 1e-2, 1e-3)
})
_NUMERICAL_MISTAKES.update({
    f"central differences with h = {h:g}: h is too small, the rounding error (of order "
    "1e-16/h) dominates; try h ≈ 1e-5": _variant(h, "central")
    for h in (1e-9, 1e-10, 1e-11, 1e-12, 1e-13)
})

register(Question(
    exercise=EXERCISE,
    id="q3",
    title="A numerical gradient accurate to 1e-7: choose h",
    points=2,
    function="numerical_gradient",
    inputs=_numerical_cases,
    reference=logcosh_gradient,
    rtol=1e-7,
    atol=1e-9,
    mistakes=_NUMERICAL_MISTAKES,
    mutants=(Mutant("central differences over h, not 2h", _variant(1e-5, "no2"), "factor"),),
    forbidden=(logcosh_gradient, central_difference, gradcheck.numerical_gradient),
))


# ------------------------------------------------------------------ q4: loop with stopping rule
def gradient_descent(A, b, theta0, lr, tol, max_steps):
    """Gradient descent on J(θ) = ½ θᵀAθ − bᵀθ until ‖∇J(θ_t)‖ ≤ tol or t = max_steps.

    Returns (θ_t, t): the iterate where it stopped and the number of updates made.
    """
    theta = np.array(theta0, dtype=float)
    for t in range(max_steps + 1):
        g = A @ theta - b
        if np.linalg.norm(g) <= tol or t == max_steps:
            return theta, t
        theta = theta - lr * g


def _spd(rng, d, low=0.5, high=5.0):
    """A random symmetric positive definite d×d matrix with eigenvalues in [low, high]."""
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * rng.uniform(low, high, size=d)) @ Q.T


def _loop_cases(rng):
    cases = []
    for d, tol, max_steps in [(2, 1e-6, 1000), (3, 1e-8, 2000), (4, 1e-3, 500), (3, 1e-6, 15)]:
        A = _spd(rng, d)
        if max_steps == 15:  # κ = 10: ‖g‖ shrinks by 0.9 a step at most, so the cap is reached
            Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
            A = (Q * np.array([0.5, 2.0, 5.0])) @ Q.T
        lr = 1.0 / np.linalg.eigvalsh(A).max()
        cases.append((A, rng.normal(size=d), rng.normal(size=d), lr, tol, max_steps))
    cases.append((_spd(rng, 2), np.ones(2), np.zeros(2), 0.1, 1e6, 100))   # stops at once: t = 0
    # g_t = 0.5ᵗ·(1, 1, 1, 1): ‖g‖ = 2·0.5ᵗ passes tol = 0.3 at t = 3, max |gᵢ| and ‖g‖² at t = 2.
    cases.append((np.eye(4), np.zeros(4), np.ones(4), 0.5, 0.3, 100))
    return cases


def _checks_after_updating(A, b, theta0, lr, tol, max_steps):
    theta = np.array(theta0, dtype=float)
    for t in range(max_steps):
        g = A @ theta - b
        theta = theta - lr * g
        if np.linalg.norm(g) <= tol:
            return theta, t + 1
    return theta, max_steps


def _squared_norm(A, b, theta0, lr, tol, max_steps):
    theta = np.array(theta0, dtype=float)
    for t in range(max_steps + 1):
        g = A @ theta - b
        if g @ g <= tol or t == max_steps:
            return theta, t
        theta = theta - lr * g


def _max_norm(A, b, theta0, lr, tol, max_steps):
    theta = np.array(theta0, dtype=float)
    for t in range(max_steps + 1):
        g = A @ theta - b
        if np.abs(g).max() <= tol or t == max_steps:
            return theta, t
        theta = theta - lr * g


def _t_first(A, b, theta0, lr, tol, max_steps):
    theta, t = gradient_descent(A, b, theta0, lr, tol, max_steps)
    return t, theta


def _counts_gradients(A, b, theta0, lr, tol, max_steps):
    theta, t = gradient_descent(A, b, theta0, lr, tol, max_steps)
    return theta, t + 1


def _without_b(A, b, theta0, lr, tol, max_steps):
    return gradient_descent(A, np.zeros_like(b), theta0, lr, tol, max_steps)


def _while_t_at_most_max_steps(A, b, theta0, lr, tol, max_steps):
    theta, t = np.array(theta0, dtype=float), 0
    while t <= max_steps and np.linalg.norm(A @ theta - b) > tol:
        theta, t = theta - lr * (A @ theta - b), t + 1
    return theta, t


def _strict_stop(A, b, theta0, lr, tol, max_steps):
    theta, t = np.array(theta0, dtype=float), 0
    while t < max_steps and np.linalg.norm(A @ theta - b) >= tol:
        theta, t = theta - lr * (A @ theta - b), t + 1
    return theta, t


def _step_uphill(A, b, theta0, lr, tol, max_steps):
    theta, t = np.array(theta0, dtype=float), 0
    while t < max_steps and np.linalg.norm(A @ theta - b) > tol:
        theta, t = theta + lr * (A @ theta - b), t + 1
    return theta, t


def _ignores_cap(A, b, theta0, lr, tol, max_steps):
    theta, t = np.array(theta0, dtype=float), 0
    while np.linalg.norm(A @ theta - b) > tol and t < 100 * max_steps + 100:
        theta, t = theta - lr * (A @ theta - b), t + 1
    return theta, t


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="Gradient descent with a stopping rule on ‖g‖",
    points=3,
    function="gradient_descent",
    inputs=_loop_cases,
    reference=gradient_descent,
    rtol=1e-9,
    atol=1e-12,
    mistakes={
        "one update too many: you test the gradient you just used for a step; test ‖g_t‖ "
        "before updating, and return θ_t with the number of updates made": _checks_after_updating,
        "you stop on ‖g‖² ≤ tol: the rule is on the norm ‖g‖ itself": _squared_norm,
        "you stop when every |gᵢ| ≤ tol (the max norm): the rule is on the Euclidean norm "
        "‖g‖ = np.linalg.norm(g)": _max_norm,
        "your loop ran past max_steps: stop after max_steps updates even if ‖g‖ > tol":
            _ignores_cap,
        "the pair is in the wrong order: return (theta, t), the iterate first": _t_first,
        "t is one too many: you counted the gradients evaluated (t + 1 of them); return the "
        "number of updates made, 0 if θ₀ already passes the test": _counts_gradients,
        "the gradient of ½θᵀAθ − bᵀθ is Aθ − b: without − b you descend to 0, not to the "
        "minimiser A⁻¹b": _without_b,
        "one update too many when the cap is reached: `while t <= max_steps` makes "
        "max_steps + 1 updates; stop once t = max_steps": _while_t_at_most_max_steps,
        "your iterates run away: the step goes uphill, θ + ηg; gradient descent subtracts the "
        "gradient, θ_t = θ_{t−1} − η g_t": _step_uphill,
    },
    mutants=(
        Mutant("while t <= max_steps: an extra update at the cap", _while_t_at_most_max_steps),
        Mutant("the step goes uphill, θ + ηg", _step_uphill),
    ),
    forbidden=(gradient_descent,),
))


# ------------------------------------------------------------------ q5: largest stable η
def largest_stable_lr(A):
    """2/L, L the largest eigenvalue of the Hessian A: gradient descent converges for η < 2/L."""
    return float(quadratic_rates.largest_stable_eta(np.linalg.eigvalsh(A)))


def _hessian_cases(rng):
    cases = [(_spd(rng, d, 0.1, 10.0),) for d in (2, 3, 5)]
    cases.append((np.array([[3.0, 2.0], [2.0, 3.0]]),))   # diagonal 3, eigenvalues 1 and 5
    return cases


def _one_over_L(A):
    return 1.0 / np.linalg.eigvalsh(A).max()


def _two_over_mu(A):
    return 2.0 / np.linalg.eigvalsh(A).min()


def _diagonal(A):
    return 2.0 / np.max(np.diag(A))


def _two_over_trace(A):
    return 2.0 / np.trace(A)


def _two_over_norm(A):
    return 2.0 / np.linalg.norm(A)


def _best_instead(A):
    lam = np.linalg.eigvalsh(A)
    return 2.0 / (lam.min() + lam.max())


register(Question(
    exercise=EXERCISE,
    id="q5",
    title="The largest stable learning rate of a quadratic",
    points=1,
    function="largest_stable_lr",
    inputs=_hessian_cases,
    reference=largest_stable_lr,
    rtol=1e-6,
    mistakes={
        "1/L is a safe choice (a step of 1/L lands on the minimum along the steepest "
        "direction), but stability holds up to 2/L": _one_over_L,
        "the limit comes from the largest curvature L, not the smallest μ: 2/μ makes the "
        "steep direction diverge": _two_over_mu,
        "the diagonal entries of A are curvatures along the axes only; the limit uses the "
        "largest eigenvalue (np.linalg.eigvalsh)": _diagonal,
        "2/(μ + L) is the best learning rate, not the largest stable one": _best_instead,
        "the trace of A is the sum of all its eigenvalues; the limit uses only the largest, "
        "η < 2/L with L = np.linalg.eigvalsh(A).max()": _two_over_trace,
        "np.linalg.norm(A) is the Frobenius norm, √(Σ λᵢ²), not the largest eigenvalue L "
        "(np.linalg.eigvalsh(A).max(), or the 2-norm np.linalg.norm(A, 2))": _two_over_norm,
    },
    mutants=(
        Mutant("2/trace(A): the sum of the eigenvalues for L", _two_over_trace),
        Mutant("2/‖A‖_F: the Frobenius norm for L", _two_over_norm),
    ),
    forbidden=(largest_stable_lr, quadratic_rates.largest_stable_eta),
))


# ------------------------------------------------------------------ q6: best η and rate
def best_lr_and_rate(A):
    """(η*, ρ*) = (2/(μ + L), (κ − 1)/(κ + 1)): gradient descent on the quadratic with Hessian A."""
    lam = np.linalg.eigvalsh(A)
    kappa = quadratic_rates.condition_number(lam)
    return float(quadratic_rates.gd_optimal_eta(lam)), float(quadratic_rates.gd_optimal_rate(kappa))


def _with_one_over_L(A):
    lam = np.linalg.eigvalsh(A)
    return 1.0 / lam.max(), 1.0 - lam.min() / lam.max()


def _momentum_rate(A):
    lam = np.linalg.eigvalsh(A)
    root = np.sqrt(lam.max() / lam.min())
    return 2.0 / (lam.min() + lam.max()), (root - 1) / (root + 1)


def _rate_one_minus_inverse_kappa(A):
    lam = np.linalg.eigvalsh(A)
    return 2.0 / (lam.min() + lam.max()), 1.0 - lam.min() / lam.max()


def _rate_first(A):
    eta, rho = best_lr_and_rate(A)
    return rho, eta


def _rate_of_the_loss(A):
    eta, rho = best_lr_and_rate(A)
    return eta, rho**2


def _diagonal_curvatures(A):
    lam = np.diag(A)
    return 2.0 / (lam.min() + lam.max()), (lam.max() - lam.min()) / (lam.max() + lam.min())


def _kappa_not_minus_one(A):
    lam = np.linalg.eigvalsh(A)
    kappa = lam.max() / lam.min()
    return 2.0 / (lam.min() + lam.max()), kappa / (kappa + 1)


def _inverse_kappa_rate(A):
    lam = np.linalg.eigvalsh(A)
    return 2.0 / (lam.min() + lam.max()), lam.min() / lam.max()


register(Question(
    exercise=EXERCISE,
    id="q6",
    title="The best learning rate and its linear rate",
    points=2,
    function="best_lr_and_rate",
    inputs=_hessian_cases,
    reference=best_lr_and_rate,
    rtol=1e-6,
    mistakes={
        "η = 1/L with rate 1 − 1/κ is the safe textbook choice, not the best: at "
        "η* = 2/(μ + L) both extreme curvatures shrink by (κ − 1)/(κ + 1)": _with_one_over_L,
        "(√κ − 1)/(√κ + 1) is the rate of momentum with its best settings (lesson 3); plain "
        "gradient descent reaches only (κ − 1)/(κ + 1)": _momentum_rate,
        "the rate at η* = 2/(μ + L) is |1 − η*μ| = (κ − 1)/(κ + 1), not 1 − 1/κ":
            _rate_one_minus_inverse_kappa,
        "the pair is in the wrong order: return (eta_star, rho_star), the learning rate first":
            _rate_first,
        "ρ*² is the rate of the loss J(θ_t) − J(θ*); the question asks for the rate of the "
        "distance ‖θ_t − θ*‖, which is ρ* = (κ − 1)/(κ + 1)": _rate_of_the_loss,
        "the diagonal entries of A are curvatures along the axes only; μ and L are the "
        "smallest and largest eigenvalues (np.linalg.eigvalsh)": _diagonal_curvatures,
    },
    mutants=(
        Mutant("rate κ/(κ + 1): the − 1 dropped", _kappa_not_minus_one, "element"),
        Mutant("rate 1/κ", _inverse_kappa_rate, "element"),
        Mutant("2/trace(A) for η*, the same as 2/(μ + L) for 2×2 matrices only",
               lambda A: (2.0 / np.trace(A), best_lr_and_rate(A)[1]), "element"),
    ),
    forbidden=(best_lr_and_rate, quadratic_rates.gd_optimal_eta, quadratic_rates.gd_optimal_rate),
))
