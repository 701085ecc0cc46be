"""The picture every explorer shows: a figure drawn in full once, then only in part.

A slider move changes a few things on the figure (the paths, the loss curves, a
title); the contours, the axes, their ticks and the legends stay. So an
``ExplorerFigure`` is shown as two images laid one over the other:

* the *background*: everything that stays, kept as a bitmap per axes and encoded
  again only when an axes' limits, labels or legend change;
* the *overlay*: only the artists listed in ``moving``, then the legends (on top, as
  in a full draw; their texts may change, e.g. "GD: diverged at step 12"), drawn on a
  transparent canvas (Matplotlib's ``draw_artist``): a small PNG that is quick to
  encode, to send and for the browser to decode. Laying out and drawing a legend costs
  more than the paths, so each legend is drawn alone once and its pixels laid over the
  overlay (``lay_over``) until its texts, title or place change.

A slider move costs a few milliseconds and sends the overlay only, instead of a full
draw of the figure and the whole picture.

The background of each axes depends on its limits, scales and labels (``static_key``);
when one of them changes, that axes is drawn again (and kept with the backgrounds
already drawn, so going back costs nothing).
"""

import struct
import threading
import weakref
import zlib
from collections import OrderedDict, namedtuple
from contextlib import contextmanager

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

_LIVE = weakref.WeakSet()   # every ExplorerFigure not yet garbage

DRAWING = threading.RLock()
"""Held while any explorer draws, shows or copies a picture, or changes its figure from a
menu. A kernel may handle a widget's messages on another thread than the one that ran the
cell: JupyterLab sends them on a subshell of a kernel that has subshells (its
``commsOverSubshells`` setting), and ipykernel 7 hands each one to the thread of the subshell
its comm last sent from (the main thread, the cell's, for a widget's first move) or else
to the subshell it came on. So one explorer may be moved on one thread while it, or
another, draws ahead on the other; they share Matplotlib and every figure's limits
(``limits_kept``)."""

KEPT_BACKGROUNDS = 8
"""How many backgrounds (one per set of axis limits and labels), and legend layers, a figure
keeps per axes."""

Layers = namedtuple("Layers", ["background", "overlay"])
Layers.__doc__ = """The figure as two PNG images of the same size: the overlay (transparent where
nothing moves) is laid over the background.

Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly."""


