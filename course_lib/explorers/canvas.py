"""The picture every explorer shows: a figure drawn in full once, then only in part.

A slider move changes a few things on the figure (the paths, the loss curves, a
title); the contours, the axes, their ticks and the legends stay. So an
``ExplorerFigure`` keeps a bitmap of everything that stays (the *background*) and, on
every redraw, pastes it back and draws only the artists listed in ``moving`` over it
(Matplotlib's blitting), then encodes the PNG the explorer's ``Image`` widget shows.
A redraw costs a few milliseconds instead of a full draw of the figure.

The background depends on the axes' limits, scales and labels and on the legends'
texts (``static_key``); when one of them changes, it is drawn again (and kept with the
others already drawn, so going back costs nothing).
"""

import io
from collections import OrderedDict

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

KEPT_BACKGROUNDS = 8
"""How many backgrounds (one per set of axis limits and legends) a figure keeps."""


class ExplorerFigure:
    """A Matplotlib figure whose ``moving`` artists are redrawn over a kept background.

    Build the axes and artists on ``self.figure`` and put the artists a slider
    changes in ``self.moving`` (drawn in that order, so later ones lie on top).
    ``png()`` returns the figure as PNG bytes.
    """

    def __init__(self, figsize, dpi=80):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.moving = []
        self._backgrounds = OrderedDict()
        self._laid_out = False

    def static_key(self):
        """What the background shows: every axes' limits, scales, labels and legend texts."""
        key = []
        for ax in self.figure.axes:
            legend = ax.get_legend()
            key.append((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                        ax.get_xlabel(), ax.get_ylabel(),
                        tuple(t.get_text() for t in legend.get_texts()) if legend else ()))
        return tuple(key)

    def png(self):
        """The figure as PNG bytes: the kept background, the moving artists drawn over it."""
        key = self.static_key()
        background = self._backgrounds.get(key)
        if background is None:
            background = self._draw_background(key)
        self._backgrounds.move_to_end(key)
        self.canvas.restore_region(background)
        for artist in self.moving:
            if artist.get_visible():
                (artist.axes or self.figure).draw_artist(artist)
        return encode_png(self.canvas.buffer_rgba())

    def _draw_background(self, key):
        if not self._laid_out:   # the layout is computed once, with every artist in place
            self.canvas.draw()
            self.figure.set_layout_engine("none")
            self._laid_out = True
        # A draw with a hidden title would move it (Axes.draw places titles): keep positions.
        placed = [(text, text.get_position()) for text in self.moving if isinstance(text, Text)]
        shown = [artist for artist in self.moving if artist.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        self.canvas.draw()
        for artist in shown:
            artist.set_visible(True)
        for text, position in placed:
            text.set_position(position)
        background = self._backgrounds[key] = self.canvas.copy_from_bbox(self.figure.bbox)
        while len(self._backgrounds) > KEPT_BACKGROUNDS:
            self._backgrounds.popitem(last=False)
        return background


def encode_png(rgba):
    """PNG bytes of an RGBA buffer, with fast compression (a redraw must not wait for zlib)."""
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.asarray(rgba)).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def nice_limit(value):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of 10) that is ≥ ``value``.

    Axis limits rounded this way change only every few slider steps, so most
    redraws keep their background.
    """
    if not value > 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for mantissa in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if mantissa * power >= value * (1 - 1e-12):
            return mantissa * power
    return 10 * power


def decade_limits(low, high, current=None):
    """Log-axis limits: whole decades around [low, high], kept when ``current`` still fits.

    ``current`` (the axis' present limits) is kept when it holds [low, high] and is at
    most three decades wider than needed, so the axis does not jump with every
    slider step, yet a curve never shrinks to a corner of the panel.
    """
    wanted = (10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high)))
    if wanted[0] == wanted[1]:
        wanted = (wanted[0] / 10, wanted[1] * 10)
    if current is not None and current[0] > 0:
        fits = current[0] <= low and high <= current[1]
        spare = np.log10(current[1] / current[0]) - np.log10(wanted[1] / wanted[0])
        if fits and spare <= 3:
            return tuple(current)
    return wanted
