"""Grading a class: every submission in its own isolated child, then the gradebook and reports.

For each submitted notebook the parent (this process, trusted) reads the code
cells, draws every question's test inputs from the submission's seed (fixed
per exercise, or per student with ``--variants``: see ``seeds``), and hands
both to a child process (``child``, isolated by ``sandbox``). The child runs
the cells and calls the learner's functions — an answer that builds on an
earlier one (``Question.builds_on``) with a correct version of the earlier
function in its place; the parent reads back only plain data, computes the
expected values from the reference itself and scores them with the same code
as ``check``. A child that crashes (segfault, ``os._exit``, killing itself)
is rerun without the cell or question that crashed it, so the honest answers
still earn their points.

Each submission's record goes to ``OUT/feedback/<name>.json`` (written to a
temporary file and renamed into place); then ``export`` rebuilds the
gradebooks, review sheets and reports from all the records in OUT. A
submission whose feedback already records the same content hash and seed is
not graded again unless ``redo`` is set. Submissions are only ever read.
"""

import inspect
import json
import os
import signal
import stat
import sys
import tempfile
import textwrap
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from course_grader.answers import answer_sources, names_used
from course_grader.export import Options, export
from course_grader.gradebook import exact_status
from course_grader.notebook import BadNotebook, content_hash, read_submission
from course_grader.roster import match
from course_grader.sandbox import Limits, isolation, run_job
from course_grader.seeds import Seeding
from course_grader.source_scan import (
    evasive_in_source,
    forbidden_in_cells,
    forbidden_in_source,
    parse_cells,
)
from course_grader.text import clean, clean_all, path_text
from course_lib.grading import plain, registry
from course_lib.grading.grade import Outcome, QuestionResult, grade_question, missing_result
from course_lib.grading.watch import dotted_name

MAX_RESTARTS = 3  # reruns after a crash or a runaway cell, each skipping the culprit
NAME_LIMIT = 100  # bytes of a feedback file's name (twice, with its folder's)
MAX_CELLS = 10_000
CRASH_OUTPUT = 200  # characters of output kept from a run a cell crashed
STATUS_LIMIT = 1000  # characters of a status (learner text in it is cut shorter still)
RESERVED_NAMES = {"index"}  # reports/index.html lists the whole class


def find_submissions(paths, out):
    """The notebooks named by ``paths`` (files, or folders searched recursively without
    following symbolic links), minus OUT. A symbolic link or special file named *.ipynb is
    listed, to be graded 0 with the reason."""
    out = Path(out).resolve()
    found = []
    for path in map(Path, paths):
        if _is_real_folder(path):
            for folder, folders, files in os.walk(path):  # does not enter linked folders
                folders[:] = sorted(name for name in folders if name != ".ipynb_checkpoints"
                                    and Path(folder, name).resolve() != out)
                found += [Path(folder, name) for name in sorted(files) if name.endswith(".ipynb")]
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _is_real_folder(path):
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def feedback_names(submissions):
    """A distinct file-name-safe name per submission: its stem, or folder__stem when stems clash;
    never ``index`` (reports/index.html is the class's list)."""
    def safe(text):  # short enough for ".<name>.json.XXXXXXXX" to fit in 255 bytes
        text = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).lstrip(".")
        return text.encode()[:NAME_LIMIT].decode(errors="ignore") or "_"

    stems = [safe(path.stem) for path in submissions]
    names = []
    for path, stem in zip(submissions, stems):
        name = stem if stems.count(stem) == 1 else f"{safe(path.resolve().parent.name)}__{stem}"
        while name in names or name.lower() in RESERVED_NAMES:
            name += "_"
        names.append(name)
    return names


def exercise_of(path, submission, override):
    """--exercise, else the notebook's metadata, else the longest exercise name in the file name."""
    if override:
        return override
    if submission is not None and submission.exercise:
        return submission.exercise
    return _exercise_in_name(path)


def _exercise_in_name(path):
    matches = [name for name in registry.exercises() if name in Path(path).stem]
    return max(matches, key=len) if matches else None


