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
The exception is ``ReduceLROnPlateau``, which has no formula in t: it watches a
measured quantity, ``scheduler.step(validation_loss)``, and lowers η when that
stops improving. ``OneCycleLR`` is meant to be stepped after every mini-batch.
"""

import bisect
import copy
import math
import numbers

from course_lib.optim.optimizer import Optimizer, check_number


class LRScheduler:
    """Base class: keeps t (``last_epoch``), η₀ per group (``base_lrs``), sets ``group["lr"]``.

    Shared by every scheduler of ``optim.lr_scheduler`` (introduced in lesson 2).
    """

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
    """η_t = η₀ · λ(t), for a function λ you give (one per parameter group, or one for all).

    Introduced in lesson 2.
    """

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
    """Step decay: η_t = η₀ · γ^⌊t / step_size⌋ (multiply by γ every ``step_size`` epochs).

    Introduced in lesson 2.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_integer("step_size", step_size, 1)
        check_number("gamma", gamma, 0, low_open=True, meaning="decay factor")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t):
        return [eta0 * self.gamma ** (t // self.step_size) for eta0 in self.base_lrs]


class MultiStepLR(LRScheduler):
    """η_t = η₀ · γ^k, k = the number of milestones ≤ t (multiply by γ at each milestone).

    Lesson 2 introduces step schedules; no lesson uses this one.
    """

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
    """Exponential decay: η_t = η₀ · γᵗ.

    Introduced in lesson 6.
    """

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

    Introduced in lesson 6.
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

    Introduced in lesson 4 (Adam's warm-up); lesson 6 uses it too.
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

    Lesson 6 introduces chained schedules (warm-up, then decay); no lesson uses this class.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers:
            raise ValueError("SequentialLR needs at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if isinstance(scheduler, ReduceLROnPlateau):
                raise TypeError(f"schedulers[{i}] is a ReduceLROnPlateau, which needs the "
                                "measured loss at each step: SequentialLR chains schedules of t")
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


class ReduceLROnPlateau(LRScheduler):
    """Multiply η by ``factor`` < 1 when a measured quantity stops improving. Lesson 6.

    HOML calls this *performance scheduling*. Call ``step(metric)`` once per
    epoch with the quantity to watch: a validation loss with ``mode="min"``, an
    accuracy with ``mode="max"``. Each call, with τ = ``threshold``::

        improved  ⇔  metric < best · (1 − τ)      (mode "min", threshold_mode "rel")
                      metric < best − τ            (mode "min", threshold_mode "abs")
                      metric > best · (1 + τ)  or  metric > best + τ    (mode "max")
        improved:  best ← metric and the count of bad epochs ← 0;  otherwise count += 1
        in the ``cooldown`` epochs after a reduction the count is held at 0
        count > ``patience``:  η ← max(factor · η, η_min) in every group (η_min = ``min_lr``,
                             one per group or one for all), count ← 0, cooldown starts

    A reduction by less than ``eps`` is skipped. ``best`` starts at +∞ (mode
    "min") or −∞ ("max"). Unlike the other schedulers, η here depends on the
    run, not on t alone, and the scheduler changes η only when it reduces it.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs a course_lib.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"Invalid mode={mode!r}: must be 'min' (for a loss) or 'max' "
                             "(for an accuracy)")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"Invalid threshold_mode={threshold_mode!r}: must be 'rel' "
                             "(relative to best) or 'abs'")
        check_number("factor", factor, 0, 1, high_open=True, meaning="reduction factor")
        check_integer("patience", patience, 0)
        check_number("threshold", threshold, 0)
        check_integer("cooldown", cooldown, 0)
        check_number("eps", eps, 0, meaning="smallest change")
        n_groups = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n_groups
        if len(min_lrs) != n_groups:
            raise ValueError(f"Invalid min_lr={min_lr!r}: expected one value or {n_groups} "
                             f"(one per parameter group), got {len(min_lrs)}")
        for value in min_lrs:
            check_number("min_lr", value, 0, meaning="smallest learning rate")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, min_lrs, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, metric):
        """Whether ``metric`` improves on ``best`` by more than the threshold."""
        tau = self.threshold
        if self.mode == "min":
            return metric < (self.best * (1 - tau) if self.threshold_mode == "rel"
                             else self.best - tau)
        return metric > (self.best * (1 + tau) if self.threshold_mode == "rel"
                         else self.best + tau)

    def step(self, metric):
        """Record this epoch's ``metric`` (e.g. the validation loss); reduce η if it has stalled."""
        try:
            metric = float(metric)              # also a NumPy scalar or a 0-d array
        except (TypeError, ValueError):
            raise TypeError(f"ReduceLROnPlateau.step needs the measured quantity (e.g. the "
                            f"validation loss) as a number, got {metric!r}") from None
        self.last_epoch += 1
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class OneCycleLR(LRScheduler):
    """The one-cycle policy (Smith & Topin, 2019): η up to η_max and far down again. Lesson 6.

    η climbs from η₀ = η_max / ``div_factor`` to η_max = ``max_lr`` over the first
    ``pct_start`` of the run, then anneals to η_min = η₀ / ``final_div_factor``;
    the momentum μ (SGD's ``momentum``, or β₁ of Adam-type optimizers) moves the
    other way, from μ_max = ``max_momentum`` down to μ_base = ``base_momentum`` and
    back. With T = ``total_steps`` (or ``epochs · steps_per_epoch``) and the end
    of the first phase t₁ = pct_start · T − 1, step t = 0, 1, …, T gives::

        t ≤ t₁:  η_t = a(η₀, η_max, t / t₁),                     μ_t = a(μ_max, μ_base, t / t₁)
        t > t₁:  η_t = a(η_max, η_min, (t − t₁) / (T − 1 − t₁)),  μ_t = a(μ_base, μ_max, same)

        a(x, y, p) = y + (x − y)(1 + cos πp)/2   ("cos", default)   or   x + (y − x) p   ("linear")

    ``three_phase=True`` instead goes η₀ → η_max until t₁, back to η₀ until
    t₂ = 2 pct_start · T − 2, then to η_min at T − 1 (μ: down, up, then held at
    μ_max). The T optimizer steps of the cycle use η₀, …, η_{T−1} = η_min.
    Call ``step()`` after every mini-batch, T times in all: as in
    PyTorch, the last call sets an η_T that no step uses and that lies one step
    beyond the cycle (the cosine turns back up; the linear form passes below
    η_min, to a negative η), and a further call raises. ``cycle_momentum=False``
    leaves μ alone.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
                 three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs a course_lib.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        if total_steps is not None:
            check_integer("total_steps", total_steps, 1)
        elif epochs is not None and steps_per_epoch is not None:
            check_integer("epochs", epochs, 1)
            check_integer("steps_per_epoch", steps_per_epoch, 1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR needs the length of the cycle: total_steps, or both "
                             "epochs and steps_per_epoch")
        check_number("pct_start", pct_start, 0, 1, low_open=True, high_open=True,
                     meaning="fraction of rising steps")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"Invalid anneal_strategy={anneal_strategy!r}: must be 'cos' or "
                             "'linear'")
        check_number("div_factor", div_factor, 0, low_open=True, meaning="initial division")
        check_number("final_div_factor", final_div_factor, 0, low_open=True,
                     meaning="final division")
        t1 = pct_start * total_steps - 1
        ends = [t1, 2 * pct_start * total_steps - 2, total_steps - 1] if three_phase else \
            [t1, total_steps - 1]
        if not all(a < b for a, b in zip([0] + ends, ends)):
            raise ValueError(f"Invalid pct_start={pct_start} for total_steps={total_steps}: "
                             f"every phase needs more than 0 steps (phase ends {ends}); "
                             "need 1 < pct_start·total_steps"
                             + (" < (total_steps + 1)/2" if three_phase else " < total_steps"))
        max_lrs = per_group("max_lr", max_lr, optimizer)
        for value in max_lrs:
            check_number("max_lr", value, 0, low_open=True, meaning="largest learning rate")
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        self.three_phase, self.cycle_momentum = three_phase, cycle_momentum
        self.phase_ends = ends
        self.use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and not self.use_beta1:
                raise ValueError(f"cycle_momentum=True needs an optimizer with momentum or "
                                 f"betas; {type(optimizer).__name__} has neither (pass "
                                 "cycle_momentum=False)")
            max_momenta = per_group("max_momentum", max_momentum, optimizer)
            base_momenta = per_group("base_momentum", base_momentum, optimizer)
            for name, values in (("max_momentum", max_momenta), ("base_momentum", base_momenta)):
                for value in values:
                    check_number(name, value, 0, 1, high_open=True)
        if last_epoch == -1:
            for i, group in enumerate(optimizer.param_groups):
                group["initial_lr"] = max_lrs[i] / div_factor               # η₀
                group["max_lr"] = max_lrs[i]                                # η_max
                group["min_lr"] = group["initial_lr"] / final_div_factor    # η_min
                if cycle_momentum:
                    group["max_momentum"] = max_momenta[i]                  # μ_max
                    group["base_momentum"] = base_momenta[i]                # μ_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, p):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * p) + 1)
        return (end - start) * p + start

    def _phase(self, t):
        """(the group keys of η's and μ's start and end values, the fraction p) at step t."""
        keys = [("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                ("max_lr", "min_lr", "base_momentum", "max_momentum")]
        if self.three_phase:
            keys = [keys[0], ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
                    ("initial_lr", "min_lr", "max_momentum", "max_momentum")]
        start = 0.0
        for i, end in enumerate(self.phase_ends):
            if t <= end or i == len(self.phase_ends) - 1:
                return keys[i], (t - start) / (end - start)
            start = end

    def lr_at(self, t):
        (lr_from, lr_to, _, _), p = self._phase(t)
        return [self._anneal(g[lr_from], g[lr_to], p) for g in self.optimizer.param_groups]

    def momenta_at(self, t):
        """The momentum μ_t (β₁ for Adam-type optimizers) of every parameter group at step t."""
        (_, _, mu_from, mu_to), p = self._phase(t)
        return [self._anneal(g[mu_from], g[mu_to], p) for g in self.optimizer.param_groups]

    def step(self):
        """Advance t by one and set each group's η_t (and μ_t); at most ``total_steps`` times."""
        if self.last_epoch + 1 > self.total_steps:
            raise ValueError(f"OneCycleLR stepped {self.last_epoch + 1} times, but the cycle has "
                             f"total_steps={self.total_steps}: build it with more steps")
        super().step()
        if self.cycle_momentum:
            for group, mu in zip(self.optimizer.param_groups, self.momenta_at(self.last_epoch)):
                if self.use_beta1:
                    group["betas"] = (mu, *group["betas"][1:])
                else:
                    group["momentum"] = mu


def per_group(name, value, optimizer):
    """One value per parameter group: ``value`` repeated, or a list of the right length.

    Shared by every scheduler of ``optim.lr_scheduler`` (introduced in lesson 2).
    """
    n_groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            raise ValueError(f"Invalid {name}={list(value)}: expected {n_groups} values (one per "
                             f"parameter group), got {len(value)}")
        return list(value)
    return [value] * n_groups


def check_integer(name, value, low):
    """Raise unless ``value`` is an integer ≥ ``low``.

    Shared by every scheduler of ``optim.lr_scheduler`` (introduced in lesson 2).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Invalid {name}={value!r}: must be an integer")
    if value < low:
        raise ValueError(f"Invalid {name}={value!r}: must be an integer >= {low}")
