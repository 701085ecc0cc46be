"""course_lib.diagnostics and course_lib.clip: statistics, history, warnings, clipping."""

import math

import numpy as np
import pytest

from course_lib import Parameter, data, nn
from course_lib import diagnostics as diag
from course_lib.clip import clip_grad_norm_, clip_grad_value_

DEPTH = 20  # Linear layers
WIDTH = 16


def digits_batch(n=128):
    split = data.load_digits(seed=0)
    return split.X_train[:n], split.y_train[:n]


def deep_network(activation, init, seed=0):
    model = nn.mlp([64] + [WIDTH] * (DEPTH - 1) + [10], activation=activation, init=init, rng=seed)
    X, y = digits_batch()
    _, grad = nn.softmax_cross_entropy(model(X), y)
    model.backward(grad)
    return model


def first_to_last_ratio(model):
    stats = diag.grad_stats(model)
    weights = [name for name, p in model.named_parameters() if p.data.ndim == 2]
    assert len(weights) == DEPTH
    return stats[weights[0]]["norm"] / stats[weights[-1]]["norm"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_with_standard_normal_init_vanishes(seed):
    model = deep_network(nn.Sigmoid, nn.init.standard_normal, seed)
    assert first_to_last_ratio(model) < 1e-3
    warnings = diag.gradient_warnings(model)
    assert warnings and warnings[0].startswith("0.weight: gradient norm")
    assert warnings[0].endswith("times the last layer's (38.weight) — vanishing")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_relu_with_he_init_keeps_its_gradients(seed):
    model = deep_network(nn.ReLU, nn.init.he_normal, seed)
    assert 0.1 < first_to_last_ratio(model) < 10
    assert diag.gradient_warnings(model) == []


def test_large_weights_in_a_deep_tanh_network_explode():
    model = deep_network(nn.Tanh, nn.init.standard_normal)
    assert first_to_last_ratio(model) > 1e3
    assert "exploding" in diag.gradient_warnings(model)[0]


def test_gradients_tiny_in_every_layer_are_flagged_against_the_weights():
    # tanh with W ~ N(0, 0.01²): every layer's ‖g‖ is about 1e-13, the last one's too, so the
    # comparison with the last layer is silent; ‖g‖/‖θ‖ < 1e-6 flags every weight matrix.
    model = nn.mlp([64] + [32] * 10 + [10], activation=nn.Tanh, rng=0,
                   init=lambda fan_in, fan_out, rng: 0.01 * rng.standard_normal((fan_in, fan_out)))
    X, y = digits_batch()
    _, grad = nn.softmax_cross_entropy(model(X), y)
    model.backward(grad)
    weights = [name for name, p in model.named_parameters() if p.data.ndim == 2]
    warnings = diag.gradient_warnings(model)
    assert [message.split(":")[0] for message in warnings] == weights   # biases are 0: skipped
    assert all("gradient too small to train it" in message and message.endswith(", below 1e-06")
               for message in warnings)
    assert not any("vanishing" in message for message in warnings)
    assert diag.gradient_warnings(model, tiny=1e-15) == []


def lesson5_network(activation, init, seed):
    """Lesson 5's network (widths 64, 32 × 10, 10) after one backward pass on its probe batch."""
    split = data.load_digits(seed=0)
    X = split.X_train[:256] - split.X_train.mean(axis=0)
    model = nn.mlp([64] + [32] * 10 + [10], activation=activation, init=init, rng=seed)
    _, grad = nn.softmax_cross_entropy(model(X), split.y_train[:256])
    model.backward(grad)
    return model


@pytest.mark.parametrize("seed", range(5))
def test_uniformly_huge_gradients_are_flagged_against_the_weights(seed):
    # Lesson 5's exploding network (ReLU, W ~ N(0, 1)): ‖g‖/‖θ‖ is 4e3 … 1e5 in every layer
    # (seeds 0–4), the last one included, so the comparison with the last layer is silent.
    model = lesson5_network(nn.ReLU, nn.init.standard_normal, seed)
    weights = [name for name, p in model.named_parameters() if p.data.ndim == 2]
    warnings = diag.gradient_warnings(model)
    huge = [message for message in warnings if "gradient too large" in message]
    assert [message.split(":")[0] for message in huge] == weights
    assert all(message.endswith("above 1e+02 (exploding)") for message in huge)
    assert not any(message.endswith("— exploding") for message in warnings)


@pytest.mark.parametrize("activation, init", [
    (nn.ReLU, nn.init.he_normal), (nn.ELU, nn.init.he_normal), (nn.Tanh, nn.init.xavier_normal),
    (nn.Tanh, nn.init.standard_normal), (nn.Sigmoid, nn.init.xavier_normal)])
@pytest.mark.parametrize("seed", range(5))
def test_networks_that_do_not_explode_have_no_huge_gradient(activation, init, seed):
    # at most ‖g‖/‖θ‖ = 3.5 (tanh, N(0, 1), whose early layers are large next to the last)
    warnings = diag.gradient_warnings(lesson5_network(activation, init, seed))
    assert not any("gradient too large" in message for message in warnings)


def test_huge_rule_uses_the_ratio_of_gradient_to_parameter_norm():
    w = Parameter(np.full((2, 2), 1e-3), name="w")          # ‖θ‖ = 2e-3
    w.grad = np.full((2, 2), 0.5)                            # ‖g‖/‖θ‖ = 500: flagged
    v = Parameter(np.full((2, 2), 10.0), name="v")           # ‖θ‖ = 20
    v.grad = np.full((2, 2), 1e3)                            # ‖g‖/‖θ‖ = 100: not above 1e2
    warnings = diag.gradient_warnings([w, v], vanishing=1e-12, exploding=1e12)
    assert warnings == ["w: gradient too large, even with η = 0.001 one step changes θ by 0.5 "
                        "times its size — ‖g‖/‖θ‖ = 5.0e+02, above 1e+02 (exploding)"]
    assert diag.gradient_warnings([w], huge=1e3) == []


def test_update_ratio_warnings_fire_a_decade_outside_the_typical_range():
    ratios = {"a": 5e-5, "b": 1e-3, "c": 5e-3, "d": 5e-2, "e": 0.2, "f": float("nan")}
    assert diag.update_ratio_warnings(ratios) == [
        "a: update-to-weight ratio 5.0e-05 is tiny (below 1e-04; typical: 1e-3 to 1e-2) — "
        "η may be too small, or the gradient vanishes",
        "e: update-to-weight ratio 2.0e-01 is large (above 1e-01; typical: 1e-3 to 1e-2) — "
        "η may be too large"]


def test_tiny_rule_uses_the_ratio_of_gradient_to_parameter_norm():
    big = Parameter(np.full((2, 2), 1e6), name="big")       # ‖θ‖ = 2e6
    small = Parameter(np.full((2, 2), 1e-6), name="small")  # ‖θ‖ = 2e-6
    big.grad = np.full((2, 2), 1e-3)                         # ‖g‖/‖θ‖ = 1e-9: flagged
    small.grad = np.full((2, 2), 1e-9)                       # ‖g‖/‖θ‖ = 1e-3: fine
    warnings = diag.gradient_warnings([small, big], vanishing=1e-12, exploding=1e12)
    assert len(warnings) == 1 and warnings[0].startswith("big: gradient too small to train it")
    assert warnings[0].endswith("even with η = 1 — ‖g‖/‖θ‖ = 1.0e-09, below 1e-06")


@pytest.mark.parametrize("kwargs", [dict(vanishing=0.0), dict(exploding=0.5), dict(tiny=0.0),
                                    dict(tiny=2.0), dict(huge=0.5)])
def test_gradient_warnings_rejects_bad_thresholds(kwargs):
    p = Parameter(np.ones((2, 2)), name="w")
    p.grad = np.ones((2, 2))
    with pytest.raises(ValueError):
        diag.gradient_warnings([p], **kwargs)


def test_non_finite_gradients_are_reported():
    p = Parameter(np.ones((2, 2)), name="w")
    p.grad = np.array([[1.0, np.nan], [0.0, 1.0]])
    assert "NaN or inf" in diag.gradient_warnings([p])[0]


def test_grad_stats_and_table(capsys):
    model = nn.mlp([3, 4, 2], rng=0)
    model(np.ones((5, 3)))
    model.backward(np.ones((5, 2)))
    model[2].bias.grad = None
    stats = diag.grad_stats(model)
    g = model[0].weight.grad
    assert stats["0.weight"] == {
        "norm": pytest.approx(np.linalg.norm(g)), "mean": pytest.approx(g.mean()),
        "std": pytest.approx(g.std()), "max_abs": pytest.approx(np.abs(g).max()),
    }
    assert "2.bias" not in stats
    diag.print_grad_stats(model)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["parameter", "shape"]
    assert [line.split()[0] for line in lines[2:]] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "3×4" in lines[2] and f"{np.linalg.norm(g):9.2e}" in lines[2]
    assert "no gradient" in lines[5]


def test_named_parameters_of_accepts_models_dicts_and_lists():
    a, b = Parameter(np.ones(2), name="a"), Parameter(np.ones(3))
    assert [n for n, _ in diag.named_parameters_of([a, b])] == ["a", "param1"]
    assert [n for n, _ in diag.named_parameters_of({"x": a})] == ["x"]
    assert [n for n, _ in diag.named_parameters_of([("y", b)])] == ["y"]
    with pytest.raises(TypeError, match="not a course_lib.Parameter"):
        diag.named_parameters_of([np.ones(2)])


def test_update_to_weight_ratio():
    p = Parameter(np.full(4, 2.0), name="w")  # ‖θ‖ = 4
    zero = Parameter(np.zeros(3), name="b")
    before = diag.snapshot([p, zero])
    p.data -= 0.001 * np.array([1.0, 1.0, 1.0, 1.0])  # ‖Δθ‖ = 0.002
    ratios = diag.update_to_weight_ratios(before, [p, zero])
    assert ratios["w"] == pytest.approx(5e-4) and np.isnan(ratios["b"])
    assert diag.update_ratio_warnings(ratios) == []
    messages = diag.update_ratio_warnings({"w": 0.5, "v": 1e-8})
    assert "w: update-to-weight ratio 5.0e-01 is large" in messages[0]
    assert "tiny" in messages[1]


def test_gradient_history_records_series_and_log_histograms():
    p = Parameter(np.ones(4), name="w")
    history = diag.GradientHistory(bin_edges=np.arange(-4.0, 1.0))  # 4 bins: 1e-4 … 1e1
    for step, scale in enumerate([1e-3, 1e-1, 10.0], start=1):
        p.grad = scale * np.array([1.0, -1.0, 0.0, 2.0])
        before = diag.snapshot([p])
        p.data -= 0.01 * p.grad
        history.record([p], step=step, before=before)
    assert history.names == ["w"] and history.steps == [1, 2, 3]
    np.testing.assert_allclose(history.series("w", "norm"), np.sqrt(6) * np.array([1e-3, 1e-1, 10]))
    np.testing.assert_allclose(history.series("w", "mean"), 0.5 * np.array([1e-3, 1e-1, 10]))
    hist = history.histograms("w")
    assert hist.shape == (3, 4) and (hist.sum(axis=1) == 4).all()
    # 0 goes into the first bin; 1e-3, 1e-3 and 2e-3 into [-3, -2)
    np.testing.assert_array_equal(hist[0], [1, 3, 0, 0])
    np.testing.assert_array_equal(hist[2], [1, 0, 0, 3])  # 10, 10, 20 past the end: last bin
    assert history.series("w", "update_ratio")[0] == pytest.approx(0.01 * np.sqrt(6) * 1e-3 / 2)
    with pytest.raises(KeyError, match="recorded: w"):
        history.series("v")
    with pytest.raises(ValueError, match="stat must be one of"):
        history.series("w", "median")


def params_with_grads(*grads):
    params = []
    for i, g in enumerate(grads):
        p = Parameter(np.zeros_like(g), name=f"p{i}")
        p.grad = np.array(g, dtype=float)
        params.append(p)
    return params


def test_clip_grad_norm_uses_the_global_norm():
    params = params_with_grads(np.array([3.0, 0.0]), np.array([[0.0], [4.0]]))  # global ‖g‖ = 5
    total = clip_grad_norm_(params, max_norm=1.0)
    assert total == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad, [3 * scale, 0.0])
    np.testing.assert_allclose(params[1].grad, [[0.0], [4 * scale]])  # same factor for every tensor


