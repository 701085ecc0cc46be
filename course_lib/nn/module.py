"""The base class of every layer: parameters by name, train/eval mode, forward/backward.

A layer computes its output in ``forward(x)`` and keeps what it needs for the
chain rule; ``backward(grad_output)`` receives ∂J/∂(output), adds ∂J/∂θ to
each parameter's ``.grad`` and returns ∂J/∂x for the layer below. Gradients
accumulate as in PyTorch: call ``zero_grad()`` (or the optimizer's) before
each backward pass.
"""

import numpy as np

from course_lib.parameter import Parameter


def accumulate_grad(param, grad):
    """Add ``grad`` to ``param.grad`` (which starts as ``None``).

    Shared by every layer (lesson 1 meets the first).
    """
    param.grad = grad if param.grad is None else param.grad + grad


def check_input(x, n_features, layer):
    """Return ``x`` as an array of shape (N, n_features), or raise a clear ValueError.

    Shared by every layer (lesson 1 meets the first).
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(
            f"{layer} expects an input of shape (batch_size, {n_features}), got shape {x.shape}"
        )
    return x


def check_grad_output(grad_output, shape, layer):
    """Return ∂J/∂y as an array of the output's shape, or raise a clear ValueError.

    Shared by every layer (lesson 1 meets the first).
    """
    grad_output = np.asarray(grad_output)
    if grad_output.shape != shape:
        raise ValueError(
            f"{layer}.backward expects a gradient of the output's shape {shape}, "
            f"got shape {grad_output.shape}"
        )
    return grad_output


class Module:
    """A piece of network with ``forward``, ``backward`` and named parameters.

    Parameters are the attributes holding a :class:`~course_lib.Parameter`;
    sub-modules are the attributes holding a ``Module``. Their names join with
    dots, as in PyTorch: ``"0.weight"``, ``"2.block.0.bias"``. Containers
    (Sequential, Residual) also write these names into each ``Parameter.name``,
    so an optimizer's or a diagnostic's message names the exact parameter.

    The base of every layer (lesson 1 meets the first).
    """

    training = True
    buffer_names = ()
    """Attributes that are state but not parameters (batch norm's running statistics):
    never trained, but copied or averaged by ``course_lib.optim.swa_utils.AveragedModel``."""

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def named_children(self):
        """Yield ``(name, module)`` for each direct sub-module."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix=""):
        """Yield ``(name, parameter)`` for this module's parameters, then its children's."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(prefix + name + ".")

    def parameters(self):
        """All parameters θ, in the order of ``named_parameters()``."""
        return [param for _, param in self.named_parameters()]

    def zero_grad(self):
        """Set every parameter's gradient to ``None``."""
        for param in self.parameters():
            param.zero_grad()

    def train(self, mode=True):
        """Switch to training mode (batch statistics in batch norm); returns the module."""
        self.training = bool(mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (running statistics in batch norm); returns the module."""
        return self.train(False)

    def _name_parameters(self):
        """Give each parameter its full dotted name, so that messages can say which one."""
        for name, param in self.named_parameters():
            param.name = name

    def _cached(self, name):
        """What forward stored for backward, or a clear error if forward has not run."""
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value

    def __repr__(self):
        return f"{type(self).__name__}()"
