"""Running one submission's child process behind a boundary, with limits.

What protects the machine and the grade, strongest first:

- bubblewrap (``/usr/bin/bwrap``, when it works here): new network, PID, IPC
  and UTS namespaces (no network at all, not even the host's 127.0.0.1), the
  system, the Python installation, course_lib, course_grader and the course's data/ bound
  read-only, the rest of the file system read-only too, ``/tmp``, the home
  folder and ``/dev/shm`` empty folders inside the submission's own work
  folder — the only writable place — all capabilities dropped, everything
  killed with the sandbox.
- without bubblewrap: a new network namespace when the grader may create one
  (``unshare``), otherwise only Python's socket functions are disabled in the
  child (weak: ctypes gets around it); files outside the work folder are
  protected only by ordinary permissions. A grader running as root empties the
  child's capability bounding set, so the child cannot raise its limits,
  mount, or change users — but it keeps root's file permissions, and with
  them it could leave its pids cgroup. Without a cgroup, a process that
  starts its own session escapes the final kill.
- always: the grader itself made non-dumpable (no child can read or write its
  memory), its own session (killed as a group), a cgroup ``pids.max`` when the
  pids controller is writable (else RLIMIT_NPROC, which root ignores),
  RLIMIT_AS (memory), RLIMIT_CPU, RLIMIT_FSIZE (largest file), RLIMIT_NOFILE,
  no core dumps, a wall-clock limit, a watch on the size of the work folder
  (the child is killed when its files pass ``disk_bytes``), only the first
  ``output_bytes`` of its output kept, and a result file read only if it is
  small (``RESULT_LIMIT`` bytes, ``RESULT_CONTAINERS`` lists and objects), so
  no submission can make the grader itself run out of memory.

``isolation()`` says which of these this machine provides; the batch grader
writes that sentence into every grade.
"""

import ctypes
import functools
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass

import course_grader
import course_lib
from course_lib.grading.grade import CALL_SECONDS

BWRAP = "/usr/bin/bwrap"
PIDS_CGROUP = "/sys/fs/cgroup/pids"
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_CAPBSET_DROP = 24
PR_SET_DUMPABLE = 4
RESULT_LIMIT = 16 * 2**20  # an honest result.json is a few kB
RESULT_CONTAINERS = 100_000  # "[" and "{" in it: bounds the memory json.loads may take
DISK_POLL_SECONDS = 0.2
BLOCK = 4096  # the least an entry in the work folder counts for


@dataclass(frozen=True)
class Limits:
    """What one submission may use."""

    cell_seconds: float = CALL_SECONDS  # per cell and per function call, as in check
    total_seconds: float = 120.0  # the whole submission, restarts included
    memory_bytes: int = 2 * 2**30
    processes: int = 32
    output_bytes: int = 64 * 2**10
    file_bytes: int = 64 * 2**20
    disk_bytes: int = 256 * 2**20  # all files in the work folder (and the sandbox's /tmp)


@dataclass
class ChildRun:
    """What the parent learnt from one child process."""

    result: dict  # the decoded result.json, or None
    output: str  # its first output_bytes of stdout and stderr
    output_total: int  # how many bytes it printed in all
    returncode: int  # negative: killed by that signal
    timed_out: bool
    disk_full: bool = False  # killed for writing more than disk_bytes of files


@dataclass(frozen=True)
class Isolation:
    bubblewrap: bool
    network_namespace: bool
    pids_cgroup: bool

    def describe(self):
        parts = ["bubblewrap (no network, read-only system, private /tmp and home)"
                 if self.bubblewrap else
                 "no bubblewrap: " + ("network namespace" if self.network_namespace
                                      else "sockets disabled in Python only")
                 + ", files outside the work folder not protected"]
        parts.append("cgroup pids limit" if self.pids_cgroup else
                     "RLIMIT_NPROC" + (" (ignored: grading as root)" if os.geteuid() == 0 else ""))
        parts.append("memory, CPU, file size, disk and time limits")
        return "; ".join(parts)


@functools.cache
def isolation(use_bubblewrap=True):
    """The isolation this machine provides (probed once)."""
    with tempfile.TemporaryDirectory(prefix="course-grading-") as workdir:
        bubblewrap = use_bubblewrap and _probe([*_bwrap_prefix(workdir), sys.executable,
                                                "-c", "pass"])
    return Isolation(
        bubblewrap=bubblewrap,
        network_namespace=_probe([sys.executable, "-c", "pass"], new_netns=True),
        pids_cgroup=_pids_cgroup_works(),
    )


