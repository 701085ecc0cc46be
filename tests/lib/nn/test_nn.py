"""course_lib.nn: shapes, names, modes, batch-norm statistics, losses, initialisers, errors."""

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib import Parameter, nn

# Sigmoid and ELU from −700 to 700: exact values (mpmath, 60 digits, rounded once to
# float64) and torch's float64 values, recorded by tools/make_torch_fixtures.py.
ACTIVATIONS = np.load(Path(__file__).resolve().parents[2] / "fixtures" / "exact_activations.npz",
                      allow_pickle=False)
ELU_ALPHAS = json.loads(str(ACTIVATIONS["meta"]))["elu_alphas"]


def batch(n=8, d=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def test_linear_computes_xw_plus_b_and_its_gradients():
    layer = nn.Linear(3, 2, rng=0)
    x = batch(5, 3)
    y = layer(x)
    np.testing.assert_allclose(y, x @ layer.weight.data + layer.bias.data)
    delta = batch(5, 2, seed=1)
    dx = layer.backward(delta)
    np.testing.assert_allclose(layer.weight.grad, x.T @ delta)
    np.testing.assert_allclose(layer.bias.grad, delta.sum(axis=0))
    np.testing.assert_allclose(dx, delta @ layer.weight.data.T)
    assert layer.weight.data.dtype == np.float64


def test_gradients_accumulate_until_zero_grad():
    layer = nn.Linear(3, 2, rng=0)
    x, delta = batch(5, 3), batch(5, 2, seed=1)
    layer(x)
    layer.backward(delta)
    first = layer.weight.grad.copy()
    layer.backward(delta)
    np.testing.assert_allclose(layer.weight.grad, 2 * first)
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_named_parameters_follow_positions_like_torch():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(isinstance(p, Parameter) for p in model.parameters())
    assert [p.name for p in model.parameters()] == names  # messages can name them
    deep = nn.mlp([4, 8, 8, 3], rng=0, residual=True)
    assert [n for n, _ in deep.named_parameters()] == [
        "0.weight", "0.bias", "2.block.0.weight", "2.block.0.bias", "3.weight", "3.bias",
    ]


def test_mlp_with_batch_norm_drops_the_cancelled_bias():
    model = nn.mlp([4, 6, 3], rng=0, batch_norm=True)
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight", "1.weight", "1.bias", "3.weight", "3.bias",
    ]


def test_train_and_eval_switch_every_submodule():
    model = nn.mlp([4, 6, 6, 3], rng=0, batch_norm=True, residual=True)
    model.eval()
    assert not any(m.training for m in [model, model[1], model[3].block[1]])
    assert model.train() is model and model[3].block[1].training


def test_init_variances_match_their_formulas():
    rng = np.random.default_rng(0)
    n_in, n_out = 400, 600
    assert nn.init.standard_normal(n_in, n_out, rng).var() == pytest.approx(1.0, rel=0.02)
    for init in (nn.init.xavier_uniform, nn.init.xavier_normal):
        assert init(n_in, n_out, rng).var() == pytest.approx(2 / (n_in + n_out), rel=0.02)
    for init in (nn.init.he_normal, nn.init.he_uniform):
        assert init(n_in, n_out, rng).var() == pytest.approx(2 / n_in, rel=0.02)
    bound = np.sqrt(6 / (n_in + n_out))
    assert np.abs(nn.init.xavier_uniform(n_in, n_out, rng)).max() <= bound
    np.testing.assert_array_equal(
        nn.init.he_normal(3, 2, np.random.default_rng(5)), nn.init.he_normal(3, 2, 5)
    )


def test_activations_values():
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    np.testing.assert_allclose(nn.Sigmoid()(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Tanh()(x), np.tanh(x))
    np.testing.assert_allclose(nn.ReLU()(x), [[0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x), [[-0.2, -0.05, 0.5, 3.0]])
    np.testing.assert_allclose(nn.ELU(2.0)(x), [[2 * np.expm1(-2), 2 * np.expm1(-0.5), 0.5, 3.0]])
    big = np.array([[-800.0, 800.0]])
    with np.errstate(all="raise"):
        np.testing.assert_allclose(nn.Sigmoid()(big), [[0.0, 1.0]])
        np.testing.assert_allclose(nn.ELU()(big), [[-1.0, 800.0]])


def value_and_derivative(layer, x):
    y = layer(x[None, :])
    return y[0], layer.backward(np.ones_like(y))[0]


def relative_difference(ours, reference):
    return np.abs(ours - reference) / np.abs(reference)


@pytest.mark.parametrize("name, layer", [("sigmoid", nn.Sigmoid())]
                         + [(f"elu_{alpha}", nn.ELU(alpha)) for alpha in ELU_ALPHAS])
def test_sigmoid_and_elu_are_exact_from_minus_700_to_700(name, layer):
    x = ACTIVATIONS["x"]
    assert x.min() == -700 and x.max() == 700 and len(x) > 2800
    value, derivative = value_and_derivative(layer, x)
    exact_value, exact_derivative = ACTIVATIONS[f"exact/{name}"], ACTIVATIONS[f"exact/{name}_grad"]
    nonzero = exact_value != 0                           # ELU(0) = 0 exactly
    assert np.all(value[~nonzero] == 0)
    assert relative_difference(value[nonzero], exact_value[nonzero]).max() < 1e-12
    assert relative_difference(derivative, exact_derivative).max() < 1e-12
    # the tiny values a vanishing-gradient lesson measures are there, not rounded to 0
    assert np.all(derivative > 0) and np.all(value[x < 0] != 0)


@pytest.mark.parametrize("name, layer", [("sigmoid", nn.Sigmoid())]
                         + [(f"elu_{alpha}", nn.ELU(alpha)) for alpha in ELU_ALPHAS])
def test_sigmoid_and_elu_agree_with_torch_where_torch_is_exact(name, layer):
    x = ACTIVATIONS["x"]
    value, derivative = value_and_derivative(layer, x)
    for ours, key in ((value, name), (derivative, f"{name}_grad")):
        nonzero = ACTIVATIONS[f"exact/{key}"] != 0
        ours, theirs = ours[nonzero], ACTIVATIONS[f"torch/{key}"][nonzero]
        torch_exact = relative_difference(theirs, ACTIVATIONS[f"exact/{key}"][nonzero]) < 1e-12
        assert relative_difference(ours[torch_exact], theirs[torch_exact]).max() < 1e-12
        if key != "sigmoid_grad":
            assert torch_exact.all()                                  # torch is exact there
    # torch's σ′ is σ(1 − σ), which cancels for large x: 0 from x = 37 on, where ours is e^{−x}
    torch_sigmoid_grad = ACTIVATIONS["torch/sigmoid_grad"]
    assert np.all(torch_sigmoid_grad[x >= 37] == 0) and np.all(torch_sigmoid_grad[x < 0] > 0)


def test_batchnorm_training_normalises_and_updates_running_statistics_like_torch():
    bn = nn.BatchNorm1d(4)
    x = 3.0 * batch(10, 4) + 2.0
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1))


