"""course_lib.optim.lr_scheduler: torch's schedules (recorded by tools/make_torch_fixtures.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import Parameter, optim
from course_lib.optim import SGD, lr_scheduler

FIXTURE = np.load(Path(__file__).resolve().parents[2] / "fixtures" / "torch_lr_scheduler.npz",
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


# ------------------------------------------------ ReduceLROnPlateau and OneCycleLR
PLATEAUS = {config["id"]: config for config in META["plateau_configs"]}
ONE_CYCLES = {config["id"]: config for config in META["one_cycle_configs"]}
PLATEAU_LOSS = FIXTURE["plateau_loss"]


def watched(config):
    """The quantity the fixture's ReduceLROnPlateau watched: the loss, or 1 − loss."""
    return PLATEAU_LOSS if config["quantity"] == "loss" else 1 - PLATEAU_LOSS


def run_plateau(config_id, resume_after=None):
    config = PLATEAUS[config_id]
    optimizer = make_optimizer()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **config["kwargs"])
    lrs = [scheduler.get_last_lr()]
    for epoch, value in enumerate(watched(config)):
        if epoch == resume_after:
            saved_optimizer, saved = optimizer.state_dict(), scheduler.state_dict()
            optimizer = make_optimizer()
            optimizer.load_state_dict(saved_optimizer)
            scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, **config["kwargs"])
            scheduler.load_state_dict(saved)
        optimizer.step()
        scheduler.step(value)
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in optimizer.param_groups] == lrs[-1]
    return np.array(lrs)


@pytest.mark.parametrize("config_id", PLATEAUS)
def test_reduce_lr_on_plateau_reduces_when_torch_does(config_id):
    expected = FIXTURE[f"{config_id}/lrs"]
    assert len(np.unique(expected[:, 0])) > 1           # every configuration reduces η
    np.testing.assert_allclose(run_plateau(config_id), expected, rtol=1e-9, atol=0)
    np.testing.assert_allclose(run_plateau(config_id, resume_after=23), expected, rtol=1e-9,
                               atol=0)


def test_reduce_lr_on_plateau_reads_as_its_rule():
    optimizer = make_optimizer()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, factor=0.5)
    etas = []
    for loss in [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8]:
        scheduler.step(np.float64(loss))
        etas.append(scheduler.get_last_lr()[0])
    # the third epoch without improvement (> patience = 2) halves η; so does the next third
    assert etas == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05]
    scheduler.step(0.8)
    assert scheduler.get_last_lr()[0] == 0.025


def run_one_cycle(config_id, resume_after=None):
    config = ONE_CYCLES[config_id]

    def build_pair(state=None):
        optimizer = getattr(optim, config["optimizer"])(
            [{"params": [Parameter(np.zeros(2))], "lr": META["group_lrs"][0]},
             {"params": [Parameter(np.zeros(3))], "lr": META["group_lrs"][1]}],
            **config["optimizer_kwargs"])
        if state is not None:
            optimizer.load_state_dict(state[0])
        scheduler = lr_scheduler.OneCycleLR(optimizer, **config["kwargs"])
        if state is not None:
            scheduler.load_state_dict(state[1])
        return optimizer, scheduler

    def momenta(optimizer):
        return [g["betas"][0] if "betas" in g else g.get("momentum", np.nan)
                for g in optimizer.param_groups]

    optimizer, scheduler = build_pair()
    lrs, mus = [scheduler.get_last_lr()], [momenta(optimizer)]
    for step in range(META["one_cycle_steps"]):
        if step == resume_after:
            optimizer, scheduler = build_pair((optimizer.state_dict(), scheduler.state_dict()))
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        mus.append(momenta(optimizer))
    return np.array(lrs), np.array(mus), scheduler


