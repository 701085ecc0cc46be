"""Exercise 03, momentum and Nesterov: the questions, their references and the known mistakes.

Every reference runs the course's own ``course_lib.optim.SGD`` (PyTorch's convention (b)) for
one step from the given state, converting the velocity where the question uses convention (a):
v⁽ᵃ⁾ = η v⁽ᵇ⁾, and for Nesterov the look-ahead point φ = θ − γ v⁽ᵃ⁾ that PyTorch stores as the
parameter. The quadratic questions use ``course_lib.quadratic_rates``.
"""

import numpy as np

from course_lib import Parameter, quadratic_rates
from course_lib.grading.registry import Mutant, Question, register
from course_lib.optim import SGD

EXERCISE = "03_momentum_and_nesterov"


def _sgd_step(theta, g, velocity, lr, momentum, nesterov=False):
    """One step of course_lib.optim.SGD from velocity v⁽ᵇ⁾; returns (θ_t, v⁽ᵇ⁾_t)."""
    p = Parameter(np.array(theta, dtype=float))
    opt = SGD([p], lr=lr, momentum=momentum, nesterov=nesterov)
    opt.state[p] = {"momentum_buffer": np.array(velocity, dtype=float)}
    p.grad = np.asarray(g, dtype=float)
    opt.step()
    return p.data, opt.state[p]["momentum_buffer"]


# ------------------------------------------------------------------ q1: convention (b)
def momentum_step(theta, g, v, lr, mu):
    """PyTorch convention: v_t = μ v_{t−1} + g_t, θ_t = θ_{t−1} − η v_t. Returns (θ_t, v_t)."""
    return _sgd_step(theta, g, v, lr, mu)


def _step_cases(rng):
    cases = []
    # η ≠ 1 − μ in every case, so that η g_t and (1 − μ) g_t tell two different mistakes apart.
    for size, lr, mu in [(4, 0.02, 0.9), (3, 0.05, 0.5), (6, 0.3, 0.99)]:
        theta, g = rng.normal(size=size), rng.normal(size=size)
        v = rng.normal(size=size)   # a velocity carried from earlier steps
        cases.append((theta, g, v, lr, mu))
    return cases


def _b_eta_twice(theta, g, v, lr, mu):
    v = mu * v + lr * g
    return theta - lr * v, v


def _b_eta_missing(theta, g, v, lr, mu):
    v = mu * v + g
    return theta - v, v


def _b_velocity_dropped(theta, g, v, lr, mu):
    v = g + 0 * v
    return theta - lr * v, v


def _b_plain_gd(theta, g, v, lr, mu):
    return theta - lr * g, mu * v + g


def _b_average(theta, g, v, lr, mu):
    v = mu * v + (1 - mu) * g
    return theta - lr * v, v


def _b_opposite_sign(theta, g, v, lr, mu):
    v = mu * v - g
    return theta + lr * v, v


def _whole_convention_a(theta, g, v, lr, mu):
    v = mu * v + lr * g
    return theta - v, v


def _b_not_decayed(theta, g, v, lr, mu):
    v = v + g
    return theta - lr * v, v


def _b_nesterov(theta, g, v, lr, mu):
    v = mu * v + g
    return theta - lr * (g + mu * v), v


def _b_uphill(theta, g, v, lr, mu):
    v = mu * v + g
    return theta + lr * v, v


def _swapped(step):
    """The right step returning its pair in the wrong order."""
    def variant(*args):
        first, second = step(*args)
        return second, first
    return variant


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="Momentum, PyTorch convention (b)",
    points=2,
    function="momentum_step",
    inputs=_step_cases,
    reference=momentum_step,
    rtol=1e-9,
    mistakes={
        "η is applied twice: in convention (b) the velocity adds the raw gradient g_t, "
        "and η multiplies it only in the step (you mixed in convention (a))": _b_eta_twice,
        "η is missing: in convention (b) the step is θ − η v (you used convention (a)'s θ − v)":
            _b_eta_missing,
        "the velocity is not carried: v_t must start from μ v_{t−1}, the velocity you were given":
            _b_velocity_dropped,
        "the step uses g_t instead of the new velocity v_t: θ_t = θ_{t−1} − η v_t": _b_plain_gd,
        "the velocity averages (1 − μ) g_t (dampening = μ, like Adam's first moment): "
        "PyTorch's momentum adds the whole gradient, v_t = μ v_{t−1} + g_t": _b_average,
        "the velocity has the opposite sign (v ← μv − g, θ ← θ + ηv): here v points along "
        "the gradient, v_t = μ v_{t−1} + g_t, and the step subtracts it":
            _b_opposite_sign,
        "the pair is in the wrong order: return (theta_next, v_new)": _swapped(momentum_step),
        "that is the whole textbook convention (a), v_t = μ v_{t−1} + η g_t and θ − v_t: "
        "PyTorch's (b) adds the raw gradient, v_t = μ v_{t−1} + g_t, and steps θ − η v_t":
            _whole_convention_a,
        "the old velocity is not decayed: v_t = μ v_{t−1} + g_t": _b_not_decayed,
        "that is Nesterov's step (PyTorch's nesterov=True, θ − η(g_t + μ v_t)); plain momentum "
        "steps θ_t = θ_{t−1} − η v_t": _b_nesterov,
    },
    mutants=(
        Mutant("the whole convention (a)", _whole_convention_a),
        Mutant("μ dropped: v_t = v_{t−1} + g_t", _b_not_decayed),
        Mutant("Nesterov's step instead of plain momentum", _b_nesterov),
        Mutant("the step added, θ + η v_t", _b_uphill, ("step", "element")),
    ),
    forbidden=(SGD, momentum_step),
))


