"""A small network toolkit: layers with explicit forward and backward passes.

Every layer is a :class:`Module` whose ``forward(x)`` computes the output and
whose ``backward(∂J/∂y)`` fills each parameter's ``.grad`` with ∂J/∂θ and
returns ∂J/∂x. Losses return ``(J, ∂J/∂prediction)``. Arrays are float64.

    >>> from course_lib import nn
    >>> model = nn.Sequential(nn.Linear(64, 128, rng=0), nn.ReLU(), nn.Linear(128, 10, rng=1))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
"""

from course_lib.nn import init
from course_lib.nn.activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from course_lib.nn.batchnorm import BatchNorm1d
from course_lib.nn.linear import Linear
from course_lib.nn.losses import mse_loss, softmax_cross_entropy
from course_lib.nn.mlp import mlp
from course_lib.nn.module import Module
from course_lib.nn.residual import Residual
from course_lib.nn.sequential import Sequential

__all__ = [
    "ELU",
    "BatchNorm1d",
    "LeakyReLU",
    "Linear",
    "Module",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "init",
    "mlp",
    "mse_loss",
    "softmax_cross_entropy",
]
