"""How every explorer is put on the screen: its controls in rows above a picture of its figure.

``wire(update, controls)`` connects ipywidgets 8 controls (sliders, menus) to a function
``update(**values)`` that returns the figure as ``canvas.Layers``: two PNG images shown in
two ``ipywidgets.Image`` laid one over the other (a one-cell ``GridBox``). A slider move
sends only the images that changed, mostly the small overlay. No widget backend for
Matplotlib is needed: the figure is drawn in the kernel (see ``canvas``), and the last
images stay in the notebook, so slide decks and web pages show them as a static figure.
While the learner looks at a picture, the kernel draws the pictures one slider step away
(``DrawnAhead``) and sends a copy of each to the page (``browser_copy``), so the page shows
the next step itself, without waiting for the kernel.
``slider_style()`` and ``menu_style()`` give every explorer the same layout.
"""

import asyncio
import math
import time

from course_lib.explorers.canvas import DRAWING, limits_kept

KEPT_AHEAD = 16
"""How many pictures drawn ahead an explorer keeps."""
PAUSE = 0.005
"""Seconds the kernel waits between two pictures it draws ahead (messages go first)."""

LABEL_WIDTH = "110px"
CONTROL_WIDTH = "420px"


def slider_style():
    """Keyword arguments every explorer's sliders share: label width, length, update on release.

    ``continuous_update=False``: the figure follows when a slider is released (or moved by
    a key), not at every pixel of a drag.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    return {"style": {"description_width": LABEL_WIDTH},
            "layout": widgets.Layout(width=CONTROL_WIDTH), "continuous_update": False}


def menu_style():
    """Keyword arguments every explorer's menus share (the sliders' label width and length).

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    return {"style": {"description_width": LABEL_WIDTH},
            "layout": widgets.Layout(width=CONTROL_WIDTH)}


def wire(update, controls, columns=2, hold=None):
    """An Image widget redrawn by ``update(**values)`` whenever one of ``controls`` changes.

    ``controls`` maps the keyword of ``update`` to its control; they are laid out
    ``columns`` to a row above the picture (``picture(...)``); below it, how long the last
    move took the kernel to show its picture (drawn then, or kept from drawing ahead:
    ``DrawnAhead``; the page may have shown its copy before, ``browser_copy``).
    While the set ``hold`` is non-empty, changes do not redraw (to move several
    controls at once and draw once). Returns the ipywidgets box to display.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    hold = set() if hold is None else hold
    background, overlay = (widgets.Image(format="png", layout=widgets.Layout(grid_area="figure"))
                           for _ in range(2))
    timing = widgets.HTML()
    ahead = DrawnAhead(update, controls)
    if kernel_loop() is not None:   # a page may be watching: it gets a copy of each picture
        from course_lib.explorers.browser_copy import BrowserCopy

        ahead.browser = BrowserCopy(controls, background, overlay, ahead.kept)

    def redraw(change=None):
        began = time.perf_counter()
        with DRAWING:   # a picture being drawn ahead, maybe on another thread, first
            if hold:
                return
            values = {name: c.value for name, c in controls.items()}
            layers = ahead.take(values)
            how = "kept picture shown" if layers else "redrawn"
            if layers is None:
                layers = update(**values)
                ahead.keep(values, layers)   # a step back shows it again
            overlay.value = layers.overlay   # first: the background follows if it changed
            background.value = layers.background
            ms = 1000 * (time.perf_counter() - began)
            timing.value = f"<small>{how} in {ms:.0f} ms</small>"
            ahead.start(values, change["owner"] if change else None)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    timing.value = ""   # the first render also lays the figure out: not a redraw time
    boxes = list(controls.values())
    rows = [widgets.HBox(boxes[i:i + columns]) for i in range(0, len(boxes), columns)]
    return widgets.VBox(rows + [picture(background, overlay), timing])


def picture(background, overlay):
    """The Image ``overlay`` laid exactly over the Image ``background``: a grid of one cell.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    return widgets.GridBox([background, overlay],
                           layout=widgets.Layout(grid_template_areas='"figure"',
                                                 width="max-content"))