# ------------------------------------------------------------------ q2: convention (a)
def momentum_step_a(theta, g, v, lr, gamma):
    """Textbook convention: v_t = γ v_{t−1} + η g_t, θ_t = θ_{t−1} − v_t. Returns (θ_t, v_t)."""
    theta_next, velocity = _sgd_step(theta, g, np.asarray(v, dtype=float) / lr, lr, gamma)
    return theta_next, lr * velocity   # v⁽ᵃ⁾ = η v⁽ᵇ⁾


def _a_eta_twice(theta, g, v, lr, gamma):
    v = gamma * v + lr * g
    return theta - lr * v, v


def _a_eta_missing(theta, g, v, lr, gamma):
    v = gamma * v + g
    return theta - v, v


def _a_velocity_dropped(theta, g, v, lr, gamma):
    v = lr * g + 0 * v
    return theta - v, v


def _a_opposite_sign(theta, g, v, lr, gamma):
    v = gamma * v - lr * g
    return theta + v, v


def _whole_convention_b(theta, g, v, lr, gamma):
    v = gamma * v + g
    return theta - lr * v, v


def _a_not_decayed(theta, g, v, lr, gamma):
    v = v + lr * g
    return theta - v, v


def _a_uphill(theta, g, v, lr, gamma):
    v = gamma * v + lr * g
    return theta + v, v


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="Momentum, textbook convention (a)",
    points=2,
    function="momentum_step_a",
    inputs=_step_cases,
    reference=momentum_step_a,
    rtol=1e-9,
    mistakes={
        "η is applied twice: in convention (a) η is already inside the velocity, "
        "so the step is θ − v (you mixed in convention (b)'s θ − η v)": _a_eta_twice,
        "η is missing: in convention (a) the velocity adds η g_t, not g_t": _a_eta_missing,
        "the velocity is not carried: v_t must start from γ v_{t−1}, the velocity you were given":
            _a_velocity_dropped,
        "the velocity has the opposite sign (Sutskever et al. and CS231n write v ← γv − ηg, "
        "θ ← θ + v): here v_t = γ v_{t−1} + η g_t and θ_t = θ_{t−1} − v_t": _a_opposite_sign,
        "the pair is in the wrong order: return (theta_next, v_new)": _swapped(momentum_step_a),
        "that is the whole PyTorch convention (b), v_t = γ v_{t−1} + g_t and θ − η v_t: in "
        "convention (a) the velocity adds η g_t and the step is θ_{t−1} − v_t": _whole_convention_b,
        "the old velocity is not decayed: v_t = γ v_{t−1} + η g_t": _a_not_decayed,
    },
    mutants=(
        Mutant("the whole convention (b)", _whole_convention_b),
        Mutant("γ dropped: v_t = v_{t−1} + η g_t", _a_not_decayed),
        Mutant("the step added, θ + v_t", _a_uphill, ("step", "element")),
    ),
    forbidden=(SGD, momentum_step_a, momentum_step),
))


# ------------------------------------------------------------------ q3: Nesterov, look-ahead form
def nesterov_step(theta, v, A, b, lr, gamma):
    """Nesterov (look-ahead form) on J(θ) = ½ θᵀAθ − bᵀθ, whose gradient is Aθ − b.

    v_t = γ v_{t−1} + η ∇J(θ_{t−1} − γ v_{t−1}),  θ_t = θ_{t−1} − v_t.  Returns (θ_t, v_t).
    Computed with SGD(nesterov=True) on the look-ahead point φ = θ − γ v (see lesson 3).
    """
    theta, v, A, b = (np.asarray(x, dtype=float) for x in (theta, v, A, b))
    phi = theta - gamma * v
    phi_next, velocity = _sgd_step(phi, A @ phi - b, v / lr, lr, gamma, nesterov=True)
    v_next = lr * velocity
    return phi_next + gamma * v_next, v_next


