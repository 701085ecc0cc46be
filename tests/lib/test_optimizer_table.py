"""The table of the course's optimizers: each row builds its class, keeps the memory its column
says, and has a colour of its own; ``state_size`` counts the floats a class keeps."""

import matplotlib.colors as mcolors
import numpy as np
import pytest

from course_lib import Parameter, optim
from course_lib.optimizer_table import OPTIMIZER_COLORS, OPTIMIZERS, readable_bytes, state_size


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_memory_column_is_what_the_class_keeps_after_one_step(name):
    row = OPTIMIZERS[name]
    theta = Parameter(np.zeros(37))
    optimizer = row.build([theta], lr=0.1)
    theta.grad = np.ones(37)
    optimizer.step()
    arrays = [value for value in optimizer.state[theta].values() if np.shape(value) == (37,)]
    assert len(arrays) == row.state_floats
    assert state_size(row.cls, 37, **row.hyperparameters) == 37 * row.state_floats


def test_every_optimizer_has_its_own_colour_and_gd_is_drawn_as_sgd():
    colours = [row.color for row in OPTIMIZERS.values()]
    assert len(set(colours)) == len(colours)
    assert all(mcolors.is_color_like(c) for c in colours)
    assert OPTIMIZER_COLORS == {"GD": OPTIMIZERS["SGD"].color,
                                **{name: row.color for name, row in OPTIMIZERS.items()}}


def test_a_row_builds_its_class_with_its_hyperparameters_and_eta():
    theta = Parameter(np.zeros(3))
    nesterov = OPTIMIZERS["Nesterov"].build([theta], lr=0.05)
    assert type(nesterov) is optim.SGD
    group = nesterov.param_groups[0]
    assert (group["lr"], group["momentum"], group["nesterov"]) == (0.05, 0.9, True)
    assert OPTIMIZERS["AdamW"].build([theta], 1e-3).param_groups[0]["weight_decay"] == 1e-2
    damped = OPTIMIZERS["Momentum"].build([theta], 0.1, dampening=0.5)   # an override
    assert damped.param_groups[0]["dampening"] == 0.5
    assert damped.param_groups[0]["momentum"] == 0.9


def test_every_optimizer_class_of_course_lib_optim_has_a_row():
    exported = {getattr(optim, name) for name in optim.__all__}
    classes = {c for c in exported if isinstance(c, type) and issubclass(c, optim.Optimizer)}
    assert {row.cls for row in OPTIMIZERS.values()} == classes - {optim.Optimizer}


@pytest.mark.parametrize(
    "cls, hyperparameters, arrays",
    [
        (optim.RMSprop, {"centered": True, "momentum": 0.9}, 3),   # v, the mean of g, the buffer
        (optim.Adam, {"amsgrad": True}, 3),                         # m, v and the maximum of v
    ],
)
def test_state_size_counts_the_arrays_of_other_settings(cls, hyperparameters, arrays):
    assert state_size(cls, 37, **hyperparameters) == 37 * arrays


def test_n_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="positive integer"):
        state_size(optim.Adam, 0)


def test_bytes_are_written_in_decimal_units():
    assert readable_bytes(2.62144e15) == "2.6 PB"
    assert readable_bytes(102_400_000) == "102.4 MB"
    assert readable_bytes(9_512) == "9.5 kB"
    assert readable_bytes(4) == "4.0 B" and readable_bytes(0) == "0.0 B"
    assert readable_bytes(2e18) == "2,000.0 PB"
    assert readable_bytes(4 * (7 * 10**9) ** 2) == "196,000.0 PB"   # a Python int beyond 64 bits
    for bad in (-1, float("nan"), float("inf"), "1 MB", True):
        with pytest.raises(ValueError, match="n_bytes"):
            readable_bytes(bad)
