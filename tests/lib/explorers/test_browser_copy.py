"""browser_copy.BrowserCopy: every picture the kernel keeps is sent to the page, with its
setting as the page knows the controls, and each background only once.
(What the page does with them is tested in JupyterLab: tests/browser/test_jupyterlab.py.)"""

import asyncio

import ipywidgets as widgets
from test_wiring import _controls, _recording_update, as_in_a_kernel

from course_lib.explorers import browser_copy
from course_lib.explorers.browser_copy import BrowserCopy
from course_lib.explorers.canvas import Layers
from course_lib.explorers.wiring import KEPT_AHEAD, wire


def _sent_by(copy):
    sent = []
    copy.send = lambda content, buffers: sent.append((content, buffers))
    return sent


def test_a_setting_is_sent_as_the_page_holds_it_a_slider_by_value_a_menu_by_index():
    sizes = widgets.SelectionSlider(options=[16, 32, 64], value=32)
    controls = {"rate": widgets.FloatLogSlider(value=0.1, min=-3, max=0), "size": sizes,
                "name": widgets.Dropdown(options=["a", "b"], value="b")}
    copy = BrowserCopy(controls, widgets.Image(), widgets.Image(), kept=16)
    sent = _sent_by(copy)
    copy.keep({"rate": 0.1, "size": 64, "name": "b"}, Layers(b"background", b"overlay"))
    content, buffers = sent[0]
    assert content["setting"] == [0.1, 2, 1]   # size 64 is option 2; "b" is option 1
    assert content["kept"] == 16
    assert buffers == [b"overlay", b"background"]


def test_a_background_is_sent_once_then_named_by_its_number():
    copy = BrowserCopy(_controls(), widgets.Image(), widgets.Image(), kept=16)
    sent = _sent_by(copy)
    first, second = b"background 1", b"background 2"
    for background, overlay in [(first, b"1"), (first, b"2"), (second, b"3"), (first, b"4")]:
        copy.keep({"steps": 5, "rate": 0.5, "name": "a"}, Layers(background, overlay))
    assert [content["background"] for content, _ in sent] == [0, 0, 1, 0]
    assert [len(buffers) for _, buffers in sent] == [2, 1, 2, 1]


def test_the_page_is_told_to_forget_the_oldest_backgrounds_as_the_kernel_does():
    copy = BrowserCopy(_controls(), widgets.Image(), widgets.Image(), kept=16)
    sent = _sent_by(copy)
    backgrounds = [f"background {k}".encode() for k in range(browser_copy.KEPT_BACKGROUNDS + 1)]
    for background in backgrounds + backgrounds[:1]:
        copy.keep({"steps": 5, "rate": 0.5, "name": "a"}, Layers(background, b"overlay"))
    assert all(content["kept_backgrounds"] == browser_copy.KEPT_BACKGROUNDS
               for content, _ in sent)
    # the first background was forgotten on both sides: sent again, under a new number
    assert sent[-1][0]["background"] == browser_copy.KEPT_BACKGROUNDS + 1
    assert len(sent[-1][1]) == 2


def test_in_a_kernel_every_picture_kept_shown_or_drawn_ahead_reaches_the_page(monkeypatch):
    calls, controls = [], _controls()
    sent = []
    monkeypatch.setattr(BrowserCopy, "send",
                        lambda self, content, buffers: sent.append((content, buffers)))

    async def learner():
        wire(_recording_update(calls), controls)
        await asyncio.sleep(0.3)   # the kernel draws ahead
        controls["steps"].value = 8   # not drawn ahead: drawn now, kept, sent
        await asyncio.sleep(0.3)

    as_in_a_kernel(monkeypatch, learner)
    assert (8, 0.5, "a") in calls and len(calls) > 5
    settings = [(steps, round(rate, 9), index) for (steps, rate, index), in
                ([content["setting"]] for content, _ in sent)]
    assert settings == [(steps, rate, 0) for steps, rate, name in calls]   # menu "a": index 0
    assert all(content["kept"] == KEPT_AHEAD for content, _ in sent)
