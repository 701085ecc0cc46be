"""Training speed of the digits MLP (64-128-10, ReLU, Adam): course_lib against PyTorch.

Run from the repository root:

    .venv/bin/python benchmarks/bench_mlp.py      # course_lib only
    python3 benchmarks/bench_mlp.py               # also PyTorch, where torch is installed

Speed is samples per second over whole training epochs (forward, loss,
backward, Adam step), measured in CPU time of this process, the best of
``--repeats`` runs: both libraries run on one thread (OpenBLAS and PyTorch),
so the numbers stay steady on a shared 2-core machine where wall-clock time
jumps with the other processes' load. Accuracy is on the held-out 20 % after
the last epoch. PyTorch is a dev-only reference, never a course requirement.
"""

import argparse
import os
import sys
import time
from pathlib import Path

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # before NumPy loads its BLAS

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib import data, nn, optim  # noqa: E402
from course_lib.train import accuracy, fit  # noqa: E402


def course_lib_run(split, batch_size, epochs, record_every):
    model = nn.mlp([64, 128, 10], activation=nn.ReLU, rng=0)
    adam = optim.Adam(model.parameters(), lr=1e-3)
    batches = data.MiniBatches(split.X_train, split.y_train, batch_size, seed=0)
    start = time.process_time()
    fit(model, nn.softmax_cross_entropy, adam, batches, epochs, record_every=record_every,
        verbose=False)
    seconds = time.process_time() - start
    model.eval()
    return seconds, accuracy(model(split.X_test), split.y_test)


def torch_run(split, batch_size, epochs, dtype):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    model = model.to(dtype)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    X = torch.tensor(split.X_train, dtype=dtype)
    y = torch.tensor(split.y_train)
    rng = np.random.default_rng(0)
    start = time.process_time()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(X)))
        for begin in range(0, len(X), batch_size):
            index = order[begin:begin + batch_size]
            adam.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[index]), y[index])
            loss.backward()
            adam.step()
    seconds = time.process_time() - start
    with torch.no_grad():
        logits = model(torch.tensor(split.X_test, dtype=dtype)).numpy()
    return seconds, accuracy(logits, split.y_test)


def best_of(repeats, run):
    results = [run() for _ in range(repeats)]
    return min(results, key=lambda result: result[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    split = data.load_digits(seed=0)
    n_samples = len(split.X_train) * args.epochs
    print(f"digits MLP 64-128-10 ReLU, Adam(lr=1e-3), {args.epochs} epochs of "
          f"{len(split.X_train)} samples, best of {args.repeats}")
    print(f"{'implementation':<50} {'batch':>5} {'samples/s':>10} {'CPU s':>7} {'test acc':>8}")
    runs = []
    for batch_size in args.batch_sizes:
        runs.append(("course_lib (float64, gradient history each step)", batch_size,
                     lambda b=batch_size: course_lib_run(split, b, args.epochs, 1)))
        runs.append(("course_lib (float64, no history)", batch_size,
                     lambda b=batch_size: course_lib_run(split, b, args.epochs, 10**9)))
    try:
        import torch
    except ImportError:
        print("(PyTorch not installed: its rows are left out)")
    else:
        torch.set_num_threads(1)
        print(f"(PyTorch {torch.__version__}, {torch.get_num_threads()} thread)")
        for batch_size in args.batch_sizes:
            for dtype in (torch.float64, torch.float32):
                runs.append((f"PyTorch ({str(dtype).removeprefix('torch.')})", batch_size,
                             lambda b=batch_size, d=dtype: torch_run(split, b, args.epochs, d)))
    for label, batch_size, run in runs:
        seconds, test_accuracy = best_of(args.repeats, run)
        print(f"{label:<50} {batch_size:>5} {n_samples / seconds:>10,.0f} {seconds:>6.2f}s "
              f"{test_accuracy:>8.1%}")


if __name__ == "__main__":
    main()
