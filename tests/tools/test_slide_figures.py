"""Figures drawn for a lecture slide (tools/slide_figures.py): whatever size and type the
lesson's code chose, the SVG a deck shows fits the slide at its natural size (1 pt = 4/3 px)
and has no text under FIGURE_MIN_PT; an explorer is shown as the SVG of its figure."""

import re

import matplotlib
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from slide_figures import (
    FIGURE_MIN_PT,
    PAD_INCHES,
    PARTS_MIME,
    SLIDE_FIGURE_HEIGHT_PX,
    SLIDE_FIGURE_WIDTH_PX,
    SLIDE_RC,
    _part_box,
    _remember_explorer_figures,
    show_figure,
    slide_explorer,
    slide_figure,
)
from slides import LECTURE_MIN_PX

from course_lib import explorers, optim, surfaces
from course_lib.explorers import canvas


def size_px(svg):
    """The SVG's width and height in CSS px (matplotlib writes them in pt)."""
    width, height = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width) * 4 / 3, float(height) * 4 / 3


def font_sizes(svg):
    return [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]


@pytest.fixture(autouse=True)
def slide_rc():
    with matplotlib.rc_context(SLIDE_RC):
        yield


def test_the_smallest_figure_type_is_lecture_size():
    assert FIGURE_MIN_PT * 4 / 3 >= LECTURE_MIN_PX["figure"]


def test_small_type_is_raised_and_a_wide_figure_fits_the_slide():
    figure = Figure(figsize=(16, 6))
    for ax in figure.subplots(1, 3):
        ax.plot([1, 2, 3], label="a legend entry")
        ax.legend(fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("step t", fontsize="x-small")
        ax.annotate("minimum", (2, 2), fontsize=6)
    figure.tight_layout()
    svg = slide_figure(figure)["image/svg+xml"]
    width, height = size_px(svg)
    assert width <= SLIDE_FIGURE_WIDTH_PX and height <= SLIDE_FIGURE_HEIGHT_PX
    assert min(font_sizes(svg)) >= FIGURE_MIN_PT
    assert "minimum" in svg and svg.count("a legend entry") == 3  # text kept as text


def test_a_tall_single_panel_is_made_shorter():
    figure = Figure(figsize=(8, 9))
    figure.subplots().plot([0, 1])
    width, height = size_px(slide_figure(figure)["image/svg+xml"])
    assert height <= SLIDE_FIGURE_HEIGHT_PX


def test_rows_of_panels_taller_than_a_slide_are_cut_into_parts_that_fit():
    figure = Figure(figsize=(11, 15.5))
    for number, ax in enumerate(figure.subplots(5, 2).flat):
        ax.set_title(f"panel {number}")
    parts = slide_figure(figure)[PARTS_MIME]["svg"]
    assert len(parts) >= 3
    for part in parts:
        width, height = size_px(part)
        assert width <= SLIDE_FIGURE_WIDTH_PX and height <= SLIDE_FIGURE_HEIGHT_PX
    assert all(any(f"panel {n}" in part for part in parts) for n in range(10))


def test_a_part_reaches_at_most_halfway_to_the_next_group_of_rows():
    upper, lower = Bbox([[0, 5], [10, 8]]), Bbox([[0, 1], [10, 4.96]])   # 0.04 in apart
    top, bottom = _part_box([upper, lower], 0), _part_box([upper, lower], 1)
    assert top.y0 == pytest.approx(4.98) and bottom.y1 == pytest.approx(4.98)
    assert top.y1 == 8 + PAD_INCHES and bottom.y0 == 1 - PAD_INCHES
    assert top.x0 == bottom.x0 == -PAD_INCHES


def test_an_explorer_is_shown_as_the_svg_of_its_figure(monkeypatch):
    monkeypatch.setattr(canvas.ExplorerFigure, "layers", canvas.ExplorerFigure.layers)  # undone
    _remember_explorer_figures()
    box = explorers.explore_learning_rate(surfaces.Rosenbrock(), optim.SGD, lr=1e-3,
                                          start=(-1.2, 1.0), steps=30)
    overlay = box.children[-2].children[1]   # the Image of what moves, over the background
    before = overlay.value
    svg = slide_explorer(box)["image/svg+xml"]
    width, height = size_px(svg)
    assert width <= SLIDE_FIGURE_WIDTH_PX and height <= SLIDE_FIGURE_HEIGHT_PX
    assert "Rosenbrock" in svg or "loss" in svg.lower()
    # The explorer draws on its own figure as before: a copy was drawn for the slide.
    assert overlay.value == before


def test_a_box_that_is_no_explorer_is_shown_as_a_widget():
    import ipywidgets

    bundle = slide_explorer(ipywidgets.VBox([ipywidgets.Label("hello")]))
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_panel_title_wider_than_its_panel_is_broken_into_lines():
    figure = Figure(figsize=(11, 3.8))
    for ax in figure.subplots(1, 2):
        ax.set_title("update-to-weight ratio per layer: sick (sigmoid, Xavier)")
    svg = slide_figure(figure)["image/svg+xml"]
    assert "update-to-weight ratio per layer: sick (sigmoid, Xavier)" not in svg
    assert all(word in svg for word in ("update-to-weight", "(sigmoid,", "Xavier)"))


def test_widgets_showing_a_figure_in_an_output_are_shown_as_that_figure():
    import ipywidgets

    arena = ipywidgets.Output()
    arena.msg_id = "capturing"  # what `with arena:` sets in a kernel
    show_figure(Figure(figsize=(4, 3)))
    arena.msg_id = ""
    box = ipywidgets.VBox([ipywidgets.Dropdown(options=["a", "b"]), arena])
    assert slide_explorer(box)["image/svg+xml"].count("<svg") == 1


def test_a_title_with_a_formula_is_broken_into_lines_around_the_formula():
    title = r"1-D: the step $-\eta \nabla J(\theta)$ with η = 0.1 points to the minimum"
    figure = Figure(figsize=(11, 3.8))
    panels = figure.subplots(1, 3)
    for ax in panels:
        ax.set_title(title)
    slide_figure(figure)
    for ax in panels:
        lines = ax.title.get_text().split("\n")
        assert len(lines) > 1 and " ".join(lines) == title
        assert any(r"$-\eta \nabla J(\theta)$" in line for line in lines)
        assert any("η = 0.1" in line for line in lines)
        assert ax.title.get_window_extent().width <= ax.get_window_extent().width * 1.05


def test_a_long_y_label_keeps_its_direction_when_broken_into_lines():
    figure = Figure(figsize=(11, 2.5))
    ax = figure.subplots()
    ax.set_ylabel("distance to the optimum on a log scale, $|\\theta_t - \\theta^*|$",
                  rotation=270, labelpad=20)
    slide_figure(figure)
    assert "\n" in ax.yaxis.label.get_text() and ax.yaxis.label.get_rotation() == 270
