"""wiring.wire: a control's move redraws the picture; pictures one slider step away are drawn
ahead while the kernel's event loop waits, and a move onto one shows it without a redraw.

The kernel is played by an event loop in a thread of its own (``as_in_a_kernel``): the
test's own thread may run another loop (Playwright's, when a browser test ran before in
this worker)."""

import asyncio
import threading
import time

import ipywidgets as widgets
import numpy as np
import pytest

from course_lib import explorers, surfaces
from course_lib.explorers import wiring
from course_lib.explorers.canvas import Layers
from course_lib.explorers.wiring import DrawnAhead, wire
from course_lib.optim import SGD


def _recording_update(calls, fails_at=None):
    def update(steps, rate, name):
        calls.append((steps, round(rate, 9), name))
        if steps == fails_at:
            raise ValueError(f"steps = {steps} fails")
        return Layers(b"background", f"{steps} {rate:.3f} {name}".encode())
    return update


def _controls():
    return {"steps": widgets.IntSlider(value=5, min=0, max=10),
            "rate": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1),
            "name": widgets.Dropdown(options=["a", "b"], value="a")}


def as_in_a_kernel(monkeypatch, scenario):
    """Run the coroutine function SCENARIO in a new event loop of a new thread, which
    ``wiring.kernel_loop`` takes for a kernel's; what it returns, or raise what it raised."""
    monkeypatch.setattr(wiring, "kernel_loop", asyncio.get_running_loop)
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as error:   # noqa: BLE001 - raised again in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _picture(box):
    return box.children[-2].children[1].value   # the overlay Image


def test_the_settings_one_step_away_are_drawn_ahead_and_a_move_onto_one_is_not_redrawn(
        monkeypatch):
    calls, controls = [], _controls()

    async def learner():
        box = wire(_recording_update(calls), controls)
        await asyncio.sleep(0.3)   # the kernel waits for the learner: it draws ahead
        assert calls == [(5, 0.5, "a"), (4, 0.5, "a"), (6, 0.5, "a"), (5, 0.4, "a"),
                         (5, 0.6, "a")]
        calls.clear()
        controls["rate"].value = 0.6000000000000001   # as the browser may add a step
        assert calls == [], "a setting drawn ahead was drawn again"
        assert _picture(box) == b"5 0.600 a"
        assert "kept picture shown" in box.children[-1].value
        await asyncio.sleep(0.3)
        # the slider just moved first; settings already drawn are not drawn again
        assert calls == [(5, 0.7, "a"), (4, 0.6, "a"), (6, 0.6, "a")]   # 0.5: kept
        controls["name"].value = "b"   # a menu is not drawn ahead: drawn now
        assert calls[-1] == (5, 0.6, "b") and _picture(box) == b"5 0.600 b"

    as_in_a_kernel(monkeypatch, learner)


def test_a_new_move_drops_what_was_left_to_draw_ahead_and_an_error_there_stops_it_quietly(
        monkeypatch):
    calls, controls = [], _controls()
    controls["rate"].value = 0.8

    async def learner():
        wire(_recording_update(calls, fails_at=7), controls)
        controls["steps"].value = 6   # before the event loop ran: the first list is dropped
        await asyncio.sleep(0.3)
        # from (6, 0.8): steps 7 (5 is kept: it was shown), which raises: rates 0.7 and 0.9
        # are not drawn ahead
        assert calls == [(5, 0.8, "a"), (6, 0.8, "a"), (7, 0.8, "a")]

    as_in_a_kernel(monkeypatch, learner)


def test_nothing_is_drawn_ahead_outside_a_kernel_even_in_a_running_event_loop():
    calls, controls = [], _controls()

    async def script():
        wire(_recording_update(calls), controls)
        await asyncio.sleep(0.3)
        controls["steps"].value = 7
        await asyncio.sleep(0.3)

    assert wiring.kernel_loop() is None
    thread = threading.Thread(target=lambda: asyncio.run(script()))
    thread.start()
    thread.join()
    assert calls == [(5, 0.5, "a"), (7, 0.5, "a")]


def test_a_log_slider_steps_in_its_exponent_and_stays_in_its_range():
    slider = widgets.FloatLogSlider(value=1e-3, base=10, min=-4, max=-3, step=0.5)
    ahead = DrawnAhead(lambda lr: None, {"lr": slider})
    settings = ahead.neighbours({"lr": 1e-3})
    assert len(settings) == 1 and abs(settings[0]["lr"] - 10 ** -3.5) < 1e-15


def test_a_selection_slider_steps_through_its_options_and_a_menu_is_not_stepped():
    size = widgets.SelectionSlider(options=[1, 2, 4, 8], value=8)
    menu = widgets.Dropdown(options=["a", "b"], value="a")
    ahead = DrawnAhead(lambda size, name: None, {"size": size, "name": menu})
    assert ahead.neighbours({"size": 8, "name": "a"}) == [{"size": 4, "name": "a"}]


