"""Optimizers and learning-rate schedulers with ``torch.optim``'s names, defaults and iterates.

Every optimizer is built as ``Cls(params, **hyperparameters)`` and offers
``step()``, ``zero_grad()``, ``state_dict()``, ``load_state_dict()`` and
``param_groups``; the schedulers live in ``course_lib.optim.lr_scheduler``.
"""

from course_lib.optim import lr_scheduler
from course_lib.optim.adadelta import Adadelta
from course_lib.optim.adagrad import Adagrad
from course_lib.optim.adam import Adam, AdamW
from course_lib.optim.adamax import Adamax
from course_lib.optim.nadam import NAdam
from course_lib.optim.optimizer import Optimizer
from course_lib.optim.rmsprop import RMSprop
from course_lib.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "NAdam", "lr_scheduler"]
