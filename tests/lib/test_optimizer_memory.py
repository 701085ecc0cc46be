"""Optimizer memory: the floats of state each optimizer of course_lib.optim keeps."""

import pytest

from course_lib import optim
from course_lib.optimizer_memory import state_size


@pytest.mark.parametrize(
    "cls, hyperparameters, arrays",
    [
        (optim.SGD, {"lr": 0.1}, 0),
        (optim.SGD, {"lr": 0.1, "momentum": 0.9}, 1),
        (optim.Adagrad, {}, 1),
        (optim.RMSprop, {}, 1),
        (optim.RMSprop, {"centered": True, "momentum": 0.9}, 3),
        (optim.Adadelta, {}, 2),
        (optim.Adam, {}, 2),
        (optim.Adam, {"amsgrad": True}, 3),
        (optim.AdamW, {}, 2),
        (optim.Adamax, {}, 2),
        (optim.NAdam, {}, 2),
    ],
)
def test_state_arrays_per_optimizer(cls, hyperparameters, arrays):
    assert state_size(cls, 37, **hyperparameters) == 37 * arrays


def test_n_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="positive integer"):
        state_size(optim.Adam, 0)
