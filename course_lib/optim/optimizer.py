"""The bookkeeping every optimizer shares: parameter groups, state, checks, saving.

Each optimizer's algorithm is a pair of pure functions in its own module, in
the lesson's notation (see ``sgd.py`` for the shortest example)::

    state = adam_init(theta)                              # t = 0, m_0 = 0, v_0 = 0
    theta, state = adam_update(theta, g, state, lr=1e-3)  # one step: θ_t, state_t

They modify nothing they are given, so a lesson can show one step at a time and
compare it with its own code. Steps are counted as in PyTorch's documentation and
Kingma & Ba: θ_0 is the start, and step t = 1, 2, … takes the gradient
g_t = ∇J(θ_{t−1}) at the current parameters and writes θ_t.

The class around them (``Adam``) only has to say two things:

* ``_init_state(theta, group)``: the per-parameter state it starts from (step counter
  t, moment estimates m and v, a velocity, ...), created at the first step;
* ``_update(theta, g, state, group)``: the pure update, called with the group's
  hyperparameters; it returns the new θ and the new state.

Everything else (parameter groups, hyperparameter checks, ``zero_grad``,
``state_dict`` / ``load_state_dict``) lives here, in the base class.
"""

import copy
import math
import numbers

import numpy as np

from course_lib.parameter import Parameter


