"""Every wrong answer a question lists must be caught, and named only by a message that fits.

For each of the course's questions: its mutants (``mutants.all_mutants``:
generated from the reference, written beside the question, and one per named
mistake) are graded as ``check`` grades them. Each must lose points (on check's
inputs and on three other draws, as the batch grader draws fresh ones); each must
get what its ``expect`` says (a named mistake, a hint of a given kind, or the
changed-inputs message); and whenever a named message fires, the variant
behind that message must reproduce the mutant on five different draws of the
inputs — so no message names a mistake the answer does not make.
"""

import numpy as np
import pytest

from course_lib.grading import registry
from course_lib.grading.check import seed_for
from course_lib.grading.compare import difference
from course_lib.grading.grade import CHANGED_INPUTS, expected_value, grade_question, run_case
from course_lib.grading.mutants import all_mutants

COURSE = [q for exercise in registry.exercises() if exercise[:2].isdigit() and exercise[:2] != "00"
          for q in registry.questions(exercise)]
SEEDS = (1, 2, 3, 4, 5)


def _cases(question, seed=None):
    return question.inputs(np.random.default_rng(seed_for(question) if seed is None else seed))


def _same_answer(first, second, question):
    """True when two functions agree on every case of five fresh draws."""
    for seed in SEEDS:
        for case in _cases(question, seed):
            try:
                a, b = expected_value(first, case), expected_value(second, case)
            except Exception:
                return False
            if difference(a, b, question.rtol, question.atol) is not None:
                return False
    return True


def problems_of(question):
    """What is wrong with the feedback on each of ``question``'s mutants (empty: all good)."""
    problems = []
    for mutant in all_mutants(question, _cases(question)[0]):
        result = grade_mutant(question, mutant)
        lucky = [seed for seed in SEEDS[:3]  # the batch grader draws fresh inputs every time
                 if grade_mutant(question, mutant, seed).score >= question.points]
        if result.score >= question.points or lucky:
            problems.append(f"full marks: {mutant.what} (seeds {lucky or 'of check'})")
            continue
        if result.mistake is not None:
            variant = question.mistakes[result.mistake]
            if not _same_answer(variant, mutant.answer, question):
                problems.append(f"named by a message that does not describe it: {mutant.what} "
                                f"→ {result.mistake!r}")
            elif "named" not in mutant.allowed:
                problems.append(f"named, expected {mutant.allowed}: {mutant.what}")
            continue
        got = "changed inputs" if CHANGED_INPUTS in result.cases else result.symptom
        if got not in mutant.allowed:
            problems.append(f"expected {mutant.allowed}, got {got!r} for: {mutant.what}\n"
                            f"{result.report()}")
    return problems


def grade_mutant(question, mutant, seed=None):
    cases = _cases(question, seed)
    return grade_question(question, cases, [run_case(mutant.answer, case) for case in cases])


def test_the_course_has_29_questions():
    assert len(COURSE) == 29


@pytest.mark.parametrize("question", COURSE, ids=lambda q: q.key)
def test_every_mutant_fails_and_gets_the_feedback_it_expects(question):
    problems = problems_of(question)
    assert not problems, "\n".join(problems)


def test_mutant_counts_per_exercise(record_property):
    """The numbers the closing note reports: mutants per exercise, named and hinted."""
    counts = {}
    for question in COURSE:
        named = hinted = 0
        for mutant in all_mutants(question, _cases(question)[0]):
            result = grade_mutant(question, mutant)
            named += result.mistake is not None
            hinted += result.mistake is None
        total = counts.setdefault(question.exercise, [0, 0])
        total[0] += named
        total[1] += hinted
    for exercise, (named, hinted) in sorted(counts.items()):
        record_property(exercise, f"{named + hinted} mutants: {named} named, {hinted} hinted")
        assert named + hinted >= 20
