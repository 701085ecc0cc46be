"""Running one submission's child process behind a boundary, with limits the kernel keeps.

What protects the machine, the other submissions and the grades (``isolation()``
says which of these this machine provides, and the batch grader writes that
sentence into every grade):

- Never root in the sandbox. A grader running as root starts every child as
  a uid of its own (``CHILD_UID_BASE`` + a slot number, a uid no account
  uses; one per submission graded at the same time), so the child cannot
  write the kernel's settings, signal the grader or another child, read
  another child's files, or leave its cgroups, whose files belong to root.
- bubblewrap (``/usr/bin/bwrap``, when it works here), started already as
  that unprivileged uid: new user (further ones disabled), network, PID, IPC
  and UTS namespaces (no network at all, not even the host's 127.0.0.1), the
  system, the Python installation, course_lib, course_grader and the
  course's data/ bound read-only, the rest of the file system absent,
  ``/proc/sys`` read-only, the questions' folder (references and known
  mistakes) replaced by an empty one, ``/tmp``, the home folder and
  ``/dev/shm`` folders inside the submission's own work folder — the only
  writable place — all capabilities dropped, everything killed with the
  sandbox.
- without bubblewrap, as root: the same unprivileged uid, a new network
  namespace, a new IPC namespace (no System V shared memory or message queue
  outlives it) and a new mount namespace in which the submissions, the output
  folder, solutions/, tests/, the course's git folder and the questions' folder
  are covered by empty, unreadable folders, and /tmp, /var/tmp, /run/lock and
  /dev/shm by the child's own (files any user may read elsewhere stay
  readable).
  Without bubblewrap and not root: a network namespace when the grader may
  create one, else only Python's sockets disabled (and the seccomp filter
  below); files are protected by ordinary permissions only.
- a seccomp filter (``seccomp``; x86-64) for the system calls an answer never
  needs: memfd, namespaces, ptrace, keyrings, mounting, io_uring, sockets
  other than AF_UNIX, ...
- limits the kernel accounts, as root: a memory cgroup per submission
  (``memory.limit_in_bytes``; shared memory, memfd and tmpfs pages included)
  and a pids cgroup, and the work folder a tmpfs of ``disk_bytes`` (files
  unlinked but still open count, and nothing needs watching). Not root:
  RLIMIT_NPROC, RLIMIT_AS per process, and a watch on the work folder's size
  every ``DISK_POLL_SECONDS``. Always: RLIMIT_CPU, RLIMIT_FSIZE,
  RLIMIT_NOFILE, no core dumps, a wall-clock deadline, a per-cell watchdog
  (a cell or call silent for longer than its time limit and a grace period
  is killed), only the first ``output_bytes`` of output kept.
- a parent that trusts nothing: the grader is non-dumpable, the results come
  back through a pipe it made (the job names its descriptor), read line by line
  up to ``RESULT_LIMIT`` bytes and ``RESULT_CONTAINERS`` lists and objects,
  so no submission can block it or make it run out of memory.
"""

import ctypes
import fcntl
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
from course_grader import seccomp
from course_lib.grading.grade import CALL_SECONDS

BWRAP = "/usr/bin/bwrap"
PIDS_CGROUP = "/sys/fs/cgroup/pids"
MEMORY_CGROUP = "/sys/fs/cgroup/memory"
CHILD_UID_BASE = 2**31 - 2**16  # + slot: uids no account uses (2147418112, ...)
SLOTS = 4096
SLOT_FOLDER = os.path.join("/run" if os.access("/run", os.W_OK) else tempfile.gettempdir(),
                           f"course-grading-slots-{os.geteuid()}")
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 4096, 8192, 16384, 1 << 18)
MNT_DETACH = 2
PR_CAPBSET_DROP = 24
PR_SET_DUMPABLE = 4
RESULT_LIMIT = 16 * 2**20  # bytes of results read from a child (an honest one sends a few kB)
RESULT_CONTAINERS = 100_000  # "[" and "{" in them: bounds the memory json.loads may take
DISK_POLL_SECONDS = 0.2
CGROUP_REMOVAL_SECONDS = 120  # how long an emptied cgroup may take to become removable
BLOCK = 4096  # the least an entry in the work folder counts for
QUESTIONS = os.path.join(os.path.dirname(os.path.realpath(course_lib.__file__)),
                         "grading", "questions")  # the references: never inside the sandbox
