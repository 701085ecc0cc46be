"""Optimizers' paths over the contour of a 2-D surface, with their losses: the shared picture
of the learning-rate explorer, the race and the hyperparameter explorer.

* ``SurfaceFigure``: the contour of J with one path per optimizer (left) and
  J(θ_t) − J(θ*) on a log axis (right), redrawn in part (see ``canvas``);
* ``SurfaceExplorer``: runs the optimizers together (``runners.steps_together``) and
  shows their paths: ``update(start, steps, lr_scale)`` returns the picture (``canvas.Layers``);
  when only the number of steps changed, the runs go on from where they stopped (or are
  cut shorter) instead of starting again;
* ``surface_controls``: the sliders every surface explorer has (start θ₀, steps T,
  a menu when there are several surfaces), wired to a drawing function.

A *surface* is anything with ``value(θ)`` and ``gradient(θ)`` for points of shape
(..., 2), as the test functions in ``course_lib.surfaces`` have. When it also has
``bounds`` and ``minima`` (all of ``course_lib.surfaces`` do), they give the plot window
and the stars, and the loss panel shows J(θ_t) − J(θ*).
"""

import inspect

import numpy as np
from matplotlib.ticker import NullLocator

from course_lib.explorers.canvas import DRAWING, ExplorerFigure, decade_limits, nice_limit
from course_lib.explorers.wiring import menu_style, slider_style, wire
from course_lib.plots import optimizer_color, plot_contour, plot_trajectory, sequential_colors
from course_lib.runners import check_steps, steps_together

KEPT_RUNS = 8
"""How many settings' runs (start and hyperparameters) a surface explorer keeps."""


def first_step_outside(path, xlim, ylim, margin=0.5):
    """The first t at which θ_t lies outside the window widened by ``margin`` of its size.

    With the default 0.5 the region is twice the window (half a width more on
    each side). NaN rows (a diverged run) count as outside. ``None`` if the
    whole path stays inside: the explorers draw a path only up to this step.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    with np.errstate(invalid="ignore"):
        inside = ((path[:, 0] >= x0 - dx) & (path[:, 0] <= x1 + dx)
                  & (path[:, 1] >= y0 - dy) & (path[:, 1] <= y1 + dy))
    outside = np.flatnonzero(~inside)
    return int(outside[0]) if outside.size else None


def losses_along(surface, path):
    """J(θ_t) for every row of ``path`` (NaN rows stay NaN).

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(surface.value(path), dtype=float)


