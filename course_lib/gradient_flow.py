"""Gradient flow through depth: per-layer gradient norms, their figures and an explorer.

For a stack z_l = h_{l−1} W_l + b_l, h_l = f(z_l) (l = 1…L), the chain rule gives

    δ_l = ∂J/∂z_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f′(z_l),      ∂J/∂W_l = h_{l−1}ᵀ δ_l,

so the gradient reaching layer l carries one factor W_kᵀ diag f′(z_{k−1})
for every layer k above it. Factors below 1 shrink it geometrically
with depth (vanishing: a sigmoid's σ′ ≤ 1/4), factors above 1 blow it up
(exploding: large initial weights). The figures here show ‖∂J/∂W_l‖ against l,
the histograms of log10 |g_i| over training (TensorBoard's histograms, on a log scale), and the
update-to-weight ratio ‖Δθ‖/‖θ‖ — the lesson-5 ways of seeing it.
"""

import numpy as np

from course_lib.nn.losses import softmax_cross_entropy


def weight_names(model):
    """Names of the weight matrices (parameters with 2 dimensions), input layer first."""
    return [name for name, p in model.named_parameters() if p.data.ndim == 2]


def weight_gradient_norms(model, X, y, loss_fn=softmax_cross_entropy):
    """‖∂J/∂W_l‖ for each weight matrix, from one forward and backward pass on (X, y).

    Leaves the gradients in ``.grad`` (so they can be inspected further).
    Returns a 1-D array, input layer first.
    """
    model.zero_grad()
    _, grad_output = loss_fn(model(X), y)
    model.backward(grad_output)
    return np.array([np.linalg.norm(p.grad) for name, p in model.named_parameters()
                     if p.data.ndim == 2])


def layer_norm_history(history, names):
    """The recorded ‖g‖ of each name in ``names``: array of shape (n_records, n_layers)."""
    return np.column_stack([history.series(name, "norm") for name in names])


def plot_layer_norms(ax, norms, label=None, color=None, marker="o"):
    """‖∂J/∂W_l‖ against the layer l = 1…L on a log axis (input layer on the left)."""
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
    vertically (earliest at the back, at the top), as TensorBoard draws them."""
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
    """The update-to-weight ratio ‖Δθ‖/‖θ‖ per step for each name, over the RULE_OF_THUMB band."""
    colors = colors or [None] * len(names)
    for name, color in zip(names, colors):
        ax.semilogy(history.recorded_steps(name), history.series(name, "update_ratio"),
                    label=name, color=color, lw=1)
    ax.axhspan(*RULE_OF_THUMB, color="#117733", alpha=0.12,
               label=f"rule of thumb {RULE_OF_THUMB[0]:.0e} … {RULE_OF_THUMB[1]:.0e}")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"update-to-weight ratio $\|\Delta\theta\| / \|\theta\|$")
    return ax


def explore_gradient_flow(X, y, build, depth=8):
    """Sliders and menus for depth, activation, initialisation and normalisation; the figure
    shows ‖∂J/∂W_l‖ per layer at initialisation, redrawn on every change.

    ``build(depth, activation, init, normalisation)`` returns a fresh model; it
    receives the menus' strings: an activation class name of ``course_lib.nn``
    ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"), an initialiser of
    ``course_lib.nn.init`` ("xavier_normal", "he_normal", "standard_normal")
    and "none", "batch norm" or "residual".
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    label = {"style": {"description_width": "initial"}}   # each label as wide as its text
    controls = {
        "depth": widgets.IntSlider(value=depth, min=2, max=20, description="depth L", **label),
        "activation": widgets.Dropdown(options=["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"],
                                       value="Sigmoid", description="activation", **label),
        "init": widgets.Dropdown(options=["xavier_normal", "he_normal", "standard_normal"],
                                 value="xavier_normal", description="init", **label),
        "normalisation": widgets.Dropdown(options=["none", "batch norm", "residual"],
                                          value="none", description="normalisation", **label),
    }

    def draw(depth, activation, init, normalisation):
        norms = weight_gradient_norms(build(depth, activation, init, normalisation), X, y)
        _, ax = plt.subplots(figsize=(7, 3.6))
        plot_layer_norms(ax, norms, color="#332288")
        ax.set_ylim(min(1e-10, norms.min() / 3), max(1e4, norms.max() * 3))
        ax.set_title(f"{activation}, {init}, {normalisation}: "
                     rf"$\|g_1\| / \|g_{{{depth + 1}}}\|$ = {norms[0] / norms[-1]:.1e}")
        plt.tight_layout()
        plt.show()

    output = widgets.interactive_output(draw, controls)
    box = widgets.VBox([widgets.HBox([controls["depth"], controls["activation"]]),
                        widgets.HBox([controls["init"], controls["normalisation"]]), output])
    display(box)
    return box
