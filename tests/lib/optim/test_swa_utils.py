"""course_lib.optim.swa_utils averages weights as torch.optim.swa_utils does (EMA and SWA).

The reference averages were recorded with PyTorch by tools/make_torch_fixtures.py:
a model with two parameters and a batch norm layer is set to a noisy trajectory of
states, and AveragedModel.update_parameters runs after each; this test needs no PyTorch.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import Parameter, nn, optim
from course_lib.nn.module import Module
from course_lib.optim.swa_utils import (
    AveragedModel,
    get_ema_avg_fn,
    get_ema_multi_avg_fn,
    get_swa_avg_fn,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = np.load(FIXTURES / "torch_swa_utils.npz", allow_pickle=False)
META = json.loads(str(FIXTURE["meta"]))
CONFIGS = {config["id"]: config["kwargs"] for config in META["configs"]}
RTOL = 1e-9


class ParametersAndBatchNorm(Module):
    """The fixture's model: parameters a (3×4) and b (5,), then a BatchNorm1d(4)."""

    def __init__(self):
        self.a = Parameter(np.zeros((3, 4)))
        self.b = Parameter(np.zeros(5))
        self.bn = nn.BatchNorm1d(4)


def arrays_by_name(model):
    named = dict((name, p.data) for name, p in model.named_parameters())
    named.update({"bn.running_mean": model.bn.running_mean, "bn.running_var": model.bn.running_var})
    return named


def build(kwargs, model):
    kwargs = dict(kwargs)
    for key in ("avg_fn", "multi_avg_fn"):
        if key in kwargs:
            name, args = kwargs[key]
            kwargs[key] = getattr(optim.swa_utils, name)(*args)
    return AveragedModel(model, **kwargs)


@pytest.mark.parametrize("config_id", CONFIGS)
def test_same_averages_as_torch(config_id):
    model = ParametersAndBatchNorm()
    average = build(CONFIGS[config_id], model)
    worst = 0.0
    for t in range(META["steps"]):
        model.a.data[...] = FIXTURE["states/a"][t]
        model.b.data[...] = FIXTURE["states/b"][t]
        model.bn.weight.data[...] = FIXTURE["states/bn.weight"][t]
        model.bn.bias.data[...] = FIXTURE["states/bn.bias"][t]
        model.bn.running_mean = FIXTURE["states/bn.running_mean"][t].copy()
        model.bn.running_var = FIXTURE["states/bn.running_var"][t].copy()
        average.update_parameters(model)
        for name, ours in arrays_by_name(average.module).items():
            expected = FIXTURE[f"{config_id}/{name}"][t]
            worst = max(worst, np.max(np.abs(ours - expected) / np.abs(expected)))
    assert average.n_averaged == META["steps"]
    assert worst < RTOL


def test_ema_reads_as_its_formula_and_leaves_the_model_alone():
    theta = Parameter([4.0, -2.0])
    ema = AveragedModel([theta], multi_avg_fn=get_ema_multi_avg_fn(0.9))
    ema.update_parameters([theta])                      # the first call copies θ
    np.testing.assert_array_equal(ema.module[0].data, [4.0, -2.0])
    theta.data[...] = [0.0, 0.0]
    ema.update_parameters([theta])
    np.testing.assert_allclose(ema.module[0].data, [3.6, -1.8])       # 0.9·θ̄ + 0.1·θ
    np.testing.assert_array_equal(theta.data, [0.0, 0.0])
    assert [name for name, _ in ema.named_parameters()] == ["module.0"]


def test_ema_of_a_noisy_iterate_is_closer_to_the_minimum_than_the_last_iterate():
    # SGD on J(θ) = ½‖θ‖² with noisy gradients g = θ + noise: the iterates hover around
    # θ* = 0 with variance η/(2 − η) per coordinate; the EMA (decay 0.99) of this AR(1)
    # process with coefficient 1 − η = 0.9 has 0.087 times that variance, so its distance
    # is about 0.3 of the last iterate's (measured over 5 seeds: 0.23 to 0.38).
    distances = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        theta = Parameter(np.full(20, 5.0))
        sgd = optim.SGD([theta], lr=0.1)
        ema = AveragedModel([theta], multi_avg_fn=get_ema_multi_avg_fn(0.99))
        for _ in range(2000):
            theta.grad = theta.data + rng.standard_normal(20)
            sgd.step()
            ema.update_parameters([theta])
        distances.append((np.linalg.norm(theta.data), np.linalg.norm(ema.module[0].data)))
    last, averaged = np.array(distances).T
    assert np.all(averaged < last / 2)


def test_averaged_network_evaluates_and_is_named_like_torchs():
    model = nn.mlp([4, 8, 3], activation=nn.ReLU, rng=0)
    swa = AveragedModel(model)
    swa.update_parameters(model)
    x = np.random.default_rng(1).standard_normal((5, 4))
    np.testing.assert_array_equal(swa(x), model(x))
    assert [name for name, _ in swa.named_parameters()] == [
        "module." + name for name, _ in model.named_parameters()]
    model.parameters()[0].data += 1.0
    swa.update_parameters(model)                        # the mean of the two states
    np.testing.assert_allclose(swa.module.parameters()[0].data,
                               model.parameters()[0].data - 0.5)


@pytest.mark.parametrize("make, error, message", [
    (lambda: get_ema_multi_avg_fn(1.5), ValueError, "Invalid decay=1.5: must be in [0, 1]"),
    (lambda: get_ema_avg_fn(-0.1), ValueError, "Invalid decay=-0.1: must be in [0, 1]"),
    (lambda: AveragedModel([Parameter([1.0])], avg_fn=get_swa_avg_fn(),
                           multi_avg_fn=get_ema_multi_avg_fn()), ValueError,
     "give avg_fn or multi_avg_fn, not both"),
    (lambda: AveragedModel([Parameter([1.0])], multi_avg_fn=0.99), TypeError,
     "Invalid multi_avg_fn=0.99: must be a function, such as get_ema_multi_avg_fn(0.99)"),
    (lambda: AveragedModel(np.zeros(3)), TypeError,
     "an AveragedModel averages a course_lib.nn network or a non-empty list of Parameters, "
     "got ndarray"),
    (lambda: AveragedModel([Parameter([1.0])]).update_parameters([Parameter([1.0, 2.0])]),
     ValueError, "update_parameters needs the model this average was built from"),
    (lambda: AveragedModel(nn.mlp([2, 2], rng=0)).update_parameters(
        nn.mlp([2, 2], rng=0).parameters()),
     ValueError, "update_parameters needs the model this average was built from"),
    (lambda: AveragedModel([Parameter([1.0])])(np.zeros(1)), TypeError,
     "this average holds a list of Parameters, not a network"),
])
def test_bad_arguments_are_explained(make, error, message):
    with pytest.raises(error) as raised:
        make()
    assert message in str(raised.value)
