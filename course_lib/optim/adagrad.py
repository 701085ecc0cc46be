"""Adagrad: each coordinate's step shrinks with the sum of its squared gradients."""

import numpy as np

from course_lib.optim.optimizer import (
    Optimizer,
    check_eps,
    check_lr,
    check_number,
    check_weight_decay,
)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), as ``torch.optim.Adagrad``.

    Step t (from 1), all operations per coordinate::

        g_t ← g_t + λ θ_{t−1}                      (weight decay λ, if λ > 0)
        η_t = η / (1 + (t − 1) · lr_decay)
        s_t = s_{t−1} + g_t²                       (s_0 = initial_accumulator_value)
        θ_t = θ_{t−1} − η_t g_t / (√s_t + ε)

    s only grows, so every coordinate's step only shrinks (for a gradient of
    constant size it is η/√t): a rarely active (sparse) feature keeps a large
    step, but where learning must go on it slows to a crawl. It never stops
    outright: the distance travelled, about 2η√t, still grows. State:
    ``step`` (t) and ``sum`` (s).

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps})

    def _check_hyperparameters(self, group):
        check_lr(group)
        check_number("lr_decay", group["lr_decay"], 0, meaning="learning-rate decay")
        check_weight_decay(group)
        check_number("initial_accumulator_value", group["initial_accumulator_value"], 0,
                     meaning="initial accumulator value")
        check_eps(group)

    def _init_state(self, theta, group):
        return adagrad_init(theta, group["initial_accumulator_value"])

    def _update(self, theta, g, state, group):
        return adagrad_update(theta, g, state, **self._hyperparameters(group))


def adagrad_init(theta, initial_accumulator_value=0):
    """The state before step 1: t = 0 and G_0 = ``initial_accumulator_value`` everywhere.

    Introduced in lesson 4.
    """
    return {"step": 0, "sum": np.full_like(theta, initial_accumulator_value)}


def adagrad_update(theta, g, state, *, lr=1e-2, lr_decay=0, weight_decay=0,
                   initial_accumulator_value=0, eps=1e-10):
    """One step of :class:`Adagrad` (lesson 4): returns (θ_t, new state), changes nothing."""
    t = state["step"] + 1
    if weight_decay != 0:
        g = g + weight_decay * theta                # g_t ← g_t + λ θ_{t−1}
    eta_t = lr / (1 + (t - 1) * lr_decay)           # η_t = η / (1 + (t − 1) · lr_decay)
    G = state["sum"] + g**2                         # G_t = G_{t−1} + g_t²
    theta = theta - eta_t * g / (np.sqrt(G) + eps)  # θ_t = θ_{t−1} − η_t g_t / (√G_t + ε)
    return theta, {"step": t, "sum": G}
