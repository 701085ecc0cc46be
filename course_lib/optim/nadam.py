"""NAdam: Adam whose momentum step looks ahead like Nesterov's."""


import numpy as np

from course_lib.optim.optimizer import Optimizer, check_adam_hyperparameters, check_number


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    Adam's moments, with a momentum coefficient μ_t that warms up over time
    (ψ = ``momentum_decay``) and a Nesterov-style mix of the current gradient and
    the next momentum. The warm-up schedule is that of Dozat's implementation
    (Keras's Nadam uses the same); it is slow: with the defaults μ_t = 0.450 at
    t = 1, 0.483 at t = 460 and 0.812 at t = 10 000, so in a run of a few hundred
    steps the Nesterov coefficient stays near β₁/2. Step t (from 1)::

        g_t ← g_t + λ θ_{t−1}            (or θ_{t−1} ← (1 − ηλ) θ_{t−1} if decoupled_weight_decay)
        μ_t = β₁ (1 − ½ · 0.96^{tψ}),   μ_{t+1} = β₁ (1 − ½ · 0.96^{(t+1)ψ})
        Π_t = μ_1 μ_2 ⋯ μ_t                  (``mu_product``)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        d_t = √(v_t / (1 − β₂ᵗ)) + ε
        θ_t = θ_{t−1} − η (1 − μ_t)/(1 − Π_t) · g_t/d_t − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/d_t

    State: ``step``, ``mu_product`` (Π), ``exp_avg`` (m), ``exp_avg_sq`` (v).

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "momentum_decay": momentum_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _check_hyperparameters(self, group):
        check_adam_hyperparameters(group)
        check_number("momentum_decay", group["momentum_decay"], 0, meaning="momentum decay")

    def _init_state(self, theta, group):
        return nadam_init(theta)

    def _update(self, theta, g, state, group):
        return nadam_update(theta, g, state, **self._hyperparameters(group))


def nadam_init(theta):
    """The state before step 1: t = 0, Π_0 = 1, m_0 = 0, v_0 = 0.

    Introduced in lesson 4.
    """
    return {"step": 0, "mu_product": 1.0,
            "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}


def nadam_update(theta, g, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
    """One step of :class:`NAdam` (lesson 4): returns (θ_t, new state), changes nothing."""
    eta, (beta1, beta2), lam, psi = lr, betas, weight_decay, momentum_decay
    t = state["step"] + 1
    if lam != 0 and decoupled_weight_decay:
        theta = (1 - eta * lam) * theta             # θ_{t−1} ← (1 − ηλ) θ_{t−1}
    elif lam != 0:
        g = g + lam * theta                         # g_t ← g_t + λ θ_{t−1}
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))              # μ_t
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))   # μ_{t+1}
    mu_product = state["mu_product"] * mu                   # Π_t = Π_{t−1} μ_t
    m = beta1 * state["exp_avg"] + (1 - beta1) * g          # m_t = β₁ m_{t−1} + (1 − β₁) g_t
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2    # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    v_hat = v / (1 - beta2**t)                              # v̂_t = v_t / (1 − β₂ᵗ)
    d = np.sqrt(v_hat) + eps                                # d_t = √v̂_t + ε
    # θ_t = θ_{t−1} − η (1 − μ_t)/(1 − Π_t) · g_t/d_t − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/d_t
    theta = (theta - eta * (1 - mu) / (1 - mu_product) * g / d
             - eta * mu_next / (1 - mu_product * mu_next) * m / d)
    return theta, {"step": t, "mu_product": mu_product, "exp_avg": m, "exp_avg_sq": v}