class Optimizer:
    """Base class of the course's optimizers, with the semantics of ``torch.optim``.

    ``params`` is either a list of :class:`course_lib.Parameter` or a list of
    *parameter groups*: dicts ``{"params": [...], "lr": 0.1, ...}`` whose own
    hyperparameters override the defaults given to the constructor, exactly
    as in PyTorch. ``param_groups`` holds the groups (a learning-rate scheduler
    changes ``group["lr"]`` between steps), ``state[p]`` the per-parameter state.

    What ``step()`` guarantees:

    * parameters whose ``grad`` is ``None`` are skipped (their state too);
    * a gradient whose shape differs from its parameter's raises ``ValueError``;
    * a gradient containing NaN or ±inf raises ``FloatingPointError`` naming the
      parameter. All gradients are checked *before* anything changes, so after
      the error every θ and every state array is exactly as it was: nothing
      is silently corrupted, and the learner can lower η and carry on.
      (Non-finite gradients almost always mean the loss has diverged.)
    * θ keeps its dtype: a float32 parameter stays float32, and so does its state.

    Shared by every optimizer of ``course_lib.optim`` (lesson 1 meets the first, SGD).
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        if isinstance(params, (Parameter, np.ndarray, dict)):
            raise TypeError(
                "params must be a list of Parameters or a list of parameter-group dicts, "
                f"got a single {type(params).__name__}; wrap it in a list: [params]"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list: pass at least one Parameter")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---------------------------------------------------------------- groups
    def add_param_group(self, group):
        """Add a dict ``{"params": [...], **hyperparameters}``; missing ones take the defaults."""
        if not isinstance(group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError("a parameter group needs a 'params' entry (a list of Parameters)")
        unknown = sorted(set(group) - set(self.defaults) - {"params"})
        if unknown:
            raise ValueError(
                f"unknown hyperparameter {unknown[0]!r} in a parameter group of "
                f"{type(self).__name__}; allowed: {', '.join(self.defaults)}"
            )
        params = group["params"]
        params = [params] if isinstance(params, Parameter) else list(params)
        if not params:
            raise ValueError("a parameter group got an empty parameter list")
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"params[{i}] is a {type(p).__name__}; the optimizer needs "
                    "course_lib.Parameter objects (arrays with a .grad)"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) < len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once (or in more than one group)")
        new_group = {**self.defaults, **group, "params": params}
        self._check_hyperparameters(new_group)
        self.param_groups.append(new_group)

    def _check_hyperparameters(self, group):
        """Raise ValueError for a hyperparameter outside its range (each optimizer's rules)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ step
    def zero_grad(self):
        """Set every parameter's gradient to ``None`` (PyTorch's ``set_to_none=True``)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self):
        """Update every parameter that has a gradient, in place: θ ← update(θ, g)."""
        with np.errstate(over="ignore", invalid="ignore"):   # g·g may overflow: see below
            updates = [
                (group, p, self._checked_gradient(p, index))
                for index, (group, p) in enumerate(self._grouped_params())
                if p.grad is not None
            ]
        for group, p, g in updates:
            if p not in self.state:
                self.state[p] = self._init_state(p.data, group)
            theta, self.state[p] = self._update(p.data, g, self.state[p], group)
            p.data[...] = theta     # in place, as in PyTorch: whoever holds p.data sees the step

    def _init_state(self, theta, group):
        raise NotImplementedError

    def _update(self, theta, g, state, group):
        raise NotImplementedError

    def _hyperparameters(self, group):
        """The group's hyperparameters as keyword arguments of the update function.

        NumPy scalars become Python numbers, so a float32 θ stays float32 (NumPy
        promotes float32 arrays times a float64 *scalar* to float64).
        """
        return {name: _plain(group[name]) for name in self.defaults}

    def _grouped_params(self):
        return [(group, p) for group in self.param_groups for p in group["params"]]

    @staticmethod
    def _checked_gradient(p, index):
        g = np.asarray(p.grad)
        label = f"parameter {p.name!r}" if p.name else f"parameter #{index}"
        if g.dtype.kind not in "iuf":
            raise TypeError(f"Gradient of {label} must be an array of real numbers, "
                            f"got dtype {g.dtype}")
        if g.shape != p.data.shape:
            raise ValueError(
                f"Gradient of {label} has shape {g.shape}, but the parameter has shape "
                f"{p.data.shape}: they must be equal"
            )
        # g·g is finite only if every entry is (NaN and inf propagate), and the dot
        # product is the fastest pass over g NumPy has. Only when it is not finite
        # (it also overflows for huge finite entries) do we look entry by entry.
        # step() silences the overflow warnings once for all parameters.
        flat = g.reshape(-1)
        square_norm = np.dot(flat, flat)
        if not np.isfinite(square_norm) and not np.isfinite(g).all():
            bad = np.size(g) - np.count_nonzero(np.isfinite(g))
            raise FloatingPointError(
                f"Gradient of {label} contains NaN or inf ({bad} of {g.size} entries); "
                "nothing was updated. The loss has probably diverged: try a smaller "
                "learning rate or clip the gradient."
            )
        return g.astype(p.data.dtype, copy=False)

    # ---------------------------------------------------------------- saving
    def state_dict(self):
        """A copy of the hyperparameters and the state, parameters referred to by index."""
        index = {id(p): i for i, (_, p) in enumerate(self._grouped_params())}
        groups = []
        for group in self.param_groups:
            saved = copy.deepcopy({k: v for k, v in group.items() if k != "params"})
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved, so the run continues exactly as it would have."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        for saved, group in zip(saved_groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict has a parameter group of size "
                    f"{len(saved['params'])} where this optimizer's has {len(group['params'])}"
                )
        params = {}
        for saved, group in zip(saved_groups, self.param_groups):
            params.update(zip(saved["params"], group["params"]))
            group.update(copy.deepcopy({k: v for k, v in saved.items() if k != "params"}))
        self.state = {}
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            self.state[p] = {k: self._restored(v, p) for k, v in s.items()}

    @staticmethod
    def _restored(value, p):
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.shape != p.data.shape:
            raise ValueError(
                f"loaded state of shape {value.shape} does not fit a parameter of shape "
                f"{p.data.shape}"
            )
        return value.astype(p.data.dtype, copy=True)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in group.items() if k != "params"]
        return "\n".join(lines) + "\n)"


def _plain(value):
    if type(value) in (float, int, bool):      # the usual case, first: it is called every step
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value


# ------------------------------------------------------- hyperparameter checks
def check_number(name, value, low, high=math.inf, *, low_open=False, high_open=False,
                 meaning=None):
    """Raise unless ``value`` is a real number in the interval from ``low`` to ``high``.

    The message names the argument, the value and the allowed range, e.g.
    ``Invalid learning rate lr=-0.1: must be >= 0``.

    Shared by every optimizer of ``course_lib.optim`` (lesson 1 meets the first, SGD).
    """
    label = f"{meaning} {name}" if meaning and meaning != name else name
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"Invalid {label}={value!r}: must be a real number")
    if high == math.inf:
        allowed = f"> {low}" if low_open else f">= {low}"
    else:
        allowed = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if math.isnan(value) or below or above:
        raise ValueError(f"Invalid {label}={value!r}: must be {allowed}")


def check_lr(group):
    """η ≥ 0.

    Shared by every optimizer of ``course_lib.optim`` (lesson 1 meets the first, SGD).
    """
    check_number("lr", group["lr"], 0, meaning="learning rate")


def check_weight_decay(group):
    """λ ≥ 0.

    Shared by every optimizer of ``course_lib.optim`` (lesson 1 meets the first, SGD).
    """
    check_number("weight_decay", group["weight_decay"], 0, meaning="weight decay")


def check_eps(group):
    """ε > 0.

    Shared by the adaptive optimizers (introduced in lesson 4).
    """
    check_number("eps", group["eps"], 0, low_open=True, meaning="epsilon")


def check_betas(group):
    """A pair (β₁, β₂), each in [0, 1).

    Shared by Adam and its variants (introduced in lesson 4).
    """
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"Invalid betas={betas!r}: must be a pair (beta1, beta2)")
    for i, beta in enumerate(betas):
        check_number(f"betas[{i}]", beta, 0, 1, high_open=True, meaning=f"beta{i + 1}")


def check_adam_hyperparameters(group):
    """η ≥ 0, β₁ and β₂ in [0, 1), ε > 0, λ ≥ 0: the ranges of Adam and its variants.

    Shared by Adam, AdamW, Adamax, NAdam and RAdam (introduced in lesson 4).
    """
    check_lr(group)
    check_betas(group)
    check_eps(group)
    check_weight_decay(group)
