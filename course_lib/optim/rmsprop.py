"""RMSprop: divide each coordinate's gradient by a running root-mean-square of its past values."""

import numpy as np

from course_lib.optim.optimizer import (
    Optimizer,
    check_eps,
    check_lr,
    check_number,
    check_weight_decay,
)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012, Coursera lecture 6.5), as ``torch.optim.RMSprop``.

    With decay α (``alpha``; the lectures call it ρ or β), step t does::

        g_t ← g_t + λ θ_t                          (weight decay λ, if λ > 0)
        v_t = α v_{t−1} + (1 − α) g_t²             (v_0 = 0)
        d_t = √v_t + ε
        θ_{t+1} = θ_t − η g_t / d_t

    ``centered=True`` also tracks the mean gradient ḡ_t = α ḡ_{t−1} + (1 − α) g_t
    and uses the variance instead, d_t = √(v_t − ḡ_t²) + ε. With momentum μ > 0
    the scaled gradient feeds a velocity: b_t = μ b_{t−1} + g_t / d_t,
    θ_{t+1} = θ_t − η b_t. State: ``step``, ``square_avg`` (v), and when used
    ``grad_avg`` (ḡ) and ``momentum_buffer`` (b).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered})

    def _check_hyperparameters(self, group):
        check_lr(group)
        check_number("alpha", group["alpha"], 0, 1, meaning="smoothing constant")
        check_eps(group)
        check_weight_decay(group)
        check_number("momentum", group["momentum"], 0, meaning="momentum")

    def _init_state(self, theta, group):
        state = {"step": 0, "square_avg": np.zeros_like(theta)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(theta)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(theta)
        return state

    def _update(self, theta, g, state, group, work):
        eta, alpha, mu, lam = group["lr"], group["alpha"], group["momentum"], group["weight_decay"]
        state["step"] += 1
        if lam != 0:
            g = g + lam * theta                         # g_t ← g_t + λ θ_t
        # v_t = α v_{t−1} + (1 − α) g_t²
        v = state["square_avg"]
        v *= alpha
        v += np.multiply(np.square(g, out=work), 1 - alpha, out=work)
        if group["centered"]:
            # ḡ_t = α ḡ_{t−1} + (1 − α) g_t,  d_t = √(v_t − ḡ_t²) + ε
            g_mean = state["grad_avg"]
            g_mean *= alpha
            g_mean += np.multiply(g, 1 - alpha, out=work)
            d = np.sqrt(np.subtract(v, np.square(g_mean, out=work), out=work), out=work)
        else:
            # d_t = √v_t + ε
            d = np.sqrt(v, out=work)
        d += group["eps"]
        scaled = np.divide(g, d, out=work)              # g_t / d_t
        if mu > 0:
            # b_t = μ b_{t−1} + g_t / d_t,  θ_{t+1} = θ_t − η b_t
            b = state["momentum_buffer"]
            b *= mu
            b += scaled
            theta -= np.multiply(b, eta, out=work)
        else:
            # θ_{t+1} = θ_t − η g_t / d_t
            scaled *= eta
            theta -= scaled
