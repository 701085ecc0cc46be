"""Time one optimizer step: course_lib.optim against torch.optim (foreach=True), side by side.

Not a test: run it by hand, from the repository root, with a Python that has
NumPy (and PyTorch, a dev-only reference, for the comparison column):

    python3 benchmarks/bench_optim.py [--repeats 15]

For SGD with momentum 0.9 and for Adam, on one float32 parameter of 10⁵, 10⁶ and
10⁷ elements, it times ``step()`` (after a few warm-up steps, so the state
exists) and prints the median (and the fastest) of the repetitions in
milliseconds and the ratio of the medians, course_lib / torch. The three contenders take
turns within each repetition, so a busy machine slows them alike. NumPy runs each operation on
one core; PyTorch is timed with its default thread count and with one thread.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import (
    Parameter,
    optim,
)

try:
    import torch
except ImportError:
    torch = None

SIZES = [10**5, 10**6, 10**7]
CONFIGS = [("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adam", {"lr": 1e-3})]
WARMUP = 3


def course_lib_step(name, hyper, size, rng):
    theta = Parameter(rng.standard_normal(size, dtype=np.float32))
    theta.grad = rng.standard_normal(size, dtype=np.float32)
    return getattr(optim, name)([theta], **hyper).step


def torch_step(name, hyper, size, rng, threads):
    theta = torch.from_numpy(rng.standard_normal(size, dtype=np.float32)).requires_grad_()
    theta.grad = torch.from_numpy(rng.standard_normal(size, dtype=np.float32))
    optimizer = getattr(torch.optim, name)([theta], foreach=True, **hyper)

    def step():
        torch.set_num_threads(threads)
        with torch.no_grad():
            optimizer.step()
    return step


def step_times(steps, repeats):
    """Seconds per call of each function, calling them in turn (so load hits all alike)."""
    for step in steps:
        for _ in range(WARMUP):
            step()
    times = [[] for _ in steps]
    for _ in range(repeats):
        for step, record in zip(steps, times):
            began = time.perf_counter()
            step()
            record.append(time.perf_counter() - began)
    return times


def cell(times):
    return f"{1e3 * statistics.median(times):.2f} ({1e3 * min(times):.2f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"one step() on a float32 parameter, {args.repeats} repetitions; NumPy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else " (no torch installed)") + "\n")
    threads = torch.get_num_threads() if torch else 0
    print("milliseconds per step: median (fastest) of the repetitions\n")
    print(f"| optimizer        | parameters | course_lib    | torch, {threads} threads | ratio |"
          " torch, 1 thread | ratio |")
    print("|------------------|-----------:|--------------:|-----------------:|------:|"
          "----------------:|------:|")
    for name, hyper in CONFIGS:
        label = name + (" + momentum" if "momentum" in hyper else "")
        for size in SIZES:
            steps = [course_lib_step(name, hyper, size, rng)]
            if torch is not None:
                steps += [torch_step(name, hyper, size, rng, threads),
                          torch_step(name, hyper, size, rng, 1)]
            ours, *theirs = step_times(steps, args.repeats)
            row = f"| {label:<16} | {size:>10.0e} | {cell(ours):>13} |"
            for t in theirs:
                row += f" {cell(t):>16} | {statistics.median(ours) / statistics.median(t):>5.2f} |"
            print(row)
        if torch is not None:
            torch.set_num_threads(threads)


if __name__ == "__main__":
    main()
