"""Interactive explorers: move a slider, watch the optimizer's path and loss change.

Each explorer has two layers, kept apart so they can be tested without a browser:

* a computation object (``SurfaceExplorer``, ``MinibatchExplorer``) whose
  ``update(...)`` runs the optimizers for the given settings, moves the
  Matplotlib artists of its ``SurfaceFigure`` in place (``set_data``) and
  returns the PNG — this is the part whose time the tests measure;
* a function (``explore_learning_rate``, ``race``, ``explore_minibatch``) that
  wires ipywidgets 8 sliders (and a menu of surfaces) to that ``update`` and
  shows the PNG in an ``ipywidgets.Image``. No ipympl needed; works in
  JupyterLab 4 and in static HTML exports (the last image is kept).

Other lessons also use ``run_optimizer`` alone, to get a trajectory as an array.

Every explorer takes the optimizer as an argument: an optimizer class from
``course_lib.optim`` (or any callable ``optimizer(params, lr=η, **hyperparameters)``
returning an object with ``zero_grad()`` and ``step()``) plus its fixed
hyperparameters, so later lessons reuse them for momentum and adaptive methods.

A *surface* here is anything with ``value(θ)`` (accepting points of shape
(..., 2)) and ``gradient(θ)`` (for one point of shape (2,)), as the test
functions in ``course_lib.surfaces`` have. When the surface also has
``bounds`` and ``minima`` (all of ``course_lib.surfaces`` do), the explorers
use them for the plot window and the stars; the loss panel then shows
J(θ_t) − J(θ*) on a log scale.
"""

import inspect
import io
import time

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib.data import MiniBatches
from course_lib.parameter import Parameter
from course_lib.plots import optimizer_color, plot_contour, plot_trajectory, sequential_colors

DIVERGED = 1e8
"""A run with a coordinate of θ beyond ±1e8 (or a non-finite gradient) counts as diverged."""


# ------------------------------------------------------------------- runs
def run_optimizer(gradient, start, optimizer, steps, **hyperparameters):
    """Iterates θ₀ … θ_T of ``optimizer`` driven by ``gradient``, as an array of shape (T+1, *θ.shape).

    θ may have any shape: a point (θ₁, θ₂) of a 2-D surface, a vector, a scalar.
    Each step sets g_t = ∇J(θ_t) = ``gradient(θ_t)`` (same shape as θ) on a
    ``Parameter`` and calls ``optimizer.step()``, exactly as a training loop does.
    If the run diverges (a coordinate beyond ±``DIVERGED``, or a non-finite
    gradient), the remaining rows are NaN, so plots simply stop there.
    """
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    theta = Parameter(np.array(start, dtype=float))
    if theta.data.size == 0:
        raise ValueError("start must hold at least one number, got an empty array")
    opt = optimizer([theta], **hyperparameters)
    path = np.full((steps + 1,) + theta.shape, np.nan)
    path[0] = theta.data
    for t in range(1, steps + 1):
        g = np.asarray(gradient(theta.data), dtype=float)
        if g.shape != theta.shape:
            raise ValueError(f"gradient(θ) must have the shape of θ, {theta.shape}; "
                             f"got shape {g.shape}")
        if not np.all(np.isfinite(g)):
            break
        theta.grad = g
        opt.step()
        if not np.all(np.isfinite(theta.data)) or np.abs(theta.data).max() > DIVERGED:
            break
        path[t] = theta.data
    return path


def first_step_outside(path, xlim, ylim, margin=0.5):
    """The first t at which θ_t lies outside the window widened by ``margin`` of its size.

    With the default 0.5 the region is twice the window (half a width more on
    each side). NaN rows (a diverged run) count as outside. ``None`` if the
    whole path stays inside: the explorers draw a path only up to this step.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    with np.errstate(invalid="ignore"):
        inside = ((path[:, 0] >= x0 - dx) & (path[:, 0] <= x1 + dx)
                  & (path[:, 1] >= y0 - dy) & (path[:, 1] <= y1 + dy))
    outside = np.flatnonzero(~inside)
    return int(outside[0]) if outside.size else None


def losses_along(surface, path):
    """J(θ_t) for every row of ``path`` (NaN rows stay NaN)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(surface.value(path), dtype=float)


