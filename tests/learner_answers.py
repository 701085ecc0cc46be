"""Answers a learner wrote, as source, shared by the tests of ``check`` and of the batch grader.

The batch grader runs an answer from its source in a child process; ``check`` runs the
function itself. ``function_from_source(source)`` turns the source into that function.
"""

import numpy as np


def log_cosh_central_difference(name, signature, h):
    """A central-difference gradient of J(θ) = mean(log cosh(Xθ − y)) with its own fixed h.

    Exercise 01 asks for it (q2 with the ``h`` it is given, q3 with an h of its choosing);
    a learner who writes ``h = …`` inside ignores the ``h`` of q2.
    """
    return f'''
def {name}({signature}):
    h = {h!r}
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        plus = np.mean(np.log(np.cosh(X @ (theta + e) - y)))
        minus = np.mean(np.log(np.cosh(X @ (theta - e) - y)))
        grad[i] = (plus - minus) / (2 * h)
    return grad
'''


GRADIENT_DESCENT_ONE_STEP_TOO_MANY = '''
def gradient_descent(A, b, theta0, lr, tol, max_steps):
    theta, t = theta0.copy(), 0
    while t <= max_steps and np.linalg.norm(A @ theta - b) > tol:
        theta = theta - lr * (A @ theta - b)
        t += 1
    return theta, t
'''
"""Exercise 01 q4 with ``while t <= max_steps``: one update more than ``max_steps`` allows."""


def function_from_source(source):
    """The function an answer's source defines (with NumPy as ``np``, as in the exercises)."""
    scope = {"np": np}
    exec(source, scope)
    (function,) = [value for key, value in scope.items() if key not in ("np", "__builtins__")]
    return function
