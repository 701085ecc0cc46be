"""Each lesson in a real JupyterLab: Run All Cells, no error in its cells or in the page (an
uncaught error, or one written to the console), and each explorer's sliders moved from the
keyboard until 10 moves have changed the figure (at most 30), every slider at least once. The
time from each of those key presses to the new figure painted on the page is measured (the
learner's wait); the times go to artifacts/browser/latency/ and are printed as a table at the
end of the run (see conftest.py). The course's target on its 2-core test machine: median ≤ 60 ms
and worst ≤ 120 ms per explorer; COURSE_LATENCY_STRICT=1 makes a miss fail the test (off by
default: on a machine busy with other jobs the wait measures them too). The table's last row is
a reference (``REFERENCE``, its own test): an explorer's wiring with every picture drawn in
advance, so each move is shown from the page's copy (course_lib/explorers/browser_copy.py): the
key press, the page's own work, decoding and painting the picture, the floor of every explorer,
and what the machine's load adds to it.

Screenshots of a lesson (whole, in parts) go to artifacts/browser/ when it fails, and of every
lesson and explorer when COURSE_LESSON_SCREENSHOTS=1 (about 5 s a lesson).

When this test runs, it is the one execution of each lesson: conftest.py at the top
leaves out nbval's run of notebooks/ (the checks here are nbval's and more).
"""

import json
import math
import os
import re
import statistics
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from course_lib.explorers.browser_copy import IN_THE_PAGE
from course_lib.explorers.wiring import _same_value as same_value

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN_TIMEOUT = 120_000  # ms for Run All Cells; lessons take seconds
REDRAW_TIMEOUT = 15_000  # ms for a figure to follow a slider
SCREENSHOTS = os.environ.get("COURSE_LESSON_SCREENSHOTS") == "1"

