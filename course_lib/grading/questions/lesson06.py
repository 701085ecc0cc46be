"""Questions of exercise 06_choosing_an_optimizer: schedules, the range test, optimizer memory."""

import numpy as np

from course_lib import optim
from course_lib.grading.registry import Mutant, Question, register
from course_lib.lr_curves import warmup_cosine
from course_lib.lr_finder import lr_range_test, range_test_lrs, suggest_lr
from course_lib.optimizer_table import OPTIMIZERS, state_size

EXERCISE = "06_choosing_an_optimizer"


# ---------------------------------------------------------------- q1 warm-up + cosine
def _schedule_cases(rng):
    cases = []
    for _ in range(6):
        warmup = int(rng.integers(2, 20))
        total = warmup + int(rng.integers(5, 200))
        lr, min_lr = float(rng.uniform(0.01, 1.0)), 0.0
        if rng.random() < 0.5:
            min_lr = float(lr * rng.uniform(0.01, 0.2))
        for t in (1, warmup, warmup + 1, int(rng.integers(warmup + 1, total + 1)), total):
            cases.append((t, lr, warmup, total, min_lr))
    return cases


def _warmup_from_zero(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * (t - 1) / warmup_steps
    return warmup_cosine(t, lr, warmup_steps, total_steps, min_lr)


def _warmup_from_t_plus_one(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * (t + 1) / warmup_steps
    return warmup_cosine(t, lr, warmup_steps, total_steps, min_lr)


def _warmup_from_min_lr(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return min_lr + (lr - min_lr) * t / warmup_steps
    return warmup_cosine(t, lr, warmup_steps, total_steps, min_lr)


def _cosine_one_step_late(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    progress = (t - warmup_steps - 1) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (lr - min_lr) * (1 + np.cos(np.pi * progress))


def _cosine_ignores_min_lr(t, lr, warmup_steps, total_steps, min_lr):
    return warmup_cosine(t, lr, warmup_steps, total_steps, 0.0)


def _cosine_not_shifted(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    return min_lr + 0.5 * (lr - min_lr) * (1 + np.cos(np.pi * t / total_steps))


def _cosine_without_half(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (lr - min_lr) * (1 + np.cos(np.pi * progress))


def _cosine_without_pi(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (lr - min_lr) * (1 + np.cos(progress))


def warmup_cosine_lr(t, lr, warmup_steps, total_steps, min_lr):
    """The reference: η_t of course_lib.lr_curves.warmup_cosine."""
    return warmup_cosine(t, lr, warmup_steps, total_steps, min_lr)


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="Linear warm-up then cosine decay",
    points=2,
    function="warmup_cosine_lr",
    inputs=_schedule_cases,
    reference=warmup_cosine_lr,
    rtol=1e-9,
    mistakes={
        "η_1 is 0: the warm-up should reach η·t/T_w, so η_1 = η/T_w and η_{T_w} = η "
        "(t starts at 1)": _warmup_from_zero,
        "η_1 is 2η/T_w: t already starts at 1, so the warm-up is η·t/T_w with no + 1":
            _warmup_from_t_plus_one,
        "the warm-up starts from 0, η·t/T_w; only the cosine decay ends at η_min":
            _warmup_from_min_lr,
        "the cosine's progress is (t − T_w)/(T − T_w), which reaches 1 (and η_t = η_min) at "
        "t = T; you subtracted one step too many": _cosine_one_step_late,
        "the decay ends at 0 instead of η_min: write η_min + ½(η − η_min)(1 + cos(…))":
            _cosine_ignores_min_lr,
        "the cosine must start at the end of the warm-up: its progress is "
        "(t − T_w)/(T − T_w), not t/T": _cosine_not_shifted,
        "the cosine factor is ½(1 + cos(…)), which runs from 1 to 0; without the ½ it "
        "runs from 2 to 0": _cosine_without_half,
        "the cosine's angle is π·(t − T_w)/(T − T_w), running from 0 to π; without the π it "
        "stops at 1 radian and η_t never reaches η_min": _cosine_without_pi,
    },
    mutants=(
        Mutant("cos without π", _cosine_without_pi),
        Mutant("the warm-up counted from 0, η(t − 1)/T_w", _warmup_from_zero),
    ),
    forbidden=(warmup_cosine,),
))


# ---------------------------------------------------------------- q2 the range test
def _least_squares_cases(rng):
    cases = []
    for _ in range(4):
        n, d = int(rng.integers(20, 60)), int(rng.integers(2, 6))
        X = rng.normal(size=(n, d))
        y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
        cases.append((X, y, 1e-4, float(rng.uniform(2.0, 5.0)), int(rng.integers(12, 25))))
    return cases


def _mse_and_gradient(X, y, theta):
    residual = X @ theta - y
    return np.mean(residual**2), 2.0 * X.T @ residual / len(y)


def range_test_losses(X, y, lr_min, lr_max, num_steps):
    """The reference: course_lib.lr_finder on J(θ) = (1/n)‖Xθ − y‖², θ_0 = 0."""
    theta = np.zeros(X.shape[1])

    def step(lr):
        theta[:] -= lr * _mse_and_gradient(X, y, theta)[1]
        return _mse_and_gradient(X, y, theta)[0]

    return lr_range_test(step, lr_min, lr_max, num_steps)[1]


def _range_test_with(lrs, X, y, loss_before_step=False, gradient_factor=2.0):
    theta, losses = np.zeros(X.shape[1]), []
    for lr in lrs:
        if loss_before_step:
            losses.append(np.mean((X @ theta - y) ** 2))
        theta = theta - lr * gradient_factor * X.T @ (X @ theta - y) / len(y)
        if not loss_before_step:
            losses.append(np.mean((X @ theta - y) ** 2))
    return np.array(losses)


def _summed_squares(X, y, lr_min, lr_max, num_steps):
    return len(y) * _range_test_with(np.geomspace(lr_min, lr_max, num_steps), X, y)


def _initial_loss_too(X, y, lr_min, lr_max, num_steps):
    theta = np.zeros(X.shape[1])
    return np.concatenate([[np.mean((X @ theta - y) ** 2)],
                           _range_test_with(np.geomspace(lr_min, lr_max, num_steps), X, y)])


def _decreasing_lrs(X, y, lr_min, lr_max, num_steps):
    return _range_test_with(np.geomspace(lr_max, lr_min, num_steps), X, y)


def _linear_spacing(X, y, lr_min, lr_max, num_steps):
    return _range_test_with(np.linspace(lr_min, lr_max, num_steps), X, y)


def _loss_before_step(X, y, lr_min, lr_max, num_steps):
    return _range_test_with(np.geomspace(lr_min, lr_max, num_steps), X, y, loss_before_step=True)


def _gradient_without_two(X, y, lr_min, lr_max, num_steps):
    return _range_test_with(np.geomspace(lr_min, lr_max, num_steps), X, y, gradient_factor=1.0)


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="A learning-rate range test",
    points=3,
    function="range_test_losses",
    inputs=_least_squares_cases,
    reference=range_test_losses,
    rtol=1e-7,
    mistakes={
        "your η grows linearly: a range test multiplies η by the same factor each step, "
        "η_k = η_min·(η_max/η_min)^(k/(K−1)) (np.geomspace)": _linear_spacing,
        "you recorded J before each step; record the loss after the step taken with η_k":
            _loss_before_step,
        "the gradient of (1/n)‖Xθ − y‖² is (2/n)Xᵀ(Xθ − y): the factor 2 is missing":
            _gradient_without_two,
        "you also returned the loss at θ_0: return K losses, the loss after each of the K steps":
            _initial_loss_too,
        "your η decreases: a range test starts at η_min and multiplies it by the same factor "
        "each step up to η_max": _decreasing_lrs,
        "your losses are n times too large: J is the mean of the squared residuals, "
        "(1/n)‖Xθ − y‖² (np.mean, not np.sum)": _summed_squares,
    },
    mutants=(
        Mutant("one step too few", lambda X, y, lr_min, lr_max, num_steps: range_test_losses(
            X, y, lr_min, lr_max, num_steps)[:-1], "length"),
        Mutant("the learning rates in decreasing order", _decreasing_lrs),
    ),
    forbidden=(lr_range_test, range_test_lrs),
))


# ---------------------------------------------------------------- q3 reading the test
def _range_test_curves(rng):
    """Loss curves shaped like real range tests: a plateau, a steep fall, a minimum, a blow-up."""
    cases = []
    for index in range(5):
        k = int(rng.integers(20, 40))
        log_lrs = np.linspace(-5.0, float(rng.uniform(0.0, 1.0)), k)
        fall, rise = rng.uniform(-4.0, -3.0), rng.uniform(-1.5, -0.5)
        losses = (0.1 + 2.2 / (1 + np.exp(4 * (log_lrs - fall)))
                  + np.maximum(0.0, log_lrs - rise) ** 2 + 0.005 * rng.random(k))
        losses[-1] = np.inf if index == 0 else np.nan   # the run diverged
        if index == 4:  # one step whose loss came out NaN early on, before the minimum
            losses[2] = np.nan
        cases.append((10.0**log_lrs, losses))
    return cases


def _no_tenth(lrs, losses):
    return float(np.asarray(lrs)[np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))])


def _nan_not_ignored(lrs, losses):
    return float(np.asarray(lrs)[np.argmin(losses)] / 10)


def _steepest_drop(lrs, losses):
    finite = np.where(np.isfinite(losses), losses, np.nan)
    return float(np.asarray(lrs)[1:][np.nanargmin(np.diff(finite))] / 10)


def _index_of_the_best(lrs, losses):
    return int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))


