"""course_lib.surfaces: values, exact gradients (checked by central differences), minima."""

import numpy as np
import pytest

from course_lib import surfaces
from course_lib.surfaces import Beale, Himmelblau, Parabola, Quadratic, Ravine, Rosenbrock, Saddle

SURFACES = {
    "quadratic": Quadratic([0.01, 0.1, 1.0]),
    "rotated quadratic": Quadratic([0.5, 4.0], rotation=0.6),
    "ravine": Ravine(100),
    "saddle": Saddle(),
    "rosenbrock": Rosenbrock(),
    "beale": Beale(),
    "himmelblau": Himmelblau(),
}


def random_points(surface, count, seed=0):
    rng = np.random.default_rng(seed)
    low, high = np.array(surface.bounds).T
    return low + (high - low) * rng.random((count, surface.dim))


def central_differences(f, theta, h=1e-6):
    """(f(θ + h eᵢ) − f(θ − h eᵢ)) / 2h for every coordinate i, at every point."""
    steps = h * np.eye(theta.shape[-1])
    return np.stack([(f(theta + e) - f(theta - e)) / (2 * h) for e in steps], axis=-1)


@pytest.mark.parametrize("name", SURFACES)
def test_gradient_matches_central_differences(name):
    surface = SURFACES[name]
    theta = random_points(surface, 50)
    exact, numeric = surface.gradient(theta), central_differences(surface.value, theta)
    scale = np.maximum(1.0, np.abs(exact))
    assert np.max(np.abs(exact - numeric) / scale) < 1e-5


@pytest.mark.parametrize("name", SURFACES)
def test_points_batches_and_grids_agree(name):
    surface = SURFACES[name]
    points = random_points(surface, 12).reshape(3, 4, surface.dim)
    values, gradients = surface.value(points), surface.gradient(points)
    assert values.shape == (3, 4) and gradients.shape == points.shape
    assert surface.value(points[1, 2]) == pytest.approx(values[1, 2], rel=1e-12)
    np.testing.assert_allclose(surface.gradient(points[1, 2]), gradients[1, 2], rtol=1e-12)
    assert np.ndim(surface.value(points[0, 0])) == 0


def test_contour_grid_from_meshgrid():
    surface = Rosenbrock()
    (x0, x1), (y0, y1) = surface.bounds
    T1, T2 = np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 20))
    Z = surface.value(np.stack([T1, T2], axis=-1))
    assert Z.shape == (20, 30)
    assert Z[5, 7] == pytest.approx((1 - T1[5, 7]) ** 2 + 100 * (T2[5, 7] - T1[5, 7] ** 2) ** 2)


@pytest.mark.parametrize("name", [n for n in SURFACES if n != "saddle"])
def test_minima_are_stationary_with_zero_loss(name):
    surface = SURFACES[name]
    assert len(surface.minima) >= 1
    np.testing.assert_allclose(surface.value(surface.minima), 0.0, atol=1e-20)
    np.testing.assert_allclose(surface.gradient(surface.minima), 0.0, atol=1e-12)
    for minimum in surface.minima:
        assert all(low < x < high for x, (low, high) in zip(minimum, surface.bounds))


def test_himmelblau_has_four_distinct_minima_where_the_hessian_is_positive_definite():
    surface = Himmelblau()
    assert len({tuple(np.round(m, 3)) for m in surface.minima}) == 4
    for minimum in surface.minima:
        hessian = central_differences(surface.gradient, minimum[None, :], h=1e-5)[0]
        assert np.all(np.linalg.eigvalsh((hessian + hessian.T) / 2) > 0)


