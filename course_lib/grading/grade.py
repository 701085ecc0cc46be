"""Scoring one question: the learner's outcomes on the test cases against the reference.

The same code scores ``check`` in the learner's notebook and the batch grader:
an :class:`Outcome` per test case (a plain-data value, or why there is none),
expected values computed here from the trusted reference, an equal share of
the question's points per passing case, and feedback that names the first
failing case, what differs, and the known mistake the answer matches.

A known mistake is named only when its variant gives the learner's results on
*every* case that returned a value (a coincidence on one case names nothing);
otherwise :mod:`symptoms` may print a hint describing what the wrong result
looks like. Every question asks that the inputs be left as they were: a call
that changes an argument in place scores 0 on that case with its own message.
"""

import copy
import inspect
import linecache
import os
import sys
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from course_lib.grading import symptoms, watch
from course_lib.grading.compare import describe, difference
from course_lib.grading.plain import NotPlainData, to_plain

MESSAGE_LIMIT = 300
CALL_SECONDS = 20.0  # the time limit of one call, in check and (by default) the batch grader
_GRADER_FILES = os.path.dirname(os.path.abspath(__file__))  # course_lib/grading
_LIBRARY_FILES = tuple({os.path.dirname(os.path.abspath(np.__file__)),  # NumPy
                        os.path.dirname(os.path.abspath(os.__file__))})  # the standard library


@dataclass
class Outcome:
    """What the learner's function did on one test case.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """

    value: object = None
    error: str = None  # "TypeError: ..." when it raised or returned something unusable
    not_implemented: bool = False
    forbidden: str = None  # the forbidden function it called
    where: str = None  # "Cell In[7], line 3: return X @ theta", the learner's line that raised
    changed: list = field(default_factory=list)  # arguments (index or keyword) changed in place
    timed_out: float = None  # the per-call limit in seconds, when the call ran past it


@dataclass
class FailingCase:
    """The first failing case of a ``check``, to re-run by hand.

    ``function(*case.args, **case.kwargs)`` should return ``case.expected``;
    ``case.got`` is what the learner's function returned (None if it raised).
    Only ``check`` fills it: the batch grader never shows expected values.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """

    number: int
    function: str
    args: tuple
    kwargs: dict
    expected: object
    got: object = None

    def __repr__(self):
        return (f"<case {self.number}: {self.function}(*case.args, **case.kwargs) should return "
                f"case.expected = {describe(self.expected)}>")

    def call(self, function):
        """``function`` on fresh copies of this case's inputs."""
        return function(*copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))


@dataclass
class QuestionResult:
    """The score and feedback of one question.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """

    id: str
    title: str
    points: float
    score: float
    status: str  # passed, partial, failed, not implemented, forbidden, error, missing
    cases: list = field(default_factory=list)  # "passed" / "failed" / ... per case
    details: list = field(default_factory=list)  # sentences for the learner
    mistake: str = None  # the known mistake the answer matches on every case
    hint: str = None  # what the wrong results look like, when no known mistake matches
    symptom: str = None  # the kind of hint: "sign", "factor", "step", "order", ...
    failing_case: FailingCase = field(default=None, repr=False, compare=False)  # check only

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
        elif self.hint:
            lines.append(f"  Hint: {self.hint}")
        if self.failing_case is not None:
            case, name = self.failing_case, self.failing_case.function
            call = f"{name}(*case.args)" if not case.kwargs else f"{name}(**case.kwargs)"
            lines.append(f"  Re-run case {case.number} yourself: case = check({self.id!r}, "
                         f"{name}).failing_case, then {call} should equal case.expected")
        lines.append(f"{self.id}: {_points(self.score)}/{_points(self.points)} points"
                     f" — {self.status}")
        return "\n".join(lines)

    def to_dict(self):
        """The record kept by the batch grader: everything but the failing case's values."""
        record = asdict(self)
        record.pop("failing_case")
        return record

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
    """(args, kwargs) of a test case: a tuple of arguments or a dict of keyword arguments.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if isinstance(case, tuple):
        return copy.deepcopy(case), {}
    if isinstance(case, dict):
        return (), copy.deepcopy(case)
    raise TypeError(f"a test case must be a tuple or a dict, got {type(case).__name__}")


def run_case(function, case, forbidden=()):
    """Call the learner's ``function`` on one case in this process → Outcome.

    The call gets its own copy of the inputs; the arguments it changed in
    place are listed in ``Outcome.changed`` (index of a positional argument,
    name of a keyword one), and an exception records the line of the
    learner's own code that raised it (``Outcome.where``).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    args, kwargs = call_args(case)
    given_args, given_kwargs = call_args(case)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result, called = watch.call_watched(function, args, kwargs, forbidden)
    except NotImplementedError:
        return Outcome(not_implemented=True)
    except (Exception, SystemExit) as error:
        return Outcome(error=error_text(error), where=learner_line(error))
    if called:
        return Outcome(forbidden=called)
    changed = [index for index, (before, after) in enumerate(zip(given_args, args))
               if _changed(before, after)]
    changed += [key for key in given_kwargs if _changed(given_kwargs[key], kwargs.get(key))]
    try:
        return Outcome(value=to_plain(result), changed=changed)
    except NotPlainData as error:
        return Outcome(error=_short(f"your function returned something the grader cannot use: "
                                    f"{error}"), changed=changed)


