"""Figures made for a lecture slide. tools/slides.py runs this file in a lesson's kernel before
the lesson's first cell when it builds a lecture deck (`--hide-code`); a learner's notebook
never runs it.

Every change is to how a figure is drawn, none to what it shows:
- type sized for a 1280 × 720 slide: 15-pt text, 14-pt tick labels and legends (SLIDE_RC), and
  no text smaller than FIGURE_MIN_PT, whatever size the lesson's code asks for (a legend at
  fontsize=8 reads well in a notebook at arm's length, not from the back of a lecture hall);
- a panel title wider than its panel, or an axis label longer than its axis, is broken into
  lines, so larger type does not run into the next panel;
- the figure fitted to the slide (at most SLIDE_FIGURE_WIDTH_PX wide and, unless it is cut as
  below, SLIDE_FIGURE_HEIGHT_PX high), by changing its size and laying it out again
  (constrained layout), so it is shown at its natural size: a point of type is 4/3 px on the
  slide, and FIGURE_MIN_PT is at least slides.LECTURE_MIN_PX["figure"];
- SVG instead of PNG, with the text kept as text (svg.fonttype "none"), so it stays sharp on a
  projector and the deck test can measure every label's size in the browser; a colour mesh
  (pcolormesh) is the one part drawn as a picture inside the SVG (at RASTER_DPI): as vectors,
  lesson 3's 400 × 300 mesh was 120 000 paths, seconds to draw and tens of megabytes for
  the browser;
- a figure taller than a slide (several rows of panels) is cut into groups of rows, each short
  enough for one slide; tools/slides.py shows each group on its own sub-slide;
- an explorer (course_lib.explorers), or a box of widgets showing a figure in an Output widget,
  is shown by that figure, as such an SVG, in place of its widgets: a deck cannot move the
  sliders, and the picture of the figure the widgets hold is a bitmap whose text cannot be
  checked.
"""

import io
import pickle
import re

import matplotlib
from IPython import get_ipython
from matplotlib import cbook
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.text import Text
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
# The smallest type on a slide figure: 13 pt is 17.3 px, above the 16 px a large room needs.
FIGURE_MIN_PT = 13
# The room a figure has on a slide, in CSS px (1 inch = 96 px = 72 pt): the slide is 1280 px
# wide less the cells' 40-px margins; in height, 720 px less a one-line heading.
SLIDE_FIGURE_WIDTH_PX = 1180
SLIDE_FIGURE_HEIGHT_PX = 560
RASTER_DPI = 150  # a colour mesh's cells, drawn as a picture inside the SVG
PAD_INCHES = 0.1  # the margin savefig(bbox_inches="tight") leaves around the drawing
PARTS_MIME = "application/vnd.course.slide-parts+json"
# A word of a label, where a label may be broken into lines: "η = 0.1" is one word, and in a
# label with formulas (an even number of unescaped $), so is each formula ($…$), whatever
# spaces it has; an escaped dollar (\$) is a character.
WORD = re.compile(r"(?: = |\S)+")
WORD_OR_FORMULA = re.compile(r"(?:\\\$|\$(?:\\.|[^\\$])*\$| = |\S)+")


