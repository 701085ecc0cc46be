"""Every registered question is well-formed: the checks lesson authors rely on.

For each question in course_lib/grading/questions/ (and the test-only
exercise): its inputs are plain data, its reference passes its own check,
and each named mistake fails the check and is recognised by name.
"""

import grading_fixtures  # noqa: F401  (registers the test-only exercise)
import numpy as np
import pytest

from course_lib.grading import plain, registry
from course_lib.grading.check import seed_for
from course_lib.grading.grade import grade_question, run_case
from course_lib.grading.watch import dotted_name, resolve

QUESTIONS = [q for exercise in registry.exercises() for q in registry.questions(exercise)]


def test_every_question_module_imports():
    assert registry.import_errors() == {}


def _cases(question, seed=None):
    return question.inputs(np.random.default_rng(seed_for(question) if seed is None else seed))


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_inputs_are_plain_data_and_fresh_per_seed(question):
    cases = _cases(question)
    assert isinstance(cases, list) and cases, "inputs(rng) must return a non-empty list"
    for case in cases:
        assert isinstance(case, (tuple, dict)), "a test case is a tuple of arguments or a dict"
        assert plain.decode(plain.encode(case)) is not None
    assert len(_cases(question, seed=1)) == len(cases)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_the_reference_passes_its_own_check(question):
    cases = _cases(question)
    result = grade_question(question, cases, [run_case(question.reference, c) for c in cases])
    assert result.status == "passed", result.report()


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_each_mistake_fails_and_is_named(question):
    cases = _cases(question)
    for message, variant in question.mistakes.items():
        result = grade_question(question, cases, [run_case(variant, c) for c in cases])
        assert result.score < question.points, (
            f"mistake never differs from the reference: {message}")
        assert result.mistake is not None, f"mistake not recognised: {message}\n{result.report()}"


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.forbidden], ids=lambda q: q.key)
def test_forbidden_functions_are_caught_and_importable_by_name(question):
    for function in question.forbidden:
        assert resolve(dotted_name(function)) is function
    cases = _cases(question)
    if question.reference in question.forbidden:
        outcome = run_case(question.reference, cases[0], question.forbidden)
        assert outcome.forbidden, "calling the reference itself must be caught"
