"""Scoring one question: the learner's outcomes on the test cases against the reference.

The same code scores ``check`` in the learner's notebook and the batch grader:
an :class:`Outcome` per test case (a plain-data value, or why there is none),
expected values computed here from the trusted reference, an equal share of
the question's points per passing case, and feedback that names the first
failing case, what differs, and the known mistake the answer matches.
"""

import copy
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from course_lib.grading import watch
from course_lib.grading.compare import describe, difference
from course_lib.grading.plain import NotPlainData, to_plain

MESSAGE_LIMIT = 300


@dataclass
class Outcome:
    """What the learner's function did on one test case."""

    value: object = None
    error: str = None  # "TypeError: ..." when it raised or returned something unusable
    not_implemented: bool = False
    forbidden: str = None  # the forbidden function it called


@dataclass
class QuestionResult:
    """The score and feedback of one question."""

    id: str
    title: str
    points: float
    score: float
    status: str  # passed, partial, failed, not implemented, forbidden, error, missing
    cases: list = field(default_factory=list)  # "passed" / "failed" / ... per case
    details: list = field(default_factory=list)  # sentences for the learner
    mistake: str = None

    def __bool__(self):
        return self.status == "passed"

    def report(self):
        """The text ``check`` prints."""
        share = self.points / max(len(self.cases), 1)
        unit = "point" if self.points == 1 else "points"
        lines = [f"{self.id} · {self.title} ({_points(self.points)} {unit})"]
        for index, state in enumerate(self.cases, 1):
            gained = share if state == "passed" and self.status != "forbidden" else 0
            mark = "✓" if state == "passed" else "✗"
            lines.append(f"  {mark} case {index}/{len(self.cases)}: {state}  "
                         f"[{_points(gained)}/{_points(share)}]")
        lines += [f"  {detail}" for detail in self.details]
        if self.mistake:
            lines.append(f"  Likely mistake: {self.mistake}")
        lines.append(f"{self.id}: {_points(self.score)}/{_points(self.points)} points"
                     f" — {self.status}")
        return "\n".join(lines)

    def to_dict(self):
        return asdict(self)

    def __repr__(self):
        return f"<{self.id}: {_points(self.score)}/{_points(self.points)} points, {self.status}>"

    def __str__(self):
        return self.report()

    def _ipython_display_(self):
        """Show nothing as a cell's value: ``check`` has already printed the report."""


def _points(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(text):
    text = str(text)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."


def call_args(case):
    """(args, kwargs) of a test case: a tuple of arguments or a dict of keyword arguments."""
    if isinstance(case, tuple):
        return copy.deepcopy(case), {}
    if isinstance(case, dict):
        return (), copy.deepcopy(case)
    raise TypeError(f"a test case must be a tuple or a dict, got {type(case).__name__}")


def run_case(function, case, forbidden=()):
    """Call the learner's ``function`` on one case in this process → Outcome."""
    args, kwargs = call_args(case)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result, called = watch.call_watched(function, args, kwargs, forbidden)
    except NotImplementedError:
        return Outcome(not_implemented=True)
    except (Exception, SystemExit) as error:
        return Outcome(error=error_text(error))
    if called:
        return Outcome(forbidden=called)
    try:
        return Outcome(value=to_plain(result))
    except NotPlainData as error:
        return Outcome(error=_short(f"your function returned something the grader cannot use: "
                                    f"{error}"))


def error_text(error):
    """``"TypeError: message"``, short, even when the exception's own ``__str__`` fails."""
    try:
        return _short(f"{type(error).__name__}: {error}")
    except Exception:
        return _short(type(error).__name__)


def expected_value(function, case):
    """The reference (or a mistake variant) on one case, as plain data."""
    args, kwargs = call_args(case)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return to_plain(function(*args, **kwargs))


def grade_question(question, cases, outcomes):
    """Score ``outcomes`` (one per case) of ``question`` → QuestionResult."""
    states, details, mistake = [], [], None
    for index, (case, outcome) in enumerate(zip(cases, outcomes), 1):
        if outcome.forbidden:
            states.append("calls course_lib")
            continue
        if outcome.not_implemented:
            states.append("not implemented yet")
            continue
        if outcome.error:
            states.append("error")
            if not details:
                details.append(_short(f"Case {index}: {outcome.error}"))
                details.append(f"  inputs: {_describe_case(case)}")
            continue
        expected = expected_value(question.reference, case)
        found = difference(expected, outcome.value, question.rtol, question.atol)
        if found is None:
            states.append("passed")
            continue
        states.append("failed")
        if not details:
            details.append(_short(f"Case {index}: {found}"))
            details.append(f"  inputs: {_describe_case(case)}")
            mistake = _matching_mistake(question, case, outcome.value)
    called = next((outcome.forbidden for outcome in outcomes if outcome.forbidden), None)
    passed = states.count("passed")
    if called:
        score, status = 0.0, "forbidden"
        details.insert(0, f"Your function calls course_lib's {called}: this question asks you to "
                          "write it yourself, so it scores 0.")
    elif states and all(state == "not implemented yet" for state in states):
        score, status = 0.0, "not implemented"
        details.insert(0, "Not implemented yet: replace `raise NotImplementedError` "
                          "with your code.")
    else:
        score = round(question.points * passed / max(len(states), 1), 6)
        status = "passed" if passed == len(states) else "partial" if passed else (
            "error" if "error" in states and "failed" not in states else "failed")
    return QuestionResult(question.id, question.title, float(question.points), score, status,
                          states, details, mistake)


def missing_result(question, reason, status="missing"):
    """A QuestionResult with no outcomes: the function was not found, or nothing came back."""
    return QuestionResult(question.id, question.title, float(question.points), 0.0, status,
                          [], [reason])


def _describe_case(case):
    if isinstance(case, dict):
        return ", ".join(f"{key}={describe(value)}" for key, value in case.items())
    return ", ".join(describe(value) for value in case)


def _matching_mistake(question, case, got):
    for message, variant in question.mistakes.items():
        try:
            wrong = expected_value(variant, case)
        except Exception:
            continue
        if difference(wrong, got, question.rtol, question.atol) is None:
            return message
    return None
