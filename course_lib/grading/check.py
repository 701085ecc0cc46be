"""The learner's instant feedback: ``check = checker("03_momentum")``, then ``check("q1", fn)``.

``check`` runs the learner's function on the question's test cases (a fixed
seed per question, so a rerun shows the same case), prints one line per case
with its points, and for the first failing case what differs and the known
mistake the answer matches. It never raises: a function that raises
``NotImplementedError`` is "not implemented yet", any other exception is
reported with its type and message.
"""

import zlib

import numpy as np

from course_lib.grading import registry
from course_lib.grading.grade import Outcome, error_text, grade_question, missing_result, run_case


def seed_for(question):
    """The fixed seed ``check`` uses for ``question`` (the batch grader draws fresh ones)."""
    return zlib.crc32(question.key.encode())


def checker(exercise):
    """The ``check(qid, function)`` of one exercise notebook."""
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


def _grade(question, function):
    try:
        cases = question.inputs(np.random.default_rng(seed_for(question)))
    except Exception as error:
        return missing_result(question, f"internal error in the question's inputs: {error!r}",
                              status="error")
    outcomes = []
    for case in cases:
        try:
            outcome = run_case(function, case, question.forbidden)
        except KeyboardInterrupt:  # the learner stopping the cell
            raise
        except BaseException as error:  # an exception class of the learner's own making
            outcome = Outcome(error=error_text(error))
        outcomes.append(outcome)
        if outcome.not_implemented or outcome.forbidden:
            outcomes += [outcome] * (len(cases) - len(outcomes))
            break
    try:
        return grade_question(question, cases, outcomes)
    except Exception as error:
        return missing_result(question, f"internal error in the question's reference: {error!r}",
                              status="error")
