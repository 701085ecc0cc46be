"""Gradient clipping by global norm and by value, with the semantics of PyTorch's
``torch.nn.utils.clip_grad_norm_`` and ``torch.nn.utils.clip_grad_value_``.

Both change the gradients ``p.grad`` in place (hence the trailing underscore)
and skip parameters whose gradient is ``None``.
"""

import math

import numpy as np

from course_lib.parameter import Parameter


def _gradients(parameters):
    """The non-None gradients of a Parameter or an iterable of Parameters."""
    parameters = [parameters] if isinstance(parameters, Parameter) else list(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Parameter):
            raise TypeError(f"parameters[{i}] is a {type(p).__name__}, not a course_lib.Parameter")
    grads = [p.grad for p in parameters if p.grad is not None]
    for g in grads:
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError("gradients must be floating-point NumPy arrays to be clipped in place")
    return grads


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Rescale all gradients together so that their global norm is at most c = ``max_norm``.

    ‖g‖ is the norm of all gradients stacked into one vector (not one norm per
    tensor), of order ``norm_type`` (2 by default, ``math.inf`` for max |g_i|).
    Clipping each tensor by its own norm is a different, documented method
    (Keras's ``clipnorm``; its ``global_clipnorm`` is this one): it turns the
    direction of the whole gradient, by more when the tensors' norms differ more
    (norms 100 and 0.5 with c = 1: by 26°), while this one keeps it.
    Every gradient is multiplied by the same factor:
    g ← g · min(1, c / (‖g‖ + 1e-6)),
    so the direction is kept and small gradients are never scaled up.
    Returns ‖g‖ before clipping (useful to log).

    Introduced in lesson 5.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be positive (or math.inf), got {norm_type}")
    grads = _gradients(parameters)
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total_norm = max(float(np.max(np.abs(g), initial=0.0)) for g in grads)
    else:
        per_tensor = np.array([np.linalg.norm(g.ravel(), norm_type) for g in grads])
        total_norm = float(np.linalg.norm(per_tensor, norm_type))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    for g in grads:
        g *= scale
    return total_norm


def clip_grad_value_(parameters, clip_value):
    """Clip every gradient entry into [−c, c], c = ``clip_value``: g_i ← max(−c, min(g_i, c)).

    Unlike clipping by norm this changes the gradient's direction.

    Introduced in lesson 5.
    """
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be non-negative, got {clip_value}")
    for g in _gradients(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
