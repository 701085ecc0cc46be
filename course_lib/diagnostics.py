"""Look inside training: gradient statistics by parameter name, their history, and warnings.

Everything here reads gradients g = ∇J(θ) from ``Parameter.grad`` and names
them as ``model.named_parameters()`` does ("0.weight", "2.bias", …). A
*source* of parameters is a model (anything with ``named_parameters()``), a
dict ``{name: Parameter}``, or a list of Parameters or of (name, Parameter)
pairs.

Rules of thumb the warnings use (heuristics, not laws):

* vanishing / exploding relative to the last layer: compare each weight
  matrix's ‖g‖ with the last one's (the layer nearest the loss, whose gradient
  is rarely the problem); a ratio below 1e-3 means the early layers barely
  learn, above 1e3 that they take huge steps;
* tiny or huge against the parameter itself: ‖g‖/‖θ‖ below 1e-6 is too small
  to train θ even with η = 1; above 1e2, even η = 0.001 (about the smallest in
  common use) makes one SGD step change θ by more than a tenth of its size.
  These two see a gradient that is tiny, or huge, in *every* layer, the last
  one included, which the comparison with the last layer cannot;
* update-to-weight ratio ‖Δθ‖/‖θ‖ per step: a common heuristic (CS231n) puts
  it near 1e-3; small networks that train well often sit between 1e-3 and
  1e-2 (lesson 5's healthy ReLU/He network at η = 0.1: median about 5e-3, a
  fifth of its (step, layer) ratios above 1e-2). The warnings fire only a decade outside
  that range: below 1e-4 (more than 10⁴ steps to move θ by its own size) or
  above 1e-1 (every step changes θ by more than a tenth of its size).
"""

import numpy as np

from course_lib.parameter import Parameter


def named_parameters_of(source):
    """List of (name, Parameter) pairs from a model, a dict or a list (see the module doc).

    Introduced in lesson 5.
    """
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

    Introduced in lesson 5.
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
    """Print a table with one row per parameter: name, shape, ‖θ‖, ‖g‖, mean, std, max |g|.

    Introduced in lesson 5.
    """
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
    """Copies of every θ, by name: take one before ``optimizer.step()`` to measure the update.

    Introduced in lesson 5.
    """
    return {name: param.data.copy() for name, param in named_parameters_of(source)}


def update_to_weight_ratios(before, source):
    """{name: ‖θ_after − θ_before‖ / ‖θ_before‖} for the parameters in the snapshot ``before``.

    Typically between 1e-3 and 1e-2 per step in a network that trains well
    (a heuristic; see the module docstring). The ratio is undefined (NaN) for
    a parameter whose θ_before is all zero, such as a bias at the start.

    Introduced in lesson 5.
    """
    ratios = {}
    for name, param in named_parameters_of(source):
        if name not in before:
            continue
        step_norm = np.linalg.norm(param.data - before[name])
        weight_norm = np.linalg.norm(before[name])
        ratios[name] = float(step_norm / weight_norm) if weight_norm > 0 else float("nan")
    return ratios


