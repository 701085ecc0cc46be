"""Runs: the iterates θ₀, θ₁, …, θ_T of an optimizer driven by a gradient, as an array.

* ``run_optimizer`` runs one optimizer from one start (θ of any shape);
* ``run_update_step`` runs an update step written from scratch the same way;
* ``run_together`` runs several optimizers from the same start on a surface, one step of
  all of them at a time, evaluating the gradient once per step at all their points (what
  the explorers use, so a slider move costs T gradient calls, not one run after another);
  ``steps_together`` gives those steps one at a time, so the runs can go on later;
* ``run_minibatch`` runs mini-batch training of a ``surfaces.LeastSquaresLine``.

Every optimizer is a class of ``course_lib.optim`` (or any callable
``optimizer(params, **hyperparameters)`` returning an object with ``step()``) and its
hyperparameters; step t = 1, 2, … sets g_t = ∇J(θ_{t−1}) on a ``Parameter`` and calls ``step()``,
exactly as a training loop does. A run that diverges (a coordinate beyond ±``DIVERGED``,
or a non-finite gradient) has NaN rows from there on, so plots simply stop.
"""

import numpy as np

from course_lib.data import MiniBatches
from course_lib.parameter import Parameter

DIVERGED = 1e8
"""A run with a coordinate of θ beyond ±1e8 (or a non-finite gradient) counts as diverged."""


