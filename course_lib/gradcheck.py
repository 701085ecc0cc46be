"""Check an analytic gradient against central finite differences.

The central difference ∂J/∂θ_i ≈ (J(θ + h e_i) − J(θ − h e_i)) / 2h has error
O(h²), against O(h) for the one-sided (J(θ + h e_i) − J(θ)) / h. With h around
1e-5 in float64 both the truncation error (∝ h²) and the rounding error
(∝ ε_machine / h) stay near 1e-10, so a correct gradient gives a relative
error ‖a − n‖/(‖a‖ + ‖n‖) far below 1e-7, while a wrong one typically gives
1e-4 … 1 (a single wrong term among correct ones can give as little as 1e-3).
In float32 (ε ≈ 1e-7) the same check of a correct gradient gives about 1e-3
at h = 1e-5, as much as a real bug: check gradients in float64.
"""

import numpy as np

from course_lib.nn.init import as_generator
from course_lib.nn.module import Module


def numerical_gradient(f, theta, h=1e-5):
    """Central differences of the scalar function J = f(θ) at the array θ.

    θ is changed in place one entry at a time (and restored), so ``f`` may
    also be a closure that reads the same array, e.g. a layer's weights. This
    needs two evaluations of f per entry: a check for small arrays only.

    Introduced in lesson 1.
    """
    if not isinstance(theta, np.ndarray) or not np.issubdtype(theta.dtype, np.floating):
        raise TypeError("theta must be a floating-point NumPy array (it is perturbed in place)")
    if not h > 0:
        raise ValueError(f"the step h must be positive, got {h}")
    grad = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):  # two evaluations of f per entry: nothing to vectorise
        original = theta[i]
        theta[i] = original + h
        f_plus = f(theta)
        theta[i] = original - h
        f_minus = f(theta)
        theta[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic, numeric):
    """‖a − n‖ / (‖a‖ + ‖n‖): 0 for equal gradients, 1 for opposite ones (0 if both are 0).

    Taken over the whole array, so entries that are zero in both do not
    blow up the ratio as an entry-by-entry error would.

    Introduced in lesson 1.
    """
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def check_module(module, x, h=1e-5, rng=2024):
    """Relative errors of a module's backward pass, by name: ``"input"`` and each parameter.

    Uses the scalar J = Σ (R ⊙ module(x)) with a fixed random R, so that
    ∂J/∂y = R reaches every output. Parameters' ``.grad`` are overwritten.

    Lesson 1's gradient check applied to a whole layer; no lesson calls it: use it on a layer you
    write.
    """
    if not isinstance(module, Module):
        raise TypeError(f"check_module needs a course_lib.nn Module, got {type(module).__name__}")
    x = np.array(x, dtype=float)
    upstream = as_generator(rng).standard_normal(module(x).shape)

    def J(_):
        return np.sum(upstream * module(x))

    module.zero_grad()
    module(x)
    analytic_input = module.backward(upstream)
    errors = {"input": relative_error(analytic_input, numerical_gradient(J, x, h))}
    for name, param in module.named_parameters():
        errors[name] = relative_error(param.grad, numerical_gradient(J, param.data, h))
    return errors


def check_loss(loss_fn, prediction, target, h=1e-5):
    """Relative error of the gradient a loss ``(J, ∂J/∂ŷ) = loss_fn(ŷ, y)`` returns.

    Lesson 1's gradient check applied to a loss; no lesson calls it: use it on a loss you write.
    """
    prediction = np.array(prediction, dtype=float)
    _, analytic = loss_fn(prediction, target)
    numeric = numerical_gradient(lambda p: loss_fn(p, target)[0], prediction, h)
    return relative_error(analytic, numeric)
