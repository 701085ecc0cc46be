"""The exercise generator: solutions/ is the one source of exercises/."""

from pathlib import Path

import nbformat
import pytest

from course_lib.grading import generate

ROOT = Path(__file__).resolve().parents[3]


def test_committed_exercises_match_their_solutions():
    stale = generate.stale_exercises(ROOT / "solutions", ROOT / "exercises")
    assert not stale, "\n".join(stale) + "\nRun `make exercises` and commit exercises/."


def solution_notebook():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            "Why?\n<!-- BEGIN SOLUTION -->\nBecause the gradient points uphill.\n"
            "<!-- END SOLUTION -->\nNext."
        ),
        nbformat.v4.new_code_cell(
            "def step(theta, g, eta):\n"
            "    ### BEGIN SOLUTION\n"
            "    update = eta * g\n"
            "    return theta - update\n"
            "    ### END SOLUTION\n"
            "\n"
            "check('q1', step)"
        ),
        nbformat.v4.new_code_cell("print('no solution here')"),
    ]
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="old output")]
    notebook.cells[1].execution_count = 3
    return notebook


def test_solution_code_becomes_a_placeholder_that_raises():
    exercise = generate.exercise_from_solution(solution_notebook(), "00_demo")
    code = exercise.cells[1]
    assert code.source == (
        "def step(theta, g, eta):\n"
        '    raise NotImplementedError("Write your solution here.")\n'
        "\n"
        "check('q1', step)"
    )
    assert code.metadata.tags == ["raises-exception"]
    assert code.outputs == [] and code.execution_count is None
    assert "tags" not in exercise.cells[2].metadata
    assert exercise.metadata["course"]["exercise"] == "00_demo"


def test_markdown_answers_are_removed():
    exercise = generate.exercise_from_solution(solution_notebook(), "00_demo")
    text = exercise.cells[0].source
    assert "uphill" not in text and "SOLUTION" not in text
    assert text == "Why?\n*Write your answer here.*\nNext."


def test_the_solution_notebook_is_not_modified():
    solution = solution_notebook()
    before = nbformat.writes(solution)
    generate.exercise_from_solution(solution, "00_demo")
    assert nbformat.writes(solution) == before


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "without a matching"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
    ],
)
def test_unpaired_markers_are_reported_with_their_place(source, message):
    notebook = solution_notebook()
    notebook.cells[2].source = source
    with pytest.raises(generate.SolutionMarkerError, match=message) as error:
        generate.exercise_from_solution(notebook, "00_demo")
    assert "00_demo, cell 2" in str(error.value)


def test_write_and_check_round_trip(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(solution_notebook(), solutions / "00_demo.ipynb")
    assert generate.stale_exercises(solutions, exercises) == [
        f"{exercises / '00_demo.ipynb'}: missing (its solution is solutions/00_demo.ipynb)"]
    assert generate.main(["--solutions", str(solutions), "--exercises", str(exercises)]) == 0
    assert generate.stale_exercises(solutions, exercises) == []
    (exercises / "orphan.ipynb").write_text("{}")
    assert generate.main(["--solutions", str(solutions), "--exercises", str(exercises),
                          "--check"]) == 1
    generate.write_exercises(solutions, exercises)
    assert not (exercises / "orphan.ipynb").exists()
