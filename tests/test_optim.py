"""course_lib.optim: construction, checks, step semantics, saving and resuming."""

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.optim import SGD, Adam, AdamW


def make_params(dtype=np.float64):
    rng = np.random.default_rng(0)
    return [Parameter(rng.standard_normal((3, 4)).astype(dtype), name="W"),
            Parameter(rng.standard_normal(5).astype(dtype), name="b")]


def gradients(seed, params):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(p.shape).astype(p.data.dtype) for p in params]


def test_sgd_is_plain_gradient_descent():
    theta = Parameter([3.0, -1.0])
    theta.grad = np.array([0.5, 2.0])
    SGD([theta], lr=0.1).step()
    np.testing.assert_array_equal(theta.data, [3.0 - 0.05, -1.0 - 0.2])


def test_adam_first_step_is_eta_times_sign():
    # m̂_1 = g_1, v̂_1 = g_1², so the first step is η g/(|g| + ε) ≈ η sign(g)
    theta = Parameter([1.0, 1.0])
    theta.grad = np.array([4.0, -0.01])
    Adam([theta], lr=0.1).step()
    np.testing.assert_allclose(theta.data, [0.9, 1.1], rtol=1e-6)


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: Adam(p, lr=0.1, amsgrad=True)])
def test_parameters_without_gradient_are_skipped(make):
    used, unused = Parameter([1.0, 2.0]), Parameter([5.0])
    optimizer = make([used, unused])
    used.grad = np.array([1.0, 1.0])
    optimizer.step()
    assert unused.data[0] == 5.0 and unused not in optimizer.state
    assert used in optimizer.state


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW])
def test_float32_parameters_stay_float32(cls):
    params = make_params(np.float32)
    optimizer = cls(params, lr=0.01)
    for p, g in zip(params, gradients(1, params)):
        p.grad = g.astype(np.float64)          # even with a float64 gradient
    optimizer.step()
    optimizer.step()
    assert all(p.data.dtype == np.float32 for p in params)
    assert all(a.dtype == np.float32 for s in optimizer.state.values()
               for a in s.values() if isinstance(a, np.ndarray))


def test_zero_grad_sets_gradients_to_none():
    params = make_params()
    for p, g in zip(params, gradients(1, params)):
        p.grad = g
    optimizer = SGD(params)
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_param_groups_override_defaults():
    W, b = make_params()
    optimizer = SGD([{"params": [W], "lr": 0.5}, {"params": [b]}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.1]
    assert optimizer.param_groups[0]["momentum"] == 0.9


@pytest.mark.parametrize("make", [
    lambda p: SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda p: Adam(p, lr=0.05, amsgrad=True),
    lambda p: AdamW([{"params": p[:1]}, {"params": p[1:], "lr": 0.1}], lr=0.05),
])
def test_state_dict_resumes_identically(make):
    def train(params, optimizer, steps):
        for t in steps:
            for p, g in zip(params, gradients(t, params)):
                p.grad = g
            optimizer.step()

    straight = make_params()
    train(straight, make(straight), range(10))

    first = make_params()
    optimizer = make(first)
    train(first, optimizer, range(5))
    saved, theta_saved = optimizer.state_dict(), [p.data.copy() for p in first]
    train(first, optimizer, range(5, 7))          # changes after saving must not leak into it
    resumed = [Parameter(theta) for theta in theta_saved]
    optimizer = make(resumed)
    optimizer.load_state_dict(saved)
    train(resumed, optimizer, range(5, 10))
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.data, b.data)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, message", [
    (lambda p: SGD(p, lr=-0.1), "Invalid learning rate lr=-0.1: must be >= 0"),
    (lambda p: SGD(p, momentum=-0.5), "Invalid momentum momentum=-0.5: must be >= 0"),
    (lambda p: SGD(p, dampening=1.5), "Invalid dampening dampening=1.5: must be in [0, 1]"),
    (lambda p: SGD(p, weight_decay=-1e-4),
     "Invalid weight decay weight_decay=-0.0001: must be >= 0"),
    (lambda p: SGD(p, nesterov=True),
     "Invalid nesterov=True with momentum=0, dampening=0: Nesterov momentum needs "
     "momentum > 0 and dampening = 0"),
    (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "Invalid nesterov=True with momentum=0.9, dampening=0.1"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), "Invalid beta1 betas[0]=1.0: must be in [0, 1)"),
    (lambda p: Adam(p, betas=(0.9, -0.1)), "Invalid beta2 betas[1]=-0.1: must be in [0, 1)"),
    (lambda p: Adam(p, betas=0.9), "Invalid betas=0.9: must be a pair (beta1, beta2)"),
    (lambda p: Adam(p, eps=0.0), "Invalid epsilon eps=0.0: must be > 0"),
    (lambda p: AdamW(p, lr=float("nan")), "Invalid learning rate lr=nan: must be >= 0"),
    (lambda p: SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (lambda p: SGD([{"params": p, "learning_rate": 0.1}]),
     "unknown hyperparameter 'learning_rate' in a parameter group of SGD; allowed: lr,"),
    (lambda p: SGD([{"params": p[:1]}, {"params": p}]),
     "some parameters appear more than once"),
    (lambda p: SGD([{"lr": 0.1}]), "a parameter group needs a 'params' entry"),
])
def test_bad_hyperparameters_raise_value_error(make, message):
    with pytest.raises(ValueError) as error:
        make(make_params())
    assert message in str(error.value)


