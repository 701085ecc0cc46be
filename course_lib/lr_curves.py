"""Learning-rate schedules as curves: η_t against the step counter t = 1, 2, …

``lr_curve`` records the η a scheduler from :mod:`course_lib.optim.lr_scheduler`
hands to its optimizer at each step, so any schedule can be plotted.
``warmup_cosine`` is the schedule most large networks are trained with, in
closed form: a linear warm-up over the first T_w steps, then a cosine decay to
η_min at the last step T:

    η_t = η · t / T_w                                              for 1 ≤ t ≤ T_w,
    η_t = η_min + ½ (η − η_min) (1 + cos(π (t − T_w) / (T − T_w)))   for T_w < t ≤ T.

η is the peak learning rate, reached at t = T_w.
"""

import numbers

import numpy as np


def lr_curve(scheduler, num_steps):
    """The learning rates η_1, …, η_T (T = ``num_steps``) of the first parameter group.

    Each step reads η_t from ``scheduler.optimizer``, then makes the optimizer step
    (a no-op while no parameter has a gradient) and, between two readings, the
    scheduler step, in the order a training loop uses. The scheduler is
    advanced T − 1 times: build a fresh one to use it for training afterwards.

    Introduced in lesson 6.
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, numbers.Integral) or num_steps < 1:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}")
    optimizer, lrs = scheduler.optimizer, [scheduler.optimizer.param_groups[0]["lr"]]
    for _ in range(num_steps - 1):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs)


def warmup_cosine(t, lr, warmup_steps, total_steps, min_lr=0.0):
    """η_t of a linear warm-up over T_w = ``warmup_steps`` then a cosine decay to η_min at T.

    ``t`` is a step counter 1 ≤ t ≤ T (an integer or an array of them), ``lr``
    the peak η, ``total_steps`` = T > T_w ≥ 1, ``min_lr`` = η_min ≤ η.
    With η_min = 0 the last step, t = T, has η_T = 0 and does not move θ; to
    make all T steps count, give η_min > 0 or evaluate the curve with T + 1.

    Introduced in lesson 6.
    """
    _check_schedule(lr, warmup_steps, total_steps, min_lr)
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 1) or np.any(t > total_steps):
        raise ValueError(f"t must hold integers from 1 to total_steps={total_steps}, got {t!r}")
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    cosine = min_lr + 0.5 * (lr - min_lr) * (1.0 + np.cos(np.pi * progress))
    eta = np.where(t <= warmup_steps, lr * t / warmup_steps, cosine)
    return float(eta) if eta.ndim == 0 else eta


def _check_schedule(lr, warmup_steps, total_steps, min_lr):
    for name, value in (("warmup_steps", warmup_steps), ("total_steps", total_steps)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if total_steps <= warmup_steps:
        raise ValueError(
            f"total_steps must exceed warmup_steps, got total_steps={total_steps}, "
            f"warmup_steps={warmup_steps}"
        )
    if not 0 <= min_lr <= lr:
        raise ValueError(f"need 0 <= min_lr <= lr, got min_lr={min_lr!r}, lr={lr!r}")
