"""Comparing a learner's result with the expected one, and saying what differs.

Both values are plain data (see ``plain``). The course's one type policy, stated
in every exercise's introduction:

- **an array** may be returned as a NumPy array of any integer or float dtype,
  or as a list or tuple of numbers; it must have the expected shape (nothing is
  broadcast). Values match when ``|got − expected| ≤ atol + rtol·|expected|``
  everywhere (NaN matches NaN, ∞ only ∞ of the same sign);
- **a number** may be a Python int or float, a NumPy scalar or a 0-d array
  (not a 1-element array, not a boolean);
- **a tuple** or **a list** of values may be a tuple, a list or, when its
  values are numbers of one shape, a NumPy array along its first axis; it
  must have the expected length, each value following these rules;
- a float32 result is compared at float32's precision: the relative
  tolerance is at least 4 units in its last place (about 5e-7); float16,
  with 3 digits, gets no such allowance;
- booleans must be booleans (Python's or NumPy's), strings equal, dicts have
  the expected keys.

:func:`difference` returns ``None`` on a match, else one sentence for the learner.
"""

import numpy as np

SHOWN_ELEMENTS = 8


def difference(expected, got, rtol, atol, where="the result"):
    """``None`` if ``got`` matches ``expected``, else a sentence saying what differs.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if isinstance(expected, (bool, np.bool_)):  # True and np.True_ alike, never 1 or 1.0
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected):
            return None
        return f"{where}: expected {describe(expected)}, got {describe(got)}"
    if expected is None or isinstance(expected, str):
        if type(got) is type(expected) and got == expected:
            return None
        return f"{where}: expected {describe(expected)}, got {describe(got)}"
    if isinstance(expected, (tuple, list)):
        return _sequence_difference(expected, got, rtol, atol, where)
    if isinstance(expected, dict):
        return _dict_difference(expected, got, rtol, atol, where)
    return _numeric_difference(np.asarray(expected), got, rtol, atol, where)


def _sequence_difference(expected, got, rtol, atol, where):
    kind = type(expected).__name__
    if isinstance(got, np.ndarray) and got.ndim >= 1:  # an array along its first axis
        got = list(got)
    if not isinstance(got, (tuple, list)):
        return f"{where}: expected a {kind} of {len(expected)} values, got {describe(got)}"
    if len(got) != len(expected):
        return f"{where}: expected a {kind} of {len(expected)} values, got {len(got)} values"
    found = [difference(want, have, rtol, atol, f"element {index} of {where}")
             for index, (want, have) in enumerate(zip(expected, got))]
    differing = [text for text in found if text]
    if len(differing) > 1:  # say which others differ too (a wrong θ and a wrong t alike)
        others = [text for text in differing[1:] if len(text) <= 120]
        return "; ".join([differing[0]] + others) if len(others) == len(differing) - 1 else (
            f"{differing[0]} (and {len(differing) - 1} more of its values differ)")
    return differing[0] if differing else None


def _dict_difference(expected, got, rtol, atol, where):
    if not isinstance(got, dict) or set(got) != set(expected):
        return f"{where}: expected a dict with keys {sorted(expected)}, got {describe(got)}"
    for key in expected:
        found = difference(expected[key], got[key], rtol, atol, f"{where}[{key!r}]")
        if found:
            return found
    return None


def _numeric_difference(expected, got, rtol, atol, where):
    if isinstance(got, (str, dict, bool, np.bool_)) or got is None:
        return f"{where}: expected {describe(expected)}, got {describe(got)}"
    try:
        have = np.asarray(got)
    except ValueError:
        return f"{where}: expected {describe(expected)}, got {describe(got)}"
    if have.dtype.kind not in "biuf" or (have.dtype.kind == "b") != (expected.dtype.kind == "b"):
        return f"{where}: expected {describe(expected)}, got {describe(got)}"  # booleans ≠ 0/1
    if have.shape != expected.shape:
        if expected.ndim == 0:
            return (f"{where}: expected a number ({describe(expected)}), got an array of shape "
                    f"{have.shape} ({describe(got)}): return float(x) or x.item()")
        return (f"{where}: expected shape {expected.shape} ({describe(expected)}), "
                f"got shape {have.shape} ({describe(got)})")
    dtypes = ("" if have.dtype == expected.dtype
              else f" (expected dtype {expected.dtype}, got {have.dtype})")
    if have.dtype == np.float32:  # compared at float32's own precision
        rtol = max(rtol, 4 * float(np.finfo(np.float32).eps))
    want, have = expected.astype(np.float64), have.astype(np.float64)
    close = np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    error = np.where(close, 0.0, np.abs(have - want))
    error = np.where(np.isnan(error), np.inf, error)
    worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
    at = f" at index {tuple(int(i) for i in worst)}" if error.ndim else ""
    count = f"{int((~close).sum())} of {close.size} values differ; " if close.size > 1 else ""
    return (f"{where}: {count}largest difference{at}: expected {want[worst]:.10g}, "
            f"got {have[worst]:.10g}{dtypes}")


def describe(value):
    """A short summary of a plain value: small arrays in full, large ones by shape.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.ndim == 0:
            return f"{array.dtype} {array.item()!r}"
        head = f"array shape {array.shape} {array.dtype}"
        if array.size <= SHOWN_ELEMENTS:
            values = np.array2string(array, precision=6, separator=", ")
            return f"{head} {' '.join(values.split())}"  # on one line
        return head
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (list, tuple)):
        items = [describe(item) for item in value[:4]] + (["..."] if len(value) > 4 else [])
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return opening + ", ".join(items) + closing
    if isinstance(value, dict):
        items = [f"{key!r}: {describe(item)}" for key, item in list(value.items())[:4]]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"an int of {value.bit_length()} bits"
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    return f"a {type(value).__name__}"