def check_steps(steps):
    """Raise ValueError unless ``steps`` (the T of a run) is a non-negative integer."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")


def _escaped(theta):
    return not np.all(np.isfinite(theta)) or np.abs(theta).max() > DIVERGED


def run_optimizer(gradient, start, optimizer, steps, **hyperparameters):
    """Iterates θ₀ … θ_T of ``optimizer`` driven by ``gradient``: an array (T+1, *θ.shape).

    θ may have any shape: a point (θ₁, θ₂) of a 2-D surface, a vector, a scalar.
    Step t = 1, 2, … sets g_t = ∇J(θ_{t−1}) = ``gradient(θ_{t−1})`` (same shape as θ)
    on a ``Parameter`` and calls ``optimizer.step()``, which writes θ_t, exactly as a
    training loop does.
    If the run diverges (a coordinate beyond ±``DIVERGED``, or a non-finite
    gradient), the remaining rows are NaN, so plots simply stop there.

    Introduced in lesson 0.
    """
    check_steps(steps)
    theta = Parameter(np.array(start, dtype=float))
    if theta.data.size == 0:
        raise ValueError("start must hold at least one number, got an empty array")
    opt = optimizer([theta], **hyperparameters)
    path = np.full((steps + 1,) + theta.shape, np.nan)
    path[0] = theta.data
    for t in range(1, steps + 1):
        g = np.asarray(gradient(theta.data), dtype=float)
        if g.shape != theta.shape:
            raise ValueError(f"gradient(θ) must have the shape of θ, {theta.shape}; "
                             f"got shape {g.shape}")
        if not np.all(np.isfinite(g)):
            break
        theta.grad = g
        opt.step()
        if _escaped(theta.data):
            break
        path[t] = theta.data
    return path


def run_update_step(step, gradient, start, steps, **hyperparameters):
    """Iterates θ₀ … θ_T of an update step written from scratch: an array (T+1, *θ.shape).

    ``step(θ, g, state, t, **hyperparameters)`` returns θ_t from θ_{t−1}, g_t =
    ``gradient(θ_{t−1})`` and the step counter t = 1, 2, …; it keeps what it needs (m, v, …)
    in the dict ``state``, empty before step 1. The same loop as ``run_optimizer``, so a
    lesson's own step can be run beside the course_lib optimizer it is checked against.
    No divergence check: a from-scratch step shows what it computes.

    Introduced in lesson 4.
    """
    check_steps(steps)
    theta, state = np.array(start, dtype=float), {}
    path = [theta.copy()]
    for t in range(1, steps + 1):
        theta = step(theta, gradient(theta), state, t, **hyperparameters)
        path.append(np.array(theta, dtype=float))
    return np.array(path)


def run_together(gradient, start, runs, steps):
    """The paths of several optimizers from one start, shape (k, T+1, n): row i is run i.

    ``runs`` is a list of k pairs ``(optimizer class, hyperparameters)``; ``gradient``
    takes a stack of points of shape (k, n) and returns their gradients, shape (k, n)
    (as every surface of ``course_lib.surfaces`` does). The runs step together: at
    step t the gradient is evaluated once, at all k points θ_t⁽ⁱ⁾, and each optimizer
    takes its step from its own gradient (see ``steps_together``).
    Each path equals ``run_optimizer(gradient, start, cls, steps, **hyperparameters)``;
    a diverged run stops (NaN rows) while the others go on.

    Behind the surface explorers of lessons 1, 3 and 4.
    """
    check_steps(steps)
    iterates = steps_together(gradient, start, runs)
    rows = [next(iterates) for _ in range(steps + 1)]   # θ_0, θ_1, …, θ_T of every run
    return np.stack(rows, axis=1)


def steps_together(gradient, start, runs):
    """θ_0, θ_1, θ_2, … of several optimizers stepping together: a generator of (k, n) arrays.

    Row i of the t-th array is θ_t of run i (NaN once that run has diverged). Runs of the
    same class share one optimizer, each run its own parameter group (its own
    hyperparameters), as in torch.optim. The generator never ends: take as many steps as
    needed, and more later (an explorer whose steps slider moves up goes on from where
    it stopped instead of running again from θ_0). ``run_together`` takes T + 1 of them.

    Behind the surface explorers of lessons 1, 3 and 4.
    """
    start = np.array(start, dtype=float).ravel()
    if start.size == 0:
        raise ValueError("start must hold at least one number, got an empty array")
    if not runs:
        raise ValueError("runs must hold at least one (optimizer, hyperparameters) pair")
    thetas = [Parameter(start.copy()) for _ in runs]
    by_class = {}
    for theta, (cls, hyperparameters) in zip(thetas, runs):
        by_class.setdefault(cls, []).append({"params": [theta], **hyperparameters})
    optimizers = [cls(groups) for cls, groups in by_class.items()]
    alive = np.ones(len(runs), dtype=bool)
    points = np.tile(start, (len(runs), 1))
    yield points.copy()
    while alive.any():
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.asarray(gradient(points), dtype=float)
            if g.shape != points.shape:
                raise ValueError(f"gradient must map points of shape {points.shape} to "
                                 f"gradients of that shape; got shape {g.shape}")
            alive &= np.isfinite(g).all(axis=1)
            for i, theta in enumerate(thetas):
                theta.grad = g[i] if alive[i] else None   # a stopped run is skipped by step()
            for optimizer in optimizers:
                optimizer.step()
            moved = np.array([theta.data for theta in thetas])
            alive &= np.isfinite(moved).all(axis=1) & (np.abs(moved).max(axis=1) <= DIVERGED)
        points[alive] = moved[alive]   # a stopped run keeps its last point, not shown
        yield np.where(alive[:, None], points, np.nan)
    while True:   # every run has diverged
        yield np.full_like(points, np.nan)


def run_minibatch(problem, start, optimizer, batch_size, epochs, seed=0, **hyperparameters):
    """Iterates of mini-batch training: every epoch reshuffles, then one step per batch.

    The batches come from ``course_lib.data.MiniBatches(problem.x, problem.y,
    batch_size, seed=seed)``; ``problem`` is a ``surfaces.LeastSquaresLine``. Returns the
    path, shape (1 + epochs·⌈n/B⌉, 2), NaN rows after a divergence.

    Introduced in lesson 2.
    """
    if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= problem.n:
        raise ValueError(f"batch_size must be an integer from 1 to n = {problem.n}, "
                         f"got {batch_size!r}")
    loader = MiniBatches(problem.x, problem.y, int(batch_size), seed=seed)
    schedule = iter([batch for _ in range(epochs) for batch in loader])
    return run_optimizer(lambda theta: problem.gradient(theta, *next(schedule)), start,
                         optimizer, epochs * len(loader), **hyperparameters)
