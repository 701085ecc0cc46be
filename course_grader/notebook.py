"""Reading a submitted notebook without trusting it: its code cells and its exercise name.

Accepts nbformat 4 and 3 (and a notebook with undecodable bytes, which are
replaced); anything else is a :class:`BadNotebook` whose message goes into
the grade. The submission file is only read, never written.
"""

import json
from dataclasses import dataclass

from course_grader.written import written_answers

SIZE_LIMIT = 20 * 2**20  # the file, outputs included
CODE_LIMIT = 2**20  # its code cells together (an exercise's answers are a few kB)
CONTAINER_LIMIT = 10**6  # "[" and "{" in the file: 17 MB of "[]," would take 440 MB to parse


class BadNotebook(ValueError):
    """The file is not a notebook the grader can read (the message says why)."""


@dataclass
class Submission:
    cells: list  # the source of each code cell, in order
    exercise: str  # metadata.course.exercise, or None
    notes: list  # things worth telling the instructor (e.g. bytes replaced)
    written: list = None  # the written-answer cells: [{"id": "w1", "text": ...}]
    numbers: list = None  # each code cell's place among all the notebook's cells, from 1

    def __post_init__(self):
        if self.numbers is None:
            self.numbers = list(range(1, len(self.cells) + 1))

    def number(self, index):
        """The number a learner counts for code cell ``index`` in JupyterLab: its place among
        all the notebook's cells (markdown too), from the top, starting at 1."""
        return self.numbers[index] if 0 <= index < len(self.numbers) else index + 1


def read_submission(path):
    """The code cells and exercise name of the notebook at ``path``."""
    with open(path, "rb") as file:
        raw = file.read(SIZE_LIMIT + 1)
    if len(raw) > SIZE_LIMIT:
        raise BadNotebook(f"larger than {SIZE_LIMIT // 2**20} MB")
    if not raw.strip():
        raise BadNotebook("empty file")
    if raw.count(b"[") + raw.count(b"{") > CONTAINER_LIMIT:
        raise BadNotebook(f"more than {CONTAINER_LIMIT} lists and objects")
    notes = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        notes.append("not valid UTF-8: undecodable bytes were replaced")
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadNotebook(f"not a notebook (invalid JSON: {error})") from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise BadNotebook("not a notebook (no nbformat field)")
    version = notebook["nbformat"]
    if version == 4:
        cells = notebook.get("cells")
    elif version == 3:
        worksheets = notebook.get("worksheets") or [{}]
        cells = [dict(cell, source=cell.get("input", "")) for cell in worksheets[0].get("cells", [])
                 if isinstance(cell, dict)]
        notes.append("nbformat 3 notebook")
    else:
        raise BadNotebook(f"nbformat {version!r} is not supported (4 and 3 are)")
    if not isinstance(cells, list):
        raise BadNotebook("not a notebook (no list of cells)")
    code, numbers = _code_cells(cells)
    if sum(map(len, code)) > CODE_LIMIT:
        raise BadNotebook(f"its code cells hold more than {CODE_LIMIT // 2**20} MB of code")
    return Submission(code, _exercise(notebook), notes, written_answers(cells), numbers)


def _code_cells(cells):
    """The code cells' sources and their places among all cells (from 1)."""
    sources, numbers = [], []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            sources.append(source)
            numbers.append(number)
    return sources, numbers


def _exercise(notebook):
    metadata = notebook.get("metadata")
    course = metadata.get("course") if isinstance(metadata, dict) else None
    exercise = course.get("exercise") if isinstance(course, dict) else None
    return exercise if isinstance(exercise, str) and exercise else None
