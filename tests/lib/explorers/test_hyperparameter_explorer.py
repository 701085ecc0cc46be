"""The hyperparameter explorer of lessons 3 and 4 (course_lib.explorers.hyperparameters)."""

import numpy as np
import pytest

from course_lib import surfaces
from course_lib.explorers.hyperparameters import HyperparameterExplorer, explore_hyperparameters
from course_lib.optim import SGD, Adam
from course_lib.runners import run_optimizer

RAVINE = surfaces.Ravine(100)
ARENAS = {
    "ravine": dict(surface=RAVINE, start=(-5.0, 1.0), xlim=(-6, 6), ylim=(-1.5, 1.5), steps=50,
                   defaults={"η": 0.019}),
    "Rosenbrock": dict(surface=surfaces.Rosenbrock(), start=(-1.2, 1.0), steps=80,
                       defaults={"η": 1e-3}),
}
ADAM = {"Adam": (Adam, {}, {"lr": "η", "betas": ("β₁", "β₂")})}
OPTIMIZERS = {
    "GD": (SGD, {}, {"lr": "η"}),
    "Nesterov": (SGD, {"nesterov": True}, {"lr": "η", "momentum": "μ"}),
}


def test_runs_follow_the_control_values():
    explorer = HyperparameterExplorer(ARENAS, OPTIMIZERS)
    layers = explorer.update("ravine", 30, {"η": 0.01, "μ": 0.8})
    assert all(layer[:8] == b"\x89PNG\r\n\x1a\n" for layer in layers)
    assert explorer.hyperparameters("Nesterov", {"η": 0.01, "μ": 0.8}) == dict(
        nesterov=True, lr=0.01, momentum=0.8)
    inner = explorer.explorers["ravine"]
    expected = run_optimizer(RAVINE.gradient, (-5.0, 1.0), SGD, 30, lr=0.01, momentum=0.8,
                             nesterov=True)
    np.testing.assert_array_equal(inner.paths((-5.0, 1.0), 30)[1], expected)
    assert "μ = 0.8" in inner.view.ax_path.get_title()


def test_widget_applies_the_defaults_of_each_surface():
    import ipywidgets as widgets

    controls = {"η": widgets.FloatLogSlider(value=0.1, base=10, min=-4, max=0),
                "μ": widgets.FloatSlider(value=0.9, min=0, max=0.99)}
    box = explore_hyperparameters(ARENAS, OPTIMIZERS, controls)
    chooser = box.children[0].children[0]
    image = next(child for child in box.children if isinstance(child, widgets.GridBox)).children[1]
    first = image.value
    assert controls["η"].value == pytest.approx(0.019)
    chooser.value = "Rosenbrock"
    assert controls["η"].value == pytest.approx(1e-3) and image.value != first
    before = image.value
    controls["μ"].value = 0.5
    assert image.value != before


@pytest.mark.parametrize(
    "arenas, optimizers, message",
    [
        ({}, OPTIMIZERS, "at least one"),
        ({"x": dict(surface=RAVINE)}, OPTIMIZERS, "start"),
        (ARENAS, {"GD": (SGD, {"lr": 0.1})}, "class, fixed dict, linked dict"),
    ],
)
def test_bad_settings_are_explained(arenas, optimizers, message):
    with pytest.raises((ValueError, TypeError), match=message):
        HyperparameterExplorer(arenas, optimizers)


def test_a_tuple_hyperparameter_is_built_from_several_controls():
    explorer = HyperparameterExplorer(ARENAS, ADAM)
    assert explorer.controls == ["β₁", "β₂", "η"]
    values = {"η": 0.05, "β₁": 0.5, "β₂": 0.9}
    assert explorer.hyperparameters("Adam", values) == {"lr": 0.05, "betas": (0.5, 0.9)}
    explorer.update("ravine", 20, values)
    expected = run_optimizer(RAVINE.gradient, (-5.0, 1.0), Adam, 20, lr=0.05, betas=(0.5, 0.9))
    np.testing.assert_array_equal(explorer.explorers["ravine"].paths((-5.0, 1.0), 20)[0], expected)


def test_missing_control_values_are_named():
    explorer = HyperparameterExplorer(ARENAS, ADAM)
    with pytest.raises(ValueError, match="β₂"):
        explorer.update("ravine", 10, {"η": 0.01, "β₁": 0.9})
    with pytest.raises(ValueError, match="unknown arena"):
        explorer.update("moon", 10, {"η": 0.01, "β₁": 0.9, "β₂": 0.999})


def test_choosing_a_surface_draws_once(monkeypatch):
    import ipywidgets as widgets

    controls = {"η": widgets.FloatLogSlider(value=0.1, base=10, min=-4, max=0),
                "μ": widgets.FloatSlider(value=0.9, min=0, max=0.99)}
    box = explore_hyperparameters(ARENAS, OPTIMIZERS, controls)
    calls = []
    original = HyperparameterExplorer.update
    monkeypatch.setattr(HyperparameterExplorer, "update",
                        lambda self, *args: calls.append(args) or original(self, *args))
    box.children[0].children[0].value = "Rosenbrock"      # changes η and the steps too
    assert [arena for arena, _, _ in calls] == ["Rosenbrock"]
    assert calls[0][1] == 80 and calls[0][2]["η"] == pytest.approx(1e-3)
