"""Lesson 6's experiment: one small MLP on the digits, trained by any optimizer of the course.

Every run uses the same network (64 → 32 ReLU → 10, He initialisation, softmax
cross-entropy), the same initial weights and the same mini-batches of 64 digits; only the
optimizer (a name of the course's table, ``course_lib.optimizer_table.OPTIMIZERS``, with the
hyperparameters that make it what it is), its learning rate η and the schedule η_t change::

    log = train_digits("Adam", lr=1e-2, epochs=10)     # a TrainingLog, or None if it diverged
    logs = train_digits_seeds("Adam", lr=1e-2, seeds=range(5))   # the same run for five seeds

``digits_range_test`` runs the learning-rate range test of ``course_lib.lr_finder`` on the
same network. The explorer of lesson 6 (``course_lib.explorers.optimizer_comparison``)
trains one run for any optimizer, η and schedule of ``EXPLORER_SCHEDULES`` and draws it
beside the optimizer's best constant-η run.
"""

import functools

import numpy as np

from course_lib import nn
from course_lib.data import MiniBatches, load_digits
from course_lib.lr_curves import warmup_cosine
from course_lib.lr_finder import lr_range_test
from course_lib.optim import lr_scheduler
from course_lib.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from course_lib.optimizer_table import OPTIMIZERS
from course_lib.parameter import Parameter
from course_lib.train import TrainingLog, evaluate, fit

SIZES = [64, 32, 10]
BATCH_SIZE = 64


@functools.cache
def digits():
    """The digits' (X_train, y_train, X_test, y_test), split once with seed 0.

    Introduced in lesson 6.
    """
    return load_digits(seed=0)


def _optimizer(name, lr, seed):
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    model = nn.mlp(SIZES, nn.ReLU, nn.init.he_normal, rng=seed)
    return model, OPTIMIZERS[name].build(model.parameters(), lr)


def train_digits(name, lr, epochs=10, schedule=None, seed=0, ema_decay=None):
    """Train the MLP with optimizer ``name`` at learning rate η = ``lr`` for ``epochs`` epochs.

    ``schedule(optimizer)``, if given, builds a scheduler, stepped once per epoch. ``seed``
    chooses the initial weights and the order of the mini-batches. Returns the
    :class:`~course_lib.train.TrainingLog` (losses, η and test accuracy per epoch; gradient
    statistics of the first step only, which keeps a run fast), or None if the run diverged:
    the loss overflowed, or the optimizer refused a non-finite gradient.

    With ``ema_decay`` (e.g. 0.99) an exponential moving average of the weights,
    θ̄ ← decay · θ̄ + (1 − decay) · θ after every step (``swa_utils.AveragedModel``), follows the
    run; the log then also holds ``ema_val_loss`` and ``ema_val_accuracy``, the test loss and
    accuracy of the averaged weights θ̄ at the end.

    Introduced in lesson 6.
    """
    X_train, y_train, X_test, y_test = digits()
    model, optimizer = _optimizer(name, lr, seed)
    scheduler = schedule(optimizer) if schedule else None
    batches = MiniBatches(X_train, y_train, BATCH_SIZE, seed=seed)
    ema = (None if ema_decay is None
           else AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(ema_decay)))
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            log = fit(model, nn.softmax_cross_entropy, optimizer, batches, epochs,
                      scheduler=scheduler, validation=(X_test, y_test), record_every=10**9,
                      verbose=False,
                      after_step=(lambda params: ema.update_parameters(model)) if ema else None)
    except FloatingPointError:
        return None
    if not np.isfinite(log.epoch_loss[-1]):
        return None
    if ema is not None:
        log.ema_val_loss, log.ema_val_accuracy = evaluate(ema.module, nn.softmax_cross_entropy,
                                                          X_test, y_test)
    return log


