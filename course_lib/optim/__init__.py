"""Optimizers and learning-rate schedulers with ``torch.optim``'s names, defaults and iterates.

Every optimizer is built as ``Cls(params, **hyperparameters)`` and offers
``step()``, ``zero_grad()``, ``state_dict()``, ``load_state_dict()`` and
``param_groups``; the schedulers live in ``course_lib.optim.lr_scheduler``, the
averages of the weights (EMA, SWA) in ``course_lib.optim.swa_utils``.
A training step, exactly as with PyTorch::

    theta = Parameter([3.0])
    optimizer = SGD([theta], lr=0.01, momentum=0.9)
    for t in range(1, 101):
        theta.grad = 2 * theta.data        # g_t = ∇J(θ_{t−1}) for J(θ) = θ²
        optimizer.step()                   # θ_t from θ_{t−1} and g_t, in place

The update rule of each optimizer is in its class docstring, in the course's
notation; ``optimizer.py`` holds the bookkeeping they share.
"""

from course_lib.optim import lr_scheduler, swa_utils
from course_lib.optim.adadelta import Adadelta
from course_lib.optim.adagrad import Adagrad
from course_lib.optim.adam import Adam, AdamW
from course_lib.optim.adamax import Adamax
from course_lib.optim.nadam import NAdam
from course_lib.optim.optimizer import Optimizer
from course_lib.optim.radam import RAdam
from course_lib.optim.rmsprop import RMSprop
from course_lib.optim.sgd import SGD

__all__ = [
           "SGD",
           "Adadelta",
           "Adagrad",
           "Adam",
           "AdamW",
           "Adamax",
           "NAdam",
           "Optimizer",
           "RAdam",
           "RMSprop",
           "lr_scheduler",
           "swa_utils",
]
