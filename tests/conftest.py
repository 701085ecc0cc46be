"""Shared test set-up: one BLAS thread, the Agg backend for figures, tools/ importable."""

import os

# The course's matrices are tiny: a multithreaded BLAS only adds overhead on a shared
# 2-core machine (lesson 5 runs 10 s instead of 7.6 s). Set before NumPy is imported,
# and inherited by the notebook kernels that nbval and the browser tests start.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
