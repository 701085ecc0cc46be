import numpy as np
import pytest

from course_lib import data, runners, runs_per_seed, surfaces
from course_lib.optim import SGD


def line(n=64):
    X, Y = data.make_linear_regression(n_samples=n, seed=3)
    return surfaces.LeastSquaresLine(X[:, 0], Y[:, 0])


@pytest.mark.parametrize("hyper", [{"lr": 0.3}, {"lr": 0.1, "momentum": 0.9},
                                   {"lr": 0.1, "momentum": 0.9, "nesterov": True}])
def test_each_row_is_the_run_of_its_seed(hyper):
    problem = line()
    runs = runs_per_seed.minibatch_runs(problem, (0.0, 0.0), SGD, 8, 3 * 8, seeds=[0, 4], **hyper)
    for row, seed in enumerate([0, 4]):
        alone = runners.run_minibatch(problem, (0.0, 0.0), SGD, 8, 3, seed=seed, **hyper)
        np.testing.assert_allclose(runs[:, row], alone, rtol=1e-12, atol=1e-14)


def test_independent_batches_and_a_schedule():
    problem = line()
    runs = runs_per_seed.minibatch_runs(problem, (0.0, 0.0), SGD, 4, 2000, seeds=range(3),
                                sampling="independent", lr=1.0, lr_at=lambda t: 0.5 / np.sqrt(t))
    assert runs.shape == (2001, 3, 2)
    distance = np.linalg.norm(runs - problem.minimum, axis=2)
    assert np.all(distance[-1] < 0.2 * distance[100])     # η ∝ 1/√t keeps approaching θ*
    assert not np.allclose(runs[-1, 0], runs[-1, 1])        # each seed its own batches


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="sampling"):
        runs_per_seed.minibatch_runs(line(), (0, 0), SGD, 4, 10, [0], sampling="random", lr=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        runs_per_seed.minibatch_runs(line(), (0, 0), SGD, 0, 10, [0], lr=0.1)
    with pytest.raises(ValueError, match="divide"):
        runs_per_seed.minibatch_runs(line(), (0, 0), SGD, 5, 10, [0], lr=0.1)
    with pytest.raises(ValueError, match="seed"):
        runs_per_seed.minibatch_runs(line(), (0, 0), SGD, 4, 10, [], lr=0.1)
