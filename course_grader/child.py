"""The batch grader's child process: run one submission's cells, call its functions.

Started by ``sandbox`` as ``python -I -m course_grader.child`` inside the
isolation. It reads its job (the code cells and, per question, the function
name and the test inputs as plain data) as JSON from stdin, runs the cells in
order in one fresh namespace — each error caught, each cell under a time
limit — then calls each learner function on each test case and writes what
came back to ``result.json`` in its working folder, after every cell and
every question, so a crash loses nothing already done. It then exits at once
(``os._exit``): a thread the notebook started cannot keep it alive.

Nothing here is trusted: the learner's code runs in this process and may
change anything in it. The parent reads only ``result.json``, decodes it with
``plain.decode`` and computes the expected values itself.
"""

import contextlib
import json
import linecache
import os
import re
import signal
import sys

import numpy as np

import course_lib.grading
from course_lib.grading import plain
from course_lib.grading.watch import resolve
from course_lib.grading.grade import error_text, run_case

RESULT = "result.json"
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
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class Result:
    """result.json in the working folder (an absolute path: cells may change directory)."""

    def __init__(self):
        self.path = os.path.abspath(RESULT)
        self.data = {"cells": [], "questions": {}, "running": None}
        self.budget = VALUE_BUDGET  # bytes of returned values still allowed

    def save(self):
        with open(self.path + ".tmp", "w") as file:
            json.dump(self.data, file)
        os.replace(self.path + ".tmp", self.path)


def run_cells(job, namespace, result):
    numbers = job.get("cell_numbers") or list(range(1, len(job["cells"]) + 1))
    for index, source in enumerate(job["cells"]):
        if index in job["skip_cells"]:
            result.data["cells"].append({"status": "skipped", "error": "crashed the process"})
            continue
        result.data["running"] = {"cell": index}
        result.save()
        entry = {"status": "ok"}
        try:
            code, filename = _transform(source), f"<cell {numbers[index]}>"
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            _timed(job["cell_seconds"], exec, compile(code, filename, "exec"), namespace)
        except TimeLimit:
            entry = {"status": "timeout", "error": f"ran longer than {job['cell_seconds']} s"}
        except NotImplementedError:  # a task the learner has not done (yet): not an error
            entry = {"status": "not attempted"}
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            entry = {"status": "error", "error": error_text(error)}
        result.data["cells"].append(entry)


def _timed(seconds, function, *args):
    """``function(*args)`` with SIGALRM armed for ``seconds``, disarmed before any handler of
    the caller runs (an alarm landing in an ``except`` block would escape it)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)





def call_functions(job, namespace, checked, result):
    signal.signal(signal.SIGALRM, _on_alarm)  # the learner's cells may have replaced it
    for spec in job["questions"]:
        qid = spec["id"]
        if qid in job["skip_questions"]:
            result.data["questions"][qid] = {"missing": "calling your function crashed the process"}
            continue
        function = namespace.get(spec["function"])
        if not callable(function):
            function = checked.get(qid)
        if not callable(function):
            result.data["questions"][qid] = {"missing": f"no function named {spec['function']}"}
            continue
        result.data["running"] = {"question": qid}
        result.save()
        forbidden = [resolve(name) for name in spec["forbidden"]]
        outcomes = []
        with _substituted(function, spec.get("substitute", {})):
            for case in spec["cases"]:
                outcome = _call(function, plain.decode(case), forbidden, job["cell_seconds"])
                outcome = _within_budget(outcome, result)
                outcomes.append(outcome)
                if "not_implemented" in outcome or "forbidden" in outcome or "timeout" in outcome:
                    break  # as check does: the cases after a time-out are not run
        result.data["questions"][qid] = {"outcomes": outcomes}
    result.data["running"] = None
    result.save()


@contextlib.contextmanager
def _substituted(function, substitute):
    """The learner's earlier answers this one may call (``{name: dotted name}``) replaced in its
    namespace by correct versions while it is graded, then put back."""
    namespace = getattr(function, "__globals__", None)
    if not substitute or not isinstance(namespace, dict):
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in substitute}
    namespace.update({name: resolve(dotted) for name, dotted in substitute.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _within_budget(outcome, result):
    """The outcome, or an error if its value is too large to send back: an answer gone wrong
    (an n×n array for a vector) must not make the result file unreadable for all the others."""
    if "value" not in outcome:
        return outcome
    size = len(json.dumps(outcome["value"]))
    if size > min(VALUE_LIMIT, result.budget):
        return {"error": f"your function returned {size / 2**20:.1f} MB of data, more than the "
                         f"grader keeps ({min(VALUE_LIMIT, result.budget) / 2**20:.1f} MB)"}
    result.budget -= size
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
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    if job["block_network"]:
        _block_network()
    signal.signal(signal.SIGALRM, _on_alarm)
    checked = {}
    course_lib.grading.checker = _recording_checker(checked)
    namespace = {"__name__": "__main__"}
    shell = GraderShell(namespace)
    namespace["get_ipython"] = lambda: shell
    result = Result()
    np.seterr(all="ignore")
    run_cells(job, namespace, result)
    call_functions(job, namespace, checked, result)


def finish():
    """Leave at once, the result saved: no atexit handler, thread or finaliser of the
    learner's may run (or rewrite result.json) after the last answer."""
    for stream in (sys.__stdout__, sys.__stderr__):  # the real ones, not the learner's
        try:
            stream.flush()
        except Exception:
            pass
    _exit(0)


if __name__ == "__main__":
    main()
    finish()
