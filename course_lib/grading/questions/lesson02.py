"""Exercise 02, stochastic and mini-batch gradient descent: questions, references, known mistakes.

The batches are those of ``course_lib.data.MiniBatches``: a generator
``np.random.default_rng(seed)`` created once; at the start of every epoch a
fresh ``rng.permutation(n)``, cut into batches of B in order, the last batch
holding the n mod B examples left over. The model is least squares,
J(θ) = 1/(2n) ‖Xθ − y‖², whose mini-batch gradient is
g_B(θ) = (1/|B|) X_Bᵀ(X_Bθ − y_B).
"""

import numpy as np

from course_lib import Parameter
from course_lib.data import MiniBatches
from course_lib.grading.registry import Mutant, Question, register
from course_lib.optim import SGD
from course_lib.optim.lr_scheduler import StepLR

EXERCISE = "02_stochastic_and_minibatch_gd"


# ------------------------------------------------------------------ q1: shuffled batches
def minibatch_indices(n, batch_size, epochs, seed):
    """The index batches of ``epochs`` shuffled passes over n examples (a list of int arrays)."""
    loader = MiniBatches(np.arange(n), np.arange(n), batch_size, seed=seed)
    return [index for _ in range(epochs) for index, _ in loader]


def _index_cases(rng):
    return [(10, 3, 2, int(rng.integers(1000))), (12, 4, 3, int(rng.integers(1000))),
            (7, 7, 2, int(rng.integers(1000))), (20, 6, 2, int(rng.integers(1000)))]


def _cut(order, batch_size, drop_last=False):
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    return [order[i:i + batch_size] for i in range(0, stop, batch_size)]


def _not_shuffled(n, batch_size, epochs, seed):
    return [b for _ in range(epochs) for b in _cut(np.arange(n), batch_size)]


def _same_permutation(n, batch_size, epochs, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [b for _ in range(epochs) for b in _cut(order, batch_size)]


def _last_dropped(n, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    return [b for _ in range(epochs) for b in _cut(rng.permutation(n), batch_size, True)]


def _legacy_generator(n, batch_size, epochs, seed):
    rng = np.random.RandomState(seed)
    return [b for _ in range(epochs) for b in _cut(rng.permutation(n), batch_size)]


def _choice_per_batch(n, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    return [rng.choice(n, size=len(b), replace=False)
            for _ in range(epochs) for b in _cut(np.arange(n), batch_size)]


def _one_epoch_more(n, batch_size, epochs, seed):
    return minibatch_indices(n, batch_size, epochs + 1, seed)


def _seeded_every_epoch(n, batch_size, epochs, seed):
    return [b for epoch in range(epochs)
            for b in _cut(np.random.default_rng(seed + epoch).permutation(n), batch_size)]


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="A shuffling mini-batch iterator",
    points=2,
    function="minibatch_indices",
    inputs=_index_cases,
    reference=minibatch_indices,
    rtol=0,
    atol=0,
    mistakes={
        "your batches are not shuffled: draw rng.permutation(n) at the start of every epoch":
            _not_shuffled,
        "every epoch repeats the same permutation: create the generator once, before the "
        "epoch loop, and draw a new permutation inside it": _same_permutation,
        "the last, smaller batch is missing: an epoch uses every example once, so keep the "
        "n mod B examples left over as a final batch": _last_dropped,
        "you used NumPy's legacy generator (np.random.seed / RandomState): use "
        "rng = np.random.default_rng(seed)": _legacy_generator,
        "each batch is drawn on its own (rng.choice): then an example can appear in two "
        "batches of one epoch and another in none; draw one permutation per epoch and cut it":
            _choice_per_batch,
        "you made a new generator for every epoch: create rng = np.random.default_rng(seed) "
        "once, before the epoch loop, and draw each epoch's permutation from it":
            _seeded_every_epoch,
    },
    mutants=(
        Mutant("one epoch too many", _one_epoch_more, ("length", "changed")),
        Mutant("a new generator seeded with seed + epoch every epoch", _seeded_every_epoch),
    ),
    forbidden=(minibatch_indices, MiniBatches),
))


# ------------------------------------------------------------------ q2: mini-batch SGD
def sgd_linear_regression(X, y, theta0, lr, batch_size, epochs, seed):
    """Mini-batch SGD on J(θ) = 1/(2n)‖Xθ − y‖² with the batches of q1; returns the final θ."""
    theta = Parameter(np.array(theta0, dtype=float))
    optimizer = SGD([theta], lr=lr)
    loader = MiniBatches(X, y, batch_size, seed=seed)
    for _ in range(epochs):
        for Xb, yb in loader:
            optimizer.zero_grad()
            theta.grad = Xb.T @ (Xb @ theta.data - yb) / len(yb)
            optimizer.step()
    return theta.data


def _sgd_cases(rng):
    cases = []
    for n, d, lr, batch_size, epochs in [(40, 2, 0.1, 8, 3), (30, 3, 0.05, 7, 2),
                                         (25, 2, 0.1, 1, 2), (50, 4, 0.1, 50, 5)]:
        X = rng.normal(scale=0.7, size=(n, d))
        y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
        cases.append((X, y, np.zeros(d), lr, batch_size, epochs, int(rng.integers(1000))))
    return cases


def _sgd_variant(scale, shuffle=True, full=False):
    """SGD with the gradient's divisor replaced: scale(len(batch), B, n) → the divisor."""
    def run(X, y, theta0, lr, batch_size, epochs, seed):
        theta, n = np.array(theta0, dtype=float), len(y)
        rng = np.random.default_rng(seed)
        for _ in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            for batch in _cut(order, batch_size):
                Xb, yb = (X, y) if full else (X[batch], y[batch])
                theta = theta - lr * Xb.T @ (Xb @ theta - yb) / scale(len(yb), batch_size, n)
        return theta
    return run


def _one_epoch_too_many(X, y, theta0, lr, batch_size, epochs, seed):
    return sgd_linear_regression(X, y, theta0, lr, batch_size, epochs + 1, seed)


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="Mini-batch SGD for linear regression",
    points=3,
    function="sgd_linear_regression",
    inputs=_sgd_cases,
    reference=sgd_linear_regression,
    rtol=1e-9,
    atol=1e-12,
    mistakes={
        "the batch gradient is summed, not averaged: divide by the batch's size":
            _sgd_variant(lambda size, B, n: 1),
        "the batch gradient is divided by n, the size of the whole data set; g_B averages "
        "over the batch, so divide by len(batch)": _sgd_variant(lambda size, B, n: n),
        "the last, smaller batch is divided by B instead of its own size: use len(batch)":
            _sgd_variant(lambda size, B, n: B),
        "the examples are not shuffled: draw a new permutation every epoch, as in q1":
            _sgd_variant(lambda size, B, n: size, shuffle=False),
        "every step uses the full gradient over all n examples: use only the batch's rows":
            _sgd_variant(lambda size, B, n: n, full=True),
        "your θ moves uphill: the update subtracts the gradient, θ ← θ − η g_B":
            _sgd_variant(lambda size, B, n: -size),
        "one epoch too many: `for epoch in range(epochs)` makes exactly `epochs` passes over "
        "the data": _one_epoch_too_many,
    },
    mutants=(
        Mutant("the update adds the gradient, θ + η g_B", _sgd_variant(lambda size, B, n: -size)),
        Mutant("one epoch too many", _one_epoch_too_many),
    ),
    forbidden=(sgd_linear_regression, SGD, MiniBatches),
))


