"""Shared test set-up: one BLAS thread, the Agg backend for figures, tools/ importable; the
tables the browser tests measured, the explorers' latencies and the lecture decks' sizes
(here, not in tests/browser/: with pytest-xdist only this conftest is loaded in the
controller, which prints the summary)."""

import os

# The course's matrices are tiny: a multithreaded BLAS only adds overhead on a shared
# 2-core machine (lesson 5 runs 10 s instead of 7.6 s). Set before NumPy is imported,
# and inherited by the notebook kernels that nbval and the browser tests start.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
LATENCY = ROOT / "artifacts" / "browser" / "latency"   # one JSON file per lesson and one for
                                                       # the reference, written by
                                                       # tests/browser/test_jupyterlab.py
DECKS = ROOT / "artifacts" / "browser" / "lecture-decks"   # one JSON file per lecture deck,
                                                           # tests/browser/test_lecture_decks.py
DECK_KINDS = ("text", "code", "figure")


# `make test` (pytest -n 2 --dist loadscope): the order in which the test workers take the
# scopes (a module, a test class, or one lecture deck), longest first, so no worker is left
# with a long test at the end while the other is idle. Measured on the 2-core machine: the
# website build (it executes every lesson), a lecture deck (its lesson executed with slide
# figures, then walked in Chromium), a lesson in JupyterLab (later lessons run longer), the
# grader's sandboxes; then the rest, scopes with more tests first (pytest-xdist's order).
LONGEST_FIRST = (
    "tests/browser/test_website.py",
    "tests/browser/test_lecture_decks.py::",
    "tests/browser/test_jupyterlab.py::TestLesson",
    "tests/browser/",
    "tests/grader/",
)
ONE_SCOPE_PER_TEST = ("tests/browser/test_lecture_decks.py::",)   # the workers share the decks


def _scope_rank(scope: str, tests: int) -> tuple:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if scope.startswith(prefix):
            # Later lessons first (their classes and decks end in the lesson's number).
            return (rank, -sum(map(int, re.findall(r"\d+", scope.split("::", 1)[-1]))), -tests)
    return (len(LONGEST_FIRST), 0, -tests)


@pytest.hookimpl(optionalhook=True)   # the hook is pytest-xdist's: absent without it
def pytest_xdist_make_scheduler(config, log):
    """--dist loadscope, with the lecture decks one scope each and the longest scopes first."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            if nodeid.startswith(ONE_SCOPE_PER_TEST):
                return nodeid
            return super()._split_scope(nodeid)

        def _assign_work_unit(self, node):
            first = min(self.workqueue, key=lambda s: _scope_rank(s, len(self.workqueue[s])))
            self.workqueue.move_to_end(first, last=False)
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):   # the controller (or a run without xdist)
        shutil.rmtree(LATENCY, ignore_errors=True)
        shutil.rmtree(DECKS, ignore_errors=True)


def deck_table(rows) -> str:
    """The lecture decks' smallest sizes and overflowing slides, as a Markdown table."""
    lines = [
        "| deck | slides | notes | text px | code px | figure px | overflow (slide: px) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        sizes = [("—" if row[k] is None else f"{row[k]:g}") for k in DECK_KINDS]
        overflow = ", ".join(f"{s}: {px}" for s, px in row["overflow"]) or "none"
        lines.append(
            f"| {row['deck']} | {row['slides']} | {row['notes']} | " + " | ".join(sizes)
            + f" | {overflow} |"
        )
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    _lecture_deck_summary(terminalreporter)
    _latency_summary(terminalreporter)


def _lecture_deck_summary(terminalreporter):
    """The lecture decks measured in this run: printed, and written to
    artifacts/browser/lecture-decks.md (the table) and .json (every slide of every deck)."""
    decks = {path.stem: json.loads(path.read_text(encoding="utf-8"))
             for path in sorted(DECKS.glob("*.json"))}
    if not decks:
        return
    table = deck_table([deck["row"] for deck in decks.values()])
    (DECKS.parent / "lecture-decks.md").write_text(table + "\n", encoding="utf-8")
    (DECKS.parent / "lecture-decks.json").write_text(
        json.dumps({stem: deck["slides"] for stem, deck in decks.items()}, indent=1),
        encoding="utf-8",
    )
    terminalreporter.section("lecture decks: smallest sizes (CSS px of the 1280 × 720 slide)")
    for line in table.splitlines():
        terminalreporter.write_line(line)


def _latency_summary(terminalreporter):
    """The table of key press → figure painted times the browser tests measured in this run:
    a row per explorer of each lesson, then the reference's."""
    rows = [row for path in sorted(LATENCY.glob("*.json"))
            for row in json.loads(path.read_text(encoding="utf-8"))]
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("explorers: key press → new figure painted (ms)")
    write(f"{'lesson':<30} {'explorer':<24} {'moves':>5} {'median':>7} {'worst':>6} "
          f"{'redrawn':>7} {'load':>5}")
    for row in rows:
        write(f"{row['lesson']:<30} {row['explorer']:<24} {len(row['waits_ms']):>5} "
              f"{row['median']:>7.0f} {row['worst']:>6.0f} {sum(row['redrawn']):>7} "
              f"{row['load_average']:>5.1f}")
    write("target: median ≤ 60 ms and worst ≤ 120 ms per explorer; redrawn: the moves whose "
          "picture the kernel drew when the move reached it (not drawn ahead, so the page had "
          "no copy; a move whose picture was still being drawn ahead waits too, uncounted); "
          "load: the load average after the moves (2 cores)")
    if any(row["lesson"] == "reference" for row in rows):
        write("reference: a wiring with every picture drawn in advance, so the page shows its "
              "copy (the floor of every explorer)")
