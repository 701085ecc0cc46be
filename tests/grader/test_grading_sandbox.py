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
        assert mount_index(bwrap_args, path) > tmp, (
            f"{path} is mounted before /tmp and hidden by it")


def test_the_work_folder_is_the_last_writable_mount(bwrap_args, tmp_path):
    assert mount_index(bwrap_args, str(tmp_path)) > mount_index(bwrap_args, "/tmp")


def test_the_private_shared_memory_is_not_hidden_by_the_new_dev(bwrap_args):
    assert mount_index(bwrap_args, "/dev/shm") > bwrap_args.index("--dev")


def test_the_seccomp_filter_names_the_calls_libseccomp_knows():
    """The system call numbers are written by hand; libseccomp (when installed) agrees."""
    import ctypes
    import ctypes.util

    from course_grader import seccomp

    name = ctypes.util.find_library("seccomp")
    if not name:
        pytest.skip("libseccomp is not installed")
    resolve = ctypes.CDLL(name).seccomp_syscall_resolve_name
    resolve.argtypes = [ctypes.c_char_p]
    table = {**seccomp.DENIED, "clone": seccomp.CLONE, "clone3": seccomp.CLONE3,
             "socket": seccomp.SOCKET, "ioctl": seccomp.IOCTL}
    assert {call: resolve(call.encode()) for call in table} == table


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
def test_the_seccomp_filter_refuses_what_an_answer_never_needs(tmp_path):
    import ctypes
    import subprocess

    from course_grader import seccomp

    if not seccomp.supported():
        pytest.skip("the filter is written for x86-64")
    code = ("import os, socket, numpy\n"
            "for name, call in [('memfd', lambda: os.memfd_create('x')),\n"
            "                   ('inet', lambda: socket.socket()),\n"
            "                   ('unix', lambda: socket.socketpair())]:\n"
            "    try:\n        call()\n        print(name, 'allowed')\n"
            "    except OSError as error:\n        print(name, error.errno)\n"
            "pid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
            "print('fork', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))")
    libc, fprog = ctypes.CDLL(None, use_errno=True), seccomp.prepared()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         preexec_fn=lambda: seccomp.install(libc, fprog), timeout=60)
    assert run.stdout.split("\n")[:4] == ["memfd 1", "inet 1", "unix allowed", "fork 7"]


def test_a_course_under_a_private_folder_keeps_its_data(monkeypatch, tmp_path):
    """CI may clone the course under /tmp, which the child gets a private copy of: the course's
    data folder must be put back beside course_lib, or load_digits fails in every submission."""
    library = os.path.dirname(os.path.realpath(course_lib.__file__))
    course_parent = os.path.dirname(os.path.dirname(library))
    monkeypatch.setattr(sandbox, "SHARED_FOLDERS", {course_parent: "tmp"})
    (kept,) = [kept for folder, _, kept in sandbox._shared_folders(str(tmp_path))
               if folder == os.path.realpath(course_parent)]
    assert os.path.join(os.path.dirname(library), "data") in kept
    assert library in kept


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a child a uid of its own")
def test_a_uid_is_given_again_only_once_no_process_has_it():
    """A process of a child's uid that left its session (here reparented to init, as a daemon
    is) is killed, and has exited, before the uid is free; one that cannot be ended keeps its
    slot."""
    import subprocess
    import time

    uid = sandbox.CHILD_UID_BASE + sandbox.SLOTS - 1   # a slot no grader takes while tests run
    subprocess.run(["setsid", "-f", "sleep", "300"], user=uid, group=uid, check=True)
    deadline = time.monotonic() + 30
    while not sandbox._pids_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox._pids_of(uid), "the process of the test's uid did not start"
    assert sandbox._end_every_process_of(uid)
    assert sandbox._pids_of(uid, living=True) == []   # at most a zombie, until init collects it

    with sandbox._Slot() as first:
        first.keep()
    try:
        with sandbox._Slot() as second:
            assert second.number != first.number
    finally:
        os.close(first.fd)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a child a uid of its own")
def test_a_slot_whose_uid_still_owns_a_process_is_passed_over():
    """Even a zombie counts towards its uid's process limit: that uid is not given out."""
    import subprocess

    with sandbox._Slot() as free:
        number = free.number
    uid = sandbox.CHILD_UID_BASE + number
    holder = subprocess.Popen(["sleep", "300"], user=uid, group=uid)
    try:
        holder.kill()
        os.waitid(os.P_PID, holder.pid, os.WEXITED | os.WNOWAIT)   # a zombie, not collected
        assert sandbox._pids_of(uid) == [holder.pid]
        with sandbox._Slot() as slot:
            assert slot.number != number
    finally:
        holder.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a child a uid of its own")
def test_a_process_whose_first_thread_ended_is_killed_too():
    """/proc shows such a process as a zombie (state Z) while its other threads run on."""
    import subprocess
    import time

    with sandbox._Slot() as slot:
        uid = sandbox.CHILD_UID_BASE + slot.number
        code = ("import ctypes, threading, time\n"
                "threading.Thread(target=time.sleep, args=(300,)).start()\n"
                "ctypes.CDLL(None).pthread_exit(None)")
        python = next((path for path in (os.path.realpath(sys.executable), "/usr/bin/python3")
                       if _any_user_may_run(path)), None)
        if python is None:
            pytest.skip("no Python that any user may run (this one sits in a closed folder)")
        holder = subprocess.Popen([python, "-I", "-c", code], user=uid, group=uid)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status = open(f"/proc/{holder.pid}/status").read()
                if "State:\tZ" in status:
                    break
                time.sleep(0.01)
            assert "State:\tZ" in status and "Threads:\t2" in status
            assert sandbox._pids_of(uid, living=True) == [holder.pid]
            assert sandbox._end_every_process_of(uid)
            assert holder.wait(timeout=30) == -9
        finally:
            holder.kill()
            holder.wait()


def _any_user_may_run(path):
    """Whether PATH is a file every user may execute, behind no folder closed to them."""
    return (os.path.isfile(path) and os.stat(path).st_mode & 0o001
            and not sandbox._unreachable([path]))
