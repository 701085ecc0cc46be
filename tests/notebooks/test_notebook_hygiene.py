"""Every committed notebook is valid nbformat 4, kernelspec python3, with no outputs.
"""

from pathlib import Path

import pytest
from strip_notebooks import course_notebooks, problems

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = course_notebooks(ROOT)


def test_the_course_has_notebooks():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS), f"no lessons found under {ROOT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_is_clean(path):
    found = problems(path)
    assert not found, "\n".join(found) + "\nRun `make strip` to clean the notebooks."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_cell_has_slide_metadata(path):
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    missing = [i for i, cell in enumerate(notebook.cells)
               if "slide_type" not in cell.metadata.get("slideshow", {})]
    assert not missing, f"{path}: cells {missing} have no metadata.slideshow.slide_type"