def _changed(before, after):
    try:
        return difference(before, to_plain(after), rtol=0, atol=0) is not None
    except (NotPlainData, ValueError, TypeError):
        return True


def learner_line(error):
    """Where the learner's own code raised ``error``: "Cell In[7], line 3: return X @ theta".

    The deepest frame of the traceback outside the grader, NumPy and the
    standard library; None if there is none (the grader's own code raised).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    frame = None
    try:
        for entry in _walk(error.__traceback__):
            filename = os.path.abspath(entry.tb_frame.f_code.co_filename)
            if not entry.tb_frame.f_code.co_filename.startswith("<") and (
                    filename.startswith(_GRADER_FILES) or filename.startswith(_LIBRARY_FILES)):
                continue
            frame = entry
        if frame is None:
            return None
        filename, line = frame.tb_frame.f_code.co_filename, frame.tb_lineno
        text = linecache.getline(filename, line, frame.tb_frame.f_globals).strip()
        where = f"{_cell_label(filename)}, line {line}"
        return _short(f"{where}: {text}" if text else where)
    except Exception:  # a traceback of the learner's making must not break the feedback
        return None


def _walk(traceback):
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next


def _cell_label(filename):
    """How JupyterLab names the cell a code object came from ("Cell In[7]"), else the file."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    count = getattr(getattr(shell, "compile", None), "_filename_map", {}).get(filename)
    if count is not None:
        return f"Cell In[{count}]"
    if filename.startswith("<cell ") and filename.endswith(">"):  # the batch grader's cells
        return f"cell {filename[6:-1]}"
    return f"File {os.path.basename(filename)}"


def error_text(error):
    """``"TypeError: message"``, short, even when the exception's own ``__str__`` fails.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    try:
        return _short(f"{type(error).__name__}: {error}")
    except Exception:
        return _short(type(error).__name__)


def expected_value(function, case):
    """The reference (or a mistake variant) on one case, as plain data.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    args, kwargs = call_args(case)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return to_plain(function(*args, **kwargs))


CHANGED_INPUTS = "changed its inputs"
OUT_OF_TIME = "out of time"