class DrawnAhead:
    """The pictures one slider step from the one shown, drawn by the kernel while it waits.

    After each redraw, ``start(values, moved)`` lists the settings one step to either side
    of every slider (within its range): the slider just ``moved`` first, then the others,
    in the order of ``controls``. The kernel's event loop draws them one at a time
    (``update(**setting)``) whenever it has nothing else to do, so a message from the browser
    never waits for more than one picture; a new ``start`` drops the rest of the list.
    ``take(values)`` gives the kept picture of a setting, or None: the last ``KEPT_AHEAD``
    pictures drawn, ahead or shown (``keep``), are kept, and each is sent to ``browser`` (a
    ``browser_copy.BrowserCopy``) when there is one.
    Each is drawn from the axis limits of the picture on the screen (``canvas.limits_kept``).
    The explorer's own code runs for settings the learner has not chosen yet; an error there
    only ends the drawing ahead (the learner sees it on moving there). Outside a kernel
    (``kernel_loop``) nothing is drawn ahead.
    A move may be handled on another thread than the one drawing ahead: one picture at a
    time is drawn or shown (``canvas.DRAWING``).

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """

    def __init__(self, update, controls):
        self.update, self.controls = update, controls
        self.kept = []   # (setting, Layers), the latest last
        self.round = 0   # which start() the queued settings belong to
        self.browser = None

    def take(self, values):
        for setting, layers in self.kept:
            if all(_same_value(setting[name], values[name]) for name in values):
                return layers
        return None

    def keep(self, setting, layers):
        self.kept.append((setting, layers))
        del self.kept[:-KEPT_AHEAD]
        if self.browser is not None:
            self.browser.keep(setting, layers)

    def neighbours(self, values, moved=None):
        """The settings one step from ``values`` on each slider, ``moved``'s first."""
        names = [name for name, c in self.controls.items() if c is moved]
        names += [name for name in self.controls if name not in names]
        settings = []
        for name in names:
            for value in _steps_from(self.controls[name]):
                settings.append({**values, name: value})
        return settings

    def start(self, values, moved=None):
        self.round += 1
        loop = kernel_loop()
        if loop is None:
            return
        queue = [setting for setting in self.neighbours(values, moved)
                 if self.take(setting) is None]
        this_round = self.round

        def draw_next():
            with DRAWING:
                if self.round != this_round or not queue:
                    return
                setting = queue.pop(0)
                try:
                    with limits_kept():
                        self.keep(setting, self.update(**setting))
                except Exception:   # noqa: BLE001 - shown to the learner if they move there
                    return
            loop.call_later(PAUSE, draw_next)

        loop.call_later(PAUSE, draw_next)


def kernel_loop():
    """The event loop of the IPython kernel this code runs in (ipykernel runs one), or None
    (a script, or a test, even one whose thread runs another event loop)."""
    from IPython import get_ipython

    if getattr(get_ipython(), "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _steps_from(control):
    """The values one step below and above a slider's, as the browser's slider gives them:
    on its grid min + k·step (0 exactly where the grid crosses it, as in the browser, not
    -0.3 + 3 × 0.1 = 5.6e-17), and at max, where the last step stops when max is off the
    grid; none for a menu."""
    import ipywidgets as widgets

    if isinstance(control, widgets.SelectionSlider):   # steps through its options
        return [control.options[i] for i in (control.index - 1, control.index + 1)
                if 0 <= i < len(control.options) and not isinstance(control.options[i], tuple)]
    if (not isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider))
            or control.step is None):
        return []
    log = isinstance(control, widgets.FloatLogSlider)   # min, max and step are exponents
    now = math.log(control.value, control.base) if log else control.value
    low, step = control.min, control.step
    values = []
    for wanted in (now - step, now + step):
        value = low + math.floor((wanted - low) / step + 0.5) * step   # onto the grid, as JS rounds
        if abs(value) <= 1e-9 * step:
            value = 0.0
        if value > control.max + 1e-9 * step and now < control.max - 1e-9 * step:
            value = control.max
        if low - 1e-9 * step <= value <= control.max + 1e-9 * step and value != now:
            values.append(control.base ** value if log else type(control.value)(value))
    return values


def _same_value(a, b):
    """Equal; two numbers, one of them a float, equal within a relative 1e-9 or an absolute
    1e-12. The browser computes a slider's steps itself and may round them differently (a
    log slider's base ** exponent differs by a unit in the last place); 1e-12 is far below
    every step and value of the course's sliders (steps ≥ 0.01, η ≥ 1e-4)."""
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
    if numbers and (isinstance(a, float) or isinstance(b, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
