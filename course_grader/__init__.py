"""The instructor's batch grader: ``python -m course_grader SUBMISSIONS... --out DIR``.

Every submitted notebook runs in its own isolated child process (``child``,
behind ``sandbox``); this process reads the notebooks (``notebook``), reads
their source for forbidden calls (``source_scan``), computes the expected
values from the references and writes grades.csv and the feedback
(``batch``). The learner's side — ``check``, the questions and their
references — lives in ``course_lib.grading``, which every learner imports;
this package is only the instructor's.
"""