COURSE = os.path.dirname(os.path.dirname(os.path.realpath(course_lib.__file__)))
# Folders any user may write to, which outlive a child: without bubblewrap, as root, the child
# gets its own in their place (a note left there would reach a rerun or another submission).
SHARED_FOLDERS = {"/tmp": "tmp", "/var/tmp": "tmp", "/run/lock": "tmp", "/dev/shm": "shm"}


@dataclass(frozen=True)
class Limits:
    """What one submission may use."""

    cell_seconds: float = CALL_SECONDS  # per cell and per function call, as in check
    total_seconds: float = 120.0  # the whole submission, reruns included
    memory_bytes: int = 2 * 2**30
    processes: int = 32
    output_bytes: int = 64 * 2**10
    file_bytes: int = 64 * 2**20
    disk_bytes: int = 256 * 2**20  # all files in the work folder (and the sandbox's /tmp)

    @property
    def grace_seconds(self):
        """How long past its time limit a cell may stay silent before it is killed."""
        return max(2.0, self.cell_seconds)


@dataclass
class ChildRun:
    """What the parent learnt from one child process."""

    result: dict  # what the child reported (see _Results), or None
    output: str  # its first output_bytes of stdout and stderr
    output_total: int  # how many bytes it printed in all
    returncode: int  # negative: killed by that signal
    timed_out: bool
    disk_full: bool = False  # killed for writing more than disk_bytes of files
    out_of_memory: bool = False  # killed by the kernel for passing memory_bytes
    ignored_time_limit: bool = False  # a cell or call outlived its limit and the grace period


@dataclass(frozen=True)
class Isolation:
    bubblewrap: bool
    network_namespace: bool
    pids_cgroup: bool
    memory_cgroup: bool = False
    child_uid: bool = False  # root: the child runs as an unprivileged uid of its own
    seccomp: bool = False

    def describe(self):
        """What holds, in one line (the ``isolation`` column of grades.csv)."""
        who = ("a uid of its own" if self.child_uid else "the grading user's uid")
        if self.bubblewrap:
            parts = [f"bubblewrap as {who} (no network, read-only system and /proc/sys, "
                     "references hidden, private /tmp and home)"]
        elif self.child_uid:
            parts = [f"no bubblewrap: {who}, network namespace, submissions, solutions and "
                     "references hidden (files any user may read stay readable)"]
        else:
            parts = ["no bubblewrap: " + ("network namespace" if self.network_namespace
                                          else "sockets disabled in Python only")
                     + f", {who}: files outside the work folder not protected"]
        if self.seccomp:
            parts.append("seccomp filter")
        parts.append("cgroup memory limit (shared memory included)" if self.memory_cgroup
                     else "memory limit per process")
        parts.append("cgroup pids limit" if self.pids_cgroup else
                     "RLIMIT_NPROC" + (" (ignored: grading as root)"
                                       if os.geteuid() == 0 and not self.child_uid else ""))
        parts.append("tmpfs work folder of fixed size" if _as_root() else
                     "work folder size watched")
        parts.append("CPU, file size and time limits")
        return "; ".join(parts)


def _as_root():
    return os.geteuid() == 0


@functools.cache
def isolation(use_bubblewrap=True):
    """The isolation this machine provides (probed once)."""
    root = _as_root()
    with _Slot() as slot:
        uid = CHILD_UID_BASE + slot.number if root else None
        workdir = _make_workdir(Limits(), uid)
        try:
            bubblewrap = use_bubblewrap and _probe(
                [*_bwrap_prefix(workdir, hide_questions=False), sys.executable, "-c", "pass"],
                _limit_process(Limits(), [], uid, False, [], False, workdir))
        finally:
            _remove_workdir(workdir)
    return Isolation(
        bubblewrap=bubblewrap,
        network_namespace=_probe([sys.executable, "-c", "pass"], _unshare_network),
        pids_cgroup=_cgroup_works(PIDS_CGROUP, "pids.max", "1"),
        memory_cgroup=_cgroup_works(MEMORY_CGROUP, "memory.limit_in_bytes", str(2**30)),
        child_uid=root,
        seccomp=seccomp.supported(),
    )


