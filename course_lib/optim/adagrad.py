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

        g_t ← g_t + λ θ_t                          (weight decay λ, if λ > 0)
        η_t = η / (1 + (t − 1) · lr_decay)
        s_t = s_{t−1} + g_t²                       (s_0 = initial_accumulator_value)
        θ_{t+1} = θ_t − η_t g_t / (√s_t + ε)

    s only grows, so every coordinate's step only shrinks (for a gradient of
    constant size it is η/√t): a rarely active (sparse) feature keeps a large
    step, but where learning must go on it slows to a crawl. It never stops
    outright: the distance travelled, about 2η√t, still grows. State:
    ``step`` (t) and ``sum`` (s).
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
        return {"step": 0, "sum": np.full_like(theta, group["initial_accumulator_value"])}

    def _update(self, theta, g, state, group, work):
        t = state["step"] = state["step"] + 1
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * theta       # g_t ← g_t + λ θ_t
        eta_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        # s_t = s_{t−1} + g_t²
        s = state["sum"]
        s += np.square(g, out=work)
        # θ_{t+1} = θ_t − η_t g_t / (√s_t + ε)
        denominator = np.sqrt(s, out=work)
        denominator += group["eps"]
        step = np.divide(g, denominator, out=work)
        step *= eta_t
        theta -= step
