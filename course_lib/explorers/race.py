"""The race of lesson 4: several optimizers from the same start on the same surface.

Built on ``surface_paths`` (the figure; the runs step together, one gradient
evaluation per step for all optimizers) and ``wiring`` (the sliders).
"""

from course_lib.explorers.surface_paths import SurfaceExplorer, surface_controls
from course_lib.explorers.wiring import slider_style


def race(surface, optimizers, start=None, steps=100, xlim=None, ylim=None, minimum=None,
         title=None):
    """Several optimizers from the same start on the same surface, side by side.

    ``optimizers`` maps a label (starting with an optimizer's name, so it gets
    the course colour) to a class or to ``(class, hyperparameters)``, e.g.
    ``{"GD": (SGD, {"lr": 0.1}), "Momentum": (SGD, {"lr": 0.1, "momentum": 0.9})}``.
    ``surface`` is one surface or a dict {name: surface} (then a menu picks
    one). Sliders: the start θ₀, the number of steps, and a factor that
    multiplies every optimizer's η (to see how the ranking depends on it).
    ``title`` defaults to the surface's name. Returns the ipywidgets box.

    Introduced in lesson 4.
    """
    import ipywidgets as widgets

    SurfaceExplorer.check_optimizers(optimizers)
    controls = {
        "lr_scale": widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                           description="η × factor", readout_format=".3g",
                                           **slider_style()),
    }

    def make_explorer(s, xlim, ylim, minimum):
        return SurfaceExplorer(s, optimizers, xlim, ylim, title or getattr(s, "name", ""),
                               minimum)

    def draw(explorer, start, steps, lr_scale):
        return explorer.update(start, steps, lr_scale)

    return surface_controls(surface, make_explorer, controls, draw, start, steps, xlim, ylim,
                            minimum)
