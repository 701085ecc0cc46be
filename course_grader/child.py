"""The batch grader's child process: run one submission's cells, call its functions.

Started by ``sandbox`` as ``python -I -m course_grader.child`` inside the
isolation. It reads its job (the code cells and, per question, the function
name and the test inputs as plain data) as one line of JSON from stdin; the
correct earlier answers that later questions build on (04's ``adam_step``)
come as a second line, which the parent sends only once every other question
has been reported (see ``call_functions``). Before any of the
learner's code runs, it turns every cell into plain Python (IPython's magics
become calls; each cell under the time limit) and sends that text to the
parent, which reads it for forbidden calls. It then runs the cells in order in
one fresh namespace — each error caught, each cell under a time limit — and
calls each learner function on each test case, reporting as it goes (one JSON
object per line on the pipe the parent made: which cell or call is running,
each cell's status, each question's outcomes), so a crash loses nothing
already done and the parent knows which cell to skip on a rerun. It then exits
at once (``os._exit``): a thread the notebook started cannot keep it alive.

Nothing here is trusted once the first cell has run: the learner's code runs
in this process and may change anything in it. The parent decodes what comes
back with ``plain.decode`` and computes the expected values itself; the
references are not in this process (their folder is hidden from it), and the
one piece of correct code it ever receives arrives after the answers it could
serve are scored.
"""

import contextlib
import importlib
import json
import linecache
import os
import re
import signal
import sys

import numpy as np
from IPython.core.inputtransformer2 import TransformerManager

import course_lib.grading
from course_lib.grading import plain
from course_lib.grading.grade import error_text, run_case
from course_lib.grading.watch import resolve

VALUE_LIMIT = 2**20  # bytes of JSON one call may return (a right answer is a few kB) ...
VALUE_BUDGET = 8 * 2**20  # ... and all calls together, well inside what the grader reads
_exit = os._exit  # kept before any learner code could replace it


class TimeLimit(BaseException):
    """Raised in the learner's code when a cell or a call runs out of time."""


def _on_alarm(signum, frame):
    raise TimeLimit()


class GraderShell:
    """The few IPython magics an exercise notebook may use; others fail cleanly.

    ``%matplotlib``, ``%load_ext``, ``%autoreload`` and ``%config`` do nothing
    (figures are drawn off-screen); ``%time``, ``%timeit``, ``%%time``,
    ``%%timeit`` and ``%%capture`` run their code once.
    """

    def __init__(self, namespace):
        self.namespace = namespace

    def run_line_magic(self, name, line, _stack_depth=None):
        if name in ("matplotlib", "load_ext", "autoreload", "config"):
            return
        if name in ("time", "timeit"):
            statement = re.sub(r"^(\s*-\w+(\s+\d+)?)*", "", line).strip()  # drop -n 10 -r 3
            exec(compile(statement, "<magic>", "exec"), self.namespace)
            return
        raise RuntimeError(f"the magic %{name} is not available in the batch grader")

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit", "capture"):
            exec(compile(cell, "<magic>", "exec"), self.namespace)
            return
        raise RuntimeError(f"the cell magic %%{name} is not available in the batch grader")

    def system(self, command):
        raise RuntimeError("shell commands (!...) are not run by the batch grader")

    getoutput = system


def _recording_checker(checked):
    def checker(exercise):
        def check(qid, function=None):
            if callable(function):
                checked[qid] = function
        return check
    return checker


def _transform(source):
    return TransformerManager().transform_cell(source)


class Report:
    """The reports to the parent: one JSON object per line on the pipe ``fd``."""

    def __init__(self, fd):
        self.fd = fd
        self.budget = VALUE_BUDGET  # bytes of returned values still allowed

    def send(self, kind, body):
        data = (json.dumps({kind: body}) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data):]


def transform_cells(job, report):
    """Every cell as plain Python, sent to the parent before any of it runs → the sources
    (None for a cell that could not be turned into Python in time, or at all)."""
    sources = []
    for index, source in enumerate(job["cells"]):
        report.send("running", {"transform": index})
        try:
            sources.append(_timed(job["cell_seconds"], _transform, source))
        except TimeLimit:
            sources.append(TimeLimit)
        except Exception as error:
            sources.append(error)
    report.send("sources", [text if isinstance(text, str) else "" for text in sources])
    return sources


def run_cells(job, sources, namespace, report):
    numbers = job.get("cell_numbers") or list(range(1, len(sources) + 1))  # as a learner counts
    for index, source in enumerate(sources):
        if index in job["skip_cells"]:
            report.send("cell", {"status": "skipped", "error": "crashed the process"})
            continue
        report.send("running", {"cell": index})
        entry = {"status": "ok"}
        try:
            if source is TimeLimit:
                raise TimeLimit()
            if isinstance(source, Exception):
                raise source
            filename = f"<cell {numbers[index]}>"  # the learner's line is shown from it
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            _timed(job["cell_seconds"], exec, compile(source, filename, "exec"), namespace)
        except TimeLimit:
            entry = {"status": "timeout", "error": f"ran longer than {job['cell_seconds']} s"}
        except NotImplementedError:  # a task the learner has not done (yet): not an error
            entry = {"status": "not attempted"}
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            entry = {"status": "error", "error": error_text(error)}
        report.send("cell", entry)


