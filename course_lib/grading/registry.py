"""The question registry: one place that says what each exercise asks and how it is graded.

The learner's instant ``check`` and the instructor's batch grader read the same
registry. A question is a :class:`Question` registered with :func:`register` in
``course_lib/grading/questions/lessonNN.py`` (one module per exercise notebook).
Every module in that folder is imported automatically the first time a question
is looked up, so a new lesson module needs no other wiring.

What a question says
--------------------
exercise
    The exercise notebook's stem, e.g. ``"03_momentum"`` (the same string the
    notebook passes to ``checker``).
id, title, points
    ``"q1"``, a short title shown in the feedback, and the points it is worth.
    Each test case carries an equal share of the points.
function
    The name of the function the learner writes, e.g. ``"momentum_step"``.
inputs
    A function of a ``numpy.random.Generator`` returning a list of test cases;
    a case is a tuple of positional arguments or a dict of keyword arguments.
    Arguments are plain data: numbers, strings, lists, tuples, dicts with string
    keys and NumPy numeric arrays. The batch grader draws fresh inputs for every
    submission; ``check`` uses a fixed seed per question, so a learner who
    reruns sees the same failing case.
reference
    A course_lib function with the learner's signature: its results are the
    expected answers. Results are compared as plain data too.
rtol, atol
    Numbers match when ``|got − expected| ≤ atol + rtol·|expected|`` element
    by element (NumPy's ``allclose``); shapes must be equal, strings and
    booleans exact.
mistakes
    Named wrong variants, ``{message: function}``, each with the learner's
    signature. When an answer fails and its results match a variant on every
    case that returned a value, the feedback shows that variant's message (a
    match on one case alone names nothing: two mistakes can coincide there).
    When none matches, ``symptoms`` may print a hint instead.
mutants
    Wrong answers the question must catch, as :class:`Mutant` data: each one
    a deliberate slip in the reference (a sign, a factor, a counter off by
    one, the other convention, an input changed in place, a stated rule
    broken) and what the feedback must do with it: name it with one of the
    ``mistakes`` (``"named"``) or print a hint of a given kind (see
    ``symptoms``). ``mutants.generated`` adds the slips every question gets
    (result negated, scaled, reordered; an input changed in place), and
    ``tests/lib/grading/test_grading_mutants.py`` checks them all: each one fails, and
    a named message fires only for a mutant its own variant reproduces.
    They live here, beside the reference, on the grader's trusted side.
forbidden
    course_lib functions or classes the answer must not simply call (usually
    the reference itself). While the learner's function runs, every Python
    call is watched (``sys.setprofile``) and compared against the code objects
    of the forbidden functions (for a class: of all its methods). Calling one,
    however it was imported, aliased or wrapped, scores 0 for the question
    with a message saying which function was called. The batch grader also
    reads the answer's source for forbidden functions imported from course_lib.
builds_on
    Earlier answers this one may call, ``{name: function}``: while the batch
    grader grades this question, the learner's function of that name is
    replaced by ``function``, a correct version that calls nothing forbidden
    (04's ``adamw_step`` and ``adam_run`` may call the learner's ``adam_step``,
    graded in q3), so one mistake costs one question. ``check`` in the notebook
    keeps the learner's own.

A complete example (it would live in ``course_lib/grading/questions/lesson01.py``)::

    import numpy as np

    from course_lib.grading.registry import Question, register
    from course_lib.quadratic_rates import largest_stable_eta   # η_max = 2 / λ_max


    def _curvature_cases(rng):  # eigenvalues λ of a few quadratics, one of them 1-D
        return [(rng.uniform(0.1, 10.0, size=n),) for n in (1, 3, 5, 8)]


    register(Question(
        exercise="01_gradient_descent",
        id="q2",
        title="The largest stable learning rate",
        points=2,
        function="largest_stable_eta",
        inputs=_curvature_cases,
        reference=largest_stable_eta,
        rtol=1e-6,
        mistakes={
            "you used 1/L: gradient descent is stable up to η < 2/L":
                lambda eigenvalues: 1 / np.max(eigenvalues),
            "you used the smallest curvature: the largest curvature L limits η":
                lambda eigenvalues: 2 / np.min(eigenvalues),
        },
        forbidden=(largest_stable_eta,),
    ))

The exercise notebook (metadata ``"course": {"exercise": "01_gradient_descent"}``)
then says::

    from course_lib.grading import checker
    check = checker("01_gradient_descent")

    def largest_stable_eta(eigenvalues):
        ### BEGIN SOLUTION
        return 2 / np.max(eigenvalues)
        ### END SOLUTION
    check("q2", largest_stable_eta)

A learner whose answer returns ``1 / np.max(eigenvalues)`` reads, under the
failing case, "Likely mistake: you used 1/L: gradient descent is stable up to
η < 2/L". ``tests/lib/grading/test_grading_questions.py`` checks every registered
question: plain-data inputs, a reference that passes, mistakes that fail and
are recognised, forbidden functions that are caught.
"""

import importlib
import pkgutil
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Real

__all__ = ["Question", "Mutant", "register", "questions", "question", "exercises",
           "import_errors"]