def _dropped_losses_only(lrs, losses):
    losses = np.asarray(losses, dtype=float)
    finite = losses[np.isfinite(losses)]
    return float(np.asarray(lrs)[np.argmin(finite)] / 10)


def suggest_learning_rate(lrs, losses):
    """The reference: course_lib.lr_finder.suggest_lr."""
    return float(suggest_lr(lrs, losses))


register(Question(
    exercise=EXERCISE,
    id="q3",
    title="Reading a range test: one tenth of the best η",
    points=1,
    function="suggest_learning_rate",
    inputs=_range_test_curves,
    reference=suggest_learning_rate,
    rtol=1e-9,
    mistakes={
        "that is the η of the lowest loss itself: take one tenth of it, safely below "
        "where training becomes unstable": _no_tenth,
        "the diverged run's NaN/inf loss took part: np.argmin returns the index of the first "
        "NaN; ignore losses that are not finite": _nan_not_ignored,
        "you took the steepest drop of the loss; this question asks for one tenth of the "
        "η with the lowest loss": _steepest_drop,
        "you dropped the non-finite losses but not their learning rates, so the two no longer "
        "line up: keep lrs[finite] and losses[finite] together (or use np.nanargmin)":
            _dropped_losses_only,
        "you returned the index of the lowest loss; return a learning rate, one tenth of "
        "lrs at that index": _index_of_the_best,
    },
    mutants=(
        Mutant("NaN losses dropped without their learning rates", _dropped_losses_only),
        Mutant("ten times the best η instead of a tenth", lambda lrs, losses:
               100 * suggest_learning_rate(lrs, losses), "factor"),
    ),
    forbidden=(suggest_lr,),
))


