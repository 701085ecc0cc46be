"""Each optimizer's pure update rule (``adam_update`` …) changes nothing it is given and
takes the same steps as its class, so a lesson can show one step at a time."""

import copy

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.optim import adadelta, adagrad, adam, adamax, nadam, radam, rmsprop, sgd

RULES = [  # (class, init, update, hyperparameters that switch on every branch)
    (sgd.SGD, sgd.sgd_init, sgd.sgd_update,
     {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True}),
    (adagrad.Adagrad, adagrad.adagrad_init, adagrad.adagrad_update,
     {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    (rmsprop.RMSprop, rmsprop.rmsprop_init, rmsprop.rmsprop_update,
     {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    (adadelta.Adadelta, adadelta.adadelta_init, adadelta.adadelta_update,
     {"lr": 1.0, "weight_decay": 0.1}),
    (adam.Adam, adam.adam_init, adam.adam_update,
     {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}),
    (adam.AdamW, adam.adam_init, adam.adam_update,
     {"lr": 0.1, "weight_decay": 0.1}),
    (adamax.Adamax, adamax.adamax_init, adamax.adamax_update,
     {"lr": 0.1, "weight_decay": 0.1}),
    (nadam.NAdam, nadam.nadam_init, nadam.nadam_update,
     {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    (radam.RAdam, radam.radam_init, radam.radam_update,
     {"lr": 0.1, "weight_decay": 0.1}),
]


def init_state(init, theta, hyper):
    """Call ``init`` with the hyperparameters it takes (AMSGrad, G_0, RMSprop's buffers)."""
    names = init.__code__.co_varnames[1:init.__code__.co_argcount]
    return init(theta, **{name: hyper[name] for name in names if name in hyper})


@pytest.mark.parametrize("cls, init, update, hyper", RULES, ids=[r[0].__name__ for r in RULES])
def test_the_update_rule_changes_nothing_it_is_given_and_steps_like_its_class(
        cls, init, update, hyper):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(6)
    p = Parameter(theta.copy())
    optimizer = cls([p], **hyper)
    full = optimizer.defaults                      # the class's hyperparameters, AdamW's decay
    state = init_state(init, theta, full)
    for _ in range(12):                            # past RAdam's 5 unrectified steps
        g = 2 * theta + rng.standard_normal(6)
        given = (theta, g, state)
        copies = copy.deepcopy(given)
        theta, state = update(theta, g, state, **full)
        np.testing.assert_array_equal(given[0], copies[0])      # θ_t untouched
        np.testing.assert_array_equal(given[1], copies[1])      # g_t untouched
        assert given[2].keys() == copies[2].keys()
        for key, value in given[2].items():                      # the old state untouched
            np.testing.assert_array_equal(value, copies[2][key])
        p.grad = g
        optimizer.step()
        np.testing.assert_array_equal(p.data, theta)


def test_a_float32_parameter_and_its_state_stay_float32_with_numpy_hyperparameters():
    p = Parameter(np.ones(4, dtype=np.float32))
    optimizer = adam.Adam([p], lr=np.float64(0.1), betas=(np.float64(0.9), 0.999))
    p.grad = np.ones(4)                            # a float64 gradient
    optimizer.step()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in optimizer.state[p].values()
               if isinstance(v, np.ndarray))
