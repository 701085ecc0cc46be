"""Grading a class end to end, as an instructor runs it: `python -m course_grader`.

Reproducible scores (identical notebooks, reruns, --redo, --variants), one
mistake costing one question, the roster and the LMS files, a regrade keeping
the other rows, written-answer marks merged on the next run, lateness.
"""

import csv
import json

import class_fixtures as cf
import pytest

from course_grader.__main__ import main


def rows_of(path):
    return list(csv.DictReader(path.open(encoding="utf-8")))


def per_question(record):
    return tuple((q["id"], q["score"]) for q in record["questions"])


@pytest.fixture(scope="module")
def class_of_32(tmp_path_factory):
    """8 identical copies of each of 4 different wrong notebooks, graded twice (--redo)."""
    base = tmp_path_factory.mktemp("class")
    folder = base / "submissions"
    folder.mkdir()
    for name in cf.WRONG:
        data = cf.wrong(name)
        for copy in range(8):
            (folder / f"{name}_{copy}.ipynb").write_bytes(data)
    runs = []
    for extra in ([], ["--redo"]):
        assert main([str(folder), "--out", str(base / "out"), "--jobs", "2",
                     "--exercise", cf.EXERCISE, *extra]) == 0
        runs.append({p.stem: json.loads(p.read_text())
                     for p in (base / "out" / "feedback").glob("*.json")})
    return {"base": base, "folder": folder, "runs": runs}


def test_identical_notebooks_get_identical_scores_in_every_run(class_of_32):
    first, second = class_of_32["runs"]
    assert len(first) == 32
    for name in cf.WRONG:
        scores = {per_question(run[f"{name}_{copy}"]) for run in (first, second)
                  for copy in range(8)}
        assert len(scores) == 1, (name, scores)
    assert {r["seed"] for r in first.values()} == {r["seed"] for r in second.values()}
    assert len({r["seed"] for r in first.values()}) == 1  # one seed for the exercise
    assert all(r["seed_source"] == "fixed for the exercise" for r in first.values())


def test_what_each_wrong_notebook_earns(class_of_32):
    run = class_of_32["runs"][0]
    scores = {name: dict(per_question(run[f"{name}_0"])) for name in cf.WRONG}
    assert scores["no_bias_correction"] == {"q1": 2, "q2": 2, "q3": 0, "q4": 2, "q5": 2}
    assert scores["rmsprop_and_run"]["q2"] == 0 and scores["rmsprop_and_run"]["q5"] == 0
    assert scores["adamw_untouched_run"]["q4"] == 0
    assert run["adamw_untouched_run_0"]["status"] == "not implemented: q5"
    lucky = scores["lucky_adagrad"]["q1"]
    assert 0 <= lucky <= 2 and run["lucky_adagrad_0"]["questions"][0]["cases"]


def test_a_wrong_adam_step_costs_only_its_own_question_and_the_feedback_says_why(class_of_32):
    record = class_of_32["runs"][0]["no_bias_correction_0"]
    q3, q4, q5 = record["questions"][2:]
    assert q3["score"] == 0 and q3["mistake"].startswith("bias correction is missing")
    for later in (q4, q5):
        assert later["status"] == "passed"
        assert any("course's adam_step in place of yours" in d and "q3" in d
                   for d in later["details"]), later["details"]
    assert record["score"] == cf.FULL - 3 and record["status"] == "ok"


def test_another_seed_is_recorded_and_graded_the_same_way_twice(class_of_32, tmp_path):
    folder = class_of_32["folder"]
    for _ in range(2):
        main([str(folder / "lucky_adagrad_0.ipynb"), str(folder / "lucky_adagrad_1.ipynb"),
              "--out", str(tmp_path / "out"), "--seed", "12345", "--redo",
              "--exercise", cf.EXERCISE])
        records = [json.loads((tmp_path / "out" / "feedback" / f"lucky_adagrad_{i}.json")
                              .read_text()) for i in (0, 1)]
        assert {r["seed"] for r in records} == {12345}
        assert {r["seed_source"] for r in records} == {"--seed"}
        assert per_question(records[0]) == per_question(records[1])


def test_variants_give_each_student_their_own_inputs_and_regrade_to_the_same(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    data = cf.wrong("lucky_adagrad")
    for student in ("s01", "s02", "s03", "s04", "s05", "s06"):
        (folder / f"{student}.ipynb").write_bytes(data)
    seen = []
    for _ in range(2):
        main([str(folder), "--out", str(tmp_path / "out"), "--variants", "--redo",
              "--exercise", cf.EXERCISE, "--jobs", "2"])
        records = {p.stem: json.loads(p.read_text())
                   for p in (tmp_path / "out" / "feedback").glob("*.json")}
        seen.append({name: (r["seed"], per_question(r)) for name, r in records.items()})
    assert seen[0] == seen[1]
    assert len({seed for seed, _ in seen[0].values()}) == 6
    assert records["s01"]["seed_source"].startswith("variant of student s01")
    # Six students, 4 cases each that pass only when g[0] > 0: the inputs do differ.
    assert len({scores for _, scores in seen[0].values()}) > 1


ROSTER = ("student_id,name,email,pattern,canvas_id,sis_login_id,section\n"
          "s1,Ada Lovelace,ada@example.org,*lovelace*,101,ada,A\n"
          "s2,Alan Turing,alan@example.org,*turing*,102,alan,A\n"
          "s3,Grace Hopper,grace@example.org,*hopper*,103,grace,B\n")


@pytest.fixture
def small_class(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "lovelace_04.ipynb").write_bytes(cf.submission(written={
        "w1": "m_1 = 0.1 and m̂_1 = 1, so the first step is η.", "w2": "Because of √v̂."}))
    (folder / "turing_04.ipynb").write_bytes(cf.wrong("no_bias_correction"))
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "times.csv").write_text("file,submitted_at\n"
                                        "lovelace_04.ipynb,2026-03-02T16:59:00Z\n"
                                        "turing_04.ipynb,2026-03-02T18:00:00Z\n")
    args = [str(folder), "--out", str(tmp_path / "out"), "--exercise", cf.EXERCISE,
            "--roster", str(tmp_path / "roster.csv"), "--format", "canvas", "--format",
            "moodle", "--deadline", "2026-03-02T17:00:00Z",
            "--timestamps", str(tmp_path / "times.csv")]
    assert main(args) == 0
    return {"folder": folder, "out": tmp_path / "out", "args": args}