def _timed(seconds, function, *args):
    """``function(*args)`` with SIGALRM armed for ``seconds``, disarmed before any handler of
    the caller runs (an alarm landing in an ``except`` block would escape it)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def call_functions(job, namespace, checked, report, stdin):
    signal.signal(signal.SIGALRM, _on_alarm)  # the learner's cells may have replaced it
    substitutes = None
    for spec in _in_order(job["questions"]):
        qid = spec["id"]
        if qid in job["skip_questions"]:
            report.send("question", [qid, {"missing": "calling your function crashed the process"}])
            continue
        function = namespace.get(spec["function"])
        if not callable(function):
            function = checked.get(qid)
        if not callable(function):
            report.send("question", [qid, {"missing": f"no function named {spec['function']}"}])
            continue
        if spec["builds_on"] and substitutes is None:
            substitutes = _substitutes(stdin, report, qid)
        if spec["builds_on"] and qid not in substitutes:
            report.send("question", [qid, {"missing": (
                f"the course's {', '.join(spec['builds_on'])}, which this answer is graded "
                "with, never arrived: your code read or closed the grader's input")}])
            continue
        forbidden = _resolved(spec["forbidden"])
        outcomes = []
        with _substituted(function, substitutes.get(qid, {}) if spec["builds_on"] else {}):
            for number, case in enumerate(spec["cases"]):
                report.send("running", {"question": qid, "case": number})
                outcome = _call(function, plain.decode(case), forbidden, job["cell_seconds"])
                outcome = _within_budget(outcome, report)
                outcomes.append(outcome)
                if "not_implemented" in outcome or "forbidden" in outcome or "timeout" in outcome:
                    break  # as check does: the cases after a time-out are not run
        report.send("question", [qid, {"outcomes": outcomes}])
    report.send("done", True)


def _in_order(questions):
    """The questions whose answers stand alone first, then those graded with a correct earlier
    answer in place (``builds_on``), whose code reaches this process only then."""
    return sorted(questions, key=lambda spec: bool(spec["builds_on"]))


def _substitutes(stdin, report, qid):
    """``{question id: {name: source}}``: the correct earlier answers, the job's second line.
    The parent sends it once it holds a report of every question that stands alone, and keeps
    the first report of each question (across reruns too): whatever the learner's code does
    with this code from now on, it cannot change the score of an answer it could replace.
    Reported as the first call of ``qid``: if the learner's code took the line (or closed
    stdin), the parent's watchdog ends the wait as it would a call that ran too long."""
    report.send("running", {"question": qid, "case": 0})
    try:
        substitutes = json.loads(stdin.readline())
    except (ValueError, OSError):  # the learner's code read or closed stdin
        return {}
    return substitutes if isinstance(substitutes, dict) else {}


def _resolved(names):
    """The forbidden functions this process can reach: those defined beside the questions are
    not (their folder is hidden from the child), so no answer can call them either."""
    found = []
    for name in names:
        try:
            found.append(resolve(name))
        except ImportError:
            pass
    return found


@contextlib.contextmanager
def _substituted(function, substitute):
    """The learner's earlier answers this one may call (``{name: source}``, see
    ``batch._portable``) replaced in its namespace by correct versions while it is graded, then
    put back."""
    namespace = getattr(function, "__globals__", None)
    if not substitute or not isinstance(namespace, dict):
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in substitute}
    namespace.update({name: _built(spec) for name, spec in substitute.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _built(spec):
    """A function from its source and the modules it uses (``{"np": "numpy"}``)."""
    scope = {alias: importlib.import_module(module) for alias, module in spec["modules"].items()}
    exec(compile(spec["source"], "<a correct earlier answer>", "exec"), scope)
    return scope[spec["name"]]


def _within_budget(outcome, report):
    """The outcome, or an error if its value is too large to send back: an answer gone wrong
    (an n×n array for a vector) must not make the results unreadable for all the others."""
    if "value" not in outcome:
        return outcome
    size = len(json.dumps(outcome["value"]))
    if size > min(VALUE_LIMIT, report.budget):
        return {"error": f"your function returned {size / 2**20:.1f} MB of data, more than the "
                         f"grader keeps ({min(VALUE_LIMIT, report.budget) / 2**20:.1f} MB)"}
    report.budget -= size
    return outcome


def _call(function, case, forbidden, seconds):
    try:
        outcome = _timed(seconds, run_case, function, case, forbidden)
    except TimeLimit:
        return {"timeout": seconds}
    if outcome.not_implemented:
        return {"not_implemented": True}
    if outcome.forbidden:
        return {"forbidden": outcome.forbidden}
    if outcome.error:
        return {"error": outcome.error, **({"where": outcome.where} if outcome.where else {})}
    changed = {"changed": outcome.changed} if outcome.changed else {}
    try:
        return {"value": plain.encode(outcome.value), **changed}
    except plain.NotPlainData as error:
        return {"error": f"your function returned something the grader cannot use: {error}"}


def _block_network():
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled while grading")

    socket.socket = refuse
    socket.create_connection = refuse


def main():
    stdin = sys.stdin  # the second line of the job comes later (see _substitutes)
    job = json.loads(stdin.readline())
    report = Report(job["result_fd"])
    if job["block_network"]:
        _block_network()
    signal.signal(signal.SIGALRM, _on_alarm)
    sources = transform_cells(job, report)
    checked = {}
    course_lib.grading.checker = _recording_checker(checked)
    namespace = {"__name__": "__main__"}
    shell = GraderShell(namespace)
    namespace["get_ipython"] = lambda: shell
    np.seterr(all="ignore")
    run_cells(job, sources, namespace, report)
    call_functions(job, namespace, checked, report, stdin)


def finish():
    """Leave at once, the results sent: no atexit handler, thread or finaliser of the
    learner's may run (or send more) after the last answer."""
    for stream in (sys.__stdout__, sys.__stderr__):  # the real ones, not the learner's
        try:
            stream.flush()
        except Exception:
            pass
    _exit(0)


if __name__ == "__main__":
    main()
    finish()