def plot_window(surface, xlim=None, ylim=None, minimum=None):
    """The window and minima to draw: the arguments given, else the surface's own.

    ``xlim``/``ylim`` default to ``surface.bounds``, ``minimum`` to ``surface.minima``
    (all of them, shape (k, 2)); without those attributes, (−2, 2) and no star.
    """
    bounds = getattr(surface, "bounds", ((-2.0, 2.0), (-2.0, 2.0)))
    minima = getattr(surface, "minima", None)
    if minimum is None and minima is not None and len(minima):
        minimum = np.asarray(minima, dtype=float)
    return tuple(xlim or bounds[0]), tuple(ylim or bounds[1]), minimum


# ---------------------------------------------------------------- figures
class SurfaceFigure:
    """Contour of J with one trajectory per run (left), J(θ_t) on a log axis (right).

    ``labels`` names the runs; colours follow ``course_lib.plots.OPTIMIZER_COLORS``
    (or a sequential map when a label names no optimizer). ``update(paths)``
    moves the artists; ``png()`` renders the figure.
    """

    def __init__(self, surface, labels, xlim, ylim, title="", minimum=None, dpi=80):
        self.surface = surface
        self.figure = Figure(figsize=(11, 4.3), dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self._background, self._window = None, None
        self._legend, self._texts = None, []
        self.ax_path, self.ax_loss = self.figure.subplots(1, 2, width_ratios=[1.1, 1])
        plot_contour(self.ax_path, surface.value, xlim, ylim, minimum=minimum)
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
        self.ax_path.legend(loc="upper right", fontsize="small")
        self.ax_path.set_title(title)
        self.optimum = (0.0 if minimum is None
                        else float(np.min(surface.value(np.asarray(minimum, dtype=float)))))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel(r"iteration $t$")
        self.ax_loss.set_ylabel(r"$J(\theta_t)$" if minimum is None
                                else r"$J(\theta_t) - J(\theta^*)$")
        self.ax_loss.set_title("loss (log scale)")
        self.ax_loss.grid(True, alpha=0.3)
        self.ax_loss.legend(loc="upper right", fontsize="small")
        self.note = self.ax_loss.text(0.02, 0.03, "", transform=self.ax_loss.transAxes,
                                      fontsize="small", color="#882255")

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
        all_losses, notes = [], []
        for path, line, start, curve, text in zip(paths, self.paths, self.starts, self.curves,
                                                  self._legend_texts()):
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
                notes.append(f"{label} {event} at step {left}")
                label = f"{label}: {event} at step {left}"
            if text is not None:
                text.set_text(label)
        self._rescale_loss_axis(np.concatenate(all_losses), len(paths[0]) - 1)
        self.note.set_text("; ".join(notes))

    def _legend_texts(self):
        """The legend's text for each path (looked up again whenever the legend is replaced)."""
        legend = self.ax_path.get_legend()
        if legend is not self._legend:
            self._legend = legend
            by_label = {} if legend is None else {t.get_text(): t for t in legend.get_texts()}
            self._texts = [by_label.get(line.get_label()) for line in self.paths]
        return self._texts

    def _rescale_loss_axis(self, gaps, steps):
        shown = gaps[np.isfinite(gaps) & (gaps > 0)]
        low, high = (shown.min(), shown.max()) if shown.size else (1e-3, 1.0)
        self.ax_loss.set_ylim(max(low, 1e-12) / 2, max(high, 10 * low) * 2)
        self.ax_loss.set_xlim(0, max(steps, 1))

    def png(self):
        """The figure as PNG bytes (what the explorer's ``Image`` widget shows).

        The first render lays the figure out and keeps a picture of everything
        that does not move (the contour panel without its paths and title).
        Later renders paste that picture back and draw only the paths, the
        title and the loss panel: a redraw costs a few tens of milliseconds.
        The picture is taken again if the contour panel's window changes.
        """
        if self._background is None or self._window != self._current_window():
            self._capture_background()
        self.canvas.restore_region(self._background)
        for artist in self._moving_artists():
            self.ax_path.draw_artist(artist)
        self.ax_loss.draw(self.canvas.get_renderer())
        buffer = io.BytesIO()
        PIL.Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(buffer, format="png",
                                                                         compress_level=1)
        return buffer.getvalue()

    def _moving_artists(self):
        """The paths, then what must stay on top of them (stars, legend), and the title."""
        on_top = [line for line in self.ax_path.lines if line.get_zorder() > 4]
        legend = [self.ax_path.get_legend()] if self.ax_path.get_legend() else []
        moving = [*self.paths, *self.starts]
        return moving + [a for a in on_top if a not in moving] + legend + [self.ax_path.title]

    def _current_window(self):
        return self.ax_path.get_xlim(), self.ax_path.get_ylim()

    def _capture_background(self):
        self.canvas.draw()                                # lays the figure out once
        self.figure.set_layout_engine("none")
        hidden = [*self._moving_artists(), self.ax_loss]
        title_at = self.ax_path.title.get_position()      # a draw without a visible title
        for artist in hidden:                             # would move it out of the figure
            artist.set_visible(False)
        self.canvas.draw()
        self.ax_path.title.set_position(title_at)
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        for artist in hidden:
            artist.set_visible(True)
        self._window = self._current_window()


def _optimizer_entry(entry, name):
    """Accept ``Cls`` or ``(Cls, {hyperparameters})`` for one optimizer of a race."""
    if isinstance(entry, tuple):
        if len(entry) != 2 or not isinstance(entry[1], dict):
            raise TypeError(f"optimizers[{name!r}] must be a class or a pair (class, dict)")
        return entry
    if not callable(entry):
        raise TypeError(f"optimizers[{name!r}] must be an optimizer class, got {entry!r}")
    return entry, {}


def _default_lr(optimizer):
    """The default η of an optimizer class (its ``lr`` keyword), e.g. 1e-3 for Adam."""
    parameter = inspect.signature(optimizer).parameters.get("lr")
    if parameter is None or not isinstance(parameter.default, (int, float)):
        raise TypeError(f"{getattr(optimizer, '__name__', optimizer)!r} has no default "
                        "learning rate: give one, as (class, {'lr': ...})")
    return parameter.default


# --------------------------------------------------------------- explorers
def _slider_style():
    import ipywidgets as widgets

    return {"style": {"description_width": "110px"}, "layout": widgets.Layout(width="420px"),
            "continuous_update": False}


def wire(figure_update, controls, columns=2, hold=None):
    """An Image widget redrawn by ``figure_update(**values)`` whenever a control changes.

    While the set ``hold`` is non-empty, changes do not redraw (used to move
    several sliders at once and draw once).
    """
    import ipywidgets as widgets

    hold = set() if hold is None else hold
    image = widgets.Image(format="png")
    timing = widgets.HTML()

    def redraw(_change=None):
        if hold:
            return
        began = time.perf_counter()
        image.value = figure_update(**{name: c.value for name, c in controls.items()})
        timing.value = f"<small>redrawn in {1000 * (time.perf_counter() - began):.0f} ms</small>"

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    timing.value = ""   # the first render also lays the figure out: not a redraw time
    boxes = list(controls.values())
    rows = [widgets.HBox(boxes[i:i + columns]) for i in range(0, len(boxes), columns)]
    return widgets.VBox(rows + [image, timing])


def _surface_widget(surface, make_explorer, controls, draw, start, steps, xlim, ylim, minimum):
    """Sliders ``controls`` + steps + start θ₀ (+ a surface menu) wired to ``draw``.

    ``surface`` is one surface or a dict {name: surface}; with several, a menu
    picks one, and its own window (``bounds``) and minima are used.
    ``make_explorer(surface, xlim, ylim, minimum)`` builds a ``SurfaceExplorer``
    (once per surface, when first shown); ``draw(explorer, start, steps, **values)``
    returns the PNG.
    """
    import ipywidgets as widgets

    choices = dict(surface) if isinstance(surface, dict) else {getattr(surface, "name", ""): surface}
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
    style = _slider_style()
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
                                           description="surface", **_menu_style())

        def new_surface(change):   # move both start sliders into the new window, draw once
            hold.add("surface")
            view = explorer_for(change["new"]).view.ax_path
            for slider, limits, value in zip(sliders.values(), (view.get_xlim(), view.get_ylim()),
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


def _menu_style():
    import ipywidgets as widgets

    return {"style": {"description_width": "110px"}, "layout": widgets.Layout(width="420px")}


class SurfaceExplorer:
    """The computation behind ``explore_learning_rate`` and ``race``, without widgets.

    ``optimizers`` maps a label to ``(optimizer, hyperparameters)``. Calling
    ``update(start, steps, lr_scale)`` runs every optimizer from ``start`` for
    ``steps`` steps (each with its own ``lr`` times ``lr_scale``), moves the
    figure's artists and returns the PNG bytes.
    """

    def __init__(self, surface, optimizers, xlim=None, ylim=None, title="", minimum=None):
        self.surface = surface
        xlim, ylim, minimum = plot_window(surface, xlim, ylim, minimum)
        self.optimizers = self.check_optimizers(optimizers)
        self.view = SurfaceFigure(surface, list(self.optimizers), xlim, ylim, title, minimum)

    @staticmethod
    def check_optimizers(optimizers):
        """{label: (class, hyperparameters)} from {label: class or (class, hyperparameters)}."""
        if not isinstance(optimizers, dict) or not optimizers:
            raise ValueError("optimizers must be a dict naming at least one optimizer")
        return {name: _optimizer_entry(e, name) for name, e in optimizers.items()}

    def paths(self, start, steps, lr_scale=1.0):
        """One trajectory per optimizer (see ``run_optimizer``)."""
        runs = []
        for optimizer, hyper in self.optimizers.values():
            hyper = dict(hyper)
            hyper["lr"] = hyper.get("lr", _default_lr(optimizer)) * lr_scale
            runs.append(run_optimizer(self.surface.gradient, start, optimizer, steps, **hyper))
        return runs

    def update(self, start, steps, lr_scale=1.0):
        self.view.update(self.paths(start, steps, lr_scale))
        return self.view.png()


def explore_learning_rate(surface, optimizer, hyperparameters=None, lr=0.1, lr_range=(1e-3, 1.0),
                          start=None, steps=50, xlim=None, ylim=None, label=None, minimum=None):
    """Explorer (a): sliders for η, the start θ₀ and the number of steps on a 2-D surface.

    Left: the contour of J with the path θ₀, θ₁, …; right: J(θ_t) on a log
    scale. ``surface`` is one surface, or a dict {name: surface} to choose
    from in a menu. ``optimizer`` is a class from ``course_lib.optim`` (e.g.
    ``SGD``), ``hyperparameters`` its fixed settings (e.g. ``{"momentum": 0.9}``).
    ``start`` defaults to a point near the window's upper-left corner.
    Returns the ipywidgets box to display.
    """
    import ipywidgets as widgets

    label = label or getattr(optimizer, "__name__", "optimizer")
    entry = {label: (optimizer, {**dict(hyperparameters or {}), "lr": 1.0})}
    low, high = np.log10(lr_range[0]), np.log10(lr_range[1])
    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=low, max=high, step=0.05,
                                     description="learning rate η", readout_format=".3g",
                                     **_slider_style()),
    }

    def make_explorer(s, xlim, ylim, minimum):
        return SurfaceExplorer(s, entry, xlim, ylim, minimum=minimum)

    def draw(explorer, start, steps, lr):
        explorer.view.ax_path.set_title(f"{label}, η = {lr:.3g}")
        return explorer.update(start, steps, lr_scale=lr)

    return _surface_widget(surface, make_explorer, controls, draw, start, steps, xlim, ylim,
                           minimum)


