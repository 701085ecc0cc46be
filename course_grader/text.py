"""Text a learner controls, made safe for a status, a CSV, a feedback file or a terminal.

A submission chooses its file name (any bytes but ``/``), its exercise name,
its exception messages and its output. :func:`clean` turns any of them into
valid UTF-8 (a lone surrogate such as ``'\\ud800'`` becomes the text
``\\ud800``; a file name's undecodable bytes become ``\\xe9``), replaces
control and formatting characters (escape sequences, bidirectional
overrides, carriage returns; newlines and tabs too on a single line) with
``?``, and cuts the result to ``limit`` characters. :func:`clean_all` does so
to every string of a record.
"""

import os
import unicodedata

KEPT_IN_TEXT = "\n\t"
UNSAFE = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")  # control, format, surrogate, private, separators


def clean(text, limit=300, one_line=True):
    """``text`` (any object) as safe, valid text of at most ``limit`` characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    text = text[: limit * 8]  # an escaped character is at most 10 long; enough to fill `limit`
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in text):  # a name decoded with surrogateescape
        text = os.fsencode(text).decode("utf-8", "backslashreplace") if _escaped(text) else text
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    kept = "" if one_line else KEPT_IN_TEXT
    text = "".join(c if c in kept or unicodedata.category(c) not in UNSAFE else "?"
                   for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _escaped(text):
    try:
        os.fsencode(text)
        return True
    except UnicodeEncodeError:
        return False


def path_text(path, limit=1000):
    """A file path as text, its undecodable bytes shown as ``\\xNN``."""
    return clean(os.fsdecode(path), limit)


def clean_all(value, limit=65536):
    """``value`` (a record: dicts, lists, strings, numbers) with every string cleaned (newlines
    kept) and every string and dict key at most ``limit`` characters."""
    if isinstance(value, str):
        return clean(value, limit, one_line=False)
    if isinstance(value, dict):
        return {clean(key, 200): clean_all(item, limit) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_all(item, limit) for item in value]
    return value