OPEN_AND_RUN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const start = performance.now();
  await app.commands.execute('notebook:run-all-cells');
  return {id: panel.id, seconds: (performance.now() - start) / 1000};
}"""

# Error outputs (cells tagged raises-exception excepted), stderr text, cells left unrun, and
# errors shown inside widgets.
PROBLEMS = """(id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const problems = [];
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const tags = cell.getMetadata('tags') || [];
    if (cell.sharedModel.getSource().trim() && cell.executionCount === null) {
      problems.push(`cell ${i} did not run`);
    }
    for (const out of cell.outputs.toJSON()) {
      if (out.output_type === 'error' && !tags.includes('raises-exception')) {
        problems.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      } else if (out.output_type === 'stream' && out.name === 'stderr') {
        problems.push(`cell ${i} wrote to stderr: ${String(out.text).slice(0, 300)}`);
      }
    }
  }
  // Errors raised in a widget's callback live in the widget's Output, not in the cell model.
  const inWidgets = '.jupyter-widgets .jp-OutputArea-output\
[data-mime-type="application/vnd.jupyter.stderr"]';
  for (const shown of panel.node.querySelectorAll(inWidgets)) {
    problems.push(`a widget shows: ${shown.innerText.slice(0, 300)}`);
  }
  return problems;
}"""

# Checks nbval would make too: a cell tagged raises-exception must raise.
UNRAISED = """(id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const cells = panel.content.model.cells;
  const problems = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    const tags = cell.getMetadata('tags') || [];
    if (cell.type === 'code' && tags.includes('raises-exception')
        && !cell.outputs.toJSON().some((out) => out.output_type === 'error')) {
      problems.push(`cell ${i} is tagged raises-exception but raised nothing`);
    }
  }
  return problems;
}"""

# Key press -> new figure painted. A capturing keydown listener notes the time of the press;
# a MutationObserver on the explorer's output area sees the figure's <img> change (an Image
# widget sets a new src; an Output widget adds a new <img>), waits until the image is
# decoded, then until the frame that shows it has been painted (requestAnimationFrame, then
# a task after that frame), and notes the time.
WATCH_PAINT = """(area) => {
  if (window.__figureWatch) window.__figureWatch.observer.disconnect();
  const watch = {pressed: null, painted: null};
  if (!window.__keyTimer) {
    window.__keyTimer = true;
    document.addEventListener('keydown', () => {
      if (window.__figureWatch) {
        window.__figureWatch.pressed = performance.now();
        window.__figureWatch.painted = null;
      }
    }, true);
  }
  watch.observer = new MutationObserver((mutations) => {
    if (watch.pressed === null || watch.painted !== null) return;
    const images = [];
    for (const m of mutations) {
      if (m.type === 'attributes' && m.target.tagName === 'IMG') images.push(m.target);
      for (const node of m.addedNodes) {
        if (node.tagName === 'IMG') images.push(node);
        else if (node.querySelectorAll) images.push(...node.querySelectorAll('img'));
      }
    }
    if (!images.length) return;
    Promise.all(images.map((img) => img.decode().catch(() => null))).then(() =>
      requestAnimationFrame(() => setTimeout(() => {
        if (watch.painted === null) watch.painted = performance.now();
      }, 0)));
  });
  watch.observer.observe(area, {attributes: true, attributeFilter: ['src'], childList: true,
                                subtree: true});
  window.__figureWatch = watch;
}"""
# In the page, after a key press: the ms from the press to the new figure painted; null if the
# kernel answered and stayed idle 1.5 s without a new figure (the move left the picture as it
# was, pixel for pixel); "timeout" if neither happened in time.
WAIT_FOR_PAINT = """async ([id, timeout]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const watch = window.__figureWatch;
  const began = performance.now();
  let idleSince = null;
  while (performance.now() - began < timeout) {
    if (watch.painted !== null) return watch.painted - watch.pressed;
    if (panel.sessionContext.session?.kernel?.status === 'idle') {
      idleSince = idleSince ?? performance.now();
      if (performance.now() - idleSince > 1500) return null;
    } else {
      idleSince = null;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return 'timeout';
}"""
MOVES = 10  # slider moves per explorer
# ms a learner looks at an explorer before the first move, while its kernel draws ahead: with
# 1 s, inside the busy suite, the first move took 114-371 ms in four of the eight explorers.
LOOK = 2_000
LATENCY_TARGET = {"median": 60.0, "worst": 120.0}  # ms, key press to new figure painted
# The images of an explorer's output area, as the page shows them: a new picture is a new src.
IMAGES = "(area) => [...area.querySelectorAll('img')].map((img) => img.src)"
EXPLORER_CALL = re.compile(r"\b(explore_\w+|race\w*)\(")

# The reference: an explorer's wiring whose pictures are all drawn in advance, so the page has
# a copy of each picture a move shows.
REFERENCE = """import ipywidgets as widgets
from course_lib.explorers import parabola, wiring

_figure = parabola.ParabolaDescent()
_pictures = [_figure.update(eta) for eta in (0.1, 0.2, 0.3, 0.4, 0.5)]
wiring.wire(lambda k: _pictures[k], {"k": widgets.IntSlider(value=2, min=0, max=4,
                                                            continuous_update=False)})"""

RUN_NEW_CELL = """async ([id, code]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const notebook = panel.content;
  const count = notebook.model.cells.length;
  notebook.model.sharedModel.insertCell(count, {cell_type: 'code', source: code});
  notebook.activeCellIndex = count;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""

KERNEL_IDLE = """(id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  return panel.sessionContext.session?.kernel?.status === 'idle';
}"""

CLOSE = """async (id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  await panel.sessionContext.shutdown();
  panel.context.model.dirty = false;
  panel.dispose();
}"""

SCROLL_TO = """([id, top]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const node = panel.content.node;
  const scroller = node.querySelector('.jp-WindowedPanel-outer') || node;
  scroller.scrollTop = top;
  return [scroller.scrollTop, scroller.clientHeight, scroller.scrollHeight];
}"""
PART_HEIGHT = 4000  # px of window per screenshot of a lesson
OVERLAP = 100  # px shown again at the top of the next part


def _screenshot_whole_lesson(page, panel_id, stem):
    """The lesson from top to bottom in a tall window, as STEM.1.png, STEM.2.png, … (a browser
    cannot take one screenshot of a lesson 15 000 pixels tall)."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": PART_HEIGHT})
    wanted, part, previous = 0, 1, None
    while True:
        top, visible, total = page.evaluate(SCROLL_TO, [panel_id, wanted])
        if top == previous:  # the end was already in the last part
            break
        page.wait_for_timeout(300)
        page.screenshot(path=f"{stem}.{part}.png")
        if top + visible >= total:
            break
        wanted, part, previous = top + visible - OVERLAP, part + 1, top
    page.set_viewport_size(viewport)


def _has_widget(path):
    notebook = nbformat.read(path, as_version=4)
    return any("widgets" in cell.source for cell in notebook.cells if cell.cell_type == "code")


def _figure_next_to(slider):
    """The largest image in the output area of the cell holding SLIDER: the figure it drives."""
    images = slider.locator("xpath=ancestor::div[contains(@class, 'jp-Cell-outputArea')]//img")
    boxes = [images.nth(i).bounding_box() for i in range(images.count())]
    areas = [(box["width"] * box["height"] if box else 0) for box in boxes]
    return images.nth(areas.index(max(areas))) if areas and max(areas) > 0 else None


def _move(slider, key):
    """One step of the slider, from the keyboard (each step may cost the kernel a redraw)."""
    slider.locator(".noUi-handle").first.focus()
    slider.page.keyboard.press(key)


def _explorer_names(path):
    """What each widget cell of a lesson calls (explore_…, race, race_picker), in order."""
    notebook = nbformat.read(path, as_version=4)
    calls = [EXPLORER_CALL.findall(cell.source) for cell in notebook.cells
             if cell.cell_type == "code"]
    return [found[-1] for found in calls if found]


def _next_key(slider, rightwards):
    """The arrow key that moves SLIDER one step, RIGHTWARDS unless it is at that end already
    (read from the handle's aria values, so nothing is read from the page during a move)."""
    handle = slider.locator(".noUi-handle").first
    now, low, high = (float(handle.get_attribute(name))
                      for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    return "ArrowRight" if (rightwards and now < high) or now <= low else "ArrowLeft"


def _measure_latency(page, panel_id, area, explorer):
    """Move the sliders of the explorer in ``area`` (each slider in turn, right and left
    alternately) until MOVES moves have changed the figure; the milliseconds from each of
    those key presses to its new figure painted, and for each whether the kernel had to draw
    its picture (its timing line says "redrawn"): the page had no copy. (A picture the kernel
    finished drawing ahead after the key press counts as drawn ahead, though the page waited
    for it too.) Every slider must change the figure at
    least once (``explorer`` names the explorer in what a failure says). Between the key
    press and the paint the test only waits inside the page (WAIT_FOR_PAINT): a call from
    Playwright into the page would take the page's time while it has the figure to draw."""
    sliders = area.locator(".widget-slider")
    count = sliders.count()
    area.evaluate(WATCH_PAINT)
    page.wait_for_timeout(LOOK)
    shown = area.element_handle()
    waits, redrawn, changed, images = [], [], set(), shown.evaluate(IMAGES)
    for move in range(3 * MOVES):
        if len(waits) == MOVES:
            break
        slider = sliders.nth(move % count)
        slider.scroll_into_view_if_needed()
        readout = slider.locator(".widget-readout")
        value = readout.inner_text()
        _move(slider, _next_key(slider, rightwards=(move // count) % 2 == 0))
        waited = page.evaluate(WAIT_FOR_PAINT, [panel_id, REDRAW_TIMEOUT])
        assert waited != "timeout", (
            f"{explorer}: no new figure and no idle kernel {REDRAW_TIMEOUT} ms after a key press")
        assert readout.inner_text() != value, f"{explorer}: a slider did not move"
        page.wait_for_function(KERNEL_IDLE, arg=panel_id, timeout=RUN_TIMEOUT)
        page.wait_for_timeout(100)   # the slider's readout and the redraw time settle
        if waited is not None:
            waits.append(waited)
            redrawn.append(area.locator("small").first.text_content().startswith("redrawn"))
        now = shown.evaluate(IMAGES)
        if now != images:   # this move's picture is on the screen
            changed.add(move % count)
        images = now
    assert len(waits) == MOVES, (
        f"{explorer}: only {len(waits)} of {3 * MOVES} moves changed the figure")
    unchanged = [sliders.nth(k).locator(".widget-label").inner_text() or f"slider {k + 1}"
                 for k in range(count) if k not in changed]
    assert not unchanged, f"{explorer}: moving {unchanged} never changed the figure"
    return waits, redrawn


def _save_latency(stem, rows, artifacts):
    folder = artifacts / "latency"
    folder.mkdir(exist_ok=True)
    for row in rows:
        row.update(median=statistics.median(row["waits_ms"]), worst=max(row["waits_ms"]),
                   load_average=os.getloadavg()[0])
    (folder / f"{stem}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return rows


def _lesson_test(lesson):
    """A test class for one lesson: `pytest -n 2 --dist loadscope` (make test) gives each class
    to one worker, so the lessons spread over the workers (each starts its own JupyterLab)."""

    class TestLesson:
        path = lesson

        def test_runs_in_jupyterlab_and_its_sliders_redraw(self, lab_page, lab_server, artifacts):
            _run_lesson(self.path, lab_page, artifacts)

    TestLesson.__name__ = TestLesson.__qualname__ = f"TestLesson{lesson.stem[:2]}"
    return TestLesson


def _run_lesson(path, lab_page, artifacts):
    """The lesson's checks, the whole lesson screenshot when one fails (or on request)."""
    page = lab_page
    seen = len(page.console_problems)
    opened = page.evaluate(OPEN_AND_RUN, f"notebooks/{path.name}")
    try:
        _check_lesson(page, opened, path, artifacts)
        if SCREENSHOTS:
            _screenshot_whole_lesson(page, opened["id"], artifacts / path.stem)
    except AssertionError as failure:
        _screenshot_whole_lesson(page, opened["id"], artifacts / path.stem)
        problems = page.console_problems[seen:]   # often the cause, when there are any
        console = "\nthe page's console:\n" + "\n".join(problems) if problems else ""
        raise AssertionError(f"{failure}{console}\nscreenshots: {artifacts}/{path.stem}.*"
                             ) from None
    finally:
        page.evaluate(CLOSE, opened["id"])
    _assert_quiet_console(page, seen, path.name)   # the lesson closed, its kernel shut down


def _assert_quiet_console(page, seen, what):
    """No error in the page (uncaught, or written to its console) and no warning of the
    course's own page code after the first SEEN entries of ``page.console_problems``."""
    problems = page.console_problems[seen:]
    assert not problems, f"{what}: the page's console:\n" + "\n".join(problems)


def _check_lesson(page, opened, path, artifacts):
    panel_id = opened["id"]
    page.wait_for_function(KERNEL_IDLE, arg=panel_id, timeout=RUN_TIMEOUT)
    print(f"{path.stem}: Run All Cells took {opened['seconds']:.1f} s in JupyterLab")
    problems = page.evaluate(PROBLEMS, panel_id) + page.evaluate(UNRAISED, panel_id)
    assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems)
    if path.stem.startswith("00_") and not _has_widget(path):
        return
    widgets = page.locator(f"[id='{panel_id}'] .jp-Cell-outputArea:has(.widget-slider)")
    count = widgets.count()
    assert count > 0, f"{path.name}: no ipywidgets slider after Run All Cells"
    names = _explorer_names(path)
    rows = []
    for k in range(count):
        name = names[k] if len(names) == count else f"widget {k + 1}"
        waits, redrawn = _measure_latency(page, panel_id, widgets.nth(k), f"{path.name}, {name}")
        rows.append({"lesson": path.stem, "waits_ms": waits, "redrawn": redrawn,
                     "explorer": name})
        if SCREENSHOTS:
            widgets.nth(k).screenshot(path=artifacts / f"{path.stem}.widget{k + 1}.png")
    problems = page.evaluate(PROBLEMS, panel_id)
    assert not problems, f"{path.name} after the sliders:\n" + "\n".join(problems)
    _save_latency(path.stem, rows, artifacts)
    if os.environ.get("COURSE_LATENCY_STRICT") == "1":
        for row in rows:
            for statistic, target in LATENCY_TARGET.items():
                assert row[statistic] <= target, (
                    f"{path.name}, {row['explorer']}: {statistic} {row[statistic]:.0f} ms "
                    f"from key press to figure, over the target {target:.0f} ms")


for _lesson in LESSONS:
    globals()[f"TestLesson{_lesson.stem[:2]}"] = _lesson_test(_lesson)


NEW_NOTEBOOK = """async () => {
  const app = window.jupyterapp;
  const model = await app.commands.execute('docmanager:new-untitled', {path: '', type: 'notebook'});
  const panel = await app.commands.execute('docmanager:open',
    {path: model.path, factory: 'Notebook', kernel: {name: 'python3'}});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel.id;
}"""

# The reference wiring, with a slider whose every move costs the kernel 3 s before the
# explorer hears of it (an observer called first).
SLOW_KERNEL = """import time

import ipywidgets as widgets
from course_lib.explorers import parabola, wiring

_figure = parabola.ParabolaDescent()
_pictures = [_figure.update(eta) for eta in (0.1, 0.2, 0.3, 0.4, 0.5)]
_slider = widgets.IntSlider(value=2, min=0, max=4, continuous_update=False)
_slider.observe(lambda change: time.sleep(3), names="value")
wiring.wire(lambda k: _pictures[k], {"k": _slider})"""


@contextmanager
def _explorer_in_a_new_notebook(page, code):
    """CODE run in a new notebook: (the notebook's id, the explorer's output area, its
    first slider); closed after."""
    seen = len(page.console_problems)
    panel_id = page.evaluate(NEW_NOTEBOOK)
    try:
        page.evaluate(RUN_NEW_CELL, [panel_id, code])
        page.wait_for_function(KERNEL_IDLE, arg=panel_id, timeout=RUN_TIMEOUT)
        area = page.locator(f"[id='{panel_id}'] .jp-Cell-outputArea:has(.widget-slider)").last
        slider = area.locator(".widget-slider").first
        slider.locator(".widget-readout").wait_for(timeout=REDRAW_TIMEOUT)
        yield panel_id, area, slider
    finally:
        page.evaluate(CLOSE, panel_id)
    _assert_quiet_console(page, seen, "the explorer of a new notebook")


def test_reference_latency(lab_page, artifacts):
    """The latency table's reference row: REFERENCE's slider moved as a lesson's explorers."""
    with _explorer_in_a_new_notebook(lab_page, REFERENCE) as (panel_id, area, _):
        waits, redrawn = _measure_latency(lab_page, panel_id, area, "the reference")
    _save_latency("reference", [{"lesson": "reference", "explorer": "drawn in advance",
                                 "waits_ms": waits, "redrawn": redrawn}], artifacts)


@contextmanager
def _slow_kernel_explorer(page, code=SLOW_KERNEL):
    """CODE (an explorer whose kernel takes 3 s a move) in a new notebook, the pictures one
    step from its first drawn ahead and copied to the page."""
    with _explorer_in_a_new_notebook(page, code) as explorer:
        page.wait_for_timeout(2_000)   # both steps drawn ahead, their copies in the page
        yield explorer


def _one_step_right(page, panel_id, area, slider):
    """What WAIT_FOR_PAINT says of one step of SLIDER to the right, given 2 s: the ms to its
    picture painted (shown from the page's copy: the kernel takes 3 s), or why there was none."""
    area.evaluate(WATCH_PAINT)
    _move(slider, "ArrowRight")
    return page.evaluate(WAIT_FOR_PAINT, [panel_id, 2_000])


def test_the_page_shows_a_picture_drawn_ahead_before_the_kernel_answers(lab_page):
    """The page's copy of the pictures drawn ahead (course_lib/explorers/browser_copy.py): a
    move onto one is shown by the page itself, long before the kernel's answer (3 s)."""
    with _slow_kernel_explorer(lab_page) as explorer:
        waited = _one_step_right(lab_page, *explorer)   # 2 -> 3
    assert isinstance(waited, (int, float)), (
        f"no new picture within 2 s of the key press ({waited}): the page did not show "
        "its copy, and the kernel's answer takes 3 s")


# A slider whose every move costs the kernel 3 s, SLIDER in its place.
SLOW_SLIDER = """import math
import time

import ipywidgets as widgets
from course_lib.explorers import parabola, wiring

_figure = parabola.ParabolaDescent()
_slider = widgets.{slider}
_slider.observe(lambda change: time.sleep(3), names="value")
wiring.wire(lambda x: _figure.update(0.5 + x), {{"x": _slider}})"""
ONTO_THE_EDGES = {
    # the step right of -0.1: 0.0 in the browser, -0.3 + 3 × 0.1 = 5.6e-17 on the grid
    "onto 0": ("FloatSlider(value=-0.1, min=-0.3, max=0.3, step=0.1, continuous_update=False)",
               "0.00"),
    # lesson 1's η slider: up to 0.3 in steps of 10^0.05, so the last step stops at 0.3
    "onto a max off the grid": ("FloatLogSlider(value=10 ** -0.55, base=10, min=-1, "
                                "max=math.log10(0.3), step=0.05, readout_format='.3g', "
                                "continuous_update=False)", "0.300"),
}


@pytest.mark.parametrize("move", ONTO_THE_EDGES)
def test_a_step_onto_a_value_off_the_kernels_grid_shows_the_copy_drawn_ahead(lab_page, move):
    """The kernel draws ahead the values the browser's slider steps to, so a step onto 0 or
    onto a max off the slider's grid is shown from the page's copy at once. (Before, the kernel
    drew 5.6e-17 for the browser's 0.0, and nothing for the max: the page waited 3 s.)"""
    slider, readout = ONTO_THE_EDGES[move]
    with _slow_kernel_explorer(lab_page, SLOW_SLIDER.format(slider=slider)) as explorer:
        waited = _one_step_right(lab_page, *explorer)
        now = explorer[2].locator(".widget-readout").inner_text()
    assert now == readout, f"{move}: the slider reads {now}, not {readout}"
    assert isinstance(waited, (int, float)), (
        f"{move}: no new picture within 2 s of the move ({waited}): the page did not show its "
        "copy, and the kernel's answer takes 3 s")


def test_the_page_and_the_kernel_compare_slider_values_alike(browser):
    """The page's rule for one setting (``same`` in browser_copy.py) gives what the kernel's
    (``wiring._same_value``) gives."""
    rule = re.search(r"const same = (.*?);\n", IN_THE_PAGE, re.S).group(1)
    cases = [(0.0, -0.3 + 3 * 0.1), (0.1, 0.10000000000000003), (1e-4, 10 ** -3.99),
             (0.0, 1e-6), (0.3, 10 ** math.log10(0.3)), (0.5, 0.5), (2, 3), ("a", "a")]
    page = browser.new_page()
    try:
        page_says = page.evaluate(f"(cases) => cases.map(([a, b]) => ({rule})(a, b))", cases)
    finally:
        page.close()
    assert page_says == [same_value(a, b) for a, b in cases]


def test_a_late_picture_of_an_earlier_setting_gives_way_to_the_pages_copy(lab_page):
    """The learner moves 3 -> 4 -> 3 quicker than the kernel answers (3 s a move): the
    kernel's late picture of 4 does not stay on the screen, the page's copy of 3 does."""
    page = lab_page
    with _slow_kernel_explorer(page) as (_, _area, slider):
        # A first move, answered: the kernel then handles the slider's moves one after the
        # other (on the thread of the page's subshell), and draws 4 ahead.
        _move(slider, "ArrowRight")   # 2 -> 3
        page.wait_for_timeout(4_000)
        _move(slider, "ArrowRight")   # 3 -> 4, the page's copy; the kernel's at 3 s
        page.wait_for_timeout(300)
        _move(slider, "ArrowLeft")   # 4 -> 3, the page's copy; the kernel's at 6 s
        page.wait_for_timeout(300)
        figure = _figure_next_to(slider)
        shown = figure.screenshot()
        page.wait_for_timeout(3_500)   # the kernel's picture of 4 has come, not yet that of 3
        late = figure.screenshot()
    assert late == shown, "the late picture of 4 replaced the copy of 3"


# ParabolaDescent wired to a menu and a slider, each picture drawn when it is asked for. A
# menu's other choices are never drawn ahead, so the page has no copy of them and the kernel
# draws the one chosen; as it keeps the picture, it sends the page a copy of it just before
# the picture itself.
MENU_AND_SLIDER = """import ipywidgets as widgets
from course_lib.explorers import parabola, wiring

_figure = parabola.ParabolaDescent()
wiring.wire(lambda eta, k: _figure.update(eta + 0.01 * k),
            {"eta": widgets.Dropdown(options=[0.1, 0.2, 0.3], value=0.1),
             "k": widgets.IntSlider(value=0, min=0, max=5, continuous_update=False)})"""
# The SHA-256 of the overlay the page shows (the image laid on top: the path, which every
# choice moves), from the bytes of its <img>, not its address: the page makes a new address
# for every update of an image, even with the same bytes.
OVERLAY_DIGEST = """async (area) => {
  const img = [...area.querySelectorAll('img')].at(-1);
  const digest = await crypto.subtle.digest('SHA-256',
                                            await (await fetch(img.src)).arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}"""
# Waits until the kernel's timing line says it drew a picture ("redrawn in …", sent after both
# images), then until the overlay shown is no longer the one whose digest is BEFORE: "shown",
# or what did not happen within TIMEOUT ms.
DRAWN_AND_SHOWN = f"""async (area, [before, timeout]) => {{
  const digest = {OVERLAY_DIGEST};
  const began = performance.now();
  const late = () => performance.now() - began > timeout;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  while (!(area.querySelector('small')?.textContent || '').startsWith('redrawn')) {{
    if (late()) return 'the kernel did not draw it';
    await pause();
  }}
  while (await digest(area) === before) {{
    if (late()) return 'the kernel drew it, but the page still shows the old picture';
    await pause();
  }}
  return 'shown';
}}"""


def _after_a_change(page, change):
    """MENU_AND_SLIDER in a new notebook; CHANGE(area, slider) made once the page's keeper of
    copies listens; what DRAWN_AND_SHOWN then says of the picture."""
    with _explorer_in_a_new_notebook(page, MENU_AND_SLIDER) as (_, area, slider):
        page.wait_for_timeout(LOOK)   # the page's keeper of copies is listening by then
        shown = area.element_handle()
        before = shown.evaluate(OVERLAY_DIGEST)
        change(area, slider)
        return shown.evaluate(DRAWN_AND_SHOWN, [before, REDRAW_TIMEOUT])


def test_the_kernels_picture_is_shown_when_the_page_had_no_copy(lab_page):
    """A choice the page has no copy of: the kernel's picture reaches the screen. (It did not
    while the page put its copy back from inside the picture's own change: ipywidgets then
    ends that change before the image's view hears of it.)"""
    result = _after_a_change(lab_page,
                             lambda area, _: area.locator("select").select_option(index=2))
    assert result == "shown", f"η = 0.3 chosen from the menu: {result} ({REDRAW_TIMEOUT} ms)"


def test_a_slider_dragged_several_steps_shows_the_kernels_picture(lab_page):
    """A learner drags a slider from 0 to its far end, 5: only the pictures one step away were
    drawn ahead, so the kernel draws that of 5, and the page must show it. (Before the page
    put its copies back after a picture's change, the first slider of the explorers of
    lessons 1-6, dragged this way, left the old picture on the screen.)"""
    page = lab_page

    def drag_to_the_end(_, slider):
        handle = slider.locator(".noUi-handle").first.bounding_box()
        track = slider.locator(".noUi-target").first.bounding_box()
        middle = handle["y"] + handle["height"] / 2
        page.mouse.move(handle["x"] + handle["width"] / 2, middle)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] + 20, middle, steps=5)
        page.mouse.up()
        assert slider.locator(".widget-readout").inner_text() == "5", "the drag did not reach 5"

    result = _after_a_change(page, drag_to_the_end)
    assert result == "shown", f"the slider dragged from 0 to 5: {result} ({REDRAW_TIMEOUT} ms)"


def test_server_keeps_its_token_secret(lab_server):
    log = lab_server.log_text()
    assert f"{lab_server.url}/lab?token=..." in log, "the server should announce its loopback URL"
    assert lab_server.token not in log
    cmdline = Path(f"/proc/{lab_server.pid}/cmdline")
    if cmdline.exists():  # Linux: the token is not on the command line either
        assert lab_server.token not in cmdline.read_text(errors="replace")