def grade_submission(path, exercise=None, limits=Limits(), use_bubblewrap=True,
                     seeding=Seeding(), student_id=None, hide=()):
    """Grade one notebook → its feedback record (a JSON-ready dict, every string in it safe
    to write anywhere). Its test inputs come from ``seeding`` (see ``seeds``), for
    ``student_id`` (default: the file name). ``hide``: folders the child must not read (see
    ``run_job``)."""
    record = _grade_submission(path, exercise, limits, use_bubblewrap, hide, seeding,
                               student_id)
    record["status"] = clean(record["status"], STATUS_LIMIT)
    return clean_all(record)


def _grade_submission(path, exercise, limits, use_bubblewrap, hide, seeding, student_id):
    started = time.monotonic()
    record = {"file": path_text(path), "sha256": None, "exercise": None, "mtime": _mtime(path),
              "score": 0.0, "max_score": 0.0, "status": "", "isolation":
              isolation(use_bubblewrap).describe(), "questions": [], "cells": [], "output": "",
              "notes": [], "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    try:
        submission = read_submission(path)
        record["sha256"] = submission.sha256
    except BadNotebook as error:
        submission, record["status"] = None, f"invalid notebook: {error}"
    record["exercise"] = exercise_of(path, submission, exercise)
    try:
        questions = registry.questions(record["exercise"])
    except KeyError:
        record["exercise"] = clean(record["exercise"], 80)  # the notebook's own, untrusted text
        record["status"] = record["status"] or f"unknown exercise {record['exercise']!r}"
        return record
    record["max_score"] = float(sum(q.points for q in questions))
    if submission is None:
        record["questions"] = [missing_result(q, "the submission could not be read").to_dict()
                               for q in questions]
        return record
    record["notes"] += submission.notes
    record["written"] = submission.written or []
    seed = seeding.seed(record["exercise"], student_id or Path(path).stem)
    results, problems = _grade_cells_and_questions(submission, questions, limits, use_bubblewrap,
                                                   record, seed, hide)
    named = _exercise_in_name(path)
    if not exercise and named not in (None, record["exercise"]):  # another exercise's answers?
        problems.insert(0, f"graded as {record['exercise']} (the notebook's metadata) but the "
                           f"file name says {named}")
    elif not exercise and named is None:  # an easier exercise's name in the metadata?
        problems.insert(0, f"graded as {record['exercise']} from the notebook's metadata alone "
                           "(the file name names no exercise; --exercise decides for a folder)")
    record["questions"] = results
    record["score"] = round(sum(result["score"] for result in results), 6)
    record["status"] = exact_status(problems, results)
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


def _correct_earlier_answers(questions):
    """What ``run_job`` sends the child once the questions that stand alone are reported: the
    correct earlier answers the others are graded with (None if no question builds on one).
    Sent any sooner, the learner's code could find them in the child's memory (``gc``) and
    hand them in as its own; sent then, they come too late to change any score but theirs."""
    message = {q.id: {name: _portable(f) for name, f in q.builds_on.items()}
               for q in questions if q.builds_on}
    return (message, [q.id for q in questions if not q.builds_on]) if message else None


def _portable(function):
    """A correct earlier answer as the child rebuilds it: its source and the modules it uses
    (the questions' folder, where it is defined, is hidden from the child)."""
    scope = function.__globals__
    modules = {name: scope[name].__name__ for name in function.__code__.co_names
               if isinstance(scope.get(name), types.ModuleType)}
    return {"name": function.__name__, "source": textwrap.dedent(inspect.getsource(function)),
            "modules": modules}


def _mtime(path):
    try:
        return datetime.fromtimestamp(os.lstat(path).st_mtime, timezone.utc).isoformat()
    except OSError:
        return None


def _grade_cells_and_questions(submission, questions, limits, use_bubblewrap, record, seed,
                               hide):
    seed, record["seed_source"] = seed
    record["seed"] = seed
    cases = {q.id: q.inputs(np.random.default_rng([seed, index]))
             for index, q in enumerate(questions)}
    job = {"cells": submission.cells, "cell_numbers": submission.numbers,
           "skip_cells": [], "skip_questions": [],
           "cell_seconds": limits.cell_seconds,
           "questions": [{"id": q.id, "function": q.function,
                          "cases": [plain.encode(case) for case in cases[q.id]],
                          "forbidden": [dotted_name(f) for f in q.forbidden],
                          "builds_on": sorted(q.builds_on)}
                         for q in questions]}
    later = _correct_earlier_answers(questions)
    problems, crashes = [], {}  # crashes: cell index -> what happened, with its last output
    reported = {}  # question id -> the child's first report of it, over all runs
    deadline, sources = time.monotonic() + limits.total_seconds, None  # one for all the reruns
    for _ in range(MAX_RESTARTS + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            problems.append(f"no time left of the {limits.total_seconds:g} s for another run")
            break
        run = run_job(job, limits, remaining, use_bubblewrap, hide, later)
        result = run.result or {}
        for qid, body in (result.get("questions") or {}).items():
            reported.setdefault(qid, body)  # the first report stands, across reruns too
        sources = sources or result.get("sources")  # from the first run that sent them
        if run.output_total > limits.output_bytes:
            problems.append(f"output cut to {limits.output_bytes} of {run.output_total} bytes")
        running = result.get("running")
        if result.get("done"):  # every cell run and every function called
            break
        how = (f"ran past the {limits.total_seconds:g} s limit for the whole notebook"
               if run.timed_out
               else f"ignored the {limits.cell_seconds:g} s time limit" if run.ignored_time_limit
               else f"wrote more than {limits.disk_bytes // 2**20} MiB of files" if run.disk_full
               else f"used more than {limits.memory_bytes / 2**30:g} GiB of memory"
               if run.out_of_memory else _death(run.returncode))
        cell = _cell_index(running, job)
        question = running.get("question") if isinstance(running, dict) else None
        if cell is None and not (isinstance(question, str) and question in cases):
            problems.append(f"the grading process {how} and left no readable result")
            break
        problems.append(f"{_where(running, submission)} {how}; graded again without it")
        if cell is not None:
            job["skip_cells"].append(cell)
            last = clean(run.output[-CRASH_OUTPUT:].strip(), CRASH_OUTPUT)
            crashes[cell] = how + (f"; its last output: {last}" if last else "")
        else:
            job["skip_questions"].append(question)
    record["output"] = run.output
    record["cells"] = _cell_statuses(result.get("cells"))[: len(submission.cells)]
    for index, what in crashes.items():
        if index < len(record["cells"]) and record["cells"][index]["status"] == "skipped":
            record["cells"][index]["error"] = what
    for index, cell in enumerate(record["cells"]):  # the numbers a learner counts in JupyterLab
        cell["cell"] = submission.number(index)
    for kind, label in (("timeout", "out of time in cells"), ("error", "errors in cells")):
        numbers = [str(cell["cell"]) for cell in record["cells"] if cell["status"] == kind]
        if numbers:
            problems.insert(0, f"{label} {', '.join(numbers)}")
    returned = reported
    if sources is None or len(sources) != len(submission.cells):
        sources = [""] * len(submission.cells)  # nothing ran: nothing to read
        problems.append("the grader got no readable copy of the cells from the child")
    trees = parse_cells(sources)  # once: a notebook may be 1 MB of code
    results = []
    for q in questions:
        result = _question_result(q, cases[q.id], returned.get(q.id), trees).to_dict()
        result["timeouts"] = _timeouts(returned.get(q.id))
        result["details"] += _builds_on_notes(q, questions, trees)
        results.append(result)
    record["answers"] = answer_sources(sources, trees, questions)
    suspicious = {submission.number(index - 1): names  # as a learner numbers the cells
                  for index, names in _suspicious_cells(trees, questions).items()}
    if suspicious:
        names = sorted({name for found in suspicious.values() for name in found})
        cells = ", ".join(map(str, sorted(suspicious)))
        problems.append(f"read cell{'s' * (len(suspicious) > 1)} {cells}: {', '.join(names)} "
                        "can get answers from course_lib unseen")
    return results, problems


def _timeouts(returned):
    """How many calls of one answer ran out of time (read from the child's untrusted data)."""
    outcomes = returned.get("outcomes") if isinstance(returned, dict) else None
    return sum(1 for o in outcomes if isinstance(o, dict) and "timeout" in o
               ) if isinstance(outcomes, list) else 0


def _builds_on_notes(question, questions, trees):
    """Say so when an answer calling an earlier one was graded with a correct version of it."""
    used = names_used(trees, question.function)
    notes = []
    for name in question.builds_on:
        if name in used:
            earlier = next((q.id for q in questions if q.function == name), None)
            notes.append(f"Graded with the course's {name} in place of yours"
                         + (f" (question {earlier} grades yours)" if earlier else "")
                         + ", so a mistake there costs that question only.")
    return notes


def _suspicious_cells(trees, questions):
    """{cell number: names}: cells using tools that evade the watch for forbidden calls, or a
    forbidden course_lib function outside the answers (the answers themselves score 0)."""
    found = {number: set(names) for number, names in evasive_in_source(trees).items()}
    forbidden = {f.__name__ for q in questions for f in q.forbidden}
    answers = {q.function for q in questions}
    for number, names in forbidden_in_cells(trees, forbidden, answers).items():
        found.setdefault(number, set()).update(f"course_lib's {name}" for name in names)
    return found


def _cell_index(running, job):
    index = running.get("cell") if isinstance(running, dict) else None
    return index if type(index) is int and 0 <= index < len(job["cells"]) else None


def _where(running, submission):
    if isinstance(running, dict) and type(running.get("cell")) is int:
        return f"cell {submission.number(running['cell'])}"
    if isinstance(running, dict) and type(running.get("transform")) is int:
        return f"reading cell {submission.number(running['transform'])}"
    return (f"question {clean(running.get('question'), 40)}" if isinstance(running, dict)
            else "start-up")


def _death(returncode):
    number = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else None
    if number:  # bubblewrap reports a child killed by signal n as 128 + n
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"
    return f"exited (code {returncode})"


def _cell_statuses(cells):
    statuses = []
    for cell in cells[:MAX_CELLS] if isinstance(cells, list) else []:
        status = cell.get("status") if isinstance(cell, dict) else None
        error = cell.get("error") if isinstance(cell, dict) else None
        statuses.append({"status": status if status in ("ok", "error", "timeout", "skipped",
                                                        "not attempted") else "unknown",
                         "error": clean(error, 300) if error else None})
    return statuses


def _question_result(question, cases, returned, trees):
    named = _forbidden_names_in_cells(question, trees)
    if named:
        return QuestionResult(
            question.id, question.title, float(question.points), 0.0, "forbidden", [],
            [f"Your function {question.function} uses course_lib's {', '.join(sorted(named))}: "
             "this question asks you to write it yourself, so it scores 0."])
    if not isinstance(returned, dict):
        return missing_result(question, "the grader got no result for this question "
                                        "(the notebook stopped before it was reached)")
    if "missing" in returned:
        return missing_result(question, clean(returned["missing"], 300))
    outcomes = returned.get("outcomes")
    outcomes = [_outcome(o) for o in outcomes] if isinstance(outcomes, list) else []
    outcomes = outcomes[: len(cases)]
    if outcomes and (outcomes[-1].not_implemented or outcomes[-1].forbidden
                     or outcomes[-1].timed_out is not None):
        outcomes += [outcomes[-1]] * (len(cases) - len(outcomes))
    outcomes += [Outcome(error="no result came back for this case")] * (len(cases) - len(outcomes))
    return grade_question(question, cases, outcomes)


def _outcome(entry):
    """One case's outcome from the child's (untrusted) record: a value (and the arguments it
    changed in place), an error (and the learner's line that raised it), or why there is none."""
    if not isinstance(entry, dict) or not entry:
        return Outcome(error="malformed result")
    kinds = [key for key in entry if key not in ("changed", "where")]
    if len(kinds) != 1:
        return Outcome(error="malformed result")
    kind, body = kinds[0], entry[kinds[0]]
    if kind == "value":
        changed = entry.get("changed", [])
        if not (isinstance(changed, list) and len(changed) <= 64 and all(
                (type(key) is int and 0 <= key < 64) or (type(key) is str and len(key) <= 100)
                for key in changed)):
            return Outcome(error="malformed result")
        try:
            return Outcome(value=plain.decode(body), changed=changed)
        except (plain.NotPlainData, ValueError, TypeError, OverflowError):
            return Outcome(error="your function returned data the grader cannot read")
    if kind == "error" and isinstance(body, str):
        where = entry.get("where")
        return Outcome(error=clean(body, 300),
                       where=clean(where, 300) if isinstance(where, str) else None)
    if kind == "timeout" and type(body) in (int, float) and 0 < body < 1e6:
        return Outcome(timed_out=float(body))
    if kind == "not_implemented" and body is True:
        return Outcome(not_implemented=True)
    if kind == "forbidden" and isinstance(body, str):
        return Outcome(forbidden=clean(body, 200))
    return Outcome(error="malformed result")


def _forbidden_names_in_cells(question, trees):
    """Forbidden course_lib functions named in the text of the learner's function."""
    names = {f.__name__ for f in question.forbidden}
    return forbidden_in_source(trees, question.function, names) if names else set()


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file and os.replace."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def grade_all(paths, out, exercise=None, jobs=1, limits=Limits(), redo=False,
              use_bubblewrap=True, progress=None, seeding=Seeding(), options=None):
    """Grade every submission under ``paths`` into ``out``, then rebuild the gradebooks, review
    sheets and reports from all the feedback in ``out`` (``export``) → this run's records.

    Each submission is graded, written and reported inside its own handler: whatever one
    submission does (or whatever goes wrong with it), the others are graded."""
    out, progress = Path(out), progress or sys.stderr
    options = options or Options(exercises=(exercise,) if exercise else ())
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    submissions = find_submissions(paths, out)
    names = feedback_names(submissions)
    students, _ = match(options.students or [], submissions)
    records, done, lock = [None] * len(submissions), [0], threading.Lock()
    isolation(use_bubblewrap)  # probe once, before the threads start
    registry.exercises()  # import the question modules once, before the threads start
    hide = [str(out)] + [str(path if _is_real_folder(path) else Path(path).parent)
                         for path in paths]  # the class and the grades, out of the child's reach

    def work(index):
        path, name = submissions[index], names[index]
        target = out / "feedback" / f"{name}.json"
        student_id = students[path].student_id if path in students else path.stem
        record, skipped = None, True
        if not redo:
            record = _previous(target, path, exercise, seeding, student_id)
        if record is None:
            try:
                record = grade_submission(path, exercise, limits, use_bubblewrap, seeding,
                                          student_id, hide)
            except Exception as error:  # a bug or an unreadable file must not stop the class
                record = _failed(path, exercise, error)
            skipped = False
            write_atomically(target, json.dumps(record, indent=1, ensure_ascii=False))
        with lock:
            records[index] = record
            done[0] += 1
            print(clean(f"graded {done[0]}/{len(submissions)}: {path_text(path.name)} "
                        f"{record['score']:g}/{record['max_score']:g} "
                        f"{'(already graded)' if skipped else record['status']}", 2000),
                  file=progress, flush=True)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(work, index): index for index in range(len(submissions))}
        for future in as_completed(futures):
            index = futures[future]
            try:
                future.result()
            except Exception as error:  # writing its feedback failed: the others carry on
                with lock:
                    records[index] = _failed(submissions[index], exercise, error)
    export(out, options, write_atomically)
    return records


def _failed(path, exercise, error):
    """The record of a submission the grader itself failed on, with the reason."""
    return clean_all({"file": path_text(path), "exercise": exercise, "score": 0.0,
                      "max_score": 0.0, "questions": [], "isolation": "",
                      "status": clean(f"grader error: {type(error).__name__}: {error}", 300)})


def _previous(target, path, exercise, seeding, student_id):
    """The earlier record for ``path`` if its content, --exercise and seed are unchanged."""
    try:
        record = json.loads(target.read_text(encoding="utf-8"))
        if (record.get("sha256") is not None and record.get("sha256") == content_hash(path)
                and exercise in (None, record.get("exercise"))
                and record.get("seed") == seeding.seed(record.get("exercise"), student_id)[0]):
            return record
    except (OSError, ValueError, AttributeError):
        pass
    return None
