"""Stochastic gradient descent, with momentum and Nesterov momentum (PyTorch's convention)."""

from course_lib.optim.optimizer import Optimizer, check_lr, check_number, check_weight_decay


class SGD(Optimizer):
    r"""Gradient descent θ ← θ − η g, optionally with momentum, as ``torch.optim.SGD``.

    With weight decay λ, momentum μ and dampening τ, step t = 1, 2, … takes the
    gradient g_t = ∇J(θ_{t−1}) at the current parameters and does::

        g_t ← g_t + λ θ_{t−1}            (L2 penalty λ/2 ‖θ‖², if λ > 0)
        v_1 = g_1,   v_t = μ v_{t−1} + (1 − τ) g_t    (if μ > 0)
        θ_t = θ_{t−1} − η v_t                    (heavy ball)
        θ_t = θ_{t−1} − η (g_t + μ v_t)          (nesterov=True: no look-ahead gradient needed)

    Without momentum the step is θ_t = θ_{t−1} − η g_t. The first velocity is the
    gradient itself, not damped by (1 − τ); with the default τ = 0 this is v_t = μ v_{t−1} + g_t
    from v_0 = 0. This is convention (b) of
    lesson 3 (v accumulates gradients, η is applied once in the step); the state
    keeps v as ``state[p]["momentum_buffer"]``.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False):
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _check_hyperparameters(self, group):
        check_lr(group)
        check_number("momentum", group["momentum"], 0, meaning="momentum")
        check_number("dampening", group["dampening"], 0, 1, meaning="dampening")
        check_weight_decay(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Invalid nesterov=True with momentum="
                f"{group['momentum']!r}, dampening={group['dampening']!r}: "
                "Nesterov momentum needs momentum > 0 and dampening = 0"
            )

    def _init_state(self, theta, group):
        return sgd_init(theta)

    def _update(self, theta, g, state, group):
        return sgd_update(theta, g, state, **self._hyperparameters(group))


def sgd_init(theta):
    """The state before step 1: empty; the velocity v is created by the first step.

    Introduced in lesson 1 (plain gradient descent); momentum in lesson 3.
    """
    return {}


def sgd_update(theta, g, state, *, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
    """One step of :class:`SGD` (lessons 1–3): returns (θ_t, new state), changes nothing."""
    eta, mu, tau, lam = lr, momentum, dampening, weight_decay
    if lam != 0:
        g = g + lam * theta                         # g_t ← g_t + λ θ_{t−1}
    if mu == 0:
        return theta - eta * g, state               # θ_t = θ_{t−1} − η g_t
    if "momentum_buffer" not in state:
        v = g.copy()                                # v_1 = g_1
    else:
        v = mu * state["momentum_buffer"] + (1 - tau) * g   # v_t = μ v_{t−1} + (1 − τ) g_t
    if nesterov:
        theta = theta - eta * (g + mu * v)          # θ_t = θ_{t−1} − η (g_t + μ v_t)
    else:
        theta = theta - eta * v                     # θ_t = θ_{t−1} − η v_t
    return theta, {"momentum_buffer": v}