def _nesterov_cases(rng):
    cases = []
    for size, lr, gamma in [(2, 0.1, 0.9), (3, 0.05, 0.8), (4, 0.2, 0.5)]:
        root = rng.normal(size=(size, size))
        A = root @ root.T / size + np.eye(size)   # symmetric positive definite
        cases.append((rng.normal(size=size), rng.normal(size=size), A, rng.normal(size=size),
                      lr, gamma))
    return cases


def _gradient_at_theta(theta, v, A, b, lr, gamma):
    v = gamma * v + lr * (A @ theta - b)
    return theta - v, v


def _lookahead_wrong_sign(theta, v, A, b, lr, gamma):
    ahead = theta + gamma * v
    v = gamma * v + lr * (A @ ahead - b)
    return theta - v, v


def _nesterov_eta_twice(theta, v, A, b, lr, gamma):
    ahead = theta - gamma * v
    v = gamma * v + lr * (A @ ahead - b)
    return theta - lr * v, v


def _gradient_sign_of_b(theta, v, A, b, lr, gamma):
    ahead = theta - gamma * v
    v = gamma * v + lr * (A @ ahead + b)
    return theta - v, v


def _lookahead_without_gamma(theta, v, A, b, lr, gamma):
    ahead = theta - v
    v = gamma * v + lr * (A @ ahead - b)
    return theta - v, v


def _phi_form(theta, v, A, b, lr, gamma):
    g = A @ theta - b
    v = gamma * v + lr * g
    return theta - (gamma * v + lr * g), v


def _nesterov_uphill(theta, v, A, b, lr, gamma):
    ahead = theta - gamma * v
    v = gamma * v + lr * (A @ ahead - b)
    return theta + v, v


register(Question(
    exercise=EXERCISE,
    id="q3",
    title="Nesterov momentum with the look-ahead gradient",
    points=2,
    function="nesterov_step",
    inputs=_nesterov_cases,
    reference=nesterov_step,
    rtol=1e-9,
    mistakes={
        "the gradient is taken at θ_{t−1}: that is plain momentum. Nesterov evaluates it at the "
        "look-ahead point θ_{t−1} − γ v_{t−1}": _gradient_at_theta,
        "the look-ahead goes the wrong way: the point is θ_{t−1} − γ v_{t−1} "
        "(the step subtracts v)":
            _lookahead_wrong_sign,
        "η is applied twice: in this convention the velocity already contains η, the step is θ − v":
            _nesterov_eta_twice,
        "the look-ahead point is θ_{t−1} − v_{t−1}: the velocity must be scaled by γ, "
        "θ_{t−1} − γ v_{t−1}":
            _lookahead_without_gamma,
        "the gradient of ½ θᵀAθ − bᵀθ is Aθ − b (you added b)": _gradient_sign_of_b,
        "the pair is in the wrong order: return (theta_next, v_new)": _swapped(nesterov_step),
        "that is PyTorch's form of Nesterov (the gradient at the stored point, then the step "
        "θ − (γ v_t + η g)): it tracks φ = θ − γ v, not θ. This question's look-ahead form takes "
        "the gradient at θ_{t−1} − γ v_{t−1} and steps θ_t = θ_{t−1} − v_t": _phi_form,
    },
    mutants=(
        Mutant("PyTorch's φ-form where the look-ahead form is asked", _phi_form),
        Mutant("the step added, θ + v_t", _nesterov_uphill, ("step", "element")),
    ),
    forbidden=(SGD, nesterov_step),
))


# ------------------------------------------------------------------ q4: optimal momentum
def optimal_momentum(eigenvalues):
    """The heavy ball's best (η, μ) on ½ Σ λᵢθᵢ²: ((2/(√λ_max+√λ_min))², ((√κ−1)/(√κ+1))²)."""
    return quadratic_rates.momentum_optimal(eigenvalues)


def _eigenvalue_cases(rng):
    cases = [([0.01, 0.1, 1.0],), ([1.0, 100.0],)]
    for size in (3, 5):
        cases.append((list(10 ** rng.uniform(-3, 1, size=size)),))
    return cases


def _mu_not_squared(eigenvalues):
    low, high = min(eigenvalues), max(eigenvalues)
    eta, _ = quadratic_rates.momentum_optimal(eigenvalues)
    root = np.sqrt(high / low)
    return eta, (root - 1) / (root + 1)


