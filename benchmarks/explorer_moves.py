"""What a slider move costs the kernel in the explorers of lessons 3 and 4: ms of CPU per move.

Run from the repository root:

    .venv/bin/python benchmarks/explorer_moves.py

Ten moves are made as the browser test makes them (tests/browser/test_jupyterlab.py): each
slider in turn, one step, to the right three times, then back. The settings are the lessons'
own: lesson 3's explorer on Rosenbrock (GD, momentum and Nesterov, 300 steps), lesson 4's on
Beale (Adam and RMSprop, 300 steps) and lesson 4's race on Rosenbrock (five optimizers, 200
steps). Prints the median and the worst CPU time of the ten moves (CPU time of this process,
which a busy machine changes much less than wall time), and how the time splits into the
runs, the figure's update and its drawing.
"""

import os
import time
from collections import defaultdict

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from course_lib import surfaces  # noqa: E402
from course_lib.explorers import canvas, surface_paths  # noqa: E402
from course_lib.explorers.hyperparameters import HyperparameterExplorer  # noqa: E402
from course_lib.optim import SGD, Adam, RMSprop  # noqa: E402
from course_lib.optimizer_table import OPTIMIZERS  # noqa: E402

PARTS = defaultdict(list)


def timed(cls, name):
    """Record the CPU time of every call of ``cls.name`` in PARTS."""
    method = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        began = time.process_time()
        result = method(self, *args, **kwargs)
        PARTS[f"{cls.__name__}.{name}"].append(1000 * (time.process_time() - began))
        return result

    setattr(cls, name, wrapper)


def moves(start, steps, count=10):
    """Slider values for ``count`` moves: slider k % len(steps) moves by its step, the
    direction turning every round of all sliders (as the browser test moves them)."""
    values, settings = list(start), []
    for k in range(count + 1):
        slider = k % len(steps)
        values[slider] = steps[slider](values[slider], 1 if (k // len(steps)) % 2 == 0 else -1)
        settings.append(tuple(values))
    return settings


def measure(name, update, settings):
    update(*settings[0])   # the first draw lays the figure out and draws the backgrounds
    PARTS.clear()
    times = []
    for setting in settings[1:]:
        began = time.process_time()
        update(*setting)
        times.append(1000 * (time.process_time() - began))
    print(f"{name:36s} median {np.median(times):5.1f} ms  worst {max(times):5.1f} ms")
    for part, spent in sorted(PARTS.items()):
        print(f"    {part:34s} {len(spent):3d} calls, median {np.median(spent):5.1f} ms")


def main():
    for cls, name in ((surface_paths.SurfaceExplorer, "paths"),
                      (surface_paths.SurfaceFigure, "update"),
                      (canvas.ExplorerFigure, "layers"),
                      (canvas.ExplorerFigure, "_draw_background")):
        timed(cls, name)

    lesson3 = HyperparameterExplorer(
        {"Rosenbrock": {"surface": surfaces.Rosenbrock(), "start": (-1.2, 1.0)}},
        {"GD": (SGD, {}, {"lr": "η"}), "Momentum": (SGD, {}, {"lr": "η", "momentum": "μ"}),
         "Nesterov": (SGD, {"nesterov": True}, {"lr": "η", "momentum": "μ"})})
    settings = moves((1e-3, 0.9, 300), (lambda eta, s: eta * 10 ** (0.01 * s),
                                        lambda mu, s: mu + 0.01 * s, lambda t, s: t + 10 * s))
    measure("lesson 3, Rosenbrock, 3 × 300 steps",
            lambda eta, mu, t: lesson3.update("Rosenbrock", t, {"η": eta, "μ": mu}), settings)

    lesson4 = HyperparameterExplorer(
        {"Beale": {"surface": surfaces.Beale(), "start": (1.0, 1.5)}},
        {"Adam": (Adam, {}, {"lr": "η", "betas": ("β₁", "β₂")}),
         "RMSprop": (RMSprop, {}, {"lr": "η", "alpha": "β₂"})})
    settings = moves((0.02, 0.9, 300), (lambda eta, s: eta * 10 ** (0.05 * s),
                                        lambda b1, s: b1 + 0.01 * s, lambda t, s: t + 10 * s))
    measure("lesson 4, Beale, 2 × 300 steps",
            lambda eta, b1, t: lesson4.update("Beale", t, {"η": eta, "β₁": b1, "β₂": 0.999}),
            settings)

    rates = {"GD": 1e-3, "Momentum": 1e-3, "Adagrad": 0.5, "RMSprop": 0.02, "Adam": 0.05}
    rows = {name: OPTIMIZERS["SGD" if name == "GD" else name] for name in rates}
    race = surface_paths.SurfaceExplorer(
        surfaces.Rosenbrock(),
        {name: (row.cls, {**row.hyperparameters, "lr": rates[name]}) for name, row in rows.items()})
    settings = moves((1.0, 200, -1.2, 1.0), (lambda f, s: f * 10 ** (0.05 * s),
                                             lambda t, s: t + s, lambda x, s: x + 0.02 * s,
                                             lambda y, s: y + 0.02 * s))
    measure("lesson 4's race, Rosenbrock, 5 × 200",
            lambda f, t, x, y: race.update((x, y), t, f), settings)


if __name__ == "__main__":
    main()
