"""course_lib.train: the loop trains real models, logs what it promises, and stays quiet."""

import time

import numpy as np
import pytest

from course_lib import data, nn, optim
from course_lib.train import accuracy, evaluate, fit


def digits_mlp(seed=0):
    return nn.mlp([64, 128, 10], activation=nn.ReLU, rng=seed)


def test_mlp_reaches_95_percent_on_the_digits_with_adam_in_under_10_seconds():
    split = data.load_digits(test_fraction=0.2, seed=0)
    model = digits_mlp()
    start = time.perf_counter()
    log = fit(
        model,
        nn.softmax_cross_entropy,
        optim.Adam(model.parameters(), lr=1e-3),
        data.MiniBatches(split.X_train, split.y_train, batch_size=32, seed=0),
        epochs=20,
        validation=(split.X_test, split.y_test),
    )
    seconds = time.perf_counter() - start
    model.eval()
    test_accuracy = accuracy(model(split.X_test), split.y_test)
    print(f"digits MLP 64-128-10: test accuracy {test_accuracy:.2%} in {seconds:.2f} s")
    assert test_accuracy >= 0.95
    assert seconds < 10
    assert log.val_accuracy[-1] == test_accuracy
    assert log.epoch_loss[-1] < 0.1 * log.epoch_loss[0]


def test_log_has_one_entry_per_step_and_epoch_and_a_gradient_history():
    X, y = data.make_moons(100, seed=0)
    model = nn.mlp([2, 16, 2], activation=nn.Tanh, rng=0)
    batches = data.MiniBatches(X, y, batch_size=32, seed=0)  # 4 batches per epoch
    log = fit(model, nn.softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), batches, 5,
              record_every=2)
    assert len(log.step_loss) == 20
    assert len(log.epoch_loss) == len(log.epoch_time) == len(log.lr) == 5
    assert log.val_loss == [] and all(t > 0 for t in log.epoch_time)
    assert log.history.names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert log.history.steps == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
    ratios = log.history.series("0.weight", "update_ratio")
    assert np.all((ratios > 1e-5) & (ratios < 1))
    first = log.step_loss[:4]
    assert log.epoch_loss[0] == pytest.approx((sum(first[:3]) * 32 + first[3] * 4) / 100)


def test_regression_and_continuing_a_log():
    X, y = data.make_linear_regression(seed=0)
    model = nn.mlp([1, 10, 1], activation=nn.Tanh, init=nn.init.xavier_normal, rng=0)
    batches = data.MiniBatches(X, y, batch_size=100, shuffle=False)
    sgd = optim.SGD(model.parameters(), lr=0.05)
    log = fit(model, nn.mse_loss, sgd, batches, 100, validation=(X, y))
    log = fit(model, nn.mse_loss, sgd, batches, 100, log=log)
    assert len(log.epoch_loss) == 200 and log.val_accuracy[0] is None
    assert log.epoch_loss[-1] < 0.35  # noise variance 0.25


def test_scheduler_and_clipping_are_applied():
    X, y = data.make_blobs(64, seed=0)
    model = nn.mlp([2, 8, 3], rng=0)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    step_lr = optim.lr_scheduler.StepLR(sgd, step_size=2, gamma=0.5)
    clipped_norms = []

    def amplified_loss(output, target):
        value, grad = nn.softmax_cross_entropy(output, target)
        return value, grad * 1e3  # huge gradients, which the clipping must tame

    log = fit(model, amplified_loss, sgd, data.MiniBatches(X, y, 16, seed=0), 5,
              scheduler=step_lr, clip_grad_norm=0.5)
    assert log.lr == [0.1, 0.1, 0.05, 0.05, 0.025]
    for name in log.history.names:
        clipped_norms.append(log.history.series(name, "norm"))
    global_norms = np.sqrt(np.sum(np.square(clipped_norms), axis=0))
    assert np.all(global_norms <= 0.5 + 1e-9)


def test_reduce_lr_on_plateau_watches_the_validation_loss_or_else_the_training_loss():
    X, y = data.make_blobs(64, seed=0)
    for validation in (None, (X[:32], y[:32])):
        model = nn.mlp([2, 8, 3], rng=0)
        sgd = optim.SGD(model.parameters(), lr=0.1)
        # improvements by less than 10 do not count: every epoch after the first is a bad one
        plateau = optim.lr_scheduler.ReduceLROnPlateau(sgd, patience=1, factor=0.5, threshold=10.0,
                                                       threshold_mode="abs")
        log = fit(model, nn.softmax_cross_entropy, sgd, data.MiniBatches(X, y, 16, seed=0), 6,
                  scheduler=plateau, validation=validation)
        assert log.lr == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]
        watched = log.val_loss if validation is not None else log.epoch_loss
        assert plateau.best == watched[0]


