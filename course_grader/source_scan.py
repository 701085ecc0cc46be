"""Reading a submission's source for forbidden course_lib functions and for ways around the watch.

The learner's ``check`` and the batch grader's child notice at run time an
answer that calls the course_lib function it should re-implement
(``course_lib.grading.watch``). An answer can switch that watch off in the
child, so the batch grader also reads, in its own trusted process, the text of
the learner's function for forbidden functions imported from course_lib: an
answer that switches the profiler off is still caught when it names the
function. What it cannot catch — the profiler switched off and the function
reached through a computed name, a thread or another process, or the answers
computed in advance in another cell — needs tools an exercise answer never
uses, or the reference outside the answer, so :func:`evasive_in_source` and
:func:`forbidden_in_cells` name those cells for the instructor to read.
"""

import ast
import sys


def parse_cells(sources):
    """The syntax tree of each code cell, None where it does not parse (however it fails)."""
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(source))
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # 10⁴ nested parts
            trees.append(None)
    return trees


def forbidden_in_source(trees, function_name, forbidden_names):
    """The forbidden functions the learner's ``def function_name`` names, read from its text.

    ``trees`` are the notebook's code cells (:func:`parse_cells`). A name counts when it is bound
    by importing it from course_lib (``from course_lib.x import f as g``, ``from course_lib.x
    import *``, or ``h = g`` after that) and not redefined by the learner, or reached as an
    attribute of an imported course_lib module (``optim.f``). The learner's own
    functions of the same name are not course_lib's.
    """
    imported, modules, definitions = _bindings(trees, forbidden_names)
    answers = definitions.get(function_name)
    return _named(answers[-1], imported, modules, forbidden_names) if answers else set()


def forbidden_in_cells(trees, forbidden_names, answers):
    """``{cell number (from 1): names}``: where the notebook uses forbidden course_lib functions
    outside the definitions of its ``answers`` (say, to compute their results in advance)."""
    imported, modules, _ = _bindings(trees, forbidden_names)
    found = {}
    for number, tree in enumerate(trees, 1):
        names = _named(tree, imported, modules, forbidden_names, answers) if tree else set()
        if names:
            found[number] = names
    return found


def _bindings(trees, forbidden_names):
    """(local name → forbidden function imported from course_lib, local names of course_lib
    modules, function name → its definitions in order)."""
    imported, modules, definitions = {}, {"course_lib"}, {}
    for node in (node for tree in trees if tree for node in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and _is_course_lib(node.module or ""):
            for alias in node.names:
                local = alias.asname or alias.name
                if alias.name == "*":
                    imported.update((name, name) for name in _star_names(node.module,
                                                                         forbidden_names))
                elif alias.name in forbidden_names:
                    imported[local] = alias.name
                else:
                    modules.add(local)
        elif isinstance(node, ast.Import):
            modules.update(alias.asname or alias.name.partition(".")[0] for alias in node.names
                           if _is_course_lib(alias.name))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            if node.value.id in imported:
                imported.update((t.id, imported[node.value.id])
                                for t in node.targets if isinstance(t, ast.Name))
    for name in definitions:
        imported.pop(name, None)
    return imported, modules, definitions


def _is_course_lib(module):
    """Whether ``module`` names course_lib or one of its modules (not ``course_libX``)."""
    return module == "course_lib" or module.startswith("course_lib.")


def _star_names(module, forbidden_names):
    """The forbidden names ``from module import *`` binds. Nothing is imported here (a name
    in a learner's cell must never run code in the grader): a course_lib module the grader has
    already loaded is looked up, any other is assumed to bind them all."""
    loaded = sys.modules.get(module)
    if loaded is None:
        return set(forbidden_names)
    return {name for name in forbidden_names if name in vars(loaded)}


def _named(tree, imported, modules, forbidden_names, skipped=()):
    """The forbidden functions used in ``tree`` (a cell or a function definition), outside the
    functions named in ``skipped``."""
    found, pending = set(), [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in skipped:
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Name) and node.id in imported:
            found.add(imported[node.id])
        elif isinstance(node, ast.Attribute) and node.attr in forbidden_names:
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in modules:
                found.add(node.attr)
    return found


# Names an exercise answer has no use for, each a way around the run-time watch: switching
# it off, calling elsewhere (threads, processes), reaching names by computed strings, patching
# the grader, or finding its test cases in memory.
EVASIVE = frozenset([
    "setprofile", "settrace", "setprofile_all_threads", "settrace_all_threads", "__code__",
    "_getframe", "fork", "forkpty", "fork_exec", "Popen", "importlib", "__import__",
    "threading", "_thread", "multiprocessing", "subprocess", "ctypes", "exec", "eval",
    "getattr", "vars", "globals", "__dict__", "__builtins__", "__getattribute__", "modules",
    "call_watched", "run_case", "course_lib.grading", "course_grader",
    "gc", "get_objects", "get_referrers", "inspect", "currentframe", "f_back", "f_locals",
    "f_globals", "stdin",  # finding the grader's test cases in the child's memory
    "getprofile", "gettrace", "concurrent", "ThreadPoolExecutor", "ProcessPoolExecutor",
    "Pool",  # reaching the watch, or calling from a worker started before the answer
])


def _grader_parts(node):
    """``{"course_lib.grading"}`` if ``node`` imports the grader's internals (its ``checker``
    is what every exercise imports), else nothing."""
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        wanted = {alias.name for alias in node.names}
        inside = module.startswith("course_lib.grading") and (
            module != "course_lib.grading" or wanted != {"checker"})
    else:
        inside = any(alias.name.startswith("course_lib.grading") for alias in node.names)
    return {"course_lib.grading"} if inside else set()


def evasive_in_source(trees):
    """``{cell number (from 1): sorted names}`` for code cells (:func:`parse_cells`) that use
    a name in EVASIVE (as a name, an attribute or an imported module)."""
    found = {}
    for number, tree in enumerate(trees, 1):
        if tree is None:
            continue
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(alias.name.partition(".")[0] for alias in node.names)
                names.add((getattr(node, "module", None) or "").partition(".")[0])
                names.update(_grader_parts(node))
        if names & EVASIVE:
            found[number] = sorted(names & EVASIVE)
    return found
