"""The explorers: their runs, their figures and the redraw time a slider change costs."""

import time

import numpy as np
import pytest

from course_lib import explorers, runners, surfaces
from course_lib.explorers import minibatch, surface_paths
from course_lib.optim import SGD, Adam

REDRAW_BUDGET = 0.060  # seconds of CPU: a slider change must redraw within 60 ms


def ravine():
    """J(θ) = ½(θ₁² + 10 θ₂²): curvatures 1 and 10, so GD is stable for η < 0.2."""
    return surfaces.Quadratic([1.0, 10.0])


CURVATURES = np.array([1.0, 10.0])


def line_problem(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return surfaces.LeastSquaresLine(x, 2 * x + 1 + 0.3 * rng.standard_normal(n))


def test_run_optimizer_follows_gradient_descent_exactly():
    path = runners.run_optimizer(ravine().gradient, (1.0, 1.0), SGD, 3, lr=0.1)
    expected = [np.ones(2)]
    for _ in range(3):
        expected.append(expected[-1] - 0.1 * CURVATURES * expected[-1])
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-15)


def test_a_divergent_run_stops_with_nan_rows_instead_of_raising():
    path = runners.run_optimizer(ravine().gradient, (1.0, 1.0), SGD, 200, lr=0.25)
    diverged = np.isnan(path[:, 0])
    assert diverged[-1] and not diverged[0]
    assert np.all(np.abs(path[~diverged]) <= runners.DIVERGED)


def test_run_optimizer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        runners.run_optimizer(ravine().gradient, (1.0, 1.0), SGD, -1, lr=0.1)
    with pytest.raises(ValueError, match="start"):
        runners.run_optimizer(ravine().gradient, [], SGD, 5, lr=0.1)
    with pytest.raises(ValueError, match="shape of θ"):
        runners.run_optimizer(lambda theta: theta[:2], (1.0, 1.0, 1.0), SGD, 5, lr=0.1)


def test_run_optimizer_takes_a_start_of_any_shape():
    curvatures = np.array([0.01, 0.1, 1.0])              # the 3-D bowl of lessons 1 and 3
    path = runners.run_optimizer(lambda theta: curvatures * theta, np.ones(3), SGD, 10, lr=1.5)
    assert path.shape == (11, 3)
    np.testing.assert_allclose(path[-1], (1 - 1.5 * curvatures) ** 10, rtol=1e-13)
    scalar = runners.run_optimizer(lambda theta: 2 * theta, 2.0, SGD, 5, lr=0.3)   # J(θ) = θ²
    assert scalar.shape == (6,)
    np.testing.assert_allclose(scalar, 2.0 * 0.4 ** np.arange(6), rtol=1e-14)
    matrix = runners.run_optimizer(lambda theta: theta, np.ones((2, 3)), Adam, 4, lr=0.1)
    assert matrix.shape == (5, 2, 3)


def test_surface_explorer_moves_artists_to_the_new_run():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1}), "Adam": Adam},
                                       (-2, 2), (-2, 2), minimum=(0, 0))
    explorer.update((-1.5, 1.5), 20, lr_scale=0.5)
    expected = runners.run_optimizer(ravine().gradient, (-1.5, 1.5), SGD, 20, lr=0.05)
    np.testing.assert_allclose(explorer.view.paths[0].get_xydata(), expected)
    losses = explorer.view.curves[0].get_ydata()
    np.testing.assert_allclose(losses, ravine().value(expected))
    assert explorer.view.ax_loss.get_yscale() == "log"


def test_divergence_is_reported_on_the_figure():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.3})}, (-2, 2), (-2, 2))
    explorer.update((1.0, 1.0), 100)
    assert "diverged" in explorer.view.note.get_text()
    explorer.update((1.0, 1.0), 100, lr_scale=0.1)
    assert explorer.view.note.get_text() == ""


