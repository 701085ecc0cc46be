"""Every layer, activation, loss and batch-norm mode passes the central-difference check."""

import numpy as np
import pytest

from course_lib import nn
from course_lib.gradcheck import check_loss, check_module, numerical_gradient, relative_error

TOLERANCE = 1e-7


def batch(n=6, d=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


MODULES = {
    "Linear": lambda: nn.Linear(4, 3, rng=1),
    "Linear without bias": lambda: nn.Linear(4, 3, rng=1, bias=False),
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
    "ReLU": nn.ReLU,
    "LeakyReLU": lambda: nn.LeakyReLU(0.1),
    "ELU": nn.ELU,
    "BatchNorm1d training": lambda: nn.BatchNorm1d(4),
    "BatchNorm1d evaluation": lambda: _trained_batchnorm().eval(),
    "Residual": lambda: nn.Residual(nn.Sequential(nn.Linear(4, 4, rng=2), nn.Tanh())),
    "Sequential": lambda: nn.mlp([4, 5, 3], activation=nn.Sigmoid, rng=3),
    "deep MLP with batch norm and residual blocks": lambda: nn.mlp(
        [4, 5, 5, 5, 3], activation=nn.ELU, rng=4, batch_norm=True, residual=True
    ),
}


def _trained_batchnorm():
    bn = nn.BatchNorm1d(4)
    bn.weight.data[:] = [0.5, 1.5, -1.0, 2.0]
    bn.bias.data[:] = [0.1, -0.2, 0.3, 0.0]
    for seed in range(3):
        bn(2.0 * batch(8, 4, seed=10 + seed) + 1.0)
    return bn


@pytest.mark.parametrize("name", MODULES)
def test_module_gradients_match_central_differences(name):
    module = MODULES[name]()
    errors = check_module(module, batch())
    assert set(errors) == {"input"} | {n for n, _ in module.named_parameters()}
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize(
    "loss_fn, target",
    [
        (nn.mse_loss, batch(6, 4, seed=7)),
        (nn.softmax_cross_entropy, np.array([0, 3, 1, 1, 2, 0])),
    ],
)
def test_loss_gradients_match_central_differences(loss_fn, target):
    assert check_loss(loss_fn, 3.0 * batch(), target) < TOLERANCE


def test_numerical_gradient_of_a_known_function_and_theta_is_restored():
    theta = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = theta.copy()
    grad = numerical_gradient(lambda t: np.sum(t**3), theta)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-9)
    np.testing.assert_array_equal(theta, before)


def test_the_check_catches_a_wrong_backward():
    class WrongTanh(nn.Tanh):
        def backward(self, grad_output):
            return grad_output * (1.0 - self.y)  # forgot the square

    assert check_module(WrongTanh(), batch())["input"] > 0.1


def test_relative_error_scale():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, a * (1 + 1e-8)) == pytest.approx(0.5e-8)
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(a, a[:2])


def test_numerical_gradient_rejects_bad_input():
    with pytest.raises(TypeError, match="floating-point NumPy array"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        numerical_gradient(np.sum, np.ones(2), h=0.0)
