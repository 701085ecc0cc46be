"""Shared test set-up: one BLAS thread, the Agg backend for figures, tools/ importable, the
groups that spread the tests over pytest-xdist's workers."""

import os

# The course's matrices are tiny: a multithreaded BLAS only adds overhead on a shared
# 2-core machine (lesson 5 runs 10 s instead of 7.6 s). Set before NumPy is imported,
# and inherited by the notebook kernels that nbval and the browser tests start.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group the tests for `pytest -n 2 --dist loadgroup` (make test): the cells of one notebook
    and the tests of one module stay together on one worker, in order, as with loadscope;
    each lesson's browser test is a group of its own, so the lessons spread over the workers."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            module = item.nodeid.split("::")[0]
            lesson = item.callspec.params.get("path") if hasattr(item, "callspec") else None
            group = f"{module}::{lesson.stem}" if "tests/browser/" in module and lesson else module
            item.add_marker(pytest.mark.xdist_group(group))
