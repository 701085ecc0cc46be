"""Adadelta: the step's size comes from a running RMS of past steps (started by √ε), not from η."""

import numpy as np

from course_lib.optim.optimizer import (
    Optimizer,
    check_eps,
    check_lr,
    check_number,
    check_weight_decay,
)


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    With decay ρ (``rho``), step t does::

        g_t ← g_t + λ θ_{t−1}                           (weight decay λ, if λ > 0)
        v_t = ρ v_{t−1} + (1 − ρ) g_t²                  (running mean of g², v_0 = 0)
        Δθ_t = √(u_{t−1} + ε) / √(v_t + ε) · g_t         (ratio of two RMS values)
        u_t = ρ u_{t−1} + (1 − ρ) Δθ_t²                 (running mean of Δθ², u_0 = 0)
        θ_t = θ_{t−1} − η Δθ_t

    The ratio RMS[Δθ] / RMS[g] has the units of θ / g, so Δθ has the units of θ:
    in principle no global learning rate is needed. In practice ε takes its
    place: u_0 = 0, so the first step is √ε g_1/√((1 − ρ) g_1² + ε), of size
    √(ε/(1 − ρ)) ≈ 3·10⁻³ with the defaults once |g_1| is well above that,
    whatever the scale of θ, and the steps grow from there only as fast as u
    accumulates them. √ε sets the scale of the
    first steps and acts as a hidden learning rate. PyTorch also multiplies by η
    (``lr``, default 1.0, which leaves Zeiler's method), and η > 1 is often
    what makes Adadelta train in a given number of epochs. State: ``step``,
    ``square_avg`` (v) and ``acc_delta`` (u).

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay})

    def _check_hyperparameters(self, group):
        check_lr(group)
        check_number("rho", group["rho"], 0, 1, meaning="decay")
        check_eps(group)
        check_weight_decay(group)

    def _init_state(self, theta, group):
        return adadelta_init(theta)

    def _update(self, theta, g, state, group):
        return adadelta_update(theta, g, state, **self._hyperparameters(group))


def adadelta_init(theta):
    """The state before step 1: t = 0, v_0 = 0, u_0 = 0.

    Introduced in lesson 4.
    """
    return {"step": 0, "square_avg": np.zeros_like(theta), "acc_delta": np.zeros_like(theta)}


def adadelta_update(theta, g, state, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
    """One step of :class:`Adadelta` (lesson 4): returns (θ_t, new state), changes nothing."""
    if weight_decay != 0:
        g = g + weight_decay * theta                # g_t ← g_t + λ θ_{t−1}
    v = rho * state["square_avg"] + (1 - rho) * g**2        # v_t = ρ v_{t−1} + (1 − ρ) g_t²
    # Δθ_t = √(u_{t−1} + ε) / √(v_t + ε) · g_t
    delta = np.sqrt(state["acc_delta"] + eps) / np.sqrt(v + eps) * g
    u = rho * state["acc_delta"] + (1 - rho) * delta**2     # u_t = ρ u_{t−1} + (1 − ρ) Δθ_t²
    theta = theta - lr * delta                      # θ_t = θ_{t−1} − η Δθ_t
    return theta, {"step": state["step"] + 1, "square_avg": v, "acc_delta": u}