def race(surface, optimizers, start=None, steps=100, xlim=None, ylim=None, minimum=None,
         title=None):
    """Several optimizers from the same start on the same surface, side by side.

    ``optimizers`` maps a label (starting with an optimizer's name, so it gets
    the course colour) to a class or to ``(class, hyperparameters)``, e.g.
    ``{"GD": (SGD, {"lr": 0.1}), "Momentum": (SGD, {"lr": 0.1, "momentum": 0.9})}``.
    ``surface`` is one surface or a dict {name: surface} (then a menu picks
    one). Sliders: the start θ₀, the number of steps, and a factor that
    multiplies every optimizer's η (to see how the ranking depends on it).
    ``title`` defaults to the surface's name.
    """
    import ipywidgets as widgets

    SurfaceExplorer.check_optimizers(optimizers)
    controls = {
        "lr_scale": widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                           description="η × factor", readout_format=".3g",
                                           **_slider_style()),
    }

    def make_explorer(s, xlim, ylim, minimum):
        return SurfaceExplorer(s, optimizers, xlim, ylim, title or getattr(s, "name", ""),
                               minimum)

    def draw(explorer, start, steps, lr_scale):
        return explorer.update(start, steps, lr_scale)

    return _surface_widget(surface, make_explorer, controls, draw, start, steps, xlim, ylim,
                           minimum)