def train_digits_seeds(name, lr, seeds, epochs=10, schedule=None, ema_decay=None):
    """``[train_digits(name, lr, epochs, schedule, seed, ema_decay) for seed in seeds]``, in one go.

    The S networks become one network with a seed axis in front of every weight: W₁ of
    shape (S, 64, 32), b₁ of shape (S, 32), W₂ (S, 32, 10), b₂ (S, 10). Each step takes
    every seed's own mini-batch X⁽ˢ⁾ (its own order of the digits) and computes, for all s
    at once with ``@`` on stacks of matrices,

        Z⁽ˢ⁾ = max(0, X⁽ˢ⁾ W₁⁽ˢ⁾ + b₁⁽ˢ⁾) W₂⁽ˢ⁾ + b₂⁽ˢ⁾,   J⁽ˢ⁾ = cross-entropy(softmax(Z⁽ˢ⁾))

    and the gradients of each J⁽ˢ⁾ with respect to its own weights; then one
    ``optimizer.step()`` updates all of them. The course's optimizers act entry by entry,
    so that one step is S independent steps, each exactly train_digits's. The logs hold
    the same numbers as train_digits's, except the gradient statistics (not recorded
    here). A seed whose gradient turns non-finite gives None, as in train_digits, and
    leaves the other seeds alone. A ``ReduceLROnPlateau`` schedule lowers η by each run's
    own loss, so with it the runs are trained one after the other.

    Introduced in lesson 6; lesson 4 uses it too.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    X_train, y_train, X_test, y_test = digits()
    models = [_optimizer(name, lr, seed)[0] for seed in seeds]
    stacked = [Parameter(np.stack([p.data for p in same]))     # W₁, b₁, W₂, b₂ of every seed
               for same in zip(*(model.parameters() for model in models))]
    optimizer = OPTIMIZERS[name].build(stacked, lr)
    scheduler = schedule(optimizer) if schedule else None
    if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
        return [train_digits(name, lr, epochs, schedule, seed, ema_decay) for seed in seeds]
    loaders = [MiniBatches(X_train, y_train, BATCH_SIZE, seed=seed) for seed in seeds]
    ema = None if ema_decay is None else get_ema_multi_avg_fn(ema_decay)
    averaged = None
    logs = [TrainingLog() for _ in seeds]
    finite = np.ones(len(seeds), dtype=bool)      # no seed's gradient has been NaN or ±inf yet
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            for log in logs:
                log.lr.append(optimizer.param_groups[0]["lr"])
            total, count = np.zeros(len(seeds)), 0
            for batches in zip(*loaders):             # one (X_B, y_B) per seed
                X_B, y_B = np.stack([X for X, _ in batches]), np.stack([y for _, y in batches])
                losses, gradients = _stacked_loss_and_gradients(stacked, X_B, y_B)
                for p, g in zip(stacked, gradients):
                    finite &= np.isfinite(g).reshape(len(seeds), -1).all(axis=1)
                for p, g in zip(stacked, gradients):  # a diverged seed gets g = 0: it is dropped
                    p.grad = g if finite.all() else np.where(_per_seed(finite, g), g, 0.0)
                optimizer.step()
                if ema is not None and averaged is None:
                    averaged = [p.data.copy() for p in stacked]   # θ̄ ← θ after the first step
                elif ema is not None:
                    ema(averaged, [p.data for p in stacked], None)
                for log, loss in zip(logs, losses):
                    log.step_loss.append(float(loss))
                total, count = total + losses * len(y_B[0]), count + len(y_B[0])
            for log, epoch_loss in zip(logs, total / count):
                log.epoch_loss.append(float(epoch_loss))
            for log, (loss, accuracy) in zip(logs, _stacked_evaluation(stacked, X_test, y_test)):
                log.val_loss.append(loss)
                log.val_accuracy.append(accuracy)
            if scheduler is not None:
                scheduler.step()
        if ema is not None:
            for log, evaluation in zip(logs, _stacked_evaluation(averaged, X_test, y_test)):
                log.ema_val_loss, log.ema_val_accuracy = evaluation
    return [log if ok and np.isfinite(log.epoch_loss[-1]) else None
            for log, ok in zip(logs, finite)]


def _per_seed(mask, array):
    """``mask`` (one entry per seed) shaped to broadcast against a stacked ``array``."""
    return mask.reshape((-1,) + (1,) * (array.ndim - 1))


def _stacked_logits(weights, X):
    """Z = max(0, X W₁ + b₁) W₂ + b₂ for every seed at once; also returns X and the hidden layer."""
    W1, b1, W2, b2 = (w.data if isinstance(w, Parameter) else w for w in weights)
    pre = X @ W1 + b1[:, None, :]
    active = pre > 0
    hidden = np.where(active, pre, 0.0)
    return hidden @ W2 + b2[:, None, :], hidden, active


def _stacked_cross_entropy(logits, labels):
    """Each seed's softmax cross-entropy J⁽ˢ⁾ and ∂J⁽ˢ⁾/∂Z⁽ˢ⁾ (``nn.softmax_cross_entropy``)."""
    seeds, n = labels.shape
    shifted = logits - logits.max(axis=2, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    at_label = (np.arange(seeds)[:, None], np.arange(n)[None, :], labels)
    losses = -log_p[at_label].mean(axis=1)
    grad = np.exp(log_p)
    grad[at_label] -= 1.0
    return losses, grad / n


def _stacked_loss_and_gradients(weights, X, y):
    """J⁽ˢ⁾ for every seed and the gradients ∂J⁽ˢ⁾/∂(W₁, b₁, W₂, b₂) of its own weights."""
    logits, hidden, active = _stacked_logits(weights, X)
    losses, delta2 = _stacked_cross_entropy(logits, y)
    W2 = weights[2].data
    delta1 = (delta2 @ W2.transpose(0, 2, 1)) * active              # back through W₂ and the ReLU
    return losses, [X.transpose(0, 2, 1) @ delta1, delta1.sum(axis=1),
                    hidden.transpose(0, 2, 1) @ delta2, delta2.sum(axis=1)]


def _stacked_evaluation(weights, X, y):
    """(loss, accuracy) on (X, y) of every seed's network, as ``train.evaluate``."""
    logits, _, _ = _stacked_logits(weights, X)
    losses, _ = _stacked_cross_entropy(logits, np.broadcast_to(y, logits.shape[:2]))
    accuracies = np.mean(logits.argmax(axis=2) == y, axis=1)
    return [(float(loss), float(accuracy)) for loss, accuracy in zip(losses, accuracies)]


def digits_range_test(name, lr_min=1e-5, lr_max=10.0, steps=100, seed=0):
    """The learning-rate range test of optimizer ``name`` on the MLP: (η_k, loss_k) arrays.

    Step k = 0, …, K−1 trains on one fresh mini-batch at η_k = η_min (η_max/η_min)^(k/(K−1))
    and records that batch's loss; the run stops once the loss passes 4 times its lowest value.

    Introduced in lesson 6.
    """
    X_train, y_train, _, _ = digits()
    model, optimizer = _optimizer(name, lr_min, seed)
    epochs_needed = -(-steps * BATCH_SIZE // len(X_train))   # enough batches for every step
    X_repeated = np.tile(X_train, (epochs_needed, 1))
    y_repeated = np.tile(y_train, epochs_needed)
    batches = iter(MiniBatches(X_repeated, y_repeated, BATCH_SIZE, seed=seed))

    def step(lr):
        optimizer.param_groups[0]["lr"] = lr
        X_batch, y_batch = next(batches)
        optimizer.zero_grad()
        loss, grad_output = nn.softmax_cross_entropy(model(X_batch), y_batch)
        model.backward(grad_output)
        optimizer.step()
        return loss

    with np.errstate(over="ignore", invalid="ignore"):
        return lr_range_test(step, lr_min, lr_max, steps, stop_factor=4.0)


EXPLORER_EPOCHS = 15
EXPLORER_SCHEDULES = {
    "constant": None,
    "step (s=5, γ=0.3)": lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.3),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=EXPLORER_EPOCHS),
    "warm-up 3 + cosine": lambda o: lr_scheduler.LambdaLR(   # t + 1 of T + 1: last η > 0
        o, lambda t: warmup_cosine(t + 1, 1.0, 3, EXPLORER_EPOCHS + 1)),
}
"""The explorer's schedules η_t over its 15 epochs (t counts epochs)."""
