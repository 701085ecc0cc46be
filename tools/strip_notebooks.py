"""Keep committed notebooks clean: no outputs, no execution counts, kernelspec python3.

    python tools/strip_notebooks.py              # clean every notebook of the course
    python tools/strip_notebooks.py FILE...      # clean these
    python tools/strip_notebooks.py --check ...  # only report; exit 1 if any is dirty
"""

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "solutions", "exercises")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TRANSIENT_METADATA = ("widgets", "execution", "collapsed", "scrolled", "ExecuteTime")


def course_notebooks(root=ROOT):
    """Every notebook of the course, in a stable order."""
    return sorted(p for folder in FOLDERS for p in (Path(root) / folder).glob("*.ipynb"))


def problems(path):
    """What stops ``path`` from being committed, as plain sentences (empty when clean)."""
    try:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as error:  # nbformat raises several types for unreadable files
        return [f"{path}: not a readable notebook ({error.__class__.__name__}: {error})"]
    found = []
    if notebook.nbformat != 4:
        found.append(f"{path}: nbformat {notebook.nbformat}, expected 4")
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        found.append(f"{path}: invalid nbformat 4 ({error.message})")
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"{path}: kernelspec is {kernel!r}, expected 'python3'")
    if "widgets" in notebook.metadata:
        found.append(f"{path}: saved widget state in the notebook metadata")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path}: cell {index} has outputs committed")
        if cell.get("execution_count") is not None:
            found.append(f"{path}: cell {index} has an execution count")
    return found


def strip(path):
    """Remove outputs, execution counts and transient metadata from ``path`` in place."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for key in TRANSIENT_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    text = nbformat.writes(notebook) + "\n"
    if Path(path).read_text(encoding="utf-8") != text:
        Path(path).write_text(text, encoding="utf-8")
        return True
    return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or course_notebooks()
    if args.check:
        found = [problem for path in files for problem in problems(path)]
        print("\n".join(found) if found else f"{len(files)} notebooks are clean")
        return 1 if found else 0
    for path in files:
        if strip(path):
            print(f"stripped {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