def test_optimizers_that_diverge_at_the_same_step_share_one_line_inside_the_figure():
    """Lesson 3 at η = 0.316: three optimizers diverge at step 1. One line names all three, and
    the note stays inside the picture (one line per optimizer ran off its right edge)."""
    runs = {"GD": (SGD, {"lr": 1.0}), "Momentum": (SGD, {"lr": 1.0, "momentum": 0.9}),
            "Nesterov": (SGD, {"lr": 1.0, "momentum": 0.9, "nesterov": True})}
    explorer = surface_paths.SurfaceExplorer(ravine(), runs, (-2, 2), (-2, 2))
    explorer.update((1.0, 1.0), 100)
    steps = {text.split(" at step ")[1] for text in legend_texts(explorer.view.ax_path)
             if " at step " in text}
    assert len(steps) == 1, "the three should diverge at the same step for this test"
    expected = f"GD, Momentum and Nesterov diverged at step {steps.pop()}"
    assert explorer.view.note.get_text() == expected
    figure = explorer.view.figure
    note = explorer.view.note.get_window_extent(figure.canvas.get_renderer())
    assert figure.bbox.x0 <= note.x0 and note.x1 <= figure.bbox.x1


def legend_texts(axes):
    return [text.get_text() for text in axes.get_legend().get_texts()]


def test_a_diverging_path_is_drawn_only_until_it_leaves_the_window():
    """η = 0.21 on curvature 10: |1 − 2.1| = 1.1, a slow divergence that never reaches 1e8."""
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.21})},
                                             (-2, 2), (-2, 2))
    explorer.update((1.0, 1.0), 60)
    full = runners.run_optimizer(ravine().gradient, (1.0, 1.0), SGD, 60, lr=0.21)
    assert np.all(np.isfinite(full))                     # not caught by the 1e8 limit
    k = int(np.argmax(np.abs(full).max(axis=1) > 4.0))   # first step beyond twice the window
    drawn = explorer.view.paths[0].get_xydata()
    np.testing.assert_array_equal(drawn, full[:k + 1])
    assert len(explorer.view.curves[0].get_xdata()) == k + 1
    assert f"GD: diverged at step {k}" in legend_texts(explorer.view.ax_path)
    assert explorer.view.note.get_text() == f"GD diverged at step {k}"
    explorer.update((1.0, 1.0), 60, lr_scale=0.5)        # a converging run: the label is restored
    assert "GD" in legend_texts(explorer.view.ax_path)
    assert explorer.view.note.get_text() == ""


def test_a_path_that_leaves_the_window_and_comes_back_is_drawn_whole():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1})}, (-2, 2), (-2, 2))
    excursion = np.array([[1.0, 1.0], [3.0, 1.0], [9.0, 1.0], [2.0, 0.5], [0.5, 0.1]])
    explorer.view.update([excursion])
    np.testing.assert_array_equal(explorer.view.paths[0].get_xydata(), excursion)
    assert "GD: left the plot (and came back) at step 2" in legend_texts(explorer.view.ax_path)


def test_the_title_stays_inside_the_figure_after_redraws():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1})}, (-2, 2), (-2, 2))
    explorer.view.ax_path.set_title("GD, η = 0.1")
    for _ in range(2):
        explorer.update((1.0, 1.0), 20)
        box = explorer.view.ax_path.title.get_window_extent(explorer.view.canvas.get_renderer())
        assert explorer.view.figure.bbox.contains(box.x0, box.y0)
        assert explorer.view.figure.bbox.contains(box.x1, box.y1)


def _pixels(png):
    """RGBA floats in [0, 1] of PNG bytes."""
    import io

    from matplotlib.image import imread
    return imread(io.BytesIO(png), format="png")


def test_the_overlay_laid_over_the_background_is_the_whole_figure():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1}), "Adam": Adam},
                                             minimum=(0, 0))
    explorer.view.ax_path.set_title("GD and Adam")
    layers = explorer.update((-1.5, 1.5), 40, lr_scale=0.5)
    background, overlay = _pixels(layers.background), _pixels(layers.overlay)
    assert background.shape == overlay.shape and (background[..., 3] == 1).all()
    assert 0.005 < (overlay[..., 3] > 0).mean() < 0.2   # paths, curves, titles: not the contours
    alpha = overlay[..., 3:]
    laid = overlay[..., :3] * alpha + background[..., :3] * (1 - alpha)   # as a browser lays it
    explorer.view.canvas.draw()                            # the whole figure, drawn in one go
    whole = np.asarray(explorer.view.canvas.buffer_rgba())[..., :3] / 255
    differs = np.abs(laid - whole).max(axis=-1) > 2 / 255
    assert differs.mean() < 0.002, f"{differs.sum()} pixels differ from a full draw"


