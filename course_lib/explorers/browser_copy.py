"""The page's copy of an explorer's kept pictures: a slider move onto one of them is shown at
once, by the page itself, before the kernel has even heard of the move.

``wiring.DrawnAhead`` keeps the pictures one slider step from the one shown (and the last
ones shown). ``BrowserCopy`` sends each picture it keeps to the page as well: its overlay,
its background unless the page has it already, and the setting it shows, as the page knows
the controls (a slider's value, a menu's index). When a control changes in the page, the
page looks for a copy of the new setting and puts it in the two Image widgets of the
picture. The kernel, when the move reaches it, sends the same picture, which changes
nothing on the screen; if it sends the picture of an earlier setting (the learner was
quicker), the page puts its copy back. A move onto a setting the page has no copy of waits
for the kernel, as before. The page keeps what the kernel keeps, the last ``KEPT_AHEAD``
pictures, and the ``PAGE_BACKGROUNDS`` backgrounds sent last. A page that starts listening
later (reloaded, or the notebook opened again while its kernel runs) is sent everything
kept again.

It is made with ``anywidget``: a widget whose code in the page (``IN_THE_PAGE``, JavaScript)
comes with it, so JupyterLab needs no extension of the course's own. It is never displayed;
its code runs in the page as soon as the kernel creates it.

Part of the machinery every explorer shares (lessons 0–6); no lesson calls it directly.
"""

import itertools

import anywidget
import ipywidgets as widgets
import traitlets

from course_lib.explorers.canvas import DRAWING
from course_lib.explorers.wiring import KEPT_AHEAD

PAGE_BACKGROUNDS = 8
"""How many backgrounds the page keeps (most pictures share one)."""

IN_THE_PAGE = """
// As wiring._same_value (the page cannot tell an int from a float).
const same = (a, b) => (typeof a === "number" && typeof b === "number")
  ? Math.abs(a - b) <= Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), 1e-12)
  : JSON.stringify(a) === JSON.stringify(b);
const held = (control) => (control.get("index") === undefined ? "value" : "index");

export default {
  initialize({ model }) {
    const kept = [];                  // {setting, overlay, background}, the latest last
    const backgrounds = new Map();    // number -> PNG bytes, the latest last
    model.on("msg:custom", (msg, buffers) => {
      if (buffers.length > 1) {
        backgrounds.set(msg.background, buffers[1]);
        for (const old of [...backgrounds.keys()].slice(0, -msg.backgrounds)) {
          backgrounds.delete(old);
        }
      }
      kept.push({setting: msg.setting, overlay: buffers[0], background: msg.background});
      kept.splice(0, kept.length - msg.kept);
    });
    let controls = [], background = null, overlay = null, showing = false;
    const show = () => {   // the copy of the setting the controls show, if the page has it
      if (showing || overlay === null) return;
      const now = controls.map((control) => control.get(held(control)));
      const copy = kept.findLast((k) => k.setting.every((value, i) => same(value, now[i])));
      const picture = copy && backgrounds.get(copy.background);
      if (!picture) return;
      showing = true;
      try {
        background.set("value", picture);   // the same bytes again change nothing (here,
                                            // outside any change of these images)
        overlay.set("value", copy.overlay);
      } finally {
        showing = false;
      }
    };
    const models = (name) => Promise.all(model.get(name).map(
      (ref) => model.widget_manager.get_model(ref.slice("IPY_MODEL_".length))));
    Promise.all([models("controls"), models("layers")]).then(([found, layers]) => {
      controls = found;
      [background, overlay] = layers;
      for (const control of controls) control.on(`change:${held(control)}`, show);
      // A picture from the kernel (maybe late, of an earlier setting): the page's copy of the
      // setting shown goes back once the picture's own change is over. Set from inside the
      // change, an image's own view would never draw the kernel's picture: ipywidgets ends
      // the change of a model that a handler sets again.
      for (const image of layers) {
        image.on("change:value", () => showing || queueMicrotask(show));
      }
      model.send({ready: true});
    }).catch((error) => console.warn("explorer: the page keeps no copies:", error));
    // (The browser tests fail on a console warning that starts with "explorer:".)
  },
};
"""


class BrowserCopy(anywidget.AnyWidget):
    """The page's copy of ``kept``, the kernel's list of (setting, ``canvas.Layers``) it keeps
    (``DrawnAhead.kept``), for ``controls`` (a name: control mapping) of the picture shown by
    the Image widgets ``background`` and ``overlay``. ``keep(setting, layers)`` sends one
    picture to the page as the kernel keeps it."""

    _esm = IN_THE_PAGE
    controls = traitlets.List().tag(sync=True, **widgets.widget_serialization)
    layers = traitlets.List().tag(sync=True, **widgets.widget_serialization)

    def __init__(self, controls, background, overlay, kept):
        super().__init__(controls=list(controls.values()), layers=[background, overlay])
        self.names, self.kept = list(controls), kept
        self.sent = []   # the backgrounds the page has, as (PNG bytes, number), the latest last
        self.numbers = itertools.count()   # a background's number, never used twice
        self.on_msg(self._page_ready)

    def keep(self, setting, layers):
        """Send the picture LAYERS (``canvas.Layers``) of SETTING (a value per control name)."""
        with DRAWING:
            self._send_picture(setting, layers)

    def _page_ready(self, _widget, content, _buffers):
        """A page has started listening: everything kept is sent again, backgrounds too."""
        if content.get("ready"):
            with DRAWING:
                self.sent = []
                for setting, layers in self.kept:
                    self._send_picture(setting, layers)

    def _send_picture(self, setting, layers):
        in_the_page = [_in_the_page(control, setting[name])
                       for name, control in zip(self.names, self.controls)]
        number = next((n for png, n in self.sent if png == layers.background), None)
        buffers = [layers.overlay]
        if number is None:
            number = next(self.numbers)
            self.sent = (self.sent + [(layers.background, number)])[-PAGE_BACKGROUNDS:]
            buffers.append(layers.background)
        self.send({"setting": in_the_page, "background": number, "kept": KEPT_AHEAD,
                   "backgrounds": PAGE_BACKGROUNDS}, buffers)


def _in_the_page(control, value):
    """What the page's copy of CONTROL holds when it is at VALUE: a slider's value; a menu's
    index, or indices (the page knows a menu's labels, not its values). From VALUE alone:
    the control may be changing on another thread."""
    if "index" not in control.keys:
        return value
    values = control._options_values   # the options' values, as ipywidgets matches them
    if isinstance(control.index, tuple):   # several chosen (SelectMultiple)
        return [values.index(v) for v in value if v in values]
    return values.index(value) if value in values else None