@pytest.mark.parametrize("config_id", ONE_CYCLES)
@pytest.mark.parametrize("resume_after", [None, 13])
def test_one_cycle_gives_torchs_learning_rates_and_momenta(config_id, resume_after):
    lrs, mus, scheduler = run_one_cycle(config_id, resume_after)
    np.testing.assert_allclose(lrs, FIXTURE[f"{config_id}/lrs"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(mus, FIXTURE[f"{config_id}/momenta"], rtol=1e-9, atol=0)
    with pytest.raises(ValueError, match="OneCycleLR stepped 41 times, but the cycle has "
                                         "total_steps=40"):
        scheduler.step()
    assert scheduler.get_last_lr() == list(lrs[-1])     # the refused step changed nothing


def test_one_cycle_reads_as_its_formula():
    optimizer = SGD([Parameter(np.zeros(2))], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=11, pct_start=0.2,
                                        anneal_strategy="linear", div_factor=10.0,
                                        final_div_factor=1.0)
    lrs, mus = [], []
    for _ in range(11):
        lrs.append(scheduler.get_last_lr()[0])
        mus.append(optimizer.param_groups[0]["momentum"])
        scheduler.step()
    # t₁ = 0.2·11 − 1 = 1.2: up from η₀ = 0.1 to 1 in 1.2 steps, then down to η_min = 0.1 at t = 10
    np.testing.assert_allclose(lrs[:2], [0.1, 0.1 + 0.9 / 1.2])
    np.testing.assert_allclose(lrs[2:], 1 - 0.9 * (np.arange(2, 11) - 1.2) / 8.8)
    np.testing.assert_allclose(mus[:2], [0.95, 0.95 - 0.1 / 1.2])


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="minimum"), ValueError,
     "Invalid mode='minimum': must be 'min' (for a loss) or 'max' (for an accuracy)"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError,
     "Invalid reduction factor factor=1.0: must be in [0, 1)"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError,
     "Invalid patience=-1: must be an integer >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=2.5), TypeError,
     "Invalid patience=2.5: must be an integer"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold=-1e-4), ValueError,
     "Invalid threshold=-0.0001: must be >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="relative"), ValueError,
     "Invalid threshold_mode='relative': must be 'rel' (relative to best) or 'abs'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, cooldown=-2), ValueError,
     "Invalid cooldown=-2: must be an integer >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.0]), ValueError,
     "Invalid min_lr=[0.0]: expected one value or 2 (one per parameter group), got 1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=-1e-3), ValueError,
     "Invalid smallest learning rate min_lr=-0.001: must be >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, eps=-1.0), ValueError,
     "Invalid smallest change eps=-1.0: must be >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o).step("low"), TypeError,
     "ReduceLROnPlateau.step needs the measured quantity (e.g. the validation loss) as a "
     "number, got 'low'"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], []),
     TypeError, "schedulers[0] is a ReduceLROnPlateau, which needs the measured loss"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError,
     "OneCycleLR needs the length of the cycle: total_steps, or both epochs and steps_per_epoch"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError,
     "Invalid total_steps=0: must be an integer >= 1"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, epochs=3, steps_per_epoch=2.0), TypeError,
     "Invalid steps_per_epoch=2.0: must be an integer"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[1.0], total_steps=10), ValueError,
     "Invalid max_lr=[1.0]: expected 2 values (one per parameter group), got 1"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=-1.0, total_steps=10), ValueError,
     "Invalid largest learning rate max_lr=-1.0: must be > 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.0),
     ValueError, "Invalid fraction of rising steps pct_start=1.0: must be in (0, 1)"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1),
     ValueError, "Invalid pct_start=0.1 for total_steps=10: every phase needs more than 0 "
                 "steps (phase ends [0.0, 9]); need 1 < pct_start·total_steps < total_steps"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.6,
                                       three_phase=True),
     ValueError, "need 1 < pct_start·total_steps < (total_steps + 1)/2"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="cosine"),
     ValueError, "Invalid anneal_strategy='cosine': must be 'cos' or 'linear'"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, div_factor=0),
     ValueError, "Invalid initial division div_factor=0: must be > 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, final_div_factor=-1.0),
     ValueError, "Invalid final division final_div_factor=-1.0: must be > 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, max_momentum=1.0),
     ValueError, "Invalid max_momentum=1.0: must be in [0, 1)"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, base_momentum=[0.8]),
     ValueError, "Invalid base_momentum=[0.8]: expected 2 values (one per parameter group)"),
    (lambda o: lr_scheduler.OneCycleLR(optim.Adagrad([Parameter(np.zeros(2))]), max_lr=1.0,
                                       total_steps=10), ValueError,
     "cycle_momentum=True needs an optimizer with momentum or betas; Adagrad has neither "
     "(pass cycle_momentum=False)"),
])
def test_bad_plateau_and_one_cycle_arguments_are_explained(make, error, message):
    with pytest.raises(error) as raised:
        make(make_optimizer())
    assert message in str(raised.value)
