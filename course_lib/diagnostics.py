"""Look inside training: gradient statistics by parameter name, their history, and warnings.

Everything here reads gradients g = ∇J(θ) from ``Parameter.grad`` and names
them as ``model.named_parameters()`` does ("0.weight", "2.bias", …). A
*source* of parameters is a model (anything with ``named_parameters()``), a
dict ``{name: Parameter}``, or a list of Parameters or of (name, Parameter)
pairs.

Rules of thumb the warnings use:

* vanishing / exploding: compare each weight matrix's ‖g‖ with the last
  one's (the layer nearest the loss, whose gradient is rarely the problem);
  a ratio below 1e-3 means the early layers barely learn, above 1e3 that
  they take huge steps;
* tiny: compare each parameter's ‖g‖ with its own ‖θ‖; below 1e-6 even a
  step with η = 1 would change θ by less than a millionth of its size;
* update-to-weight ratio ‖Δθ‖/‖θ‖ per step: about 1e-3 is healthy; far below
  means η is too small (or the gradient vanished), far above that η is too large.
"""

import numpy as np

from course_lib.parameter import Parameter


def named_parameters_of(source):
    """List of (name, Parameter) pairs from a model, a dict or a list (see the module doc)."""
    if hasattr(source, "named_parameters"):
        pairs = list(source.named_parameters())
    elif isinstance(source, dict):
        pairs = list(source.items())
    elif isinstance(source, Parameter):
        pairs = [(source.name or "param0", source)]
    else:
        pairs = [
            item if isinstance(item, tuple) else (getattr(item, "name", None) or f"param{i}", item)
            for i, item in enumerate(source)
        ]
    for name, param in pairs:
        if not isinstance(param, Parameter):
            raise TypeError(f"{name!r} is a {type(param).__name__}, not a course_lib.Parameter")
    return pairs


def grad_stats(source):
    """{name: {"norm", "mean", "std", "max_abs"}} of each gradient g that is not None.

    norm = ‖g‖₂, mean and std over the entries of g, max_abs = max |g_i|.
    """
    stats = {}
    for name, param in named_parameters_of(source):
        if param.grad is None:
            continue
        g = np.asarray(param.grad, dtype=float)
        stats[name] = {
            "norm": float(np.linalg.norm(g)),
            "mean": float(g.mean()),
            "std": float(g.std()),
            "max_abs": float(np.abs(g).max()),
        }
    return stats


def print_grad_stats(source):
    """Print a table with one row per parameter: name, shape, ‖θ‖, ‖g‖, mean, std, max |g|."""
    pairs = named_parameters_of(source)
    stats = grad_stats(pairs)
    width = max([len("parameter")] + [len(name) for name, _ in pairs])
    header = (f"{'parameter':<{width}}  {'shape':>10}  {'‖θ‖':>9}  {'‖g‖':>9}  "
              f"{'mean g':>10}  {'std g':>9}  {'max |g|':>9}")
    print(header)
    print("-" * len(header))
    for name, param in pairs:
        shape = "×".join(str(n) for n in param.data.shape)
        start = f"{name:<{width}}  {shape:>10}  {np.linalg.norm(param.data):9.2e}  "
        if name not in stats:
            print(start + f"{'no gradient (None)':>9}")
            continue
        s = stats[name]
        print(start + f"{s['norm']:9.2e}  {s['mean']:10.2e}  {s['std']:9.2e}  {s['max_abs']:9.2e}")


def snapshot(source):
    """Copies of every θ, by name: take one before ``optimizer.step()`` to measure the update."""
    return {name: param.data.copy() for name, param in named_parameters_of(source)}


def update_to_weight_ratios(before, source):
    """{name: ‖θ_after − θ_before‖ / ‖θ_before‖} for the parameters in the snapshot ``before``.

    About 1e-3 per step is healthy. The ratio is undefined (NaN) for a
    parameter whose θ_before is all zero, such as a bias at the start.
    """
    ratios = {}
    for name, param in named_parameters_of(source):
        if name not in before:
            continue
        step_norm = np.linalg.norm(param.data - before[name])
        weight_norm = np.linalg.norm(before[name])
        ratios[name] = float(step_norm / weight_norm) if weight_norm > 0 else float("nan")
    return ratios


