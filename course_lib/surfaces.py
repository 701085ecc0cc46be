"""Test surfaces J(θ) for the lessons: each with its value, exact gradient, minima and plot range.

Points carry their coordinates on the *last* axis: ``value`` takes θ of shape
(n,) for one point, or (..., n) for a batch or a grid — for a contour plot,
``surface.value(np.stack([T1, T2], axis=-1))`` with ``T1, T2 = np.meshgrid(...)`` —
and returns shape (...); ``gradient`` returns ∇J(θ) with the shape of θ.
(``Parabola`` is 1-D and works element by element on θ of any shape.)

Every surface has ``name``, ``bounds`` (a (low, high) range per coordinate,
a good plotting window), and ``minima`` (an array of shape (k, n), every global
or local minimum; empty for the saddle). The quadratics also have their
``hessian`` ∇²J, eigenvalues, L, μ and κ = L/μ.

==========================  ===================================================
``Parabola(L=2)``           J(θ) = ½ L θ² (θ² by default), 1-D
``Quadratic(λ, rotation)``  J(θ) = ½ θᵀ H θ, H = Q diag(λ) Qᵀ, any dimension
``Ravine(κ)``               2-D quadratic with curvatures 1 and κ: the zig-zag valley
``Saddle()``                J(θ) = θ₁² − θ₂²
``Rosenbrock(a, b)``        (a − θ₁)² + b (θ₂ − θ₁²)²: the curved banana valley
``Beale()``                 three squared residuals: flat plateaus, steep walls
``Himmelblau()``            (θ₁² + θ₂ − 11)² + (θ₁ + θ₂² − 7)²: four minima
``LeastSquaresLine(x, y)``  1/(2n) Σᵢ (θ₁xᵢ + θ₂ − yᵢ)²: fitting a line to data,
                            with the mini-batch gradient of lesson 2
==========================  ===================================================
"""

import math
import numbers

import numpy as np


class Surface:
    """Base class: ``value(θ)``, ``gradient(θ)``, ``name``, ``bounds``, ``minima``, ``dim``.

    The base of every test surface (lesson 0 meets the first, the parabola).
    """

    name = "surface"
    dim = 2

    def value(self, theta):
        """J(θ) at each point: shape (...) for θ of shape (..., n)."""
        return self._value(self._points(theta))

    def gradient(self, theta):
        """∇J(θ) at each point, with the shape of θ."""
        return self._gradient(self._points(theta))

    def _points(self, theta):
        theta = np.asarray(theta, dtype=float)
        if theta.ndim == 0 or theta.shape[-1] != self.dim:
            raise ValueError(
                f"{self.name}: θ must have shape ({self.dim},) for one point or "
                f"(..., {self.dim}) for a batch or grid of points, got shape {theta.shape}"
            )
        return theta

    def __repr__(self):
        return f"<{type(self).__name__}: {self.name}>"


class Parabola:
    """J(θ) = ½ L θ² in one dimension; with the default L = 2 this is J(θ) = θ².

    Element by element: θ may be a number or an array of any shape (a Parameter
    of shape (1,), or a grid of θ values to plot J). ∇J(θ) = L θ, the curvature
    (the 1×1 Hessian) is L, so gradient descent is stable exactly for η < 2/L.

    Introduced in lesson 0.
    """

    dim = 1

    def __init__(self, L=2.0):
        if isinstance(L, bool) or not isinstance(L, numbers.Real) or not L > 0:
            raise ValueError(f"Invalid curvature L={L!r}: must be a number > 0")
        self.L = float(L)
        self.name = "J(θ) = θ²" if self.L == 2 else f"J(θ) = ½·{self.L:g}·θ²"
        self.hessian = np.array([[self.L]])
        self.bounds = ((-3.5, 3.5),)
        self.minima = np.zeros((1, 1))

    def value(self, theta):
        return 0.5 * self.L * np.square(np.asarray(theta, dtype=float))

    def gradient(self, theta):
        return self.L * np.asarray(theta, dtype=float)

    def __repr__(self):
        return f"<Parabola: {self.name}>"


