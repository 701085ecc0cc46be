"""Optimizers and learning-rate schedulers with ``torch.optim``'s names, defaults and iterates.

Every optimizer is built as ``Cls(params, **hyperparameters)`` and offers
``step()``, ``zero_grad()``, ``state_dict()``, ``load_state_dict()`` and
``param_groups``; the schedulers live in ``course_lib.optim.lr_scheduler``.
"""

from course_lib.optim.adam import Adam, AdamW
from course_lib.optim.optimizer import Optimizer
from course_lib.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
