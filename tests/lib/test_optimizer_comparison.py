import time

import numpy as np
import pytest

from course_lib import optimizer_comparison
from course_lib.explorers import explore_optimizers
from course_lib.explorers.optimizer_comparison import OptimizerComparisonExplorer
from course_lib.optim import lr_scheduler
from course_lib.optimizer_comparison import digits_range_test, train_digits, train_digits_seeds
from course_lib.optimizer_table import OPTIMIZERS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_optimizer_learns_the_digits_and_an_absurd_eta_diverges():
    good_lr = {"SGD": 0.3, "Momentum": 0.1, "Nesterov": 0.1, "Adagrad": 0.1, "RMSprop": 0.01,
               "Adadelta": 3.0, "Adam": 0.03, "AdamW": 0.03, "Adamax": 0.03, "NAdam": 0.03,
               "RAdam": 0.03}
    assert set(good_lr) == set(OPTIMIZERS)
    for name, lr in good_lr.items():
        log = train_digits(name, lr, epochs=3)
        assert len(log.epoch_loss) == 3 and log.epoch_loss[-1] < 1.0, name
        assert log.val_accuracy[-1] > 0.75, name
    history = train_digits("SGD", 0.1, epochs=2).history                # statistics of step 1 only
    assert list(history.recorded_steps("0.weight")) == [1]
    assert train_digits("SGD", 1e100, epochs=2) is None          # the weights overflow


def test_same_weights_and_batches_so_runs_repeat_exactly():
    a, b = train_digits("Adam", 1e-2, epochs=2), train_digits("Adam", 1e-2, epochs=2)
    assert a.step_loss == b.step_loss


def test_ema_of_the_weights_is_evaluated_at_the_end():
    plain = train_digits("Momentum", 0.5, epochs=3)
    last = train_digits("Momentum", 0.5, epochs=3, ema_decay=0.0)   # θ̄ = θ after every step
    assert last.step_loss == plain.step_loss                  # the average leaves training alone
    assert last.ema_val_loss == pytest.approx(plain.val_loss[-1], rel=1e-12)
    assert last.ema_val_accuracy == plain.val_accuracy[-1]
    averaged = train_digits("Momentum", 0.5, epochs=3, ema_decay=0.99)
    assert np.isfinite(averaged.ema_val_loss) and averaged.ema_val_loss != plain.val_loss[-1]


LOGGED = ("step_loss", "epoch_loss", "lr", "val_loss", "val_accuracy")


def assert_same_runs(together, one_by_one):
    """The logs train_digits_seeds returned equal train_digits's, number for number."""
    assert len(together) == len(one_by_one)
    for seed, (a, b) in enumerate(zip(together, one_by_one)):
        assert (a is None) == (b is None), seed
        if a is not None:
            for field in LOGGED:
                assert getattr(a, field) == getattr(b, field), (seed, field)
            for field in ("ema_val_loss", "ema_val_accuracy"):     # with ema_decay only
                assert getattr(a, field, None) == getattr(b, field, None), (seed, field)


@pytest.mark.parametrize("name, lr, options", [
    ("Adam", 1e-2, {}),
    ("NAdam", 2e-3, {}),
    ("Adadelta", 10.0, {}),
    ("Momentum", 0.5, {"schedule": optimizer_comparison.EXPLORER_SCHEDULES["cosine"],
                       "ema_decay": 0.99}),
    ("AdamW", 1e-2, {"schedule": lambda o: lr_scheduler.LinearLR(o, 0.1, total_iters=2)}),
    ("SGD", 0.1, {"schedule": lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.3, patience=0)}),
])
def test_seeds_side_by_side_give_the_runs_of_one_seed_at_a_time(name, lr, options):
    seeds = [0, 3, 4]
    together = train_digits_seeds(name, lr, seeds, epochs=3, **options)
    assert_same_runs(together, [train_digits(name, lr, 3, seed=seed, **options) for seed in seeds])


def test_a_diverging_seed_is_none_and_leaves_the_others_alone():
    one_by_one = [train_digits("SGD", 1e60, 1, seed=seed) for seed in range(4)]
    assert one_by_one[0] is None and all(one_by_one[1:])          # η = 10⁶⁰ overflows seed 0 only
    assert_same_runs(train_digits_seeds("SGD", 1e60, range(4), epochs=1), one_by_one)
    with pytest.raises(ValueError, match="at least one seed"):
        train_digits_seeds("SGD", 0.1, [])


