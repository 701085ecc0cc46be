"""The explorer of lesson 5: how the gradient reaching each layer depends on depth,
activation, initialisation and normalisation.

One forward and backward pass of a freshly built network on a batch gives ‖∂J/∂W_l‖
for every layer l (``course_lib.gradient_flow.weight_gradient_norms``); the figure shows
them against l on a log axis, with ‖g_1‖/‖g_{L+1}‖ (input side over output side) in the
title. Built like every explorer: ``GradientFlowExplorer`` computes and draws without
widgets, ``explore_gradient_flow`` wires the controls with ``wiring.wire``.
"""

import numpy as np

from course_lib.explorers.canvas import ExplorerFigure
from course_lib.explorers.wiring import wire
from course_lib.gradient_flow import plot_layer_norms, weight_gradient_norms

ACTIVATIONS = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"]
INITS = ["xavier_normal", "he_normal", "standard_normal"]
NORMALISATIONS = ["none", "batch norm", "residual"]
MAX_DEPTH = 20
DEFAULT_RANGE = (1e-10, 1e4)
"""The y axis shows at least this range of gradient norms, so depths can be compared."""


def widened(limits, low, high, decades=4):
    """``limits`` widened by steps of ``decades`` decades until they hold [low, high].

    Coarse steps: the y axis (and with it the figure's background) changes only a few
    times over all depths, activations and initialisations (the norms span 1e-14 … 1e14).

    Introduced in lesson 5.
    """
    bottom, top = limits
    while bottom > low:
        bottom /= 10.0**decades
    while top < high:
        top *= 10.0**decades
    return bottom, top


class GradientFlowExplorer:
    """‖∂J/∂W_l‖ per layer of ``build(depth, activation, init, normalisation)`` on (X, y).

    The x axis holds the deepest network (``MAX_DEPTH`` + 1 weight layers) and the y
    axis ``DEFAULT_RANGE`` (``widened`` when a network needs more), so a slider move
    only moves the line and the title. ``update(...)`` returns the picture (``canvas.Layers``).

    Introduced in lesson 5.
    """

    def __init__(self, X, y, build, dpi=80):
        self.X, self.y, self.build = X, y, build
        self.view = ExplorerFigure(figsize=(7, 3.6), dpi=dpi)
        self.ax = self.view.figure.subplots()
        self.line = plot_layer_norms(self.ax, np.ones(MAX_DEPTH + 1), color="#332288")
        self.ax.set_xticks(np.arange(1, MAX_DEPTH + 2, 2))
        self.ax.set_xlim(0.5, MAX_DEPTH + 1.5)
        self.ax.set_title(" ")
        self.view.moving = [self.line, self.ax.title]

    def update(self, depth, activation, init, normalisation):
        if not 1 <= depth <= MAX_DEPTH:
            raise ValueError(f"depth must be from 1 to {MAX_DEPTH}, got {depth!r}")
        norms = weight_gradient_norms(self.build(depth, activation, init, normalisation),
                                      self.X, self.y)
        self.line.set_data(np.arange(1, len(norms) + 1), norms)
        shown = norms[np.isfinite(norms) & (norms > 0)]
        self.ax.set_ylim(widened(DEFAULT_RANGE, shown.min() / 3, shown.max() * 3) if shown.size
                         else DEFAULT_RANGE)
        self.ax.set_title(f"{activation}, {init}, {normalisation}: "
                          rf"$\|g_1\| / \|g_{{{depth + 1}}}\|$ = {norms[0] / norms[-1]:.1e}")
        return self.view.layers()


def explore_gradient_flow(X, y, build, depth=8):
    """Sliders and menus for depth, activation, initialisation and normalisation; the figure
    shows ‖∂J/∂W_l‖ per layer at initialisation, redrawn on every change.

    ``build(depth, activation, init, normalisation)`` returns a fresh model; it
    receives the menus' strings: an activation class name of ``course_lib.nn``
    ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"), an initialiser of
    ``course_lib.nn.init`` ("xavier_normal", "he_normal", "standard_normal")
    and "none", "batch norm" or "residual". Returns the ipywidgets box.

    Introduced in lesson 5.
    """
    import ipywidgets as widgets

    explorer = GradientFlowExplorer(X, y, build)
    label = {"style": {"description_width": "initial"}}   # each label as wide as its text
    controls = {
        "depth": widgets.IntSlider(value=depth, min=2, max=MAX_DEPTH, description="depth L",
                                   continuous_update=False, **label),
        "activation": widgets.Dropdown(options=ACTIVATIONS, value="Sigmoid",
                                       description="activation", **label),
        "init": widgets.Dropdown(options=INITS, value="xavier_normal", description="init",
                                 **label),
        "normalisation": widgets.Dropdown(options=NORMALISATIONS, value="none",
                                          description="normalisation", **label),
    }
    return wire(explorer.update, controls, columns=2)