@dataclass(frozen=True)
class Mutant:
    """A wrong answer the feedback must catch: ``answer`` has the learner's signature.

    ``expect`` says what ``check`` must print for it: ``"named"`` (one of the
    question's mistakes, whose variant gives the same results), or the kind of
    hint (``"sign"``, ``"factor"``, ``"step"``, ``"off-by-one"``, ...; see
    ``symptoms``), or ``"changed inputs"``. A tuple allows any of several.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """

    what: str
    answer: Callable
    expect: object = "named"

    @property
    def allowed(self):
        return (self.expect,) if isinstance(self.expect, str) else tuple(self.expect)


@dataclass(frozen=True)
class Question:
    """One graded question: what the learner writes and how it is checked.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """

    exercise: str
    id: str
    title: str
    points: float
    function: str
    inputs: Callable
    reference: Callable
    rtol: float = 1e-6
    atol: float = 1e-9
    mistakes: Mapping[str, Callable] = field(default_factory=dict)
    mutants: tuple = ()
    forbidden: tuple = ()
    builds_on: Mapping[str, Callable] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("exercise", "id", "title"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise TypeError(f"Question.{name} must be a non-empty string")
        if not (isinstance(self.function, str) and self.function.isidentifier()):
            raise TypeError(f"Question.function must be a Python name, got {self.function!r}")
        if not isinstance(self.points, Real) or isinstance(self.points, bool) or self.points <= 0:
            raise ValueError(f"Question.points must be a positive number, got {self.points!r}")
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if not isinstance(value, Real) or value < 0:
                raise ValueError(f"Question.{name} must be a number ≥ 0, got {value!r}")
        for name in ("inputs", "reference"):
            if not callable(getattr(self, name)):
                raise TypeError(f"Question.{name} must be callable")
        if not isinstance(self.mistakes, Mapping) or not all(
            isinstance(message, str) and callable(variant)
            for message, variant in self.mistakes.items()
        ):
            raise TypeError("Question.mistakes must map message strings to functions")
        object.__setattr__(self, "mistakes", dict(self.mistakes))
        mutants = tuple(self.mutants)
        if not all(isinstance(mutant, Mutant) for mutant in mutants):
            raise TypeError("Question.mutants holds Mutant(what, answer, expect) entries")
        object.__setattr__(self, "mutants", mutants)
        forbidden = tuple(self.forbidden)
        for item in forbidden:
            if (not callable(item) or not getattr(item, "__module__", "").startswith("course_lib")
                    or "<" in getattr(item, "__qualname__", "<")):
                raise TypeError("Question.forbidden holds course_lib functions or classes "
                                f"importable by name (no lambdas), got {item!r}")
        object.__setattr__(self, "forbidden", forbidden)
        if not isinstance(self.builds_on, Mapping) or not all(
            isinstance(name, str) and name.isidentifier() and callable(function)
            and "<" not in getattr(function, "__qualname__", "<")
            for name, function in self.builds_on.items()
        ):
            raise TypeError("Question.builds_on maps function names to functions importable "
                            "by name (no lambdas)")
        object.__setattr__(self, "builds_on", dict(self.builds_on))

    @property
    def key(self):
        return f"{self.exercise}/{self.id}"


_REGISTRY: dict = {}  # exercise -> {id: Question}, in registration order
_ORIGIN: dict = {}  # "exercise/id" -> name of the module that registered it
_IMPORT_ERRORS: dict = {}  # module name -> "ExceptionType: message"
_discovered = False
_DISCOVERY_LOCK = threading.RLock()


def register(question):
    """Add ``question`` to the registry and return it.

    Registering the same exercise and id again from the same module (a reload)
    replaces the question; from another module it is an error.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if not isinstance(question, Question):
        raise TypeError(f"register() takes a Question, got {type(question).__name__}")
    origin = sys._getframe(1).f_globals.get("__name__", "?")
    if _ORIGIN.setdefault(question.key, origin) != origin:
        raise ValueError(
            f"question {question.key} is already registered by {_ORIGIN[question.key]}"
        )
    _REGISTRY.setdefault(question.exercise, {})[question.id] = question
    return question


def _discover():
    """Import every module in course_lib.grading.questions (once, thread-safe)."""
    global _discovered
    with _DISCOVERY_LOCK:
        if _discovered:
            return
        package = importlib.import_module("course_lib.grading.questions")
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            try:
                importlib.import_module(module.name)
            except Exception as error:  # a broken lesson module must not break the others
                _IMPORT_ERRORS[module.name] = f"{type(error).__name__}: {error}"
        _discovered = True


def exercises():
    """The names of all exercises that have questions.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    _discover()
    return sorted(_REGISTRY)


def questions(exercise):
    """The questions of ``exercise`` in registration order (KeyError if none).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    _discover()
    if exercise not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none yet"
        broken = "".join(f"\n  {name} failed to import: {error}"
                         for name, error in _IMPORT_ERRORS.items())
        raise KeyError(f"no questions for exercise {exercise!r} (known: {known}){broken}")
    return list(_REGISTRY[exercise].values())


def question(exercise, qid):
    """The question ``qid`` of ``exercise`` (KeyError naming the known ids if absent).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    by_id = {q.id: q for q in questions(exercise)}
    if qid not in by_id:
        raise KeyError(f"exercise {exercise!r} has no question {qid!r} (it has {', '.join(by_id)})")
    return by_id[qid]


def import_errors():
    """Question modules that failed to import: {module: error}.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    _discover()
    return dict(_IMPORT_ERRORS)