def test_clip_grad_norm_never_scales_up_and_skips_missing_gradients():
    params = params_with_grads(np.array([0.3, -0.4]))
    params.append(Parameter(np.ones(2)))  # grad None
    assert clip_grad_norm_(params, max_norm=10.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad, [0.3, -0.4])
    assert params[1].grad is None
    assert clip_grad_norm_([Parameter(np.ones(2))], 1.0) == 0.0


@pytest.mark.parametrize(
    "norm_type, expected", [(1.0, 7.0), (math.inf, 4.0), (3, (27 + 64) ** (1 / 3))]
)
def test_clip_grad_norm_other_norms(norm_type, expected):
    params = params_with_grads(np.array([3.0]), np.array([-4.0]))
    assert clip_grad_norm_(params, 0.5, norm_type=norm_type) == pytest.approx(expected)
    np.testing.assert_allclose(params[0].grad, [3.0 * 0.5 / (expected + 1e-6)])


def test_clip_grad_value_clamps_each_entry():
    params = params_with_grads(np.array([-3.0, 0.2, 5.0]))
    assert clip_grad_value_(params[0], 1.0) is None
    np.testing.assert_array_equal(params[0].grad, [-1.0, 0.2, 1.0])


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda p: clip_grad_norm_(p, 0.0), ValueError),
        (lambda p: clip_grad_norm_(p, 1.0, norm_type=-1), ValueError),
        (lambda p: clip_grad_value_(p, -1.0), ValueError),
        (lambda p: clip_grad_norm_([np.ones(2)], 1.0), TypeError),
    ],
)
def test_clipping_rejects_bad_arguments(call, error):
    with pytest.raises(error):
        call(params_with_grads(np.ones(2)))
