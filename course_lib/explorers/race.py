"""The race of lesson 4: several optimizers from the same start on the same surface.

Built on ``surface_paths`` (the figure; the runs step together, one gradient
evaluation per step for all optimizers) and ``wiring`` (the sliders). ``race_picker`` puts
a menu of surfaces and a list of the course's optimizers above it.
"""

from course_lib.explorers.surface_paths import SurfaceExplorer, surface_controls
from course_lib.explorers.wiring import slider_style
from course_lib.optimizer_table import OPTIMIZERS


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


def race_picker(arenas, names, chosen, steps=200):
    """Pick a surface and the optimizers of the course to race on it; their ``race`` below.

    ``arenas`` maps a surface's name to ``(surface, start, lr, window)``: ``lr`` maps each
    optimizer of ``names`` to its η on that surface, ``window`` is ``(xlim, ylim)`` or None
    (the surface's own). ``names`` are optimizers of the course's table
    (``course_lib.optimizer_table.OPTIMIZERS``, each with the hyperparameters that make it
    what it is) or "GD" (SGD); ``chosen`` are those picked at first (the first of them if the
    learner unpicks all). Under the race the η of each is listed. Returns the ipywidgets box:
    the menu and the list (every name in view) above the race.

    Introduced in lesson 4.
    """
    import ipywidgets as widgets

    names, chosen = list(names), tuple(chosen)
    unknown = [name for name in names if name != "GD" and name not in OPTIMIZERS]
    if unknown or not names:
        raise ValueError(f"names must be optimizers of the course ({', '.join(OPTIMIZERS)}) "
                         f"or GD, got {unknown or names}")
    if not chosen or set(chosen) - set(names):
        raise ValueError(f"chosen must name at least one of {names}, got {list(chosen)}")
    for arena, (_, _, lr, _) in arenas.items():
        if set(names) - set(lr):
            raise ValueError(f"arena {arena!r} gives no η for {sorted(set(names) - set(lr))}")
    menu = widgets.Dropdown(options=list(arenas), description="surface")
    picker = widgets.SelectMultiple(options=names, value=chosen, rows=len(names),
                                    description="optimizers")
    shown = widgets.VBox()

    def show(change=None):
        surface, start, lr, window = arenas[menu.value]
        xlim, ylim = window or (None, None)
        picked = picker.value or chosen[:1]
        rows = {name: OPTIMIZERS["SGD" if name == "GD" else name] for name in picked}
        runs = {name: (row.cls, {**row.hyperparameters, "lr": lr[name]})
                for name, row in rows.items()}
        listed = ", ".join(f"{name} {lr[name]:g}" for name in picked)
        shown.children = (race(surface, runs, start=start, steps=steps, xlim=xlim, ylim=ylim,
                               title=getattr(surface, "name", menu.value)),
                          widgets.HTML(f"Learning rates at factor 1: {listed}"))

    menu.observe(show, names="value")
    picker.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([menu, picker]), shown])
