"""Adamax: Adam with the infinity norm in place of the root-mean-square."""

import numpy as np

from course_lib.optim.optimizer import Optimizer, check_adam_hyperparameters


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), as ``torch.optim.Adamax``.

    Step t (from 1)::

        g_t ← g_t + λ θ_{t−1}                           (weight decay λ, if λ > 0)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t                  (m_0 = 0)
        u_t = max(β₂ u_{t−1}, |g_t| + ε)                 (u_0 = 0: a decaying max of |g|)
        θ_t = θ_{t−1} − η / (1 − β₁ᵗ) · m_t / u_t

    Where u_t comes from (Kingma & Ba, section 7.1): write Adam's second moment
    for the p-th power of |g| with the decay parametrised as β₂ᵖ,
    v_t = β₂ᵖ v_{t−1} + (1 − β₂ᵖ)|g_t|ᵖ, and take u_t = v_t^{1/p}. As p → ∞,
    u_t → max(β₂ u_{t−1}, |g_t|): a maximum of |g| that decays by β₂ per step.
    (With a fixed β₂ in place of β₂ᵖ the limit would be max(u_{t−1}, |g_t|),
    which never decays.) Unlike v_t, u_t is not biased towards 0 at the start,
    so it needs no bias correction. PyTorch adds ε inside the max. State:
    ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay})

    def _check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def _init_state(self, theta, group):
        return adamax_init(theta)

    def _update(self, theta, g, state, group):
        return adamax_update(theta, g, state, **self._hyperparameters(group))


def adamax_init(theta):
    """The state before step 1: t = 0, m_0 = 0, u_0 = 0.

    Introduced in lesson 4.
    """
    return {"step": 0, "exp_avg": np.zeros_like(theta), "exp_inf": np.zeros_like(theta)}


def adamax_update(theta, g, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
    """One step of :class:`Adamax` (lesson 4): returns (θ_t, new state), changes nothing."""
    (beta1, beta2) = betas
    t = state["step"] + 1
    if weight_decay != 0:
        g = g + weight_decay * theta                # g_t ← g_t + λ θ_{t−1}
    m = beta1 * state["exp_avg"] + (1 - beta1) * g          # m_t = β₁ m_{t−1} + (1 − β₁) g_t
    u = np.maximum(beta2 * state["exp_inf"], np.abs(g) + eps)  # u_t = max(β₂ u_{t−1}, |g_t| + ε)
    theta = theta - lr / (1 - beta1**t) * m / u     # θ_t = θ_{t−1} − η / (1 − β₁ᵗ) · m_t / u_t
    return theta, {"step": t, "exp_avg": m, "exp_inf": u}