# ------------------------------------------------------------------ q3: variance
def minibatch_gradient_variance(X, y, theta, batch_size):
    """E‖g_B − ∇J‖² for a batch of B examples drawn uniformly without replacement.

    With per-example gradients gᵢ = xᵢ(xᵢᵀθ − yᵢ), their mean ∇J and their spread
    σ² = (1/n) Σ ‖gᵢ − ∇J‖²:  E‖g_B − ∇J‖² = (σ²/B) · (n − B)/(n − 1).
    """
    G = X * (X @ theta - y)[:, None]
    n = len(y)
    sigma2 = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    return float(sigma2 / batch_size * (n - batch_size) / (n - 1))


def _variance_cases(rng):
    cases = []
    for n, d, batch_size in [(50, 2, 5), (20, 3, 1), (40, 2, 20), (30, 4, 30)]:
        X, y = rng.normal(size=(n, d)), rng.normal(size=n)
        cases.append((X, y, rng.normal(size=d), batch_size))
    return cases


def _spread(X, y, theta, ddof=0):
    G = X * (X @ theta - y)[:, None]
    return np.sum((G - G.mean(axis=0)) ** 2) / (len(y) - ddof)


def _with_replacement(X, y, theta, batch_size):
    return _spread(X, y, theta) / batch_size


def _not_divided_by_B(X, y, theta, batch_size):
    n = len(y)
    return _spread(X, y, theta) * (n - batch_size) / (n - 1)


def _sample_variance(X, y, theta, batch_size):
    n = len(y)
    return _spread(X, y, theta, ddof=1) / batch_size * (n - batch_size) / (n - 1)


def _per_coordinate(X, y, theta, batch_size):
    G = X * (X @ theta - y)[:, None]
    n = len(y)
    return G.var(axis=0) / batch_size * (n - batch_size) / (n - 1)


def _correction_over_n(X, y, theta, batch_size):
    n = len(y)
    return _spread(X, y, theta) / batch_size * (n - batch_size) / n


def _not_centred(X, y, theta, batch_size):
    G = X * (X @ theta - y)[:, None]
    n = len(y)
    return np.mean(np.sum(G**2, axis=1)) / batch_size * (n - batch_size) / (n - 1)


