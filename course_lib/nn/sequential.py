"""A chain of layers applied one after the other."""

from course_lib.nn.module import Module


class Sequential(Module):
    """y = f_L(… f_2(f_1(x))); backward runs the chain rule through the layers in reverse.

    Layers are named by their position, as in PyTorch: the parameters of
    ``Sequential(Linear(2, 3), Tanh(), Linear(3, 1))`` are ``0.weight``,
    ``0.bias``, ``2.weight``, ``2.bias``.

    Introduced in lesson 1.
    """

    def __init__(self, *layers):
        for position, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential takes course_lib.nn modules; argument {position} is "
                    f"{type(layer).__name__}"
                )
        self.layers = list(layers)
        self._name_parameters()

    def named_children(self):
        for position, layer in enumerate(self.layers):
            yield str(position), layer

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        lines = [
            f"  ({position}): " + repr(layer).replace("\n", "\n  ")
            for position, layer in enumerate(self.layers)
        ]
        return "Sequential(\n" + "\n".join(lines) + "\n)"
