"""The figures every lesson shares: contours with trajectories, loss curves, rates.

One colour per optimizer for the whole course, ``OPTIMIZER_COLORS``, comes from the table of
the course's optimizers (``course_lib.optimizer_table``). Every function draws on a
Matplotlib ``Axes`` you pass in and returns the artists it made, so a lesson (or an
explorer in ``course_lib.explorers``) can lay out its own figure and update the artists
in place.

Notation: θ = (θ₁, θ₂) the parameters, J(θ) the loss, θ* a minimiser,
t the iteration counter, ρ a linear convergence rate (‖θ_t − θ*‖ ≈ C ρᵗ).
"""

import matplotlib
import numpy as np

from course_lib.optimizer_table import OPTIMIZER_COLORS

CONTOUR_COLOR = "#9a9a9a"
START_COLOR = "#EE7733"   # the start θ₀ in lesson 0's figure
GRID_BLOCK = 4096
"""How many grid points ``values_on_grid`` hands to the loss in one call."""


def optimizer_color(label):
    """The course colour for ``label``: an optimizer name, or a label that starts with one.

    ``optimizer_color("Adam")`` and ``optimizer_color("Adam (η=0.1)")`` both give
    Adam's colour; the longest matching name wins (so "AdamW" is not "Adam").
    Labels that name no optimizer give ``None`` (Matplotlib then picks a colour).

    Introduced in lesson 1.
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a string, got {type(label).__name__}")
    matches = [name for name in OPTIMIZER_COLORS if label.startswith(name)]
    return OPTIMIZER_COLORS[max(matches, key=len)] if matches else None


def sequential_colors(count, cmap="viridis"):
    """``count`` colours from a colour-blind-safe sequential map, for sweeps of one knob (η, B).

    Introduced in lesson 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    return [matplotlib.colormaps[cmap](x) for x in np.linspace(0.0, 0.85, count)]


def values_on_grid(loss, xlim, ylim, resolution=200):
    """Evaluate J on a ``resolution``×``resolution`` grid over ``xlim`` × ``ylim``.

    ``loss`` is a function of θ that accepts a stack of points: given an array of
    shape (..., 2) it returns the values J(θ) of shape (...). Returns the grid
    coordinates Θ₁, Θ₂ and the values, each of shape (resolution, resolution).
    J is evaluated a block of rows (``GRID_BLOCK`` points) at a time, so a loss
    averaged over n examples holds about GRID_BLOCK·n numbers at once, not
    resolution²·n (lesson 2: 4 096 × 512 instead of 40 000 × 512).
    """
    _check_limits(xlim, "xlim")
    _check_limits(ylim, "ylim")
    theta1, theta2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    points = np.stack([theta1, theta2], axis=-1)
    rows = max(1, GRID_BLOCK // resolution)
    blocks = []
    for first in range(0, resolution, rows):
        block = points[first:first + rows]
        values = np.asarray(loss(block), dtype=float)
        if values.shape != block.shape[:-1]:
            raise ValueError(
                "loss must accept points of shape (..., 2) and return values of shape (...); "
                f"for points of shape {block.shape} it returned shape {values.shape}"
            )
        blocks.append(values)
    return theta1, theta2, np.concatenate(blocks)


def plot_contour(ax, loss, xlim, ylim, levels=20, log_levels=True, minimum=None, resolution=200):
    """Draw the level sets of J(θ) on ``ax``, with θ₁, θ₂ axis labels.

    ``loss`` takes points of shape (..., 2) (see ``values_on_grid``). With
    ``log_levels`` the contour levels are spaced evenly in log J above the
    smallest value on the grid, so both the steep walls and the flat floor of a
    valley show. ``minimum`` (a point θ*, or an array of shape (k, 2) of
    minima) is marked with stars. Returns the contour set.

    Introduced in lesson 1.
    """
    theta1, theta2, values = values_on_grid(loss, xlim, ylim, resolution)
    if log_levels:
        floor = values.min()
        spread = values - floor
        positive = spread[spread > 0]
        if positive.size == 0:
            raise ValueError("loss is constant on the grid: nothing to draw")
        low, high = np.quantile(positive, 0.002), positive.max()
        level_values = floor + np.geomspace(low, high, levels)
    else:
        level_values = levels
    contours = ax.contour(theta1, theta2, values, levels=level_values, colors=CONTOUR_COLOR,
                          linewidths=0.8)
    if minimum is not None:
        points = np.asarray(minimum, dtype=float).reshape(-1, 2)
        ax.plot(points[:, 0], points[:, 1], marker="*", markersize=14, color="#DDAA33",
                markeredgecolor="black", linestyle="none", label=r"minimum $\theta^*$", zorder=5)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return contours


def plot_trajectory(ax, path, label=None, color=None, marker="o", markersize=3):
    """Draw the iterates θ₀, θ₁, … (an array of shape (T+1, 2)) as a connected path.

    The start θ₀ gets a larger hollow marker. ``color`` defaults to the course
    colour of ``label`` (see ``optimizer_color``). Returns the path's Line2D
    and the start marker's Line2D, so an explorer can call ``set_data`` on them.

    Introduced in lesson 1.
    """
    path = _as_path(path)
    if color is None and label is not None:
        color = optimizer_color(label)
    (line,) = ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=markersize,
                      linewidth=1.5, color=color, label=label, zorder=3)
    (start,) = ax.plot(path[:1, 0], path[:1, 1], marker="o", markersize=9, fillstyle="none",
                       markeredgewidth=1.5, color=line.get_color(), linestyle="none", zorder=4)
    return line, start