def raise_small_text(figure, smallest=FIGURE_MIN_PT):
    """Every text of FIGURE (labels, tick labels, legends, annotations) at least SMALLEST pt."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for which in ("major", "minor"):
                ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
                if ticks and ticks[0].label1.get_fontsize() < smallest:
                    axis.set_tick_params(which=which, labelsize=smallest)
    for text in figure.findobj(Text):
        if text.get_fontsize() < smallest:
            text.set_fontsize(smallest)
    for text in figure.texts + [figure._suptitle]:  # a long title: lines as wide as the figure
        if text is not None:
            text.set_wrap(True)


def _lines(text, words, room):
    """WORDS put into lines, as many on each as fit in ROOM display px as TEXT draws them."""
    lines = [words[0]]
    for word in words[1:]:
        text.set_text(f"{lines[-1]} {word}")
        if text.get_window_extent().width <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _wrap(text, room):
    """Break TEXT (a Text artist) into lines at spaces, each at most ROOM display px wide as
    drawn, and as even in length as that many lines allow; a formula ($…$) is never broken."""
    drawn, label = text.get_window_extent().width, text.get_text()
    words = (WORD_OR_FORMULA if cbook.is_math_text(label) else WORD).findall(label)
    if drawn <= room or len(words) < 2:
        return False
    lines = _lines(text, words, room)
    even = drawn / len(lines)
    while even < room:   # the narrowest room that needs no more lines
        shorter = _lines(text, words, even)
        if len(shorter) == len(lines):
            lines = shorter
            break
        even *= 1.05
    text.set_text("\n".join(lines))
    return text.get_text() != label


def wrap_long_labels(figure):
    """A panel title wider than its panel, or an axis label longer than its axis, broken into
    lines (larger type on the slide than in the notebook makes some of them run into the next
    panel), formulas kept whole. Returns whether one was broken."""
    figure.draw_without_rendering()
    broken = False
    for ax in figure.axes:
        box = ax.get_window_extent()
        for title in (ax.title, ax._left_title, ax._right_title):
            broken |= _wrap(title, box.width * 1.05)
        broken |= _wrap(ax.xaxis.label, box.width)
        label = ax.yaxis.label
        if label.get_text() and label.get_window_extent().height > box.height * 1.05:
            rotation = label.get_rotation()
            label.set_rotation(0)  # measured along the line of text, then turned back
            broken |= _wrap(label, box.height)
            label.set_rotation(rotation)
    return broken


def _lay_out_anew(figure):
    """Let FIGURE lay itself out again at every draw (constrained layout), so a new size or
    larger type moves its panels instead of cutting their labels. A figure whose layout
    cannot change (its colorbars were placed for another layout) keeps its own."""
    if figure.get_layout_engine() is None or not figure.get_layout_engine().adjust_compatible:
        try:
            figure.set_layout_engine("constrained")
        except RuntimeError:
            return False
    return True


def _drawn_box(figure):
    """The box savefig(bbox_inches="tight") would save of FIGURE as last drawn, in inches."""
    return figure.get_tightbbox().padded(PAD_INCHES)


def _rows(figure):
    """The figure's axes grouped by the grid row they start in, top to bottom."""
    rows = {}
    for ax in figure.axes:
        spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
        if spec is None or not ax.get_visible():
            continue
        rows.setdefault(spec.rowspan.start, []).append(ax)
    return [rows[key] for key in sorted(rows)]


def _row_boxes(figure):
    """The drawn box of each row of panels (with the suptitle on the first), in inches, when
    the figure has several rows; none when it has one."""
    rows = _rows(figure)
    if len(rows) < 2:
        return []
    renderer = figure._get_renderer()
    boxes = [Bbox.union([ax.get_tightbbox(renderer) for ax in row]) for row in rows]
    if figure._suptitle is not None and figure._suptitle.get_text():
        boxes[0] = Bbox.union([boxes[0], figure._suptitle.get_window_extent(renderer)])
    return [Bbox(box.get_points() / figure.dpi) for box in boxes]


def fit_to_slide(figure, width_px=SLIDE_FIGURE_WIDTH_PX, height_px=SLIDE_FIGURE_HEIGHT_PX):
    """Make FIGURE as drawn at most WIDTH_PX wide and HEIGHT_PX high (each row of panels, when
    it has several: they go on separate slides), by making it smaller and laying it out again.
    Its type keeps its size, so it is shown at 1 pt = 4/3 px. Returns the drawn box and the
    row boxes (none for one row), in inches."""
    width_in, height_in = width_px / 96, height_px / 96
    laid_out = _lay_out_anew(figure)
    for _ in range(6):
        if wrap_long_labels(figure):   # it draws the figure; after a label is broken, again
            figure.draw_without_rendering()
        box = _drawn_box(figure)
        rows = _row_boxes(figure)
        if rows:  # each row on a slide of its own at most, in its own margins
            over_height = max(row.height for row in rows) + 2 * PAD_INCHES - height_in
        else:
            over_height = box.height - height_in
        over_width = box.width - width_in
        if over_width <= 0 and over_height <= 0:
            return box, rows
        size = figure.get_size_inches()
        over_width, over_height = over_width + 0.05, over_height + 0.05  # converge from below
        shrink_height = max(over_height, 0) * (len(rows) if rows else 1)
        figure.set_size_inches(size[0] - max(over_width, 0), size[1] - shrink_height)
        if not laid_out:
            figure.tight_layout()
    figure.draw_without_rendering()
    return _drawn_box(figure), _row_boxes(figure)


def _svg(figure, box_inches="tight"):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches=box_inches, pad_inches=PAD_INCHES,
                   dpi=RASTER_DPI)
    return buffer.getvalue()


