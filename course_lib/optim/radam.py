"""RAdam: Adam that waits until its second-moment estimate is trustworthy."""

import math

import numpy as np

from course_lib.optim.optimizer import Optimizer, check_adam_hyperparameters


class RAdam(Optimizer):
    r"""RAdam, rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``. Lesson 4.

    In its first steps Adam divides by √v̂_t, an average of only a few g², so
    the step size η/√v̂_t varies wildly from run to run; that is why Adam is
    often started with a learning-rate warm-up. RAdam measures how many
    gradients v_t effectively averages, ρ_t, and rectifies the variance of the
    adaptive step instead: a plain momentum step while ρ_t ≤ 5, then Adam's step
    times r_t < 1, which grows to 1 as ρ_t approaches its limit ρ_∞.
    Step t (from 1)::

        g_t ← g_t + λ θ_{t−1}            (or θ_{t−1} ← (1 − ηλ) θ_{t−1} if decoupled_weight_decay)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t,     m̂_t = m_t / (1 − β₁ᵗ)
        v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        ρ_∞ = 2/(1 − β₂) − 1,                ρ_t = ρ_∞ − 2t β₂ᵗ / (1 − β₂ᵗ)
        if ρ_t > 5:
            r_t = √( (ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t) )
            θ_t = θ_{t−1} − η r_t m̂_t √(1 − β₂ᵗ) / (√v_t + ε)
        else:
            θ_t = θ_{t−1} − η m̂_t            (momentum without any division)

    √(1 − β₂ᵗ)/(√v_t + ε) is 1/(√v̂_t + ε/√(1 − β₂ᵗ)): ε is added before the bias
    correction, a slightly different place from Adam's. With the default
    β₂ = 0.999, ρ_t passes 5 at t = 6, so the first 5 steps are momentum steps.
    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def _init_state(self, theta, group):
        return radam_init(theta)

    def _update(self, theta, g, state, group):
        return radam_update(theta, g, state, **self._hyperparameters(group))


def radam_init(theta):
    """The state before step 1: t = 0, m_0 = 0, v_0 = 0.

    Introduced in lesson 4.
    """
    return {"step": 0, "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}


def radam_update(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False):
    """One step of :class:`RAdam` (lesson 4): returns (θ_t, new state), changes nothing."""
    eta, (beta1, beta2), lam = lr, betas, weight_decay
    t = state["step"] + 1
    if lam != 0 and decoupled_weight_decay:
        theta = (1 - eta * lam) * theta             # θ_{t−1} ← (1 − ηλ) θ_{t−1}
    elif lam != 0:
        g = g + lam * theta                         # g_t ← g_t + λ θ_{t−1}
    m = beta1 * state["exp_avg"] + (1 - beta1) * g          # m_t = β₁ m_{t−1} + (1 − β₁) g_t
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2    # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    m_hat = m / (1 - beta1**t)                              # m̂_t = m_t / (1 − β₁ᵗ)
    rho_inf = 2 / (1 - beta2) - 1                           # ρ_∞ = 2/(1 − β₂) − 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)       # ρ_t = ρ_∞ − 2t β₂ᵗ/(1 − β₂ᵗ)
    if rho > 5:
        # r_t = √( (ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t) )
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        # θ_t = θ_{t−1} − η r_t m̂_t √(1 − β₂ᵗ) / (√v_t + ε)
        theta = theta - eta * r * m_hat * math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    else:
        theta = theta - eta * m_hat                 # θ_t = θ_{t−1} − η m̂_t
    return theta, {"step": t, "exp_avg": m, "exp_avg_sq": v}
