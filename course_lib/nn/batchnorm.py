"""Batch normalisation over a batch of feature vectors (PyTorch's BatchNorm1d)."""

import numpy as np

from course_lib.nn.module import Module, accumulate_grad, check_grad_output, check_input
from course_lib.parameter import Parameter


class BatchNorm1d(Module):
    """y = γ x̂ + β with x̂ = (x − mean) / √(var + ε), feature by feature.

    Training mode normalises with the batch's own mean and (biased) variance
    and updates the running statistics used in evaluation mode:
    running_mean ← (1 − momentum)·running_mean + momentum·mean,
    running_var  ← (1 − momentum)·running_var  + momentum·var·N/(N − 1)
    (the unbiased variance, as PyTorch does). Defaults: momentum = 0.1,
    ε = 1e-5, γ (``weight``) = 1, β (``bias``) = 0.

    Backward in training mode includes the path through the batch statistics:
    ∂J/∂x = (γ / (N √(var + ε))) · (N δ − Σδ − x̂ Σ(δ ⊙ x̂)),  δ = ∂J/∂y;
    in evaluation mode the statistics are constants: ∂J/∂x = γ δ / √(running_var + ε).

    Introduced in lesson 5.
    """

    buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"num_features must be a positive integer, got {num_features!r}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must lie in [0, 1], got {momentum}")
        if eps <= 0.0:
            raise ValueError(f"eps must be positive, got {eps}")
        self.num_features = num_features
        self.momentum = momentum
        self.eps = eps
        self.weight = Parameter(np.ones(num_features), name="weight")
        self.bias = Parameter(np.zeros(num_features), name="bias")
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.x_hat = None

    def forward(self, x):
        x = check_input(x, self.num_features, "BatchNorm1d")
        if self.training:
            n = len(x)
            if n < 2:
                raise ValueError("BatchNorm1d in training mode needs a batch of at least 2 samples")
            mean, var = x.mean(axis=0), x.var(axis=0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            unbiased_var = var * n / (n - 1)
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased_var
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        self.normalised_in_training = self.training
        return self.weight.data * self.x_hat + self.bias.data

    def backward(self, grad_output):
        x_hat = self._cached("x_hat")
        grad_output = check_grad_output(grad_output, x_hat.shape, "BatchNorm1d")
        accumulate_grad(self.weight, (grad_output * x_hat).sum(axis=0))
        accumulate_grad(self.bias, grad_output.sum(axis=0))
        grad_x_hat = grad_output * self.weight.data
        if not self.normalised_in_training:
            return grad_x_hat * self.inv_std
        n = len(x_hat)
        return (self.inv_std / n) * (
            n * grad_x_hat
            - grad_x_hat.sum(axis=0)
            - x_hat * (grad_x_hat * x_hat).sum(axis=0)
        )

    def __repr__(self):
        return f"BatchNorm1d({self.num_features}, momentum={self.momentum}, eps={self.eps})"
