"""Weight initialisers: each returns a (fan_in, fan_out) array drawn from a NumPy Generator.

fan_in = n_in is the number of inputs of the layer, fan_out = n_out its outputs.

=================  ===========================================  ======================
initialiser        distribution                                 variance
=================  ===========================================  ======================
standard_normal    N(0, 1)                                      1
xavier_uniform     U(−a, a), a = √(6 / (n_in + n_out))          2 / (n_in + n_out)
xavier_normal      N(0, 2 / (n_in + n_out))                     2 / (n_in + n_out)
he_normal          N(0, 2 / n_in), std = √(2 / n_in)            2 / n_in
he_uniform         U(−a, a), a = √(6 / n_in)                    2 / n_in
=================  ===========================================  ======================

Xavier (Glorot & Bengio, 2010): in a layer z = hW the variance of z is
n_in · Var(W) · E[h²] going forward, and that of the gradient n_out · Var(W)
times the incoming one going backward; Var(W) = 2 / (n_in + n_out) is the
compromise between keeping the first (Var(W) = 1/n_in) and the second
(Var(W) = 1/n_out) constant. The argument assumes activations with f′(0) = 1
around a mean of 0: tanh (and linear or softmax outputs). Sigmoid has
σ′(0) = 1/4 and mean 1/2, so Xavier does not keep a deep sigmoid stack's
gradients alive (lesson 5's sick network is sigmoid + Xavier), and He's
larger variance does not either (lesson 5 measures both) — avoid sigmoid in
hidden layers.
He et al. (2015) double the variance, 2 / n_in, to make up for ReLU zeroing
half of its inputs (their backward condition gives 2 / n_out, PyTorch's
``mode="fan_out"``; these functions use the forward, fan-in form).
"""

import numbers

import numpy as np


def as_generator(rng):
    """A NumPy Generator from a Generator, an integer seed, or ``None`` (fresh entropy).

    Shared by the initialisers (introduced in lesson 5).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy.random.Generator, an integer seed or None, got {type(rng).__name__}"
    )


def _check_fans(fan_in, fan_out):
    for name, value in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def standard_normal(fan_in, fan_out, rng=None):
    """W ~ N(0, 1): too large for deep networks, the starting point of lesson 5."""
    _check_fans(fan_in, fan_out)
    return as_generator(rng).standard_normal((fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng=None):
    """W ~ U(−a, a) with a = √(6 / (n_in + n_out)), so Var(W) = 2 / (n_in + n_out).

    Introduced in lesson 5.
    """
    _check_fans(fan_in, fan_out)
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(rng).uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng=None):
    """W ~ N(0, σ²) with σ² = 2 / (n_in + n_out).

    Introduced in lesson 5.
    """
    _check_fans(fan_in, fan_out)
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return std * as_generator(rng).standard_normal((fan_in, fan_out))


def he_normal(fan_in, fan_out, rng=None):
    """W ~ N(0, σ²) with σ = √(2 / n_in) (He et al.'s "Kaiming normal", for ReLU layers).

    Introduced in lesson 5.
    """
    _check_fans(fan_in, fan_out)
    std = np.sqrt(2.0 / fan_in)
    return std * as_generator(rng).standard_normal((fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng=None):
    """W ~ U(−a, a) with a = √(6 / n_in), so Var(W) = 2 / n_in.

    Introduced in lesson 5.
    """
    _check_fans(fan_in, fan_out)
    bound = np.sqrt(6.0 / fan_in)
    return as_generator(rng).uniform(-bound, bound, size=(fan_in, fan_out))
