"""Element-wise activations σ(x) and their derivatives σ′(x).

Backward multiplies the incoming gradient by σ′ element by element:
∂J/∂x = ∂J/∂y ⊙ σ′(x).
"""

import numpy as np

from course_lib.nn.module import Module, check_grad_output


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^{−x}),  σ′(x) = σ(x)(1 − σ(x)) ≤ 1/4 — why deep sigmoid stacks vanish."""

    def forward(self, x):
        self.y = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))  # the same σ, without overflow
        return self.y

    def backward(self, grad_output):
        y = self._cached("y")
        grad_output = check_grad_output(grad_output, y.shape, "Sigmoid")
        return grad_output * y * (1.0 - y)


class Tanh(Module):
    """tanh(x),  tanh′(x) = 1 − tanh²(x) ≤ 1."""

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        y = self._cached("y")
        grad_output = check_grad_output(grad_output, y.shape, "Tanh")
        return grad_output * (1.0 - y**2)


class ReLU(Module):
    """max(0, x),  derivative 1 for x > 0 and 0 otherwise."""

    def forward(self, x):
        self.active = np.asarray(x) > 0
        return np.where(self.active, x, 0.0)

    def backward(self, grad_output):
        active = self._cached("active")
        return check_grad_output(grad_output, active.shape, "ReLU") * active


class LeakyReLU(Module):
    """x for x > 0, a·x otherwise (a = ``negative_slope``, 0.01 as in PyTorch)."""

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
    """x for x > 0, α(eˣ − 1) otherwise;  derivative 1, or αeˣ = y + α for x ≤ 0."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.x = None

    def forward(self, x):
        self.x = np.asarray(x)
        self.y = np.where(self.x > 0, self.x, self.alpha * np.expm1(np.minimum(self.x, 0.0)))
        return self.y

    def backward(self, grad_output):
        x = self._cached("x")
        grad_output = check_grad_output(grad_output, x.shape, "ELU")
        return grad_output * np.where(x > 0, 1.0, self.y + self.alpha)

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"