def gradient_warnings(source, vanishing=1e-3, exploding=1e3, tiny=1e-6, huge=1e2):
    """Plain-language warnings about vanishing, exploding, tiny, huge or non-finite gradients.

    Two checks, reported parameter by parameter in the order of ``named_parameters()``:

    * against the last layer: each weight matrix (every parameter with 2 or
      more dimensions) is compared with the last one; ‖g_layer‖ / ‖g_last‖
      below ``vanishing`` or above ``exploding`` gives a message such as
      "0.weight: gradient norm 3.1e-09 is 1.2e-06 times the last layer's (4.weight) — vanishing";
    * against the parameter itself, ‖g‖ / ‖θ‖: below ``tiny`` gives
      "2.weight: gradient too small to train it, even with η = 1 — ‖g‖/‖θ‖ = 5.5e-13, below 1e-06",
      above ``huge`` gives "0.weight: gradient too large, even with η = 0.001 one
      step changes θ by 62 times its size — ‖g‖/‖θ‖ = 6.2e+04, above 1e+02 (exploding)".
      Why these thresholds: one SGD step changes θ by η‖g‖, so its
      update-to-weight ratio is η‖g‖/‖θ‖, typically 1e-3 to 1e-2 in a network
      that trains well. η is rarely above 1, so with ‖g‖/‖θ‖ < 1e-6 the
      parameter moves at least a thousand times more slowly than a healthy one,
      whatever η; η is rarely below 0.001, so with ‖g‖/‖θ‖ > 1e2 every step
      changes θ by more than a tenth of its size, whatever η. This check sees a
      network whose gradients are tiny (or huge) in *every* layer, the last one
      included, which the first check cannot. A parameter with θ = 0 (a bias
      at the start) is skipped: its ratio is undefined. (Adam-type optimizers
      divide g by √v̂, lesson 4, so their step does not grow or shrink with ‖g‖:
      they can still move a parameter with a tiny gradient, as long as its
      entries are well above their ε, and their steps stay about η in size
      however huge the gradient.)

    Returns an empty list when nothing looks wrong.
    """
    if not 0 < vanishing < 1 < exploding:
        raise ValueError(f"need 0 < vanishing < 1 < exploding, got vanishing={vanishing}, "
                         f"exploding={exploding}")
    if not 0 < tiny < 1:
        raise ValueError(f"tiny must be between 0 and 1 (a ratio ‖g‖/‖θ‖), got {tiny}")
    if not huge > 1:
        raise ValueError(f"huge must be above 1 (a ratio ‖g‖/‖θ‖), got {huge}")
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
        return [f"{weights[-1]}: gradient of the last layer is exactly zero — "
                "nothing reaches the network"]
    messages = []
    for name, param in pairs:
        if name not in stats:
            continue
        if name in weights[:-1]:
            messages += _compared_with_last_layer(name, stats, weights[-1], vanishing, exploding)
        messages += _compared_with_parameter(name, stats[name]["norm"], param.data, tiny, huge)
    return messages


def _compared_with_last_layer(name, stats, last, vanishing, exploding):
    """The warnings (none or one) for ‖g_name‖/‖g_last‖ outside [vanishing, exploding]."""
    ratio = stats[name]["norm"] / stats[last]["norm"]
    if vanishing <= ratio <= exploding:
        return []
    kind = "vanishing" if ratio < vanishing else "exploding"
    return [f"{name}: gradient norm {stats[name]['norm']:.1e} is {ratio:.1e} times "
            f"the last layer's ({last}) — {kind}"]


SMALLEST_COMMON_LR = 1e-3   # the η the "huge" message uses: about the smallest in common use


def _compared_with_parameter(name, grad_norm, theta, tiny, huge):
    """The warning (a list of 0 or 1 message) for ‖g‖/‖θ‖ outside [tiny, huge]; none when θ = 0."""
    theta_norm = np.linalg.norm(theta)
    if theta_norm == 0:
        return []
    ratio = grad_norm / theta_norm
    if ratio < tiny:
        return [f"{name}: gradient too small to train it, even with η = 1 — "
                f"‖g‖/‖θ‖ = {ratio:.1e}, below {tiny:.0e}"]
    if ratio > huge:
        change = SMALLEST_COMMON_LR * ratio                  # η‖g‖/‖θ‖ at that η
        times = f"{change:.2g}" if change < 100 else f"{change:.0f}"
        return [f"{name}: gradient too large, even with η = {SMALLEST_COMMON_LR:g} one step "
                f"changes θ by {times} times its size — ‖g‖/‖θ‖ = {ratio:.1e}, "
                f"above {huge:.0e} (exploding)"]
    return []


def update_ratio_warnings(ratios, low=1e-4, high=1e-1):
    """Warnings for update-to-weight ratios a decade outside the typical 1e-3 … 1e-2.

    Below ``low`` a parameter would need more than 1/low steps to move by its
    own size; above ``high`` every step changes it by more than that fraction
    of its size. Both are heuristics (see the module docstring). Undefined
    (NaN) ratios are skipped.

    Introduced in lesson 5.
    """
    messages = []
    for name, ratio in ratios.items():
        if ratio > high:
            messages.append(f"{name}: update-to-weight ratio {ratio:.1e} is large (above "
                            f"{high:.0e}; typical: 1e-3 to 1e-2) — η may be too large")
        elif ratio < low:
            messages.append(f"{name}: update-to-weight ratio {ratio:.1e} is tiny (below "
                            f"{low:.0e}; typical: 1e-3 to 1e-2) — η may be too small, "
                            "or the gradient vanishes")
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
    (n_records, n_bins): like TensorBoard's histograms of a layer's gradients,
    but of log10 |g_i|, so that sizes from 1e-12 to 1e2 fit on one axis.

    Introduced in lesson 5.
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
