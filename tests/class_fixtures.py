"""Submissions of a real exercise (04, adaptive learning rates) as a class would hand them in.

A submission is the learner's exercise notebook (exercises/, with its
written-answer cells) with some answers filled in: the solution's code, or a
wrong version of one function, and written answers in their cells.
"""

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "04_adaptive_learning_rates"
FULL = 11.0  # q1 2, q2 2, q3 3, q4 2, q5 2

NO_BIAS_CORRECTION = '''
def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new
'''
# Right only when the first gradient component is positive: with fresh random inputs on
# every run, its partial credit would be luck.
LUCKY_ADAGRAD = '''
def adagrad_step(theta, g, G, lr, eps):
    G_new = G + g**2
    if g.flat[0] > 0:
        return theta - lr * g / (np.sqrt(G_new) + eps), G_new
    return theta - lr * g / np.sqrt(G_new + eps), G_new
'''
RMSPROP_OLD_AVERAGE = '''
def rmsprop_step(theta, g, v, lr, alpha, eps):
    v_new = alpha * v + (1 - alpha) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v_new
'''
ADAM_RUN_T_FIXED = '''
def adam_run(theta0, curvatures, steps, lr, beta1, beta2, eps):
    theta = np.array(theta0, dtype=float)
    a = np.asarray(curvatures, dtype=float)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    path = [theta.copy()]
    for _ in range(steps):
        theta, m, v = adam_step(theta, a * theta, m, v, 1, lr, beta1, beta2, eps)
        path.append(theta.copy())
    return np.array(path)
'''
ADAMW_NO_DECAY = '''
def adamw_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
'''
WRONG = {  # name: the functions replaced
    "no_bias_correction": [NO_BIAS_CORRECTION],
    "lucky_adagrad": [LUCKY_ADAGRAD],
    "rmsprop_and_run": [RMSPROP_OLD_AVERAGE, ADAM_RUN_T_FIXED],
    "adamw_untouched_run": [ADAMW_NO_DECAY, None],  # None: adam_run left as in the exercise
}


def _load(folder):
    return json.loads((ROOT / folder / f"{EXERCISE}.ipynb").read_text(encoding="utf-8"))


def _function_name(source):
    for line in source.splitlines():
        if line.startswith("def "):
            return line[4:].split("(")[0]
    return None


def submission(replace=(), untouched=(), written=None, solved=True):
    """The bytes of a submitted notebook: the exercise with the solution's code (``solved``),
    the functions in ``replace`` (source texts) swapped in, those named in ``untouched`` left
    as the exercise has them, and ``written`` {id: text} in the written-answer cells."""
    exercise, solution = _load("exercises"), _load("solutions")
    notebook = copy.deepcopy(exercise)
    replacements = {_function_name(source): source for source in replace}
    for cell, solved_cell in zip(notebook["cells"], solution["cells"]):
        if cell["cell_type"] == "code":
            source = "".join(solved_cell["source"])
            name = _function_name(source)
            if name in replacements:
                cell["source"] = replacements[name]
            elif solved and name not in untouched:
                cell["source"] = "\n".join(line for line in source.splitlines()
                                           if "SOLUTION" not in line)
        wid = cell.get("metadata", {}).get("course", {}).get("written")
        if wid and written and wid in written:
            cell["source"] = "".join(cell["source"]).replace("*Write your answer here.*",
                                                             written[wid])
    return json.dumps(notebook).encode()


def wrong(name):
    sources = WRONG[name]
    untouched = ["adam_run"] if None in sources else []
    return submission(replace=[s for s in sources if s], untouched=untouched)