def test_warmup_cosine_explorer_schedule_never_spends_an_epoch_at_zero():
    log = train_digits("SGD", 0.2, epochs=optimizer_comparison.EXPLORER_EPOCHS,
                       schedule=optimizer_comparison.EXPLORER_SCHEDULES["warm-up 3 + cosine"])
    assert min(log.lr) > 0 and log.lr[2] == pytest.approx(0.2)          # peak at the third epoch


def test_schedule_sets_the_learning_rate_per_epoch():
    log = train_digits("SGD", 0.2, epochs=6,
                       schedule=optimizer_comparison.EXPLORER_SCHEDULES["step (s=5, γ=0.3)"])
    np.testing.assert_allclose(log.lr, [0.2] * 5 + [0.06])


def test_range_test_grows_eta_geometrically_and_stops_after_the_blow_up():
    lrs, losses = digits_range_test("Momentum", steps=100)
    assert len(lrs) == len(losses) <= 100
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1e6) ** (1 / 99))
    assert losses[-1] > 4 * np.min(losses[:-1]) or len(lrs) == 100
    assert np.min(losses) < 1.0 < losses[0]


def test_explorer_update_draws_a_png_and_redraws_in_under_a_second():
    explorer = OptimizerComparisonExplorer({"Adam": 3e-2, "SGD": 1.0})
    first = explorer.update("Adam", -3.0, "constant")
    assert all(layer.startswith(PNG_SIGNATURE) for layer in first)
    began = time.process_time()   # CPU time: what other jobs on a busy machine take is not counted
    redrawn = explorer.update("Adam", -1.5, "warm-up 3 + cosine")
    seconds = time.process_time() - began
    assert redrawn.overlay.startswith(PNG_SIGNATURE) and redrawn.overlay != first.overlay
    assert seconds < 1.0, f"a redraw took {seconds:.2f} s"
    assert list(explorer._best_runs) == ["Adam"]             # the best run is trained once
    # a diverged run is drawn too
    assert explorer.update("SGD", 100.0, "constant").overlay.startswith(PNG_SIGNATURE)


def test_explorer_rejects_unknown_names():
    with pytest.raises(ValueError, match="optimizer names"):
        OptimizerComparisonExplorer({"Adamm": 1e-3})
    explorer = OptimizerComparisonExplorer({"Adam": 1e-2})
    with pytest.raises(ValueError, match="unknown optimizer 'SGD'"):
        explorer.update("SGD", -1.0, "constant")
    with pytest.raises(ValueError, match="unknown schedule"):
        explorer.update("Adam", -1.0, "linear")
    with pytest.raises(ValueError, match="unknown optimizer"):
        train_digits("adam", 1e-3)


def _leaves(box):
    for child in getattr(box, "children", ()):
        yield child
        yield from _leaves(child)


def test_explore_optimizers_returns_the_widget_and_a_slider_redraws_it():
    widgets = pytest.importorskip("ipywidgets")
    box = explore_optimizers({"Adam": 3e-2, "SGD": 1.0}, name="Adam", log10_lr=-3.0)
    leaves = list(_leaves(box))
    image = [w for w in leaves if isinstance(w, widgets.Image)][-1]   # the overlay
    slider = next(w for w in leaves if isinstance(w, widgets.FloatSlider))
    first = bytes(image.value)
    assert first.startswith(PNG_SIGNATURE)
    slider.value = -1.5
    assert bytes(image.value).startswith(PNG_SIGNATURE) and bytes(image.value) != first


def test_a_setting_trained_before_is_kept_and_equals_a_run_trained_on_demand():
    explorer = OptimizerComparisonExplorer({"Adam": 3e-2})
    explorer.update("Adam", -1.75, "cosine")
    kept = explorer.run("Adam", -1.75, "cosine")
    explorer.update("Adam", -2.0, "cosine")
    explorer.update("Adam", -1.75, "cosine")
    assert explorer.run("Adam", -1.75, "cosine") is kept
    on_demand = train_digits("Adam", 10.0**-1.75, 15,
                             schedule=optimizer_comparison.EXPLORER_SCHEDULES["cosine"])
    np.testing.assert_array_equal(kept.epoch_loss, on_demand.epoch_loss)
