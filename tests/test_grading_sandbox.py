"""The bubblewrap command line: what the sandbox sees, in which order it is mounted."""

import os
import sys

import pytest

import course_lib
from course_grader import sandbox


@pytest.fixture
def bwrap_args(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "BWRAP", "bwrap")
    return sandbox._bwrap_prefix(str(tmp_path))


def mount_index(args, target):
    """Position of the last mount whose target is ``target``."""
    hits = [i for i in range(len(args) - 2) if args[i] in ("--bind", "--ro-bind", "--ro-bind-try")
            and args[i + 2] == target]
    assert hits, f"{target} is not mounted"
    return hits[-1]


def test_python_and_the_course_are_mounted_over_the_private_tmp(bwrap_args):
    # A course cloned under /tmp (as CI may do) must stay visible inside the sandbox:
    # later mounts hide earlier ones, so /tmp has to come before Python and course_lib.
    library = os.path.dirname(os.path.realpath(course_lib.__file__))
    tmp = mount_index(bwrap_args, "/tmp")
    for path in (sys.prefix, library):
        assert mount_index(bwrap_args, path) > tmp, f"{path} is mounted before /tmp and hidden by it"


def test_the_work_folder_is_the_last_writable_mount(bwrap_args, tmp_path):
    assert mount_index(bwrap_args, str(tmp_path)) > mount_index(bwrap_args, "/tmp")


def test_the_private_shared_memory_is_not_hidden_by_the_new_dev(bwrap_args):
    assert mount_index(bwrap_args, "/dev/shm") > bwrap_args.index("--dev")
