"""Who submitted what, and when: the class roster, submission times and lateness.

A roster is a CSV file with one row per student. Its columns (any order,
names matched without regard to case or spaces):

``student_id``
    required: the student's id, unique (also read from ``id``, ``SIS User ID``
    or ``ID number``, the columns of a Canvas or Moodle gradebook export).
``name``, ``email``
    optional (``Student`` / ``Email address`` too; ``First name`` and
    ``Last name`` are joined when there is no ``name``).
``pattern``
    optional: the file-name pattern that identifies the student's
    submissions, a shell glob matched against the file name without regard to
    case (``*alice*``, ``Smith, Jane_12345_*``). Default: ``*<student_id>*``.
``canvas_id``, ``sis_login_id``, ``section``
    optional, copied into the Canvas export (``ID``, ``SIS Login ID`` and
    ``Section`` of a Canvas gradebook export are read as these).

Submission times come from a ``--timestamps`` CSV with the columns ``file``
(the file name) and ``submitted_at`` (ISO 8601, e.g. ``2026-03-02T17:05:00Z``),
else from the file's modification time. A time without a UTC offset is read
as UTC.
"""

import csv
import fnmatch
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROSTER_LIMIT = 5 * 2**20  # bytes: a roster of 10 000 students is well under 1 MB

ALIASES = {
    "student_id": ("student_id", "student id", "id", "sis user id", "id number", "idnumber"),
    "name": ("name", "student", "full name"),
    "first_name": ("first name", "first_name", "firstname"),
    "last_name": ("last name", "last_name", "lastname", "surname"),
    "email": ("email", "email address", "e-mail"),
    "pattern": ("pattern", "file_pattern", "file pattern"),
    "canvas_id": ("canvas_id",),
    "sis_login_id": ("sis_login_id", "sis login id", "login", "username"),
    "section": ("section",),
}
# In a Canvas export "ID" is Canvas's own user id and "SIS User ID" the student id.
CANVAS_EXPORT = {"student_id": ("sis user id",), "canvas_id": ("id",)}


class RosterError(ValueError):
    """A roster or timestamps file the grader cannot use (the message says why)."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    pattern: str = ""
    canvas_id: str = ""
    sis_login_id: str = ""
    section: str = ""

    def matches(self, path):
        return fnmatch.fnmatch(Path(path).name.casefold(), self.pattern.casefold())


def _read_csv(path, what):
    path = Path(path)
    try:
        if path.stat().st_size > ROSTER_LIMIT:
            raise RosterError(f"{what} {path}: larger than {ROSTER_LIMIT // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is not a column name
    except OSError as error:
        raise RosterError(f"{what} {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise RosterError(f"{what} {path}: not UTF-8 text (save it as CSV UTF-8)") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(f"{what} {path}: empty file")
    return rows[0], rows[1:]


def _columns(header, aliases):
    normal = [" ".join(name.strip().casefold().split()) for name in header]
    if "sis user id" in normal and "id" in normal:  # a Canvas gradebook export
        aliases = {**aliases, **CANVAS_EXPORT}
    found = {}
    for field, names in aliases.items():
        for name in names:
            if name in normal:
                found[field] = normal.index(name)
                break
    return found


def read_roster(path):
    """The students of the roster CSV at ``path``, in its order (RosterError if unusable)."""
    header, rows = _read_csv(path, "roster")
    columns = _columns(header, ALIASES)
    if "student_id" not in columns:
        raise RosterError(f"roster {path}: no student id column (name one of "
                          f"{', '.join(ALIASES['student_id'])}); its columns are "
                          f"{', '.join(header)}")
    students, seen = [], {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = {field: row[index].strip() if index < len(row) else ""
                 for field, index in columns.items()}
        sid = value["student_id"]
        if value.get("name", "").casefold() == "points possible":  # Canvas's second row
            continue
        if not sid:
            raise RosterError(f"roster {path}, line {number}: the student id is empty")
        if sid in seen:
            raise RosterError(f"roster {path}, line {number}: student id {sid!r} is already "
                              f"on line {seen[sid]}")
        seen[sid] = number
        name = value.get("name") or " ".join(
            part for part in (value.get("first_name"), value.get("last_name")) if part)
        students.append(Student(sid, name, value.get("email", ""),
                                value.get("pattern") or f"*{sid}*", value.get("canvas_id", ""),
                                value.get("sis_login_id", ""), value.get("section", "")))
    return students


def match(students, paths):
    """{path: Student} for the submissions whose file name matches one student's pattern,
    and {path: [Students]} for those matching several (an ambiguous roster)."""
    matched, ambiguous = {}, {}
    for path in paths:
        found = [student for student in students if student.matches(path)]
        if len(found) == 1:
            matched[path] = found[0]
        elif found:
            ambiguous[path] = found
    return matched, ambiguous


def parse_time(text, where):
    """An aware datetime from ISO 8601 text (UTC when no offset is given)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RosterError(f"{where}: {text!r} is not a date and time in ISO 8601 "
                          "(e.g. 2026-03-02T17:00:00Z or 2026-03-02 17:00+01:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_timestamps(path):
    """{file name: aware datetime} from a CSV with the columns file and submitted_at."""
    header, rows = _read_csv(path, "timestamps")
    columns = _columns(header, {"file": ("file", "file name", "filename"),
                                "submitted_at": ("submitted_at", "submitted at", "submitted",
                                                 "timestamp", "time")})
    if len(columns) < 2:
        raise RosterError(f"timestamps {path}: needs the columns file and submitted_at; "
                          f"its columns are {', '.join(header)}")
    times = {}
    for number, row in enumerate(rows, start=2):
        if len(row) <= max(columns.values()) or not row[columns["file"]].strip():
            continue
        name = Path(row[columns["file"]].strip()).name
        times[name] = parse_time(row[columns["submitted_at"]], f"timestamps {path}, line {number}")
    return times


def submitted_at(path, timestamps, recorded=None):
    """When ``path`` was submitted: the timestamps file, else the file's modification time
    (``recorded``, the time seen when it was graded, if the file is gone) → (datetime, source)."""
    name = Path(path).name
    if name in timestamps:
        return timestamps[name], "timestamps"
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc), "file time"
    except OSError:
        if recorded:
            return datetime.fromisoformat(recorded), "file time when graded"
    return None, ""


def lateness(moment, deadline):
    """Hours after ``deadline`` (0 when on time, None when either is unknown)."""
    if moment is None or deadline is None:
        return None
    return max(0.0, (moment - deadline).total_seconds() / 3600)
