"""course_lib.optim.lr_scheduler: torch's schedules (recorded by tools/make_torch_fixtures.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.optim import SGD, lr_scheduler

FIXTURE = np.load(Path(__file__).parent / "fixtures" / "torch_lr_scheduler.npz",
                  allow_pickle=False)
META = json.loads(str(FIXTURE["meta"]))
CONFIGS = {config["id"]: config["spec"] for config in META["configs"]}

# The same functions as in tools/make_torch_fixtures.py.
LAMBDAS = {
    "inverse_time": lambda t: 1 / (1 + 0.1 * t),
    "warmup_then_halve": lambda t: min(1.0, (t + 1) / 5) * 0.5 ** (t // 10),
}


def make_optimizer():
    return SGD([{"params": [Parameter(np.zeros(2))], "lr": META["group_lrs"][0]},
                {"params": [Parameter(np.zeros(3))], "lr": META["group_lrs"][1]}])


def build(spec, optimizer):
    name, kwargs = spec
    kwargs = dict(kwargs)
    if name == "SequentialLR":
        kwargs["schedulers"] = [build(s, optimizer) for s in kwargs["schedulers"]]
    if name == "LambdaLR":
        f = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [LAMBDAS[g] for g in f] if isinstance(f, list) else LAMBDAS[f]
    return getattr(lr_scheduler, name)(optimizer, **kwargs)


def assert_schedule_matches(config_id, lrs):
    expected = FIXTURE[f"{config_id}/lrs"]
    # relative 1e-9, and absolute 1e-12·η₀ where the cosine passes through exactly 0
    np.testing.assert_allclose(lrs, expected, rtol=1e-9, atol=1e-12 * max(META["group_lrs"]))


@pytest.mark.parametrize("config_id", CONFIGS)
def test_same_schedule_as_torch(config_id):
    optimizer = make_optimizer()
    scheduler = build(CONFIGS[config_id], optimizer)
    lrs = [scheduler.get_last_lr()]
    for _ in range(META["epochs"]):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in optimizer.param_groups] == lrs[-1]
    assert scheduler.last_epoch == META["epochs"]
    assert_schedule_matches(config_id, np.array(lrs))


@pytest.mark.parametrize("config_id", CONFIGS)
def test_resuming_from_state_dict(config_id):
    optimizer = make_optimizer()
    scheduler = build(CONFIGS[config_id], optimizer)
    lrs = [scheduler.get_last_lr()]
    for _ in range(17):
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    saved_optimizer, saved = optimizer.state_dict(), scheduler.state_dict()

    optimizer = make_optimizer()
    optimizer.load_state_dict(saved_optimizer)
    scheduler = build(CONFIGS[config_id], optimizer)
    scheduler.load_state_dict(saved)
    for _ in range(17, META["epochs"]):
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    assert_schedule_matches(config_id, np.array(lrs))


def test_warmup_then_cosine_reads_as_the_formulas():
    optimizer = make_optimizer()
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
    decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[5])
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(15):
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    eta0 = META["group_lrs"][0]
    np.testing.assert_allclose(lrs[:5], eta0 * np.linspace(0.1, 1, 6)[:5])
    np.testing.assert_allclose(lrs[5:], eta0 * (1 + np.cos(np.pi * np.arange(11) / 10)) / 2,
                               atol=1e-15)


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError,
     "Invalid step_size=0: must be an integer >= 1"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2.5), TypeError,
     "Invalid step_size=2.5: must be an integer"),
    (lambda o: lr_scheduler.StepLR(o, 3, gamma=-0.5), ValueError,
     "Invalid decay factor gamma=-0.5: must be > 0"),
    (lambda o: lr_scheduler.MultiStepLR(o, [10, 5]), ValueError,
     "Invalid milestones=[10, 5]: must be in increasing order"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=0), ValueError,
     "Invalid decay factor gamma=0: must be > 0"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError,
     "Invalid T_max=0: must be an integer >= 1"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=-1e-3), ValueError,
     "Invalid final learning rate eta_min=-0.001: must be >= 0"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError,
     "Invalid start factor start_factor=0: must be in (0, 1]"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError,
     "Invalid end factor end_factor=1.5: must be in [0, 1]"),
    (lambda o: lr_scheduler.LambdaLR(o, [LAMBDAS["inverse_time"]]), ValueError,
     "Invalid lr_lambda: expected 2 functions (one per parameter group), got 1"),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError,
     "Invalid lr_lambda=0.5: must be a function of the step t"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ExponentialLR(o, 0.9)], [3]),
     ValueError, "Invalid milestones=[3]: 1 schedulers need 0 milestones"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ExponentialLR(make_optimizer(), 0.9)],
                                         []),
     ValueError, "schedulers[0] drives another optimizer"),
    (lambda o: lr_scheduler.StepLR(o, 3, last_epoch=4), ValueError,
     "Invalid last_epoch=4: resuming needs param_groups[0]['initial_lr']"),
    (lambda o: lr_scheduler.StepLR("SGD", 3), TypeError,
     "a scheduler needs a course_lib.optim optimizer, got str"),
])
def test_bad_arguments_are_explained(make, error, message):
    with pytest.raises(error) as raised:
        make(make_optimizer())
    assert message in str(raised.value)