# ---------------------------------------------------------------- q4 memory per optimizer
ASKED = {name: (row.cls, row.hyperparameters) for name, row in OPTIMIZERS.items()}
ASKED["Adam amsgrad"] = (optim.Adam, {"amsgrad": True})
"""The optimizers asked about: the course's table, and Adam with AMSGrad's third array."""


def optimizer_state_size(name, n):
    """The reference: floats an optimizer keeps for n parameters, besides θ and g.

    Counted by course_lib.optimizer_table.state_size from the state of course_lib.optim;
    Newton's method keeps the n×n Hessian.
    """
    if name == "Newton":
        return n * n
    cls, hyperparameters = ASKED[name]
    return state_size(cls, n, **hyperparameters)


def _state_cases(rng):
    names = list(ASKED) + ["Newton"]
    return [(name, int(rng.integers(10, 10_000))) for name in names]


def _one_moment_for_adam(name, n):
    two_moments = name.startswith("Adam") or name in ("NAdam", "RAdam")
    return n if two_moments else optimizer_state_size(name, n)


def _amsgrad_like_adam(name, n):
    return 2 * n if name == "Adam amsgrad" else optimizer_state_size(name, n)


def _adadelta_one_average(name, n):
    return n if name == "Adadelta" else optimizer_state_size(name, n)


