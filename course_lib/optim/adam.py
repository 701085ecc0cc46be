"""Adam and AdamW: momentum on the gradient, per-coordinate steps from its second moment."""

import numpy as np

from course_lib.optim.optimizer import Optimizer, check_adam_hyperparameters


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    With β₁, β₂ = ``betas``, step t (from 1) does::

        g_t ← g_t + λ θ_{t−1}                       (weight decay λ as an L2 penalty)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t             (first moment, m_0 = 0)
        v_t = β₂ v_{t−1} + (1 − β₂) g_t²            (second moment, v_0 = 0)
        m̂_t = m_t / (1 − β₁ᵗ),   v̂_t = v_t / (1 − β₂ᵗ)   (bias correction)
        θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    ``amsgrad=True`` (Reddi, Kale & Kumar, 2018) uses v^max_t = max(v^max_{t−1}, v_t)
    in place of v_t. The maximum never decreases; in Reddi et al.'s AMSGrad,
    which has no bias correction, the denominator therefore never shrinks. PyTorch
    (and this class) still divides by 1 − β₂ᵗ, which grows towards 1, so here the
    denominator √(v^max_t/(1 − β₂ᵗ)) can decrease, and early on as fast as Adam's:
    after one gradient of 10 and then gradients of 0.1 it falls from 10 at t = 1 to
    1.02 at t = 100 (Adam's: 0.98); only later does the maximum hold it up (0.32
    against Adam's 0.10 at t = 5000).
    ``decoupled_weight_decay=True`` shrinks θ directly instead, θ ← (1 − ηλ) θ,
    which is PyTorch's AdamW (see :class:`AdamW`). State per parameter: ``step``
    (t), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with AMSGrad, ``max_exp_avg_sq``.

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, decoupled_weight_decay=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def _init_state(self, theta, group):
        return adam_init(theta, amsgrad=group["amsgrad"])

    def _update(self, theta, g, state, group):
        return adam_update(theta, g, state, **self._hyperparameters(group))


def adam_init(theta, amsgrad=False):
    """The state before step 1: t = 0, m_0 = 0, v_0 = 0 (and v^max_0 = 0 for AMSGrad).

    Introduced in lesson 4.
    """
    state = {"step": 0, "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}
    if amsgrad:
        state["max_exp_avg_sq"] = np.zeros_like(theta)
    return state


def adam_update(theta, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                amsgrad=False, decoupled_weight_decay=False):
    """One step of :class:`Adam` or AdamW (lesson 4): returns (θ_t, new state)."""
    eta, (beta1, beta2), lam = lr, betas, weight_decay
    t = state["step"] + 1
    if lam != 0 and decoupled_weight_decay:
        theta = (1 - eta * lam) * theta             # θ_{t−1} ← (1 − ηλ) θ_{t−1}   (AdamW)
    elif lam != 0:
        g = g + lam * theta                         # g_t ← g_t + λ θ_{t−1}
    m = beta1 * state["exp_avg"] + (1 - beta1) * g          # m_t = β₁ m_{t−1} + (1 − β₁) g_t
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g**2    # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    new_state = {"step": t, "exp_avg": m, "exp_avg_sq": v}
    if amsgrad:
        v = new_state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)  # v^max_t
    m_hat = m / (1 - beta1**t)                      # m̂_t = m_t / (1 − β₁ᵗ)
    v_hat = v / (1 - beta2**t)                      # v̂_t = v_t / (1 − β₂ᵗ)
    theta = theta - eta * m_hat / (np.sqrt(v_hat) + eps)    # θ_t = θ_{t−1} − η m̂_t/(√v̂_t + ε)
    return theta, new_state


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    The same steps as :class:`Adam`, except that weight decay does not enter
    the gradient (and so is not rescaled by 1/√v̂); each step first shrinks θ::

        θ_{t−1} ← (1 − ηλ) θ_{t−1},   then the Adam step with g_t unchanged.

    This is PyTorch's convention: the decay per step is ηλ, so changing η also
    changes how strongly θ is pulled to 0. Loshchilov & Hutter (2019, Algorithm 2)
    write θ_t ← θ_{t−1} − η_t (α m̂_t/(√v̂_t + ε) + λ θ_{t−1}), where α is the
    learning rate and η_t a schedule multiplier (1 without a schedule): the decay
    per step is η_t λ, independent of α. Both forms are "decoupled" in the sense of
    the paper's title (the decay is not part of the gradient step); only the
    paper's also makes the best λ independent of the learning rate, the first
    benefit it reports. The two agree when λ_torch = λ_paper / α. Default λ = ``weight_decay``
    = 0.01, as in PyTorch.

    Introduced in lesson 4.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=True)
