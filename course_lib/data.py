"""The course's data: synthetic sets, the 8×8 digits that ship offline, mini-batches.

Every function takes a seed (an integer or a NumPy Generator) and gives the
same arrays every run. Features are float64 arrays X of shape (N, d); labels
are int64 arrays y of shape (N,), regression targets float64 of shape (N, 1).
"""

import gzip
from pathlib import Path
from typing import NamedTuple

import numpy as np

import course_lib
from course_lib.nn.init import as_generator

DATA_DIR = Path(course_lib.__file__).resolve().parents[1] / "data"


def make_linear_regression(n_samples=100, seed=42, legacy=False):
    """y = 5x + 1 + 0.5·noise with x ~ U(0, 1): the data of lesson 1's tanh network.

    ``legacy=True`` reproduces the source exactly, through NumPy's global
    generator: ``np.random.seed(seed)``, ``X = np.random.rand(n, 1)``,
    ``y = 5*X + np.random.randn(n, 1)*0.5 + 1``. It leaves the global
    generator where the source's next draws (its weights) expect it. The
    default draws the same distribution from ``np.random.default_rng(seed)``
    and touches no global state. Returns X and y, both of shape (n, 1).
    """
    _check_count(n_samples, "n_samples")
    if legacy:
        np.random.seed(seed)
        X = np.random.rand(n_samples, 1)
        y = 5 * X + np.random.randn(n_samples, 1) * 0.5 + 1
        return X, y
    rng = as_generator(seed)
    X = rng.random((n_samples, 1))
    y = 5 * X + rng.standard_normal((n_samples, 1)) * 0.5 + 1
    return X, y


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms in 2-D, one arm per class (the CS231n classic).

    Class k gets n_samples // n_classes points (the remainder is dropped) at
    radii r evenly spaced in [0, 1] and angles 4r + 2πk/n_classes, with
    Gaussian noise of std ``noise`` added to the angle.

    No lesson uses it; a data set for your own experiments with ``train.fit`` (lesson 3).
    """
    _check_count(n_samples, "n_samples")
    _check_count(n_classes, "n_classes")
    rng = as_generator(seed)
    per_class = n_samples // n_classes
    labels = np.repeat(np.arange(n_classes), per_class)
    radius = np.tile(np.linspace(0.0, 1.0, per_class), n_classes)
    angle = 4.0 * radius + labels * (2 * np.pi / n_classes)
    angle = angle + noise * rng.standard_normal(angle.shape)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, labels.astype(np.int64)


def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (class 0 on top, class 1 below) with Gaussian noise.

    No lesson uses it; a data set for your own experiments with ``train.fit`` (lesson 3).
    """
    _check_count(n_samples, "n_samples")
    rng = as_generator(seed)
    n_top = n_samples // 2
    n_bottom = n_samples - n_top
    top = np.linspace(0.0, np.pi, n_top)
    bottom = np.linspace(0.0, np.pi, n_bottom)
    X = np.vstack([
        np.column_stack([np.cos(top), np.sin(top)]),
        np.column_stack([1.0 - np.cos(bottom), 0.5 - np.sin(bottom)]),
    ])
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n_top), np.ones(n_bottom)]).astype(np.int64)
    return X, y


def make_blobs(n_samples=300, n_classes=3, std=1.0, seed=0):
    """Gaussian clusters of std ``std`` around centres drawn uniformly in [−5, 5]².

    No lesson uses it; a data set for your own experiments with ``train.fit`` (lesson 3).
    """
    _check_count(n_samples, "n_samples")
    _check_count(n_classes, "n_classes")
    rng = as_generator(seed)
    centres = rng.uniform(-5.0, 5.0, size=(n_classes, 2))
    y = np.arange(n_samples) % n_classes
    X = centres[y] + std * rng.standard_normal((n_samples, 2))
    return X, y.astype(np.int64)


class Split(NamedTuple):
    """A train/test split; unpack it as ``X_train, y_train, X_test, y_test = split``.

    What ``load_digits`` returns (introduced in lesson 3).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_digits(test_fraction=0.2, seed=0):
    """The 8×8 handwritten digits (1797 images, classes 0–9), split at random into train/test.

    Read from ``data/digits.csv.gz`` in the course folder, no network needed
    (UCI "Optical Recognition of Handwritten Digits", CC BY 4.0; see
    data/README.md). Each row of X holds the 64 pixels scaled from 0..16 to
    [0, 1]. ``test_fraction`` of the samples (rounded) go to the test set.

    Introduced in lesson 3.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    path = DATA_DIR / "digits.csv.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the digits ship with the course in data/")
    with gzip.open(path, "rt") as file:
        table = np.loadtxt(file, delimiter=",")
    X, y = table[:, :64] / 16.0, table[:, 64].astype(np.int64)
    order = as_generator(seed).permutation(len(X))
    n_test = round(test_fraction * len(X))
    test, train = order[:n_test], order[n_test:]
    return Split(X[train], y[train], X[test], y[test])


class MiniBatches:
    """Iterate over (X_batch, y_batch) pairs; each pass (epoch) draws a fresh permutation.

    ``len(batches)`` is the number of batches per epoch. The last batch holds
    the N mod B samples left over unless ``drop_last=True``. With
    ``shuffle=False`` the batches follow the order of X.

    Introduced in lesson 2.
    """

    def __init__(self, X, y, batch_size, shuffle=True, drop_last=False, seed=0):
        X, y = np.asarray(X), np.asarray(y)
        if len(X) != len(y):
            raise ValueError(
                f"X and y must have the same number of samples, got {len(X)} and {len(y)}"
            )
        _check_count(batch_size, "batch_size")
        if drop_last and batch_size > len(X):
            raise ValueError(
                f"batch_size {batch_size} exceeds the {len(X)} samples and drop_last=True: "
                "no batch left"
            )
        self.X, self.y = X, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = as_generator(seed)

    def __len__(self):
        full, rest = divmod(len(self.X), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __iter__(self):
        order = self.rng.permutation(len(self.X)) if self.shuffle else np.arange(len(self.X))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self.X[index], self.y[index]


def _check_count(value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
