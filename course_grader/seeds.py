"""Which test inputs a submission is graded on: the same for everyone, or a variant per student.

Every question draws its cases from ``numpy.random.default_rng([seed, i])``
(``i``: the question's place in the exercise), so a seed fixes every input and
the same notebook always earns the same score. The seed is

* by default fixed per exercise: the first 8 bytes of SHA-256 of
  ``"course_grader/<exercise>"`` (not the seed ``check`` shows the learner, so
  the graded cases are not the ones printed in the notebook);
* ``--seed N``: N, for every exercise;
* ``--variants``: derived from the exercise's seed (or N) and the student's id
  (the roster's ``student_id``, else the file name without ``.ipynb``), so
  each student gets their own inputs and a regrade gets the same ones again.

Each feedback record stores its seed and where it came from.
"""

import hashlib
from dataclasses import dataclass

SEED_LIMIT = 2**63  # what numpy.random.default_rng takes comfortably, and JSON keeps exactly


def _hash(text):
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % SEED_LIMIT


def exercise_seed(exercise):
    return _hash(f"course_grader/{exercise}")


@dataclass(frozen=True)
class Seeding:
    fixed: int = None  # --seed
    variants: bool = False  # --variants

    def seed(self, exercise, student_id):
        """(seed, a few words saying where it came from)."""
        base = self.fixed if self.fixed is not None else exercise_seed(exercise or "")
        origin = "--seed" if self.fixed is not None else "fixed for the exercise"
        if not self.variants:
            return base, origin
        return _hash(f"{base}/{student_id}"), f"variant of student {student_id} ({origin})"
