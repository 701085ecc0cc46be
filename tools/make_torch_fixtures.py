"""Record torch.optim's iterates and learning-rate schedules as reference fixtures.

Developer tool, not part of the course: it needs PyTorch, installed by hand and
never a requirement (``.venv/bin/pip install torch==2.13.0``), and writes

* ``tests/fixtures/torch_optim.npz``: every optimizer configuration of ``OPTIMIZERS``
  run in float64 for ``STEPS`` steps on a fixed pseudo-random gradient sequence
  (so no autograd is involved): the starting values, the gradients, which steps
  give the second parameter no gradient (it must be skipped), and θ after each step;
* ``tests/fixtures/torch_lr_scheduler.npz``: the learning rate of every parameter
  group for ``EPOCHS`` scheduler steps, for every configuration of ``SCHEDULERS``;
  for ``PLATEAUS`` (ReduceLROnPlateau) the watched quantity and the learning rates
  it produced; for ``ONE_CYCLES`` (OneCycleLR) the learning rates and momenta;
* ``tests/fixtures/torch_swa_utils.npz``: the averaged weights and batch-norm
  statistics of ``torch.optim.swa_utils.AveragedModel`` (EMA and SWA) after each
  update, for every configuration of ``AVERAGES``, and the states it averaged;
* ``tests/fixtures/exact_activations.npz``: Sigmoid and ELU and their derivatives
  from −700 to 700, exact (mpmath, which comes with torch, at 60 digits, rounded once
  to float64) and as torch computes them in float64.

The files also hold their configurations as JSON (and torch's hyperparameter
defaults, so the tests can check course_lib's defaults too). The tests
(tests/lib/optim/test_optim_parity.py, tests/lib/optim/test_lr_scheduler.py,
tests/lib/optim/test_swa_utils.py, tests/lib/nn/test_nn.py) read them with
``np.load(..., allow_pickle=False)`` and need no PyTorch.

Run from the repository root:  .venv/bin/python tools/make_torch_fixtures.py
"""

import inspect
import json
from pathlib import Path

import numpy as np
import torch

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
STEPS = 30
EPOCHS = 40
SHAPES = [(3, 4), (5,)]

# Implementation switches of torch.optim that are not hyperparameters of the method.
TORCH_ONLY = {"params", "self", "foreach", "maximize", "capturable", "differentiable", "fused"}