class ExplorerFigure:
    """A Matplotlib figure whose ``moving`` artists are redrawn over a kept background.

    Build the axes (side by side, in one row) and their artists on ``self.figure`` and
    put the artists a slider changes in ``self.moving`` (drawn in that order, so later
    ones lie on top). ``layers()`` returns the figure as two PNG images (``Layers``).

    The background is kept per axes, as a vertical strip of the figure (from halfway
    to the axes on its left to halfway to the one on its right): when new limits
    change one panel's ticks, only that panel is drawn again.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """

    def __init__(self, figsize, dpi=80):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.moving = []
        self._backgrounds = OrderedDict()   # (axes number, static_key(axes)) -> strip
        self._strips = None                 # the bounding box of each axes' strip
        self._background_png = (None, b"")  # the keys of the background last encoded, its PNG
        self._legend_layers = OrderedDict()  # (legend, its place, texts) -> (top, left, pixels)

    @staticmethod
    def static_key(ax):
        """What the background of ``ax`` shows: its limits, scales and labels."""
        return (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
                ax.get_xlabel(), ax.get_ylabel())

    def overlaid(self):
        """What the overlay shows: the moving artists, then each axes' legend on top."""
        return self.moving + self._legends()

    def layers(self):
        """The figure as ``Layers``: the kept backgrounds, and the moving artists over nothing."""
        _LIVE.add(self)   # from its first picture on (taken under DRAWING), not while built
        if self._strips is None:
            self._lay_out()
        keys = tuple((number, self.static_key(ax)) for number, ax in enumerate(self.figure.axes))
        for ax, key in zip(self.figure.axes, keys):
            if key not in self._backgrounds:
                self._draw_background(ax, key)   # draws on a cleared canvas
            self._backgrounds.move_to_end(key)
        if self._background_png[0] != keys:
            for key in keys:   # the strips cover the figure from edge to edge
                self.canvas.restore_region(self._backgrounds[key])
            self._background_png = (keys, encode_png(self.canvas.buffer_rgba()))
        legends = [self._legend_layer(legend) for legend in self._legends()]
        self.canvas.get_renderer().clear()   # transparent
        for artist in self.moving:
            if artist.get_visible():
                (artist.axes or self.figure).draw_artist(artist)
        overlay = np.array(self.canvas.buffer_rgba())
        for top, left, pixels in legends:   # on top, as in a full draw
            lay_over(overlay, pixels, top, left)
        return Layers(self._background_png[1], encode_png(overlay))

    def _legends(self):
        """The visible legends, drawn in the overlay over the moving artists."""
        legends = [ax.get_legend() for ax in self.figure.axes]
        return [legend for legend in legends if legend is not None and legend.get_visible()]

    def _legend_layer(self, legend):
        """(top row, left column, RGBA pixels) of ``legend`` drawn alone on a transparent canvas.

        Kept while its texts, title and place stay the same (a change of its style needs a
        new legend, as ``ax.legend(...)`` makes). A legend placed where the data leaves room
        (``loc="best"``) moves with the data, so it is drawn every time.
        """
        texts = tuple(text.get_text() for text in [legend.get_title(), *legend.get_texts()])
        key = (legend, legend._loc, legend.get_bbox_to_anchor().bounds, texts)
        if key in self._legend_layers:
            self._legend_layers.move_to_end(key)
            return self._legend_layers[key]
        renderer = self.canvas.get_renderer()
        renderer.clear()
        legend.axes.draw_artist(legend)
        pixels = np.array(self.canvas.buffer_rgba())
        rows, columns = np.nonzero(pixels[..., 3])   # what the legend drew, shadow included
        if rows.size == 0:
            layer = (0, 0, pixels[:0, :0])
        else:
            layer = (rows.min(), columns.min(),
                     pixels[rows.min():rows.max() + 1, columns.min():columns.max() + 1])
        if legend._loc != 0:   # Matplotlib's code for loc="best"
            self._legend_layers[key] = layer
            while len(self._legend_layers) > KEPT_BACKGROUNDS * len(self.figure.axes):
                self._legend_layers.popitem(last=False)
        return layer

    def _lay_out(self):
        """Compute the layout once, with every artist in place, and cut the figure in strips."""
        self.canvas.draw()
        self.figure.set_layout_engine("none")
        renderer = self.canvas.get_renderer()
        boxes = sorted(((ax.get_tightbbox(renderer), number)
                        for number, ax in enumerate(self.figure.axes)), key=lambda b: b[0].x0)
        cuts = [0.0] + [(left.x1 + right.x0) / 2 for (left, _), (right, _)
                        in zip(boxes, boxes[1:])] + [self.figure.bbox.width]
        self._strips = {}
        for (_, number), x0, x1 in zip(boxes, cuts, cuts[1:]):
            self._strips[number] = Bbox.from_extents(x0, 0, x1, self.figure.bbox.height)

    def _draw_background(self, ax, key):
        """Draw ``ax`` without what the overlay shows, on a blank figure; keep its strip."""
        # A draw with a hidden title would move it (Axes.draw places titles): keep positions.
        placed = [(text, text.get_position()) for text in self.moving if isinstance(text, Text)]
        shown = [artist for artist in self.overlaid() if artist.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        renderer = self.canvas.get_renderer()
        renderer.clear()
        self.figure.patch.draw(renderer)
        ax.draw(renderer)
        for artist in shown:
            artist.set_visible(True)
        for text, position in placed:
            text.set_position(position)
        self._backgrounds[key] = self.canvas.copy_from_bbox(self._strips[key[0]])
        while len(self._backgrounds) > KEPT_BACKGROUNDS * len(self.figure.axes):
            self._backgrounds.popitem(last=False)


@contextmanager
def limits_kept():
    """Every explorer figure's axis limits, set back to what they are now on leaving.

    An explorer keeps an axis' limits while the curves fit (``decade_limits``,
    ``nice_limit``), so a picture depends on the one before. A picture drawn ahead
    (``wiring.DrawnAhead``) inside this block starts from the limits of the picture on
    the screen, as a move from it would, whatever was drawn ahead before it.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    saved = [(ax, ax.get_xlim(), ax.get_ylim()) for view in list(_LIVE)
             for ax in view.figure.axes]
    try:
        yield
    finally:
        for ax, xlim, ylim in saved:
            ax.set_xlim(xlim, auto=None)   # auto=None: autoscaling stays as it was
            ax.set_ylim(ylim, auto=None)


def lay_over(pixels, layer, top, left):
    """Lay the RGBA image ``layer`` over ``pixels`` (both uint8) with its corner at (top, left).

    Compositing "over" with straight (not premultiplied) alpha, as Agg draws and a
    browser lays a PNG over another: with a the layer's alpha and b the alpha below,
    alpha = a + b (1 − a) and colour = (a · colour_layer + b (1 − a) · colour_below) / alpha.
    Changes ``pixels`` in place.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    below = pixels[top:top + layer.shape[0], left:left + layer.shape[1]]
    layer = layer[:below.shape[0], :below.shape[1]].astype(np.float32) / 255
    under = below.astype(np.float32) / 255
    a, b = layer[..., 3:], under[..., 3:] * (1 - layer[..., 3:])
    alpha = a + b
    colour = (a * layer[..., :3] + b * under[..., :3]) / np.where(alpha > 0, alpha, 1)
    below[...] = np.rint(255 * np.concatenate([colour, alpha], axis=-1))


def encode_png(rgba):
    """PNG bytes of an RGBA buffer (height × width × 4), written for speed.

    A PNG file is a signature and three chunks: IHDR (size, 8 bits per channel, colour
    type 6 = RGBA), IDAT (the rows, each after a filter byte, zlib-compressed) and IEND.
    Filter 0 (none) and zlib level 1 take 4 ms for the explorers' 880 × 344 figures,
    where an image library's adaptive filters take 11 ms, and the file is as small.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
    """
    pixels = np.asarray(rgba, dtype=np.uint8)
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)   # column 0: filter byte 0
    rows[:, 1:] = pixels.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _chunk(b"IEND", b""))


def _chunk(kind, data):
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def nice_limit(value):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of 10) that is ≥ ``value``.

    Axis limits rounded this way change only every few slider steps, so most
    redraws keep their background.

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
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

    Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
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