def _over_sqrt_B(X, y, theta, batch_size):
    n = len(y)
    return _spread(X, y, theta) / np.sqrt(batch_size) * (n - batch_size) / (n - 1)


def _standard_deviation(X, y, theta, batch_size):
    return np.sqrt(minibatch_gradient_variance(X, y, theta, batch_size))


def _factor_inverted(X, y, theta, batch_size):
    n = len(y)
    with np.errstate(divide="ignore"):
        return _spread(X, y, theta) / batch_size * (n - 1) / np.float64(n - batch_size)


register(Question(
    exercise=EXERCISE,
    id="q3",
    title="The variance of the mini-batch gradient",
    points=2,
    function="minibatch_gradient_variance",
    inputs=_variance_cases,
    reference=minibatch_gradient_variance,
    rtol=1e-9,
    mistakes={
        "the finite-population factor (n − B)/(n − 1) is missing: σ²/B is the variance for "
        "batches drawn with replacement": _with_replacement,
        "you did not divide by B: averaging B gradients divides the variance by B":
            _not_divided_by_B,
        "σ² here is the mean over all n examples, (1/n) Σ ‖gᵢ − ∇J‖², not the sample "
        "variance with 1/(n − 1)": _sample_variance,
        "you returned one variance per coordinate: sum them, E‖g_B − ∇J‖² is one number":
            _per_coordinate,
        "the finite-population factor is (n − B)/(n − 1), not (n − B)/n": _correction_over_n,
        "σ² is the spread around the mean, (1/n) Σ ‖gᵢ − ∇J‖²: subtract ∇J before squaring":
            _not_centred,
        "the variance falls like 1/B (it is the standard deviation that falls like 1/√B)":
            _over_sqrt_B,
        "that is a standard deviation (you took a square root): the question asks for the "
        "variance E‖g_B − ∇J‖² itself": _standard_deviation,
        "the finite-population factor is upside down: (n − B)/(n − 1) shrinks the variance, "
        "to 0 when the batch is the whole data set": _factor_inverted,
    },
    mutants=(
        Mutant("the standard deviation instead of the variance", _standard_deviation),
        Mutant("the finite-population factor inverted, (n − 1)/(n − B)", _factor_inverted),
    ),
    forbidden=(minibatch_gradient_variance,),
))


# ------------------------------------------------------------------ q4: step decay
def step_decay_lr(lr0, gamma, step_size, epoch):
    """η at ``epoch`` (counted from 0) under step decay: η₀ γ^⌊epoch / step_size⌋ (StepLR)."""
    optimizer = SGD([Parameter(np.zeros(1))], lr=lr0)
    scheduler = StepLR(optimizer, step_size=step_size, gamma=gamma)
    for _ in range(epoch):
        optimizer.step()
        scheduler.step()
    return float(scheduler.get_last_lr()[0])


def _decay_cases(rng):
    return [(0.1, 0.5, 3, 0), (0.1, 0.5, 3, 2), (0.1, 0.5, 3, 3), (0.3, 0.1, 10, 25),
            (1.0, 0.9, 4, 17)]


def _one_epoch_early(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** ((epoch + 1) // step_size)


def _no_floor(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** (epoch / step_size)


def _every_epoch(lr0, gamma, step_size, epoch):
    return lr0 * gamma**epoch


def _remainder(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** (epoch % step_size)


def _rounded_up(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** -(-epoch // step_size)


def _one_decay_more(lr0, gamma, step_size, epoch):
    return lr0 * gamma ** (epoch // step_size + 1)


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="A step-decay schedule",
    points=1,
    function="step_decay_lr",
    inputs=_decay_cases,
    reference=step_decay_lr,
    rtol=1e-12,
    mistakes={
        "the decay comes one epoch early: epochs 0 … step_size − 1 keep η₀, the first decay "
        "is at epoch = step_size": _one_epoch_early,
        "γ^(epoch/step_size) without rounding down is exponential decay; step decay keeps η "
        "constant within each block of step_size epochs (use //)": _no_floor,
        "you multiply by γ every epoch: that ignores step_size": _every_epoch,
        "the exponent is ⌊epoch/step_size⌋, the number of whole blocks (epoch // step_size), "
        "not the remainder epoch % step_size": _remainder,
        "rounding up (ceil) decays step_size − 1 epochs early: epochs 1 … step_size already "
        "get γ. Round down, epoch // step_size": _rounded_up,
    },
    mutants=(
        Mutant("epoch % step_size for the exponent", _remainder),
        Mutant("ceil(epoch / step_size) for the exponent", _rounded_up),
        Mutant("one decay too many from the start", _one_decay_more, "factor"),
    ),
    forbidden=(step_decay_lr, StepLR),
))
