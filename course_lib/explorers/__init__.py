"""The interactive explorers of the lessons: move a slider, see the figure follow at once.

Every explorer is built the same way, from two shared modules:

* ``canvas``: ``ExplorerFigure``, a Matplotlib figure drawn in full once; a slider
  move redraws only what moved (paths, curves, titles) over a kept picture of the rest;
* ``wiring``: ``wire(update, controls)`` puts ipywidgets 8 controls in rows above a
  picture of the figure, with the layout and slider style all explorers share; while the
  learner looks, the kernel draws the pictures one slider step away and sends the page a
  copy of each (``browser_copy``), so the next step is shown by the page at once;

and in two layers: a class that computes and draws without widgets (``update(...)``
returns the picture as ``canvas.Layers``; the tests call it directly) and an
``explore_…`` function that wires the controls to it. ``surface_paths`` is the figure
the surface explorers share.

=================================================  =========================================
``parabola.explore_parabola``                      lesson 0: η on J(θ) = θ²
``learning_rate.explore_learning_rate``            lesson 1: η, θ₀ and T for one optimizer
``minibatch.explore_minibatch``                    lesson 2: batch size B and η
``hyperparameters.explore_hyperparameters``        lessons 3, 4: any hyperparameters
``race.race``                                      lesson 4: several optimizers, one start
``race.race_picker``                               lesson 4: pick the surface and the optimizers
``gradient_flow.explore_gradient_flow``            lesson 5: ‖∂J/∂W_l‖ against depth
``optimizer_comparison.explore_optimizers``       lesson 6: the digits MLP, any optimizer
=================================================  =========================================

Each is importable from here too: ``from course_lib.explorers import race``.
"""

from course_lib.explorers.gradient_flow import explore_gradient_flow
from course_lib.explorers.hyperparameters import explore_hyperparameters
from course_lib.explorers.learning_rate import explore_learning_rate
from course_lib.explorers.minibatch import explore_minibatch
from course_lib.explorers.optimizer_comparison import explore_optimizers
from course_lib.explorers.parabola import explore_parabola
from course_lib.explorers.race import race, race_picker

__all__ = ["explore_gradient_flow", "explore_hyperparameters", "explore_learning_rate",
           "explore_minibatch", "explore_optimizers", "explore_parabola", "race", "race_picker"]