def gradient_warnings(source, vanishing=1e-3, exploding=1e3, tiny=1e-6):
    """Plain-language warnings about vanishing, exploding, tiny or non-finite gradients.

    Two checks, reported parameter by parameter in the order of ``named_parameters()``:

    * against the last layer: each weight matrix (every parameter with 2 or
      more dimensions) is compared with the last one; ‖g_layer‖ / ‖g_last‖
      below ``vanishing`` or above ``exploding`` gives a message such as
      "0.weight: gradient norm 3.1e-09 is 1.2e-06 times the last layer's (4.weight) — vanishing";
    * against the parameter itself: ‖g‖ / ‖θ‖ below ``tiny`` gives
      "2.weight: gradient too small to train it, even with η = 1 — ‖g‖/‖θ‖ = 5.5e-13, below 1e-06".
      Why 1e-6: one SGD step changes θ by η‖g‖, so its update-to-weight
      ratio is η‖g‖/‖θ‖, healthy at about 1e-3; η is rarely above 1, so with
      ‖g‖/‖θ‖ < 1e-6 the parameter moves at least a thousand times more slowly
      than a healthy one, whatever η. This check sees a network whose
      gradients are tiny in *every* layer, the last one included, which the
      first check cannot. A parameter with θ = 0 (a bias at the start) is
      skipped: its ratio is undefined. (Adam-type optimizers divide g by
      √v̂, lesson 4, so they can still move such a parameter as long as its
      gradient entries are well above their ε.)

    Returns an empty list when nothing looks wrong.
    """
    if not 0 < vanishing < 1 < exploding:
        raise ValueError(f"need 0 < vanishing < 1 < exploding, got vanishing={vanishing}, "
                         f"exploding={exploding}")
    if not 0 < tiny < 1:
        raise ValueError(f"tiny must be between 0 and 1 (a ratio ‖g‖/‖θ‖), got {tiny}")
    pairs = named_parameters_of(source)
    stats = grad_stats(pairs)
    nonfinite = [
        f"{name}: gradient contains NaN or inf — training has diverged (lower η, clip the gradient)"
        for name, s in stats.items()
        if not np.isfinite(s["norm"])
    ]
    if nonfinite:
        return nonfinite
    weights = [name for name, p in pairs if name in stats and p.data.ndim >= 2]
    if weights and stats[weights[-1]]["norm"] == 0:
        return [f"{weights[-1]}: gradient of the last layer is exactly zero — nothing reaches the network"]
    messages = []
    for name, param in pairs:
        if name not in stats:
            continue
        if name in weights[:-1]:
            messages += _compared_with_last_layer(name, stats, weights[-1], vanishing, exploding)
        messages += _compared_with_parameter(name, stats[name]["norm"], param.data, tiny)
    return messages


def _compared_with_last_layer(name, stats, last, vanishing, exploding):
    """The warning (a list of 0 or 1 message) for ‖g_name‖ / ‖g_last‖ outside [vanishing, exploding]."""
    ratio = stats[name]["norm"] / stats[last]["norm"]
    if vanishing <= ratio <= exploding:
        return []
    kind = "vanishing" if ratio < vanishing else "exploding"
    return [f"{name}: gradient norm {stats[name]['norm']:.1e} is {ratio:.1e} times "
            f"the last layer's ({last}) — {kind}"]


def _compared_with_parameter(name, grad_norm, theta, tiny):
    """The warning (a list of 0 or 1 message) for ‖g‖ / ‖θ‖ below ``tiny``; none when θ = 0."""
    theta_norm = np.linalg.norm(theta)
    if theta_norm == 0 or grad_norm / theta_norm >= tiny:
        return []
    return [f"{name}: gradient too small to train it, even with η = 1 — "
            f"‖g‖/‖θ‖ = {grad_norm / theta_norm:.1e}, below {tiny:.0e}"]


