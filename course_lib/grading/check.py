"""The learner's instant feedback: ``check = checker("03_momentum")``, then ``check("q1", fn)``.

``check`` runs the learner's function on the question's test cases (a fixed
seed per question, so a rerun shows the same case), prints one line per case
with its points, and for the first failing case what differs and the known
mistake the answer matches (or a hint describing what the wrong result looks
like). It never raises: a function that raises ``NotImplementedError`` is
"not implemented yet", any other exception is reported with its type, its
message and the line of the learner's own cell that raised it.

Each call runs under the batch grader's time limit per call
(``grade.CALL_SECONDS``, the batch grader's default ``cell_seconds``); a
call that runs longer is stopped, and the cases after it are not run (the
batch grader does the same), so both give the answer the same points. The returned
result carries the first failing case (``result.failing_case``: its inputs and the expected
value) to re-run by hand.
"""

import signal
import threading
import zlib

import numpy as np

from course_lib.grading import registry
from course_lib.grading.grade import (
    CALL_SECONDS,
    Outcome,
    error_text,
    grade_question,
    learner_line,
    missing_result,
    parameter_order_problem,
    run_case,
)


class CallTimeLimit(BaseException):
    """Raised inside the learner's function when a call runs past ``CALL_SECONDS``.

    Part of the exercises' ``check`` (introduced in lesson 0); no lesson calls it directly.
    """


def seed_for(question):
    """The fixed seed ``check`` uses for ``question`` (the batch grader draws fresh ones).

    Part of the exercises' ``check`` (introduced in lesson 0); no lesson calls it directly.
    """
    return zlib.crc32(question.key.encode())


def checker(exercise):
    """The ``check(qid, function)`` of one exercise notebook.

    Introduced in lesson 0.
    """
    try:
        registry.questions(exercise)
    except KeyError as error:
        message = f"checker({exercise!r}): {error.args[0]}"
        print(message)
        return lambda qid, function=None: print(message)

    def check(qid, function):
        """Check your answer to question ``qid``; prints the feedback, returns the result."""
        try:
            question = registry.question(exercise, qid)
        except KeyError as error:
            print(error.args[0])
            return None
        if not callable(function):
            result = missing_result(
                question, f"check({qid!r}, ...) expects your function {question.function}, "
                          f"got a {type(function).__name__}")
        else:
            result = _grade(question, function)
        print(result.report())
        return result

    return check


def _grade(question, function, seconds=None):
    seconds = CALL_SECONDS if seconds is None else seconds
    try:
        cases = question.inputs(np.random.default_rng(seed_for(question)))
    except Exception as error:
        return missing_result(question, f"internal error in the question's inputs: {error!r}",
                              status="error")
    outcomes = []
    for case in cases:
        try:
            outcome = _timed(seconds, run_case, function, case, question.forbidden)
        except CallTimeLimit:
            outcome = Outcome(timed_out=seconds)
        except KeyboardInterrupt:  # the learner stopping the cell
            raise
        except BaseException as error:  # an exception class of the learner's own making
            outcome = Outcome(error=error_text(error), where=learner_line(error))
        outcomes.append(outcome)
        if outcome.not_implemented or outcome.forbidden or outcome.timed_out is not None:
            outcomes += [outcome] * (len(cases) - len(outcomes))
            break
    try:
        result = grade_question(question, cases, outcomes)
    except Exception as error:
        return missing_result(question, f"internal error in the question's reference: {error!r}",
                              status="error")
    order = parameter_order_problem(question, function, raised="error" in result.cases)
    if order and result.status not in ("passed", "not implemented", "forbidden"):
        result.details.insert(0, order)
    return result


def _timed(seconds, function, *args):
    """``function(*args)`` stopped by CallTimeLimit after ``seconds`` (SIGALRM, so only in the
    main thread, where a notebook's code runs; elsewhere, or on Windows, it is not limited)."""
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        return function(*args)

    def stop(signum, frame):
        raise CallTimeLimit()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
