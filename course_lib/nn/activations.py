"""Element-wise activations σ(x) and their derivatives σ′(x).

Backward multiplies the incoming gradient by σ′ element by element:
∂J/∂x = ∂J/∂y ⊙ σ′(x).
"""

import numpy as np

from course_lib.nn.module import Module, check_grad_output


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^{−x}),  σ′(x) = σ(x)(1 − σ(x)) ≤ 1/4 — why deep sigmoid stacks vanish.

    Exact to float64 precision wherever σ(x) and σ′(x) are normal float64
    numbers, |x| ≤ 708 (lesson 5 measures gradients of 10⁻¹³ and smaller, so the
    library must not round them to 0). Both factors of σ′ come from the formula::

        σ(x) = 1 / (1 + e^{−x}),      1 − σ(x) = σ(−x) = 1 / (1 + eˣ),

    never from the subtraction 1 − σ(x), which cancels: for x above about 37,
    σ(x) rounds to 1 and σ(x)(1 − σ(x)) would come out 0 instead of ≈ e^{−x}.
    The form ½(1 + tanh(x/2)) cancels the same way for x < 0: its relative error
    is 2·10⁻⁷ at x = −25, 35 % at x = −37, and it returns 0 below about −37.4.
    Beyond |x| ≈ 709.8, e^{|x|} overflows to ∞ and the tiny side returns 0,
    where the true value (below 10⁻³⁰⁸) has no normal float64 anyway.
    """

    def forward(self, x):
        x = np.asarray(x)
        # e^{±x} overflows to ∞ for |x| > 709.8 (then 1/∞ = 0) or underflows to 0; the
        # results are then off by less than 10⁻³⁰⁸, so neither is an error here.
        with np.errstate(over="ignore", under="ignore"):
            self.y = 1.0 / (1.0 + np.exp(-x))                  # σ(x)
            self.one_minus_y = 1.0 / (1.0 + np.exp(x))         # 1 − σ(x) = σ(−x)
        return self.y

    def backward(self, grad_output):
        y = self._cached("y")
        grad_output = check_grad_output(grad_output, y.shape, "Sigmoid")
        with np.errstate(under="ignore"):               # products below 10⁻³⁰⁸ lose digits
            return grad_output * y * self.one_minus_y          # δ ⊙ σ(x)(1 − σ(x))


class Tanh(Module):
    """tanh(x),  tanh′(x) = 1 − tanh²(x) ≤ 1.

    Introduced in lesson 1.
    """

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        y = self._cached("y")
        grad_output = check_grad_output(grad_output, y.shape, "Tanh")
        return grad_output * (1.0 - y**2)


class ReLU(Module):
    """max(0, x),  derivative 1 for x > 0 and 0 otherwise.

    Introduced in lesson 5.
    """

    def forward(self, x):
        self.active = np.asarray(x) > 0
        return np.where(self.active, x, 0.0)

    def backward(self, grad_output):
        active = self._cached("active")
        return check_grad_output(grad_output, active.shape, "ReLU") * active


class LeakyReLU(Module):
    """x for x > 0, a·x otherwise (a = ``negative_slope``, 0.01 as in PyTorch).

    Introduced in lesson 5.
    """

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope
        self.active = None

    def forward(self, x):
        self.active = np.asarray(x) > 0
        return np.where(self.active, x, self.negative_slope * x)

    def backward(self, grad_output):
        active = self._cached("active")
        grad_output = check_grad_output(grad_output, active.shape, "LeakyReLU")
        return grad_output * np.where(active, 1.0, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(Module):
    """x for x > 0, α(eˣ − 1) otherwise;  derivative 1 for x > 0, αeˣ otherwise.

    Exact to float64 precision on the whole real line: eˣ − 1 is computed by
    ``np.expm1``, which does not cancel near x = 0, and the derivative as αeˣ
    itself, not as y + α (for x below about −37.4 the sum y + α rounds to 0
    instead of αeˣ). Below x ≈ −708, αeˣ is smaller than the smallest normal
    float64 and loses digits, as any float64 number must.

    Introduced in lesson 5.
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.slope = None

    def forward(self, x):
        x = np.asarray(x)
        negative_part = np.minimum(x, 0.0)                     # keeps eˣ from overflowing
        with np.errstate(under="ignore"):                      # eˣ < 10⁻³⁰⁸ loses digits
            self.y = np.where(x > 0, x, self.alpha * np.expm1(negative_part))
            self.slope = np.where(x > 0, 1.0, self.alpha * np.exp(negative_part))   # ELU′(x)
        return self.y

    def backward(self, grad_output):
        slope = self._cached("slope")
        grad_output = check_grad_output(grad_output, slope.shape, "ELU")
        with np.errstate(under="ignore"):
            return grad_output * slope

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"
