"""Exercise 04, adaptive learning rates: the questions, their references and the known mistakes.

Each reference runs one step (or a short run) of the course's own ``course_lib.optim``
optimizer from the state the question gives, so the expected answers carry PyTorch's
semantics: ε added to the square root, bias correction with t counted from 1, AdamW's decay
θ ← (1 − ηλ) θ applied before the Adam step.
"""

import numpy as np

from course_lib import Parameter
from course_lib.grading.registry import Mutant, Question, register
from course_lib.optim import Adagrad, Adam, AdamW, RMSprop

EXERCISE = "04_adaptive_learning_rates"


def _sqrt(x):
    """√x for the wrong variants, which may take roots of negative numbers (NaN, no warning)."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


def _one_step(optimizer, theta, g, state, **hyperparameters):
    """θ_t and the new state after one ``optimizer`` step from ``state``."""
    p = Parameter(np.array(theta, dtype=float))
    opt = optimizer([p], **hyperparameters)
    opt.state[p] = {key: np.array(value, dtype=float) if key != "step" else value
                    for key, value in state.items()}
    p.grad = np.asarray(g, dtype=float)
    opt.step()
    return p.data, opt.state[p]


def _swapped(step, order):
    """The right step returning its results in another ``order`` (a permutation of indices)."""
    def variant(*args):
        results = step(*args)
        return tuple(results[i] for i in order)
    return variant


# ---------------------------------------------------------------------- q1: Adagrad
def adagrad_step(theta, g, G, lr, eps):
    """G_t = G_{t−1} + g_t²,  θ_t = θ_{t−1} − η g_t / (√G_t + ε).  Returns (θ_t, G_t)."""
    theta, state = _one_step(Adagrad, theta, g, {"step": 1, "sum": G}, lr=lr, eps=eps)
    return theta, state["sum"]


def _adagrad_cases(rng):
    cases = []
    for size, lr, eps in [(4, 0.1, 1e-2), (3, 0.5, 1e-10), (5, 0.01, 0.1)]:
        g = rng.normal(size=size)
        if not cases:
            g = np.abs(g) + 0.1          # one case with positive gradients
        cases.append((rng.normal(size=size), g, rng.uniform(0.01, 2.0, size=size), lr, eps))
    cases.append((rng.normal(size=3), rng.normal(size=3), np.zeros(3), 0.1, 1e-2))   # first step
    return cases


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="One Adagrad step",
    points=2,
    function="adagrad_step",
    inputs=_adagrad_cases,
    reference=adagrad_step,
    rtol=1e-9,
    mistakes={
        "G accumulates g instead of g²: Adagrad sums the squared gradients, G_t = G_{t−1} + g_t²":
            lambda theta, g, G, lr, eps: (theta - lr * g / (_sqrt(G + g) + eps), G + g),
        "ε is inside the square root: the step divides by √G_t + ε":
            lambda theta, g, G, lr, eps: (theta - lr * g / np.sqrt(G + g**2 + eps), G + g**2),
        "ε is outside the denominator: the step is η g / (√G_t + ε), not η g/√G_t + ε":
            lambda theta, g, G, lr, eps: (theta - (lr * g / np.sqrt(G + g**2) + eps), G + g**2),
        "the step uses the old sum G_{t−1}: add g_t² first, then divide by √G_t + ε":
            lambda theta, g, G, lr, eps: (theta - lr * g / (np.sqrt(G) + eps), G + g**2),
        "the sum is not carried: G_t = G_{t−1} + g_t² keeps every earlier squared gradient":
            lambda theta, g, G, lr, eps: (theta - lr * g / (np.abs(g) + eps), g**2),
        "the step divides by G_t itself: take its square root, η g_t / (√G_t + ε)":
            lambda theta, g, G, lr, eps: (theta - lr * g / (G + g**2 + eps), G + g**2),
        "the pair is in the wrong order: return (theta_next, G_new)":
            _swapped(adagrad_step, (1, 0)),
    },
    mutants=(
        Mutant("the step added, θ + η g/(√G + ε)",
               lambda theta, g, G, lr, eps: (theta + lr * g / (np.sqrt(G + g**2) + eps), G + g**2),
               ("step", "element")),
        Mutant("η missing from the step",
               lambda theta, g, G, lr, eps: (theta - g / (np.sqrt(G + g**2) + eps), G + g**2),
               ("step", "element")),
    ),
    forbidden=(Adagrad, adagrad_step),
))


# ---------------------------------------------------------------------- q2: RMSprop
def rmsprop_step(theta, g, v, lr, alpha, eps):
    """v_t = α v_{t−1} + (1 − α) g_t²,  θ_t = θ_{t−1} − η g_t / (√v_t + ε).

    Returns (θ_t, v_t).
    """
    theta, state = _one_step(RMSprop, theta, g, {"step": 1, "square_avg": v},
                             lr=lr, alpha=alpha, eps=eps)
    return theta, state["square_avg"]


def _rmsprop_cases(rng):
    cases = []
    for size, lr, alpha, eps in [(4, 0.01, 0.99, 1e-3), (3, 0.1, 0.9, 1e-8), (5, 0.05, 0.8, 0.1)]:
        g = rng.normal(size=size)
        if not cases:
            g = np.abs(g) + 0.1
        cases.append((rng.normal(size=size), g, rng.uniform(0.01, 1.0, size=size), lr, alpha, eps))
    return cases


def _rms(theta, g, v, lr, eps):
    return theta - lr * g / (_sqrt(v) + eps), v


def _rms_of_g(theta, g, v, lr, alpha, eps):
    return _rms(theta, g, alpha * v + (1 - alpha) * g, lr, eps)


def _rms_decay_swapped(theta, g, v, lr, alpha, eps):
    return _rms(theta, g, (1 - alpha) * v + alpha * g**2, lr, eps)


def _rms_without_factor(theta, g, v, lr, alpha, eps):
    return _rms(theta, g, alpha * v + g**2, lr, eps)


def _rms_eps_inside(theta, g, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


def _rms_old_average(theta, g, v, lr, alpha, eps):
    return theta - lr * g / (np.sqrt(v) + eps), alpha * v + (1 - alpha) * g**2


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="One RMSprop step",
    points=2,
    function="rmsprop_step",
    inputs=_rmsprop_cases,
    reference=rmsprop_step,
    rtol=1e-9,
    mistakes={
        "v averages g instead of g²: v_t = α v_{t−1} + (1 − α) g_t²": _rms_of_g,
        "the decay is on the wrong term: α multiplies the old average v_{t−1}, "
        "(1 − α) the new g_t²": _rms_decay_swapped,
        "the (1 − α) factor on g_t² is missing: v_t = α v_{t−1} + (1 − α) g_t²":
            _rms_without_factor,
        "ε is inside the square root: the step divides by √v_t + ε": _rms_eps_inside,
        "the step uses the old average v_{t−1}: update v first, then divide by √v_t + ε":
            _rms_old_average,
        "the step divides by v_t itself: take its square root, η g_t / (√v_t + ε)":
            lambda theta, g, v, lr, alpha, eps: (
                theta - lr * g / (alpha * v + (1 - alpha) * g**2 + eps),
                alpha * v + (1 - alpha) * g**2),
        "the pair is in the wrong order: return (theta_next, v_new)":
            _swapped(rmsprop_step, (1, 0)),
    },
    mutants=(
        Mutant("the step added", lambda theta, g, v, lr, alpha, eps: (
            2 * theta - rmsprop_step(theta, g, v, lr, alpha, eps)[0],
            rmsprop_step(theta, g, v, lr, alpha, eps)[1]), ("step", "element")),
        Mutant("α and 1 − α swapped", _rms_decay_swapped),
    ),
    forbidden=(RMSprop, rmsprop_step),
))


# ---------------------------------------------------------------------- q3: Adam
def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """One Adam step; t is the number of this step (1 for the first).

    m_t = β₁ m_{t−1} + (1 − β₁) g_t,  v_t = β₂ v_{t−1} + (1 − β₂) g_t²,
    m̂_t = m_t/(1 − β₁ᵗ),  v̂_t = v_t/(1 − β₂ᵗ),  θ_t = θ_{t−1} − η m̂_t/(√v̂_t + ε).
    Returns (θ_t, m_t, v_t).
    """
    theta, state = _one_step(Adam, theta, g, {"step": t - 1, "exp_avg": m, "exp_avg_sq": v},
                             lr=lr, betas=(beta1, beta2), eps=eps)
    return theta, state["exp_avg"], state["exp_avg_sq"]


def adam_step_numpy(theta, g, m, v, t, lr, beta1, beta2, eps):
    """The same Adam step in NumPy alone: what the batch grader puts in place of the learner's
    ``adam_step`` while grading q4 and q5 (course_lib's Adam is forbidden there)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_cases(rng):
    cases = []
    # t = 3 before t = 2: a fixed t = 1 and t − 1 then fail first on different cases.
    settings = [(4, 1, 0.1, 1e-3), (3, 3, 0.01, 1e-8), (5, 2, 0.05, 1e-2), (3, 10, 0.1, 1e-3)]
    for size, t, lr, eps in settings:
        theta, g = rng.normal(size=size), rng.normal(size=size)
        if t == 1:
            m, v = np.zeros(size), np.zeros(size)
        else:
            m, v = rng.normal(size=size) * 0.1, rng.uniform(0.001, 0.05, size=size)
        cases.append((theta, g, m, v, t, lr, 0.9, 0.999, eps))
    return cases


def _adam_direction(m_hat, v_hat, eps):
    return m_hat / (np.sqrt(v_hat) + eps)


def _adam_variant(correct1=True, correct2=True, beta2_factor=True, step=lambda t: t,
                  direction=_adam_direction, betas_swapped=False, return_corrected=False,
                  beta1_factor=True, decays_swapped=False):
    """An Adam step with one of the known mistakes switched on."""
    def variant(theta, g, m, v, t, lr, beta1, beta2, eps):
        if betas_swapped:
            beta1, beta2 = beta2, beta1
        if decays_swapped:
            m = (1 - beta1) * m + beta1 * g
            v = (1 - beta2) * v + beta2 * g**2
        else:
            m = beta1 * m + ((1 - beta1) if beta1_factor else 1.0) * g
            v = beta2 * v + ((1 - beta2) if beta2_factor else 1.0) * g**2
        s = step(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat = m / (1 - beta1**s) if correct1 else m
            v_hat = v / (1 - beta2**s) if correct2 else v
            theta_next = theta - lr * direction(m_hat, v_hat, eps)
        return (theta_next, m_hat, v_hat) if return_corrected else (theta_next, m, v)
    return variant


def _adam_efficient_form(theta, g, m, v, t, lr, beta1, beta2, eps):
    """Kingma and Ba's 'efficient' order: η_t = η √(1 − β₂ᵗ)/(1 − β₁ᵗ), θ − η_t m/(√v + ε̂)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


def _adam_sqrt_corrected_wrongly(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) / (1 - beta2**t) + eps), m, v


register(Question(
    exercise=EXERCISE,
    id="q3",
    title="One Adam step with bias correction",
    points=3,
    function="adam_step",
    inputs=_adam_cases,
    reference=adam_step,
    rtol=1e-9,
    mistakes={
        "bias correction is missing: divide m_t by 1 − β₁ᵗ and v_t by 1 − β₂ᵗ before the step":
            _adam_variant(correct1=False, correct2=False),
        "only m is bias-corrected: v̂_t = v_t/(1 − β₂ᵗ) is needed too":
            _adam_variant(correct2=False),
        "ε is inside the square root: the step is η m̂_t/(√v̂_t + ε)":
            _adam_variant(direction=lambda m_hat, v_hat, eps: m_hat / np.sqrt(v_hat + eps)),
        "ε is outside the denominator: the step is η m̂_t/(√v̂_t + ε), not η m̂_t/√v̂_t + ηε":
            _adam_variant(direction=lambda m_hat, v_hat, eps: m_hat / np.sqrt(v_hat) + eps),
        "the (1 − β₂) factor is missing: v_t = β₂ v_{t−1} + (1 − β₂) g_t²":
            _adam_variant(beta2_factor=False),
        "t is off by one (counted from 0): the first step is t = 1, so its correction is 1 − β¹":
            _adam_variant(step=lambda t: t - 1),
        "t is never incremented: your correction uses t = 1 at every step; use this step's t":
            _adam_variant(step=lambda t: 1),
        "v̂ is used where √v̂ belongs: the step divides by √v̂_t + ε":
            _adam_variant(direction=lambda m_hat, v_hat, eps: m_hat / (v_hat + eps)),
        "t is off by one (t + 1): `t` is already this step's number, 1 for the first step":
            _adam_variant(step=lambda t: t + 1),
        "√v_t is divided by 1 − β₂ᵗ: the correction belongs under the root, "
        "√v̂_t = √(v_t/(1 − β₂ᵗ)) = √v_t/√(1 − β₂ᵗ)": _adam_sqrt_corrected_wrongly,
        "β₁ and β₂ are swapped: β₁ (0.9) averages g_t, β₂ (0.999) averages g_t²":
            _adam_variant(betas_swapped=True),
        "the returned state is the corrected m̂_t, v̂_t: return the raw moments m_t, v_t "
        "(the correction is recomputed from them at every step)":
            _adam_variant(return_corrected=True),
        "the results are in the wrong order: return (theta_next, m_new, v_new)":
            _swapped(adam_step, (0, 2, 1)),
        "the (1 − β₁) factor is missing: m_t = β₁ m_{t−1} + (1 − β₁) g_t":
            _adam_variant(beta1_factor=False),
        "only v is bias-corrected: m̂_t = m_t/(1 − β₁ᵗ) is needed too":
            _adam_variant(correct1=False),
        "the decays are on the wrong terms: β₁ and β₂ multiply the old averages m_{t−1} and "
        "v_{t−1}, (1 − β₁) and (1 − β₂) the new g_t and g_t²": _adam_variant(decays_swapped=True),
        "that is the paper's 'efficient' form, η√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m_t/(√v_t + ε̂): its ε̂ "
        "is not PyTorch's ε. Use m̂_t/(√v̂_t + ε) with the corrected moments":
            _adam_efficient_form,
        "two slips: bias correction is missing (divide m_t by 1 − β₁ᵗ and v_t by 1 − β₂ᵗ), "
        "and ε is inside the square root (the step is η m̂_t/(√v̂_t + ε))": _adam_variant(
            correct1=False, correct2=False,
            direction=lambda m_hat, v_hat, eps: m_hat / np.sqrt(v_hat + eps)),
    },
    mutants=(
        Mutant("(1 − β₁) missing", _adam_variant(beta1_factor=False)),
        Mutant("only v̂ corrected", _adam_variant(correct1=False)),
        Mutant("the decays on the wrong terms", _adam_variant(decays_swapped=True)),
        Mutant("the paper's efficient ε̂ form", _adam_efficient_form),
        Mutant("no bias correction and ε inside the root", _adam_variant(
            correct1=False, correct2=False,
            direction=lambda m_hat, v_hat, eps: m_hat / np.sqrt(v_hat + eps))),
        Mutant("the step added", _adam_variant(direction=lambda m_hat, v_hat, eps:
                                               -m_hat / (np.sqrt(v_hat) + eps)),
               ("step", "element")),
    ),
    forbidden=(Adam, AdamW, adam_step),
))


# ---------------------------------------------------------------------- q4: AdamW
def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One AdamW step: θ ← (1 − ηλ) θ, then the Adam step with the unchanged g_t.

    Returns (θ_t, m_t, v_t).
    """
    theta, state = _one_step(AdamW, theta, g, {"step": t - 1, "exp_avg": m, "exp_avg_sq": v},
                             lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    return theta, state["exp_avg"], state["exp_avg_sq"]


def _adamw_cases(rng):
    cases = []
    for size, t, lr, decay in [(4, 1, 0.1, 0.1), (3, 2, 0.05, 0.5), (5, 7, 0.1, 0.05)]:
        theta, g = rng.normal(size=size) * 2, rng.normal(size=size)
        m, v = ((np.zeros(size), np.zeros(size)) if t == 1 else
                (rng.normal(size=size) * 0.1, rng.uniform(0.001, 0.05, size=size)))
        cases.append((theta, g, m, v, t, lr, 0.9, 0.999, 1e-8, decay))
    return cases


def _adam_plain(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)


def _decay_after_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    theta_next, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return (1 - lr * weight_decay) * theta_next, m, v


def _decay_grows(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step((1 + lr * weight_decay) * np.asarray(theta), g, m, v, t, lr, beta1, beta2,
                     eps)


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="AdamW: decoupled weight decay",
    points=2,
    function="adamw_step",
    inputs=_adamw_cases,
    reference=adamw_step,
    rtol=1e-9,
    mistakes={
        "that is Adam with an L2 penalty (λθ added to the gradient, then rescaled by 1/√v̂); "
        "AdamW shrinks θ directly: θ ← (1 − ηλ) θ":
            lambda theta, g, m, v, t, lr, b1, b2, eps, wd: _adam_plain(
                theta, g + wd * theta, m, v, t, lr, b1, b2, eps),
        "you shrank θ by (1 − λ), the form of Loshchilov & Hutter's paper (there a schedule "
        "multiplier, 1 without a schedule, scales the decay, not the learning rate); this exercise "
        "uses PyTorch's convention, θ ← (1 − ηλ) θ with η = lr":
            lambda theta, g, m, v, t, lr, b1, b2, eps, wd: _adam_plain(
                (1 - wd) * theta, g, m, v, t, lr, b1, b2, eps),
        "the weight decay is missing: θ ← (1 − ηλ) θ before the Adam step":
            lambda theta, g, m, v, t, lr, b1, b2, eps, wd: _adam_plain(
                theta, g, m, v, t, lr, b1, b2, eps),
        "the decay is applied after the Adam step; PyTorch (and this exercise) shrinks θ first":
            _decay_after_step,
        "the decay's sign is flipped: weight decay shrinks θ, θ ← (1 − ηλ) θ, not (1 + ηλ) θ":
            _decay_grows,
    },
    mutants=(
        Mutant("(1 + ηλ) for the decay", _decay_grows),
        Mutant("an L2 penalty instead of decoupled decay", lambda theta, g, m, v, t, lr, b1, b2,
               eps, wd: _adam_plain(theta, g + wd * theta, m, v, t, lr, b1, b2, eps)),
    ),
    forbidden=(Adam, AdamW, adamw_step),
    builds_on={"adam_step": adam_step_numpy},
))


# ---------------------------------------------------------------------- q5: an Adam run
def adam_run(theta0, curvatures, steps, lr, beta1, beta2, eps):
    """θ₀ … θ_T of Adam on J(θ) = ½ Σ aᵢ θᵢ² (gradient a ⊙ θ) from m₀ = v₀ = 0.

    Returns an array of shape (steps + 1, n): row k holds the parameters after k steps.
    """
    p = Parameter(np.array(theta0, dtype=float))
    a = np.asarray(curvatures, dtype=float)
    opt = Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    path = [p.data.copy()]
    for _ in range(steps):
        p.grad = a * p.data
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


def _run_cases(rng):
    return [(rng.normal(size=2) * 3, [1.0, 0.01], 20, 0.1, 0.9, 0.999, 1e-8),
            (rng.normal(size=3), list(10 ** rng.uniform(-2, 1, size=3)), 15, 0.05, 0.8, 0.99, 1e-8)]


def _run_variant(step, carry=True, correct=True):
    def variant(theta0, curvatures, steps, lr, beta1, beta2, eps):
        theta = np.array(theta0, dtype=float)
        a = np.asarray(curvatures, dtype=float)
        m, v = np.zeros_like(theta), np.zeros_like(theta)
        path = [theta.copy()]
        for k in range(steps):
            g = a * theta
            if not carry:
                m, v = np.zeros_like(theta), np.zeros_like(theta)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g**2
            t = step(k)
            with np.errstate(divide="ignore", invalid="ignore"):
                m_hat = m / (1 - beta1**t) if correct else m
                v_hat = v / (1 - beta2**t) if correct else v
                theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
            path.append(theta.copy())
        return np.array(path)
    return variant


register(Question(
    exercise=EXERCISE,
    id="q5",
    title="A whole Adam run: state carried, t counted",
    points=2,
    function="adam_run",
    inputs=_run_cases,
    reference=adam_run,
    rtol=1e-8,
    mistakes={
        "t is never incremented: after the first step the bias correction must use t = 2, 3, …":
            _run_variant(step=lambda k: 1),
        "t starts at 0: the first step divides by 1 − β⁰ = 0; count steps from t = 1":
            _run_variant(step=lambda k: k),
        "m and v are not carried between steps: they must start from the previous step's values":
            _run_variant(step=lambda k: k + 1, carry=False),
        "bias correction is missing: divide m_t by 1 − β₁ᵗ and v_t by 1 − β₂ᵗ":
            _run_variant(step=lambda k: k + 1, correct=False),
    },
    mutants=(
        Mutant("one step too many", lambda theta0, curvatures, steps, lr, beta1, beta2, eps:
               adam_run(theta0, curvatures, steps + 1, lr, beta1, beta2, eps),
               ("length", "changed")),
        Mutant("θ₀ left out of the path", lambda theta0, curvatures, steps, lr, beta1, beta2, eps:
               adam_run(theta0, curvatures, steps, lr, beta1, beta2, eps)[1:], "length"),
    ),
    forbidden=(Adam, AdamW, adam_run, adam_step),
    builds_on={"adam_step": adam_step_numpy},
))
