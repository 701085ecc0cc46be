"""course_lib: the reference implementations behind the course's lessons.

Each idea lives in the module named after it:

=====================================  ==============================================
``course_lib.Parameter``               a parameter θ (``.data``) and its gradient (``.grad``)
``course_lib.optim``                   SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax,
                                       NAdam, RAdam, and ``optim.lr_scheduler``, as in
                                       torch.optim
``course_lib.surfaces``                test functions J(θ) with exact gradients
``course_lib.quadratic_rates``         gradient descent and momentum on quadratics: rates,
                                       optimal η and μ, stability
``course_lib.nn``                      layers with forward/backward, losses, initialisers
``course_lib.gradcheck``               central finite-difference gradient checks
``course_lib.diagnostics``             per-layer gradient statistics and warnings
``course_lib.gradient_flow``           per-layer gradient norms and histograms as figures
``course_lib.clip``                    gradient clipping by global norm and by value
``course_lib.data``                    the synthetic data sets, the digits, mini-batches
``course_lib.train``                   a training loop that records what happened
``course_lib.runners``                 runs: the iterates θ₀ … θ_T of optimizers, as arrays
``course_lib.runs_per_seed``           many mini-batch runs at once, one per seed, for the
                                       spread of a stochastic result
``course_lib.lr_curves``               learning-rate schedules as curves η_t; warm-up + cosine
``course_lib.lr_finder``               the learning-rate range test
``course_lib.optimizer_table``         the course's optimizers in one table: class,
                                       hyperparameters, colour, state kept per parameter
``course_lib.optimizer_comparison``    lesson 6's experiment: one MLP on the digits,
                                       trained by any optimizer of the course
``course_lib.plots``                   the figures the lessons share, one colour per optimizer
``course_lib.explorers``               the interactive explorers (ipywidgets), one module each
``course_lib.grading``                 ``check`` for learners, the questions, the
                                       exercise generator (the instructor's batch
                                       grader is the package ``course_grader``)
``course_lib.environment``             checks that this Python has what the course needs
=====================================  ==============================================
"""

from course_lib.parameter import Parameter

__all__ = ["Parameter"]
__version__ = "0.1.0"
