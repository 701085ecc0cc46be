"""The memory an optimizer keeps: its state, counted in floats.

Besides θ and g, every optimizer of ``course_lib.optim`` keeps per-parameter
state: nothing for plain SGD, a velocity v for momentum, a sum or average of g²
for Adagrad and RMSprop, the moments m and v for Adam (and the running maximum
of v for AMSGrad), … . For a model with n parameters that is 0, n, 2n or 3n
extra floats; Newton's method would keep the n×n Hessian, n² floats — the
reason it is rare at scale.
"""

import numpy as np

from course_lib.parameter import Parameter


def state_size(optimizer_class, n, **hyperparameters):
    """Floats in the arrays ``optimizer_class`` keeps for n parameters, after one step.

    Only arrays shaped like θ count; scalars such as the step counter t do not.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    theta = Parameter(np.zeros(n))
    optimizer = optimizer_class([theta], **hyperparameters)
    theta.grad = np.ones(n)
    optimizer.step()
    return int(sum(np.size(value) for value in optimizer.state[theta].values()
                   if np.shape(value) == (n,)))