def test_before_step_changes_the_gradients_the_optimizer_uses():
    X, y = data.make_blobs(64, seed=0)
    model = nn.mlp([2, 8, 3], rng=0)
    seen = []

    def clip_by_value(params):   # clip each entry to [−1e-3, 1e-3], after the clipping by norm
        seen.append(np.sqrt(sum(np.sum(p.grad**2) for p in params)))
        for p in params:
            p.grad = np.clip(p.grad, -1e-3, 1e-3)

    log = fit(model, nn.softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
              data.MiniBatches(X, y, 16, seed=0), 2, clip_grad_norm=0.5, before_step=clip_by_value)
    assert len(seen) == len(log.step_loss) == 8 and max(seen) <= 0.5 + 1e-9
    sizes = {name: p.data.size for name, p in model.named_parameters()}
    for name in log.history.names:   # the history records the gradients after the change
        assert np.all(log.history.series(name) <= 1e-3 * np.sqrt(sizes[name]) + 1e-15)
    with pytest.raises(TypeError, match="before_step"):
        fit(model, nn.mse_loss, optim.SGD(model.parameters(), lr=0.1), [], 1, before_step=1.0)


def test_after_step_sees_every_new_theta_and_keeps_an_ema_of_the_weights():
    X, y = data.make_blobs(64, seed=0)
    model = nn.mlp([2, 8, 3], rng=0)
    ema = optim.swa_utils.AveragedModel(
        model, multi_avg_fn=optim.swa_utils.get_ema_multi_avg_fn(0.9))
    thetas = []

    def after_step(params):
        thetas.append(params[0].data.copy())
        ema.update_parameters(model)

    log = fit(model, nn.softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1),
              data.MiniBatches(X, y, 16, seed=0), 2, after_step=after_step)
    assert len(thetas) == len(log.step_loss) == ema.n_averaged == 8
    np.testing.assert_array_equal(thetas[-1], model.parameters()[0].data)
    expected = thetas[0]
    for theta in thetas[1:]:
        expected = 0.9 * expected + 0.1 * theta             # θ̄ ← 0.9 θ̄ + 0.1 θ
    np.testing.assert_allclose(ema.module.parameters()[0].data, expected, rtol=1e-12)
    with pytest.raises(TypeError, match="after_step must be a function"):
        fit(model, nn.mse_loss, optim.SGD(model.parameters(), lr=0.1), [], 1, after_step="ema")


def test_quiet_for_short_runs_and_at_most_ten_lines_when_verbose(capsys):
    X, y = data.make_moons(40, seed=0)
    model = nn.mlp([2, 4, 2], rng=0)
    batches = data.MiniBatches(X, y, 20, seed=0)
    fit(model, nn.softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), batches, 30)
    assert capsys.readouterr().out == ""
    fit(model, nn.softmax_cross_entropy, optim.SGD(model.parameters(), lr=0.1), batches, 30,
        validation=(X, y), verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("epoch  3/30  loss ") and "val acc" in lines[0]
    assert lines[-1].startswith("epoch 30/30")


def test_evaluate_restores_the_training_mode():
    X, y = data.make_blobs(30, seed=0)
    model = nn.mlp([2, 4, 3], rng=0, batch_norm=True)
    model(X)  # one training-mode pass to fill the running statistics
    loss, acc = evaluate(model, nn.softmax_cross_entropy, X, y)
    assert model.training and model[1].training
    assert loss > 0 and 0 <= acc <= 1


@pytest.mark.parametrize(
    "kwargs, message",
    [({"epochs": 0}, "epochs"), ({"epochs": 1, "record_every": 0}, "record_every"),
     ({"epochs": 1, "clip_grad_norm": -1.0}, "clip_grad_norm")],
)
def test_bad_arguments(kwargs, message):
    model = nn.mlp([2, 2], rng=0)
    with pytest.raises(ValueError, match=message):
        fit(model, nn.mse_loss, optim.SGD(model.parameters(), lr=0.1), [], **kwargs)


def test_accuracy():
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == 2 / 3
    with pytest.raises(ValueError, match="logits of shape"):
        accuracy(np.ones(3), np.ones(3))
