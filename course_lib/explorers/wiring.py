"""How every explorer is put on the screen: its controls in rows above an image of its figure.

``wire(update, controls)`` connects ipywidgets 8 controls (sliders, menus) to a function
``update(**values)`` that returns PNG bytes, shown in an ``ipywidgets.Image``. No widget
backend for Matplotlib is needed: the figure is drawn in the kernel (see ``canvas``), and
the last image stays in the notebook, so slide decks and web pages show it as a static
figure. ``slider_style()`` and ``menu_style()`` give every explorer the same layout.
"""

import time

LABEL_WIDTH = "110px"
CONTROL_WIDTH = "420px"


def slider_style():
    """Keyword arguments every explorer's sliders share: label width, length, update on release.

    ``continuous_update=False``: the figure follows when a slider is released (or moved by
    a key), not at every pixel of a drag.

    Part of the machinery every explorer shares (lessons 1–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    return {"style": {"description_width": LABEL_WIDTH},
            "layout": widgets.Layout(width=CONTROL_WIDTH), "continuous_update": False}


def menu_style():
    """Keyword arguments every explorer's menus share (the sliders' label width and length).

    Part of the machinery every explorer shares (lessons 1–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    return {"style": {"description_width": LABEL_WIDTH},
            "layout": widgets.Layout(width=CONTROL_WIDTH)}


def wire(update, controls, columns=2, hold=None):
    """An Image widget redrawn by ``update(**values)`` whenever one of ``controls`` changes.

    ``controls`` maps the keyword of ``update`` to its control; they are laid out
    ``columns`` to a row above the image; below it, how long the last redraw took.
    While the set ``hold`` is non-empty, changes do not redraw (to move several
    controls at once and draw once). Returns the ipywidgets box to display.

    Part of the machinery every explorer shares (lessons 1–6); no lesson calls it directly.
    """
    import ipywidgets as widgets

    hold = set() if hold is None else hold
    image = widgets.Image(format="png")
    timing = widgets.HTML()

    def redraw(_change=None):
        if hold:
            return
        began = time.perf_counter()
        image.value = update(**{name: c.value for name, c in controls.items()})
        timing.value = f"<small>redrawn in {1000 * (time.perf_counter() - began):.0f} ms</small>"

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    timing.value = ""   # the first render also lays the figure out: not a redraw time
    boxes = list(controls.values())
    rows = [widgets.HBox(boxes[i:i + columns]) for i in range(0, len(boxes), columns)]
    return widgets.VBox(rows + [image, timing])
