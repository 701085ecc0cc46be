"""Check that this Python has what the course needs, and say plainly what is missing."""

import re
import sys
from importlib import import_module, metadata, util

PYTHON_MIN = (3, 10)
# distribution name -> (module to import, oldest version the course is tested with)
REQUIRED = {
    "numpy": ("numpy", "2.0"),
    "matplotlib": ("matplotlib", "3.9"),
    "ipywidgets": ("ipywidgets", "8.1"),
    "jupyterlab": ("jupyterlab", "4.2"),
    "nbformat": ("nbformat", "5.9"),
}
SERVER_SIDE = {"jupyterlab", "nbformat"}
"""Distributions a lesson's kernel never imports (the notebook server and the course's tools
use them): located, not imported; importing both into a kernel costs about 3 s of CPU."""


def version_tuple(text):
    """``"3.10.2"`` → ``(3, 10, 2)``; a pre-release tail such as ``rc1`` is ignored.

    Part of ``check_environment`` (introduced in lesson 0).
    """
    parts = []
    for part in text.split("."):
        leading = re.match(r"\d+", part)
        if leading is None:
            break
        parts.append(int(leading.group()))
        if leading.end() < len(part):
            break
    return tuple(parts)


def installed_version(distribution, module):
    """The installed version of ``distribution``, or ``None`` when it cannot be imported.

    For a distribution of ``SERVER_SIDE``: ``None`` when Python cannot find ``module``.

    Part of ``check_environment`` (introduced in lesson 0).
    """
    if distribution in SERVER_SIDE:
        if util.find_spec(module) is None:
            return None
    else:
        try:
            import_module(module)
        except ImportError:
            return None
    return metadata.version(distribution)


def environment_problems():
    """Rows ``(name, found, needed, problem)`` for Python and every required package.

    Part of ``check_environment`` (introduced in lesson 0).
    """
    python = ".".join(map(str, sys.version_info[:3]))
    needed = ".".join(map(str, PYTHON_MIN))
    rows = [("python", python, needed, "" if sys.version_info[:2] >= PYTHON_MIN else "too old")]
    for distribution, (module, minimum) in REQUIRED.items():
        found = installed_version(distribution, module)
        if found is None:
            problem = "missing"
        elif version_tuple(found) < version_tuple(minimum):
            problem = "too old"
        else:
            problem = ""
        rows.append((distribution, found or "-", minimum, problem))
    return rows


def check_environment():
    """Print a table of versions; return True when everything the course needs is there.

    Introduced in lesson 0.
    """
    rows = environment_problems()
    print(f"{'package':<12} {'found':<10} {'needs':<8}")
    for name, found, needed, problem in rows:
        flag = f"  <- {problem}" if problem else ""
        print(f"{name:<12} {found:<10} >={needed:<6}{flag}")
    bad = [name for name, _, _, problem in rows if problem]
    if bad:
        print(f"\nNot ready: {', '.join(bad)}. From the course folder run `make lab` "
              "(or `.venv/bin/python -m pip install -r requirements.txt -e .`), "
              "then restart the kernel (Kernel > Restart Kernel).")
        return False
    print("\nEverything the course needs is installed.")
    return True