def best_redraw_time(update, repeats=7):
    """The least CPU time of a few redraws (seconds of this process, not of the wall clock: the
    time other jobs take from a busy machine is not counted). ``update(k)`` is move k = 0, 1, …:
    each move a new setting, so its runs are computed, not kept from the move before."""
    update(0)  # the first render also lays the figure out
    times = []
    for k in range(1, repeats + 1):
        began = time.process_time()
        layers = update(k)
        times.append(time.process_time() - began)
        assert all(layer.startswith(b"\x89PNG") for layer in layers)
    return min(times)


def test_a_move_of_the_steps_slider_goes_on_with_the_runs_it_has():
    optimizers = {"GD": (SGD, {"lr": 0.1}), "Adam": (Adam, {"lr": 0.1})}
    explorer = surface_paths.SurfaceExplorer(ravine(), optimizers)
    runs = list(optimizers.values())
    for steps in (40, 60, 25, 60):
        np.testing.assert_array_equal(explorer.paths((-1.5, 1.5), steps),
                                      runners.run_together(ravine().gradient, (-1.5, 1.5), runs,
                                                           steps))
    np.testing.assert_array_equal(explorer.paths((-1.5, 1.5), 30, lr_scale=0.5),
                                  runners.run_together(ravine().gradient, (-1.5, 1.5),
                                                       [(SGD, {"lr": 0.05}), (Adam, {"lr": 0.05})],
                                                       30))
    with pytest.raises(ValueError, match="non-negative integer"):
        explorer.paths((-1.5, 1.5), -1)


def test_the_runs_of_recent_settings_are_kept_and_not_run_again(monkeypatch):
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1})})
    first = explorer.paths((-1.5, 1.5), 50)
    explorer.paths((-1.5, 1.5), 50, lr_scale=0.5)
    started = []
    monkeypatch.setattr(surface_paths, "steps_together",
                        lambda *args: started.append(args) or runners.steps_together(*args))
    np.testing.assert_array_equal(explorer.paths((-1.5, 1.5), 50), first)
    assert started == []
    for scale in np.linspace(0.1, 0.9, surface_paths.KEPT_RUNS):   # pushes the first one out
        explorer.paths((-1.5, 1.5), 5, lr_scale=scale)
    np.testing.assert_array_equal(explorer.paths((-1.5, 1.5), 50), first)
    assert len(started) == surface_paths.KEPT_RUNS + 1


def test_an_error_in_a_run_is_raised_again_on_the_next_move():
    class Broken:
        """A bowl whose gradient has the wrong shape: every run must fail the same way."""
        def value(self, theta):
            return np.sum(np.square(theta), axis=-1)

        def gradient(self, theta):
            return np.zeros((len(theta), 1))

    explorer = surface_paths.SurfaceExplorer(Broken(), {"GD": (SGD, {"lr": 0.1})}, (-1, 1), (-1, 1))
    for _ in range(2):
        with pytest.raises(ValueError, match="gradient must map points"):
            explorer.paths((0.5, 0.5), 10)


def test_a_redraw_erases_the_previous_paths():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1}), "Adam": Adam})
    first = explorer.update((-1.5, 1.5), 30)
    other = explorer.update((1.0, -1.0), 80, lr_scale=0.5)
    assert other != first
    assert explorer.update((-1.5, 1.5), 30) == first   # nothing of the other run is left
    explorer.view.ax_path.set_xlim(-3, 3)              # a new window: the background is redrawn
    assert explorer.update((-1.5, 1.5), 30) != first


def test_learning_rate_explorer_redraws_200_steps_within_budget():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"SGD": (SGD, {"lr": 0.15})},
                                             (-2, 2), (-2, 2), minimum=(0, 0))
    seconds = best_redraw_time(lambda k: explorer.update((-1.5, 1.5), 200,
                                                          lr_scale=0.9 * 1.001**k))
    print(f"learning-rate explorer, 200 steps: {1000 * seconds:.1f} ms")
    assert seconds < REDRAW_BUDGET


def test_race_of_three_optimizers_redraws_200_steps_within_budget():
    optimizers = {"GD": (SGD, {"lr": 0.1}), "Momentum": (SGD, {"lr": 0.05, "momentum": 0.9}),
                  "Adam": (Adam, {"lr": 0.1})}
    explorer = surface_paths.SurfaceExplorer(ravine(), optimizers, (-2, 2), (-2, 2), minimum=(0, 0))
    seconds = best_redraw_time(lambda k: explorer.update((-1.5, 1.5), 200, 1.001**k))
    print(f"race of three, 200 steps each: {1000 * seconds:.1f} ms")
    assert seconds < REDRAW_BUDGET


