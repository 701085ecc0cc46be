"""Questions of exercise 05_gradient_diagnostics: norms, clipping, initialisation, diagnosis."""

from itertools import pairwise

import numpy as np

from course_lib import Parameter, optim
from course_lib.clip import clip_grad_norm_
from course_lib.diagnostics import grad_stats, snapshot, update_to_weight_ratios
from course_lib.grading.registry import Mutant, Question, register

EXERCISE = "05_gradient_diagnostics"


def _parameters(arrays, grads):
    """Named Parameters "0", "1", … holding ``arrays`` with gradients ``grads``."""
    params = []
    for i, (data, grad) in enumerate(zip(arrays, grads)):
        p = Parameter(np.array(data, dtype=float), name=str(i))
        p.grad = np.array(grad, dtype=float)
        params.append(p)
    return params


def _layer_gradients(rng):
    """Lists of gradient tensors (weight matrices and bias vectors) of growing size."""
    cases = []
    for _ in range(4):
        widths = rng.integers(2, 6, size=int(rng.integers(3, 6)))
        grads = []
        for depth, (n_in, n_out) in enumerate(pairwise(widths)):
            scale = 10.0 ** (depth - len(widths))          # smaller towards the input
            grads.append(scale * rng.normal(size=(int(n_in), int(n_out))))
            grads.append(scale * rng.normal(size=int(n_out)))
        cases.append((grads,))
    return cases


# ---------------------------------------------------------------- q1 per-layer norms
def _root_mean_square(grads):
    return np.array([np.sqrt(np.mean(np.square(g))) for g in grads])


def _one_global_norm(grads):
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))


def layer_gradient_norms(grads):
    """The reference: ‖g‖₂ of each tensor, from course_lib.diagnostics.grad_stats."""
    stats = grad_stats(_parameters(grads, grads))
    return np.array([stats[str(i)]["norm"] for i in range(len(grads))])


register(Question(
    exercise=EXERCISE,
    id="q1",
    title="Per-layer gradient norms",
    points=1,
    function="layer_gradient_norms",
    inputs=_layer_gradients,
    reference=layer_gradient_norms,
    rtol=1e-9,
    mistakes={
        "these are squared norms: take the square root of Σ g_i²":
            lambda grads: np.array([np.sum(np.square(g)) for g in grads]),
        "that is the mean |g_i|; the norm is √(Σ g_i²) over all entries":
            lambda grads: np.array([np.mean(np.abs(g)) for g in grads]),
        "that is max |g_i| (the ∞-norm); the question asks for the 2-norm √(Σ g_i²)":
            lambda grads: np.array([np.max(np.abs(g)) for g in grads]),
        "that is the root mean square √(mean g_i²); the norm sums the squares, √(Σ g_i²)":
            _root_mean_square,
        "that is one norm over all the tensors together; the question asks for one norm per "
        "tensor, in order": _one_global_norm,
    },
    mutants=(
        Mutant("the root mean square", _root_mean_square),
        Mutant("one global norm instead of one per tensor", _one_global_norm),
    ),
    forbidden=(grad_stats,),
))


# ---------------------------------------------------------------- q2 global-norm clipping
def _clipping_cases(rng):
    cases = []
    for grads, in _layer_gradients(rng):
        grads = [1e3 * g for g in grads]    # ‖g‖ ≫ 1e-6, PyTorch's guard against division by 0
        total = np.sqrt(sum(np.sum(g**2) for g in grads))
        cases.append((grads, float(total * rng.uniform(0.05, 0.5))))   # clipped
        cases.append((grads, float(total * rng.uniform(2.0, 10.0))))   # left alone
    return cases


def clip_by_global_norm(grads, max_norm):
    """The reference: course_lib.clip.clip_grad_norm_, g ← g·min(1, c/‖g‖), on copies."""
    params = _parameters(grads, grads)
    clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def _per_tensor(grads, max_norm):
    return [np.asarray(g) * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]


