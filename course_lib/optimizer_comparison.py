"""Lesson 6's experiment: one small MLP on the digits, trained by any optimizer of the course.

Every run uses the same network (64 → 32 ReLU → 10, He initialisation, softmax
cross-entropy), the same initial weights and the same mini-batches of 64 digits; only the
optimizer (a name of the course's table, ``course_lib.optimizer_table.OPTIMIZERS``, with the
hyperparameters that make it what it is), its learning rate η and the schedule η_t change::

    log = train_digits("Adam", lr=1e-2, epochs=10)     # a TrainingLog, or None if it diverged

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
from course_lib.train import evaluate, fit

SIZES = [64, 32, 10]
BATCH_SIZE = 64


@functools.cache
def digits():
    """The digits' (X_train, y_train, X_test, y_test), split once with seed 0."""
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


def digits_range_test(name, lr_min=1e-5, lr_max=10.0, steps=100, seed=0):
    """The learning-rate range test of optimizer ``name`` on the MLP: (η_k, loss_k) arrays.

    Step k = 0, …, K−1 trains on one fresh mini-batch at η_k = η_min (η_max/η_min)^(k/(K−1))
    and records that batch's loss; the run stops once the loss passes 4 times its lowest value.
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