def _listed(labels):
    """'GD', 'GD and Adam', 'GD, Momentum and Adam'."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def plot_window(surface, xlim=None, ylim=None, minimum=None):
    """The window and minima to draw: the arguments given, else the surface's own.

    ``xlim``/``ylim`` default to ``surface.bounds``, ``minimum`` to ``surface.minima``
    (all of them, shape (k, 2)); without those attributes, (−2, 2) and no star.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """
    bounds = getattr(surface, "bounds", ((-2.0, 2.0), (-2.0, 2.0)))
    minima = getattr(surface, "minima", None)
    if minimum is None and minima is not None and len(minima):
        minimum = np.asarray(minima, dtype=float)
    return tuple(xlim or bounds[0]), tuple(ylim or bounds[1]), minimum


class SurfaceFigure(ExplorerFigure):
    """Contour of J with one trajectory per run (left), J(θ_t) on a log axis (right).

    ``labels`` names the runs; colours follow ``course_lib.plots.OPTIMIZER_COLORS``
    (or a sequential map when a label names no optimizer). ``update(paths)``
    moves the artists; ``layers()`` renders the figure.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """

    def __init__(self, surface, labels, xlim, ylim, title="", minimum=None, dpi=80):
        super().__init__(figsize=(11, 4.3), dpi=dpi)
        self.surface = surface
        self.ax_path, self.ax_loss = self.figure.subplots(1, 2, width_ratios=[1.1, 1])
        plot_contour(self.ax_path, surface.value, xlim, ylim, minimum=minimum)
        stars = list(self.ax_path.lines)   # drawn again over the paths
        fallback = sequential_colors(len(labels))
        self.paths, self.starts, self.curves = [], [], []
        for label, color in zip(labels, fallback):
            color = optimizer_color(label) or color
            line, start = plot_trajectory(self.ax_path, np.zeros((1, 2)), label=label, color=color)
            (curve,) = self.ax_loss.plot([], [], color=color, linewidth=1.8, label=label)
            if label.startswith("Nesterov"):   # dashed, so it shows where it runs over another path
                line.set_linestyle("--")
                curve.set_linestyle("--")
            self.paths.append(line)
            self.starts.append(start)
            self.curves.append(curve)
        # Many runs (lesson 4's race of ten) in two columns, so the legend stays in the corner
        # and does not cover the minimum.
        self.ax_path.legend(loc="upper right", fontsize="small", ncols=1 if len(labels) < 6 else 2)
        self.ax_path.set_title(title)
        self.optimum = (0.0 if minimum is None
                        else float(np.min(surface.value(np.asarray(minimum, dtype=float)))))
        self.ax_loss.set_yscale("log")
        # A tick per decade, no minor ticks: the panel is drawn again whenever its decades
        # change, and the minor ticks of a log axis took half of that time.
        self.ax_loss.yaxis.set_minor_locator(NullLocator())
        self.ax_loss.set_xlabel(r"iteration $t$")
        self.ax_loss.set_ylabel(r"$J(\theta_t)$" if minimum is None
                                else r"$J(\theta_t) - J(\theta^*)$")
        self.ax_loss.set_title("loss (log scale)")
        self.ax_loss.grid(True, alpha=0.3)
        self.ax_loss.legend(loc="upper right", fontsize="small")
        self.note = self.ax_loss.text(0.02, 0.03, "", transform=self.ax_loss.transAxes,
                                      fontsize="small", color="#882255")
        self.moving = [*self.paths, *self.starts, *stars, self.ax_path.title, *self.curves,
                       self.note]

    def update(self, paths):
        """Show ``paths`` (one (T+1, 2) array per label, NaN rows after a divergence).

        A diverging path is drawn (and its loss curve plotted) only up to the
        first step that leaves the window by far (``first_step_outside``), so it
        does not fill the picture with lines; its legend entry and the loss
        panel say at which step it diverged. A path that leaves and comes back
        (ends inside) is drawn whole, and its legend says when it left.
        """
        if len(paths) != len(self.paths):
            raise ValueError(f"expected {len(self.paths)} paths, got {len(paths)}")
        window = self.ax_path.get_xlim(), self.ax_path.get_ylim()
        legend = self.ax_path.get_legend()
        texts = {t.get_text().split(":")[0]: t for t in legend.get_texts()} if legend else {}
        all_losses, notes = [], {}   # (event, step) -> the labels it happened to
        for path, line, start, curve in zip(paths, self.paths, self.starts, self.curves):
            path = np.asarray(path, dtype=float)
            if path.ndim != 2 or path.shape[1] != 2:
                raise ValueError(f"each path must have shape (T+1, 2), got {path.shape}")
            left = first_step_outside(path, *window)
            back = left is not None and first_step_outside(path[-1:], *window) is None
            shown = path if left is None or back else path[:left + 1]
            shown = shown[np.isfinite(shown).all(axis=1)]
            losses = losses_along(self.surface, shown) - self.optimum
            line.set_data(shown[:, 0], shown[:, 1])
            start.set_data(path[:1, 0], path[:1, 1])
            curve.set_data(np.arange(len(losses)), losses)
            all_losses.append(losses)
            label = line.get_label()
            if left is not None:
                event = "left the plot (and came back)" if back else "diverged"
                notes.setdefault((event, left), []).append(label)
                label = f"{label}: {event} at step {left}"
            if label.split(":")[0] in texts:
                texts[label.split(":")[0]].set_text(label)
        self._rescale_loss_axis(np.concatenate(all_losses), len(paths[0]) - 1)
        self.note.set_text("\n".join(f"{_listed(labels)} {event} at step {step}"
                                      for (event, step), labels in notes.items()))

    def _rescale_loss_axis(self, gaps, steps):
        """Whole decades on the loss axis, kept while the curves fit; steps rounded up, and
        kept while the curves fill at least half of the axis (so one more or one fewer step
        does not redraw the axis)."""
        shown = gaps[np.isfinite(gaps) & (gaps > 0)]
        low, high = (max(shown.min(), 1e-16), shown.max()) if shown.size else (1e-3, 1.0)
        self.ax_loss.set_ylim(decade_limits(low, high, self.ax_loss.get_ylim()))
        wanted, current = nice_limit(max(steps, 1)), self.ax_loss.get_xlim()[1]
        self.ax_loss.set_xlim(0, current if wanted <= current <= 2 * wanted else wanted)


def _optimizer_entry(entry, name):
    """Accept ``Cls`` or ``(Cls, {hyperparameters})`` for one optimizer of a race."""
    if isinstance(entry, tuple):
        if len(entry) != 2 or not isinstance(entry[1], dict):
            raise TypeError(f"optimizers[{name!r}] must be a class or a pair (class, dict)")
        return entry
    if not callable(entry):
        raise TypeError(f"optimizers[{name!r}] must be an optimizer class, got {entry!r}")
    return entry, {}


def default_lr(optimizer):
    """The default η of an optimizer class (its ``lr`` keyword), e.g. 1e-3 for Adam.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """
    parameter = inspect.signature(optimizer).parameters.get("lr")
    if parameter is None or not isinstance(parameter.default, (int, float)):
        raise TypeError(f"{getattr(optimizer, '__name__', optimizer)!r} has no default "
                        "learning rate: give one, as (class, {'lr': ...})")
    return parameter.default


class SurfaceExplorer:
    """Several optimizers on one surface, without widgets: the computation behind the explorers.

    ``optimizers`` maps a label to ``(optimizer, hyperparameters)`` (or just the class).
    Calling ``update(start, steps, lr_scale)`` runs every optimizer from ``start`` for
    ``steps`` steps (each with its own ``lr`` times ``lr_scale``), all together, moves the
    figure's artists and returns the picture.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """

    def __init__(self, surface, optimizers, xlim=None, ylim=None, title="", minimum=None):
        self.surface = surface
        xlim, ylim, minimum = plot_window(surface, xlim, ylim, minimum)
        self.optimizers = self.check_optimizers(optimizers)
        self.view = SurfaceFigure(surface, list(self.optimizers), xlim, ylim, title, minimum)
        self._runs = []   # (setting, steps_together generator, points taken), latest last

    @staticmethod
    def check_optimizers(optimizers):
        """{label: (class, hyperparameters)} from {label: class or (class, hyperparameters)}."""
        if not isinstance(optimizers, dict) or not optimizers:
            raise ValueError("optimizers must be a dict naming at least one optimizer")
        return {name: _optimizer_entry(e, name) for name, e in optimizers.items()}

    def paths(self, start, steps, lr_scale=1.0):
        """One trajectory per optimizer, shape (k, T+1, 2), as ``runners.run_together`` gives.

        The runs of the last ``KEPT_RUNS`` starts and hyperparameters are kept: a move of the
        steps slider only takes the steps not yet taken, or cuts the paths shorter, and a
        setting seen a moment ago (or drawn ahead, see ``wiring.DrawnAhead``) is not run again.
        """
        check_steps(steps)
        runs = []
        for optimizer, hyper in self.optimizers.values():
            hyper = dict(hyper)
            hyper["lr"] = hyper.get("lr", default_lr(optimizer)) * lr_scale
            runs.append((optimizer, hyper))
        setting = (np.asarray(start, dtype=float).tolist(), runs)
        kept = next((run for run in self._runs if _same(run[0], setting)), None)
        if kept is None:
            kept = (setting, steps_together(self.surface.gradient, start, runs), [])
        others = [run for run in self._runs if run is not kept]
        self._runs = others[len(others) - KEPT_RUNS + 1:] + [kept]
        _, iterates, taken = kept
        try:
            while len(taken) <= steps:
                taken.append(next(iterates))
        except BaseException:   # an error ends the runs: the next call starts them again
            self._runs = others[len(others) - KEPT_RUNS + 1:]
            raise
        return np.stack(taken[:steps + 1], axis=1)

    def update(self, start, steps, lr_scale=1.0):
        self.view.update(self.paths(start, steps, lr_scale))
        return self.view.layers()


