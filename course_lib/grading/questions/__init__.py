"""One module per exercise notebook (lessonNN.py), each registering its questions.

Every module in this folder is imported automatically; see
``course_lib.grading.registry`` for the Question API and a complete example.
"""
