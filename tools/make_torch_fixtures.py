"""Record torch.optim's iterates and learning-rate schedules as reference fixtures.

Developer tool, not part of the course: it needs PyTorch (dev-only, e.g.
``pip install torch==2.13.0`` into the system Python), and writes

* ``tests/fixtures/torch_optim.npz``: every optimizer configuration of ``OPTIMIZERS``
  run in float64 for ``STEPS`` steps on a fixed pseudo-random gradient sequence
  (so no autograd is involved): the starting values, the gradients, which steps
  give the second parameter no gradient (it must be skipped), and θ after each step;
* ``tests/fixtures/torch_lr_scheduler.npz``: the learning rate of every parameter
  group for ``EPOCHS`` scheduler steps, for every configuration of ``SCHEDULERS``.

Both files also hold their configurations as JSON (and torch's hyperparameter
defaults, so the tests can check course_lib's defaults too). The tests
(tests/test_optim_parity.py, tests/test_lr_scheduler.py) read them with
``np.load(..., allow_pickle=False)`` and need no PyTorch.

Run from the repository root:  python3 tools/make_torch_fixtures.py
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

# Functions for LambdaLR, by name (tests/test_lr_scheduler.py defines the same ones).
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
    meta = {"torch_version": torch.__version__, "epochs": EPOCHS,
            "group_lrs": SCHEDULER_GROUP_LRS,
            "configs": [{"id": config_id, "spec": spec} for config_id, spec in SCHEDULERS]}
    np.savez_compressed(FIXTURES / "torch_lr_scheduler.npz", meta=np.array(json.dumps(meta)),
                        **lrs)
    print(f"torch {torch.__version__}: {len(OPTIMIZERS)} optimizer and {len(SCHEDULERS)} "
          f"scheduler configurations written to {FIXTURES}")


if __name__ == "__main__":
    main()
