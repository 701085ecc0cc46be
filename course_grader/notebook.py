"""Reading a submitted notebook without trusting it: its code cells and its exercise name.

Accepts nbformat 4 and 3 (and a notebook with undecodable bytes, which are
replaced); anything else is a :class:`BadNotebook` whose message goes into
the grade. Only a regular file is read: a symbolic link (say, to the
solutions), a FIFO or a device (``/dev/zero``) is refused before a byte is
read, so no submission can make the grader wait or read forever. The
submission file is only read, never written.
"""

import errno
import hashlib
import json
import os
import stat
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
    sha256: str = None  # of the bytes read
    written: list = None  # the written-answer cells: [{"id": "w1", "text": ...}]
    numbers: list = None  # each code cell's place among all the notebook's cells, from 1

    def __post_init__(self):
        if self.numbers is None:
            self.numbers = list(range(1, len(self.cells) + 1))

    def number(self, index):
        """The number a learner counts for code cell ``index`` in JupyterLab: its place among
        all the notebook's cells (markdown too), from the top, starting at 1."""
        return self.numbers[index] if 0 <= index < len(self.numbers) else index + 1


KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link"}


def read_regular(path, limit=SIZE_LIMIT):
    """The bytes of the regular file at ``path`` (at most ``limit``), or BadNotebook: never
    follows a symbolic link, never blocks on a FIFO, never reads a device."""
    try:
        kind = stat.S_IFMT(os.lstat(path).st_mode)
        if kind != stat.S_IFREG:
            raise BadNotebook(f"not a regular file but {KINDS.get(kind, 'a special file')}")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        reason = ("a symbolic link" if error.errno == errno.ELOOP
                  else os.strerror(error.errno or 0))
        raise BadNotebook(f"cannot be read ({reason})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):  # replaced between lstat and open
            raise BadNotebook("not a regular file")
        if info.st_size > limit:
            raise BadNotebook(f"larger than {limit // 2**20} MB")
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise BadNotebook(f"larger than {limit // 2**20} MB")
    return raw


def content_hash(path):
    """The SHA-256 of the submission's bytes, or None when it is not a readable regular file."""
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except BadNotebook:
        return None


def read_submission(path):
    """The code cells and exercise name of the notebook at ``path``."""
    raw = read_regular(path)
    digest = hashlib.sha256(raw).hexdigest()
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
        raise BadNotebook(f"nbformat {repr(version)[:20]} is not supported (4 and 3 are)")
    if not isinstance(cells, list):
        raise BadNotebook("not a notebook (no list of cells)")
    code, numbers = _code_cells(cells)
    if sum(map(len, code)) > CODE_LIMIT:
        raise BadNotebook(f"its code cells hold more than {CODE_LIMIT // 2**20} MB of code")
    return Submission(code, _exercise(notebook), notes, digest, written_answers(cells), numbers)


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
