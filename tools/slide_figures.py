"""Figures made for a lecture slide. tools/slides.py runs this file in a lesson's kernel before
the lesson's first cell when it builds a lecture deck (`--hide-code`); a learner's notebook
never runs it.

Three changes, all to how figures are drawn, none to what they show:
- type sized for a 1280 × 720 slide: 15-pt text, 14-pt tick labels and legends. A figure the
  lesson makes 11 inches wide is 1056 px wide at its natural size, where 14 pt is 18.7 px;
- SVG instead of PNG, with the text kept as text (svg.fonttype "none"), so it stays sharp on a
  projector and the deck test can measure every label's size in the browser;
- a figure taller than a slide (several rows of panels) is also cut into groups of rows, each
  short enough for one slide; tools/slides.py shows each group on its own sub-slide.
"""

import io

import matplotlib
from IPython import get_ipython
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

SLIDE_RC = {
    "font.size": 15,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "legend.title_fontsize": 14,
    "figure.titlesize": 17,
    "lines.linewidth": 2.0,
    "svg.fonttype": "none",
}
# The height a figure may take on a slide below a one-line heading, in CSS px (1 pt = 4/3 px).
SLIDE_FIGURE_HEIGHT_PX = 560
PARTS_MIME = "application/vnd.course.slide-parts+json"


def _rows(figure):
    """The figure's axes grouped by the grid row they start in, top to bottom."""
    rows = {}
    for ax in figure.axes:
        spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
        if spec is None or not ax.get_visible():
            continue
        rows.setdefault(spec.rowspan.start, []).append(ax)
    return [rows[key] for key in sorted(rows)]


def _svg(figure, box_inches):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches=box_inches)
    return buffer.getvalue()


def slide_parts(figure):
    """A figure taller than a slide, as groups of whole rows of panels that each fit one."""
    rows = _rows(figure)
    if len(rows) < 2 or figure.get_figheight() * 96 <= SLIDE_FIGURE_HEIGHT_PX:
        return None
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    boxes = []
    for row in rows:
        box = Bbox.union([ax.get_tightbbox(renderer) for ax in row])
        boxes.append(box)
    if figure._suptitle is not None and figure._suptitle.get_text():
        boxes[0] = Bbox.union([boxes[0], figure._suptitle.get_window_extent(renderer)])
    limit = SLIDE_FIGURE_HEIGHT_PX / 96 * figure.dpi  # display pixels of the figure
    groups, current = [], []
    for box in boxes:
        if current and Bbox.union(current + [box]).height > limit:
            groups.append(current)
            current = []
        current.append(box)
    groups.append(current)
    if len(groups) < 2:
        return None
    pad = 0.1 * figure.dpi
    parts = []
    for group in groups:
        box = Bbox.union(group).padded(pad)
        inches = Bbox.from_extents(*(value / figure.dpi for value in box.extents))
        parts.append(_svg(figure, inches))
    return {PARTS_MIME: {"svg": parts}}


shell = get_ipython()
matplotlib.rcParams.update(SLIDE_RC)
shell.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")
shell.run_line_magic("config", f"InlineBackend.rc = {SLIDE_RC!r}")
shell.display_formatter.mimebundle_formatter.for_type(Figure, slide_parts)
del shell
