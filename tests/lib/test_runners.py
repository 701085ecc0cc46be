"""Runs of several optimizers stepped together equal the runs one after another."""

import numpy as np
import pytest

from course_lib import surfaces
from course_lib.optim import SGD, Adam, RMSprop
from course_lib.runners import (
    DIVERGED,
    run_optimizer,
    run_together,
    run_update_step,
    steps_together,
)

RUNS = [(SGD, {"lr": 1e-3}), (SGD, {"lr": 1e-3, "momentum": 0.9}),
        (SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}), (Adam, {"lr": 0.05}),
        (RMSprop, {"lr": 0.02})]


@pytest.mark.parametrize("surface", [surfaces.Rosenbrock(), surfaces.Ravine(25), surfaces.Beale()],
                         ids=lambda s: s.name)
def test_runs_together_equal_runs_one_at_a_time(surface):
    start = (-1.2, 1.0) if surface.name != "Beale" else (1.0, 1.5)
    together = run_together(surface.gradient, start, RUNS, 150)
    assert together.shape == (len(RUNS), 151, 2)
    for path, (cls, hyper) in zip(together, RUNS):
        np.testing.assert_allclose(path, run_optimizer(surface.gradient, start, cls, 150, **hyper),
                                   rtol=1e-13, atol=1e-15)


def test_a_diverging_run_stops_and_the_others_go_on():
    ravine = surfaces.Quadratic([1.0, 10.0])
    runs = [(SGD, {"lr": 0.3}), (SGD, {"lr": 0.1})]     # 1 − 0.3·10 = −2: diverges
    paths = run_together(ravine.gradient, (1.0, 1.0), runs, 100)
    alone = run_optimizer(ravine.gradient, (1.0, 1.0), SGD, 100, lr=0.3)
    np.testing.assert_array_equal(np.isnan(paths[0]), np.isnan(alone))
    assert (np.isnan(paths[0, -1]).all()
            and np.all(np.abs(paths[0][~np.isnan(paths[0])]) <= DIVERGED))
    assert np.isfinite(paths[1]).all()
    np.testing.assert_allclose(paths[1],
                               run_optimizer(ravine.gradient, (1.0, 1.0), SGD, 100, lr=0.1))


def test_bad_arguments_are_explained():
    ravine = surfaces.Quadratic([1.0, 10.0])
    with pytest.raises(ValueError, match="steps"):
        run_together(ravine.gradient, (1.0, 1.0), RUNS, -3)
    with pytest.raises(ValueError, match="at least one"):
        run_together(ravine.gradient, (1.0, 1.0), [], 3)
    with pytest.raises(ValueError, match="gradient must map"):
        run_together(lambda theta: theta[:, :1], (1.0, 1.0), RUNS, 3)


def test_a_from_scratch_step_runs_like_the_optimizer_it_copies():
    def adam_step(theta, g, state, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
        m_hat, v_hat = state["m"] / (1 - beta1**t), state["v"] / (1 - beta2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)

    ravine = surfaces.Ravine(100)
    ours = run_update_step(adam_step, ravine.gradient, (-5.0, 1.0), 50, lr=0.05)
    library = run_optimizer(ravine.gradient, (-5.0, 1.0), Adam, 50, lr=0.05)
    assert ours.shape == (51, 2)
    np.testing.assert_allclose(ours, library, rtol=1e-12, atol=1e-12)


def test_a_from_scratch_step_gets_t_from_one_and_its_own_state():
    seen = []

    def step(theta, g, state, t):
        seen.append((t, dict(state)))
        state["calls"] = t
        return theta - g

    path = run_update_step(step, lambda theta: 0.5 * theta, [4.0], 3)
    assert [t for t, _ in seen] == [1, 2, 3] and seen[0][1] == {} and seen[2][1] == {"calls": 2}
    np.testing.assert_allclose(path[:, 0], [4.0, 2.0, 1.0, 0.5])
    with pytest.raises(ValueError, match="non-negative integer"):
        run_update_step(step, lambda theta: theta, [1.0], -1)


def test_steps_together_go_on_where_run_together_stops():
    ravine = surfaces.Ravine(25)
    iterates = steps_together(ravine.gradient, (1.0, 1.0), RUNS)
    first = np.stack([next(iterates) for _ in range(31)], axis=1)
    more = np.stack([next(iterates) for _ in range(20)], axis=1)
    whole = run_together(ravine.gradient, (1.0, 1.0), RUNS, 50)
    np.testing.assert_array_equal(np.concatenate([first, more], axis=1), whole)
