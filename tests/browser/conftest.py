"""JupyterLab and headless Chromium for the browser tests (marker `browser`).

One JupyterLab server for the whole session, started from this Python environment on a free
loopback port with a random token (passed in the environment, never on the command line, and
checked to be absent from the server log), in a temporary folder holding a copy of the
lessons, so the tests never write into notebooks/. One headless Chromium (the system's; set
COURSE_CHROMIUM to use another binary) with a fresh profile, allowed to talk to that server
only. Screenshots go to artifacts/browser/.

Without Playwright for Python or a Chromium binary, every browser test is skipped with the
reason, so a learner's laptop still passes `pytest`.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60  # seconds
LESSON_TEST = "tests/browser/test_jupyterlab.py::TestLesson"


def find_chromium():
    """The Chromium binary to drive: $COURSE_CHROMIUM, else the first one on PATH."""
    explicit = os.environ.get("COURSE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing_requirement():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        return "no Chromium found (install chromium, or set COURSE_CHROMIUM to its path)"
    return None


@pytest.hookimpl(trylast=True)   # after -k and -m have deselected what they deselect
def pytest_collection_modifyitems(config, items):
    """Skip the browser tests when they cannot run; when they can, leave out nbval's run of a
    lesson whose browser test runs it (each lesson is executed once per test run)."""
    reason = _missing_requirement()
    for item in items:
        if reason and "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))
    if reason:
        return
    in_browser = {item.cls.path.name for item in items
                  if item.nodeid.replace(os.sep, "/").startswith(LESSON_TEST)}
    twice = [item for item in items if item.nodeid.replace(os.sep, "/").startswith("notebooks/")
             and item.nodeid.split("::")[0].split("/")[-1] in in_browser]
    if twice:
        config.hook.pytest_deselected(items=twice)
        items[:] = [item for item in items if item not in set(twice)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A running JupyterLab: its URL, token, working folder (a copy of the course), log, pid."""

    def __init__(self, url, token, root, log, pid):
        self.url, self.token, self.root, self.log, self.pid = url, token, root, log, pid

    def log_text(self):
        return self.log.read_text(encoding="utf-8", errors="replace")


def _wait_until_up(url, token, process, log):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    request = urllib.request.Request(
        f"{url}/api/status", headers={"Authorization": f"token {token}"}
    )
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s; see {log}")


def _stop(process):
    """Stop the server and everything it started (kernels): its whole process group."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyterlab")
    work = base / "course"
    for folder in ("notebooks", "data"):
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder, work / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
            )
    # No "get Jupyter news?" pop-up over the notebook, no update check; no empty space after
    # the last cell, so screenshots end with the lesson. Windowing is left at a learner's
    # default ("contentVisibility": cells out of view are not drawn): with every cell drawn
    # ("none"), each new explorer picture took about 30 ms longer to reach the screen.
    settings = base / "config" / "lab" / "user-settings" / "@jupyterlab"
    for extension, plugin, values in [
        ("apputils-extension", "notification", '{"fetchNews": "false", "checkForUpdates": false}'),
        ("notebook-extension", "tracker", '{"scrollPastEnd": false}'),
    ]:
        (settings / extension).mkdir(parents=True)
        (settings / extension / f"{plugin}.jupyterlab-settings").write_text(
            values, encoding="utf-8"
        )
    token = secrets.token_hex(24)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER") and k != "MPLBACKEND"}
    env.update(
        JUPYTER_TOKEN=token,
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"),
        IPYTHONDIR=str(base / "ipython"),
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={work}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = base / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, token, process, log)
        server = LabServer(url, token, work, log, process.pid)
        yield server
    finally:
        _stop(process)
    assert token not in log.read_text(encoding="utf-8", errors="replace"), (
        "the server log shows the token"
    )
    if ARTIFACTS.is_dir():
        shutil.copy2(log, ARTIFACTS / "jupyterlab.log")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary profile (user-data-dir).
        chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def offline_context(browser):
    """``offline_context(**options)``: a new browser context whose pages reach only local files.

    Requests for file:, data: and blob: URLs go through; every other one is aborted and its
    URL kept in ``context.outside``, so a test can assert that a page (a deck, the website,
    a report) asked the network for nothing. ``context.errors`` lists its pages' errors,
    uncaught or written to the console. The test closes the context.
    """
    def new_context(**options):
        context = browser.new_context(**options)
        context.outside, context.errors = [], []
        context.on("weberror", lambda error: context.errors.append(
            f"uncaught in {error.page.url if error.page else 'a worker'}: {_told(error.error)}"))
        context.on("console", lambda message: message.type == "error"
                   and context.errors.append(_console_line(message)))

        def file_only(route):
            if route.request.url.startswith(("file://", "data:", "blob:")):
                route.continue_()
            else:
                context.outside.append(route.request.url)
                route.abort()

        context.route("**/*", file_only)
        return context

    return new_context


def _told(error):
    """An uncaught error as the page told it: its stack (which starts with the message)."""
    return (error.stack or error.message)[:1000]


def _console_line(message):
    """A console message, with its kind and the page and source it came from."""
    page = message.page.url if message.page else "a worker"
    return (f"console {message.type} in {page} (from {message.location['url']}): "
            f"{message.text[:500]}")


def local_only(route):
    """Let a page reach loopback servers, local files and inline data; abort anything else."""
    url = route.request.url
    if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "file://", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def _console_problem(page, message):
    """Keep what the page's console says of an error, and the course's own warnings (the page
    code of course_lib.explorers starts them with "explorer:")."""
    if message.type == "error" or (message.type == "warning"
                                    and message.text.startswith("explorer:")):
        page.console_problems.append(_console_line(message))


@pytest.fixture(scope="session")
def lab_page(browser, lab_server):
    """One JupyterLab tab, logged in, with window.jupyterapp ready. ``page.console_problems``
    lists the errors the page met (uncaught, or written to its console) and the course's own
    console warnings, the oldest first."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", local_only)
    page = context.new_page()
    page.console_problems = []
    page.on("pageerror", lambda error: page.console_problems.append(f"uncaught: {_told(error)}"))
    page.on("console", lambda message: _console_problem(page, message))
    page.goto(f"{lab_server.url}/lab?token={lab_server.token}")
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.started !== undefined", timeout=60_000
    )
    page.evaluate("window.jupyterapp.started")
    page.evaluate("window.jupyterapp.restored")
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    yield page
    context.close()
