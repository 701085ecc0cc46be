"""The fully connected layer y = x W + b."""

import numpy as np

from course_lib.nn.init import as_generator, he_normal
from course_lib.nn.module import Module, accumulate_grad, check_grad_output, check_input
from course_lib.parameter import Parameter


class Linear(Module):
    """y = x W + b for a batch x of shape (N, n_in).

    W has shape (n_in, n_out) — rows are inputs, as in the from-scratch NumPy
    code of the lessons (PyTorch stores the transpose). b starts at zero; W is
    drawn by ``init(n_in, n_out, rng)``, He normal by default (see
    :mod:`course_lib.nn.init`). ``bias=False`` leaves b out, as before a batch
    norm, which subtracts the mean and so makes b's gradient exactly zero.

    Backward, with δ = ∂J/∂y of shape (N, n_out):
    ∂J/∂W = xᵀ δ,  ∂J/∂b = Σ_rows δ,  ∂J/∂x = δ Wᵀ.
    """

    def __init__(self, in_features, out_features, init=he_normal, rng=None, bias=True):
        if not callable(init):
            raise TypeError(
                f"init must be a function (fan_in, fan_out, rng) -> array, got {init!r}"
            )
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(init(in_features, out_features, as_generator(rng)), name="weight")
        if self.weight.shape != (in_features, out_features):
            raise ValueError(
                f"init returned an array of shape {self.weight.shape}; "
                f"Linear needs (in_features, out_features) = {(in_features, out_features)}"
            )
        self.bias = Parameter(np.zeros(out_features), name="bias") if bias else None
        self.x = None

    def forward(self, x):
        self.x = check_input(x, self.in_features, "Linear")
        y = self.x @ self.weight.data
        return y if self.bias is None else y + self.bias.data

    def backward(self, grad_output):
        x = self._cached("x")
        grad_output = check_grad_output(grad_output, (len(x), self.out_features), "Linear")
        accumulate_grad(self.weight, x.T @ grad_output)
        if self.bias is not None:
            accumulate_grad(self.bias, grad_output.sum(axis=0))
        return grad_output @ self.weight.data.T

    def __repr__(self):
        no_bias = "" if self.bias is not None else ", bias=False"
        return f"Linear({self.in_features} → {self.out_features}{no_bias})"
