"""Adam and AdamW: momentum on the gradient, per-coordinate steps from its second moment."""

import math

import numpy as np

from course_lib.optim.optimizer import (
    Optimizer,
    check_betas,
    check_eps,
    check_lr,
    check_weight_decay,
)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    With β₁, β₂ = ``betas``, step t (from 1) does::

        g_t ← g_t + λ θ_t                           (weight decay λ as an L2 penalty)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t             (first moment, m_0 = 0)
        v_t = β₂ v_{t−1} + (1 − β₂) g_t²            (second moment, v_0 = 0)
        m̂_t = m_t / (1 − β₁ᵗ),   v̂_t = v_t / (1 − β₂ᵗ)   (bias correction)
        θ_{t+1} = θ_t − η m̂_t / (√v̂_t + ε)

    ``amsgrad=True`` (Reddi, Kale & Kumar, 2018) uses v^max_t = max(v^max_{t−1}, v_t)
    in place of v_t. The maximum never decreases; in Reddi et al.'s AMSGrad,
    which has no bias correction, the denominator therefore never shrinks. PyTorch
    (and this class) still divides by 1 − β₂ᵗ, which grows towards 1, so here the
    denominator √(v^max_t/(1 − β₂ᵗ)) can still decrease, slowly: after one gradient
    of 10 and then gradients of 0.1 it falls from 10 at t = 1 to 0.40 at t = 1000.
    ``decoupled_weight_decay=True`` shrinks θ directly instead, θ ← (1 − ηλ) θ,
    which is PyTorch's AdamW (see :class:`AdamW`). State per parameter: ``step``
    (t), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with AMSGrad, ``max_exp_avg_sq``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, decoupled_weight_decay=False):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _check_hyperparameters(self, group):
        check_lr(group)
        check_betas(group)
        check_eps(group)
        check_weight_decay(group)

    def _init_state(self, theta, group):
        state = {"step": 0, "exp_avg": np.zeros_like(theta), "exp_avg_sq": np.zeros_like(theta)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(theta)
        return state

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
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        # θ_{t+1} = θ_t − η m̂_t/(√v̂_t + ε), with c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ, is the same
        # number as θ_t − (η √c₂ / c₁) · m_t / (√v_t + ε √c₂) (Kingma & Ba, section 2),
        # which takes fewer passes over the arrays.
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        denominator = np.sqrt(v, out=work)
        denominator += eps * math.sqrt(c2)
        step = np.divide(m, denominator, out=work)
        step *= eta * math.sqrt(c2) / c1
        theta -= step


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    The same steps as :class:`Adam`, except that weight decay does not enter
    the gradient (and so is not rescaled by 1/√v̂); each step first shrinks θ::

        θ_t ← (1 − ηλ) θ_t,   then the Adam step with g_t unchanged.

    This is PyTorch's convention: the decay per step is ηλ, so changing η also
    changes how strongly θ is pulled to 0. Loshchilov & Hutter (2019, Algorithm 2)
    write θ_t ← θ_{t−1} − η_t (α m̂_t/(√v̂_t + ε) + λ θ_{t−1}), where α is the
    learning rate and η_t a schedule multiplier (1 without a schedule): the decay
    per step is η_t λ, independent of α, which is what "decoupled" means in the
    paper. The two agree when λ_torch = λ_paper / α. Default λ = ``weight_decay``
    = 0.01, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=True)
