"""Explorer (a) of lesson 1: one optimizer on a 2-D surface, with sliders for η, θ₀ and T.

Left: the contour of J with the path θ₀, θ₁, …; right: J(θ_t) on a log scale. Built
on ``surface_paths`` (the figure and the runs) and ``wiring`` (the sliders).
"""

import numpy as np

from course_lib.explorers.surface_paths import SurfaceExplorer, surface_controls
from course_lib.explorers.wiring import slider_style


def explore_learning_rate(surface, optimizer, hyperparameters=None, lr=0.1, lr_range=(1e-3, 1.0),
                          start=None, steps=50, xlim=None, ylim=None, label=None, minimum=None):
    """Sliders for η, the start θ₀ and the number of steps T on a 2-D surface.

    ``surface`` is one surface, or a dict {name: surface} to choose from in a menu.
    ``optimizer`` is a class from ``course_lib.optim`` (e.g. ``SGD``),
    ``hyperparameters`` its fixed settings (e.g. ``{"momentum": 0.9}``). ``start``
    defaults to a point near the window's upper-left corner. Returns the ipywidgets
    box to display.

    Introduced in lesson 1.
    """
    import ipywidgets as widgets

    label = label or getattr(optimizer, "__name__", "optimizer")
    entry = {label: (optimizer, {**dict(hyperparameters or {}), "lr": 1.0})}
    low, high = np.log10(lr_range[0]), np.log10(lr_range[1])
    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=low, max=high, step=0.05,
                                     description="learning rate η", readout_format=".3g",
                                     **slider_style()),
    }

    def make_explorer(s, xlim, ylim, minimum):
        return SurfaceExplorer(s, entry, xlim, ylim, minimum=minimum)

    def draw(explorer, start, steps, lr):
        explorer.view.ax_path.set_title(f"{label}, η = {lr:.3g}")
        return explorer.update(start, steps, lr_scale=lr)

    return surface_controls(surface, make_explorer, controls, draw, start, steps, xlim, ylim,
                            minimum)
