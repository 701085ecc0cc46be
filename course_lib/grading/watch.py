"""Noticing an answer that simply calls the course_lib function it should re-implement.

While the learner's function runs (:func:`call_watched`), a profiler
(``sys.setprofile``) sees every Python call and compares the code object being
entered with the code objects of the forbidden functions — for a class, those
of all its methods. A code object is the function itself, so this holds
however the function was imported, renamed, stored in a list, wrapped in a
lambda or ``functools.partial``, reached through ``getattr`` or ``exec``, or
copied with ``types.FunctionType(f.__code__, ...)``, and in threads the answer
starts. It does not see an answer that switches the profiler off itself
(``sys.setprofile(None)``), a thread started before the answer was called
(before Python 3.12), or another process (``os.fork``); the instructor's batch
grader (``course_grader``) also reads the answer's source for those.
"""

import importlib
import sys
import threading
import types


def dotted_name(obj):
    """``"module:qualname"`` for a course_lib function or class.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    return f"{obj.__module__}:{obj.__qualname__}"


def resolve(name):
    """The object named by :func:`dotted_name`.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def code_objects(obj):
    """Code objects that run when ``obj`` (a function, method or class) is called.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
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
    """``function(*args, **kwargs)`` → (result, the forbidden function it called or None).

    ``forbidden`` is a sequence of functions or classes. Exceptions propagate.

    Shared by the exercises' ``check`` (introduced in lesson 0) and the instructor's batch grader;
    no lesson calls it directly.
    """
    codes = {}
    for obj in forbidden:
        codes.update(code_objects(obj))
    if not codes:
        return function(*args, **kwargs), None
    watcher, previous, previous_threads = _Watcher(codes), sys.getprofile(), threading.getprofile()
    _watch_threads(watcher)
    sys.setprofile(watcher)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
        _watch_threads(previous_threads)
    return result, watcher.called


def _watch_threads(profiler):
    """Watch the threads the answer starts (Python ≥ 3.12: also those already running)."""
    if hasattr(threading, "setprofile_all_threads"):
        threading.setprofile_all_threads(profiler)
    else:
        threading.setprofile(profiler)
