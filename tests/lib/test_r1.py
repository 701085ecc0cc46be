"""R1: the source's one-hidden-layer tanh network, rebuilt from course_lib, prints its ten losses.

The source is a plain NumPy script. What reproduces its numbers exactly:
- data and weights from NumPy's *global* generator, in the source's order:
  ``np.random.seed(42)``, X = rand(100, 1), y = 5X + 0.5·randn(100, 1) + 1,
  then W1 = randn(1, 10), b1 = 0, W2 = randn(10, 1), b2 = 0;
- the loss J = np.mean((ŷ − y)²) and its exact gradient ∂J/∂ŷ = 2(ŷ − y)/N
  (``nn.mse_loss``). The common shortcut (ŷ − y)/N gives 1.0329 instead of
  0.4575 at epoch 100, and a gradient without the 1/N diverges at η = 0.01;
- the loss printed at epochs 0, 100, …, 900, *before* that epoch's update;
- plain full-batch gradient descent θ ← θ − η g with η = 0.01 (SGD, no momentum).
"""

import numpy as np

from course_lib import data, nn, optim

SOURCE_LOSSES = [
    30.571330924788207, 0.4574675521921959, 0.2413588981620703, 0.2272726502116684,
    0.22378153802601042, 0.2209402657943377, 0.21835485037118157, 0.21600100193173397,
    0.21386427603989375, 0.21192891045699627,
]


def tanh_network_losses(loss_fn=nn.mse_loss):
    X, y = data.make_linear_regression(seed=42, legacy=True)
    model = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1))
    model[0].weight.data[...] = np.random.randn(1, 10)   # W1, then b1 = 0 (Linear's default)
    model[2].weight.data[...] = np.random.randn(10, 1)   # W2, then b2 = 0
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    printed = []
    for epoch in range(1000):
        optimizer.zero_grad()
        loss, grad = loss_fn(model(X), y)
        model.backward(grad)
        optimizer.step()
        if epoch % 100 == 0:
            print(f"Epoch {epoch}, Loss: {loss}")
            printed.append(loss)
    return printed


def test_r1_tanh_network_reproduces_the_source_losses(capsys):
    losses = tanh_network_losses()
    assert len(losses) == 10
    np.testing.assert_allclose(losses, SOURCE_LOSSES, rtol=0, atol=1e-9)
    assert capsys.readouterr().out.count("Epoch") == 10


def test_r1_needs_the_factor_two_of_the_exact_gradient(capsys):
    def mse_without_the_two(prediction, target):
        value, grad = nn.mse_loss(prediction, target)
        return value, grad / 2

    losses = tanh_network_losses(mse_without_the_two)
    assert losses[0] == SOURCE_LOSSES[0]  # same data and weights...
    assert abs(losses[1] - 1.0329) < 1e-4  # ...but half the step: not the source's 0.4575
