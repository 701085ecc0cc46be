"""course_lib.optim: construction, checks, step semantics, saving and resuming."""

import numpy as np
import pytest

from course_lib import Parameter
from course_lib.optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop

ALL = [SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam]


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


@pytest.mark.parametrize("cls", ALL)
def test_parameters_without_gradient_are_skipped(cls):
    used, unused = Parameter([1.0, 2.0]), Parameter([5.0])
    optimizer = cls([used, unused], weight_decay=0.1)
    used.grad = np.array([1.0, 1.0])
    optimizer.step()
    assert unused.data[0] == 5.0 and unused not in optimizer.state
    assert used in optimizer.state


@pytest.mark.parametrize("cls", ALL)
def test_float32_parameters_stay_float32(cls):
    params = make_params(np.float32)
    optimizer = cls(params, lr=0.01, weight_decay=0.1)
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
    (lambda p: SGD(p, momentum=-0.5), "Invalid momentum=-0.5: must be >= 0"),
    (lambda p: SGD(p, dampening=1.5), "Invalid dampening=1.5: must be in [0, 1]"),
    (lambda p: SGD(p, weight_decay=-1e-4),
     "Invalid weight decay weight_decay=-0.0001: must be >= 0"),
    (lambda p: SGD(p, nesterov=True),
     ("Invalid nesterov=True with momentum=0, dampening=0: Nesterov momentum needs "
      "momentum > 0 and dampening = 0")),
    (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "Invalid nesterov=True with momentum=0.9, dampening=0.1"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), "Invalid beta1 betas[0]=1.0: must be in [0, 1)"),
    (lambda p: Adam(p, betas=(0.9, -0.1)), "Invalid beta2 betas[1]=-0.1: must be in [0, 1)"),
    (lambda p: Adam(p, betas=0.9), "Invalid betas=0.9: must be a pair (beta1, beta2)"),
    (lambda p: Adam(p, eps=0.0), "Invalid epsilon eps=0.0: must be > 0"),
    (lambda p: AdamW(p, lr=float("nan")), "Invalid learning rate lr=nan: must be >= 0"),
    (lambda p: Adagrad(p, lr_decay=-0.1),
     "Invalid learning-rate decay lr_decay=-0.1: must be >= 0"),
    (lambda p: Adagrad(p, initial_accumulator_value=-1),
     "Invalid initial accumulator value initial_accumulator_value=-1: must be >= 0"),
    (lambda p: Adagrad(p, eps=-1e-10), "Invalid epsilon eps=-1e-10: must be > 0"),
    (lambda p: RMSprop(p, alpha=1.5), "Invalid smoothing constant alpha=1.5: must be in [0, 1]"),
    (lambda p: RMSprop(p, momentum=-0.9), "Invalid momentum=-0.9: must be >= 0"),
    (lambda p: RMSprop(p, weight_decay=-1), "Invalid weight decay weight_decay=-1: must be >= 0"),
    (lambda p: Adadelta(p, rho=1.1), "Invalid decay rho=1.1: must be in [0, 1]"),
    (lambda p: Adadelta(p, lr=-1.0), "Invalid learning rate lr=-1.0: must be >= 0"),
    (lambda p: Adamax(p, betas=(0.9, 1.0)), "Invalid beta2 betas[1]=1.0: must be in [0, 1)"),
    (lambda p: NAdam(p, momentum_decay=-4e-3),
     "Invalid momentum decay momentum_decay=-0.004: must be >= 0"),
    (lambda p: NAdam(p, eps=0), "Invalid epsilon eps=0: must be > 0"),
    (lambda p: RAdam(p, betas=(0.9, 1.0)), "Invalid beta2 betas[1]=1.0: must be in [0, 1)"),
    (lambda p: RAdam(p, betas=(-0.1, 0.999)), "Invalid beta1 betas[0]=-0.1: must be in [0, 1)"),
    (lambda p: RAdam(p, eps=-1e-8), "Invalid epsilon eps=-1e-08: must be > 0"),
    (lambda p: RAdam(p, lr=-1e-3), "Invalid learning rate lr=-0.001: must be >= 0"),
    (lambda p: RAdam(p, weight_decay=-0.1, decoupled_weight_decay=True),
     "Invalid weight decay weight_decay=-0.1: must be >= 0"),
    (lambda p: Adam([{"params": p[:1], "lr": -0.5}, {"params": p[1:]}]),
     "Invalid learning rate lr=-0.5: must be >= 0"),
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
    (lambda p: SGD([p[0].data]),
     "params[0] is a ndarray; the optimizer needs course_lib.Parameter"),
    (lambda p: SGD(p, lr="0.1"), "Invalid learning rate lr='0.1': must be a real number"),
])
def test_wrong_types_raise_type_error(make, message):
    with pytest.raises(TypeError) as error:
        make(make_params())
    assert message in str(error.value)


def test_gradient_that_is_not_numbers_is_reported_at_step():
    theta = Parameter([1.0, 2.0], name="w")
    theta.grad = np.array(["a", "b"])
    with pytest.raises(TypeError, match="Gradient of parameter 'w' must be an array of real "
                                        "numbers, got dtype <U1"):
        SGD([theta]).step()