def _probe(command, preexec=None):
    try:
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


class _Slot:
    """A number no other child on this machine holds while this one runs (its uid's offset):
    a lock on a file in SLOT_FOLDER, so two graders running at once never share a uid. A
    number whose uid still owns a process is passed over: a zombie of the last child (ended,
    not yet collected by init) still counts towards the uid's process limit, so the next
    child could not start its own."""

    def __enter__(self):
        os.makedirs(SLOT_FOLDER, mode=0o700, exist_ok=True)
        info = os.lstat(SLOT_FOLDER)
        if info.st_uid != os.geteuid() or info.st_mode & 0o077 or not stat.S_ISDIR(info.st_mode):
            raise RuntimeError(f"{SLOT_FOLDER} must be a folder of this user's, mode 0700")
        for number in range(SLOTS):
            fd = os.open(os.path.join(SLOT_FOLDER, str(number)), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            if _pids_of(CHILD_UID_BASE + number):
                os.close(fd)
                continue
            self.fd, self.number, self.kept = fd, number, False
            return self
        raise RuntimeError(f"more than {SLOTS} children at once")

    def keep(self):
        """Hold the number for as long as this grader runs (not given back on exit)."""
        self.kept = True

    def __exit__(self, *exc):
        if not self.kept:
            os.close(self.fd)  # releases the lock


def _cgroup_works(root, control, value):
    path = _new_cgroup(root, {control: value})
    if path:
        os.rmdir(path)
    return path is not None


def _new_cgroup(root, settings):
    """A new cgroup under ``root`` with ``settings`` written in order, or None."""
    path = os.path.join(root, f"course-grading-{uuid.uuid4().hex[:12]}")
    try:
        os.mkdir(path)
    except OSError:
        return None
    try:
        for control, value in settings.items():
            if control.startswith("?"):  # optional: absent where the kernel has no such file
                if not os.path.exists(os.path.join(path, control[1:])):
                    continue
                control = control[1:]
            with open(os.path.join(path, control), "w") as file:
                file.write(value)
    except OSError:
        os.rmdir(path)
        return None
    return path


def _cgroups(limits, where):
    """The submission's cgroups: pids and memory, where the grader may create them."""
    found = []
    if where.pids_cgroup:
        found.append(_new_cgroup(PIDS_CGROUP, {"pids.max": str(limits.processes)}))
    if where.memory_cgroup:
        memory = str(limits.memory_bytes)
        found.append(_new_cgroup(MEMORY_CGROUP, {"memory.limit_in_bytes": memory,
                                                 "?memory.memsw.limit_in_bytes": memory}))
    return [path for path in found if path]


def _bwrap_prefix(workdir, hide_questions=True):
    """bwrap arguments: read-only system and Python, writable ``workdir`` only."""
    args = [BWRAP, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--new-session", "--cap-drop", "ALL"]
    for path in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev"]
    # The private /tmp, home and /dev/shm come next: Python, the course and the work folder are
    # mounted over them, so a course cloned under /tmp stays visible inside the sandbox.
    for inside, folder in _private_folders(workdir).items():
        args += ["--bind", folder, inside]
    library = os.path.dirname(os.path.realpath(course_lib.__file__))
    grader = os.path.dirname(os.path.realpath(course_grader.__file__))  # the child's own code
    python = {sys.prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), library,
              grader}
    for path in sorted(python):
        args += ["--ro-bind", path, path]
    if hide_questions:  # the references and the known mistakes stay with the parent
        args += ["--tmpfs", QUESTIONS, "--remount-ro", QUESTIONS]
    course_data = os.path.join(os.path.dirname(library), "data")  # datasets the course ships
    args += ["--ro-bind-try", course_data, course_data,
             "--ro-bind-try", "/etc/fonts", "/etc/fonts"]  # for figures drawn by the notebook
    args += ["--bind", workdir, workdir,  # after /tmp, which may hold it
             "--setenv", "HOME", "/home/learner", "--remount-ro", "/dev", "--remount-ro", "/",
             "--chdir", workdir]
    return args


def _private_folders(workdir):
    """The sandbox's writable /tmp, home and /dev/shm: folders inside ``workdir``."""
    return {inside: os.path.join(workdir, name)
            for inside, name in {"/tmp": "tmp", "/home/learner": "home", "/dev/shm": "shm"}.items()}


def _make_workdir(limits, uid):
    """The child's only writable folder; as root a tmpfs of ``disk_bytes`` owned by ``uid``."""
    workdir = tempfile.mkdtemp(prefix="course-grading-")
    if uid is not None:
        options = (f"size={limits.disk_bytes},nr_inodes={limits.disk_bytes // BLOCK},"
                   f"mode=0700,uid={uid},gid={uid}").encode()
        if _libc().mount(b"tmpfs", workdir.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                         options) != 0:
            error = ctypes.get_errno()
            os.rmdir(workdir)
            raise OSError(error, f"cannot mount the work folder's tmpfs: {os.strerror(error)}")
    for folder in _private_folders(workdir).values():
        os.mkdir(folder)
        if uid is not None:
            os.chown(folder, uid, uid)
    return workdir


def _remove_workdir(workdir):
    """Unmount the tmpfs (as root) or delete the folder, whatever its permissions."""
    if _as_root() and os.path.ismount(workdir):
        _libc().umount2(workdir.encode(), MNT_DETACH)
    for parent, folders, _ in os.walk(workdir):
        for name in folders:  # a folder the child made unreadable (chmod 0300) is ours to open
            path = os.path.join(parent, name)
            if os.path.islink(path):  # a link the child made to a folder: never followed
                continue
            try:
                os.chmod(path, 0o700)
            except OSError:
                pass
    shutil.rmtree(workdir, onerror=_make_deletable)


def _make_deletable(function, path, excinfo):
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if not os.path.islink(path):  # Linux cannot change a link's own mode
            os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass


def _environment(home, tmp):
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "PYTHONIOENCODING": "utf-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _unreachable(paths):
    """(the first folder an unprivileged uid cannot enter, the path below it) for each of
    ``paths`` behind such a folder (say, a Python installed under /root, mode 0700)."""
    found = []
    for path in sorted({os.path.realpath(path) for path in paths}):
        if any(os.path.commonpath([path, done]) == done for _, done in found):
            continue  # inside a path already exposed
        parts = path.split(os.sep)
        for end in range(2, len(parts)):
            folder = os.sep.join(parts[:end])
            if not os.stat(folder).st_mode & 0o001:
                found.append((folder, path))
                break
    return found


def _needed():
    """What the child must reach: Python, course_lib, course_grader, the course's data."""
    library = os.path.dirname(os.path.realpath(course_lib.__file__))
    return [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
            library, os.path.dirname(os.path.realpath(course_grader.__file__)),
            *[data for data in [os.path.join(os.path.dirname(library), "data")]
              if os.path.isdir(data)]]


def _expose(libc, blocked, workdir):
    """In the child's own mount namespace (root, before it drops to its uid): replace each
    folder it cannot enter by an empty one it can, holding only the path it needs there."""
    stages = []
    for number, (_, path) in enumerate(blocked):  # first set each path aside ...
        stage = os.path.join(workdir, f".stage{number}").encode()
        os.mkdir(stage)
        if libc.mount(path.encode(), stage, None, MS_BIND | MS_REC, None) != 0:
            raise OSError(ctypes.get_errno(), f"cannot bind {path!r}")
        stages.append(stage)
    for folder in dict.fromkeys(folder for folder, _ in blocked):  # ... cover the folders ...
        if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                      b"mode=0755,size=65536") != 0:
            raise OSError(ctypes.get_errno(), f"cannot cover {folder!r}")
    for stage, (_, path) in zip(stages, blocked):  # ... and put the paths back in them
        os.makedirs(path, exist_ok=True)
        if libc.mount(stage, path.encode(), None, MS_MOVE, None) != 0:
            raise OSError(ctypes.get_errno(), f"cannot move {path!r} into place")