def test_minibatch_explorer_redraws_200_steps_within_budget():
    explorer = minibatch.MinibatchExplorer(line_problem(n=50), SGD, label="SGD")
    seconds = best_redraw_time(lambda k: explorer.update(batch_size=1, lr=0.1 * 1.001**k,
                                                          epochs=4))
    print(f"mini-batch explorer, 200 steps: {1000 * seconds:.1f} ms")
    assert len(explorer.view.paths[0].get_xdata()) == 201
    assert seconds < REDRAW_BUDGET


def test_least_squares_line_gradient_is_the_mean_of_per_example_gradients():
    problem = line_problem()
    theta = np.array([0.3, -0.2])
    per_example = [problem.gradient(theta, problem.x[i:i + 1], problem.y[i:i + 1])
                   for i in range(problem.n)]
    np.testing.assert_allclose(np.mean(per_example, axis=0), problem.gradient(theta))
    np.testing.assert_allclose(problem.gradient(problem.minimum), 0, atol=1e-12)


def test_minibatch_run_with_the_full_batch_is_gradient_descent():
    problem = line_problem()
    path = runners.run_minibatch(problem, (0.0, 0.0), SGD, problem.n, epochs=5, lr=0.5)
    expected = runners.run_optimizer(problem.gradient, (0.0, 0.0), SGD, 5, lr=0.5)
    np.testing.assert_allclose(path, expected, rtol=1e-12)


def test_minibatch_run_takes_one_step_per_batch_and_reshuffles():
    problem = line_problem(n=10)
    path = runners.run_minibatch(problem, (0.0, 0.0), SGD, 3, epochs=2, lr=0.1)
    assert path.shape == (1 + 2 * 4, 2)
    with pytest.raises(ValueError, match="batch_size"):
        runners.run_minibatch(problem, (0.0, 0.0), SGD, 11, epochs=1, lr=0.1)


def test_slider_change_redraws_the_image():
    box = explorers.explore_learning_rate(ravine(), SGD, lr=0.05, steps=30, minimum=(0, 0))
    controls = [child for row in box.children[:-2] for child in row.children]
    image = box.children[-2].children[1]   # the overlay, over the background
    before = image.value
    lr_slider = next(c for c in controls if c.description.startswith("learning rate"))
    lr_slider.value = 0.15
    assert image.value != before
    assert "redrawn in" in box.children[-1].value


def test_race_and_minibatch_widgets_build_and_respond():
    box = explorers.race(ravine(), {"GD": (SGD, {"lr": 0.1}), "Adam": (Adam, {"lr": 0.1})},
                       minimum=(0, 0))
    steps = next(c for row in box.children[:-2] for c in row.children
                 if c.description == "steps T")
    before = box.children[-2].children[1].value
    steps.value = 10
    assert box.children[-2].children[1].value != before
    box = explorers.explore_minibatch(line_problem(n=32), SGD, lr=0.1, batch_size=4)
    size = next(c for row in box.children[:-2] for c in row.children
                if c.description == "batch size B")
    before = box.children[-2].children[1].value
    size.value = 32
    assert box.children[-2].children[1].value != before


def test_race_rejects_malformed_optimizer_entries():
    with pytest.raises(TypeError, match="optimizers"):
        explorers.race(ravine(), {"GD": (SGD, 0.1)})
    with pytest.raises(ValueError, match="at least one"):
        explorers.race(ravine(), {})


def test_the_window_and_the_stars_come_from_the_surface():
    himmelblau = surfaces.Himmelblau()
    explorer = surface_paths.SurfaceExplorer(himmelblau, {"Adam": (Adam, {"lr": 0.1})})
    assert explorer.view.ax_path.get_xlim() == himmelblau.bounds[0]
    stars = [line for line in explorer.view.ax_path.lines
             if line.get_label().startswith("minimum")]
    assert len(stars[0].get_xdata()) == 4
    explorer.update((0.0, 0.0), 150)
    assert explorer.view.ax_loss.get_ylabel() == r"$J(\theta_t) - J(\theta^*)$"


def test_rosenbrock_race_redraws_within_budget():
    optimizers = {"GD": (SGD, {"lr": 1e-3}), "Momentum": (SGD, {"lr": 1e-3, "momentum": 0.9}),
                  "Adam": (Adam, {"lr": 0.05})}
    explorer = surface_paths.SurfaceExplorer(surfaces.Rosenbrock(), optimizers)
    seconds = best_redraw_time(lambda k: explorer.update((-1.5, 2.0), 200, 1.001**k))
    print(f"race on Rosenbrock, three optimizers × 200 steps: {1000 * seconds:.1f} ms")
    assert seconds < REDRAW_BUDGET


