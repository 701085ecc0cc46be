"""The explorer of lesson 6: train the digits MLP with any optimizer, η and schedule.

Every change trains the network of ``course_lib.optimizer_comparison`` for ``EXPLORER_EPOCHS``
epochs and draws its training loss beside the optimizer's best constant-η run (left)
and the schedule's factor η_t/η per epoch (right). A run takes about 60 ms, more than
a slider move should: runs already trained are kept, and while the learner looks at
one, the kernel trains and draws the settings one η step to each side
(``wiring.DrawnAhead``), so the next move finds its picture ready. Built like every
explorer: ``OptimizerComparisonExplorer`` computes and draws without widgets,
``explore_optimizers`` wires the controls with ``wiring.wire``.
"""

import numpy as np

from course_lib.explorers.canvas import ExplorerFigure, decade_limits
from course_lib.explorers.wiring import wire
from course_lib.optimizer_comparison import EXPLORER_EPOCHS, EXPLORER_SCHEDULES, train_digits
from course_lib.optimizer_table import OPTIMIZERS

DIVERGED_COLOR = "#CC6677"
LR_RANGE, LR_STEP = (-4.0, 1.0), 0.25
"""The slider's range of log₁₀ η and its step."""


class OptimizerComparisonExplorer:
    """One run of the MLP (optimizer, η, schedule) beside that optimizer's best constant-η run.

    ``best_lr`` maps each optimizer name to its best constant η (from lesson 6's sweep);
    the best runs are trained once and kept. ``update(name, log10_lr, schedule)`` returns
    the picture (``canvas.Layers``): training loss per epoch (log scale) on the left,
    η_t/η on the right.
    """

    def __init__(self, best_lr, dpi=80):
        unknown = set(best_lr) - set(OPTIMIZERS)
        if unknown or not best_lr:
            raise ValueError(f"best_lr needs optimizer names from {', '.join(OPTIMIZERS)}, "
                             f"got {sorted(best_lr)}")
        self.best_lr = dict(best_lr)
        self._best_runs = {}
        self._runs = {}
        self.view = ExplorerFigure(figsize=(11, 3.6), dpi=dpi)
        self.ax_loss, self.ax_lr = self.view.figure.subplots(1, 2)
        epochs = np.arange(1, EXPLORER_EPOCHS + 1)
        (self.best_line,) = self.ax_loss.semilogy(epochs, np.ones(EXPLORER_EPOCHS), "--",
                                                  alpha=0.6, label="best constant η")
        (self.run_line,) = self.ax_loss.semilogy(epochs, np.ones(EXPLORER_EPOCHS),
                                                 label="this run (η and schedule above)")
        (self.lr_line,) = self.ax_lr.plot(epochs, np.ones(EXPLORER_EPOCHS), "o-", ms=3)
        self.ax_loss.set(xlabel="epoch", ylabel="training loss (log scale)", title=" ")
        self.ax_lr.set(xlabel="epoch", ylabel=r"$\eta_t \,/\, \eta$", ylim=(0, 1.1),
                       xlim=(0.5, EXPLORER_EPOCHS + 0.5),
                       title="the schedule: η_t as a fraction of η")
        for ax in (self.ax_loss, self.ax_lr):
            ax.grid(True, alpha=0.3)
        self.view.moving = [self.best_line, self.run_line, self.lr_line, self.ax_loss.title]

    def best_run(self, name):
        """The TrainingLog of ``name`` at its best constant η (trained on first use)."""
        if name not in self._best_runs:
            self._best_runs[name] = train_digits(name, self.best_lr[name], EXPLORER_EPOCHS)
        return self._best_runs[name]

    def run(self, name, log10_lr, schedule):
        """The TrainingLog of one setting (trained on first use), or None if it diverged."""
        key = (name, round(float(log10_lr), 6), schedule)
        if key not in self._runs:
            self._runs[key] = train_digits(name, 10.0**key[1], EXPLORER_EPOCHS,
                                           schedule=EXPLORER_SCHEDULES[schedule])
        return self._runs[key]

    def update(self, name, log10_lr, schedule):
        """Train ``name`` at η = 10^log10_lr with ``schedule`` (a key of EXPLORER_SCHEDULES)."""
        if name not in self.best_lr:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(self.best_lr)}")
        if schedule not in EXPLORER_SCHEDULES:
            raise ValueError(f"unknown schedule {schedule!r}; choose one of "
                             f"{', '.join(EXPLORER_SCHEDULES)}")
        lr = 10.0 ** float(log10_lr)
        log, best = self.run(name, log10_lr, schedule), self.best_run(name)
        color = OPTIMIZERS[name].color
        self.best_line.set(ydata=best.epoch_loss, color=color,
                           label=f"best constant η = {self.best_lr[name]:.1e}")
        self.run_line.set_color(color)
        self.lr_line.set_color(color)
        title = self.ax_loss.title
        if log is None:
            self.run_line.set_visible(False)
            self.lr_line.set_visible(False)
            title.set(text=f"{name}, η = {lr:.1e}, {schedule}: diverged", color=DIVERGED_COLOR)
            shown = np.asarray(best.epoch_loss)
        else:
            self.run_line.set(ydata=log.epoch_loss, visible=True)
            self.lr_line.set(ydata=np.asarray(log.lr) / lr, visible=True)
            title.set(text=f"{name}, η = {lr:.1e}, {schedule}: final loss {log.epoch_loss[-1]:.3g}",
                      color="black")
            shown = np.concatenate([best.epoch_loss, log.epoch_loss])
        shown = shown[np.isfinite(shown) & (shown > 0)]
        self.ax_loss.set_ylim(decade_limits(shown.min(), shown.max(), self.ax_loss.get_ylim()))
        if self.ax_loss.get_legend() is None or self._legend_label() != self.best_line.get_label():
            self.ax_loss.legend(loc="upper right", fontsize=9)   # losses fall: room there
        return self.view.layers()

    def _legend_label(self):
        return self.ax_loss.get_legend().get_texts()[0].get_text()


def explore_optimizers(best_lr, name="Adam", log10_lr=-3.0):
    """The widget: an optimizer menu, a log₁₀ η slider (−4 … 1) and a schedule menu; every
    change trains the MLP for 15 epochs and redraws. Returns the ipywidgets box to display.

    Introduced in lesson 6.
    """
    import ipywidgets as widgets

    explorer = OptimizerComparisonExplorer(best_lr)
    controls = {
        "name": widgets.Dropdown(options=list(best_lr), value=name, description="optimizer"),
        "log10_lr": widgets.FloatSlider(value=log10_lr, min=LR_RANGE[0], max=LR_RANGE[1],
                                        step=LR_STEP, description="log₁₀ η",
                                        continuous_update=False),
        "schedule": widgets.Dropdown(options=list(EXPLORER_SCHEDULES), value="constant",
                                     description="schedule"),
    }

    return wire(explorer.update, controls, columns=3)
