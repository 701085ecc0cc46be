"""Exercise checking: instant feedback for learners, and the questions behind it.

In an exercise notebook::

    from course_lib.grading import checker
    check = checker("01_gradient_descent")
    ...
    check("q1", numerical_gradient)

Questions live in ``course_lib/grading/questions/`` (see ``registry`` for how
to write one). Instructors grade a class with the separate package
``course_grader`` (``python -m course_grader SUBMISSIONS... --out DIR``), which
reuses these questions and the scoring in ``grade``.
"""

from course_lib.grading.check import checker
from course_lib.grading.registry import Mutant, Question, register

__all__ = ["checker", "Question", "Mutant", "register"]