def test_a_picture_drawn_ahead_is_the_one_a_move_from_the_picture_shown_draws(monkeypatch):
    """Drawn ahead after the steps slider's neighbours (whose loss axis is longer), one step
    of the start still shows the loss axis of the picture on the screen."""
    async def move_start(wait_for_drawing_ahead):
        box = explorers.explore_learning_rate(surfaces.Rosenbrock(), SGD, lr=1e-3, steps=50)
        if wait_for_drawing_ahead:
            await asyncio.sleep(1.5)
        start_x = box.children[1].children[0]
        start_x.value = start_x.value + start_x.step
        shown = box.children[-2].children
        return shown[0].value, shown[1].value, box.children[-1].value

    ahead = as_in_a_kernel(monkeypatch, lambda: move_start(True))
    drawn = as_in_a_kernel(monkeypatch, lambda: move_start(False))
    assert "kept picture" in ahead[2] and "redrawn" in drawn[2]
    assert ahead[:2] == drawn[:2]


def test_a_value_off_its_sliders_grid_steps_onto_the_grid_as_the_browser_snaps_it():
    rate = widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=0, step=0.05)   # 10^-1.30103
    mu = widgets.FloatSlider(value=0.905, min=0.0, max=0.99, step=0.01)
    steps = widgets.IntSlider(value=7, min=1, max=200, step=5)
    ahead = DrawnAhead(lambda rate, mu, steps: None, {"rate": rate, "mu": mu, "steps": steps})
    settings = ahead.neighbours({"rate": 0.05, "mu": 0.905, "steps": 7})
    assert [round(s["rate"], 12) for s in settings[:2]] == [round(10 ** -1.35, 12),
                                                            round(10 ** -1.25, 12)]
    assert [round(s["mu"], 12) for s in settings[2:4]] == [0.9, 0.92]   # 0.915: half rounds up
    assert [s["steps"] for s in settings[4:]] == [1, 11]


def test_a_move_handled_in_another_thread_waits_for_the_picture_being_drawn_ahead(monkeypatch):
    """A kernel may handle a move on another thread (a subshell's, ipykernel 7) while the
    thread that ran the cell draws ahead: the two never draw at once (canvas.DRAWING)."""
    drawing, overlaps, errors, times = [], [], [], {}
    ahead_started = threading.Event()

    def update(steps, rate, name):
        if drawing:
            overlaps.append((drawing[0], (steps, name)))
        drawing.append((steps, name))
        if (steps, name) == (4, "a"):   # the first picture drawn ahead: slow
            ahead_started.set()
            time.sleep(0.3)
            times["ahead done"] = time.perf_counter()
        drawing.pop()
        return Layers(b"background", f"{steps} {rate} {name}".encode())

    controls = _controls()

    def move_in_a_subshell():
        async def move():
            ahead_started.wait(5)
            times["moved"] = time.perf_counter()
            controls["name"].value = "b"   # a menu: drawn now, on this thread
        try:
            asyncio.run(move())
        except BaseException as error:   # noqa: BLE001 - raised again in the test's thread
            errors.append(error)

    subshell = threading.Thread(target=move_in_a_subshell)

    async def learner():
        box = wire(update, controls)
        subshell.start()
        await asyncio.sleep(0.6)   # draws ahead, while the subshell moves
        subshell.join()
        return box

    box = as_in_a_kernel(monkeypatch, learner)
    assert errors == [] and overlaps == []
    assert times["moved"] < times["ahead done"], "the move came after: nothing was tested"
    assert _picture(box) == b"5 0.5 b"


def test_slider_values_equal_up_to_rounding_are_the_same_setting():
    """0.0 and -0.3 + 3 × 0.1 (5.6e-17) are one setting, as are 0.1 and 0.1 + 3e-17;
    neighbouring steps of the smallest learning rate are not."""
    assert wiring._same_value(0.0, -0.3 + 3 * 0.1)
    assert wiring._same_value(0.1, 0.10000000000000003)
    assert not wiring._same_value(1e-4, 10 ** -3.99)
    assert not wiring._same_value(0.0, 1e-6)
    assert not wiring._same_value(0, 1)


def test_the_steps_drawn_ahead_are_the_browsers():
    """The browser steps right of -0.1 onto 0.0 (the grid min + k·step gives 5.6e-17), and
    stops the last step of a slider at its max when max is off the grid (lesson 1's η slider,
    up to 0.3 in steps of 10^0.05)."""
    assert wiring._steps_from(widgets.FloatSlider(value=-0.1, min=-0.3, max=0.3, step=0.1)) == [
        pytest.approx(-0.2), 0.0]
    eta = widgets.FloatLogSlider(value=10 ** -0.55, base=10, min=-4, max=np.log10(0.3),
                                 step=0.05)
    assert wiring._steps_from(eta) == [pytest.approx(10 ** -0.6), pytest.approx(0.3)]
    eta.value = 0.3
    assert wiring._steps_from(eta) == [pytest.approx(10 ** -0.55)]
