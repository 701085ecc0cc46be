"""Build a multilayer perceptron (Linear → activation → … → Linear) in one call."""

import itertools

from course_lib.nn.activations import ReLU
from course_lib.nn.batchnorm import BatchNorm1d
from course_lib.nn.init import as_generator, he_normal
from course_lib.nn.linear import Linear
from course_lib.nn.residual import Residual
from course_lib.nn.sequential import Sequential


def mlp(sizes, activation=ReLU, init=he_normal, rng=None, batch_norm=False, residual=False):
    """A Sequential network with layer widths ``sizes`` = (n_0, n_1, …, n_L).

    Each hidden layer is Linear → [BatchNorm1d] → activation (the Linear has no
    bias before a batch norm, which would cancel it); the last layer is
    a plain Linear (its outputs are the logits or the regression outputs).
    With ``residual=True`` each hidden layer whose input and output widths are
    equal becomes a residual block x + F(x). ``activation`` is a class or a
    function returning a fresh module (e.g. ``lambda: LeakyReLU(0.1)``).

    Parameter names follow the positions, as in PyTorch: ``mlp([64, 128, 10])``
    has ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``; a residual block at
    position 2 holds ``2.block.0.weight``.

    Introduced in lesson 3.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {sizes}")
    rng = as_generator(rng)
    layers = []
    for n_in, n_out in itertools.pairwise(sizes[:-1]):
        hidden = [Linear(n_in, n_out, init=init, rng=rng, bias=not batch_norm)]
        if batch_norm:
            hidden.append(BatchNorm1d(n_out))
        hidden.append(activation())
        if residual and n_in == n_out:
            layers.append(Residual(Sequential(*hidden)))
        else:
            layers.extend(hidden)
    layers.append(Linear(sizes[-2], sizes[-1], init=init, rng=rng))
    return Sequential(*layers)
