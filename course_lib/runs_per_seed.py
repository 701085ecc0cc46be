"""Many runs of mini-batch training at once, one per seed: the spread of a stochastic result.

A conclusion drawn from one noisy run can be seed luck, so the lessons repeat each stochastic
experiment over several seeds. On the least-squares line of lesson 2,

    J(θ) = 1/(2n) Σᵢ (θ₁xᵢ + θ₂ − yᵢ)²,   g_B(θ) = 1/B Σ_{i∈B} (θ₁xᵢ + θ₂ − yᵢ)·(xᵢ, 1),

``minibatch_runs`` trains S copies side by side: the parameter is one array of shape (S, 2),
row s is run s, and every row draws its own batches from its own seed. The course's
optimizers act element by element, so one ``optimizer.step()`` is S independent steps with
exactly the semantics of ``torch.optim`` (momentum, Nesterov, …). Row s with shuffling is
the same run as ``runners.run_minibatch(…, seed=s)``.
"""

import numpy as np

from course_lib.parameter import Parameter

SAMPLINGS = ("shuffle", "independent")


def minibatch_runs(problem, start, optimizer, batch_size, steps, seeds, sampling="shuffle",
                   lr_at=None, **hyperparameters):
    """Iterates θ₀ … θ_steps of one mini-batch run per seed, shape (steps + 1, S, 2).

    ``problem`` is a ``surfaces.LeastSquaresLine`` (anything with ``x`` and ``y``);
    ``optimizer`` a class from ``course_lib.optim`` with its ``hyperparameters`` (``lr``, …).
    ``sampling="shuffle"`` takes the batches of a fresh permutation every epoch (as
    ``data.MiniBatches``; B must divide n); ``"independent"`` draws every batch of B
    examples anew, with replacement, independently of all others. ``lr_at(t)``, if
    given, sets η for step t = 1, 2, … (a schedule). A run that overflows continues as NaN.

    Introduced in lesson 2.
    """
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    x, y = np.asarray(problem.x, dtype=float), np.asarray(problem.y, dtype=float)
    n = x.size
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer from 1 to n = {n}, got {batch_size!r}")
    if sampling == "shuffle" and n % batch_size:
        raise ValueError(f"with shuffled epochs the batch size must divide n = {n} "
                         f"(got {batch_size}), so that every step uses a full batch")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    batches = np.stack([_batches(np.random.default_rng(seed), n, batch_size, steps, sampling)
                        for seed in seeds], axis=1)            # (steps, S, B) example indices
    theta = Parameter(np.tile(np.asarray(start, dtype=float), (len(seeds), 1)))
    opt = optimizer([theta], **hyperparameters)
    path = np.empty((steps + 1, len(seeds), 2))
    path[0] = theta.data
    x_batches, y_batches = x[batches], y[batches]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            xb, yb = x_batches[t - 1], y_batches[t - 1]              # (S, B) each
            residual = theta.data[:, :1] * xb + theta.data[:, 1:] - yb
            if lr_at is not None:
                opt.param_groups[0]["lr"] = lr_at(t)
            opt.zero_grad()
            grad = np.empty_like(theta.data)
            grad[:, 0] = (residual * xb).sum(axis=1) / xb.shape[1]
            grad[:, 1] = residual.sum(axis=1) / xb.shape[1]
            theta.grad = grad
            opt.step()
            path[t] = theta.data
    return path


def _batches(rng, n, batch_size, steps, sampling):
    """The index batches of one run, shape (steps, B): B-sized slices of the samples."""
    if sampling == "independent":
        return rng.integers(0, n, (steps, batch_size))
    epochs = -(-steps * batch_size // n)
    order = np.concatenate([rng.permutation(n) for _ in range(epochs)])
    return order[:steps * batch_size].reshape(steps, batch_size)
