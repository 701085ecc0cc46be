"""Each lesson in a real JupyterLab: Run All Cells, no error on the page, and its slider redraws
its figure. Screenshots of every lesson and of each widget state go to artifacts/browser/.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN_TIMEOUT = 120_000  # ms for Run All Cells; lessons take seconds
REDRAW_TIMEOUT = 15_000  # ms for a figure to follow a slider

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

# Error outputs (cells tagged raises-exception excepted), stderr text, and cells left unrun.
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
  return problems;
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

SAVE = """async (id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  await panel.context.save();
}"""


WHOLE_HEIGHT = """(id) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.id === id);
  const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  scroller.scrollTop = 0;
  return scroller.scrollHeight;
}"""


def _screenshot_whole_lesson(page, panel_id, target):
    """The lesson from its top, with the window made tall enough to show every cell."""
    viewport = page.viewport_size
    height = page.evaluate(WHOLE_HEIGHT, panel_id)
    page.set_viewport_size({"width": viewport["width"], "height": min(height + 200, 16000)})
    page.wait_for_timeout(300)
    page.screenshot(path=target)
    page.set_viewport_size(viewport)


def _has_widget(path):
    notebook = nbformat.read(path, as_version=4)
    return any("widgets" in cell.source for cell in notebook.cells if cell.cell_type == "code")


def _figure_next_to(slider):
    """The largest image in the output area of the cell holding SLIDER: the figure it drives."""
    cell_output = slider.locator("xpath=ancestor::div[contains(@class, 'jp-Cell-outputArea')]")
    images = cell_output.locator("img")
    sizes = [images.nth(i).bounding_box() for i in range(images.count())]
    areas = [(box["width"] * box["height"] if box else 0) for box in sizes]
    assert areas and max(areas) > 0, "the widget shows no figure"
    return images.nth(areas.index(max(areas))), cell_output


def _move(slider, key):
    slider.locator(".noUi-handle").first.click()
    for _ in range(3):
        slider.page.keyboard.press(key)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_in_jupyterlab_and_its_slider_redraws(path, lab_page, lab_server, artifacts):
    page = lab_page
    opened = page.evaluate(OPEN_AND_RUN, f"notebooks/{path.name}")
    try:
        page.wait_for_function(KERNEL_IDLE, arg=opened["id"], timeout=RUN_TIMEOUT)
        print(f"{path.stem}: Run All Cells took {opened['seconds']:.1f} s in JupyterLab")
        problems = page.evaluate(PROBLEMS, opened["id"])
        _screenshot_whole_lesson(page, opened["id"], artifacts / f"{path.stem}.png")
        assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems)
        page.evaluate(SAVE, opened["id"])  # the executed copy, for the deck test

        if path.stem.startswith("00_") and not _has_widget(path):
            return
        sliders = page.locator(f"[id='{opened['id']}'] .widget-slider")
        assert sliders.count() > 0, f"{path.name}: no ipywidgets slider after Run All Cells"
        slider = sliders.first
        slider.scroll_into_view_if_needed()
        figure, output = _figure_next_to(slider)
        before = figure.screenshot()
        output.screenshot(path=artifacts / f"{path.stem}.widget-before.png")
        readout = slider.locator(".widget-readout")
        value = readout.inner_text()
        _move(slider, "ArrowRight")
        if readout.inner_text() == value:  # the slider was at its maximum
            _move(slider, "ArrowLeft")
        assert readout.inner_text() != value, f"{path.name}: the slider did not move"
        deadline_ms, after = REDRAW_TIMEOUT, before
        while deadline_ms > 0 and after == before:
            page.wait_for_timeout(250)
            deadline_ms -= 250
            figure, output = _figure_next_to(slider)
            after = figure.screenshot()
        page.wait_for_function(KERNEL_IDLE, arg=opened["id"], timeout=RUN_TIMEOUT)
        output.screenshot(path=artifacts / f"{path.stem}.widget-after.png")
        assert after != before, (
            f"{path.name}: moving the slider from {value} to {readout.inner_text()} "
            "did not change the figure"
        )
        problems = page.evaluate(PROBLEMS, opened["id"])
        assert not problems, f"{path.name} after moving the slider:\n" + "\n".join(problems)
    finally:
        page.evaluate(CLOSE, opened["id"])
