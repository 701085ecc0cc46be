"""Lesson 6's experiment: one small MLP on the digits, trained by any optimizer of the course.

Every run uses the same network (64 → 32 ReLU → 10, He initialisation, softmax
cross-entropy), the same initial weights and the same mini-batches of 64 digits; only the
optimizer, its learning rate η and the schedule η_t change::

    log = train_digits("Adam", lr=1e-2, epochs=10)     # a TrainingLog, or None if it diverged

``digits_range_test`` runs the learning-rate range test of ``course_lib.lr_finder`` on the
same network. ``CapstoneExplorer.update`` trains one run and draws it beside the optimizer's
best constant-η run (a PNG, tested without widgets); ``explore_optimizers`` wires ipywidgets 8
controls (optimizer, log₁₀ η, schedule) to it.
"""

import functools
import io

import numpy as np

from course_lib import nn, optim
from course_lib.data import MiniBatches, load_digits
from course_lib.lr_finder import lr_range_test
from course_lib.optim import lr_scheduler
from course_lib.plots import OPTIMIZER_COLORS
from course_lib.schedules import warmup_cosine
from course_lib.train import fit

OPTIMIZERS = {   # name: (class, fixed hyperparameters); η is given per run
    "SGD": (optim.SGD, {}),
    "Momentum": (optim.SGD, {"momentum": 0.9}),
    "Nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (optim.Adagrad, {}),
    "RMSprop": (optim.RMSprop, {}),
    "Adadelta": (optim.Adadelta, {}),
    "Adam": (optim.Adam, {}),
    "AdamW": (optim.AdamW, {"weight_decay": 1e-2}),
    "Adamax": (optim.Adamax, {}),
    "NAdam": (optim.NAdam, {}),
}
"""The optimizers of the course with the hyperparameters lesson 6 keeps fixed."""

SIZES = [64, 32, 10]
BATCH_SIZE = 64


@functools.cache
def digits():
    """The digits' (X_train, y_train, X_test, y_test), split once with seed 0."""
    return load_digits(seed=0)


def _optimizer(name, lr, seed):
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls, fixed = OPTIMIZERS[name]
    model = nn.mlp(SIZES, nn.ReLU, nn.init.he_normal, rng=seed)
    return model, cls(model.parameters(), lr=lr, **fixed)


def train_digits(name, lr, epochs=10, schedule=None, seed=0):
    """Train the MLP with optimizer ``name`` at learning rate η = ``lr`` for ``epochs`` epochs.

    ``schedule(optimizer)``, if given, builds a scheduler, stepped once per epoch. Returns the
    :class:`~course_lib.train.TrainingLog` (losses, η and test accuracy per epoch; gradient
    statistics of the first step only, which keeps a run fast), or None if the run diverged: the loss overflowed, or the optimizer refused a
    non-finite gradient.
    """
    X_train, y_train, X_test, y_test = digits()
    model, optimizer = _optimizer(name, lr, seed)
    scheduler = schedule(optimizer) if schedule else None
    batches = MiniBatches(X_train, y_train, BATCH_SIZE, seed=seed)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            log = fit(model, nn.softmax_cross_entropy, optimizer, batches, epochs,
                      scheduler=scheduler, validation=(X_test, y_test), record_every=10**9,
                      verbose=False)
    except FloatingPointError:
        return None
    return log if np.isfinite(log.epoch_loss[-1]) else None


def digits_range_test(name, lr_min=1e-5, lr_max=10.0, steps=100, seed=0):
    """The learning-rate range test of optimizer ``name`` on the MLP: (η_k, loss_k) arrays.

    Step k = 0, …, K−1 trains on one fresh mini-batch at η_k = η_min (η_max/η_min)^(k/(K−1))
    and records that batch's loss; the run stops once the loss passes 4 times its lowest value.
    """
    X_train, y_train, _, _ = digits()
    model, optimizer = _optimizer(name, lr_min, seed)
    epochs_needed = -(-steps * BATCH_SIZE // len(X_train))   # enough batches for every step
    batches = iter(MiniBatches(np.tile(X_train, (epochs_needed, 1)), np.tile(y_train, epochs_needed),
                               BATCH_SIZE, seed=seed))

    def step(lr):
        optimizer.param_groups[0]["lr"] = lr
        X_batch, y_batch = next(batches)
        optimizer.zero_grad()
        loss, grad_output = nn.softmax_cross_entropy(model(X_batch), y_batch)
        model.backward(grad_output)
        optimizer.step()
        return loss

    with np.errstate(over="ignore", invalid="ignore"):
        return lr_range_test(step, lr_min, lr_max, steps, stop_factor=4.0)


EXPLORER_EPOCHS = 15
EXPLORER_SCHEDULES = {
    "constant": None,
    "step (s=5, γ=0.3)": lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.3),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=EXPLORER_EPOCHS),
    "warm-up 3 + cosine": lambda o: lr_scheduler.LambdaLR(
        o, lambda t: warmup_cosine(min(t + 1, EXPLORER_EPOCHS), 1.0, 3, EXPLORER_EPOCHS)),
}
"""The explorer's schedules η_t over its 15 epochs (t counts epochs)."""