def _shared_folders(workdir):
    """[(shared folder, the child's own folder to put in its place, [what of the shared folder
    the child needs: its work folder, Python, the course])] for the SHARED_FOLDERS here."""
    private = {name: os.path.join(workdir, name) for name in set(SHARED_FOLDERS.values())}
    found = []
    for folder, name in SHARED_FOLDERS.items():
        folder = os.path.realpath(folder)
        if not os.path.isdir(folder) or any(folder == done for done, _, _ in found):
            continue
        kept = sorted({path for path in map(os.path.realpath, [workdir, *_needed()])
                       if os.path.commonpath([path, folder]) == folder and path != folder})
        found.append((folder, private[name], kept))
    return found


def _privatise(libc, shared, workdir):
    """In the child's own mount namespace: each shared folder replaced by the child's own
    folder, the paths it needs inside it (its work folder, say, under /tmp) put back. The
    stages are named from the work folder, the current directory, which stays reachable when
    the folder holding it is covered."""
    os.chdir(workdir)
    for number, (folder, private, kept) in enumerate(shared):
        stages = []
        for index, path in enumerate(kept):  # set aside what must stay reachable ...
            stage = f".shared{number}-{index}".encode()
            os.mkdir(stage)
            if libc.mount(path.encode(), stage, None, MS_BIND | MS_REC, None) != 0:
                raise OSError(ctypes.get_errno(), f"cannot bind {path!r}")
            stages.append(stage)
        if libc.mount(private.encode(), folder.encode(), None, MS_BIND, None) != 0:  # ... cover
            raise OSError(ctypes.get_errno(), f"cannot replace {folder!r}")
        for stage, path in zip(stages, kept):  # ... and put it back
            os.makedirs(path, exist_ok=True)
            if libc.mount(stage, path.encode(), None, MS_MOVE, None) != 0:
                raise OSError(ctypes.get_errno(), f"cannot move {path!r} into place")