def _probe(command, new_netns=False):
    try:
        preexec = _unshare_network if new_netns else None
        return subprocess.run(command, capture_output=True, timeout=20,
                              preexec_fn=preexec).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _unshare_network():
    """A new, empty network namespace (inside a new user namespace when not privileged)."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNET) != 0 and libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")


@functools.cache
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _pids_cgroup_works():
    path = _new_cgroup(1)
    if path:
        os.rmdir(path)
    return path is not None


def _new_cgroup(limit):
    path = os.path.join(PIDS_CGROUP, f"course-grading-{uuid.uuid4().hex[:12]}")
    try:
        os.mkdir(path)
    except OSError:
        return None
    try:
        with open(os.path.join(path, "pids.max"), "w") as file:
            file.write(str(limit))
    except OSError:
        os.rmdir(path)
        return None
    return path


def _bwrap_prefix(workdir):
    """bwrap arguments: read-only system and Python, writable ``workdir`` only."""
    args = [BWRAP, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    for path in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev"]
    # The private /tmp, home and /dev/shm come next: Python, the course and the work folder are
    # mounted over them, so a course cloned under /tmp stays visible inside the sandbox.
    for inside, folder in _private_folders(workdir).items():  # counted by the disk watch
        args += ["--bind", folder, inside]
    library = os.path.dirname(os.path.realpath(course_lib.__file__))
    grader = os.path.dirname(os.path.realpath(course_grader.__file__))  # the child's own code
    python = {sys.prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), library,
              grader}
    for path in sorted(python):
        args += ["--ro-bind", path, path]
    course_data = os.path.join(os.path.dirname(library), "data")  # datasets the course ships
    args += ["--ro-bind-try", course_data, course_data,
             "--ro-bind-try", "/etc/fonts", "/etc/fonts"]  # for figures drawn by the notebook
    args += ["--bind", workdir, workdir,  # after /tmp, which may hold it
             "--setenv", "HOME", "/home/learner", "--remount-ro", "/dev", "--remount-ro", "/",
             "--chdir", workdir]
    return args


def _private_folders(workdir):
    """The sandbox's writable /tmp, home and /dev/shm: empty folders inside ``workdir``."""
    folders = {"/tmp": "tmp", "/home/learner": "home", "/dev/shm": "shm"}
    for name in folders.values():
        os.makedirs(os.path.join(workdir, name), exist_ok=True)
    return {inside: os.path.join(workdir, name) for inside, name in folders.items()}


def _environment(home, tmp):
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "PYTHONIOENCODING": "utf-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _limit_process(limits, cgroup, new_netns, drop_capabilities):
    """Runs in the forked child before exec: session, cgroup, namespace, rlimits, capabilities."""
    def preexec():
        os.setsid()
        if cgroup:
            fd = os.open(os.path.join(cgroup, "cgroup.procs"), os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
        if new_netns:
            _unshare_network()
        cpu = int(limits.total_seconds) + 5
        for kind, value in ((resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, cpu),
                            (resource.RLIMIT_FSIZE, limits.file_bytes),
                            (resource.RLIMIT_NOFILE, 256), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(kind, (value, value))
        if os.geteuid() != 0:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        elif drop_capabilities:
            _drop_capabilities(last_capability)

    nproc = _processes_of_this_user() + limits.processes if os.geteuid() != 0 else 0
    with open("/proc/sys/kernel/cap_last_cap") as file:
        last_capability = int(file.read())
    return preexec


def _drop_capabilities(last_capability):
    """Empty the capability bounding set: after exec, root keeps its uid but no capability
    (it cannot raise its limits, mount, or change users)."""
    for capability in range(last_capability + 1):
        if _libc().prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"cannot drop capability {capability}")


def _processes_of_this_user():
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        try:
            count += entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            pass
    return count


def run_job(job, limits, seconds, use_bubblewrap=True):
    """Run the child on ``job`` (a JSON-ready dict) for at most ``seconds`` → ChildRun."""
    where = isolation(use_bubblewrap)
    _protect_grader()
    workdir = tempfile.mkdtemp(prefix="course-grading-")
    cgroup = _new_cgroup(limits.processes) if where.pids_cgroup else None
    # -u (unbuffered): what a cell printed before it crashed the process is kept
    child = [sys.executable, "-I", "-u", "-m", "course_grader.child"]
    if where.bubblewrap:
        command, env = _bwrap_prefix(workdir) + child, _environment("/home/learner", "/tmp")
    else:
        folders = _private_folders(workdir)
        command, env = child, _environment(folders["/home/learner"], folders["/tmp"])
    job = dict(job, block_network=not (where.bubblewrap or where.network_namespace))
    try:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_limit_process(limits, cgroup, new_netns=not where.bubblewrap
                                      and where.network_namespace,
                                      drop_capabilities=not where.bubblewrap))
        output = _Output(process.stdout, limits.output_bytes)
        threading.Thread(target=_send, args=(process.stdin, job), daemon=True).start()
        timed_out, disk_full = _wait(process, seconds, workdir, limits.disk_bytes)
        _kill_everything(process, cgroup)
        output.thread.join(timeout=5)
        return ChildRun(_read_result(workdir), output.text(), output.total,
                        process.returncode, timed_out, disk_full)
    finally:
        if cgroup:
            _remove_cgroup(cgroup)
        shutil.rmtree(workdir, ignore_errors=True)


