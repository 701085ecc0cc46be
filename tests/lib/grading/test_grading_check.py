"""The learner's check(): feedback, scores, speed, and that it never raises."""

import time

import grading_fixtures as fx
import numpy as np
import pytest

from course_lib.grading import Question, checker, plain, register, registry
from course_lib.grading.compare import difference
from course_lib.quadratic_rates import condition_number


@pytest.fixture
def check():
    return checker(fx.EXERCISE)


def test_correct_answer_scores_full_points_per_case(check, capsys):
    result = check("q1", fx.gd_step)
    out = capsys.readouterr().out
    assert result and result.score == 2 and result.status == "passed"
    assert out.count("✓ case") == 4 and "[0.5/0.5]" in out
    assert "q1: 2/2 points — passed" in out


def test_wrong_answer_names_the_known_mistake_and_what_differs(check, capsys):
    result = check("q1", lambda theta, g, lr: theta + lr * g)
    out = capsys.readouterr().out
    assert not result and result.score == 0 and result.status == "failed"
    assert result.mistake == "you added η g: gradient descent moves against the gradient"
    assert "Likely mistake: you added η g" in out
    assert "Case 1:" in out and "largest difference at index" in out and "inputs:" in out


def test_partial_credit_counts_passing_cases(check):
    def half_right(theta, g, lr):
        return theta - lr * g if lr > 0.5 else theta
    result = check("q1", half_right)
    passed = result.cases.count("passed")
    assert 0 < passed < 4 and result.score == pytest.approx(2 * passed / 4)
    assert result.status == "partial"


def test_not_implemented_and_exceptions_are_reported_not_raised(check, capsys):
    def untouched(theta, g, lr):
        raise NotImplementedError
    assert check("q1", untouched).status == "not implemented"
    assert "Not implemented yet" in capsys.readouterr().out
    result = check("q1", lambda theta, g, lr: 1 / 0)
    assert result.status == "error" and "ZeroDivisionError: division by zero" in result.details[0]
    def exits(theta, g, lr):
        raise SystemExit(2)
    assert check("q1", exits).details[0] == "Case 1: SystemExit: 2"
    result = check("q1", lambda theta: theta)  # wrong signature
    assert result.status == "error" and "TypeError" in result.details[0]


def test_shapes_and_structure_are_explained(check):
    result = check("q1", lambda theta, g, lr: (theta - lr * g)[:, None])
    assert "expected shape (4,)" in result.details[0] and "got shape (4, 1)" in result.details[0]
    result = check("q2", lambda values: float(np.mean(values)))
    assert "expected a tuple of 2 values" in result.details[0]


def test_unusable_results_score_zero(check):
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    result = check("q1", lambda theta, g, lr: AlwaysEqual())
    assert result.score == 0 and "AlwaysEqual is not plain data" in result.details[0]

    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    result = check("q1", lambda theta, g, lr: np.zeros_like(theta).view(Liar))
    assert result.score == 0  # compared as a plain ndarray of zeros


def test_calling_the_reference_scores_zero_however_it_is_reached(check):
    hidden = {"f": condition_number}
    for answer in (condition_number, lambda e: hidden["f"](e), lambda e: 1.0 * condition_number(e)):
        result = check("q3", answer)
        assert result.score == 0 and result.status == "forbidden"
        assert "course_lib.quadratic_rates.condition_number" in result.details[0]
    assert check("q3", lambda e: e.max() / e.min()).score == 1


def test_misuse_is_reported_without_raising(check, capsys):
    assert check("q9", fx.gd_step) is None
    assert "has no question 'q9' (it has q1, q2, q3)" in capsys.readouterr().out
    assert check("q1", 3).status == "missing"
    assert checker("no_such_exercise")("q1", fx.gd_step) is None
    assert "no questions for exercise 'no_such_exercise'" in capsys.readouterr().out


def test_check_is_fast(check, capsys):
    check("q1", fx.gd_step)  # warm up
    start = time.perf_counter()
    for qid, answer in (("q1", fx.gd_step), ("q2", fx.summary),
                        ("q3", lambda e: e.max() / e.min())):
        check(qid, answer)
    assert (time.perf_counter() - start) / 3 < 0.2