def _counts_scalars(name, n):
    return optimizer_state_size(name, n) + (1 if name == "NAdam" else 0)


STEP_COUNTED = {name for name, (cls, _) in ASKED.items() if cls is not optim.SGD}
"""The optimizers whose PyTorch state holds a step counter t besides its arrays."""


def _counts_step_counter(name, n):
    return optimizer_state_size(name, n) + (1 if name in STEP_COUNTED else 0)


def _counts_step_counter_and_mu_product(name, n):
    return _counts_step_counter(name, n) + (1 if name == "NAdam" else 0)


def _counts_a_step_counter_with_any_state(name, n):
    return optimizer_state_size(name, n) + (0 if name in ("SGD", "Newton") else 1)


def _counts_a_step_counter_everywhere(name, n):
    return optimizer_state_size(name, n) + (0 if name == "Newton" else 1)


def _no_momentum_buffer(name, n):
    return 0 if name in ("Momentum", "Nesterov") else optimizer_state_size(name, n)


def _floats_per_parameter(name, n):
    return optimizer_state_size(name, n) if name == "Newton" else optimizer_state_size(name, 1)


def _bytes_of_float32(name, n):
    return 4 * optimizer_state_size(name, n)


def _bytes_of_float64(name, n):
    return 8 * optimizer_state_size(name, n)


def _counts_theta(name, n):
    return optimizer_state_size(name, n) + n


def _counts_theta_and_g(name, n):
    return optimizer_state_size(name, n) + 2 * n


def _adamw_three(name, n):
    return 3 * n if name == "AdamW" else optimizer_state_size(name, n)


def _rmsprop_two(name, n):
    return 2 * n if name == "RMSprop" else optimizer_state_size(name, n)


def _newton_linear(name, n):
    return n if name == "Newton" else optimizer_state_size(name, n)


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="Memory an optimizer keeps",
    points=2,
    function="optimizer_state_size",
    inputs=_state_cases,
    reference=optimizer_state_size,
    rtol=0,
    atol=0,
    mistakes={
        "Adam-type methods keep two arrays per parameter, the moments m and v "
        "(AMSGrad a third, the running maximum of v)": _one_moment_for_adam,
        "count only the state the optimizer adds: θ itself (and its gradient) exist "
        "for every optimizer": _counts_theta,
        "Newton's method keeps the Hessian, an n×n matrix: n² floats, not n": _newton_linear,
        "AMSGrad keeps a third array besides m and v: the running maximum of v, so 3n":
            _amsgrad_like_adam,
        "Adadelta keeps two running averages, of g² and of the squared updates Δθ²: 2n":
            _adadelta_one_average,
        "count arrays only: NAdam's product μ₁⋯μ_t is one number, like the step counter t":
            _counts_scalars,
        "you counted θ and its gradient g too (2n): count only the state the optimizer adds":
            _counts_theta_and_g,
        "count arrays only: the step counter t is one number, not an array like θ, and does "
        "not count": _counts_step_counter,
        "count arrays only: a step counter t is one number, not an array like θ (and SGD "
        "with momentum keeps none): it does not count": _counts_a_step_counter_with_any_state,
        "count arrays only: the step counter t (and NAdam's product μ₁⋯μ_t) is one number, "
        "not an array like θ, and does not count": _counts_step_counter_and_mu_product,
        "count arrays only: a step counter t is one number, not an array like θ (and plain SGD "
        "keeps none): it does not count": _counts_a_step_counter_everywhere,
        "Momentum and Nesterov keep the velocity v (PyTorch's momentum_buffer), one array "
        "like θ: n floats": _no_momentum_buffer,
        "you returned the floats per parameter; return them for all n parameters "
        "(Adam: 2n)": _floats_per_parameter,
        "you returned bytes (4 per float32 number); the question asks for the number of "
        "floats": _bytes_of_float32,
        "you returned bytes (8 per float64 number); the question asks for the number of "
        "floats": _bytes_of_float64,
    },
    mutants=(
        Mutant("θ and g counted in the state", _counts_theta_and_g),
        Mutant("AdamW counted as 3n", _adamw_three, "argument"),
        Mutant("RMSprop counted as 2n", _rmsprop_two, "argument"),
    ),
    forbidden=(state_size, *dict.fromkeys(row.cls for row in OPTIMIZERS.values())),
))