class Quadratic(Surface):
    """J(θ) = ½ θᵀ H θ with H = Q diag(λ₁, …, λₙ) Qᵀ: you choose the curvatures λᵢ.

    With ``rotation=None`` the axes are the eigenvectors, J(θ) = ½ Σ λᵢ θᵢ²;
    ``rotation`` turns the bowl: an angle in radians (2-D) or an orthogonal
    n×n matrix Q. ∇J(θ) = H θ. ``L`` = λ_max and ``mu`` = λ_min are the largest
    and smallest curvatures, κ = L/μ the ``condition_number`` (∞ unless all λᵢ > 0);
    gradient descent converges for η < 2/L. ``bounds`` defaults to [−2, 2] per coordinate.

    Introduced in lesson 1.
    """

    def __init__(self, eigenvalues, rotation=None, bounds=None, name=None):
        lam = np.asarray(eigenvalues, dtype=float)
        if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
            raise ValueError(f"Invalid eigenvalues={eigenvalues!r}: must be a non-empty "
                             "list of finite numbers, one curvature per coordinate")
        self.dim = lam.size
        self.eigenvalues = lam
        self.rotation = self._rotation_matrix(rotation, self.dim)
        self.hessian = (self.rotation * lam) @ self.rotation.T
        self.L, self.mu = float(lam.max()), float(lam.min())
        self.bounds = tuple(bounds) if bounds is not None else ((-2.0, 2.0),) * self.dim
        self.minima = np.zeros((1, self.dim)) if self.mu > 0 else np.zeros((0, self.dim))
        self.name = name or f"quadratic, λ = {', '.join(f'{v:g}' for v in lam)}"

    @property
    def condition_number(self):
        """κ = L/μ (∞ when some curvature is ≤ 0: then there is no minimum to converge to)."""
        return self.L / self.mu if self.mu > 0 else math.inf

    @staticmethod
    def _rotation_matrix(rotation, n):
        if rotation is None:
            return np.eye(n)
        if np.ndim(rotation) == 0:
            if n != 2:
                raise ValueError(f"Invalid rotation={rotation!r}: an angle turns a 2-D "
                                 f"quadratic; for {n} dimensions give an orthogonal matrix")
            c, s = math.cos(rotation), math.sin(rotation)
            return np.array([[c, -s], [s, c]])
        Q = np.asarray(rotation, dtype=float)
        if Q.shape != (n, n) or not np.allclose(Q.T @ Q, np.eye(n), atol=1e-10):
            raise ValueError(f"Invalid rotation: must be an orthogonal {n}×{n} matrix "
                             f"(QᵀQ = I), got shape {Q.shape}")
        return Q

    def _value(self, theta):
        return 0.5 * np.einsum("...i,ij,...j->...", theta, self.hessian, theta)

    def _gradient(self, theta):
        return theta @ self.hessian          # H is symmetric: (Hθ)ᵀ = θᵀH


class Ravine(Quadratic):
    """An ill-conditioned 2-D valley: J(θ) = ½ (θ₁² + κ θ₂²), curvatures 1 and κ.

    Steep across (θ₂), nearly flat along (θ₁): gradient descent with η close to
    its limit 2/κ zig-zags across the valley and crawls along it; its best rate,
    at η = 2/(κ + 1), is (κ − 1)/(κ + 1).

    Introduced in lesson 3.
    """

    def __init__(self, condition_number=25.0, rotation=None):
        if (isinstance(condition_number, bool) or not isinstance(condition_number, numbers.Real)
                or not condition_number >= 1):
            raise ValueError(f"Invalid condition_number={condition_number!r}: must be >= 1")
        super().__init__([1.0, condition_number], rotation=rotation,
                         bounds=((-4.0, 4.0), (-4.0, 4.0)),
                         name=f"ravine, κ = {condition_number:g}")


class Saddle(Quadratic):
    """J(θ) = θ₁² − θ₂²: a minimum along θ₁, a maximum along θ₂, no minimum at all.

    The origin is a stationary point (∇J = 0) but not a minimum; started exactly
    on the θ₁ axis, gradient descent converges to it, while any noise in θ₂
    grows and lets the iterate escape. ``minima`` is empty; J is unbounded below.

    No lesson uses this class; lesson 2 writes its own saddle from scratch.
    """

    def __init__(self):
        super().__init__([2.0, -2.0], bounds=((-2.0, 2.0), (-2.0, 2.0)),
                         name="saddle J(θ) = θ₁² − θ₂²")
        self.saddle_points = np.zeros((1, 2))


