"""The explorer of lessons 3 and 4: one slider per hyperparameter (η and μ; η, β₁, β₂, …).

Sliders for *any* hyperparameters, shared by several optimizers, on a choice of surfaces.
Built like every explorer: ``surface_paths.SurfaceExplorer`` runs the optimizers and draws
the figure (contour with the paths, loss on a log scale), ``wiring.wire`` connects the
controls:

* ``HyperparameterExplorer`` computes and draws, without widgets (tested directly);
* ``explore_hyperparameters`` wires ipywidgets 8 controls to it.

Each optimizer is ``(class, fixed hyperparameters, linked)``, where ``linked`` maps a
hyperparameter name to the name of the control that sets it, or to a tuple of names for
a tuple-valued hyperparameter, e.g. ``"Momentum": (SGD, {}, {"lr": "η", "momentum": "μ"})``
or ``"Adam": (Adam, {}, {"lr": "η", "betas": ("β₁", "β₂")})``.
"""

from course_lib.explorers.canvas import DRAWING
from course_lib.explorers.surface_paths import SurfaceExplorer, plot_window
from course_lib.explorers.wiring import slider_style, wire


class HyperparameterExplorer:
    """Optimizers whose linked hyperparameters follow control values, on several surfaces.

    ``arenas`` maps a name to a dict with ``surface``, ``start`` and optionally ``xlim``,
    ``ylim``, ``steps`` (the default number of steps) and ``defaults`` (control values to
    start from on that surface). ``update(arena, steps, values)`` runs every optimizer with
    its fixed hyperparameters plus ``values`` of its linked controls and returns the picture.

    Introduced in lesson 3; lesson 4 uses it too.
    """

    def __init__(self, arenas, optimizers):
        if not arenas or not optimizers:
            raise ValueError("need at least one arena (surface) and one optimizer")
        for label, entry in optimizers.items():
            if not (isinstance(entry, tuple) and len(entry) == 3 and callable(entry[0])
                    and isinstance(entry[1], dict) and isinstance(entry[2], dict)):
                raise TypeError(f"optimizers[{label!r}] must be (class, fixed dict, linked dict)")
        for name, arena in arenas.items():
            missing = {"surface", "start"} - set(arena)
            if missing:
                raise ValueError(f"arena {name!r} needs {', '.join(sorted(missing))}")
        self.arenas = arenas
        self.optimizers = optimizers
        self.controls = sorted({name for _, _, linked in optimizers.values()
                                for control in linked.values() for name in _names(control)})
        self.explorers = {}
        for name, arena in arenas.items():
            xlim, ylim, minimum = plot_window(arena["surface"], arena.get("xlim"),
                                              arena.get("ylim"))
            runs = {label: (cls, dict(fixed)) for label, (cls, fixed, _) in optimizers.items()}
            self.explorers[name] = SurfaceExplorer(arena["surface"], runs, xlim, ylim,
                                                   minimum=minimum)

    def hyperparameters(self, label, values):
        """The keyword arguments of optimizer ``label`` for the control ``values``."""
        _, fixed, linked = self.optimizers[label]
        missing = [n for control in linked.values() for n in _names(control) if n not in values]
        if missing:
            raise ValueError(f"no value for control(s) {', '.join(missing)}")
        chosen = {hp: tuple(values[n] for n in control) if isinstance(control, tuple)
                  else values[control] for hp, control in linked.items()}
        return {**fixed, **chosen}

    def update(self, arena, steps, values):
        """Run every optimizer on ``arena`` for ``steps`` steps with the control ``values``."""
        if arena not in self.explorers:
            raise ValueError(f"unknown arena {arena!r}; choose one of {', '.join(self.arenas)}")
        explorer = self.explorers[arena]
        for label in self.optimizers:
            explorer.optimizers[label] = (explorer.optimizers[label][0],
                                          self.hyperparameters(label, values))
        settings = ", ".join(f"{c} = {values[c]:.3g}" for c in self.controls)
        explorer.view.ax_path.set_title(f"{arena}: {settings}")
        return explorer.update(self.arenas[arena]["start"], steps)


def _names(control):
    """The control names behind one linked hyperparameter: a name or a tuple of names."""
    return control if isinstance(control, tuple) else (control,)


def explore_hyperparameters(arenas, optimizers, controls, max_steps=500):
    """The widget: a surface chooser, the ``controls`` (name → ipywidgets slider), a steps slider.

    Choosing a surface sets the controls to that arena's ``defaults`` and the steps to its
    ``steps``; any change redraws. Returns the ipywidgets box to display.

    Introduced in lesson 3; lesson 4 uses it too.
    """
    import ipywidgets as widgets

    explorer = HyperparameterExplorer(arenas, optimizers)
    unknown = set(explorer.controls) - set(controls)
    if unknown:
        raise ValueError(f"optimizers link to controls that were not given: {sorted(unknown)}")
    first = next(iter(arenas))
    chooser = widgets.ToggleButtons(options=list(arenas), value=first, description="surface")
    steps = widgets.IntSlider(value=arenas[first].get("steps", 100), min=10, max=max_steps, step=10,
                              description="steps T", **slider_style())
    hold = set()

    def apply_defaults(arena):
        for name, value in arenas[arena].get("defaults", {}).items():
            controls[name].value = value
        steps.value = arenas[arena].get("steps", steps.value)

    def choose(change):   # set every default first; the redraw that `wire` adds draws once
        with DRAWING:   # no picture drawn meanwhile (wiring may draw on another thread)
            hold.add("surface")
            apply_defaults(change["new"])
            hold.clear()

    def figure_update(arena, steps, **values):
        return explorer.update(arena, steps, values)

    apply_defaults(first)
    chooser.observe(choose, names="value")
    return wire(figure_update, {"arena": chooser, **controls, "steps": steps}, hold=hold)
