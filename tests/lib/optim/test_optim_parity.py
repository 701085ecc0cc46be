"""course_lib.optim gives torch.optim's iterates (relative difference < 1e-9 in float64) and
has its hyperparameter names and defaults.

The reference trajectories were recorded with PyTorch by tools/make_torch_fixtures.py
(float64, fixed pseudo-random gradients, two parameters of different shapes, the
second one sometimes without a gradient); this test needs no PyTorch.
"""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import Parameter, optim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURE = np.load(FIXTURES / "torch_optim.npz", allow_pickle=False)
META = json.loads(str(FIXTURE["meta"]))
CONFIGS = {config["id"]: config for config in META["configs"]}
N_PARAMS = FIXTURE["has_grad"].shape[0]
RTOL = 1e-9


def build(config, params):
    hyper = {k: tuple(v) if k == "betas" else v for k, v in config["defaults"].items()}
    cls = getattr(optim, config["optimizer"])
    if config["groups"] is None:
        return cls(params, **hyper)
    groups = [{**{k: tuple(v) if k == "betas" else v for k, v in g.items()},
               "params": [params[i] for i in g["params"]]} for g in config["groups"]]
    return cls(groups, **hyper)


def run(optimizer, params, steps, trajectory):
    for t in steps:
        for i, p in enumerate(params):
            p.grad = FIXTURE[f"grads_{i}"][t].copy() if FIXTURE["has_grad"][i, t] else None
        optimizer.step()
        for i, p in enumerate(params):
            trajectory[i].append(p.data.copy())


def worst_relative_difference(config_id, trajectory):
    worst = 0.0
    for i in range(N_PARAMS):
        expected = FIXTURE[f"{config_id}/theta_{i}"]
        ours = np.stack(trajectory[i])
        assert ours.shape == expected.shape
        worst = max(worst, np.max(np.abs(ours - expected) / np.abs(expected)))
    return worst


@pytest.mark.parametrize("config_id", CONFIGS)
def test_same_iterates_as_torch(config_id):
    params = [Parameter(FIXTURE[f"init_{i}"]) for i in range(N_PARAMS)]
    trajectory = [[p.data.copy()] for p in params]
    run(build(CONFIGS[config_id], params), params, range(META["steps"]), trajectory)
    assert worst_relative_difference(config_id, trajectory) < RTOL


@pytest.mark.parametrize("config_id", CONFIGS)
def test_resuming_from_state_dict_gives_the_same_iterates(config_id):
    half = META["steps"] // 2
    params = [Parameter(FIXTURE[f"init_{i}"]) for i in range(N_PARAMS)]
    trajectory = [[p.data.copy()] for p in params]
    optimizer = build(CONFIGS[config_id], params)
    run(optimizer, params, range(half), trajectory)
    saved = optimizer.state_dict()
    run(optimizer, params, [half], [[] for _ in params])        # must not alter `saved`

    resumed = [Parameter(trajectory[i][-1]) for i in range(N_PARAMS)]
    optimizer = build(CONFIGS[config_id], resumed)
    optimizer.load_state_dict(saved)
    run(optimizer, resumed, range(half, META["steps"]), trajectory)
    assert worst_relative_difference(config_id, trajectory) < RTOL


@pytest.mark.parametrize("name", META["torch_defaults"])
def test_hyperparameter_names_and_defaults_are_torchs(name):
    signature = inspect.signature(getattr(optim, name))
    ours = {k: p.default for k, p in signature.parameters.items() if k != "params"}
    ours = {k: list(v) if isinstance(v, tuple) else v for k, v in ours.items()}
    assert ours == META["torch_defaults"][name]


def test_fixtures_cover_every_optimizer():
    assert {c["optimizer"] for c in CONFIGS.values()} == {
        "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"}
