"""Everything an instructor reads after grading, rebuilt from all feedback in the output folder.

After each run (and from nothing but ``OUT/feedback/*.json``, the roster and
the review sheets): the written answers are collected and the marks entered in
``OUT/written/<exercise>.csv`` merged in; then the review sheets, the
gradebook (``grades.csv`` and the Canvas or Moodle files asked for) and the
HTML reports are written. Files graded earlier keep their rows, so grading a
few files again changes only theirs.
"""

from dataclasses import dataclass, field
from pathlib import Path

from course_grader import gradebook, report, written
from course_grader.roster import match


@dataclass
class Options:
    students: list = None  # the roster, or None
    formats: tuple = ("plain",)
    timestamps: dict = field(default_factory=dict)
    deadline: object = None
    exercises: tuple = ()  # exercises every rostered student is listed for


def read_all_marks(out):
    """{(submission, question): …} from every review sheet in ``out/written`` (WrittenError if
    a mark cannot be read): the command line reads them before grading, so a typo stops the
    run at once."""
    marks = {}
    for path in sorted((Path(out) / "written").glob("*.csv")):
        marks.update(written.read_marks(path))
    return marks


def export(out, options, write):
    """Write the review sheets, gradebooks and reports → the gradebook rows."""
    records = list(gradebook.read_records(out).values())
    written.collect(records)
    written.merge_marks(records, read_all_marks(out))
    students = {}
    if options.students is not None:
        matched, _ = match(options.students, [r["file"] for r in records])
        students = {r["name"]: matched[r["file"]] for r in records if r["file"] in matched}
    written.write_sheets(out, records, students, write)
    rows = gradebook.build_rows(records, options.students, options.exercises,
                                options.timestamps, options.deadline)
    gradebook.write_gradebooks(out, rows, options.formats, write)
    report.write_reports(out, rows, write)
    return rows