# ------------------------------------------------------- mini-batch explorer
class LeastSquaresLine:
    """Fit y ≈ θ₁x + θ₂ to points (xᵢ, yᵢ): J(θ) = 1/(2n) Σᵢ (θ₁xᵢ + θ₂ − yᵢ)².

    A 2-D loss surface made of data, so the mini-batch gradient
    g_B(θ) = 1/B Σ_{i∈B} (θ₁xᵢ + θ₂ − yᵢ)·(xᵢ, 1) can be drawn over its contour.
    ``minimum`` is the least-squares solution θ*.
    """

    def __init__(self, x, y):
        self.x = np.asarray(x, dtype=float).ravel()
        self.y = np.asarray(y, dtype=float).ravel()
        if self.x.size != self.y.size or self.x.size < 2:
            raise ValueError(f"x and y must hold the same number (≥ 2) of points, "
                             f"got {self.x.size} and {self.y.size}")
        design = np.stack([self.x, np.ones_like(self.x)], axis=1)
        self.minimum = np.linalg.lstsq(design, self.y, rcond=None)[0]

    @property
    def n(self):
        return self.x.size

    def value(self, theta):
        """J(θ) for points θ of shape (..., 2)."""
        theta = np.asarray(theta, dtype=float)
        residual = theta[..., :1] * self.x + theta[..., 1:] - self.y
        return 0.5 * np.mean(residual**2, axis=-1)

    def gradient(self, theta, x=None, y=None):
        """g_B(θ) over the examples (x, y) of a mini-batch; over all n examples when omitted."""
        if x is None:
            x, y = self.x, self.y
        x, y = np.ravel(x), np.ravel(y)
        residual = theta[0] * x + theta[1] - y
        return np.array([np.mean(residual * x), np.mean(residual)])


