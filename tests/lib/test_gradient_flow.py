"""Gradient flow through depth: per-layer norms from a backward pass, and their figures."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import nn, optim
from course_lib.gradient_flow import (
    layer_norm_history,
    plot_gradient_ridges,
    plot_layer_norms,
    weight_gradient_norms,
    weight_names,
)
from course_lib.train import fit

RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=(40, 6)), RNG.integers(0, 3, size=40)


def test_norms_match_the_gradients_left_in_the_model():
    model = nn.mlp([6, 5, 5, 3], nn.Tanh, rng=0)
    norms = weight_gradient_norms(model, X, Y)
    assert weight_names(model) == ["0.weight", "2.weight", "4.weight"]
    expected = [np.linalg.norm(model[i].weight.grad) for i in (0, 2, 4)]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def test_a_deep_sigmoid_stack_vanishes_and_relu_with_he_does_not():
    sigmoid = weight_gradient_norms(nn.mlp([6] + [16] * 8 + [3], nn.Sigmoid,
                                           nn.init.xavier_normal, rng=0), X, Y)
    relu = weight_gradient_norms(nn.mlp([6] + [16] * 8 + [3], nn.ReLU, nn.init.he_normal, rng=0),
                                 X, Y)
    assert sigmoid[0] / sigmoid[-1] < 1e-3      # σ′ ≤ 1/4 per layer
    assert 0.05 < relu[0] / relu[-1] < 20


def test_history_and_figures_from_a_short_run():
    model = nn.mlp([6, 5, 5, 3], nn.Tanh, rng=0)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    log = fit(model, nn.softmax_cross_entropy, sgd, [(X, Y)], epochs=4, verbose=False)
    norms = layer_norm_history(log.history, weight_names(model))
    assert norms.shape == (4, 3) and np.all(norms > 0)
    fig, (a, b) = plt.subplots(1, 2)
    line = plot_layer_norms(a, norms[0], label="run")
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    assert a.get_yscale() == "log" and a.get_xlabel() and a.get_ylabel()
    plot_gradient_ridges(b, log.history, "0.weight", rows=3)
    assert len(b.collections) == 3 and b.get_xlabel()
    plt.close(fig)


def test_plot_layer_norms_refuses_an_empty_profile():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="1-D"):
        plot_layer_norms(ax, [])
    plt.close(fig)


def test_explorer_offers_the_four_controls_and_builds_what_they_say():
    pytest.importorskip("ipywidgets")
    from course_lib.explorers import explore_gradient_flow

    built = []

    def build(depth, activation, init, normalisation):
        built.append((depth, activation, init, normalisation))
        return nn.mlp([6] + [5] * depth + [3], getattr(nn, activation), getattr(nn.init, init),
                      rng=0, batch_norm=normalisation == "batch norm")

    box = explore_gradient_flow(X, Y, build, depth=3)
    rows = box.children[:2]
    descriptions = [control.description for row in rows for control in row.children]
    assert descriptions == ["depth L", "activation", "init", "normalisation"]
    # labels as wide as their text: "normalisation" is not cut to "normalisa…"
    assert all(control.style.description_width == "initial"
               for row in rows for control in row.children)
    assert built[-1] == (3, "Sigmoid", "xavier_normal", "none")
    rows[1].children[1].value = "batch norm"
    assert built[-1] == (3, "Sigmoid", "xavier_normal", "batch norm")
    plt.close("all")


def test_explorer_axis_widens_in_coarse_steps_so_its_background_rarely_changes():
    from course_lib.explorers.gradient_flow import DEFAULT_RANGE, widened

    assert widened(DEFAULT_RANGE, 1e-6, 1.0) == DEFAULT_RANGE
    assert widened(DEFAULT_RANGE, 7e-14, 1.0) == (1e-14, 1e4)
    assert widened(DEFAULT_RANGE, 1e-3, 2e13) == (1e-10, 1e16)
