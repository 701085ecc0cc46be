"""Grades that do not depend on luck: a fixed number of cases per question, and questions
graded independently of the earlier answers they build on."""

import grading_fixtures  # noqa: F401  (registers the test-only exercise)
import numpy as np
import pytest

from course_lib.grading import registry
from course_lib.grading.compare import difference
from course_lib.grading.grade import expected_value, run_case

QUESTIONS = [q for exercise in registry.exercises() for q in registry.questions(exercise)]
SEEDS = range(20)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_every_seed_gives_the_same_number_of_cases(question):
    """Partial credit is points × passed/cases: with the count fixed, a seed changes the
    inputs but never what one case is worth."""
    counts = {len(question.inputs(np.random.default_rng([seed, 0]))) for seed in SEEDS}
    assert len(counts) == 1, f"{question.key}: {sorted(counts)} cases across seeds"


BUILDS_ON = [(q, name, function) for q in QUESTIONS for name, function in q.builds_on.items()]


@pytest.mark.parametrize("question, name, substitute", BUILDS_ON,
                         ids=[f"{q.key}:{name}" for q, name, _ in BUILDS_ON])
def test_a_substituted_earlier_answer_is_correct_and_not_forbidden(question, name, substitute):
    (earlier,) = [q for q in registry.questions(question.exercise) if q.function == name]
    for seed in range(5):
        for case in earlier.inputs(np.random.default_rng([seed, 7])):
            want = expected_value(earlier.reference, case)
            outcome = run_case(substitute, case, question.forbidden)
            assert outcome.forbidden is None and outcome.error is None
            assert difference(want, outcome.value, earlier.rtol, earlier.atol) is None


def test_04_adam_questions_build_on_adam_step():
    built = {q.id for q in registry.questions("04_adaptive_learning_rates") if q.builds_on}
    assert built == {"q4", "q5"}


def test_builds_on_must_be_importable_functions():
    with pytest.raises(TypeError, match="builds_on"):
        registry.Question(exercise="x", id="q1", title="t", points=1, function="f",
                          inputs=lambda rng: [()], reference=lambda: 0,
                          builds_on={"g": lambda: 0})


def test_the_instructors_guide_documents_each_question_s_number_of_cases():
    import re
    from pathlib import Path

    guide = Path(__file__).resolve().parents[3] / "docs" / "instructors.md"
    text = guide.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| (\d\d_\w+) \| (q1 .*?) \|$", text, flags=re.M))
    actual = {}
    for exercise in registry.exercises():
        if exercise[:2].isdigit():
            actual[exercise] = ", ".join(
                f"{q.id} {len(q.inputs(np.random.default_rng([0, i])))} ({q.points:g})"
                for i, q in enumerate(registry.questions(exercise)))
    table = "\n".join(f"| {exercise} | {row} |" for exercise, row in actual.items())
    assert documented == actual, ("a question's number of cases changed: update the table in "
                                  f"docs/instructors.md (Reproducible grades) to\n{table}")


def test_a_notebook_cannot_flood_the_review_sheet():
    from course_grader.written import MAX_ANSWERS, written_answers

    cells = [{"cell_type": "markdown", "metadata": {"course": {"written": f"w{i}"}},
              "source": "x" * 10**6} for i in range(1000)]
    found = written_answers(cells)
    assert len(found) == MAX_ANSWERS and all(len(w["text"]) == 20_000 for w in found)