def run_minibatch(problem, start, optimizer, batch_size, epochs, seed=0, **hyperparameters):
    """Iterates of mini-batch training: every epoch reshuffles, then one step per batch.

    The batches come from ``course_lib.data.MiniBatches(problem.x, problem.y,
    batch_size, seed=seed)``; ``problem`` is a ``LeastSquaresLine``. Returns the
    path, shape (1 + epochs·⌈n/B⌉, 2), NaN rows after a divergence.
    """
    if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= problem.n:
        raise ValueError(f"batch_size must be an integer from 1 to n = {problem.n}, "
                         f"got {batch_size!r}")
    loader = MiniBatches(problem.x, problem.y, int(batch_size), seed=seed)
    schedule = iter([batch for _ in range(epochs) for batch in loader])
    return run_optimizer(lambda theta: problem.gradient(theta, *next(schedule)), start,
                         optimizer, epochs * len(loader), **hyperparameters)


class MinibatchExplorer:
    """The computation behind ``explore_minibatch``: a noisy path against the full-batch one.

    ``update(batch_size, lr, epochs, seed)`` runs mini-batch training with
    batch size B and the full-batch reference (B = n) with the same η and
    number of epochs, moves the artists and returns the PNG bytes. The loss
    panel plots J(θ_t) − J(θ*) against epochs, so runs with different B share
    an axis.
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
        self.view = SurfaceFigure(problem, [f"{label}, mini-batch", "full batch, same epochs"], xlim,
                                  ylim, minimum=centre, dpi=dpi)
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
        return self.view.png()


def explore_minibatch(problem, optimizer, hyperparameters=None, lr=0.1, lr_range=(1e-3, 1.0),
                      batch_size=8, epochs=3, start=(-1.0, -1.0), label=None, max_epochs=30):
    """Explorer (b): batch size B and η against the noisy path of mini-batch training.

    ``problem`` is a ``LeastSquaresLine`` (or anything with ``n``, ``value``,
    ``gradient(θ, batch)`` and ``minimum``); ``optimizer`` and
    ``hyperparameters`` as in ``explore_learning_rate``. Sliders: B (powers of
    two up to n), η, epochs (up to ``max_epochs``: small η needs many epochs to
    reach θ* and show its cloud) and the shuffling seed. Returns the ipywidgets box.
    """
    import ipywidgets as widgets

    explorer = MinibatchExplorer(problem, optimizer, hyperparameters, start, label=label)
    sizes = sorted({2**k for k in range(int(np.log2(problem.n)) + 1)} | {problem.n})
    style = _slider_style()
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
