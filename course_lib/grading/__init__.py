"""Exercise checking: instant feedback for learners, isolated batch grading for instructors.

In an exercise notebook::

    from course_lib.grading import checker
    check = checker("01_gradient_descent")
    ...
    check("q1", numerical_gradient)

Questions live in ``course_lib/grading/questions/`` (see ``registry`` for how
to write one). Instructors grade a class with
``python -m course_lib.grading SUBMISSIONS... --out DIR`` (see ``batch``).
"""

from course_lib.grading.check import checker
from course_lib.grading.registry import Mutant, Question, register

__all__ = ["checker", "Question", "Mutant", "register"]
