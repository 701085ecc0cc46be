"""Noticing an answer that simply calls the course_lib function it should re-implement.

At run time (:func:`call_watched`): while the learner's function runs, a
profiler (``sys.setprofile``) sees every Python call and compares the code
object being entered with the code objects of the forbidden functions — for a
class, those of all its methods. A code object is the function itself, so
this holds however the function was imported, renamed, stored in a list,
wrapped in a lambda or ``functools.partial``, or reached through ``getattr``.

In the source (:func:`names_in_source`): the batch grader also looks, in its
own trusted process, at the text of the learner's function for the names of
forbidden functions, so an answer that switches the profiler off in the
isolated child is still caught when it names the function.
"""

import ast
import importlib
import sys
import types


def dotted_name(obj):
    """``"module:qualname"`` for a course_lib function or class."""
    return f"{obj.__module__}:{obj.__qualname__}"


def resolve(name):
    """The object named by :func:`dotted_name`."""
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def code_objects(obj):
    """Code objects that run when ``obj`` (a function, method or class) is called."""
    found = {}
    if isinstance(obj, type):
        for member in vars(obj).values():
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, property):
                member = member.fget
            if isinstance(member, types.FunctionType):
                found.update(code_objects(member))
        return found
    code = getattr(getattr(obj, "__func__", obj), "__code__", None)
    pending = [code] if code is not None else []
    while pending:
        code = pending.pop()
        found[code] = dotted_name(obj).replace(":", ".")
        pending.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return found


class _Watcher:
    def __init__(self, codes):
        self.codes = codes
        self.called = None

    def __call__(self, frame, event, arg):
        if event == "call" and self.called is None and frame.f_code in self.codes:
            self.called = self.codes[frame.f_code]


def call_watched(function, args, kwargs, forbidden):
    """Call ``function(*args, **kwargs)`` → (result, name of a forbidden function it called or None).

    ``forbidden`` is a sequence of functions or classes. Exceptions propagate.
    """
    codes = {}
    for obj in forbidden:
        codes.update(code_objects(obj))
    if not codes:
        return function(*args, **kwargs), None
    watcher, previous = _Watcher(codes), sys.getprofile()
    sys.setprofile(watcher)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return result, watcher.called


def names_in_source(source, function_name, forbidden_names):
    """Forbidden names that ``def function_name`` in ``source`` mentions (None: no such def).

    ``forbidden_names`` are plain names (``adam_update``); attribute access
    (``optim.adam_update``) and imports inside the function count too.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    definitions = [node for node in ast.walk(tree)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and node.name == function_name]
    if not definitions:
        return None
    mentioned = set()
    for node in ast.walk(definitions[-1]):
        if isinstance(node, ast.Name):
            mentioned.add(node.id)
        elif isinstance(node, ast.Attribute):
            mentioned.add(node.attr)
        elif isinstance(node, ast.alias):
            mentioned.update({node.name.rpartition(".")[2], node.asname})
    mentioned.discard(function_name)  # its own name (recursion) is not a call to course_lib
    return mentioned & set(forbidden_names)