def test_question_definitions_are_validated():
    base = dict(exercise="x", id="q1", title="t", points=1, function="f",
                inputs=lambda rng: [(1,)], reference=abs)
    with pytest.raises(ValueError, match="points must be a positive number"):
        Question(**dict(base, points=0))
    with pytest.raises(TypeError, match="function must be a Python name"):
        Question(**dict(base, function="not a name"))
    with pytest.raises(TypeError, match="mistakes must map message strings"):
        Question(**dict(base, mistakes={"m": 3}))
    with pytest.raises(TypeError, match="forbidden holds course_lib functions"):
        Question(**dict(base, forbidden=(abs,)))
    lambda_in_course_lib = eval("lambda x: x", {"__name__": "course_lib.fake"})
    with pytest.raises(TypeError, match="importable by name"):
        Question(**dict(base, forbidden=(lambda_in_course_lib,)))
    with pytest.raises(TypeError, match="register\\(\\) takes a Question"):
        register("q1")


def test_registering_the_same_question_from_another_module_is_refused():
    with pytest.raises(ValueError, match="already registered by grading_fixtures"):
        register(fx.Q1)
    assert registry.question(fx.EXERCISE, "q1") is fx.Q1


def test_plain_data_round_trips_and_rejects_everything_else():
    value = (np.arange(6, dtype=np.int32).reshape(2, 3), [1, 2.5, "s", None, True],
             {"m": np.float32(1.5)}, np.array([np.nan, np.inf]))
    back = plain.decode(plain.encode(value))
    assert difference(value, back, rtol=0, atol=0) is None
    assert back[0].dtype == np.int32 and back[2]["m"].dtype == np.float32
    for bad in (np.array([object()]), np.array(["a"]), {1: 2}, lambda: 0, 1 + 2j):
        with pytest.raises(plain.NotPlainData):
            plain.encode(bad)
    for malformed in ({"array": {"dtype": "object", "shape": [1], "data": [1]}},
                      {"array": {"dtype": "float64", "shape": [2], "data": [1]}},
                      {"array": {"dtype": "float64", "shape": [1], "data": ["1.5"]}},
                      {"pickle": "..."}, {"tuple": "x"}):
        with pytest.raises(plain.NotPlainData):
            plain.decode(malformed)


@pytest.mark.parametrize("expected, got, passes", [
    (np.True_, True, True),  # NumPy's and Python's booleans alike
    (True, np.True_, True),
    (True, 1, False),  # a number is not a boolean ...
    (1.0, True, False),  # ... nor a boolean a number
    (np.array([1.0, 0.0]), np.array([True, False]), False),
    (np.array([True, False]), [1.0, 0.0], False),
    (np.array([True, False]), [True, False], True),
    (0.0, -0.0, True),
    (0.5, np.nan, False),  # NaN only matches an expected NaN
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), True),
    (0.5, np.inf, False),
    (np.inf, -np.inf, False),
    (np.inf, np.inf, True),
    (np.ones(3), 1.0, False),  # nothing is broadcast
    (np.ones(3), np.ones((1, 3)), False),
    (np.ones((3, 1)), np.ones((3, 3)), False),
    (1.0, np.float16(1.0), True),
    (1.0 + 1e-3, np.float16(1.0 + 1e-3), False),  # float16 has 3 digits, rtol is 1e-6
    (np.ones(2), [1.0, 1.0], True),  # a list of numbers is an array of numbers
    (0.5, np.array(0.5), True),  # a 0-d array is a scalar
    (2.0, 10**400, False),
    (2.0, "2.0", False),
    (2.0, None, False),
])
def test_comparisons_give_nothing_for_free(expected, got, passes):
    assert (difference(expected, got, rtol=1e-6, atol=1e-9) is None) is passes


@pytest.mark.parametrize("bad", [
    1 + 2j, np.complex128(1), np.array([1j]), np.array([1.0], dtype=object),
    np.zeros(2, dtype=[("a", "f8")]), np.array(["2024-01-01"], dtype="datetime64[D]"),
    np.array([1], dtype="timedelta64[s]"), b"bytes", np.array([b"x"]), 10**400, -(2**64),
    np.float128(1) if hasattr(np, "float128") else 1j,
], ids=lambda value: f"{type(value).__name__}:{str(value)[:12]}")
def test_odd_types_are_not_plain_data(check, bad):
    with pytest.raises(plain.NotPlainData):
        plain.to_plain(bad)
    result = check("q3", lambda e: bad)
    assert result.score == 0 and "cannot use" in result.details[0]


def test_decoding_untrusted_json_is_bounded():
    import json

    nested = {"tuple": []}
    for _ in range(200):
        nested = {"tuple": [nested]}
    for malformed in (nested, 10**400, [10**30], json.loads('{"dict": [["a", 1], ["a", 2], 3]}')):
        with pytest.raises(plain.NotPlainData):
            plain.decode(malformed)
    assert np.isnan(plain.decode(json.loads("NaN")))  # NaN and Infinity stay numbers
    assert plain.decode(json.loads('{"tuple": [1], "tuple": [2]}')) == (2,)  # duplicate: the last