def _kappa_instead_of_root(eigenvalues):
    low, high = min(eigenvalues), max(eigenvalues)
    eta, _ = quadratic_rates.momentum_optimal(eigenvalues)
    return eta, ((high / low - 1) / (high / low + 1)) ** 2


def _gd_eta(eigenvalues):
    _, mu = quadratic_rates.momentum_optimal(eigenvalues)
    return 2 / (min(eigenvalues) + max(eigenvalues)), mu


def _first_and_last(eigenvalues):
    return optimal_momentum([eigenvalues[0], eigenvalues[-1]])


def _eta_not_squared(eigenvalues):
    _, mu = quadratic_rates.momentum_optimal(eigenvalues)
    return 2 / (np.sqrt(max(eigenvalues)) + np.sqrt(min(eigenvalues))), mu


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="Optimal learning rate and momentum for a quadratic",
    points=2,
    function="optimal_momentum",
    inputs=_eigenvalue_cases,
    reference=optimal_momentum,
    rtol=1e-6,
    mistakes={
        "μ is not squared: μ* = ((√κ − 1)/(√κ + 1))²; (√κ − 1)/(√κ + 1) is the rate √μ*":
            _mu_not_squared,
        "μ uses κ where √κ belongs: μ* = ((√κ − 1)/(√κ + 1))²": _kappa_instead_of_root,
        "η is gradient descent's 2/(λ_min + λ_max); with momentum η* = (2/(√λ_max + √λ_min))²":
            _gd_eta,
        "η is not squared: η* = (2/(√λ_max + √λ_min))²": _eta_not_squared,
        "the eigenvalues come in any order: λ_min and λ_max are their min() and max(), not the "
        "first and the last": _first_and_last,
        "the pair is in the wrong order: return (eta, mu)": _swapped(optimal_momentum),
    },
    mutants=(
        Mutant("η* squared term by term, 4/(λ_max + λ_min)", lambda eigenvalues: (
            4 / (max(eigenvalues) + min(eigenvalues)), optimal_momentum(eigenvalues)[1]),
            "element"),
    ),
    forbidden=(quadratic_rates.momentum_optimal,),
))


# ------------------------------------------------------------------ q5: stability limit
def largest_stable_eta(eigenvalues, mu):
    """The supremum of stable η for momentum μ on ½ Σ λᵢθᵢ²: (2 + 2μ)/λ_max."""
    return float(quadratic_rates.largest_stable_eta(eigenvalues, mu))


def _stability_cases(rng):
    cases = [([0.01, 0.1, 1.0], 0.0), ([0.01, 0.1, 1.0], 0.9)]
    for _ in range(2):
        cases.append((list(10 ** rng.uniform(-2, 2, size=4)), float(rng.uniform(0.1, 0.95))))
    return cases


register(Question(
    exercise=EXERCISE,
    id="q5",
    title="Largest stable learning rate with momentum",
    points=1,
    function="largest_stable_eta",
    inputs=_stability_cases,
    reference=largest_stable_eta,
    rtol=1e-6,
    mistakes={
        "the eigenvalues come in any order: λ_max is their max(), not the last one":
            lambda eigenvalues, mu: (2 + 2 * mu) / eigenvalues[-1],
        "that is gradient descent's limit 2/λ_max: momentum widens it to (2 + 2μ)/λ_max":
            lambda eigenvalues, mu: 2 / max(eigenvalues),
        "the limit is set by the largest curvature λ_max, not the smallest":
            lambda eigenvalues, mu: (2 + 2 * mu) / min(eigenvalues),
        "the momentum enters as (2 + 2μ), not (2 + μ)":
            lambda eigenvalues, mu: (2 + mu) / max(eigenvalues),
        "that is Nesterov's narrower limit (2 + 2μ)/((1 + 2μ) λ_max); the heavy ball's is "
        "(2 + 2μ)/λ_max": lambda eigenvalues, mu: (2 + 2 * mu) / ((1 + 2 * mu) * max(eigenvalues)),
    },
    mutants=(
        Mutant("(2 − 2μ)/λ_max: the sign of the momentum term", lambda eigenvalues, mu:
               (2 - 2 * mu) / max(eigenvalues), "argument"),
        Mutant("2(1 + μ)²/λ_max: the momentum term squared", lambda eigenvalues, mu:
               2 * (1 + mu) ** 2 / max(eigenvalues), ("argument", "factor")),
    ),
    forbidden=(quadratic_rates.largest_stable_eta,),
))