def test_a_menu_of_surfaces_moves_the_start_into_the_chosen_window_and_redraws_once():
    choices = {"ravine": ravine(), "Himmelblau": surfaces.Himmelblau()}
    box = explorers.race(choices, {"GD": (SGD, {"lr": 0.01}), "Adam": (Adam, {"lr": 0.1})})
    controls = {c.description: c for row in box.children[:-2] for c in row.children}
    image = box.children[-2].children[1]
    draws = []
    image.observe(draws.append, names="value")
    controls["surface"].value = "Himmelblau"
    (x0, x1), (y0, y1) = surfaces.Himmelblau().bounds
    assert (controls["start θ₁"].min, controls["start θ₁"].max) == (x0, x1)
    assert (controls["start θ₂"].min, controls["start θ₂"].max) == (y0, y1)
    assert x0 <= controls["start θ₁"].value <= x1 and y0 <= controls["start θ₂"].value <= y1
    assert len(draws) == 1


def test_explore_learning_rate_keeps_a_start_inside_the_window():
    box = explorers.explore_learning_rate(surfaces.Rosenbrock(), SGD, lr=1e-3, start=(-1.2, 1.0))
    controls = {c.description: c for row in box.children[:-2] for c in row.children}
    assert (controls["start θ₁"].value, controls["start θ₂"].value) == (-1.2, 1.0)
    assert "surface" not in controls


def test_an_optimizer_given_without_hyperparameters_runs_at_its_default_rate_times_the_factor():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"Adam": Adam})
    explorer.update((1.0, 1.0), 5, lr_scale=10.0)
    expected = runners.run_optimizer(ravine().gradient, (1.0, 1.0), Adam, 5, lr=1e-2)
    np.testing.assert_allclose(explorer.view.paths[0].get_xydata(), expected)


def test_a_race_with_diverging_runs_redraws_within_budget():
    optimizers = {"GD": (SGD, {"lr": 0.21}), "Momentum": (SGD, {"lr": 0.1, "momentum": 0.9}),
                  "Adam": (Adam, {"lr": 0.1})}
    explorer = surface_paths.SurfaceExplorer(ravine(), optimizers, (-2, 2), (-2, 2), minimum=(0, 0))
    seconds = best_redraw_time(lambda k: explorer.update((-1.5, 1.5), 200, 1.001**k))
    print(f"race with a diverging run, 200 steps each: {1000 * seconds:.1f} ms")
    assert "GD diverged" in explorer.view.note.get_text()
    assert seconds < REDRAW_BUDGET


def test_axis_limits_change_only_every_few_slider_steps():
    from course_lib.explorers.canvas import decade_limits, nice_limit

    assert [nice_limit(t) for t in (1, 60, 61, 199, 200, 201)] == [1, 60, 80, 200, 200, 250]
    assert decade_limits(3e-5, 2.0) == (1e-5, 10.0)
    assert decade_limits(3e-4, 2.0, current=(1e-5, 10.0)) == (1e-5, 10.0)     # still fits
    assert decade_limits(3e-8, 2.0, current=(1e-5, 10.0)) == (1e-8, 10.0)     # does not fit
    assert decade_limits(0.5, 2.0, current=(1e-9, 10.0)) == (0.1, 10.0)       # far too wide


def test_a_slider_move_keeps_the_background_and_draws_only_what_moved():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.1}), "Adam": Adam},
                                             (-2, 2), (-2, 2), minimum=(0, 0))
    explorer.update((-1.5, 1.5), 60)
    kept = dict(explorer.view._backgrounds)
    for start in ((-1.4, 1.5), (-1.3, 1.5), (-1.2, 1.4)):     # small moves of θ₀
        explorer.update(start, 60)
    assert list(explorer.view._backgrounds) == list(kept)
    assert all(explorer.view._backgrounds[k] is v for k, v in kept.items())


def test_minibatch_explorer_offers_enough_epochs_for_a_small_step():
    # η = 0.05 on 128 points needs far more than 3 epochs to reach θ* and show its cloud
    box = explorers.explore_minibatch(line_problem(n=128), SGD, lr=0.05, batch_size=1)
    epochs = next(c for row in box.children[:-2] for c in row.children if c.description == "epochs")
    assert epochs.max == 30