def update_ratio_warnings(ratios, low=1e-5, high=1e-2):
    """Warnings for update-to-weight ratios far from the healthy ≈1e-3 (outside [low, high]).

    Undefined (NaN) ratios are skipped.
    """
    messages = []
    for name, ratio in ratios.items():
        if ratio > high:
            messages.append(f"{name}: update-to-weight ratio {ratio:.1e} is large "
                            "(healthy ≈ 1e-3) — η may be too large")
        elif ratio < low:
            messages.append(f"{name}: update-to-weight ratio {ratio:.1e} is tiny "
                            "(healthy ≈ 1e-3) — η may be too small, or the gradient vanishes")
    return messages


LOG10_BIN_EDGES = np.linspace(-12.0, 2.0, 57)  # |g| from 1e-12 to 1e2, four bins per decade


class GradientHistory:
    """Gradient statistics recorded during training, per step and per parameter name.

    ``record(model, step, before)`` stores, for every parameter with a gradient,
    ‖g‖, the mean and std of g, the histogram of log10 |g_i| on the fixed
    ``bin_edges`` (values outside are counted in the first or last bin, exact
    zeros in the first), and, when a snapshot ``before`` the optimizer step is
    given, the update-to-weight ratio ‖Δθ‖/‖θ‖.

    Read it back as arrays over the recorded steps: ``history.steps``,
    ``history.series("0.weight", "norm")`` ("norm", "mean", "std",
    "update_ratio") and ``history.histograms("0.weight")`` of shape
    (n_records, n_bins) — the TensorBoard picture of a layer's gradients.
    """

    STATS = ("norm", "mean", "std", "update_ratio")

    def __init__(self, bin_edges=LOG10_BIN_EDGES):
        self.bin_edges = np.asarray(bin_edges, dtype=float)
        edges = self.bin_edges
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("bin_edges must be an increasing 1-D sequence of at least 2 values")
        self._magnitude_edges = 10.0**self.bin_edges
        self.steps = []
        self._records = {}

    @property
    def names(self):
        """Parameter names in the order they were first recorded."""
        return list(self._records)

    def record(self, source, step=None, before=None):
        """Record the current gradients (and the update since ``before``, if given)."""
        step = len(self.steps) if step is None else step
        pairs = named_parameters_of(source)
        stats = grad_stats(pairs)
        ratios = update_to_weight_ratios(before, pairs) if before is not None else {}
        params = dict(pairs)
        for name, s in stats.items():
            record = self._records.setdefault(
                name, {"step": [], "hist": [], **{key: [] for key in self.STATS}})
            record["step"].append(step)
            for key in ("norm", "mean", "std"):
                record[key].append(s[key])
            record["update_ratio"].append(ratios.get(name, np.nan))
            record["hist"].append(self._log_histogram(params[name].grad))
        self.steps.append(step)

    def _log_histogram(self, grad):
        """Counts of log10 |g_i| per bin, found by comparing |g_i| with 10 ** bin_edges."""
        magnitude = np.abs(np.asarray(grad, dtype=float)).ravel()
        bin_index = np.searchsorted(self._magnitude_edges, magnitude, side="right") - 1
        n_bins = len(self.bin_edges) - 1
        return np.bincount(np.clip(bin_index, 0, n_bins - 1), minlength=n_bins)

    def _record(self, name):
        if name not in self._records:
            raise KeyError(f"no gradients recorded for {name!r}; recorded: {', '.join(self.names)}")
        return self._records[name]

    def series(self, name, stat="norm"):
        """The statistic ``stat`` of parameter ``name`` at each step it was recorded."""
        if stat not in self.STATS:
            raise ValueError(f"stat must be one of {', '.join(self.STATS)}, got {stat!r}")
        return np.array(self._record(name)[stat])

    def recorded_steps(self, name):
        """The steps at which ``name`` had a gradient (the x-axis for its series)."""
        return np.array(self._record(name)["step"])

    def histograms(self, name):
        """Counts of log10 |g_i| per bin, one row per recorded step: shape (n_records, n_bins)."""
        return np.array(self._record(name)["hist"])
