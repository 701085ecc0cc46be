"""Explorer (b) of lesson 2: batch size B and η against the noisy path of mini-batch training.

The problem is a ``surfaces.LeastSquaresLine``; the mini-batch run and the full-batch
reference come from ``runners.run_minibatch``, the figure from ``surface_paths`` (contour
with both paths, loss against epochs), the sliders from ``wiring``.
"""

import numpy as np

from course_lib.explorers.surface_paths import SurfaceFigure
from course_lib.explorers.wiring import slider_style, wire
from course_lib.plots import optimizer_color
from course_lib.runners import run_minibatch


class MinibatchExplorer:
    """The computation behind ``explore_minibatch``: a noisy path against the full-batch one.

    ``update(batch_size, lr, epochs, seed)`` runs mini-batch training with
    batch size B and the full-batch reference (B = n) with the same η and
    number of epochs, moves the artists and returns the picture. The loss
    panel plots J(θ_t) − J(θ*) against epochs, so runs with different B share
    an axis.

    Introduced in lesson 2.
    """

    def __init__(self, problem, optimizer, hyperparameters=None, start=(-1.0, -1.0),
                 xlim=None, ylim=None, label=None, dpi=80):
        self.problem = problem
        self.optimizer = optimizer
        self.fixed = dict(hyperparameters or {})
        self.start = np.asarray(start, dtype=float)
        label = label or getattr(optimizer, "__name__", "optimizer")
        centre = problem.minimum
        pad = 0.6 * np.abs(self.start - centre).max()   # room for detours and the cloud around θ*
        low = np.minimum(self.start, centre) - pad
        high = np.maximum(self.start, centre) + pad
        xlim = xlim or (low[0], high[0])
        ylim = ylim or (low[1], high[1])
        color = optimizer_color(label) or "#332288"
        self.view = SurfaceFigure(problem, [f"{label}, mini-batch", "full batch, same epochs"],
                                  xlim, ylim, minimum=centre, dpi=dpi)
        noisy, full = self.view.paths
        noisy.set_color(color)
        self.view.starts[0].set_color(color)
        self.view.curves[0].set_color(color)
        for artist in (full, self.view.starts[1], self.view.curves[1]):
            artist.set_color("#777777")
        for artist in (full, self.view.curves[1]):
            artist.set_linestyle("--")
        full.set_marker("")
        self.view.ax_path.legend(loc="lower right", fontsize="small")
        self.view.ax_loss.legend(loc="upper right", fontsize="small")
        self.view.ax_loss.set_xlabel("epoch")

    def update(self, batch_size, lr, epochs, seed=0):
        hyper = {**self.fixed, "lr": lr}
        noisy = run_minibatch(self.problem, self.start, self.optimizer, batch_size, epochs, seed,
                              **hyper)
        full = run_minibatch(self.problem, self.start, self.optimizer, self.problem.n, epochs,
                             seed, **hyper)
        self.view.update([noisy, full])
        steps_per_epoch = -(-self.problem.n // batch_size)
        for curve, per_epoch in zip(self.view.curves, (steps_per_epoch, 1)):
            t = curve.get_xdata()
            curve.set_xdata(np.asarray(t, dtype=float) / per_epoch)
        self.view.ax_loss.set_xlim(0, epochs)
        self.view.ax_path.set_title(f"B = {batch_size}, η = {lr:.3g}: "
                                    f"{steps_per_epoch} steps per epoch")
        return self.view.layers()


def explore_minibatch(problem, optimizer, hyperparameters=None, lr=0.1, lr_range=(1e-3, 1.0),
                      batch_size=8, epochs=3, start=(-1.0, -1.0), label=None, max_epochs=30):
    """Explorer (b): batch size B and η against the noisy path of mini-batch training.

    ``problem`` is a ``LeastSquaresLine`` (or anything with ``n``, ``value``,
    ``gradient(θ, batch)`` and ``minimum``); ``optimizer`` and
    ``hyperparameters`` as in ``explore_learning_rate``. Sliders: B (powers of
    two up to n), η, epochs (up to ``max_epochs``: small η needs many epochs to
    reach θ* and show its cloud) and the shuffling seed. Returns the ipywidgets box.

    Introduced in lesson 2.
    """
    import ipywidgets as widgets

    explorer = MinibatchExplorer(problem, optimizer, hyperparameters, start, label=label)
    sizes = sorted({2**k for k in range(int(np.log2(problem.n)) + 1)} | {problem.n})
    style = slider_style()
    controls = {
        "batch_size": widgets.SelectionSlider(options=sizes, value=batch_size,
                                              description="batch size B", **style),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=np.log10(lr_range[0]),
                                     max=np.log10(lr_range[1]), step=0.05,
                                     description="learning rate η", readout_format=".3g",
                                     **style),
        "epochs": widgets.IntSlider(value=epochs, min=1, max=max(max_epochs, epochs),
                                    description="epochs", **style),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="shuffle seed", **style),
    }
    return wire(explorer.update, controls)
