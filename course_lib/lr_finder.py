"""The learning-rate range test: one short run with η growing geometrically.

Start at a tiny η and multiply it by the same factor after every step, up to a
huge one, recording one loss for each step k = 0, 1, …, K−1:

    η_k = η_min · (η_max / η_min)^(k / (K − 1)).

Plotted against η on a log axis, the loss first stays flat (η too small to
move θ), then falls (η useful), then shoots up (η beyond the stability limit).
A common rule of thumb takes one tenth of the η at which the recorded loss is
lowest: large enough to learn fast, safely below where training blows up.
Smith ("Cyclical learning rates for training neural networks", 2017) introduced
the range test: η grows linearly over a few epochs, and one reads off where
the accuracy starts to rise and where it degrades. The geometric sweep, the
"one tenth of the minimum" rule and stopping once the loss exceeds 4 times its
lowest value (``stop_factor=4``) are the conventions of fastai's ``lr_find``.
"""

import numbers

import numpy as np


def range_test_lrs(lr_min, lr_max, num_steps):
    """The K = ``num_steps`` learning rates η_k = η_min · (η_max/η_min)^(k/(K−1)), k = 0…K−1.

    Introduced in lesson 6.
    """
    for name, value in (("lr_min", lr_min), ("lr_max", lr_max)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must be larger than lr_min, got lr_min={lr_min}, lr_max={lr_max}")
    if isinstance(num_steps, bool) or not isinstance(num_steps, numbers.Integral) or num_steps < 2:
        raise ValueError(f"num_steps must be an integer >= 2, got {num_steps!r}")
    return np.geomspace(lr_min, lr_max, num_steps)


def lr_range_test(step, lr_min, lr_max, num_steps, stop_factor=None):
    """Run ``step(η_k)`` for the geometric sequence of ``range_test_lrs`` and record the losses.

    ``step(lr)`` makes one optimizer step at learning rate ``lr`` and returns the
    loss recorded for it, a number: on a full-batch problem the loss after the
    step; with mini-batches, usually the loss of the batch the step was computed
    on (no extra forward pass).
    With ``stop_factor`` the test ends early once the loss is not finite or
    exceeds ``stop_factor`` times the lowest loss so far (it has diverged).
    Returns ``(lrs, losses)``, two arrays of the same length.

    Introduced in lesson 6.
    """
    if not callable(step):
        raise TypeError(f"step must be a function lr -> loss, got {step!r}")
    if stop_factor is not None and not stop_factor > 1:
        raise ValueError(f"stop_factor must be larger than 1 (or None), got {stop_factor!r}")
    lrs, losses = range_test_lrs(lr_min, lr_max, num_steps), []
    for lr in lrs:
        losses.append(float(step(float(lr))))
        if stop_factor is not None and not losses[-1] <= stop_factor * min(losses):
            break  # NaN, inf, or far above the best loss: diverged
    return lrs[: len(losses)], np.array(losses)


def suggest_lr(lrs, losses):
    """One tenth of the η whose recorded loss is lowest (non-finite losses are ignored).

    Introduced in lesson 6.
    """
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    if lrs.ndim != 1 or lrs.shape != losses.shape or lrs.size == 0:
        raise ValueError(
            f"lrs and losses must be 1-D arrays of the same non-zero length, "
            f"got shapes {lrs.shape} and {losses.shape}"
        )
    finite = np.isfinite(losses)
    if not finite.any():
        raise ValueError("every recorded loss is NaN or infinite: "
                         "start the test at a smaller lr_min")
    best = np.argmin(np.where(finite, losses, np.inf))
    return lrs[best] / 10.0