@pytest.mark.parametrize("make, message", [
    (lambda p: SGD(p[0], lr=0.1), "got a single Parameter; wrap it in a list: [params]"),
    (lambda p: SGD([p[0].data]), "params[0] is a ndarray; the optimizer needs course_lib.Parameter"),
    (lambda p: SGD(p, lr="0.1"), "Invalid learning rate lr='0.1': must be a real number"),
])
def test_wrong_types_raise_type_error(make, message):
    with pytest.raises(TypeError) as error:
        make(make_params())
    assert message in str(error.value)


def test_gradient_of_wrong_shape_is_reported_at_step():
    W, b = make_params()
    optimizer = Adam([W, b])
    W.grad, b.grad = np.ones((4, 3)), np.ones(5)
    with pytest.raises(ValueError, match=r"Gradient of parameter 'W' has shape \(4, 3\), "
                                         r"but the parameter has shape \(3, 4\)"):
        optimizer.step()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient_raises_before_anything_changes(bad):
    W, b = make_params()
    optimizer = SGD([W, b], lr=0.1, momentum=0.9)
    W.grad, b.grad = np.ones((3, 4)), np.ones(5)
    optimizer.step()
    before = ([W.data.copy(), b.data.copy()],
              [s["momentum_buffer"].copy() for s in optimizer.state.values()])
    W.grad = np.ones((3, 4))
    b.grad = np.ones(5)
    b.grad[2] = bad                                # the second parameter is the bad one
    with pytest.raises(FloatingPointError, match=r"Gradient of parameter 'b' contains NaN "
                                                 r"or inf \(1 of 5 entries\); nothing was updated"):
        optimizer.step()
    np.testing.assert_array_equal(W.data, before[0][0])   # W was not updated either
    np.testing.assert_array_equal(b.data, before[0][1])
    for s, old in zip(optimizer.state.values(), before[1]):
        np.testing.assert_array_equal(s["momentum_buffer"], old)


def test_large_finite_gradients_are_not_mistaken_for_inf():
    theta = Parameter(np.zeros(4, dtype=np.float32))
    theta.grad = np.full(4, 3e38, dtype=np.float32)    # the float32 sum overflows
    SGD([theta], lr=1e-38).step()
    np.testing.assert_allclose(theta.data, -3.0)
