"""How long each lesson takes to execute, cell by cell: wall and kernel CPU time, peak memory.

Run from the repository root (Linux: the kernel's CPU time and peak memory come from /proc):

    .venv/bin/python benchmarks/time_lessons.py                       # notebooks/*.ipynb
    .venv/bin/python benchmarks/time_lessons.py solutions/*.ipynb     # any notebooks

Each notebook runs in a fresh kernel through nbclient, with one BLAS thread as in the tests
(tests/conftest.py). On a shared machine wall-clock time jumps with the other processes' load;
the kernel's CPU time (user + system, read from /proc/<pid>/stat) moves much less, so compare
that. Prints per notebook the total, the peak resident memory of the kernel (VmHWM) and the
``--top`` cells with the most CPU time.
"""

import argparse
import os
import time
from pathlib import Path

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # inherited by the kernel
os.environ.setdefault("MPLBACKEND", "Agg")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds(pid):
    """User + system CPU time of process ``pid`` so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib(pid):
    """The peak resident memory (VmHWM) of process ``pid``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_notebook(path):
    """(wall s, CPU s, peak MiB, [(cell index, wall s, CPU s, first line)]) of one execution."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    cells = []
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        started_wall, started_cpu = time.perf_counter(), cpu_seconds(pid)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            wall, cpu = time.perf_counter(), cpu_seconds(pid)
            client.execute_cell(cell, index)
            first_line = cell.source.splitlines()[0] if cell.source else ""
            cells.append((index, time.perf_counter() - wall, cpu_seconds(pid) - cpu, first_line))
        total = (time.perf_counter() - started_wall, cpu_seconds(pid) - started_cpu, peak_mib(pid))
    return (*total, cells)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "notebooks").glob("*.ipynb")))
    parser.add_argument("--top", type=int, default=3, help="cells to list per notebook")
    args = parser.parse_args()
    print(f"{'notebook':<40} {'wall s':>7} {'CPU s':>6} {'peak MiB':>8}   most CPU: cell (s)")
    for path in args.notebooks:
        wall, cpu, peak, cells = time_notebook(path)
        top = sorted(cells, key=lambda cell: -cell[2])[: args.top]
        print(f"{path.name:<40} {wall:7.1f} {cpu:6.1f} {peak:8.0f}   "
              + ", ".join(f"{index} ({seconds:.2f})" for index, _, seconds, _ in top), flush=True)


if __name__ == "__main__":
    main()