def test_nesterov_is_dashed_so_it_shows_over_another_path():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.01}),
                                                  "Nesterov": (SGD, {"lr": 0.01, "momentum": 0.9,
                                                                     "nesterov": True})})
    styles = [line.get_linestyle() for line in explorer.view.paths]
    assert styles == ["-", "--"]


def test_lesson_0_explorer_runs_gradient_descent_on_the_parabola_and_follows_its_slider():
    import ipywidgets as widgets

    from course_lib.explorers import parabola

    explorer = parabola.ParabolaDescent(steps=10, theta0=3.0)
    explorer.update(0.2)
    np.testing.assert_allclose(explorer.path.get_xdata(), 3.0 * 0.6 ** np.arange(11), rtol=1e-13)
    np.testing.assert_allclose(explorer.path.get_ydata(), explorer.path.get_xdata() ** 2)
    assert explorer.ax.get_title() == r"10 steps of gradient descent, $\eta$ = 0.2"
    slider = widgets.FloatSlider(value=0.2, min=0.02, max=1.1, step=0.02)
    box = explorers.explore_parabola(slider)
    overlay = box.children[-2].children[1]
    before = overlay.value
    slider.value = 0.5
    assert overlay.value != before
    seconds = best_redraw_time(lambda k: explorer.update(0.75 + 0.01 * k))
    assert seconds < REDRAW_BUDGET


def test_a_changed_legend_keeps_the_background_and_the_steps_axis_does_not_jump():
    explorer = surface_paths.SurfaceExplorer(ravine(), {"GD": (SGD, {"lr": 0.25})},
                                             (-2, 2), (-2, 2))
    first = explorer.update((1.0, 1.0), 60)
    legend = legend_texts(explorer.view.ax_path)
    other = explorer.update((1.0, 1.0), 60, lr_scale=1.5)   # diverges at another step
    assert "GD: diverged at step" in legend[-1] and legend_texts(explorer.view.ax_path) != legend
    assert other.background == first.background and other.overlay != first.overlay
    explorer.update((1.0, 1.0), 61)
    assert explorer.view.ax_loss.get_xlim()[1] == 80   # 61 steps: the axis grew once, to 80 …
    explorer.update((1.0, 1.0), 60)
    assert explorer.view.ax_loss.get_xlim()[1] == 80   # … and stays while the curves fill half
    explorer.update((1.0, 1.0), 30)
    assert explorer.view.ax_loss.get_xlim()[1] == 30


def race_arenas():
    every = {"GD": 0.01, "Momentum": 0.01, "Adam": 0.05, "AdamW": 0.05}
    return {"ravine": (ravine(), (-5.0, 1.0), every, ((-6, 6), (-1.5, 1.5))),
            "Himmelblau": (surfaces.Himmelblau(), (0.0, 0.0), {**every, "GD": 0.02}, None)}


def test_the_race_picker_races_the_picked_optimizers_of_the_course_on_the_picked_surface():
    box = explorers.race_picker(race_arenas(), ["GD", "Momentum", "Adam", "AdamW"],
                                chosen=("GD", "Adam"))
    menu, picker = box.children[0].children
    shown = box.children[1]
    assert picker.rows == len(picker.options) == 4

    def listed():
        return shown.children[-1].value

    assert listed() == "Learning rates at factor 1: GD 0.01, Adam 0.05"
    picker.value = ("Momentum", "AdamW")
    assert listed() == "Learning rates at factor 1: Momentum 0.01, AdamW 0.05"
    menu.value = "Himmelblau"
    picker.value = ("GD",)
    assert listed() == "Learning rates at factor 1: GD 0.02"
    picker.value = ()                                    # none picked: the first of `chosen`
    assert listed() == "Learning rates at factor 1: GD 0.02"


def test_the_race_picker_names_what_is_missing():
    with pytest.raises(ValueError, match="optimizers of the course"):
        explorers.race_picker(race_arenas(), ["GD", "Adamm"], chosen=("GD",))
    with pytest.raises(ValueError, match="chosen"):
        explorers.race_picker(race_arenas(), ["GD", "Adam"], chosen=("Momentum",))
    with pytest.raises(ValueError, match="no η for \\['RMSprop'\\]"):
        explorers.race_picker(race_arenas(), ["GD", "RMSprop"], chosen=("GD",))
