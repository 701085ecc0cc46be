"""A residual connection: y = x + F(x)."""

from course_lib.nn.module import Module


class Residual(Module):
    """y = x + F(x) for a shape-preserving block F (e.g. Linear(n, n) then an activation).

    Backward: ∂J/∂x = δ + (∂F/∂x)ᵀ δ, δ = ∂J/∂y. The identity term carries the
    gradient past F unchanged, so it cannot vanish however small F's part is.
    F's parameters are named ``block.…``.

    Introduced in lesson 5.
    """

    def __init__(self, block):
        if not isinstance(block, Module):
            raise TypeError(f"Residual wraps a Module, got {type(block).__name__}")
        self.block = block
        self._name_parameters()

    def forward(self, x):
        fx = self.block(x)
        if fx.shape != x.shape:
            raise ValueError(
                "Residual needs a block that keeps the shape: "
                f"input {x.shape}, block output {fx.shape}"
            )
        return x + fx

    def backward(self, grad_output):
        return grad_output + self.block.backward(grad_output)

    def __repr__(self):
        return f"Residual({self.block!r})"
