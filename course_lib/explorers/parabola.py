"""Explorer of lesson 0: gradient descent on J(θ) = θ², with a slider for η.

The parabola, the axes and the legend are drawn once; a slider move redraws only the
iterates (θ_t, J(θ_t)) of θ_t = θ_{t−1} − η·2θ_{t−1} and the title (see ``canvas``).
"""

from course_lib import optim
from course_lib.explorers.canvas import ExplorerFigure
from course_lib.explorers.wiring import wire
from course_lib.plots import parabola_descent_title, plot_parabola_descent
from course_lib.runners import run_optimizer
from course_lib.surfaces import Parabola


class ParabolaDescent:
    """``steps`` steps of gradient descent (``optim.SGD``) on J(θ) = θ² from θ₀, on the curve.

    ``update(eta)`` runs them with learning rate η, moves the points and returns the
    picture (``canvas.Layers``).

    Part of lesson 0's explorer; no lesson calls it directly.
    """

    def __init__(self, steps=10, theta0=3.0, dpi=80):
        self.steps, self.theta0, self.surface = steps, float(theta0), Parabola()
        self.view = ExplorerFigure(figsize=(6.5, 4), dpi=dpi)
        self.ax = self.view.figure.subplots()
        self.path, self.start = plot_parabola_descent(self.ax, [self.theta0])
        self.view.moving = [self.path, self.start, self.ax.title]   # the start lies on the path

    def thetas(self, eta):
        """θ₀, θ₁, …, θ_T for learning rate η."""
        return run_optimizer(self.surface.gradient, [self.theta0], optim.SGD, self.steps,
                             lr=eta)[:, 0]

    def update(self, eta):
        thetas = self.thetas(eta)
        self.path.set_data(thetas, self.surface.value(thetas))
        self.ax.set_title(parabola_descent_title(self.steps, eta))
        return self.view.layers()


def explore_parabola(eta_slider, steps=10, theta0=3.0):
    """The figure of ``ParabolaDescent`` under ``eta_slider`` (an ipywidgets slider for η).

    Introduced in lesson 0.
    """
    return wire(ParabolaDescent(steps, theta0).update, {"eta": eta_slider})