def _limit_process(limits, cgroups, uid, network, hide, filter_here, workdir):
    """Runs in the forked child before exec: session, cgroups, namespaces, rlimits, uid,
    capabilities, seccomp. Everything it needs is prepared before the fork."""
    libc = _libc()
    procs = [os.path.join(cgroup, "cgroup.procs") for cgroup in cgroups]
    hidden = [path.encode() for path in hide if os.path.isdir(path)]
    blocked = _unreachable(_needed()) if uid is not None else []
    shared = _shared_folders(workdir) if hidden or blocked else []
    fprog = seccomp.prepared() if filter_here else None
    nproc = limits.processes if uid is not None else _processes_of_this_user() + limits.processes
    with open("/proc/sys/kernel/cap_last_cap") as file:
        last_capability = int(file.read())

    def preexec():
        os.setsid()
        for path in procs:
            fd = os.open(path, os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
        if hidden or blocked:  # root: the child's own view of the files
            if libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | (CLONE_NEWNET if network else 0)) != 0:
                raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed")
            libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
            _expose(libc, blocked, workdir)
            for path in hidden:  # without bubblewrap: cover what the child must not read
                if libc.mount(b"tmpfs", path, b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV
                              | MS_NOEXEC, b"size=4096,nr_inodes=1,mode=0") != 0:
                    raise OSError(ctypes.get_errno(), f"cannot hide {path!r}")
            _privatise(libc, shared, workdir)
        elif network:
            _unshare_network()
        cpu = int(limits.total_seconds) + 5
        for kind, value in ((resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, cpu),
                            (resource.RLIMIT_FSIZE, limits.file_bytes),
                            (resource.RLIMIT_NOFILE, 256), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_NPROC, nproc)):
            resource.setrlimit(kind, (value, value))
        if uid is not None:
            _drop_capabilities(last_capability)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        if fprog is not None:
            seccomp.install(libc, fprog)

    return preexec


def _drop_capabilities(last_capability):
    """Empty the capability bounding set, so nothing the child runs can regain one."""
    for capability in range(last_capability + 1):
        if _libc().prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"cannot drop capability {capability}")