def grade_question(question, cases, outcomes):
    """Score ``outcomes`` (one per case) of ``question`` → QuestionResult.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    names = parameter_names(question)
    states, details, first = [], [], None
    valued, failed, passed = [], [], []  # (case, value): to name a mistake or describe symptoms
    for index, (case, outcome) in enumerate(zip(cases, outcomes), 1):
        if outcome.forbidden:
            states.append("calls course_lib")
            continue
        if outcome.not_implemented:
            states.append("not implemented yet")
            continue
        if outcome.timed_out is not None:
            states.append(OUT_OF_TIME)
            if first is None:
                first = index, case, None
                details.append(f"Case {index}: your function ran longer than "
                               f"{outcome.timed_out:g} s, the time limit per call of "
                               f"{question.id} (check and the batch grader stop it alike); "
                               "the cases after it were not run")
                details.append(f"  inputs: {_describe_case(case)}")
            continue
        if outcome.error:
            states.append("error")
            if first is None:
                first = index, case, None
                details.append(_short(f"Case {index}: {outcome.error}"))
                if outcome.where:
                    details.append(_short(f"  raised in your code at {outcome.where}"))
                details.append(f"  inputs: {_describe_case(case)}")
            continue
        if outcome.changed:
            states.append(CHANGED_INPUTS)
            if first is None:
                first = index, case, outcome.value
                changed = ", ".join(f"`{_argument_name(key, names)}`" for key in outcome.changed)
                details.append(_short(
                    f"Case {index}: your function changed its input"
                    f"{'s' if len(outcome.changed) > 1 else ''} {changed} in place: leave "
                    "the inputs as they were and return new values (write `x = x - ...` or work "
                    "on `x.copy()`, not `x -= ...` or `x[...] = ...`)"))
                details.append(f"  inputs: {_describe_case(case)}")
            continue
        expected = expected_value(question.reference, case)
        valued.append((case, outcome.value))
        found = difference(expected, outcome.value, question.rtol, question.atol)
        if found is None:
            states.append("passed")
            passed.append(case)
            continue
        states.append("failed")
        failed.append((case, outcome.value, expected))
        if first is None:
            first = index, case, outcome.value
            details.append(_short(f"Case {index}: {found}"))
            details.append(f"  inputs: {_describe_case(case)}")
    mistake = _matching_mistake(question, valued) if failed else None
    symptom = None if mistake or not failed else symptoms.diagnose(
        failed, passed, names, question.rtol, question.atol, question.reference)
    called = next((outcome.forbidden for outcome in outcomes if outcome.forbidden), None)
    count = states.count("passed")
    if called:
        score, status = 0.0, "forbidden"
        details.insert(0, f"Your function calls course_lib's {called}: this question asks you to "
                          "write it yourself, so it scores 0.")
    elif states and all(state == "not implemented yet" for state in states):
        score, status = 0.0, "not implemented"
        details.insert(0, "Not implemented yet: replace `raise NotImplementedError` "
                          "with your code.")
    else:
        score = round(question.points * count / max(len(states), 1), 6)
        status = "passed" if count == len(states) else "partial" if count else (
            "error" if "error" in states and "failed" not in states else "failed")
    result = QuestionResult(question.id, question.title, float(question.points), score, status,
                            states, details, mistake, symptom and symptom.text,
                            symptom and symptom.kind)
    if first is not None and not called:
        index, case, got = first
        args, kwargs = call_args(case)
        try:
            expected = expected_value(question.reference, case)
        except Exception:
            expected = None
        result.failing_case = FailingCase(index, question.function, args, kwargs, expected, got)
    return result


def parameter_names(question):
    """The names of the parameters the learner's function takes, in order (the reference's).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    try:
        return [name for name, parameter in inspect.signature(question.reference).parameters.items()
                if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def _argument_name(key, names):
    if isinstance(key, int):
        return names[key] if key < len(names) else f"argument {key + 1}"
    return str(key)


def parameter_order_problem(question, function, raised=False):
    """A sentence when the learner's parameters are the expected names in another order, or,
    when the function ``raised``, other names: then it says what each of them receives.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    try:
        theirs = [name for name, parameter in inspect.signature(function).parameters.items()
                  if parameter.kind in (parameter.POSITIONAL_ONLY,
                                        parameter.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return None
    ours = parameter_names(question)
    if sorted(theirs) == sorted(ours) and theirs != ours:
        return (f"Your function's parameters are ({', '.join(theirs)}), but it is called as "
                f"{question.function}({', '.join(ours)}): put them in that order.")
    if raised and theirs != ours and len(theirs) == len(ours) >= 2:  # say what each receives
        return (f"Your function is called as {question.function}({', '.join(ours)}), in that "
                f"order: your parameters ({', '.join(theirs)}) receive "
                f"{', '.join(ours)} respectively.")
    return None


def missing_result(question, reason, status="missing"):
    """A QuestionResult with no outcomes: the function was not found, or nothing came back.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    return QuestionResult(question.id, question.title, float(question.points), 0.0, status,
                          [], [reason])


def _describe_case(case):
    if isinstance(case, dict):
        return ", ".join(f"{key}={describe(value)}" for key, value in case.items())
    return ", ".join(describe(value) for value in case)


def _matching_mistake(question, valued):
    """The first known mistake whose variant gives the learner's value on every case that
    returned one: an answer that only coincides with a variant on some cases is not named."""
    for message, variant in question.mistakes.items():
        if all(_variant_gives(variant, case, got, question) for case, got in valued):
            return message
    return None


def _variant_gives(variant, case, got, question):
    try:
        wrong = expected_value(variant, case)
    except Exception:
        return False
    return difference(wrong, got, question.rtol, question.atol) is None
