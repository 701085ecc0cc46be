"""``python -m course_grader SUBMISSION_OR_FOLDER... --out DIR``: grade a class.

Each notebook is run in its own isolated child process (see ``sandbox``);
grades go to DIR/grades.csv and feedback to DIR/feedback/<name>.json.
"""

import argparse
import sys

from course_grader.batch import grade_all
from course_grader.export import Options, read_all_marks
from course_grader.gradebook import FORMATS
from course_grader.roster import RosterError, parse_time, read_roster, read_timestamps
from course_grader.sandbox import Limits, isolation
from course_grader.seeds import SEED_LIMIT, Seeding
from course_grader.written import WrittenError
from course_lib.grading.grade import CALL_SECONDS


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m course_grader",
        description="Grade submitted exercise notebooks, each in an isolated child process.")
    parser.add_argument("paths", nargs="+", metavar="SUBMISSION_OR_FOLDER",
                        help="notebooks, or folders searched for *.ipynb")
    parser.add_argument("--out", required=True, help="folder for grades.csv and feedback/")
    parser.add_argument("--exercise", help="grade every submission as this exercise "
                        "(default: the notebook's metadata.course.exercise, else its file name)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="submissions graded at once (default 1)")
    parser.add_argument("--timeout", type=float, default=CALL_SECONDS,
                        help=f"seconds allowed per cell and per function call (default "
                             f"{CALL_SECONDS:g}, as in the learners' check), and 6 times this "
                             "for the whole submission, reruns included")
    parser.add_argument("--redo", action="store_true",
                        help="grade again submissions already graded with the same content "
                             "and seed")
    parser.add_argument("--no-bubblewrap", action="store_true",
                        help="do not use bubblewrap even if it is installed (weaker isolation: "
                             "see the README's table)")
    parser.add_argument("--seed", type=int, help="the seed of every question's test inputs "
                        "(default: one fixed per exercise, recorded in the output)")
    parser.add_argument("--variants", action="store_true",
                        help="give each student their own test inputs, from a seed derived "
                             "from their student id (recorded; a regrade gets the same)")
    parser.add_argument("--roster", help="CSV of the class: student_id, and name, email, "
                        "pattern (a file-name glob), canvas_id, sis_login_id, section")
    parser.add_argument("--format", action="append", choices=FORMATS, default=[],
                        help="also write this LMS's gradebook import file (repeatable); "
                             "grades.csv (plain) is always written")
    parser.add_argument("--deadline", help="ISO 8601 date and time (UTC unless it says "
                        "otherwise), e.g. 2026-03-02T17:00Z: fills the late_hours column")
    parser.add_argument("--timestamps", help="CSV with the columns file and submitted_at "
                        "(default: each file's modification time)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0:
        parser.error("--jobs must be ≥ 1 and --timeout > 0")
    if args.seed is not None and not 0 <= args.seed < SEED_LIMIT:
        parser.error(f"--seed must be an integer from 0 to {SEED_LIMIT - 1}")
    if {"canvas", "moodle"} & set(args.format) and not args.roster:
        parser.error("--format canvas or moodle needs --roster: an LMS matches rows by student")
    try:
        args.options = Options(
            students=read_roster(args.roster) if args.roster else None,
            formats=("plain", *args.format),
            timestamps=read_timestamps(args.timestamps) if args.timestamps else {},
            deadline=parse_time(args.deadline, "--deadline") if args.deadline else None,
            exercises=(args.exercise,) if args.exercise else ())
        read_all_marks(args.out)  # a mark that is not a number stops the run before grading
    except (RosterError, WrittenError) as error:
        parser.error(str(error))
    return args


def main(argv=None):
    args = parse_args(argv)
    limits = Limits(cell_seconds=args.timeout, total_seconds=6 * args.timeout)
    use_bubblewrap = not args.no_bubblewrap
    print(f"isolation: {isolation(use_bubblewrap).describe()}", file=sys.stderr)
    records = grade_all(args.paths, args.out, args.exercise, args.jobs, limits, args.redo,
                        use_bubblewrap, seeding=Seeding(args.seed, args.variants),
                        options=args.options)
    print(f"graded {len(records)} submissions; wrote {args.out}/grades.csv, "
          f"{args.out}/reports/index.html and the review sheets in {args.out}/written/",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