def _processes_of_this_user():
    return len(_pids_of(os.getuid()))


def _pids_of(uid, living=False):
    """The processes whose /proc entry belongs to ``uid``; with ``living``, not the zombies
    (processes that have ended, whose exit status their parent has not yet collected)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                if not (living and _ended(entry)):
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def _ended(pid):
    """Whether process PID is a zombie with nothing left running: its state is Z and it has
    one thread (a process whose first thread ended shows Z while its other threads run)."""
    with open(f"/proc/{pid}/status", "rb") as status_file:
        fields = dict(line.split(b":", 1) for line in status_file if b":" in line)
    return fields[b"State"].split()[0] == b"Z" and int(fields[b"Threads"]) == 1


def _end_every_process_of(uid):
    """Kill every process running as ``uid`` and wait until none is left alive; False if one
    still is after CGROUP_REMOVAL_SECONDS. A killed process takes signals until it has
    exited (one that left its session and its cgroup could outlive the run): the next child
    given this uid must find nothing of the last one's.

    The kill is sent by a shell running as that uid, ``kill -KILL -1``: the kernel delivers
    it to every process the uid may signal but the shell (a setuid program the child started
    included) and to no other, so no process is killed by a pid that was reused. Only
    zombies may remain (ended, not yet collected by init, here up to 2 s later; an init that
    never collects them would use up the slots): nothing runs in them, and ``_Slot`` gives
    their uid to no child until they are gone."""
    deadline = time.monotonic() + CGROUP_REMOVAL_SECONDS
    while _pids_of(uid, living=True):
        if time.monotonic() > deadline:
            return False
        subprocess.run(["/bin/sh", "-c", "kill -KILL -1"], user=uid, group=uid, extra_groups=[],
                       env={}, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        time.sleep(0.01)
    return True


def hidden_paths(extra, workdir):
    """What a child without bubblewrap must not read: ``extra`` (the submissions' folders, the
    output folder), the course's solutions/ and tests/, its git history (every version of the
    solutions and references), and the questions' references — except a folder that holds
    what the child needs (its work folder, Python, the course's code)."""
    course = [os.path.join(COURSE, name) for name in ("solutions", "tests")] + _git_folders()
    needed = [os.path.realpath(path) for path in (workdir, sys.prefix, sys.base_prefix, QUESTIONS)]
    hidden = {os.path.realpath(path) for path in [*extra, *course]}
    return sorted(path for path in hidden
                  if not any(os.path.commonpath([path, used]) == path for used in needed)) + [
        QUESTIONS]


def _git_folders():
    """The course's git folder: ``.git``, or for a worktree (``.git`` a file naming its
    folder) the repository's common folder, which holds the objects."""
    dot_git = os.path.join(COURSE, ".git")
    if os.path.isdir(dot_git):
        return [dot_git]
    try:
        with open(dot_git) as file:
            line = file.read(4096).strip()
        folder = os.path.join(COURSE, line.split(":", 1)[1].strip())
        try:
            with open(os.path.join(folder, "commondir")) as file:
                folder = os.path.join(folder, file.read(4096).strip())
        except OSError:
            pass
        return [os.path.realpath(folder)] if os.path.isdir(folder) else []
    except (OSError, IndexError):
        return []


def run_job(job, limits, seconds, use_bubblewrap=True, hide=(), later=None):
    """Run the child on ``job`` (a JSON-ready dict) for at most ``seconds`` → ChildRun.

    ``hide``: folders a child without bubblewrap, graded as root, must not see (see
    :func:`hidden_paths`); bubblewrap shows the child nothing but what it needs.
    ``later``: ``(message, question ids)``, a second line sent to the child only once it has
    reported every one of those questions (the correct earlier answers, see ``child``)."""
    where = isolation(use_bubblewrap)
    _protect_grader()
    with _Slot() as slot:
        uid = CHILD_UID_BASE + slot.number if where.child_uid else None
        workdir = _make_workdir(limits, uid)
        cgroups = _cgroups(limits, where)
        try:
            return _run(job, limits, seconds, where, uid, workdir, cgroups, hide, later)
        finally:
            if uid is not None and not _end_every_process_of(uid):
                slot.keep()   # no later child gets a uid a process of this one still has
            for cgroup in cgroups:
                _remove_cgroup(cgroup)
            _remove_workdir(workdir)


def _run(job, limits, seconds, where, uid, workdir, cgroups, hide, later):
    # -u (unbuffered): what a cell printed before it crashed the process is kept
    child = [sys.executable, "-I", "-u", "-m", "course_grader.child"]
    keep = []
    if where.bubblewrap:
        command = _bwrap_prefix(workdir)
        if where.seccomp:
            filter_read, filter_write = os.pipe()
            os.write(filter_write, seccomp.program())
            os.close(filter_write)
            command += ["--seccomp", str(filter_read)]
            keep.append(filter_read)
        command, env = command + child, _environment("/home/learner", "/tmp")
    else:
        folders = _private_folders(workdir)
        command, env = child, _environment(folders["/home/learner"], folders["/tmp"])
    results_read, results_write = os.pipe()
    keep.append(results_write)
    job = dict(job, block_network=not (where.bubblewrap or where.network_namespace),
               result_fd=results_write)
    hide = hidden_paths(hide, workdir) if uid is not None and not where.bubblewrap else []
    preexec = _limit_process(limits, cgroups, uid, network=not where.bubblewrap
                             and where.network_namespace, hide=hide,
                             filter_here=where.seccomp and not where.bubblewrap, workdir=workdir)
    try:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=keep, preexec_fn=preexec)
    finally:
        for fd in keep:
            os.close(fd)
    results = _Results(results_read)
    output = _Output(process.stdout, limits.output_bytes)
    threading.Thread(target=_send, args=(process, job, later, results), daemon=True).start()
    timed_out, disk_full, ignored = _wait(process, seconds, workdir, limits, uid is None, results)
    _kill_everything(process, cgroups)
    output.thread.join(timeout=5)
    results.thread.join(timeout=5)
    return ChildRun(results.report(), output.text(), output.total, process.returncode, timed_out,
                    disk_full, _out_of_memory(cgroups), ignored)