def test_batchnorm_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(4)
    for seed in range(5):
        bn(batch(10, 4, seed))
    bn.eval()
    x = batch(3, 4, seed=9)
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5)
    np.testing.assert_allclose(bn(x), expected)
    single = bn(x[:1])  # evaluation mode works on one sample
    assert single.shape == (1, 4)


def test_residual_adds_its_input():
    block = nn.Sequential(nn.Linear(4, 4, rng=0), nn.Tanh())
    res = nn.Residual(block)
    x = batch(5, 4)
    np.testing.assert_allclose(res(x), x + block(x))


def test_mse_loss_is_numpy_mean_of_squares_with_gradient_2_over_n():
    rng = np.random.default_rng(0)
    y_pred, y = rng.standard_normal((7, 2)), rng.standard_normal((7, 2))
    value, grad = nn.mse_loss(y_pred, y)
    assert value == np.mean((y_pred - y) ** 2)
    np.testing.assert_allclose(grad, 2 * (y_pred - y) / 14)


def test_softmax_cross_entropy_is_stable_and_correct():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    labels = np.array([0, 2])
    value, grad = nn.softmax_cross_entropy(logits, labels)
    assert value == pytest.approx(np.log(3) / 2)
    np.testing.assert_allclose(grad, [[0, 0, 0], [1 / 6, 1 / 6, -1 / 3]], atol=1e-15)
    rng = np.random.default_rng(1)
    z, c = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert nn.softmax_cross_entropy(z, c)[0] == pytest.approx(-np.log(p[np.arange(5), c]).mean())


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nn.Linear(3, 2, rng=0)(np.ones((4, 5))), "shape \\(batch_size, 3\\)"),
        (lambda: nn.Linear(3, 2, rng=0)(np.ones(3)), "shape \\(batch_size, 3\\)"),
        (lambda: nn.BatchNorm1d(3)(np.ones((1, 3))), "at least 2"),
        (lambda: nn.BatchNorm1d(3, momentum=2.0), "momentum"),
        (lambda: nn.Residual(nn.Linear(3, 2, rng=0))(np.ones((4, 3))), "keeps the shape"),
        (lambda: nn.mse_loss(np.ones((3, 1)), np.ones(3)), "same shape"),
        (lambda: nn.softmax_cross_entropy(np.ones((3, 4)), np.array([0.0, 1.0, 2.0])), "integers"),
        (lambda: nn.softmax_cross_entropy(np.ones((3, 4)), np.array([0, 1, 4])), "0..3"),
        (lambda: nn.init.he_normal(0, 3), "fan_in"),
        (lambda: nn.Linear(0, 3), "in_features must be a positive integer"),
        (lambda: nn.Linear(2, 3, init=lambda n_in, n_out, rng: np.ones((n_out, n_in))),
         "init returned"),
        (lambda: nn.BatchNorm1d(2.5), "num_features"),
        (lambda: nn.mlp([4]), "at least"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types_and_order_raise_clear_errors():
    with pytest.raises(TypeError, match="Generator"):
        nn.Linear(2, 2, rng="seed")
    with pytest.raises(TypeError, match="Sequential takes"):
        nn.Sequential(nn.ReLU(), np.tanh)
    with pytest.raises(RuntimeError, match="before forward"):
        nn.Tanh().backward(np.ones((2, 2)))
    layer = nn.Linear(3, 2, rng=0)
    layer(np.ones((4, 3)))
    with pytest.raises(ValueError, match="gradient of the output's shape"):
        layer.backward(np.ones((4, 3)))


def test_repr_shows_the_architecture():
    text = repr(nn.mlp([4, 6, 3], rng=0))
    assert "Linear(4 → 6)" in text and "ReLU()" in text and "(2): Linear(6 → 3)" in text
