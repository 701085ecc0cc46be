"""The gradebook: roster, stable columns, exact statuses, Canvas and Moodle files, lateness.

These tests build feedback records by hand (the grading itself is tested in
test_grading_batch.py and test_grading_class.py) and check what an LMS or a
spreadsheet would read.
"""

import csv
import io
import json
from datetime import datetime, timezone

import grading_fixtures as fx
import pytest

from course_grader import gradebook, roster
from course_grader.export import Options, export

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]  # Canvas guide
MOODLE_HEADER = ["First name", "Last name", "ID number", "Email address"]  # Moodle export


def question(qid, points, score, status="passed", cases=None, details=(), timeouts=0):
    return {"id": qid, "title": qid, "points": points, "score": score, "status": status,
            "cases": cases or ["passed"], "details": list(details), "mistake": None,
            "timeouts": timeouts}


def record(file, q1=2.0, q2=1.0, q3=1.0, status="ok", **extra):
    questions = [question("q1", 2, q1), question("q2", 1, q2), question("q3", 1, q3)]
    return {"file": file, "exercise": fx.EXERCISE, "score": q1 + q2 + q3, "max_score": 4.0,
            "status": status, "isolation": "test", "questions": questions, "seed": 7,
            "graded_at": "2026-03-01T00:00:00+00:00", **extra}


def write_feedback(out, records):
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    for rec in records:
        name = rec["file"].rsplit("/", 1)[-1].removesuffix(".ipynb")
        (out / "feedback" / f"{name}.json").write_text(json.dumps(rec))


ROSTER = ("student_id,name,email,pattern,canvas_id,sis_login_id,section\n"
          "s1,Ada Lovelace,ada@example.org,*ada*,101,ada,A\n"
          "s2,Alan Turing,alan@example.org,*turing*,102,alan,A\n"
          "s3,Grace Hopper,grace@example.org,,103,grace,B\n")


@pytest.fixture
def graded(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    out = tmp_path / "out"
    write_feedback(out, [record(str(tmp_path / "ada_ex.ipynb"), q1=1.0),
                         record(str(tmp_path / "stranger.ipynb"))])
    students = roster.read_roster(tmp_path / "roster.csv")
    return {"out": out, "students": students, "tmp": tmp_path}


def read(path):
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_every_rostered_student_is_listed_and_a_missing_one_scores_zero(graded):
    export(graded["out"], Options(students=graded["students"]), lambda p, t: p.write_text(t))
    rows = read(graded["out"] / "grades.csv")
    by_id = {row["student_id"]: row for row in rows}
    assert [row["student_id"] for row in rows] == ["s1", "s2", "s3", ""]
    assert by_id["s1"]["score"] == "3.0" and by_id["s1"]["q1"] == "1.0"
    for sid in ("s2", "s3"):  # no file matches Turing's pattern nor "*s3*"
        assert by_id[sid]["status"] == "missing" and by_id[sid]["total"] == "0.0"
        assert [by_id[sid][q] for q in ("q1", "q2", "q3")] == ["0.0", "0.0", "0.0"]
        assert by_id[sid]["max_score"] == "4.0"
    assert by_id[""]["status"] == "matches no student of the roster; ok"


def test_question_columns_are_the_exercise_s_whatever_the_folder_holds(tmp_path):
    out = tmp_path / "out"
    broken = record("x.ipynb", status="invalid notebook: empty file")
    broken["questions"] = []  # an unreadable file has no question results
    write_feedback(out, [broken])
    export(out, Options(), lambda p, t: p.write_text(t))
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header[9:12] == ["q1", "q2", "q3"]


def test_a_regrade_of_one_file_keeps_the_other_rows(graded):
    write = lambda p, t: p.write_text(t)  # noqa: E731
    export(graded["out"], Options(students=graded["students"]), write)
    before = read(graded["out"] / "grades.csv")
    write_feedback(graded["out"], [record(str(graded["tmp"] / "ada_ex.ipynb"), q1=2.0)])
    export(graded["out"], Options(students=graded["students"]), write)
    after = read(graded["out"] / "grades.csv")
    assert len(after) == len(before) == 4
    assert after[0]["score"] == "4.0" and after[1:] == before[1:]


def test_canvas_and_moodle_files_have_the_documented_headers(graded):
    export(graded["out"], Options(students=graded["students"], formats=("plain", "canvas",
                                                                          "moodle")),
           lambda p, t: p.write_text(t))
    canvas = list(csv.reader((graded["out"] / f"canvas_{fx.EXERCISE}.csv").open()))
    assert canvas[0] == [*CANVAS_HEADER, fx.EXERCISE]
    assert canvas[1] == ["Ada Lovelace", "101", "s1", "ada", "A", "3.0"]
    assert canvas[3] == ["Grace Hopper", "103", "s3", "grace", "B", "0.0"]
    assert len(canvas) == 4  # the file matching no student cannot be imported: left out
    moodle = list(csv.reader((graded["out"] / f"moodle_{fx.EXERCISE}.csv").open()))
    assert moodle[0] == [*MOODLE_HEADER, f"{fx.EXERCISE} (Real)", f"{fx.EXERCISE} (Feedback)"]
    assert moodle[1][:5] == ["Ada", "Lovelace", "s1", "ada@example.org", "3.0"]
    assert moodle[1][5] == "3 points: q1 1/2, q2 1/1, q3 1/1"
    assert moodle[2][5] == "No submission was found."


def test_a_canvas_or_moodle_export_is_read_as_a_roster(tmp_path):
    path = tmp_path / "canvas.csv"
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Ex 1 (55)\n"
                    "    Points Possible,,,,,10\n"
                    '"Lovelace, Ada",101,s1,ada,A,\n')
    (student,) = roster.read_roster(path)
    assert (student.student_id, student.canvas_id, student.name) == ("s1", "101", "Lovelace, Ada")
    path.write_text("\ufeffFirst name,Last name,ID number,Email address\nAda,Lovelace,s1,a@x\n")
    (student,) = roster.read_roster(path)
    assert (student.student_id, student.name, student.pattern) == ("s1", "Ada Lovelace", "*s1*")


