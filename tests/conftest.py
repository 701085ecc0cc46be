"""Shared test set-up: one BLAS thread, the Agg backend for figures, tools/ importable; the
table of the explorers' latencies the browser tests measured (here, not in tests/browser/:
with pytest-xdist only this conftest is loaded in the controller, which prints the summary)."""

import os

# The course's matrices are tiny: a multithreaded BLAS only adds overhead on a shared
# 2-core machine (lesson 5 runs 10 s instead of 7.6 s). Set before NumPy is imported,
# and inherited by the notebook kernels that nbval and the browser tests start.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
LATENCY = ROOT / "artifacts" / "browser" / "latency"   # one JSON file per lesson, written by
                                                       # tests/browser/test_jupyterlab.py


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):   # the controller (or a run without xdist)
        shutil.rmtree(LATENCY, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """The table of key press → figure painted times the lesson tests measured in this run."""
    rows = [row for path in sorted(LATENCY.glob("*.json"))
            for row in json.loads(path.read_text(encoding="utf-8"))]
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("explorers: key press → new figure painted (ms)")
    write(f"{'lesson':<30} {'explorer':<24} {'moves':>5} {'median':>7} {'worst':>6}"
          f"   {'round trip alone':>16}   {'load':>4}")
    for row in rows:
        trip = row.get("round_trip_ms") or [float("nan")]
        write(f"{row['lesson']:<30} {row['explorer']:<24} {len(row['waits_ms']):>5} "
              f"{row['median']:>7.0f} {row['worst']:>6.0f}   "
              f"{statistics.median(trip):>7.0f} / {max(trip):>6.0f}   "
              f"{row.get('load_average', float('nan')):>4.1f}")
    write("target: median ≤ 60 ms and worst ≤ 120 ms per explorer. 'round trip alone': the same "
          "wiring with pictures drawn in advance, in the same kernel right after (median / worst); "
          "load: the load average then (2 cores)")
