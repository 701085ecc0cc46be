"""``python -m course_grader SUBMISSION_OR_FOLDER... --out DIR``: grade a class.

Each notebook is run in its own isolated child process (see ``sandbox``);
grades go to DIR/grades.csv and feedback to DIR/feedback/<name>.json.
"""

import argparse
import sys

from course_grader.batch import grade_all
from course_grader.sandbox import Limits, isolation


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
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds allowed per cell and per function call (default 20), "
                             "and 6 times this for a whole run of the notebook")
    parser.add_argument("--redo", action="store_true",
                        help="grade again submissions already graded with the same content")
    parser.add_argument("--no-bubblewrap", action="store_true",
                        help="do not use bubblewrap even if it is installed (weaker isolation)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0:
        parser.error("--jobs must be ≥ 1 and --timeout > 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    limits = Limits(cell_seconds=args.timeout, total_seconds=6 * args.timeout)
    use_bubblewrap = not args.no_bubblewrap
    print(f"isolation: {isolation(use_bubblewrap).describe()}", file=sys.stderr)
    records = grade_all(args.paths, args.out, args.exercise, args.jobs, limits, args.redo,
                        use_bubblewrap)
    print(f"wrote {args.out}/grades.csv ({len(records)} submissions)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