@pytest.mark.parametrize("text, message", [
    ("name,email\nAda,a@x\n", "no student id column"),
    ("student_id,name\ns1,Ada\ns1,Alan\n", "student id 's1' is already on line 2"),
    ("student_id,name\n,Ada\n", "line 2: the student id is empty"),
])
def test_a_bad_roster_is_refused_saying_why(tmp_path, text, message):
    (tmp_path / "r.csv").write_text(text)
    with pytest.raises(roster.RosterError, match=message):
        roster.read_roster(tmp_path / "r.csv")


def test_statuses_say_exactly_what_happened():
    questions = [
        question("q1", 2, 0, "forbidden", ["calls course_lib"],
                 ["Your function calls course_lib's course_lib.optim.adam.Adam.step: this "
                  "question asks you to write it yourself, so it scores 0."]),
        question("q2", 1, 0.5, "partial", ["passed", "error"], ["Case 2: TimeLimit: the call "
                                                                "ran longer than 1 s"], 1),
        question("q3", 1, 0, "error", ["error"], ["Case 1: TypeError: bad", "  inputs: 1"]),
        question("q4", 1, 0, "missing", [], ["no function named kappa"]),
        question("q5", 1, 0, "not implemented", ["not implemented yet"]),
        question("q6", 1, 0, "failed", ["failed"], ["Case 1: the result: expected 1, got 2"]),
    ]
    assert gradebook.exact_status(["errors in cells 4"], questions) == (
        "errors in cells 4; q1 forbidden: calls course_lib.optim.adam.Adam.step; "
        "q3 raised TypeError; q4 missing: no function named kappa; 1 answer out of time; "
        "not implemented: q5")
    assert gradebook.exact_status([], [question("q1", 1, 0, "failed", ["failed"])]) == "ok"


def test_lateness_from_the_timestamps_file_else_the_file_time(graded, tmp_path):
    ada = graded["tmp"] / "ada_ex.ipynb"
    ada.write_text("{}")
    (tmp_path / "times.csv").write_text("file,submitted_at\nada_ex.ipynb,2026-03-02T19:30:00Z\n")
    times = roster.read_timestamps(tmp_path / "times.csv")
    deadline = roster.parse_time("2026-03-02T17:00:00", "--deadline")
    export(graded["out"], Options(students=graded["students"], timestamps=times,
                                  deadline=deadline), lambda p, t: p.write_text(t))
    row = read(graded["out"] / "grades.csv")[0]
    assert (row["submitted_at"] == "2026-03-02T19:30:00+00:00" and row["late_hours"] == "2.5"
            and row["late"] == "yes")
    export(graded["out"], Options(students=graded["students"],
                                  deadline=datetime(2100, 1, 1, tzinfo=timezone.utc)),
           lambda p, t: p.write_text(t))
    row = read(graded["out"] / "grades.csv")[0]  # the file's own time, before 2100
    assert row["late_hours"] == "0.0" and row["submitted_at"].startswith("20")


def test_a_bad_time_is_refused_saying_what_is_allowed():
    with pytest.raises(roster.RosterError, match="ISO 8601"):
        roster.parse_time("next friday", "--deadline")


def test_learner_chosen_names_are_not_formulas(tmp_path):
    out = tmp_path / "out"
    write_feedback(out, [record("=cmd.ipynb")])
    export(out, Options(), lambda p, t: p.write_text(t))
    rows = list(csv.reader(io.StringIO((out / "grades.csv").read_text())))
    assert rows[1][3].startswith("'")


def test_a_student_s_report_leaves_out_the_cells_named_for_the_instructor():
    from course_grader.report import report_html

    page = report_html(record("x.ipynb", status="errors in cells 2; read cell 4: setprofile can "
                                                "get answers from course_lib unseen"))
    assert "errors in cells 2" in page and "setprofile" not in page