def _protect_grader():
    """Make this process non-dumpable: a child running as the same user can then neither
    read nor write its memory (``/proc/<pid>/mem``, ptrace), where it could change grades."""
    _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _wait(process, seconds, workdir, limits, watch_disk, results):
    """Wait for the child → (timed_out, disk_full, ignored_time_limit)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            process.wait(timeout=min(DISK_POLL_SECONDS, max(deadline - time.monotonic(), 0)))
            return False, False, False
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if results.silent_since(now) > limits.cell_seconds + limits.grace_seconds:
            return False, False, True
        if watch_disk and _disk_usage(workdir, limits.disk_bytes) > limits.disk_bytes:
            return False, True, False
        if now >= deadline:
            return True, False, False


def _disk_usage(folder, enough=float("inf")):
    """Bytes of disk the files under ``folder`` occupy (symbolic links are not followed),
    at least a block per entry, so a million empty files count too; the count stops once
    past ``enough``. A folder the child made unreadable is opened (it is the grader's user's)."""
    total, pending = 0, [folder]
    while pending and total <= enough:
        path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except PermissionError:
            try:
                os.chmod(path, 0o700)
                entries = list(os.scandir(path))
            except OSError:
                continue
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


def _send(process, job, later, results):
    """The job, one line; then ``later``'s message once the child has reported its questions
    (or nothing, if it ends first)."""
    try:
        with process.stdin as stream:
            stream.write(json.dumps(job).encode() + b"\n")
            stream.flush()
            if later is not None:
                message, after = later
                if results.wait_for_questions(after, process):
                    stream.write(json.dumps(message).encode() + b"\n")
    except OSError:  # the child died before reading it
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


class _Results:
    """The child's reports, one JSON object per line on a pipe, read as they come.

    ``{"sources": [...]}`` (the cells as plain Python, sent before any learner code runs, and
    accepted only before any report of a cell or call), ``{"running": where}``,
    ``{"cell": status}``, ``{"question": [id, outcomes]}``, ``{"done": true}``. \