class Rosenbrock(Surface):
    """J(θ) = (a − θ₁)² + b (θ₂ − θ₁²)², minimum J = 0 at θ* = (a, a²); default a = 1, b = 100.

    A narrow curved valley: easy to find, slow to follow to its end.

    Introduced in lesson 1.
    """

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)
        self.name = "Rosenbrock" if (a, b) == (1.0, 100.0) else f"Rosenbrock (a={a:g}, b={b:g})"
        self.minima = np.array([[self.a, self.a**2]])
        self.bounds = ((-2.0, 2.0), (-1.0, 3.0))

    def _value(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _gradient(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        valley = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley],
                        axis=-1)


class Beale(Surface):
    """J(θ) = Σᵢ (cᵢ − θ₁ + θ₁θ₂ⁱ)² for i = 1, 2, 3 and c = (1.5, 2.25, 2.625).

    Minimum J = 0 at θ* = (3, 0.5); flat plateaus and very steep walls.

    Introduced in lesson 4.
    """

    name = "Beale"
    C = (1.5, 2.25, 2.625)

    def __init__(self):
        self.minima = np.array([[3.0, 0.5]])
        self.bounds = ((-4.5, 4.5), (-4.5, 4.5))

    def _value(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return sum((c - x + x * y**i) ** 2 for i, c in enumerate(self.C, start=1))

    def _gradient(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        gx, gy = np.zeros_like(x), np.zeros_like(y)
        for i, c in enumerate(self.C, start=1):       # three residuals rᵢ, not a loop over elements
            r = c - x + x * y**i
            gx += 2 * r * (y**i - 1)                  # ∂rᵢ/∂θ₁ = θ₂ⁱ − 1
            gy += 2 * r * i * x * y ** (i - 1)        # ∂rᵢ/∂θ₂ = i θ₁ θ₂ⁱ⁻¹
        return np.stack([gx, gy], axis=-1)


class Himmelblau(Surface):
    """J(θ) = (θ₁² + θ₂ − 11)² + (θ₁ + θ₂² − 7)²: four minima, all with J = 0.

    Which one gradient descent finds depends on where it starts.

    Introduced in lesson 1.
    """

    name = "Himmelblau"

    def __init__(self):
        self.minima = np.array([[3.0, 2.0],
                                [-2.805118086952745, 3.131312518250573],
                                [-3.779310253377747, -3.283185991286170],
                                [3.584428340330492, -1.848126526964404]])
        self.bounds = ((-5.0, 5.0), (-5.0, 5.0))

    def _value(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def _gradient(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        r1, r2 = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * r1 + 2 * r2, 2 * r1 + 4 * y * r2], axis=-1)


POINTS_PER_BLOCK = 2048
"""How many points ``LeastSquaresLine.value`` evaluates at once."""


class LeastSquaresLine:
    """Fit y ≈ θ₁x + θ₂ to points (xᵢ, yᵢ): J(θ) = 1/(2n) Σᵢ (θ₁xᵢ + θ₂ − yᵢ)².

    A 2-D loss surface made of data, so the mini-batch gradient
    g_B(θ) = 1/B Σ_{i∈B} (θ₁xᵢ + θ₂ − yᵢ)·(xᵢ, 1) can be drawn over its contour.
    ``minimum`` is the least-squares solution θ*.

    Introduced in lesson 2.
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
        """J(θ) for points θ of shape (..., 2).

        The residuals of a point are n numbers, so the points are taken a block at a
        time (``POINTS_PER_BLOCK``·n numbers at once): a grid of 200 × 200 points or a
        run of 16 384 steps over 6 seeds does not hold all of its residuals in memory.
        """
        theta = np.asarray(theta, dtype=float)
        if theta.ndim == 0 or theta.shape[-1] != 2:
            raise ValueError(f"θ must have shape (2,) or (..., 2), got shape {theta.shape}")
        points = theta.reshape(-1, 2)
        values = np.empty(len(points))
        for first in range(0, len(points), POINTS_PER_BLOCK):
            block = points[first:first + POINTS_PER_BLOCK]
            residual = block[:, :1] * self.x + block[:, 1:] - self.y
            values[first:first + POINTS_PER_BLOCK] = 0.5 * np.mean(residual**2, axis=-1)
        return values.reshape(theta.shape[:-1])[()]   # a number for one point

    def gradient(self, theta, x=None, y=None):
        """g_B(θ) over the examples (x, y) of a mini-batch; over all n examples when omitted."""
        if x is None:
            x, y = self.x, self.y
        x, y = np.ravel(x), np.ravel(y)
        residual = theta[0] * x + theta[1] - y
        return np.array([np.mean(residual * x), np.mean(residual)])
