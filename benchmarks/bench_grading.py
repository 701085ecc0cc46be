"""How fast the grader is: a class of submissions in batch, and one learner's check.

1. Batch: 40 copies of a solution notebook graded with
   ``python -m course_grader ... --jobs 2`` (each in its own isolated
   child), against executing the same 40 notebooks one by one with
   ``jupyter nbconvert --execute --to notebook`` (a kernel per notebook, the
   usual way to run a class's notebooks). Target: at least 1.8× faster.
2. check: the time of one ``check(qid, answer)`` call for each question of
   every solution notebook, with the solution's own functions (target: under
   0.2 s), and the one-off ``checker()`` set-up in a fresh process.

Usage: ``.venv/bin/python benchmarks/bench_grading.py [--notebook solutions/X.ipynb] [--copies 40]``
"""

import argparse
import contextlib
import csv
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_copies(notebook, folder, copies):
    folder.mkdir()
    for index in range(copies):
        shutil.copy(notebook, folder / f"student_{index:02d}.ipynb")
    return sorted(folder.glob("*.ipynb"))


def time_batch(folder, out, exercise):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "course_grader", str(folder), "--out", str(out),
                    "--jobs", "2", "--exercise", exercise], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    rows = list(csv.DictReader((out / "grades.csv").open()))
    for row in rows:
        if row["score"] != row["max_score"]:
            print(f"  not full marks: {row['file']} {row['score']}/{row['max_score']}: "
                  f"{row['status']}")
    return seconds, sum(row["score"] == row["max_score"] for row in rows), len(rows)


def time_nbconvert(paths, out):
    jupyter = Path(sys.executable).with_name("jupyter")
    start = time.perf_counter()
    for path in paths:
        subprocess.run([str(jupyter), "nbconvert", "--execute", "--to", "notebook",
                        "--output-dir", str(out), str(path)], check=True, capture_output=True)
    return time.perf_counter() - start


def time_checks(notebook, exercise):
    """Seconds per check() call on each question, with the solution's functions."""
    from course_lib.grading import checker, registry

    cells = [cell for cell in json.loads(notebook.read_text())["cells"]
             if cell["cell_type"] == "code"]
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in cells:
            exec("".join(cell["source"]), namespace)
        check = checker(exercise)
        timings = {}
        for question in registry.questions(exercise):
            function = namespace[question.function]
            check(question.id, function)  # first call: imports and caches warm
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                check(question.id, function)
                runs.append(time.perf_counter() - start)
            timings[question.id] = statistics.median(runs)
    return timings


def compare_batch(notebook, copies, exercise):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = make_copies(notebook, tmp / "class", copies)
        batch, full, total = time_batch(tmp / "class", tmp / "grades", exercise)
        print(f"batch grader, --jobs 2:          {batch:6.1f} s  "
              f"{60 * total / batch:6.1f} submissions/min  ({full}/{total} full marks)")
        baseline = time_nbconvert(paths, tmp / "executed")
        print(f"nbconvert --execute, one by one: {baseline:6.1f} s  "
              f"{60 * total / baseline:6.1f} notebooks/min")
        print(f"speed-up: {baseline / batch:.2f}x (target ≥ 1.8x)")


def time_setup(exercise):
    code = ("import time; start = time.perf_counter(); from course_lib.grading import checker; "
            f"checker({exercise!r}); print(time.perf_counter() - start)")
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = sorted((ROOT / "solutions").glob("*.ipynb"))[0]
    parser.add_argument("--notebook", type=Path, default=default)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--checks-only", action="store_true", help="skip the batch comparison")
    args = parser.parse_args()
    exercise = args.notebook.stem
    print(f"notebook: {args.notebook.relative_to(ROOT)}, {args.copies} copies, 2 cores")

    if not args.checks_only:
        compare_batch(args.notebook, args.copies, exercise)
    print(f"checker() set-up in a fresh process (imports every question module): "
          f"{1000 * time_setup(exercise):.0f} ms, once per notebook")
    slowest = 0.0
    for notebook in sorted((ROOT / "solutions").glob("*.ipynb")):
        timings = time_checks(notebook, notebook.stem)
        slowest = max(slowest, *timings.values())
        times = [f"{qid} {1000 * seconds:.1f} ms" for qid, seconds in timings.items()]
        print(f"{notebook.stem}: " + ", ".join(times))
    print(f"slowest check: {1000 * slowest:.1f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