def test_the_gradebook_lists_the_roster_with_the_missing_student(small_class):
    rows = {row["student_id"]: row for row in rows_of(small_class["out"] / "grades.csv")}
    assert list(rows) == ["s1", "s2", "s3"]
    assert rows["s1"]["score"] == "11.0" and rows["s1"]["status"] == "ok"
    assert rows["s2"]["score"] == "8.0" and rows["s2"]["q3"] == "0.0"
    assert rows["s3"]["status"] == "missing" and rows["s3"]["total"] == "0.0"
    assert (rows["s1"]["late_hours"], rows["s2"]["late_hours"]) == ("0.0", "1.0")
    assert (rows["s1"]["late"], rows["s2"]["late"], rows["s3"]["late"]) == ("no", "yes", "")
    canvas = list(csv.reader((small_class["out"] / f"canvas_{cf.EXERCISE}.csv").open()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", cf.EXERCISE]
    assert [row[2] for row in canvas[1:]] == ["s1", "s2", "s3"]
    moodle = list(csv.reader((small_class["out"] / f"moodle_{cf.EXERCISE}.csv").open()))
    assert moodle[0][4:] == [f"{cf.EXERCISE} (Real)", f"{cf.EXERCISE} (Feedback)"]


def test_a_regrade_of_one_file_keeps_the_other_rows(small_class):
    out = small_class["out"]
    before = rows_of(out / "grades.csv")
    (small_class["folder"] / "turing_04.ipynb").write_bytes(cf.submission())
    args = [a if a != str(small_class["folder"]) else
            str(small_class["folder"] / "turing_04.ipynb") for a in small_class["args"]]
    assert main(args) == 0
    after = rows_of(out / "grades.csv")
    assert [r["student_id"] for r in after] == ["s1", "s2", "s3"]
    assert after[0] == before[0] and after[2] == before[2]
    assert after[1]["score"] == "11.0"


def test_a_mark_entered_in_the_review_sheet_reaches_gradebook_and_report(small_class):
    out = small_class["out"]
    sheet = out / "written" / f"{cf.EXERCISE}.csv"
    rows = rows_of(sheet)
    assert [(r["submission"], r["question"]) for r in rows] == [
        ("lovelace_04", "w1"), ("lovelace_04", "w2"), ("turing_04", "w1"), ("turing_04", "w2")]
    assert rows[0]["answer"] == "m_1 = 0.1 and m̂_1 = 1, so the first step is η."
    assert rows[2]["answer"] == ""  # Turing left the placeholder
    assert "Question 3b" in (out / "written" / f"{cf.EXERCISE}.html").read_text()
    rows[0]["mark"], rows[0]["comment"] = "1.5", "Right, and well put."
    with sheet.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(small_class["args"]) == 0
    ada = rows_of(out / "grades.csv")[0]
    assert ada["w1"] == "1.5" and ada["total"] == "12.5" and ada["score"] == "11.0"
    report = (out / "reports" / "lovelace_04.html").read_text()
    assert "Right, and well put." in report and "mark 1.5" in report
    assert rows_of(sheet)[0]["mark"] == "1.5"  # kept in the rewritten sheet
    canvas = list(csv.reader((out / f"canvas_{cf.EXERCISE}.csv").open()))
    assert canvas[1][5] == "12.5"


def test_a_bad_mark_stops_the_run_before_grading_saying_where(small_class, capsys):
    sheet = small_class["out"] / "written" / f"{cf.EXERCISE}.csv"
    rows = rows_of(sheet)
    rows[1]["mark"] = "good"
    with sheet.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(SystemExit) as stop:
        main(small_class["args"])
    assert stop.value.code == 2
    assert "line 3: the mark 'good' is not a number" in capsys.readouterr().err


def test_reports_are_self_contained_and_escape_the_submission(small_class):
    out = small_class["out"]
    index = (out / "reports" / "index.html").read_text()
    assert "lovelace_04.html" in index and "Grace Hopper" in index
    report = (out / "reports" / "turing_04.html").read_text()
    assert "<script" not in report and "Content-Security-Policy" in report
    assert "bias correction is missing" in report and "def adam_step" in report
