"""The wrong answers every question must catch, made from its reference.

:func:`generated` returns, for any question, the slips that need no
knowledge of the formula (each a :class:`~course_lib.grading.registry.Mutant`):

- the reference computed, then its first array input changed in place
  (every exercise asks to leave the inputs as they were);
- the result negated (a flipped sign), doubled and halved (a factor of 2);
- a tuple result in reverse order;
- an integer result one too large (a counter off by one);
- each float argument doubled (a constant or hyperparameter used wrongly), a decay
  rate in [0.5, 1) replaced by its complement (β for 1 − β), and each integer argument
  one too large (a counter off by one), the rest of the reference unchanged.

:func:`all_mutants` adds the question's own mutants and one per named
mistake (which must be named as itself). ``tests/lib/grading/test_grading_mutants.py``
runs them all through ``check``'s grading.
"""

import numpy as np

from course_lib.grading.registry import Mutant

ANY_FEEDBACK = ("named", "non-finite", "order", "sign", "step", "factor", "inverse", "changed",
                "off-by-one", "length", "argument", "element")  # any name or hint


def _map_numbers(value, function):
    """``value`` with ``function`` applied to every number and numeric array inside it."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return value
    if isinstance(value, tuple):
        return tuple(_map_numbers(item, function) for item in value)
    if isinstance(value, list):
        return [_map_numbers(item, function) for item in value]
    if isinstance(value, dict):
        return {key: _map_numbers(item, function) for key, item in value.items()}
    return function(value)


def _first_array(arguments):
    """The first NumPy float array among the arguments (or inside a list argument)."""
    for value in arguments:
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
            return value
        if isinstance(value, list):
            found = _first_array(value)
            if found is not None:
                return found
    return None


def _changes_input(reference):
    def answer(*args, **kwargs):
        result = reference(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args],
                           **kwargs)
        target = _first_array(list(args) + list(kwargs.values()))
        target *= 0.5  # an honest result, but an input halved in place
        return result
    return answer


def _transformed(reference, function):
    return lambda *args, **kwargs: _map_numbers(reference(*args, **kwargs), function)


def _reversed(reference):
    return lambda *args, **kwargs: tuple(reversed(reference(*args, **kwargs)))


def _has_numbers(value):
    found = []
    _map_numbers(value, found.append)
    return bool(found)


def _with_argument(reference, position, change):
    def answer(*args):
        args = list(args)
        args[position] = change(args[position])
        return reference(*args)
    return answer


def _argument_mutants(question, args):
    """One mutant per scalar argument: a float doubled, an int one too large."""
    names = _names(question.reference)
    mutants = []
    for position, value in enumerate(args):
        name = names[position] if position < len(names) else f"argument {position + 1}"
        if isinstance(value, (bool, np.bool_)):
            continue
        if isinstance(value, (float, np.floating)) and 0.5 <= value < 1:  # a decay rate
            mutants.append(Mutant(f"1 − `{name}` used for `{name}`",
                                  _with_argument(question.reference, position, lambda x: 1 - x),
                                  ANY_FEEDBACK))
        elif isinstance(value, (float, np.floating)):
            mutants.append(Mutant(f"`{name}` doubled before use",
                                  _with_argument(question.reference, position, lambda x: 2 * x),
                                  ANY_FEEDBACK))
        elif isinstance(value, (int, np.integer)):
            mutants.append(Mutant(f"`{name}` one too large",
                                  _with_argument(question.reference, position, lambda x: x + 1),
                                  ANY_FEEDBACK))
    return mutants


def _names(function):
    import inspect

    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


def _is_integer_result(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def generated(question, case):
    """The generic mutants of ``question``; ``case`` (one of its test cases) decides which
    apply (an in-place change needs an array input, a reordering a tuple result).

    Part of the course's own tests of every question (the wrong answers its feedback must name), not
    of a lesson.
    """
    reference = question.reference
    args = case if isinstance(case, tuple) else tuple(case.values())
    value = reference(*args) if isinstance(case, tuple) else reference(**case)
    mutants = []
    if _first_array(list(args)) is not None:
        mutants.append(Mutant("an input halved in place (the result itself right)",
                              _changes_input(reference), "changed inputs"))
    if _has_numbers(value):
        mutants += [
            Mutant("the result negated", _transformed(reference, lambda x: -np.asarray(x)),
                   ("named", "sign", "order")),
            Mutant("the result doubled", _transformed(reference, lambda x: 2 * np.asarray(x)),
                   ("named", "factor", "step", "off-by-one")),
            Mutant("the result halved", _transformed(reference, lambda x: 0.5 * np.asarray(x)),
                   ("named", "factor", "step")),
        ]
    if isinstance(value, tuple) and len(value) >= 2:
        mutants.append(Mutant("the results in reverse order", _reversed(reference),
                              ("named", "order")))
    if _is_integer_result(value):
        mutants.append(Mutant("the count one too large",
                              _transformed(reference, lambda x: x + 1),
                              ("named", "off-by-one")))
    if isinstance(case, tuple):
        mutants += _argument_mutants(question, args)
    return mutants


def all_mutants(question, case):
    """Every mutant of ``question``: generated, its own, and one per named mistake.

    Part of the course's own tests of every question (the wrong answers its feedback must name), not
    of a lesson.
    """
    named = [Mutant(message, variant, "named") for message, variant in question.mistakes.items()]
    return generated(question, case) + list(question.mutants) + named