def test_known_values():
    assert Beale().value([0.0, 0.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert Rosenbrock().value([0.0, 0.0]) == 1.0
    assert Himmelblau().value([0.0, 0.0]) == 11**2 + 7**2
    assert Saddle().value([1.0, 2.0]) == pytest.approx(1.0 - 4.0)
    assert Ravine(50).value([2.0, 1.0]) == pytest.approx(0.5 * (4.0 + 50.0))


def test_parabola_is_theta_squared():
    J = Parabola()
    assert J.value(3.0) == 9.0 and J.gradient(3.0) == 6.0
    np.testing.assert_array_equal(J.gradient(np.array([3.0])), [6.0])   # a Parameter's shape
    grid = np.linspace(*J.bounds[0], 7)
    np.testing.assert_array_equal(J.value(grid), grid**2)
    h = 1e-6
    np.testing.assert_allclose(J.gradient(grid), (J.value(grid + h) - J.value(grid - h)) / (2 * h),
                               atol=1e-6)
    assert J.hessian[0, 0] == 2.0 and J.minima[0, 0] == 0.0
    assert Parabola(L=4).value(1.0) == 2.0


def test_quadratic_curvature_and_condition_number():
    q = Quadratic([0.01, 0.1, 1.0])
    assert (q.L, q.mu) == (1.0, 0.01)
    assert q.condition_number == pytest.approx(100.0)
    np.testing.assert_array_equal(q.hessian, np.diag([0.01, 0.1, 1.0]))
    theta = np.array([1.0, -2.0, 3.0])
    assert q.value(theta) == pytest.approx(0.5 * (0.01 + 0.4 + 9.0))
    assert Ravine(100).condition_number == 100
    assert Saddle().condition_number == np.inf and Saddle().minima.shape == (0, 2)


@pytest.mark.parametrize("rotation", [0.6, np.linalg.qr(np.arange(9.0).reshape(3, 3) ** 2)[0]])
def test_rotated_quadratic_keeps_its_eigenvalues(rotation):
    eigenvalues = [0.5, 4.0] if np.ndim(rotation) == 0 else [0.5, 4.0, 9.0]
    q = Quadratic(eigenvalues, rotation=rotation)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), eigenvalues)
    theta = random_points(q, 20, seed=3)
    np.testing.assert_allclose(q.gradient(theta), theta @ q.hessian.T)      # ∇J = Hθ
    hessian = central_differences(q.gradient, theta[:1], h=1e-4)[0]
    np.testing.assert_allclose(hessian, q.hessian, atol=1e-8)
    assert not np.allclose(q.hessian, np.diag(np.diag(q.hessian)))


@pytest.mark.parametrize("make, message", [
    (lambda: Rosenbrock().value([1.0, 2.0, 3.0]),
     ("Rosenbrock: θ must have shape (2,) for one point or (..., 2) for a batch or grid of "
      "points, got shape (3,)")),
    (lambda: Quadratic([1.0, 2.0, 3.0]).gradient(np.zeros((4, 2))),
     "must have shape (3,) for one point or (..., 3)"),
    (lambda: Quadratic([]), "Invalid eigenvalues=[]: must be a non-empty list of finite numbers"),
    (lambda: Quadratic([1.0, 2.0, 3.0], rotation=0.3),
     "Invalid rotation=0.3: an angle turns a 2-D quadratic"),
    (lambda: Quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]]),
     "Invalid rotation: must be an orthogonal 2×2 matrix"),
    (lambda: Ravine(0.5), "Invalid condition_number=0.5: must be >= 1"),
    (lambda: Parabola(L=-1), "Invalid curvature L=-1: must be a number > 0"),
])
def test_bad_input_is_explained(make, message):
    with pytest.raises(ValueError) as error:
        make()
    assert message in str(error.value)


def test_every_surface_is_listed_in_the_module_docstring():
    for cls in (Parabola, Quadratic, Ravine, Saddle, Rosenbrock, Beale, Himmelblau):
        assert f"``{cls.__name__}(" in surfaces.__doc__


def test_least_squares_line_values_in_blocks_equal_the_formula_at_once():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=512)
    line = surfaces.LeastSquaresLine(x, 5 * x + 1 + rng.normal(size=512))
    theta = rng.normal(size=(5000, 3, 2))                     # more points than one block
    at_once = 0.5 * np.mean((theta[..., :1] * line.x + theta[..., 1:] - line.y) ** 2, axis=-1)
    np.testing.assert_array_equal(line.value(theta), at_once)
    assert line.value(theta[0, 0]).shape == ()