def _same(setting, other):
    """Whether two settings (start, [(class, hyperparameters), …]) are equal: classes by
    identity, numbers by value; a value that cannot say (an array) counts as different."""
    try:
        return bool(setting == other)
    except ValueError:
        return False


def surface_controls(surface, make_explorer, controls, draw, start, steps, xlim, ylim, minimum):
    """Sliders ``controls`` + steps + start θ₀ (+ a surface menu) wired to ``draw``.

    ``surface`` is one surface or a dict {name: surface}; with several, a menu
    picks one, and its own window (``bounds``) and minima are used.
    ``make_explorer(surface, xlim, ylim, minimum)`` builds a ``SurfaceExplorer``
    (once per surface, when first shown); ``draw(explorer, start, steps, **values)``
    returns the picture. Returns the ipywidgets box.

    Part of the surface explorers of lessons 1, 3 and 4; no lesson calls it directly.
    """
    import ipywidgets as widgets

    if isinstance(surface, dict):
        choices = dict(surface)
    else:
        choices = {getattr(surface, "name", ""): surface}
    if not choices:
        raise ValueError("surface must be a surface or a non-empty dict of surfaces")
    single = len(choices) == 1
    explorers = {}

    def explorer_for(name):
        if name not in explorers:
            given = (xlim, ylim, minimum) if single else (None, None, None)
            explorers[name] = make_explorer(choices[name], *plot_window(choices[name], *given))
        return explorers[name]

    def start_for(name):
        view = explorer_for(name).view.ax_path
        (x0, x1), (y0, y1) = view.get_xlim(), view.get_ylim()
        inside = start is not None and x0 <= start[0] <= x1 and y0 <= start[1] <= y1
        return tuple(start) if inside else (x0 + 0.15 * (x1 - x0), y1 - 0.15 * (y1 - y0))

    first = next(iter(choices))
    style = slider_style()
    sliders = {}
    for key, axis, limits, value in (("x", "θ₁", explorer_for(first).view.ax_path.get_xlim(),
                                      start_for(first)[0]),
                                     ("y", "θ₂", explorer_for(first).view.ax_path.get_ylim(),
                                      start_for(first)[1])):
        sliders[key] = widgets.FloatSlider(value=value, min=limits[0], max=limits[1],
                                           step=(limits[1] - limits[0]) / 200,
                                           description=f"start {axis}", **style)
    menu = {}
    hold = set()
    if not single:
        menu["surface"] = widgets.Dropdown(options=list(choices), value=first,
                                           description="surface", **menu_style())

        def new_surface(change):   # move both start sliders into the new window, draw once
            with DRAWING:   # no picture drawn meanwhile (wiring may draw on another thread)
                hold.add("surface")
                view = explorer_for(change["new"]).view.ax_path
                for slider, limits, value in zip(sliders.values(),
                                                 (view.get_xlim(), view.get_ylim()),
                                                 start_for(change["new"])):
                    slider.min = min(slider.min, limits[0])   # widen, move, then narrow:
                    slider.max = max(slider.max, limits[1])   # the value never leaves the range
                    slider.value = value
                    slider.min, slider.max = limits
                    slider.step = (limits[1] - limits[0]) / 200
                hold.clear()

        menu["surface"].observe(new_surface, names="value")
    all_controls = {**menu, **controls,
                    "steps": widgets.IntSlider(value=steps, min=1, max=max(200, steps),
                                               description="steps T", **style),
                    **sliders}

    def figure_update(steps, x, y, surface=first, **values):
        return draw(explorer_for(surface), (x, y), steps, **values)

    return wire(figure_update, all_controls, hold=hold)