class CapstoneExplorer:
    """One run of the MLP (optimizer, η, schedule) beside that optimizer's best constant-η run.

    ``best_lr`` maps each optimizer name to its best constant η (from lesson 6's sweep); the
    best runs are trained once and kept. ``update(name, log10_lr, schedule)`` returns the PNG:
    training loss per epoch (log scale) on the left, η_t on the right.
    """

    def __init__(self, best_lr):
        unknown = set(best_lr) - set(OPTIMIZERS)
        if unknown or not best_lr:
            raise ValueError(f"best_lr needs optimizer names from {', '.join(OPTIMIZERS)}, "
                             f"got {sorted(best_lr)}")
        self.best_lr = dict(best_lr)
        self._best_runs = {}

    def best_run(self, name):
        """The TrainingLog of ``name`` at its best constant η (trained on first use)."""
        if name not in self._best_runs:
            self._best_runs[name] = train_digits(name, self.best_lr[name], EXPLORER_EPOCHS)
        return self._best_runs[name]

    def update(self, name, log10_lr, schedule):
        """Train ``name`` at η = 10^log10_lr with ``schedule`` (a key of EXPLORER_SCHEDULES)."""
        if name not in self.best_lr:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(self.best_lr)}")
        if schedule not in EXPLORER_SCHEDULES:
            raise ValueError(f"unknown schedule {schedule!r}; choose one of "
                             f"{', '.join(EXPLORER_SCHEDULES)}")
        lr = 10.0 ** float(log10_lr)
        log = train_digits(name, lr, EXPLORER_EPOCHS, schedule=EXPLORER_SCHEDULES[schedule])
        return self._draw(name, lr, schedule, log)

    def _draw(self, name, lr, schedule, log):
        from matplotlib.figure import Figure

        figure = Figure(figsize=(11, 3.6), dpi=80, layout="tight")
        ax_loss, ax_lr = figure.subplots(1, 2)
        epochs = np.arange(1, EXPLORER_EPOCHS + 1)
        color = OPTIMIZER_COLORS[name]
        best = self.best_run(name)
        ax_loss.semilogy(epochs, best.epoch_loss, "--", color=color, alpha=0.6,
                         label=f"best constant η = {self.best_lr[name]:.1e}")
        if log is None:
            ax_loss.set_title(f"{name}, η = {lr:.1e}: diverged", color="#CC6677")
        else:
            ax_loss.semilogy(epochs, log.epoch_loss, color=color, label=f"η = {lr:.1e}, {schedule}")
            ax_loss.set_title(f"{name}: training loss (final {log.epoch_loss[-1]:.3g})")
            ax_lr.plot(epochs, log.lr, "o-", ms=3, color=color)
            ax_lr.set_ylim(0, 1.1 * max(log.lr))
        ax_loss.set(xlabel="epoch", ylabel="training loss (log scale)")
        ax_loss.legend(fontsize=9)
        ax_lr.set(xlabel="epoch", ylabel=r"$\eta_t$", title="learning rate used in each epoch")
        for ax in (ax_loss, ax_lr):
            ax.grid(True, alpha=0.3)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


def explore_optimizers(best_lr, name="Adam", log10_lr=-3.0):
    """The widget: an optimizer menu, a log₁₀ η slider (−4 … 1) and a schedule menu; every
    change trains the MLP for 15 epochs and redraws. Returns the ipywidgets box to display.
    """
    import ipywidgets as widgets

    from course_lib.widgets import wire

    explorer = CapstoneExplorer(best_lr)
    controls = {
        "name": widgets.Dropdown(options=list(best_lr), value=name, description="optimizer"),
        "log10_lr": widgets.FloatSlider(value=log10_lr, min=-4.0, max=1.0, step=0.25,
                                        description="log₁₀ η", continuous_update=False),
        "schedule": widgets.Dropdown(options=list(EXPLORER_SCHEDULES), value="constant",
                                     description="schedule"),
    }
    return wire(explorer.update, controls, columns=3)
