"""course_lib: the reference implementations behind the course's lessons.

Each idea lives in the module named after it: ``course_lib.optim`` for the
optimizers and schedulers, ``course_lib.surfaces`` for the test functions,
``course_lib.nn`` for the small network toolkit, ``course_lib.grading`` for
the exercise checker.
"""

from course_lib.parameter import Parameter

__all__ = ["Parameter"]
__version__ = "0.1.0"