def slide_figure(figure):
    """FIGURE drawn for the slide: {"image/svg+xml": …}, or, when it is taller than a slide and
    has several rows of panels, {PARTS_MIME: {"svg": [one SVG per group of rows]}}."""
    raise_small_text(figure)
    for mesh in figure.findobj(QuadMesh):
        mesh.set_rasterized(True)
    box, rows = fit_to_slide(figure)
    if not rows or box.height * 96 <= SLIDE_FIGURE_HEIGHT_PX:
        return {"image/svg+xml": _svg(figure)}
    limit = SLIDE_FIGURE_HEIGHT_PX / 96 - 2 * PAD_INCHES
    groups, current = [], []
    for row in rows:
        if current and Bbox.union(current + [row]).height > limit:
            groups.append(current)
            current = []
        current.append(row)
    groups.append(current)
    boxes = [Bbox.union(group) for group in groups]
    return {PARTS_MIME: {"svg": [_svg(figure, _part_box(boxes, k)) for k in range(len(boxes))]}}


def _part_box(boxes, k):
    """BOXES[k] (boxes of groups of rows, top to bottom, in inches) with a margin of
    PAD_INCHES, but above and below at most half the gap to the next group: a wider margin
    would show a sliver of that group's title or axis label."""
    above = (boxes[k - 1].y0 - boxes[k].y1) / 2 if k > 0 else PAD_INCHES
    below = (boxes[k].y0 - boxes[k + 1].y1) / 2 if k + 1 < len(boxes) else PAD_INCHES
    box = boxes[k]
    return Bbox([[box.x0 - PAD_INCHES, box.y0 - min(PAD_INCHES, max(below, 0))],
                 [box.x1 + PAD_INCHES, box.y1 + min(PAD_INCHES, max(above, 0))]])


# The figure each explorer picture was drawn from (the PNG bytes of its overlay, which the
# explorer's top Image shows → the figure), filled in by the explorers' drawing while this
# kernel runs the lesson.
_EXPLORER_FIGURES = {}


def _remember_explorer_figures():
    from course_lib.explorers import canvas

    drawn = canvas.ExplorerFigure.layers

    def layers(view):
        data = drawn(view)
        _EXPLORER_FIGURES[data.overlay] = view.figure
        while len(_EXPLORER_FIGURES) > 32:
            del _EXPLORER_FIGURES[next(iter(_EXPLORER_FIGURES))]
        return data

    canvas.ExplorerFigure.layers = layers


def _figures(widget):
    """The figures WIDGET and the widgets in it show, as what slide_figure() gives for each:
    an explorer's picture drawn again from its figure, an Output widget's figures as shown."""
    import ipywidgets

    if isinstance(widget, ipywidgets.Image) and widget.value in _EXPLORER_FIGURES:
        figure = pickle.loads(pickle.dumps(_EXPLORER_FIGURES[widget.value]))  # its own stays
        yield slide_figure(figure)
    if isinstance(widget, ipywidgets.Output) and widget.model_id in _CAPTURED:
        yield _CAPTURED[widget.model_id]
    for child in getattr(widget, "children", ()):
        yield from _figures(child)


# The last figure shown in each Output widget (by its id): what an Output holds is kept by the
# notebook's front end, not in the kernel, so it is noted here as it is shown.
_CAPTURED = {}


def _shown(bundle):
    """BUNDLE (a figure about to be shown), noted for every Output widget capturing it."""
    import ipywidgets
    from ipywidgets.widgets.widget import _instances

    for widget in list(_instances.values()):
        if isinstance(widget, ipywidgets.Output) and widget.msg_id:
            _CAPTURED[widget.model_id] = bundle
    return bundle


def slide_explorer(box, include=None, exclude=None):
    """An explorer's widgets, shown on a slide as the figure they show (its first); a box of
    widgets that shows no figure, as itself."""
    for bundle in _figures(box):
        return _shown({**bundle, "text/plain": "the explorer's figure"})
    return box._repr_mimebundle_(include=include, exclude=exclude)


def show_figure(figure):
    """The mimebundle formatter of Figure in the lecture kernel."""
    return _shown(slide_figure(figure))


def set_up_kernel(shell):
    """Draw every figure the lesson shows in SHELL for the slide."""
    import ipywidgets

    matplotlib.rcParams.update(SLIDE_RC)
    # No figure format of the inline backend: a formatter it registers for one type would take
    # precedence over show_figure's SVG and draw every figure a second time.
    shell.run_line_magic("config", "InlineBackend.figure_formats = set()")
    shell.run_line_magic("config", f"InlineBackend.rc = {SLIDE_RC!r}")
    formatter = shell.display_formatter.mimebundle_formatter
    formatter.for_type(Figure, show_figure)
    formatter.for_type(ipywidgets.Box, slide_explorer)
    _remember_explorer_figures()


if __name__ == "__main__" and get_ipython() is not None:
    set_up_kernel(get_ipython())