def plot_parabola_descent(ax, thetas, eta=None):
    """Gradient descent on J(θ) = θ²: the parabola on −4 ≤ θ ≤ 4, the iterates (θ_t, J(θ_t))
    joined in order, and the start θ₀ as a square.

    ``thetas`` are θ₀, θ₁, …, θ_T; with ``eta`` the title says "T steps of gradient descent,
    η = …". Returns the path's and the start's Line2D, so an explorer can move them.

    Introduced in lesson 0.
    """
    thetas = np.asarray(thetas, dtype=float)
    grid = np.linspace(-4, 4, 200)
    ax.plot(grid, grid**2, color="0.6", label=r"$J(\theta)=\theta^2$")
    (path,) = ax.plot(thetas, thetas**2, "o-", color=OPTIMIZER_COLORS["GD"], markersize=5,
                      label="gradient descent")
    (start,) = ax.plot(thetas[:1], thetas[:1] ** 2, "s", color=START_COLOR,
                       label=r"start $\theta_0$")
    ax.set(xlim=(-4, 4), ylim=(-0.5, 16.5), xlabel=r"$\theta$", ylabel=r"$J(\theta)$",
           title=" " if eta is None else parabola_descent_title(len(thetas) - 1, eta))
    ax.legend(loc="upper center")
    return path, start


def parabola_descent_title(steps, eta):
    """The title of ``plot_parabola_descent``'s figure. Introduced in lesson 0."""
    return fr"{steps} steps of gradient descent, $\eta$ = {eta:g}"


def plot_loss_curves(ax, runs, log=True, xlabel=r"iteration $t$", ylabel=r"loss $J(\theta_t)$",
                     colors=None, title=None):
    """Draw one curve per run: ``runs`` maps a label to the losses J(θ₀), J(θ₁), ….

    Colours come from ``colors`` (label → colour) when given, else from the
    course colour of each label. ``log=True`` uses a log-scale y axis (the right
    choice for anything that converges linearly). Returns the lines, in order.

    Introduced in lesson 1.
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs must be a non-empty dict mapping a label to a sequence of losses")
    lines = []
    for label, losses in runs.items():
        losses = np.asarray(losses, dtype=float)
        if losses.ndim != 1:
            raise ValueError(f"losses for {label!r} must be 1-D, got shape {losses.shape}")
        color = (colors or {}).get(label) or optimizer_color(label)
        (line,) = ax.plot(np.arange(losses.size), losses, color=color, linewidth=1.8, label=label)
        lines.append(line)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    return lines


def plot_convergence(ax, errors, rates=None, colors=None,
                     ylabel=r"error $\|\theta_t - \theta^*\|$", title=None):
    """Errors against iteration on a log scale, each with its theoretical line e₀ρᵗ.

    ``errors`` maps a label to e₀, e₁, …; ``rates`` (optional) maps the same
    labels to a theoretical rate ρ, drawn dashed in the same colour. On a log
    axis a linear rate is a straight line of slope log ρ. Returns the lines.

    Introduced in lesson 1.
    """
    lines = plot_loss_curves(ax, errors, log=True, ylabel=ylabel, colors=colors, title=title)
    for line, (label, values) in zip(lines, errors.items()):
        if rates and label in rates:
            e = np.asarray(values, dtype=float)
            t = np.arange(e.size)
            ax.plot(t, e[0] * rates[label] ** t, linestyle="--", linewidth=1.2,
                    color=line.get_color(), label=f"theory ρ = {rates[label]:.3f}")
    ax.legend(fontsize="small")
    return lines


def plot_rate_per_iteration(ax, errors, rates=None, colors=None, title=None):
    """The per-step ratio e_{t+1}/e_t against t, with each theoretical ρ as a dashed line.

    A method that converges linearly at rate ρ settles on the line ratio = ρ.
    ``errors`` and ``rates`` are as in ``plot_convergence``. Returns the lines.

    Introduced in lesson 1.
    """
    ratios = {}
    for label, values in errors.items():
        e = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[label] = e[1:] / e[:-1]
    lines = plot_loss_curves(ax, ratios, log=False, ylabel=r"ratio $e_{t+1} / e_t$",
                             colors=colors, title=title)
    for line, label in zip(lines, ratios):
        if rates and label in rates:
            ax.axhline(rates[label], linestyle="--", linewidth=1.2, color=line.get_color(),
                       label=f"theory ρ = {rates[label]:.3f}")
    ax.legend(fontsize="small")
    return lines


def _as_path(path):
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] < 1:
        raise ValueError(f"a path must have shape (T+1, 2), got shape {path.shape}")
    return path


def _check_limits(limits, name):
    if len(limits) != 2 or not limits[0] < limits[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {limits!r}")