Past ``RESULT_LIMIT`` bytes or
    ``RESULT_CONTAINERS`` lists and objects, or at a malformed line, the rest is drained
    unread: json.loads never sees more than the limits allow.
    """

    def __init__(self, fd):
        self.state = {"sources": None, "cells": [], "questions": {}, "running": None,
                      "done": False}
        self.lines, self.size, self.containers, self.broken = 0, 0, 0, False
        self.reading = True  # no cell or call has started yet: the cells' text can be trusted
        self.last = None  # when the child last reported
        self.lock = threading.Condition()  # notified at each report of a question
        self.thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self.thread.start()

    def _read(self, fd):
        pending = bytearray()
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                self.size += len(chunk)
                if self.broken or self.size > RESULT_LIMIT:
                    self.broken = True
                    continue
                pending += chunk
                while (end := pending.find(b"\n")) >= 0 and not self.broken:
                    self._take(bytes(pending[:end]))
                    del pending[: end + 1]

    def _take(self, line):
        self.containers += line.count(b"[") + line.count(b"{")
        try:
            if self.containers > RESULT_CONTAINERS:
                raise ValueError("too many lists and objects")
            message = json.loads(line)
            (kind, body), = message.items()
        except (ValueError, TypeError, AttributeError, RecursionError, UnicodeDecodeError):
            self.broken = True
            return
        with self.lock:
            self.last = time.monotonic()
            state = self.state
            self.lines += 1
            if not (kind == "running" and isinstance(body, dict) and set(body) == {"transform"}):
                reading, self.reading = self.reading, False
            else:
                reading = self.reading
            if kind == "sources" and reading and isinstance(body, list):
                state["sources"] = [text for text in body if isinstance(text, str)]
            elif kind == "running":
                state["running"] = body
            elif kind == "cell":
                state["cells"].append(body)
            elif kind == "question" and isinstance(body, list) and len(body) == 2 \
                    and isinstance(body[0], str):
                state["questions"].setdefault(body[0], body[1])  # the first report stands
                self.lock.notify_all()
            elif kind == "done" and body is True:
                state["running"], state["done"] = None, True

    def wait_for_questions(self, ids, process):
        """Wait until every question in ``ids`` has a report (True), or the child has ended."""
        with self.lock:
            while not all(qid in self.state["questions"] for qid in ids):
                if process.poll() is not None:
                    return False
                self.lock.wait(timeout=0.2)
            return True

    def silent_since(self, now):
        """Seconds since the child's last report while something of the learner's runs."""
        with self.lock:
            running = self.last is not None and self.state["running"] is not None
            return now - self.last if running else 0.0

    def report(self):
        """What the child reported, or None if it reported nothing readable."""
        with self.lock:
            return dict(self.state) if self.lines else None


def _kill_everything(process, cgroups):
    for _ in range(100):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        left = [pid for cgroup in cgroups for pid in _cgroup_pids(cgroup)]
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
    try:
        with open(os.path.join(cgroup, "cgroup.procs")) as file:
            return [int(line) for line in file if line.strip()]
    except OSError:
        return []


def _out_of_memory(cgroups):
    """Whether the kernel killed a process of the submission for passing its memory limit."""
    for cgroup in cgroups:
        try:
            with open(os.path.join(cgroup, "memory.oom_control")) as file:
                counts = dict(line.split() for line in file if len(line.split()) == 2)
        except OSError:
            continue
        if counts.get("oom_kill", "0") != "0":
            return True
    return False


def _remove_cgroup(cgroup):
    """Remove the cgroup once its last process has gone. Killed processes may take seconds to
    exit on a busy machine (freeing gigabytes, tearing down namespaces): wait up to
    CGROUP_REMOVAL_SECONDS, not a fixed number of tries."""
    deadline, pause = time.monotonic() + CGROUP_REMOVAL_SECONDS, 0.01
    while True:
        try:
            os.rmdir(cgroup)
            return
        except FileNotFoundError:
            return
        except OSError:  # processes still exiting
            if time.monotonic() > deadline:
                return
            for pid in _cgroup_pids(cgroup):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(pause)
            pause = min(2 * pause, 0.5)