def _scales_up(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    return [np.asarray(g) * max_norm / total for g in grads]


def _clips_only_short(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    return [np.asarray(g) * (max_norm / total if total < max_norm else 1.0) for g in grads]


def _by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


register(Question(
    exercise=EXERCISE,
    id="q2",
    title="Clipping by global norm",
    points=2,
    function="clip_by_global_norm",
    inputs=_clipping_cases,
    reference=clip_by_global_norm,
    rtol=1e-5,   # PyTorch's c/(‖g‖ + 1e-6) and the exact c/‖g‖ both pass
    atol=1e-12,
    mistakes={
        "that is per-tensor clipping (each tensor scaled by its own norm, Keras's clipnorm), not "
        "what this question asks: compute ONE norm over all gradients together, "
        "‖g‖ = √(Σ_tensors Σ_i g_i²), and scale every tensor by the same factor": _per_tensor,
        "you scaled small gradients up: the factor is min(1, c/‖g‖), so a gradient already "
        "shorter than c stays as it is": _scales_up,
        "that clips each entry to [−c, c] (clipping by value), which changes the direction; "
        "clip the global norm": _by_value,
        "the test is the wrong way round: scale by c/‖g‖ only when ‖g‖ > c, and leave a "
        "shorter gradient as it is": _clips_only_short,
    },
    mutants=(
        Mutant("scaled only when ‖g‖ < c", _clips_only_short),
        Mutant("scaled by ‖g‖/c", lambda grads, max_norm: [
            np.asarray(g) * max(1.0, np.sqrt(sum(np.sum(np.square(h)) for h in grads)) / max_norm)
            for g in grads], ("argument", "factor")),
    ),
    forbidden=(clip_grad_norm_,),
))


# ---------------------------------------------------------------- q3 He and Xavier
def init_std(kind, fan_in, fan_out):
    """The reference: the standard deviation of course_lib.nn.init's normal initialisers.

    "xavier": σ = √(2 / (n_in + n_out));  "he": σ = √(2 / n_in).
    """
    if kind == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    if kind == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise ValueError(f"kind must be 'xavier' or 'he', got {kind!r}")


def _init_cases(rng):
    cases = []
    for kind in ("xavier", "he", "xavier", "he"):
        fan_in, fan_out = (int(n) for n in rng.choice([16, 32, 64, 100, 128, 256, 784], 2, False))
        cases.append((kind, fan_in, fan_out))
    return cases


def _swapped_kinds(kind, fan_in, fan_out):
    return init_std("he" if kind == "xavier" else "xavier", fan_in, fan_out)


register(Question(
    exercise=EXERCISE,
    id="q3",
    title="Standard deviation of Xavier and He initialisation",
    points=1,
    function="init_std",
    inputs=_init_cases,
    reference=init_std,
    rtol=1e-9,
    mistakes={
        "that is the variance; the standard deviation is its square root":
            lambda kind, fan_in, fan_out: init_std(kind, fan_in, fan_out) ** 2,
        "that is He's fan-out form (PyTorch's mode='fan_out'); this question asks for the fan-in "
        "form, σ = √(2 / n_in)":
            lambda kind, fan_in, fan_out: (np.sqrt(2.0 / fan_out) if kind == "he"
                                           else init_std(kind, fan_in, fan_out)),
        "He's factor 2 (for ReLU, which zeroes half of its inputs) is missing: σ = √(2 / n_in)":
            lambda kind, fan_in, fan_out: (np.sqrt(1.0 / fan_in) if kind == "he"
                                           else init_std(kind, fan_in, fan_out)),
        "Xavier averages fan-in and fan-out: Var = 2 / (n_in + n_out)":
            lambda kind, fan_in, fan_out: (np.sqrt(1.0 / fan_in) if kind == "xavier"
                                           else init_std(kind, fan_in, fan_out)),
        "Xavier's factor 2 is missing: Var = 2 / (n_in + n_out), the inverse of the mean fan":
            lambda kind, fan_in, fan_out: (np.sqrt(1.0 / (fan_in + fan_out)) if kind == "xavier"
                                           else init_std(kind, fan_in, fan_out)),
        "that is the bound a of the uniform version U(−a, a), a = √(6 / (n_in + n_out)) or "
        "√(6 / n_in); the normal's standard deviation is a/√3":
            lambda kind, fan_in, fan_out: np.sqrt(3.0) * init_std(kind, fan_in, fan_out),
        "the two formulas are swapped: Xavier's uses n_in + n_out, He's n_in alone":
            _swapped_kinds,
    },
    mutants=(
        Mutant("Xavier and He swapped", _swapped_kinds),
        Mutant("He with fan_out", lambda kind, fan_in, fan_out: (
            np.sqrt(2.0 / fan_out) if kind == "he" else init_std(kind, fan_in, fan_out))),
    ),
))


# ---------------------------------------------------------------- q4 which layers vanish
def vanishing_layers(norms, ratio):
    """The reference: indices l (0 = input side) of the layers with ‖g_l‖ < ratio·‖g_last‖.

    The rule of course_lib.diagnostics.gradient_warnings: each layer is compared
    with the last one, the layer nearest the loss.
    """
    norms = np.asarray(norms, dtype=float)
    return [int(i) for i in np.flatnonzero(norms[:-1] < ratio * norms[-1])]


def _norm_profiles(rng):
    """Per-layer norms that shrink towards the input, some with a spike in a middle layer."""
    cases = []
    for index in range(6):
        depth = int(rng.integers(6, 12))
        decay = rng.uniform(0.1, 0.6)                         # per-layer factor
        norms = 10.0 ** rng.uniform(-1, 2) * decay ** np.arange(depth - 1, -1, -1.0)
        norms = norms * rng.uniform(0.5, 2.0, depth)
        if index % 2:
            norms[depth // 2] *= 1e4                          # one layer with a large gradient
        cases.append((norms, float(rng.choice([1e-3, 1e-2]))))
    # Not monotone: a vanishing layer above a healthy one (layer 2 healthy, layers 0, 1, 3 not).
    cases.append((np.array([1e-6, 1e-5, 0.5, 1e-4, 0.2, 2.0]), 1e-2))
    # A layer exactly at the threshold (0.01 · 2.0 = 0.02 exactly): not vanishing, since the
    # rule is strict, ‖g_l‖ < ratio·‖g_last‖ (the division 0.02/2.0 is exact too).
    cases.append((np.array([1e-5, 0.02, 0.5, 2.0]), 1e-2))
    return cases


def _at_most(norms, ratio):
    norms = np.asarray(norms, dtype=float)
    return [int(i) for i in np.flatnonzero(norms[:-1] <= ratio * norms[-1])]


def _assumes_monotone(norms, ratio):
    """Every layer below the first healthy one: right only if the norms grow monotonically."""
    norms = np.asarray(norms, dtype=float)
    healthy = np.flatnonzero(norms[:-1] >= ratio * norms[-1])
    return list(range(int(healthy[0]) if healthy.size else len(norms) - 1))


def _against_first(norms, ratio):
    norms = np.asarray(norms, dtype=float)
    return [int(i) for i in np.flatnonzero(norms[:-1] < ratio * norms[0])]


register(Question(
    exercise=EXERCISE,
    id="q4",
    title="Which layers have a vanishing gradient?",
    points=1,
    function="vanishing_layers",
    inputs=_norm_profiles,
    reference=vanishing_layers,
    mistakes={
        "compare each layer with the LAST layer's norm (the one nearest the loss), not with the "
        "largest": lambda norms, ratio: [int(i) for i in np.flatnonzero(
            np.asarray(norms)[:-1] < ratio * np.max(norms))],
        "the threshold is relative: ‖g_l‖ < ratio·‖g_last‖, not ‖g_l‖ < ratio":
            lambda norms, ratio: [int(i) for i in np.flatnonzero(np.asarray(norms)[:-1] < ratio)],
        "layers are numbered from 0 (the input side)": lambda norms, ratio: [
            i + 1 for i in vanishing_layers(norms, ratio)],
        "the rule is strict, ‖g_l‖ < ratio·‖g_last‖: a layer exactly at the threshold does "
        "not vanish (you used ≤)": _at_most,
        "the norms need not grow from the input to the loss: test every layer on its own, "
        "not only the layers before the first healthy one": _assumes_monotone,
        "compare each layer with the LAST layer's norm (the one nearest the loss), not with the "
        "first": _against_first,
    },
    mutants=(
        Mutant("≤ where the rule says <", _at_most),
        Mutant("assumes the norms grow monotonically", _assumes_monotone),
        Mutant("compared with the first layer", _against_first),
    ),
))


# ---------------------------------------------------------------- q5 update-to-weight ratio
def sgd_update_ratios(weights, grads, lr):
    """The reference: ‖Δθ‖/‖θ‖ per tensor after one course_lib SGD step of size η = lr."""
    params = _parameters(weights, grads)
    before = snapshot(params)
    optim.SGD(params, lr=lr).step()
    ratios = update_to_weight_ratios(before, params)
    return np.array([ratios[str(i)] for i in range(len(weights))])


def _ratio_cases(rng):
    cases = []
    for grads, in _layer_gradients(rng):
        weights = [rng.normal(size=np.shape(g)) for g in grads]
        cases.append((weights, grads, float(10.0 ** rng.uniform(-3, 0))))
    return cases


register(Question(
    exercise=EXERCISE,
    id="q5",
    title="Update-to-weight ratio of one SGD step",
    points=1,
    function="sgd_update_ratios",
    inputs=_ratio_cases,
    reference=sgd_update_ratios,
    rtol=1e-9,
    mistakes={
        "the update is Δθ = −η g: multiply ‖g‖ by η": lambda weights, grads, lr: np.array(
            [np.linalg.norm(g) / np.linalg.norm(w) for w, g in zip(weights, grads)]),
        "divide by ‖θ‖ before the step, not after": lambda weights, grads, lr: np.array(
            [lr * np.linalg.norm(g) / np.linalg.norm(np.asarray(w) - lr * np.asarray(g))
             for w, g in zip(weights, grads)]),
        "use norms, not squared norms": lambda weights, grads, lr: np.array(
            [lr * np.sum(np.square(g)) / np.sum(np.square(w)) for w, g in zip(weights, grads)]),
    },
    mutants=(
        Mutant("‖θ‖/‖Δθ‖ upside down", lambda weights, grads, lr: np.array(
            [np.linalg.norm(w) / (lr * np.linalg.norm(g)) for w, g in zip(weights, grads)]),
            "inverse"),
    ),
    forbidden=(update_to_weight_ratios,),
))