@pytest.mark.parametrize("cls", ALL)
def test_gradient_of_wrong_shape_is_reported_at_step(cls):
    W, b = make_params()
    optimizer = cls([W, b])
    W.grad, b.grad = np.ones((4, 3)), np.ones(5)
    with pytest.raises(ValueError, match=r"Gradient of parameter 'W' has shape \(4, 3\), "
                                         r"but the parameter has shape \(3, 4\)"):
        optimizer.step()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("cls", ALL)
def test_non_finite_gradient_raises_before_anything_changes(cls, bad):
    W, b = make_params()
    optimizer = cls([W, b])
    W.grad, b.grad = np.ones((3, 4)), np.ones(5)
    optimizer.step()
    before = optimizer.state_dict(), W.data.copy(), b.data.copy()
    W.grad = np.ones((3, 4))
    b.grad = np.ones(5)
    b.grad[2] = bad                                # the second parameter is the bad one
    with pytest.raises(FloatingPointError, match=r"Gradient of parameter 'b' contains NaN "
                                                 r"or inf \(1 of 5 entries\); nothing was updated"):
        optimizer.step()
    np.testing.assert_array_equal(W.data, before[1])     # W was not updated either
    np.testing.assert_array_equal(b.data, before[2])
    for saved, now in zip(before[0]["state"].values(), optimizer.state_dict()["state"].values()):
        assert saved.keys() == now.keys()
        for key in saved:
            np.testing.assert_array_equal(saved[key], now[key])


def test_large_finite_gradients_are_not_mistaken_for_inf():
    theta = Parameter(np.zeros(4, dtype=np.float32))
    theta.grad = np.full(4, 3e38, dtype=np.float32)    # the float32 sum overflows
    SGD([theta], lr=1e-38).step()
    np.testing.assert_allclose(theta.data, -3.0)


def test_unnamed_parameters_are_reported_by_position():
    params = [Parameter(np.zeros(2)), Parameter(np.zeros(3))]
    optimizer = SGD(params)
    params[0].grad, params[1].grad = np.zeros(2), np.zeros(2)
    with pytest.raises(ValueError, match=r"Gradient of parameter #1 has shape \(2,\)"):
        optimizer.step()


def test_load_state_dict_rejects_a_different_model():
    optimizer = Adam(make_params())
    other = Adam([Parameter(np.zeros(3))])
    with pytest.raises(ValueError, match="loaded state dict has a parameter group of size 2 "
                                         "where this optimizer's has 1"):
        other.load_state_dict(optimizer.state_dict())
    with pytest.raises(ValueError, match="loaded state dict has 1 parameter groups, "
                                         "this optimizer has 2"):
        Adam([{"params": [Parameter(0.0)]}, {"params": [Parameter(1.0)]}]).load_state_dict(
            optimizer.state_dict())


def test_scheduler_lr_changes_are_used_by_the_next_step():
    theta = Parameter([1.0])
    optimizer = SGD([theta], lr=0.5)
    optimizer.param_groups[0]["lr"] = 0.25
    theta.grad = np.array([1.0])
    optimizer.step()
    assert theta.data[0] == 0.75


@pytest.mark.parametrize("cls", ALL)
def test_every_optimizer_checks_lr_weight_decay_and_eps(cls):
    with pytest.raises(ValueError, match=r"Invalid learning rate lr=-0\.01: must be >= 0"):
        cls(make_params(), lr=-0.01)
    with pytest.raises(ValueError, match=r"Invalid weight decay weight_decay=-1: must be >= 0"):
        cls(make_params(), weight_decay=-1)
    if "eps" in cls(make_params()).defaults:
        with pytest.raises(ValueError, match=r"Invalid epsilon eps=0\.0: must be > 0"):
            cls(make_params(), eps=0.0)


def test_load_state_dict_rejects_state_of_another_shape():
    W, b = make_params()
    optimizer = Adam([W, b])
    W.grad, b.grad = np.ones((3, 4)), np.ones(5)
    optimizer.step()
    other = Adam([Parameter(np.zeros(5)), Parameter(np.zeros(5))])
    with pytest.raises(ValueError, match=r"loaded state of shape \(3, 4\) does not fit a "
                                         r"parameter of shape \(5,\)"):
        other.load_state_dict(optimizer.state_dict())


@pytest.mark.parametrize("cls", ALL)
def test_a_scalar_parameter_moves_like_a_one_element_array(cls):
    scalar, vector = Parameter(3.0), Parameter([3.0])
    hyper = {"lr": 0.1, "weight_decay": 0.01} | ({"momentum": 0.9} if cls is SGD else {})
    optimizers = cls([scalar], **hyper), cls([vector], **hyper)
    for _ in range(5):
        scalar.grad, vector.grad = 2 * scalar.data, 2 * vector.data
        for optimizer in optimizers:
            optimizer.step()
    assert scalar.data.shape == () and scalar.data == vector.data[0] != 3.0
