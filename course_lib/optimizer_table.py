"""The course's optimizers in one table: name, class, hyperparameters, colour, memory.

Every lesson, figure and experiment that names an optimizer looks it up here, so "Adam" is
the same class with the same settings and the same colour everywhere::

    OPTIMIZERS["Momentum"].build(model.parameters(), lr=0.1)   # optim.SGD(…, momentum=0.9)
    OPTIMIZERS["Adam"].color                                   # "#332288" in every figure
    OPTIMIZERS["Adam"].state_floats                            # 2: m and v, per parameter

The hyperparameters of a row are those that make the optimizer what it is (momentum
μ = 0.9 for Momentum and Nesterov, weight decay λ = 0.01 for AdamW); every other one keeps
torch.optim's default, and η is given per run.

**Memory.** Besides θ and g, every optimizer keeps state per parameter: nothing for plain
SGD, a velocity v for momentum, a sum G or an average v of g² for Adagrad and RMSprop, the
moments m and v for Adam (and the running maximum of v for AMSGrad), … . For a model with
n parameters that is 0, n or 2n extra floats (``state_floats`` · n; 3n for AMSGrad);
Newton's method would keep the n×n Hessian, n² floats — the reason it is rare at scale.
``state_size`` counts what a class actually keeps, so the table's column is checked against
the code; ``readable_bytes`` writes a number of bytes as "2.6 PB".

Colours: Paul Tol's colour-blind-safe "muted" palette, black for plain (stochastic)
gradient descent and the orange of Tol's "vibrant" palette for RAdam. Plain gradient
descent, "GD", is SGD on the whole data set: the same optimizer, drawn in SGD's colour.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from course_lib import optim
from course_lib.parameter import Parameter


@dataclass(frozen=True)
class CourseOptimizer:
    """One row of the table: an optimizer as the lessons name, build and draw it."""

    name: str
    cls: type
    hyperparameters: dict = field(default_factory=dict)
    """Those that make the optimizer what it is; η (``lr``) is given per run."""
    color: str = "#000000"
    state_floats: int = 0
    """Floats of state kept per parameter, besides θ and g (arrays shaped like θ)."""
    lesson: int = 2
    """The lesson that introduces it."""

    def build(self, params, lr, **hyperparameters):
        """``cls(params, lr=lr, **self.hyperparameters)``, ``hyperparameters`` overriding."""
        return self.cls(params, lr=lr, **{**self.hyperparameters, **hyperparameters})


OPTIMIZERS = {row.name: row for row in [
    CourseOptimizer("SGD", optim.SGD, {}, "#000000", 0, lesson=2),
    CourseOptimizer("Momentum", optim.SGD, {"momentum": 0.9}, "#CC6677", 1, lesson=3),
    CourseOptimizer("Nesterov", optim.SGD, {"momentum": 0.9, "nesterov": True}, "#882255", 1,
                    lesson=3),
    CourseOptimizer("Adagrad", optim.Adagrad, {}, "#117733", 1, lesson=4),
    CourseOptimizer("RMSprop", optim.RMSprop, {}, "#44AA99", 1, lesson=4),
    CourseOptimizer("Adadelta", optim.Adadelta, {}, "#999933", 2, lesson=4),
    CourseOptimizer("Adam", optim.Adam, {}, "#332288", 2, lesson=4),
    CourseOptimizer("AdamW", optim.AdamW, {"weight_decay": 1e-2}, "#88CCEE", 2, lesson=4),
    CourseOptimizer("Adamax", optim.Adamax, {}, "#DDCC77", 2, lesson=4),
    CourseOptimizer("NAdam", optim.NAdam, {}, "#AA4499", 2, lesson=4),
    CourseOptimizer("RAdam", optim.RAdam, {}, "#EE7733", 2, lesson=4),
]}
"""The optimizers of the course, in the order the lessons meet them (lessons 2–4)."""

OPTIMIZER_COLORS = {"GD": OPTIMIZERS["SGD"].color,
                    **{name: row.color for name, row in OPTIMIZERS.items()}}
"""One fixed colour per optimizer name, the same in every lesson (lesson 1: "GD")."""

BYTE_UNITS = [("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3), ("B", 1)]


def state_size(optimizer_class, n, **hyperparameters):
    """Floats in the arrays ``optimizer_class`` keeps for n parameters, after one step (lesson 6).

    Only arrays shaped like θ count; scalars such as the step counter t do not.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    theta = Parameter(np.zeros(n))
    optimizer = optimizer_class([theta], **{"lr": 0.1, **hyperparameters})
    theta.grad = np.ones(n)
    optimizer.step()
    return int(sum(np.size(value) for value in optimizer.state[theta].values()
                   if np.shape(value) == (n,)))


def readable_bytes(n_bytes):
    """A number of bytes as people read it, in decimal units: 2.6e15 is "2.6 PB".

    Introduced in lesson 6 (the memory of a gradient, n floats, against a Hessian's n²).
    """
    if isinstance(n_bytes, bool) or not isinstance(n_bytes, (int, float, np.integer, np.floating)) \
            or not n_bytes >= 0 or not math.isfinite(n_bytes):   # math: ints beyond 64 bits too
        raise ValueError(f"n_bytes must be a finite number >= 0, got {n_bytes!r}")
    unit, size = next(((u, s) for u, s in BYTE_UNITS if n_bytes >= s), BYTE_UNITS[-1])
    return f"{n_bytes / size:,.1f} {unit}"
