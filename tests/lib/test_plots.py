"""The shared figures: colours, contours, trajectories, loss curves, rates."""

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import plots


def bowl(theta):
    theta = np.asarray(theta, dtype=float)
    return 0.5 * (theta[..., 0] ** 2 + 10 * theta[..., 1] ** 2)


def axes(count=1):
    return Figure().subplots(1, count)


def test_optimizer_color_matches_the_longest_name_a_label_starts_with():
    assert plots.optimizer_color("AdamW (λ=0.01)") == plots.OPTIMIZER_COLORS["AdamW"]
    assert plots.optimizer_color("Adam, η=0.1") == plots.OPTIMIZER_COLORS["Adam"]
    assert plots.optimizer_color("η = 0.1") is None
    with pytest.raises(TypeError):
        plots.optimizer_color(3)


def test_contour_draws_labelled_levels_and_marks_the_minimum():
    ax = axes()
    contours = plots.plot_contour(ax, bowl, (-2, 2), (-1, 1), levels=12, minimum=(0, 0))
    assert len(contours.levels) == 12
    assert np.all(np.diff(contours.levels) > 0)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == (-2, 2)
    assert any(line.get_label().startswith("minimum") for line in ax.lines)


def test_contour_rejects_bad_limits_and_non_vectorised_losses():
    with pytest.raises(ValueError, match="xlim"):
        plots.plot_contour(axes(), bowl, (2, -2), (-1, 1))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        plots.plot_contour(axes(), lambda theta: 1.0, (-1, 1), (-1, 1))


def test_trajectory_draws_every_iterate_in_the_optimizer_colour():
    path = np.array([[1.0, 1.0], [0.5, -0.5], [0.1, 0.2]])
    line, start = plots.plot_trajectory(axes(), path, label="Nesterov")
    np.testing.assert_array_equal(line.get_xydata(), path)
    np.testing.assert_array_equal(start.get_xydata(), path[:1])
    assert mcolors.same_color(line.get_color(), plots.OPTIMIZER_COLORS["Nesterov"])
    with pytest.raises(ValueError, match=r"\(T\+1, 2\)"):
        plots.plot_trajectory(axes(), np.zeros((3, 3)))


def test_loss_curves_use_a_log_axis_and_course_colours():
    ax = axes()
    lines = plots.plot_loss_curves(ax, {"Adam": [1.0, 0.1, 0.01], "RMSprop": [1.0, 0.5, 0.2]})
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in lines] == ["Adam", "RMSprop"]
    assert mcolors.same_color(lines[1].get_color(), plots.OPTIMIZER_COLORS["RMSprop"])
    assert ax.get_legend() is not None
    with pytest.raises(TypeError):
        plots.plot_loss_curves(ax, [1.0, 0.5])
    with pytest.raises(ValueError, match="1-D"):
        plots.plot_loss_curves(ax, {"GD": np.ones((2, 2))})


def test_convergence_plot_draws_the_theoretical_line_e0_rho_t():
    ax = axes()
    errors = 2.0 * 0.5 ** np.arange(10)
    plots.plot_convergence(ax, {"GD": errors}, rates={"GD": 0.5})
    theory = [line for line in ax.lines if line.get_label().startswith("theory")]
    assert len(theory) == 1
    np.testing.assert_allclose(theory[0].get_ydata(), errors)


def test_rate_per_iteration_settles_on_the_rate():
    ax = axes()
    lines = plots.plot_rate_per_iteration(ax, {"GD": 3.0 * 0.8 ** np.arange(20)},
                                          rates={"GD": 0.8})
    np.testing.assert_allclose(lines[0].get_ydata(), 0.8)
    assert ax.get_yscale() == "linear"


def test_sequential_colors_gives_the_count_asked_for():
    assert len(plots.sequential_colors(4)) == 4
    with pytest.raises(ValueError):
        plots.sequential_colors(0)
