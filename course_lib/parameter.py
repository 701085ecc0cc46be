"""A trainable tensor: its value θ and the gradient g = ∇J(θ), as in PyTorch."""

import numpy as np


class Parameter:
    """A NumPy array ``data`` (the parameter θ) and its gradient ``grad``.

    ``grad`` is ``None`` until a backward pass (or the learner) fills it in;
    optimizers skip parameters whose ``grad`` is ``None``, as torch.optim does.
    The array is kept as float64 unless a floating dtype is given explicitly.

    Introduced in lesson 1.
    """

    def __init__(self, data, name=None):
        array = np.asarray(data)
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        self.data = np.array(array, copy=True)
        self.grad = None
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    def zero_grad(self):
        """Forget the gradient (set it to ``None``), as ``set_to_none=True`` does."""
        self.grad = None

    def __repr__(self):
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.data.shape}, dtype={self.data.dtype})"
