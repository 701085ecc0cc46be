"""Plain data: the only values that cross between a learner's code and the grader.

Plain data is None, bool, int (64 bits at most), float, str, NumPy numeric arrays and scalars
(bool, integer or float dtypes), and lists, tuples and string-keyed dicts of
these. :func:`to_plain` turns a value into exactly these built-in types (an
ndarray subclass becomes a plain ndarray, a tuple subclass a tuple) or raises
:class:`NotPlainData`; an object with a custom ``__eq__`` can therefore never
reach a comparison. :func:`encode` / :func:`decode` carry plain data through
JSON without pickle, and ``decode`` checks every node of what it reads.
"""

import math

import numpy as np

ARRAY_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"]
)
MAX_DEPTH = 32
INT_RANGE = (-2**63, 2**64 - 1)  # what an int64 or uint64 array can hold
MAX_ELEMENTS = 5_000_000


class NotPlainData(TypeError):
    """A value that is not plain data (the message says what is allowed).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """


ALLOWED = "numbers, strings, booleans, None, NumPy numeric arrays, and lists/tuples/dicts of these"


def to_plain(value, _depth=0):
    """A copy of ``value`` made only of plain built-in types, or NotPlainData.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if _depth > MAX_DEPTH:
        raise NotPlainData(f"value nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if kind is int and not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise NotPlainData(f"an int of {value.bit_length()} bits is not plain data "
                           "(integers must fit in 64 bits)")
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, np.generic):
        return _plain_array(np.asarray(value))[()]
    if isinstance(value, np.ndarray):
        return _plain_array(value)
    if isinstance(value, (list, tuple)):
        items = [to_plain(item, _depth + 1) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        if not all(type(key) is str for key in value):
            raise NotPlainData("dict keys must be strings")
        return {str(key): to_plain(item, _depth + 1) for key, item in dict.items(value)}
    raise NotPlainData(f"a {kind.__name__} is not plain data (allowed: {ALLOWED})")


def _plain_array(array):
    array = np.array(array, subok=False, copy=True)
    if array.dtype.name not in ARRAY_DTYPES:
        raise NotPlainData(
            f"arrays of dtype {array.dtype} are not allowed (use bool, integer or float arrays)"
        )
    if array.size > MAX_ELEMENTS:
        raise NotPlainData(f"array of {array.size} elements is larger than {MAX_ELEMENTS}")
    return array


def encode(value):
    """Plain data → a JSON-ready structure (lists stay lists; the rest is tagged).

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    value = to_plain(value)
    return _encode(value)


def _encode(value):
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        entry = {"dtype": array.dtype.name, "shape": list(array.shape),
                 "data": array.ravel().tolist()}
        return {"scalar" if isinstance(value, np.generic) else "array": entry}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode(item) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[key, _encode(item)] for key, item in value.items()]}
    return value


def decode(obj, _depth=0):
    """A JSON structure made by :func:`encode` → plain data; NotPlainData if malformed.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    if _depth > MAX_DEPTH:
        raise NotPlainData(f"value nested more than {MAX_DEPTH} levels deep")
    kind = type(obj)
    if kind is int and not INT_RANGE[0] <= obj <= INT_RANGE[1]:
        raise NotPlainData("integer out of the 64-bit range")
    if obj is None or kind in (bool, int, float, str):
        return obj
    if kind is list:
        return [decode(item, _depth + 1) for item in obj]
    if kind is not dict or len(obj) != 1:
        raise NotPlainData(f"malformed value of type {kind.__name__}")
    (tag, body), = obj.items()
    if tag == "tuple" and type(body) is list:
        return tuple(decode(item, _depth + 1) for item in body)
    if tag == "dict" and type(body) is list:
        pairs = [(pair[0], decode(pair[1], _depth + 1)) for pair in body
                 if type(pair) is list and len(pair) == 2 and type(pair[0]) is str]
        if len(pairs) != len(body):
            raise NotPlainData("malformed dict")
        return dict(pairs)
    if tag in ("array", "scalar") and type(body) is dict:
        array = _decode_array(body)
        return array[()] if tag == "scalar" else array
    raise NotPlainData(f"unknown tag {tag!r}")


def _decode_array(body):
    dtype, shape, data = body.get("dtype"), body.get("shape"), body.get("data")
    if dtype not in ARRAY_DTYPES:
        raise NotPlainData(f"array dtype {dtype!r} is not allowed")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise NotPlainData("malformed array shape")
    if type(data) is not list or len(data) != math.prod(shape) or len(data) > MAX_ELEMENTS:
        raise NotPlainData("array data does not match its shape")
    flat = np.array(data) if data else np.array([], dtype=dtype)
    if flat.ndim != 1 or flat.dtype.kind not in "biuf":
        raise NotPlainData("array data must be a flat list of numbers")
    return flat.astype(dtype).reshape(shape)