def _protect_grader():
    """Make this process non-dumpable: a child running as the same user can then neither
    read nor write its memory (``/proc/<pid>/mem``, ptrace), where it could change grades."""
    _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _wait(process, seconds, workdir, disk_bytes):
    """Wait for the child → (timed_out, disk_full), polling the size of its work folder."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            process.wait(timeout=min(DISK_POLL_SECONDS, max(deadline - time.monotonic(), 0)))
            return False, False
        except subprocess.TimeoutExpired:
            pass
        if _disk_usage(workdir, disk_bytes) > disk_bytes:
            return False, True
        if time.monotonic() >= deadline:
            return True, False


def _disk_usage(folder, enough=float("inf")):
    """Bytes of disk the files under ``folder`` occupy (symbolic links are not followed),
    at least a block per entry, so a million empty files count too; the count stops once
    past ``enough``."""
    total, pending = 0, [folder]
    while pending and total <= enough:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                total += max(entry.stat(follow_symlinks=False).st_blocks * 512, BLOCK)
            except OSError:
                pass
    return total


def _send(stream, job):
    try:
        stream.write(json.dumps(job).encode())
        stream.close()
    except OSError:  # the child died before reading its job
        pass


class _Output:
    """Drain the child's output, keeping only the first ``limit`` bytes."""

    def __init__(self, stream, limit):
        self.stream, self.limit, self.kept, self.total = stream, limit, bytearray(), 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self):
        while chunk := self.stream.read1(65536):
            self.total += len(chunk)
            if len(self.kept) < self.limit:
                self.kept += chunk[: self.limit - len(self.kept)]

    def text(self):
        return self.kept.decode("utf-8", errors="replace")


def _kill_everything(process, cgroup):
    for _ in range(100):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        left = _cgroup_pids(cgroup)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not left:
            break
        time.sleep(0.01)
    process.wait()


def _cgroup_pids(cgroup):
    if not cgroup:
        return []
    try:
        with open(os.path.join(cgroup, "cgroup.procs")) as file:
            return [int(line) for line in file if line.strip()]
    except OSError:
        return []


def _remove_cgroup(cgroup):
    for _ in range(200):
        try:
            os.rmdir(cgroup)
            return
        except FileNotFoundError:
            return
        except OSError:  # processes still exiting
            for pid in _cgroup_pids(cgroup):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)


def _read_result(workdir):
    """result.json, only if it is a regular file of sane size with a JSON object in it.

    The limits on its size and on its number of lists and objects keep json.loads from
    taking gigabytes: 60 MB of ``[],`` would otherwise be twenty million lists.
    """
    try:
        fd = os.open(os.path.join(workdir, "result.json"), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > RESULT_LIMIT:
            return None
        raw = file.read(RESULT_LIMIT + 1)
        if len(raw) > RESULT_LIMIT or raw.count(b"[") + raw.count(b"{") > RESULT_CONTAINERS:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
    return data if isinstance(data, dict) else None
