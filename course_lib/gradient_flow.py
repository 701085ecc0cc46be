"""Gradient flow through depth: per-layer gradient norms and their figures.

For a stack z_l = h_{l−1} W_l + b_l, h_l = f(z_l) (l = 1…L), the chain rule gives

    δ_l = ∂J/∂z_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f′(z_l),      ∂J/∂W_l = h_{l−1}ᵀ δ_l,

so the gradient reaching layer l carries one factor W_kᵀ diag f′(z_{k−1})
for every layer k above it. Factors below 1 shrink it geometrically
with depth (vanishing: a sigmoid's σ′ ≤ 1/4), factors above 1 blow it up
(exploding: large initial weights). The figures here show ‖∂J/∂W_l‖ against l,
the histograms of log10 |g_i| over training (TensorBoard's histograms, on a log scale), and the
update-to-weight ratio ‖Δθ‖/‖θ‖ — the lesson-5 ways of seeing it. The explorer of
lesson 5 (``course_lib.explorers.gradient_flow``) draws ‖∂J/∂W_l‖ for any depth,
activation, initialisation and normalisation.
"""

import numpy as np

from course_lib.nn.losses import softmax_cross_entropy


def weight_names(model):
    """Names of the weight matrices (parameters with 2 dimensions), input layer first.

    Introduced in lesson 5.
    """
    return [name for name, p in model.named_parameters() if p.data.ndim == 2]


def weight_gradient_norms(model, X, y, loss_fn=softmax_cross_entropy):
    """‖∂J/∂W_l‖ for each weight matrix, from one forward and backward pass on (X, y).

    Leaves the gradients in ``.grad`` (so they can be inspected further).
    Returns a 1-D array, input layer first.

    Introduced in lesson 5.
    """
    model.zero_grad()
    _, grad_output = loss_fn(model(X), y)
    model.backward(grad_output)
    return np.array([np.linalg.norm(p.grad) for name, p in model.named_parameters()
                     if p.data.ndim == 2])


def layer_norm_history(history, names):
    """The recorded ‖g‖ of each name in ``names``: array of shape (n_records, n_layers).

    Introduced in lesson 5.
    """
    return np.column_stack([history.series(name, "norm") for name in names])


def plot_layer_norms(ax, norms, label=None, color=None, marker="o"):
    """‖∂J/∂W_l‖ against the layer l = 1…L on a log axis (input layer on the left).

    Introduced in lesson 5.
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or norms.size == 0:
        raise ValueError(f"norms must be a non-empty 1-D array, got shape {norms.shape}")
    layers = np.arange(1, len(norms) + 1)
    (line,) = ax.semilogy(layers, norms, marker=marker, label=label, color=color)
    ax.set_xlabel(r"layer $l$ (1 = input side)")
    ax.set_ylabel(r"gradient norm $\|\partial J / \partial W_l\|$")
    ax.set_xticks(layers)
    ax.grid(True, which="major", alpha=0.3)
    return line


def plot_gradient_ridges(ax, history, name, rows=8, color="#332288"):
    """The histograms of log10 |g_i| of one parameter at ``rows`` recorded steps, offset
    vertically (earliest at the back, at the top), as TensorBoard draws them.

    Introduced in lesson 5.
    """
    counts = history.histograms(name)
    steps = history.recorded_steps(name)
    picks = np.unique(np.linspace(0, len(counts) - 1, rows).round().astype(int))
    centres = 0.5 * (history.bin_edges[:-1] + history.bin_edges[1:])
    scale = counts.max() if counts.max() > 0 else 1
    for offset, index in enumerate(picks[::-1]):
        base = offset * 0.6
        heights = base + counts[index] / scale
        ax.fill_between(centres, base, heights, color=color, alpha=0.25 + 0.6 * offset / len(picks),
                        zorder=offset)
        ax.plot(centres, heights, color="white", lw=0.8, zorder=offset)
        ax.text(centres[-1], base + 0.05, f"step {steps[index]}", ha="right", va="bottom",
                fontsize=8, zorder=len(picks) + 1)
    ax.set_yticks([])
    ax.set_xlabel(r"$\log_{10} |g_i|$ (entries of the gradient)")
    ax.set_title(f"{name}: gradient histograms over training")
    return ax


RULE_OF_THUMB = (1e-3, 1e-2)
"""Update-to-weight ratios ‖Δθ‖/‖θ‖ per step that small, healthy networks usually show: a heuristic
(CS231n's ≈ 1e-3, up to 1e-2 for small networks), not a law."""


def plot_update_ratios(ax, history, names, colors=None):
    """The update-to-weight ratio ‖Δθ‖/‖θ‖ per step for each name, over the RULE_OF_THUMB band.

    Introduced in lesson 5.
    """
    colors = colors or [None] * len(names)
    for name, color in zip(names, colors):
        ax.semilogy(history.recorded_steps(name), history.series(name, "update_ratio"),
                    label=name, color=color, lw=1)
    ax.axhspan(*RULE_OF_THUMB, color="#117733", alpha=0.12,
               label=f"rule of thumb {RULE_OF_THUMB[0]:.0e} … {RULE_OF_THUMB[1]:.0e}")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"update-to-weight ratio $\|\Delta\theta\| / \|\theta\|$")
    return ax
