"""The training loop: mini-batches, forward, loss, backward, (clip), step — with a log.

One iteration (step t = 1, 2, …) on a mini-batch (X_B, y_B)::

    optimizer.zero_grad()
    J, dJ/dŷ = loss_fn(model(X_B), y_B)       # forward and loss
    model.backward(dJ/dŷ)                     # g_t = ∇J(θ_{t−1}) into every .grad
    clip_grad_norm_(params, max_norm)         # only if clip_grad_norm is given
    before_step(params)                       # only if given: any other change to the g's
    optimizer.step()                          # θ_t from θ_{t−1} and g_t
    after_step(params)                        # only if given: e.g. update an average of θ

and after each epoch ``scheduler.step()`` if a scheduler is given (a
``ReduceLROnPlateau`` gets the epoch's validation loss, or its training loss
when there is no validation data: ``scheduler.step(loss)``).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from course_lib.clip import clip_grad_norm_
from course_lib.diagnostics import GradientHistory, snapshot
from course_lib.optim.lr_scheduler import ReduceLROnPlateau

PROGRESS_AFTER_SECONDS = 2.0
MAX_PROGRESS_LINES = 10


@dataclass
class TrainingLog:
    """What ``fit`` recorded. Per step: ``step_loss``; per epoch: ``epoch_loss`` (the mean
    over the epoch's samples), ``epoch_time`` (seconds), ``lr`` (η of the first parameter
    group during the epoch), and with validation data ``val_loss`` and ``val_accuracy``;
    ``history`` holds the gradient statistics (:class:`~course_lib.diagnostics.GradientHistory`).

    Introduced in lesson 3.
    """

    step_loss: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    history: GradientHistory = field(default_factory=GradientHistory)


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the true class.

    Introduced in lesson 3.
    """
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise ValueError(f"need logits of shape (N, n_classes) and N labels, got shapes "
                         f"{logits.shape} and {labels.shape}")
    return float(np.mean(logits.argmax(axis=1) == labels))


def evaluate(model, loss_fn, X, y):
    """Loss (and accuracy, for integer labels) on (X, y) in evaluation mode; restores the mode.

    Introduced in lesson 3.
    """
    was_training = model.training
    model.eval()
    output = model(X)
    model.train(was_training)
    loss = float(loss_fn(output, y)[0])
    is_classification = np.issubdtype(np.asarray(y).dtype, np.integer)
    return loss, accuracy(output, y) if is_classification else None


def fit(model, loss_fn, optimizer, batches, epochs, scheduler=None, clip_grad_norm=None,
        validation=None, record_every=1, log=None, verbose=None, before_step=None,
        after_step=None):
    """Train ``model`` for ``epochs`` passes over ``batches``; return a :class:`TrainingLog`.

    ``batches`` yields (X_B, y_B) pairs anew each epoch (e.g.
    :class:`course_lib.data.MiniBatches`). Gradient statistics go into
    ``log.history`` every ``record_every`` steps, with the update-to-weight
    ratio of that step; these are the gradients the optimizer used (after
    clipping, if any). ``before_step(params)``, if given, may change the
    gradients just before each step (after any clipping by norm), e.g. clip
    them by value or add a penalty's gradient; the history records the
    changed gradients. ``after_step(params)``, if given, runs after each step,
    e.g. ``after_step=lambda params: ema.update_parameters(model)`` keeps an
    exponential moving average of the weights (:mod:`course_lib.optim.swa_utils`).
    ``validation=(X_val, y_val)`` adds the validation loss
    and accuracy per epoch. Pass an existing ``log`` to continue it.

    Progress: with ``verbose=None`` a run expected to take longer than 2 s
    prints at most 10 short lines; ``True`` prints them always, ``False`` never.

    Introduced in lesson 3.
    """
    if not (isinstance(epochs, int) and epochs >= 1):
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not (isinstance(record_every, int) and record_every >= 1):
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    if clip_grad_norm is not None and not clip_grad_norm > 0:
        raise ValueError(f"clip_grad_norm must be positive or None, got {clip_grad_norm}")
    for name, hook in (("before_step", before_step), ("after_step", after_step)):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name} must be a function of the parameter list or None, "
                            f"got {type(hook).__name__}")
    log = TrainingLog() if log is None else log
    params = model.parameters()
    print_every = math.ceil(epochs / MAX_PROGRESS_LINES)
    start = time.perf_counter()
    model.train()
    for epoch in range(1, epochs + 1):
        epoch_start = time.perf_counter()
        log.lr.append(optimizer.param_groups[0]["lr"])
        total, count = 0.0, 0
        for X_batch, y_batch in batches:
            optimizer.zero_grad()
            loss, grad_output = loss_fn(model(X_batch), y_batch)
            model.backward(grad_output)
            if clip_grad_norm is not None:
                clip_grad_norm_(params, clip_grad_norm)
            if before_step is not None:
                before_step(params)
            record = len(log.step_loss) % record_every == 0
            before = snapshot(model) if record else None
            optimizer.step()
            if after_step is not None:
                after_step(params)
            if record:
                log.history.record(model, step=len(log.step_loss) + 1, before=before)
            log.step_loss.append(float(loss))
            total, count = total + float(loss) * len(X_batch), count + len(X_batch)
        if count == 0:
            raise ValueError("batches yielded no mini-batch: is the dataset empty?")
        log.epoch_loss.append(total / count)
        log.epoch_time.append(time.perf_counter() - epoch_start)
        if validation is not None:
            val_loss, val_accuracy = evaluate(model, loss_fn, *validation)
            log.val_loss.append(val_loss)
            log.val_accuracy.append(val_accuracy)
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(log.val_loss[-1] if validation is not None else log.epoch_loss[-1])
        elif scheduler is not None:
            scheduler.step()
        elapsed = time.perf_counter() - start
        expected_total = elapsed / epoch * epochs
        show = verbose if verbose is not None else expected_total > PROGRESS_AFTER_SECONDS
        if show and (epoch % print_every == 0 or epoch == epochs):
            print(_progress_line(log, epoch, epochs, elapsed))
    return log


def _progress_line(log, epoch, epochs, elapsed):
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {log.epoch_loss[-1]:.4g}"
    if log.val_loss:
        line += f"  val loss {log.val_loss[-1]:.4g}"
    if log.val_accuracy and log.val_accuracy[-1] is not None:
        line += f"  val acc {log.val_accuracy[-1]:.1%}"
    return line + f"  ({elapsed:.1f} s)"
