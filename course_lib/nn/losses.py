"""Loss functions J: each returns the value J and its gradient ∂J/∂(prediction).

Both average over the batch, as PyTorch's default ``reduction="mean"`` does, so
the gradient carries the factor 1/N.
"""

import numpy as np


def mse_loss(prediction, target):
    """Mean squared error J = (1/n) Σ (ŷ − y)² over all n entries; ∂J/∂ŷ = 2(ŷ − y)/n.

    This is ``np.mean((y_pred - y) ** 2)`` and its exact gradient; n is the
    number of entries (N samples × outputs), like ``torch.nn.MSELoss()``.

    Introduced in lesson 1.
    """
    prediction = np.asarray(prediction, dtype=float)
    target = np.asarray(target, dtype=float)
    if prediction.shape != target.shape:
        raise ValueError(
            f"prediction and target must have the same shape, got {prediction.shape} "
            f"and {target.shape}"
        )
    residual = prediction - target
    return np.mean(residual**2), 2.0 * residual / residual.size


def softmax_cross_entropy(logits, labels):
    """Cross-entropy of softmax(z) against integer class labels, and ∂J/∂z.

    With p = softmax(z) row by row and labels c_i ∈ {0, …, C−1}:
    J = −(1/N) Σ_i log p_{i, c_i},   ∂J/∂z = (p − onehot(c)) / N.
    log p is computed as z − max z − log Σ exp(z − max z), which never
    overflows. The same as ``torch.nn.functional.cross_entropy(logits, labels)``.

    Introduced in lesson 3.
    """
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, n_classes), got shape {logits.shape}")
    n, n_classes = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be {n} integers (one class index per row of logits), "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"labels must lie in 0..{n_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_p[rows, labels].mean()
    grad = np.exp(log_p)
    grad[rows, labels] -= 1.0
    return loss, grad / n
