"""Learning-rate schedules η_t, with the names and numbers of ``torch.optim.lr_scheduler``.

Use: build the scheduler on an optimizer, call ``scheduler.step()`` once per
epoch (after ``optimizer.step()``); it writes η_t into every parameter
group's ``"lr"``. t = ``last_epoch`` counts the scheduler's steps from 0, and η₀
is each group's learning rate when the first scheduler was built (saved in
``group["initial_lr"]``)::

    optimizer = SGD(params, lr=0.1, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)            # calls optimizer.step()
        scheduler.step()

Each scheduler here computes η_t from its closed form (the formula in its
docstring). PyTorch gives the same numbers by updating the current lr step by
step; the two differ only if you change ``group["lr"]`` by hand or drive one
optimizer with two schedulers at once — use ``SequentialLR`` or ``LambdaLR`` instead.
"""

import bisect
import copy
import math
import numbers

from course_lib.optim.optimizer import Optimizer, check_number


class LRScheduler:
    """Base class: keeps t (``last_epoch``), η₀ per group (``base_lrs``), sets ``group["lr"]``."""

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs a course_lib.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        check_integer("last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise ValueError(
                    f"Invalid last_epoch={last_epoch}: resuming needs param_groups[{i}]"
                    "['initial_lr'] (load the optimizer's state_dict first), or use last_epoch=-1"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, t):
        """The learning rates η_t of every parameter group at scheduler step t."""
        raise NotImplementedError

    def step(self):
        """Advance t by one and set each group's learning rate to η_t."""
        self.last_epoch += 1
        self._set_lrs(self.lr_at(self.last_epoch))

    def _set_lrs(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def get_last_lr(self):
        """The learning rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (save that one with its own ``state_dict``)."""
        return copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "optimizer"})

    def load_state_dict(self, state_dict):
        self.__dict__.update(copy.deepcopy(state_dict))


class LambdaLR(LRScheduler):
    """η_t = η₀ · λ(t), for a function λ you give (one per parameter group, or one for all)."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n_groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(lr_lambda, (list, tuple)):
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * n_groups
        if len(lambdas) != n_groups:
            raise ValueError(f"Invalid lr_lambda: expected {n_groups} functions "
                             f"(one per parameter group), got {len(lambdas)}")
        for f in lambdas:
            if not callable(f):
                raise TypeError(f"Invalid lr_lambda={f!r}: must be a function of the step t")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return [eta0 * f(t) for eta0, f in zip(self.base_lrs, self.lr_lambdas)]

    def state_dict(self):
        """Like the base class, without the functions (they cannot be saved as data)."""
        saved = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        return copy.deepcopy(saved)


class StepLR(LRScheduler):
    """Step decay: η_t = η₀ · γ^⌊t / step_size⌋ (multiply by γ every ``step_size`` epochs)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_integer("step_size", step_size, 1)
        check_number("gamma", gamma, 0, low_open=True, meaning="decay factor")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return [eta0 * self.gamma ** (t // self.step_size) for eta0 in self.base_lrs]


class MultiStepLR(LRScheduler):
    """η_t = η₀ · γ^k, k = the number of milestones ≤ t (multiply by γ at each milestone)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            check_integer("milestones", m, 0)
        if milestones != sorted(milestones):
            raise ValueError(f"Invalid milestones={milestones}: must be in increasing order")
        check_number("gamma", gamma, 0, low_open=True, meaning="decay factor")
        self.milestones, self.gamma = milestones, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return [eta0 * self.gamma ** bisect.bisect_right(self.milestones, t)
                for eta0 in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Exponential decay: η_t = η₀ · γᵗ."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_number("gamma", gamma, 0, low_open=True, meaning="decay factor")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return [eta0 * self.gamma**t for eta0 in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing: η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2.

    η falls from η₀ to η_min over ``T_max`` steps along half a cosine (and, as
    in PyTorch, climbs back along the next half if you keep stepping).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        check_integer("T_max", T_max, 1)
        check_number("eta_min", eta_min, 0, meaning="final learning rate")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
        return [self.eta_min + (eta0 - self.eta_min) * cosine for eta0 in self.base_lrs]


class LinearLR(LRScheduler):
    """Linear warm-up (or decay) of a factor: η_t = η₀ · (s + (e − s) · min(t, T) / T).

    s = ``start_factor``, e = ``end_factor``, T = ``total_iters``: the factor moves
    in a straight line from s to e over T steps and then stays at e.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        check_number("start_factor", start_factor, 0, 1, low_open=True, meaning="start factor")
        check_number("end_factor", end_factor, 0, 1, meaning="end factor")
        check_integer("total_iters", total_iters, 1)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return [eta0 * (s + (e - s) * min(t, T) / T) for eta0 in self.base_lrs]


class SequentialLR(LRScheduler):
    """Run schedulers one after another: e.g. a linear warm-up, then cosine decay.

    ``schedulers[i]`` takes over at ``milestones[i − 1]`` and starts again from
    its own step 0 there: with milestones [m], η_t = first(t) for t < m and
    η_t = second(t − m) for t ≥ m::

        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(optimizer, T_max=45)
        scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError("SequentialLR needs at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"schedulers[{i}] is a {type(scheduler).__name__}, "
                                "not a learning-rate scheduler")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] drives another optimizer: all schedulers "
                                 "must belong to the optimizer given to SequentialLR")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"Invalid milestones={milestones}: {len(schedulers)} schedulers "
                             f"need {len(schedulers) - 1} milestones")
        for m in milestones:
            check_integer("milestones", m, 1)
        if milestones != sorted(milestones):
            raise ValueError(f"Invalid milestones={milestones}: must be in increasing order")
        self._schedulers, self._milestones = schedulers, milestones
        super().__init__(optimizer, last_epoch)

    def step(self):
        """Advance t; the scheduler in charge at t sets η (and its own step count)."""
        self.last_epoch += 1
        t = self.last_epoch
        i = bisect.bisect_right(self._milestones, t)
        start = self._milestones[i - 1] if i > 0 else 0
        scheduler = self._schedulers[i]
        scheduler.last_epoch = t - start
        scheduler._set_lrs(scheduler.lr_at(t - start))
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self):
        saved = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        saved = copy.deepcopy(saved)
        saved["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return saved

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        for scheduler, saved in zip(self._schedulers, state_dict.pop("_schedulers")):
            scheduler.load_state_dict(saved)
        super().load_state_dict(state_dict)


def check_integer(name, value, low):
    """Raise unless ``value`` is an integer ≥ ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Invalid {name}={value!r}: must be an integer")
    if value < low:
        raise ValueError(f"Invalid {name}={value!r}: must be an integer >= {low}")
