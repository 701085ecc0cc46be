"""The gradebook: one row per student and exercise, written as CSV for a spreadsheet or an LMS.

Rows are built from every feedback record in the output folder (so grading a
few files again updates their rows and keeps the others) and, with a roster,
list every rostered student: one without a submission scores 0 with the
status ``missing``. The columns are stable: one per question of the exercise
as the question registry defines it, and one per written answer, whatever the
folder holds.

Three formats:

``plain`` (always, ``grades.csv``)
    ``student_id, name, email, file, exercise, score, max_score, status,
    isolation``, the points of each question (``q1, q2, …``; ``exercise:q1``
    when several exercises are graded together), each written answer's mark
    (``w1, …``), ``total`` (score + marks), ``submitted_at``, ``late``
    (``yes``/``no`` with ``--deadline``), ``late_hours``, ``seed``.
``canvas`` (``canvas_<exercise>.csv``)
    The columns of Canvas's gradebook import, as its Instructor Guide "How do I
    import grades in the Gradebook?" lists them: ``Student`` (name), ``ID``
    (Canvas's user id), ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
    column per assignment holding its points. The assignment column is named
    after the exercise: Canvas matches it to an assignment of that name (rename
    it to ``Name (assignment id)`` as in Canvas's own export to match by id) or
    offers to create one.
``moodle`` (``moodle_<exercise>.csv``)
    The columns of Moodle's plain-text grade export, which its CSV grade import
    reads back (MoodleDocs "Grade import": "The import file format is the same
    as the corresponding export format"; column names as Moodle's
    ``grade_export::format_column_name`` makes them): ``First name``,
    ``Last name``, ``ID number``, ``Email address``, ``<exercise> (Real)`` and
    ``<exercise> (Feedback)``. On import, map "Email address" to ``useremail``
    (or "ID number" to ``useridnumber``) and the two columns to the grade item.
    Moodle's import overwrites the item's feedback when a feedback column is
    mapped, so both are written together.

Statuses are exact: ``missing``, ``ok`` (nothing went wrong; wrong answers
lose their points in the question columns), or what happened, e.g. ``errors in
cells 4; q3 forbidden: calls course_lib.optim.adam.Adam.__init__; 2 answers out of time``.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from course_grader import roster as rosters
from course_lib.grading import registry

FORMATS = ("plain", "canvas", "moodle")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads these as a formula


# ------------------------------------------------------------------ exact statuses
def question_problems(questions):
    """What went wrong in the answers, in words (wrong values are not problems: their
    points are in the question columns)."""
    problems, timeouts, not_implemented = [], 0, []
    for result in questions:
        qid, status, details = result["id"], result["status"], result.get("details") or [""]
        timeouts += result.get("timeouts", 0) > 0
        if status == "forbidden":
            called = re.search(r"course_lib's (.+?):", details[0])
            problems.append(f"{qid} forbidden: calls "
                            f"{called.group(1) if called else 'a course_lib function'}")
        elif status == "not implemented":
            not_implemented.append(qid)
        elif status == "missing":
            problems.append(f"{qid} missing: {details[0]}")
        elif any(state == "error" for state in result.get("cases", [])) and not result.get(
                "timeouts"):
            raised = next((re.match(r"Case \d+: (\w+):", d) for d in details
                           if re.match(r"Case \d+: \w+:", d)), None)  # "TypeError: ..."
            problems.append(f"{qid} raised {raised.group(1) if raised else 'an error'}")
    if timeouts:
        problems.append(f"{timeouts} answer{'s' * (timeouts > 1)} out of time")
    if not_implemented:
        problems.append(f"not implemented: {', '.join(not_implemented)}")
    return problems


def exact_status(problems, questions):
    """``ok`` only when nothing went wrong, else every problem, ``; ``-separated."""
    return "; ".join([*problems, *question_problems(questions)]) or "ok"


# ------------------------------------------------------------------ rows
@dataclass
class Row:
    exercise: str
    student: rosters.Student = None
    record: dict = None  # None: no submission
    status: str = ""
    submitted_at: object = None
    late_hours: float = None
    written: dict = field(default_factory=dict)  # written id -> mark (float) or None

    @property
    def score(self):
        return self.record["score"] if self.record else 0.0

    @property
    def total(self):
        return round(self.score + sum(m for m in self.written.values() if m is not None), 6)

    def points(self):
        if not self.record:
            return {}
        return {result["id"]: result["score"] for result in self.record.get("questions", [])}


def read_records(out):
    """Every feedback record in ``out/feedback``, by feedback name (unreadable ones skipped)."""
    records = {}
    for path in sorted((Path(out) / "feedback").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and "score" in record:
            records[path.stem] = dict(record, name=path.stem)
    return records


def exercise_ids(exercise):
    """The question ids of ``exercise`` (the registry's order), [] if unknown."""
    try:
        return [q.id for q in registry.questions(exercise)]
    except KeyError:
        return []


def build_rows(records, students=None, exercises=(), timestamps=None, deadline=None):
    """The gradebook rows: with a roster, one per rostered student and exercise (graded or
    missing), then the submissions that match no student; without one, one per record."""
    records = list(records)
    timestamps = timestamps or {}
    exercises = list(dict.fromkeys([*exercises, *sorted(
        {r["exercise"] for r in records if r.get("exercise")})]))
    rows = []
    if students is None:
        rows = [Row(r.get("exercise") or "", None, r) for r in records]
    else:
        matched, ambiguous = rosters.match(students, [r["file"] for r in records])
        by_student = {}
        for record in records:
            student = matched.get(record["file"])
            if student is not None:
                by_student.setdefault((student.student_id, record.get("exercise")), []).append(
                    record)
        for exercise in exercises:
            for student in students:
                found = by_student.get((student.student_id, exercise), [])
                row = Row(exercise, student, None, "" if found else "missing")
                if found:
                    found.sort(key=lambda r: _time_of(r, timestamps) or "")
                    row.record = found[-1]
                    if len(found) > 1:
                        row.status = (f"{len(found)} submissions; graded the latest, "
                                      f"{Path(found[-1]['file']).name}")
                rows.append(row)
        for record in records:
            if record["file"] not in matched:
                why = (f"matches several students: "
                       f"{', '.join(s.student_id for s in ambiguous[record['file']])}"
                       if record["file"] in ambiguous else "matches no student of the roster")
                rows.append(Row(record.get("exercise") or "", None, record, why))
    for row in rows:
        if row.record:
            row.status = "; ".join(s for s in (row.status, row.record.get("status", "")) if s)
            moment, _ = rosters.submitted_at(row.record["file"], timestamps,
                                             row.record.get("mtime"))
            row.submitted_at, row.late_hours = moment, rosters.lateness(moment, deadline)
            row.written = {w["id"]: w.get("mark") for w in row.record.get("written", [])}
    return rows


def _time_of(record, timestamps):
    moment, _ = rosters.submitted_at(record["file"], timestamps, record.get("mtime"))
    return moment.isoformat() if moment else None


# ------------------------------------------------------------------ CSV text
def _cell(value):
    """A CSV cell a spreadsheet shows as text: a leading ``=``, ``+``, ``-`` or ``@`` (a file
    or exercise name chosen by a learner) would make it a formula, so it gets a ``'``."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _csv(rows):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([[_cell(v) for v in row] for row in rows])
    return text.getvalue()


def _number(value):
    return "" if value is None else round(float(value), 6)


def written_ids(rows, exercise):
    ids = []
    for row in rows:
        if row.exercise == exercise:
            ids += [w for w in row.written if w not in ids]
    return ids


def plain_csv(rows):
    """grades.csv: every row, stable columns (see the module's docstring)."""
    exercises = list(dict.fromkeys(row.exercise for row in rows))
    several = len(exercises) > 1
    columns = []  # (exercise, id, kind)
    for exercise in exercises:
        ids = exercise_ids(exercise) or list(dict.fromkeys(
            q["id"] for row in rows if row.exercise == exercise and row.record
            for q in row.record.get("questions", [])))
        columns += [(exercise, qid, "question") for qid in ids]
        columns += [(exercise, wid, "written") for wid in written_ids(rows, exercise)]
    header = ["student_id", "name", "email", "file", "exercise", "score", "max_score", "status",
              "isolation",
              *(f"{e}:{c}" if several else c for e, c, _ in columns),
              "total", "submitted_at", "late", "late_hours", "seed"]
    table = [header]
    for row in rows:
        record, student = row.record or {}, row.student
        points = row.points()
        values = []
        for exercise, cid, kind in columns:
            if exercise != row.exercise:
                values.append("")
            elif kind == "question":
                values.append(points.get(cid, 0.0 if not record else ""))
            else:
                values.append(_number(row.written.get(cid)))
        max_score = record.get("max_score") if record else _max_score(row.exercise)
        table.append([
            student.student_id if student else "", student.name if student else "",
            student.email if student else "", record.get("file", ""), row.exercise,
            row.score, max_score, row.status, record.get("isolation", ""), *values, row.total,
            row.submitted_at.isoformat(timespec="seconds") if row.submitted_at else "",
            "" if row.late_hours is None else "yes" if row.late_hours > 0 else "no",
            _number(row.late_hours), record.get("seed", "")])
    return _csv(table)


def _max_score(exercise):
    try:
        return float(sum(q.points for q in registry.questions(exercise)))
    except KeyError:
        return ""


def canvas_csv(rows, exercise):
    """Canvas's gradebook import columns; rostered students only."""
    table = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", exercise]]
    for row in rows:
        if row.exercise == exercise and row.student:
            s = row.student
            table.append([s.name, s.canvas_id, s.student_id, s.sis_login_id, s.section,
                          row.total])
    return _csv(table)


def moodle_csv(rows, exercise):
    """Moodle's plain-text grade export columns, which its CSV import maps; rostered students."""
    table = [["First name", "Last name", "ID number", "Email address", f"{exercise} (Real)",
              f"{exercise} (Feedback)"]]
    for row in rows:
        if row.exercise == exercise and row.student:
            first, _, last = row.student.name.rpartition(" ")
            table.append([first or last, last if first else "", row.student.student_id,
                          row.student.email, row.total, feedback_line(row)])
    return _csv(table)


def feedback_line(row):
    """One line for an LMS feedback field: points per question, then the status."""
    if not row.record:
        return "No submission was found."
    parts = [f"{q['id']} {q['score']:g}/{q['points']:g}" for q in row.record.get("questions", [])]
    parts += [f"{wid} {mark:g}" for wid, mark in row.written.items() if mark is not None]
    status = "" if row.status == "ok" else f" ({row.status})"
    return f"{row.total:g} points: " + ", ".join(parts) + status


def write_gradebooks(out, rows, formats, write):
    """grades.csv, and for each exercise the Canvas and Moodle files asked for → paths."""
    out = Path(out)
    written = [out / "grades.csv"]
    write(written[0], plain_csv(rows))
    for exercise in dict.fromkeys(row.exercise for row in rows if row.exercise):
        for kind, make in (("canvas", canvas_csv), ("moodle", moodle_csv)):
            if kind in formats:
                path = out / f"{kind}_{_safe(exercise)}.csv"
                write(path, make(rows, exercise))
                written.append(path)
    return written


def _safe(text):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:100].lstrip(".") or "_"
