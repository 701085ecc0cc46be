"""RAdam: Adam that waits until its second-moment estimate is trustworthy."""

import math

import numpy as np

from course_lib.optim.optimizer import (
    Optimizer,
    check_betas,
    check_eps,
    check_lr,
    check_weight_decay,
)


class RAdam(Optimizer):
    r"""RAdam, rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``. Lesson 4.

    In its first steps Adam divides by √v̂_t, an average of only a few g², so
    the step size η/√v̂_t varies wildly from run to run; that is why Adam is
    often started with a learning-rate warm-up. RAdam measures how many
    gradients v_t effectively averages, ρ_t, and rectifies the variance of the
    adaptive step instead: a plain momentum step while ρ_t ≤ 5, then Adam's step
    times r_t < 1, which grows to 1 as ρ_t approaches its limit ρ_∞.
    Step t (from 1)::

        g_t ← g_t + λ θ_t                    (or θ_t ← (1 − ηλ) θ_t if decoupled_weight_decay)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t,     m̂_t = m_t / (1 − β₁ᵗ)
        v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        ρ_∞ = 2/(1 − β₂) − 1,                ρ_t = ρ_∞ − 2t β₂ᵗ / (1 − β₂ᵗ)
        if ρ_t > 5:
            r_t = √( (ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t) )
            θ_{t+1} = θ_t − η r_t m̂_t √(1 − β₂ᵗ) / (√v_t + ε)
        else:
            θ_{t+1} = θ_t − η m̂_t            (momentum without any division)

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
        check_lr(group)
        check_betas(group)
        check_eps(group)
        check_weight_decay(group)

    def _init_state(self, theta, group):
        return {"step": 0, "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}

    def _update(self, theta, g, state, group, work):
        eta, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        lam = group["weight_decay"]
        t = state["step"] = state["step"] + 1
        if lam != 0 and group["decoupled_weight_decay"]:
            theta *= 1 - eta * lam                      # θ_t ← (1 − ηλ) θ_t
        elif lam != 0:
            g = g + lam * theta                         # g_t ← g_t + λ θ_t
        m, v = state["exp_avg"], state["exp_avg_sq"]
        # m_t = β₁ m_{t−1} + (1 − β₁) g_t
        m *= beta1
        m += np.multiply(g, 1 - beta1, out=work)
        # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        v *= beta2
        v += np.multiply(np.square(g, out=work), 1 - beta2, out=work)
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1                   # ρ_∞
        rho = rho_inf - 2 * t * beta2**t / c2           # ρ_t
        if rho > 5:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf
                          / ((rho_inf - 4) * (rho_inf - 2) * rho))
            # θ_{t+1} = θ_t − η r_t m̂_t √(1 − β₂ᵗ) / (√v_t + ε)
            step = np.sqrt(v, out=work)
            step += eps
            np.divide(m, step, out=step)
            step *= eta * r * math.sqrt(c2) / c1
        else:
            # θ_{t+1} = θ_t − η m̂_t
            step = np.multiply(m, eta / c1, out=work)
        theta -= step