def test_calling_the_reference_from_a_thread_or_a_copy_is_caught(check):
    import threading
    import types

    def in_a_thread(e):
        out = []
        worker = threading.Thread(target=lambda: out.append(condition_number(e)))
        worker.start()
        worker.join()
        return out[0]

    def copied(e):
        return types.FunctionType(condition_number.__code__, condition_number.__globals__)(e)

    def exec_string(e):
        scope = {"e": e}
        exec("from course_lib.quadratic_rates import condition_number as c\nk = c(e)", scope)
        return scope["k"]

    for answer in (in_a_thread, copied, exec_string):
        assert check("q3", answer).status == "forbidden", answer.__name__


def test_a_wrong_answer_shows_its_own_case_and_nothing_of_the_grader(check, capsys):
    check("q1", lambda theta, g, lr: {"k" * 10**6: 1})
    out = capsys.readouterr().out
    assert "Traceback" not in out and "File " not in out and "def " not in out
    assert max(map(len, out.splitlines())) <= 310


def test_exceptions_of_the_learners_own_making_do_not_escape_check(check):
    class Odd(BaseException):
        pass

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def raises(kind):
        def answer(theta, g, lr):
            raise kind()
        return answer

    assert check("q1", raises(Odd)).details[0] == "Case 1: Odd: "
    assert check("q1", raises(Unprintable)).details[0] == "Case 1: Unprintable"


def test_code_that_can_evade_the_watch_is_named_and_the_solutions_are_not():
    import json
    from pathlib import Path

    from course_grader.source_scan import evasive_in_source, parse_cells

    evasions = {
        "import sys\nsys.setprofile(None)": ["setprofile"],
        "f = getattr(q, 'condition_' + 'number')": ["getattr"],
        "import sys\nvars(sys)['setpro' + 'file'](None)": ["vars"],
        "import importlib\nm = importlib.import_module('course_lib.quadratic_rates')":
            ["importlib"],
        "import threading\nthreading.Thread(target=f).start()": ["threading"],
        "import os\npid = os.fork()": ["fork"],
        "exec('from course_lib.quadratic_rates import condition_number')": ["exec"],
        "g = types.FunctionType(f.__code__, {})": ["__code__"],
        "import course_lib.grading.grade as g\ng.run_case = None":
            ["course_lib.grading", "run_case"],
        "from course_lib.grading import forbidden": ["course_lib.grading"],
        "a." * 10**4 + "b": None,  # does not parse: nothing to read (and it cannot run)
    }
    found = evasive_in_source(parse_cells(list(evasions)))
    assert found == {i: names for i, names in enumerate(evasions.values(), 1) if names}
    root = Path(__file__).resolve().parents[3]
    for notebook in sorted((root / "solutions").glob("*.ipynb")):
        cells = ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]
                 if cell["cell_type"] == "code"]
        assert evasive_in_source(parse_cells(cells)) == {}, notebook.name


def test_forbidden_functions_are_read_in_the_answer_and_anywhere_else():
    from course_grader.source_scan import forbidden_in_cells, forbidden_in_source, parse_cells

    names = {"condition_number"}
    trees = parse_cells([
        "from course_lib.quadratic_rates import *",  # a star import binds it too
        "def kappa(e):\n    return condition_number(e)",
        "table = {0: condition_number(np.ones(2))}",  # used outside the answer
        "def helper(e):\n    return e.max()",
    ])
    assert forbidden_in_source(trees, "kappa", names) == names
    assert forbidden_in_cells(trees, names, answers={"kappa"}) == {3: names}
    own = parse_cells(["from course_lib.quadratic_rates import *",
                       "def condition_number(e):\n    return e.max() / e.min()",
                       "def kappa(e):\n    return condition_number(e)"])
    assert forbidden_in_source(own, "kappa", names) == set()  # the learner's own function
    assert forbidden_in_cells(own, names, answers={"kappa"}) == {}


def test_mutating_or_returning_the_inputs_cannot_change_the_expected_value(check):
    def in_place(theta, g, lr):  # a right value, but the learner's θ changed in place
        theta -= lr * g
        return theta

    def vandal(theta, g, lr):  # zeroes every input so that θ − η g would be 0
        theta[...] = 0
        g[...] = 0
        return theta

    result = check("q1", in_place)
    assert result.score == 0 and result.cases == ["changed its inputs"] * 4
    assert "changed its input `theta` in place" in result.details[0]
    assert check("q1", lambda theta, g, lr: np.array(theta - lr * g)).status == "passed"
    result = check("q1", vandal)
    assert result.score == 0 and "changed its inputs `theta`, `g` in place" in result.details[0]
