"""course_lib.data: the R1 data, 2-D sets, the offline digits and the mini-batch iterator."""

import numpy as np
import pytest

from course_lib import data


def test_legacy_regression_reproduces_the_global_seed_draws():
    X, y = data.make_linear_regression(legacy=True)
    next_draw = np.random.randn()
    np.random.seed(42)
    X_src = np.random.rand(100, 1)
    y_src = 5 * X_src + np.random.randn(100, 1) * 0.5 + 1
    np.testing.assert_array_equal(X, X_src)
    np.testing.assert_array_equal(y, y_src)
    assert next_draw == np.random.randn()  # the global generator is left where the source had it


def test_modern_regression_is_seeded_and_leaves_global_state_alone():
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    X1, y1 = data.make_linear_regression(seed=3)
    X2, y2 = data.make_linear_regression(seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    slope, intercept = np.polyfit(X1[:, 0], y1[:, 0], 1)
    assert abs(slope - 5) < 0.6 and abs(intercept - 1) < 0.4


@pytest.mark.parametrize(
    "make, n, n_classes",
    [
        (lambda s: data.make_spirals(300, 3, seed=s), 300, 3),
        (lambda s: data.make_moons(201, seed=s), 201, 2),
        (lambda s: data.make_blobs(90, 4, seed=s), 90, 4),
    ],
)
def test_two_dimensional_sets(make, n, n_classes):
    X, y = make(1)
    assert X.shape == (n, 2) and y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(n_classes))
    np.testing.assert_array_equal(make(1)[0], X)
    assert not np.array_equal(make(2)[0], X)


def test_digits_load_offline_with_a_seeded_split():
    split = data.load_digits(test_fraction=0.2, seed=0)
    X_train, y_train, X_test, y_test = split
    assert X_train.shape == (1438, 64) and X_test.shape == (359, 64)
    assert len(y_train) + len(y_test) == 1797
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10))
    np.testing.assert_array_equal(data.load_digits(seed=0).y_test, y_test)
    assert not np.array_equal(data.load_digits(seed=1).y_test, y_test)
    other = data.load_digits(seed=1)  # another split of the same 1797 images
    np.testing.assert_array_equal(
        np.bincount(np.concatenate([y_train, y_test])),
        np.bincount(np.concatenate([other.y_train, other.y_test])),
    )
    assert np.vstack([X_train, X_test]).sum() == pytest.approx(np.vstack(other[::2]).sum())

def test_minibatches_cover_every_sample_once_with_a_fresh_order_each_epoch():
    X = np.arange(10.0).reshape(10, 1)
    y = np.arange(10)
    batches = data.MiniBatches(X, y, batch_size=4, seed=0)
    assert len(batches) == 3
    epoch1 = [yb for _, yb in batches]
    epoch2 = [yb for _, yb in batches]
    assert [len(b) for b in epoch1] == [4, 4, 2]
    assert sorted(np.concatenate(epoch1)) == list(range(10))
    assert not np.array_equal(np.concatenate(epoch1), np.concatenate(epoch2))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)
    again = [yb for _, yb in data.MiniBatches(X, y, batch_size=4, seed=0)]
    np.testing.assert_array_equal(np.concatenate(again), np.concatenate(epoch1))


def test_minibatches_drop_last_and_no_shuffle():
    X, y = np.zeros((10, 2)), np.arange(10)
    dropped = data.MiniBatches(X, y, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(yb) for _, yb in dropped] == [4, 4]
    ordered = data.MiniBatches(X, y, batch_size=4, shuffle=False)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in ordered]), y)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.MiniBatches(np.zeros((3, 1)), np.zeros(4), 2), "same number of samples"),
        (lambda: data.MiniBatches(np.zeros((3, 1)), np.zeros(3), 0), "batch_size"),
        (lambda: data.MiniBatches(np.zeros((3, 1)), np.zeros(3), 5, drop_last=True), "no batch"),
        (lambda: data.load_digits(test_fraction=1.0), "test_fraction"),
        (lambda: data.make_moons(0), "n_samples"),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
