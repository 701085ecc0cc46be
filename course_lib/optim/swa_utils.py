"""Averages of the weights over training, as ``torch.optim.swa_utils`` defines them. Lesson 6.

The optimizer's last iterate θ_t still carries the noise of the last few
mini-batches. An average θ̄_t of the iterates along the way smooths it out: it
is not used for training (the optimizer never sees it), only for evaluation.
Two averages, both with PyTorch's names::

    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99))   # exponential
    swa = AveragedModel(model)                                               # equal weights
    for X_batch, y_batch in batches:
        ...                                   # forward, backward
        optimizer.step()                      # θ_{t−1} → θ_t
        ema.update_parameters(model)          # θ̄ ← average of θ̄ and θ_t
    evaluate(ema.module, ...)                 # or ema(X): the averaged network

``model`` is a network (a :class:`course_lib.nn.Module`) or a list of
:class:`course_lib.Parameter`. The average keeps its own deep copy of it,
``module``; the first ``update_parameters`` copies θ into it, every later one
averages (θ̄ has no zero start and needs no bias correction).
"""

import copy

from course_lib.nn.module import Module
from course_lib.optim.optimizer import check_number
from course_lib.parameter import Parameter


def get_ema_multi_avg_fn(decay=0.999):
    """The exponential moving average of the weights, θ̄ ← decay · θ̄ + (1 − decay) · θ.

    Returns the function ``AveragedModel`` calls with the lists of averaged and
    current arrays (it changes the averaged ones in place). After the first copy,
    θ̄ weighs the iterate k updates ago by (1 − decay) · decayᵏ: it averages over
    about 1/(1 − decay) updates (100 for decay = 0.99).

    Introduced in lesson 6.
    """
    check_number("decay", decay, 0, 1)

    def ema_update(averaged, current, n_averaged):
        for average, theta in zip(averaged, current):
            average += (1 - decay) * (theta - average)          # = decay·θ̄ + (1 − decay)·θ

    return ema_update


def get_ema_avg_fn(decay=0.999):
    """The same average, one array at a time: decay · θ̄ + (1 − decay) · θ (for ``avg_fn``).

    Introduced in lesson 6.
    """
    check_number("decay", decay, 0, 1)

    def ema_update(average, theta, n_averaged):
        return decay * average + (1 - decay) * theta

    return ema_update


def get_swa_multi_avg_fn():
    """The equal-weight average of stochastic weight averaging (SWA; Izmailov et al., 2018).

    With n = ``n_averaged`` iterates averaged so far, θ̄ ← θ̄ + (θ − θ̄)/(n + 1), so
    θ̄ is the mean of every θ passed to ``update_parameters``. ``AveragedModel``'s default.

    Introduced in lesson 6.
    """
    def swa_update(averaged, current, n_averaged):
        for average, theta in zip(averaged, current):
            average += (theta - average) / (n_averaged + 1)     # mean of n + 1 iterates

    return swa_update


def get_swa_avg_fn():
    """The same equal-weight average, one array at a time (for ``avg_fn``).

    Introduced in lesson 6.
    """
    def swa_update(average, theta, n_averaged):
        return average + (theta - average) / (n_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose weights are an average θ̄ of the model's iterates.

    ``update_parameters(model)`` copies θ on its first call and averages on every
    later one, with ``multi_avg_fn(averaged_arrays, current_arrays, n)`` or
    ``avg_fn(θ̄, θ, n)`` (give at most one; by default the equal-weight SWA
    average); ``n_averaged`` counts the calls. Batch norm's running statistics
    are copied from the model each time, or averaged like the weights with
    ``use_buffers=True``. ``module`` is the averaged network; calling the
    averaged model calls it.

    Introduced in lesson 6.
    """

    def __init__(self, model, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("give avg_fn or multi_avg_fn, not both: they are two ways to "
                             "write the same average")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"Invalid {name}={fn!r}: must be a function, such as "
                                f"get_ema_{name}(0.99)")
        parameters_of(model)                                    # checks what model is
        self.module = copy.deepcopy(model)
        self.avg_fn, self.multi_avg_fn = avg_fn, multi_avg_fn
        self.use_buffers = use_buffers
        self.n_averaged = 0

    def forward(self, x):
        if not isinstance(self.module, Module):
            raise TypeError("this average holds a list of Parameters, not a network: read "
                            "its values from .module")
        return self.module(x)

    def named_parameters(self, prefix=""):
        """The averaged parameters θ̄, named as torch names them (``module.0.weight``, …)."""
        if isinstance(self.module, Module):
            yield from self.module.named_parameters(prefix + "module.")
        else:
            for i, param in enumerate(self.module):
                yield f"{prefix}module.{i}", param

    def update_parameters(self, model):
        """θ̄ ← θ on the first call, θ̄ ← average(θ̄, θ) after; then n_averaged += 1."""
        averaged = [p.data for p in parameters_of(self.module)]
        current = [p.data for p in parameters_of(model)]
        if (isinstance(model, Module) != isinstance(self.module, Module)
                or len(current) != len(averaged)
                or any(a.shape != c.shape for a, c in zip(averaged, current))):
            raise ValueError("update_parameters needs the model this average was built from "
                             "(the same parameters, of the same shapes)")
        buffers = list(zip(buffer_slots(self.module), buffer_slots(model)))
        if self.use_buffers:
            averaged += [getattr(*slot) for slot, _ in buffers]
            current += [getattr(*slot) for _, slot in buffers]
        if self.n_averaged == 0:
            for average, theta in zip(averaged, current):
                average[...] = theta
        elif self.avg_fn is not None:
            for average, theta in zip(averaged, current):
                average[...] = self.avg_fn(average, theta, self.n_averaged)
        else:
            average_in_place = self.multi_avg_fn or get_swa_multi_avg_fn()
            average_in_place(averaged, current, self.n_averaged)
        if not self.use_buffers:
            for (layer, name), (model_layer, _) in buffers:
                setattr(layer, name, getattr(model_layer, name).copy())
        self.n_averaged += 1

    def __repr__(self):
        return f"AveragedModel({self.module!r}, n_averaged={self.n_averaged})"


def parameters_of(model):
    """The Parameters of a network or of a list of Parameters, checked.

    Introduced in lesson 6.
    """
    if isinstance(model, Module):
        return model.parameters()
    if isinstance(model, (list, tuple)) and model and all(isinstance(p, Parameter)
                                                         for p in model):
        return list(model)
    raise TypeError(f"an AveragedModel averages a course_lib.nn network or a non-empty list "
                    f"of Parameters, got {type(model).__name__}")


def buffer_slots(model):
    """(layer, attribute name) of each buffer: batch norm's running mean and variance.

    Introduced in lesson 6.
    """
    if not isinstance(model, Module):
        return []
    slots = [(model, name) for name in model.buffer_names]
    for _, child in model.named_children():
        slots += buffer_slots(child)
    return slots
