"""The learner's answer functions, read from the text of their cells (nothing is run here).

:func:`answer_sources` gives the code a report shows under each question: the
last top-level ``def`` of the question's function name. :func:`names_used`
gives the names a function's body refers to, so the feedback can say when an
answer was graded with a correct version of an earlier one it calls.
"""

import ast

SOURCE_LIMIT = 6000  # characters of one answer shown in a report


def _definition(trees, name):
    """(cell index, node) of the last top-level ``def name`` in the cells, or (None, None)."""
    found = (None, None)
    for index, tree in enumerate(trees):
        for node in getattr(tree, "body", []):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                found = (index, node)
    return found


def answer_sources(sources, trees, questions):
    """{question id: the source of the learner's function} for the functions found."""
    answers = {}
    for question in questions:
        index, node = _definition(trees, question.function)
        if node is None:
            continue
        try:
            text = ast.get_source_segment(sources[index], node) or ""
        except (ValueError, IndexError):  # odd line endings or positions: show nothing
            text = ""
        if text:
            answers[question.id] = (text if len(text) <= SOURCE_LIMIT
                                    else text[:SOURCE_LIMIT] + "\n# … (cut)")
    return answers


def names_used(trees, function_name):
    """The names the body of the learner's ``def function_name`` refers to."""
    _, node = _definition(trees, function_name)
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