# id, optimizer, defaults given to the constructor, parameter groups (None: a plain list)
OPTIMIZERS = [
    ("sgd_default", "SGD", {}, None),
    ("sgd_plain", "SGD", {"lr": 0.1}, None),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}, None),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1}, None),
    ("sgd_nesterov_weight_decay", "SGD",
     {"lr": 0.05, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05}, None),
    ("sgd_groups", "SGD", {"lr": 0.1, "momentum": 0.9},
     [{"params": [0], "lr": 0.02, "dampening": 0.3}, {"params": [1], "nesterov": True}]),
    ("adagrad_default", "Adagrad", {}, None),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}, None),
    ("adagrad_accumulator_weight_decay", "Adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1}, None),
    ("adagrad_eps", "Adagrad", {"lr": 0.2, "eps": 1e-3}, None),
    ("rmsprop_default", "RMSprop", {}, None),
    ("rmsprop_alpha", "RMSprop", {"lr": 0.02, "alpha": 0.9}, None),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}, None),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, None),
    ("rmsprop_centered_momentum_weight_decay", "RMSprop",
     {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, None),
    ("rmsprop_groups", "RMSprop", {"lr": 0.01},
     [{"params": [0], "centered": True}, {"params": [1], "momentum": 0.9, "alpha": 0.95}]),
    ("adadelta_default", "Adadelta", {}, None),
    ("adadelta_rho_eps", "Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-4}, None),
    ("adadelta_weight_decay", "Adadelta", {"weight_decay": 0.1}, None),
    ("adam_default", "Adam", {}, None),
    ("adam_betas", "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6}, None),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}, None),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.1}, None),
    ("adam_amsgrad_weight_decay", "Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}, None),
    ("adam_decoupled_weight_decay", "Adam",
     {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, None),
    ("adam_groups", "Adam", {"lr": 0.01},
     [{"params": [0], "lr": 0.05, "betas": [0.5, 0.9]}, {"params": [1], "amsgrad": True}]),
    ("adamw_default", "AdamW", {}, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}, None),
    ("adamax_default", "Adamax", {}, None),
    ("adamax_betas_weight_decay", "Adamax",
     {"lr": 0.05, "betas": [0.5, 0.9], "weight_decay": 0.1}, None),
    ("nadam_default", "NAdam", {}, None),
    ("nadam_momentum_decay", "NAdam", {"lr": 0.05, "momentum_decay": 0.01}, None),
    ("nadam_weight_decay", "NAdam", {"lr": 0.05, "weight_decay": 0.1}, None),
    ("nadam_decoupled_weight_decay", "NAdam",
     {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, None),
    ("nadam_groups", "NAdam", {"lr": 0.02},
     [{"params": [0], "betas": [0.8, 0.99]}, {"params": [1], "weight_decay": 0.05}]),
    ("radam_default", "RAdam", {}, None),
    ("radam_betas_eps", "RAdam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-3}, None),
    ("radam_never_rectified", "RAdam", {"lr": 0.05, "betas": [0.9, 0.5]}, None),
    ("radam_weight_decay", "RAdam", {"lr": 0.05, "weight_decay": 0.1}, None),
    ("radam_decoupled_weight_decay", "RAdam",
     {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, None),
    ("radam_groups", "RAdam", {"lr": 0.02},
     [{"params": [0], "betas": [0.5, 0.9]}, {"params": [1], "decoupled_weight_decay": True,
                                              "weight_decay": 0.05}]),
]

# Functions for LambdaLR, by name (tests/lib/optim/test_lr_scheduler.py defines the same ones).
LAMBDAS = {
    "inverse_time": lambda t: 1 / (1 + 0.1 * t),
    "warmup_then_halve": lambda t: min(1.0, (t + 1) / 5) * 0.5 ** (t // 10),
}

# id, scheduler spec; a spec is [name, keyword arguments] and SequentialLR's
# "schedulers" argument is a list of specs.
SCHEDULERS = [
    ("step", ["StepLR", {"step_size": 7, "gamma": 0.5}]),
    ("step_default_gamma", ["StepLR", {"step_size": 10}]),
    ("multistep", ["MultiStepLR", {"milestones": [3, 10, 10, 20], "gamma": 0.3}]),
    ("exponential", ["ExponentialLR", {"gamma": 0.9}]),
    ("cosine", ["CosineAnnealingLR", {"T_max": 40}]),
    ("cosine_eta_min_restart", ["CosineAnnealingLR", {"T_max": 15, "eta_min": 0.01}]),
    ("linear_default", ["LinearLR", {}]),
    ("linear_warmup", ["LinearLR", {"start_factor": 0.1, "total_iters": 10}]),
    ("linear_decay", ["LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30}]),
    ("lambda", ["LambdaLR", {"lr_lambda": "inverse_time"}]),
    ("lambda_per_group", ["LambdaLR", {"lr_lambda": ["inverse_time", "warmup_then_halve"]}]),
    ("warmup_cosine", ["SequentialLR", {
        "schedulers": [["LinearLR", {"start_factor": 0.1, "total_iters": 5}],
                       ["CosineAnnealingLR", {"T_max": 35}]],
        "milestones": [5]}]),
    ("warmup_exponential_step", ["SequentialLR", {
        "schedulers": [["LinearLR", {"start_factor": 0.2, "total_iters": 5}],
                       ["ExponentialLR", {"gamma": 0.9}],
                       ["StepLR", {"step_size": 3, "gamma": 0.5}]],
        "milestones": [5, 15]}]),
]
SCHEDULER_GROUP_LRS = [0.1, 0.5]

# ReduceLROnPlateau watches a measured quantity: a loss that falls and then stalls with
# noise (or, for mode "max", the accuracy-like 1 − loss). id, keyword arguments, quantity.
PLATEAU_EPOCHS = 60
PLATEAUS = [
    ("plateau_default", {}, "loss"),
    ("plateau_patience_factor", {"patience": 2, "factor": 0.5}, "loss"),
    ("plateau_max", {"mode": "max", "patience": 3}, "accuracy"),
    ("plateau_abs_cooldown",
     {"patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 3}, "loss"),
    ("plateau_max_abs", {"mode": "max", "threshold_mode": "abs", "threshold": 0.005,
                         "patience": 2}, "accuracy"),
    ("plateau_min_lr_per_group", {"patience": 1, "factor": 0.3, "min_lr": [0.01, 0.002]}, "loss"),
    ("plateau_eps_skips", {"patience": 1, "factor": 0.5, "min_lr": 0.04, "eps": 0.01}, "loss"),
]

# OneCycleLR sets η and the momentum (SGD's momentum, Adam's β₁) of every group, once per
# step, ONE_CYCLE_STEPS steps. id, optimizer, its keyword arguments, the scheduler's.
ONE_CYCLE_STEPS = 40
ONE_CYCLES = [
    ("one_cycle_cos", "SGD", {"momentum": 0.9}, {"max_lr": 1.0, "total_steps": 40}),
    ("one_cycle_linear_per_group", "SGD", {"momentum": 0.9},
     {"max_lr": [0.5, 2.0], "total_steps": 40, "anneal_strategy": "linear"}),
    ("one_cycle_three_phase", "SGD", {"momentum": 0.9},
     {"max_lr": 1.0, "total_steps": 40, "three_phase": True, "pct_start": 0.25}),
    ("one_cycle_epochs_fractional_phase", "SGD", {"momentum": 0.9},
     {"max_lr": 0.3, "epochs": 8, "steps_per_epoch": 5, "pct_start": 0.33,
      "div_factor": 10.0, "final_div_factor": 100.0}),
    ("one_cycle_no_momentum", "SGD", {"momentum": 0.9},
     {"max_lr": 1.0, "total_steps": 40, "cycle_momentum": False}),
    ("one_cycle_adam_betas", "Adam", {},
     {"max_lr": 0.01, "total_steps": 40, "base_momentum": [0.8, 0.85], "max_momentum": 0.9}),
    ("one_cycle_adadelta", "Adadelta", {}, {"max_lr": 2.0, "total_steps": 40,
                                            "cycle_momentum": False, "anneal_strategy": "linear"}),
]


def torch_defaults():
    """Every optimizer's hyperparameter defaults, read from torch's signatures."""
    defaults = {}
    for name in sorted({name for _, name, _, _ in OPTIMIZERS}):
        signature = inspect.signature(getattr(torch.optim, name).__init__)
        defaults[name] = {k: p.default for k, p in signature.parameters.items()
                          if k not in TORCH_ONLY}
        defaults[name] = {k: list(v) if isinstance(v, tuple) else v
                          for k, v in defaults[name].items()}
    return defaults


def gradient_sequence(rng):
    """Gradients of varied size (log-uniform scale 0.1 … 10), one array per parameter and step."""
    scales = 10 ** rng.uniform(-1, 1, size=(STEPS, len(SHAPES)))
    return [np.stack([scales[t, i] * rng.standard_normal(shape) for t in range(STEPS)])
            for i, shape in enumerate(SHAPES)]


def record_optimizer(name, defaults, groups, init, grads, has_grad):
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in init]
    if groups is None:
        optimizer = getattr(torch.optim, name)(params, **defaults)
    else:
        torch_groups = [{**g, "params": [params[i] for i in g["params"]]} for g in groups]
        optimizer = getattr(torch.optim, name)(torch_groups, **defaults)
    trajectory = [[a.copy()] for a in init]
    for t in range(STEPS):
        for i, p in enumerate(params):
            p.grad = torch.tensor(grads[i][t]) if has_grad[i][t] else None
        optimizer.step()
        for i, p in enumerate(params):
            trajectory[i].append(p.detach().numpy().copy())
    return [np.stack(tr) for tr in trajectory]


def build_scheduler(spec, optimizer):
    name, kwargs = spec
    kwargs = dict(kwargs)
    if name == "SequentialLR":
        kwargs["schedulers"] = [build_scheduler(s, optimizer) for s in kwargs["schedulers"]]
    if name == "LambdaLR":
        f = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [LAMBDAS[g] for g in f] if isinstance(f, list) else LAMBDAS[f]
    return getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)


def record_scheduler(spec):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, SCHEDULER_GROUP_LRS)])
    scheduler = build_scheduler(spec, optimizer)
    lrs = [scheduler.get_last_lr()]
    for _ in range(EPOCHS):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return np.array(lrs, dtype=np.float64)


# torch.optim.swa_utils.AveragedModel over AVERAGE_STEPS given states of a model with two
# parameters (SHAPES) and a BatchNorm1d(4) (its weight, bias and running statistics).
# id, keyword arguments: an average function's name and argument, use_buffers.
AVERAGE_STEPS = 30
AVERAGES = [
    ("ema_default", {"multi_avg_fn": ["get_ema_multi_avg_fn", []]}),
    ("ema_decay", {"multi_avg_fn": ["get_ema_multi_avg_fn", [0.9]]}),
    ("ema_avg_fn", {"avg_fn": ["get_ema_avg_fn", [0.8]]}),
    ("ema_buffers", {"multi_avg_fn": ["get_ema_multi_avg_fn", [0.9]], "use_buffers": True}),
    ("swa_default", {}),
    ("swa_avg_fn_buffers", {"avg_fn": ["get_swa_avg_fn", []], "use_buffers": True}),
]
AVERAGED = ["a", "b", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"]


class ParametersAndBatchNorm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.zeros(SHAPES[0]))
        self.b = torch.nn.Parameter(torch.zeros(SHAPES[1]))
        self.bn = torch.nn.BatchNorm1d(4)


def model_states(rng):
    """A noisy trajectory θ_t = θ* + noise/√t of every averaged array, one row per step."""
    model = ParametersAndBatchNorm()
    states = {}
    for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
        if name in AVERAGED:
            target = rng.standard_normal(tuple(tensor.shape))
            noise = rng.standard_normal((AVERAGE_STEPS, *tensor.shape))
            states[name] = target + noise / np.sqrt(np.arange(1, AVERAGE_STEPS + 1)).reshape(
                -1, *[1] * tensor.dim())
    states["bn.running_var"] = np.abs(states["bn.running_var"])
    return states


def record_average(kwargs, states):
    """The averaged arrays after each ``update_parameters``, by name."""
    kwargs = dict(kwargs)
    for key in ("avg_fn", "multi_avg_fn"):
        if key in kwargs:
            name, args = kwargs[key]
            kwargs[key] = getattr(torch.optim.swa_utils, name)(*args)
    model = ParametersAndBatchNorm()
    average = torch.optim.swa_utils.AveragedModel(model, **kwargs)
    tensors = dict(list(model.named_parameters()) + list(model.named_buffers()))
    averaged = dict(list(average.module.named_parameters()) + list(average.module.named_buffers()))
    trajectory = {name: [] for name in AVERAGED}
    for t in range(AVERAGE_STEPS):
        with torch.no_grad():
            for name in AVERAGED:
                tensors[name].copy_(torch.tensor(states[name][t]))
        average.update_parameters(model)
        for name in AVERAGED:
            trajectory[name].append(averaged[name].detach().numpy().copy())
    return {name: np.stack(values) for name, values in trajectory.items()}


# Sigmoid and ELU (α = 1 and 0.5) from −700 to 700: the exact values from mpmath at
# 60 significant digits, rounded once to float64, and torch's float64 values.
ELU_ALPHAS = [1.0, 0.5]


def activation_inputs():
    """A grid over [−700, 700] plus the points where naive formulas break down."""
    special = [0.0, 1e-300, 1e-20, 1e-8, 1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 17.0, 20.0,
               25.0, 30.0, 36.0, 37.0, 37.5, 38.0, 40.0, 50.0, 100.0, 300.0, 500.0, 700.0]
    x = np.concatenate([np.linspace(-700, 700, 2801), special, np.negative(special)])
    return np.unique(x)


def exact_activations(x):
    """σ(x), σ′(x), and ELU_α(x), ELU′_α(x) for each α, computed in 60-digit arithmetic."""
    import mpmath
    mpmath.mp.dps = 60
    columns = {"sigmoid": [], "sigmoid_grad": []}
    for alpha in ELU_ALPHAS:
        columns[f"elu_{alpha}"], columns[f"elu_{alpha}_grad"] = [], []
    for value in x:
        xi = mpmath.mpf(float(value))
        e = mpmath.exp(-abs(xi))                    # σ′ = e/(1 + e)², without 1 − σ(x),
        columns["sigmoid"].append(float(1 / (1 + mpmath.exp(-xi))))   # which would need
        columns["sigmoid_grad"].append(float(e / (1 + e) ** 2))      # 300 digits at x = 700
        for alpha in ELU_ALPHAS:
            a = mpmath.mpf(alpha)
            columns[f"elu_{alpha}"].append(float(xi if xi > 0 else a * mpmath.expm1(xi)))
            columns[f"elu_{alpha}_grad"].append(float(1 if xi > 0 else a * mpmath.exp(xi)))
    return {name: np.array(values) for name, values in columns.items()}


def torch_activations(x):
    """The same columns from torch.sigmoid and torch.nn.functional.elu (autograd derivatives)."""
    columns = {}
    functions = {"sigmoid": torch.sigmoid}
    for alpha in ELU_ALPHAS:
        functions[f"elu_{alpha}"] = lambda t, alpha=alpha: torch.nn.functional.elu(t, alpha)
    for name, f in functions.items():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = f(t)
        y.backward(torch.ones_like(y))
        columns[name], columns[f"{name}_grad"] = y.detach().numpy(), t.grad.numpy()
    return columns


def plateau_quantity(rng):
    """A loss that falls from 1 to about 0.5 and then stalls, with noise of size 0.01."""
    t = np.arange(PLATEAU_EPOCHS)
    return 0.5 + 0.5 * np.exp(-t / 6) + 0.01 * rng.standard_normal(PLATEAU_EPOCHS)


def record_plateau(kwargs, quantity):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, SCHEDULER_GROUP_LRS)])
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    lrs = [scheduler.get_last_lr()]
    for value in quantity:
        optimizer.step()
        scheduler.step(float(value))
        lrs.append(scheduler.get_last_lr())
    return np.array(lrs, dtype=np.float64)


def record_one_cycle(name, optimizer_kwargs, kwargs):
    """η and μ (momentum or β₁) of both groups after construction and after each step."""
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    optimizer = getattr(torch.optim, name)(
        [{"params": [p], "lr": lr} for p, lr in zip(params, SCHEDULER_GROUP_LRS)],
        **optimizer_kwargs)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, **kwargs)

    def momenta():
        return [g["betas"][0] if "betas" in g else g.get("momentum", np.nan)
                for g in optimizer.param_groups]

    lrs, mus = [scheduler.get_last_lr()], [momenta()]
    for _ in range(ONE_CYCLE_STEPS):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        mus.append(momenta())
    return np.array(lrs, dtype=np.float64), np.array(mus, dtype=np.float64)


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(20261121)
    init = [rng.standard_normal(shape) for shape in SHAPES]
    grads = gradient_sequence(rng)
    has_grad = np.ones((len(SHAPES), STEPS), dtype=bool)
    has_grad[1, 3::7] = False                      # the second parameter sometimes has no gradient

    arrays = {"has_grad": has_grad}
    for i in range(len(SHAPES)):
        arrays[f"init_{i}"], arrays[f"grads_{i}"] = init[i], grads[i]
    configs = []
    for config_id, name, defaults, groups in OPTIMIZERS:
        trajectory = record_optimizer(name, defaults, groups, init, grads, has_grad)
        for i, theta in enumerate(trajectory):
            arrays[f"{config_id}/theta_{i}"] = theta
        configs.append({"id": config_id, "optimizer": name, "defaults": defaults,
                        "groups": groups})
    meta = {"torch_version": torch.__version__, "steps": STEPS, "configs": configs,
            "torch_defaults": torch_defaults()}
    FIXTURES.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(FIXTURES / "torch_optim.npz", meta=np.array(json.dumps(meta)), **arrays)

    lrs = {f"{config_id}/lrs": record_scheduler(spec) for config_id, spec in SCHEDULERS}
    loss = plateau_quantity(np.random.default_rng(20261201))
    quantities = {"loss": loss, "accuracy": 1 - loss}
    lrs["plateau_loss"] = loss
    for config_id, kwargs, quantity in PLATEAUS:
        lrs[f"{config_id}/lrs"] = record_plateau(kwargs, quantities[quantity])
    for config_id, name, optimizer_kwargs, kwargs in ONE_CYCLES:
        lrs[f"{config_id}/lrs"], lrs[f"{config_id}/momenta"] = record_one_cycle(
            name, optimizer_kwargs, kwargs)
    meta = {"torch_version": torch.__version__, "epochs": EPOCHS,
            "group_lrs": SCHEDULER_GROUP_LRS,
            "configs": [{"id": config_id, "spec": spec} for config_id, spec in SCHEDULERS],
            "plateau_configs": [{"id": config_id, "kwargs": kwargs, "quantity": quantity}
                                for config_id, kwargs, quantity in PLATEAUS],
            "one_cycle_steps": ONE_CYCLE_STEPS,
            "one_cycle_configs": [{"id": config_id, "optimizer": name,
                                   "optimizer_kwargs": optimizer_kwargs, "kwargs": kwargs}
                                  for config_id, name, optimizer_kwargs, kwargs in ONE_CYCLES]}
    np.savez_compressed(FIXTURES / "torch_lr_scheduler.npz", meta=np.array(json.dumps(meta)),
                        **lrs)

    states = model_states(np.random.default_rng(20261202))
    arrays = {f"states/{name}": values for name, values in states.items()}
    for config_id, kwargs in AVERAGES:
        for name, values in record_average(kwargs, states).items():
            arrays[f"{config_id}/{name}"] = values
    meta = {"torch_version": torch.__version__, "steps": AVERAGE_STEPS, "names": AVERAGED,
            "configs": [{"id": config_id, "kwargs": kwargs} for config_id, kwargs in AVERAGES]}
    np.savez_compressed(FIXTURES / "torch_swa_utils.npz", meta=np.array(json.dumps(meta)),
                        **arrays)
    x = activation_inputs()
    arrays = {"x": x}
    arrays.update({f"exact/{k}": v for k, v in exact_activations(x).items()})
    arrays.update({f"torch/{k}": v for k, v in torch_activations(x).items()})
    meta = {"torch_version": torch.__version__, "elu_alphas": ELU_ALPHAS, "digits": 60}
    np.savez_compressed(FIXTURES / "exact_activations.npz", meta=np.array(json.dumps(meta)),
                        **arrays)

    n_schedulers = len(SCHEDULERS) + len(PLATEAUS) + len(ONE_CYCLES)
    print(f"torch {torch.__version__}: {len(OPTIMIZERS)} optimizer, {n_schedulers} scheduler "
          f"and {len(AVERAGES)} weight-average configurations written to {FIXTURES}")


if __name__ == "__main__":
    main()
