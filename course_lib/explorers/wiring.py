"""How every explorer is put on the screen: its controls in rows above a picture of its figure.

``wire(update, controls)`` connects ipywidgets 8 controls (sliders, menus) to a function
``update(**values)`` that returns the figure as ``canvas.Layers``: two PNG images shown in
two ``ipywidgets.Image`` laid one over the other (a one-cell ``GridBox``). A slider move
sends only the images that changed, mostly the small overlay. No widget backend for
Matplotlib is needed: the figure is drawn in the kernel (see ``canvas``), and the last
images stay in the notebook, so slide decks and web pages show them as a static figure.
``slider_style()`` and ``menu_style()`` give every explorer the same layout.
"""

import time

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
    redraw took.
    While the set ``hold`` is non-empty, changes do not redraw (to move several
    controls at once and draw once). Returns the ipywidgets box to display.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    hold = set() if hold is None else hold
    background, overlay = (widgets.Image(format="png", layout=widgets.Layout(grid_area="figure"))
                           for _ in range(2))
    timing = widgets.HTML()

    def redraw(_change=None):
        if hold:
            return
        began = time.perf_counter()
        layers = update(**{name: c.value for name, c in controls.items()})
        overlay.value = layers.overlay   # first: the background follows only when it changed
        background.value = layers.background
        timing.value = f"<small>redrawn in {1000 * (time.perf_counter() - began):.0f} ms</small>"

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
