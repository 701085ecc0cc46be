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

    With decay α (``alpha``; other texts call it ρ or β), step t does::

        g_t ← g_t + λ θ_{t−1}                      (weight decay λ, if λ > 0)
        v_t = α v_{t−1} + (1 − α) g_t²             (v_0 = 0)
        d_t = √v_t + ε
        θ_t = θ_{t−1} − η g_t / d_t

    ``centered=True`` also tracks the mean gradient ḡ_t = α ḡ_{t−1} + (1 − α) g_t
    and uses the variance instead, d_t = √(v_t − ḡ_t²) + ε. With momentum μ > 0
    the scaled gradient feeds a velocity: b_t = μ b_{t−1} + g_t / d_t,
    θ_t = θ_{t−1} − η b_t. State: ``step``, ``square_avg`` (v), and when used
    ``grad_avg`` (ḡ) and ``momentum_buffer`` (b).

    Introduced in lesson 4.
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
        return rmsprop_init(theta, momentum=group["momentum"], centered=group["centered"])

    def _update(self, theta, g, state, group):
        return rmsprop_update(theta, g, state, **self._hyperparameters(group))


def rmsprop_init(theta, momentum=0, centered=False):
    """The state before step 1: t = 0, v_0 = 0 (and b_0 = 0, ḡ_0 = 0 when used).

    Introduced in lesson 4.
    """
    state = {"step": 0, "square_avg": np.zeros_like(theta)}
    if momentum > 0:
        state["momentum_buffer"] = np.zeros_like(theta)
    if centered:
        state["grad_avg"] = np.zeros_like(theta)
    return state


def rmsprop_update(theta, g, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
                   momentum=0, centered=False):
    """One step of :class:`RMSprop` (lesson 4): returns (θ_t, new state), changes nothing."""
    eta, mu = lr, momentum
    new_state = {"step": state["step"] + 1}
    if weight_decay != 0:
        g = g + weight_decay * theta                # g_t ← g_t + λ θ_{t−1}
    v = alpha * state["square_avg"] + (1 - alpha) * g**2    # v_t = α v_{t−1} + (1 − α) g_t²
    new_state["square_avg"] = v
    if centered:
        g_mean = alpha * state["grad_avg"] + (1 - alpha) * g  # ḡ_t = α ḡ_{t−1} + (1 − α) g_t
        new_state["grad_avg"] = g_mean
        d = np.sqrt(v - g_mean**2) + eps            # d_t = √(v_t − ḡ_t²) + ε
    else:
        d = np.sqrt(v) + eps                        # d_t = √v_t + ε
    if mu > 0:
        b = mu * state["momentum_buffer"] + g / d   # b_t = μ b_{t−1} + g_t / d_t
        new_state["momentum_buffer"] = b
        theta = theta - eta * b                     # θ_t = θ_{t−1} − η b_t
    else:
        theta = theta - eta * g / d                 # θ_t = θ_{t−1} − η g_t / d_t
    return theta, new_state
