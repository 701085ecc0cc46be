"""Build what students get: a folder and a zip with the lessons, exercises, course_lib and data.

``make release`` (or ``.venv/bin/python tools/release.py [--out build/release]``)
writes ``build/release/first-order-optimization/`` and
``build/release/first-order-optimization.zip`` holding

* ``notebooks/``, ``exercises/``, ``course_lib/``, ``data/``;
* ``requirements.txt`` and ``pyproject.toml`` (so ``pip install -e .`` works);
* the licences, ``LICENSE`` (code) and ``LICENSE-CONTENT.md`` (lessons);
* ``README.md`` and ``Makefile`` for learners, from ``tools/student_release/``;

and nothing else: no ``solutions/``, no grader (``course_grader/``), no
tests, no benchmarks or instructor tools. The exercises are checked to be
up to date with the solutions first, and the result is checked for
solution markers. The zip's entries are sorted and dated 1980-01-01, so the
same sources give the same bytes.
"""

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "first-order-optimization"
FOLDERS = ("notebooks", "exercises", "course_lib", "data")
FILES = {"LICENSE": ROOT / "LICENSE", "LICENSE-CONTENT.md": ROOT / "LICENSE-CONTENT.md",
         "requirements.txt": ROOT / "requirements.txt",
         "pyproject.toml": ROOT / "pyproject.toml",
         "README.md": ROOT / "tools" / "student_release" / "README.md",
         "Makefile": ROOT / "tools" / "student_release" / "Makefile"}
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
SKIPPED_SUFFIXES = (".pyc", ".pyo")
NEVER = ("solutions", "course_grader", "tests", "benchmarks", "tools")
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "<!-- BEGIN SOLUTION -->")


def release_files(root=ROOT):
    """{path inside the release: source path}, sorted."""
    files = {}
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if (path.is_file() and not SKIPPED_PARTS & set(relative.parts)
                    and not path.name.endswith(SKIPPED_SUFFIXES)
                    and not any(p.endswith(".egg-info") for p in relative.parts)):
                files[relative.as_posix()] = path
    files.update(FILES)
    return dict(sorted(files.items()))


def check(files):
    """Problems that must stop a release: solutions or grader inside, stale exercises."""
    problems = [f"{name} must not be released" for name in files
                if name.split("/")[0] in NEVER]
    for name, path in files.items():
        if name.endswith((".ipynb", ".py", ".md")) and not name.startswith("course_lib/grading/"):
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{name} holds a solution marker {marker!r}"
                         for marker in SOLUTION_MARKERS if marker in text]
    if "solutions/" in files["README.md"].read_text(encoding="utf-8"):
        problems.append("the learners' README points at solutions/")
    sys.path.insert(0, str(ROOT))
    from course_lib.grading.generate import stale_exercises

    problems += stale_exercises(ROOT / "solutions", ROOT / "exercises")
    return problems


def build(out):
    """Write the folder and the zip into ``out`` → (folder, zip path)."""
    files = release_files()
    problems = check(files)
    if problems:
        raise SystemExit("release stopped:\n  " + "\n  ".join(problems))
    out = Path(out)
    folder, archive = out / NAME, out / f"{NAME}.zip"
    shutil.rmtree(folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, source in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            entry = zipfile.ZipInfo(f"{NAME}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr, entry.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
            bundle.writestr(entry, source.read_bytes())
    return folder, archive


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=ROOT / "build" / "release", type=Path)
    args = parser.parse_args(argv)
    folder, archive = build(args.out)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"wrote {folder} ({count} files) and {archive} ({archive.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
