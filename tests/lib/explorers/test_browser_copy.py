"""browser_copy.BrowserCopy: every picture the kernel keeps is sent to the page, with its
setting as the page knows the controls, and each background only while the page lacks it.
(What the page does with them is tested in JupyterLab: tests/browser/test_jupyterlab.py.)"""

import asyncio

import ipywidgets as widgets
from test_wiring import _controls, _recording_update, as_in_a_kernel

from course_lib.explorers import wiring
from course_lib.explorers.browser_copy import PAGE_BACKGROUNDS, BrowserCopy
from course_lib.explorers.canvas import Layers
from course_lib.explorers.wiring import KEPT_AHEAD, DrawnAhead, wire

SETTING = {"steps": 5, "rate": 0.5, "name": "a"}


def _sent_by(copy):
    sent = []
    copy.send = lambda content, buffers: sent.append((content, buffers))
    return sent


def test_a_setting_is_sent_as_the_page_holds_it_a_slider_by_value_a_menu_by_index():
    controls = {"rate": widgets.FloatLogSlider(value=0.1, min=-3, max=0),
                "size": widgets.SelectionSlider(options=[16, 32, 64], value=32),
                "name": widgets.Dropdown(options=[("one", "a"), ("two", "b")], value="a"),
                "chosen": widgets.SelectMultiple(options=["GD", "Adam", "RMSprop"],
                                                 value=("GD",))}
    copy = BrowserCopy(controls, widgets.Image(), widgets.Image(), kept=[])
    sent = _sent_by(copy)
    copy.keep({"rate": 0.1, "size": 64, "name": "b", "chosen": ("Adam", "RMSprop")},
              Layers(b"background", b"overlay"))
    content, buffers = sent[0]
    # size 64 is option 2, "b" (labelled "two") option 1, Adam and RMSprop options 1 and 2,
    # whatever the controls show now
    assert content["setting"] == [0.1, 2, 1, [1, 2]]
    assert content["kept"] == KEPT_AHEAD
    assert buffers == [b"overlay", b"background"]


def test_a_background_is_sent_while_the_page_lacks_it_then_named_by_its_number():
    copy = BrowserCopy(_controls(), widgets.Image(), widgets.Image(), kept=[])
    sent = _sent_by(copy)
    first, second = b"background 1", b"background 2"
    again = bytes(bytearray(first))   # equal bytes, another object (a background drawn again)
    for background, overlay in [(first, b"1"), (first, b"2"), (second, b"3"), (again, b"4")]:
        copy.keep(SETTING, Layers(background, overlay))
    assert [content["background"] for content, _ in sent] == [0, 0, 1, 0]
    assert [len(buffers) for _, buffers in sent] == [2, 1, 2, 1]


def test_the_page_is_told_to_forget_the_oldest_backgrounds_as_the_kernel_does():
    copy = BrowserCopy(_controls(), widgets.Image(), widgets.Image(), kept=[])
    sent = _sent_by(copy)
    backgrounds = [f"background {k}".encode() for k in range(PAGE_BACKGROUNDS + 1)]
    for background in backgrounds + backgrounds[:1]:
        copy.keep(SETTING, Layers(background, b"overlay"))
    assert all(content["backgrounds"] == PAGE_BACKGROUNDS for content, _ in sent)
    # the first background was forgotten: sent again, under a new number
    assert sent[-1][0]["background"] == PAGE_BACKGROUNDS + 1
    assert len(sent[-1][1]) == 2


def test_a_page_that_starts_listening_is_sent_every_picture_kept_again(monkeypatch):
    monkeypatch.setattr(wiring, "KEPT_AHEAD", 3)
    controls = _controls()
    ahead = DrawnAhead(None, controls)
    ahead.browser = copy = BrowserCopy(controls, widgets.Image(), widgets.Image(), ahead.kept)
    sent = _sent_by(copy)
    for steps in range(5):
        ahead.keep({**SETTING, "steps": steps}, Layers(b"background", f"{steps}".encode()))
    sent.clear()
    copy._handle_custom_msg({"ready": True}, [])   # what the page's message reaches
    assert [content["setting"][0] for content, _ in sent] == [2, 3, 4]   # the last 3 kept
    assert [len(buffers) for _, buffers in sent] == [2, 1, 1]   # the background first
    assert len({content["background"] for content, _ in sent}) == 1
    assert sent[0][0]["background"] != 0   # a new number: the page may still hold number 0


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
