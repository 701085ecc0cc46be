"""The decks (tools/slides.py) and the staging of the course website (tools/website.py).

Every lesson in notebooks/ is turned into a deck from its committed cells (fast: the structure
of a deck does not depend on outputs); the first lesson is also executed (once per run, in
the cache the website and the decks share) and rendered as a deck with its figures, as a
lecture deck and as an offline deck. The lecture deck's
treatment of outputs (console left out, a cut figure on several sub-slides) is tested on
small notebooks.
"""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from slides import (
    BUILD,
    PARTS_MIME,
    WIDGET_STATE,
    build_deck,
    deck_exporter,
    executed,
    install_vendor,
    lecture_notebook,
    lesson_title,
    lessons,
    link_lessons,
    remote_urls,
    ship_exercises,
    ship_figure_fonts,
    slide_metadata_problems,
    without_page_copies,
)
from website import hide_speaker_notes, site_links

LESSONS = lessons()


class _Deck(HTMLParser):
    """Counts a reveal.js deck's slides (outer <section>s), subslides (inner <section>s),
    speaker notes and fragments."""

    def __init__(self, html: str):
        super().__init__()
        self.depth = self.slides = self.subslides = self.notes = self.fragments = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section":
            self.depth += 1
            self.slides += self.depth == 1
            self.subslides += self.depth == 2
        elif tag == "aside" and "notes" in classes:
            self.notes += 1
        if "fragment" in classes:
            self.fragments += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def _expected(notebook):
    """Slides, subslides, notes and fragments the slide metadata asks for."""
    kinds = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in notebook.cells]
    shown = [k for k in kinds if k not in ("skip", "notes")]
    opens_with_slide = bool(shown) and shown[0] == "slide"
    slides = kinds.count("slide") + (not opens_with_slide)
    return {
        "slides": slides,
        "subslides": slides + kinds.count("subslide"),
        "notes": kinds.count("notes"),
        "fragments": kinds.count("fragment"),
    }


def _shown_outputs(notebook):
    """(outputs, figures) of the code cells a deck shows."""
    outputs = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.metadata.get("slideshow", {}).get("slide_type") != "skip"
        for output in cell.get("outputs", [])
    ]
    return len(outputs), sum("image/png" in output.get("data", {}) for output in outputs)


@pytest.fixture(scope="session")
def first_lesson_executed():
    """The first lesson executed: (path, notebook), from the cache of tools/slides.py, which
    the website and the decks share (one execution per run, whichever test asks first)."""
    if not LESSONS:
        pytest.fail("no lessons in notebooks/")
    return LESSONS[0], executed(LESSONS[0])


def test_lessons_are_found_in_course_order():
    assert LESSONS, "no lessons in notebooks/"
    assert [p.name for p in LESSONS] == sorted(p.name for p in LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_deck_has_a_section_per_slide(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    assert not slide_metadata_problems(notebook)
    deck = build_deck(notebook, path.stem, tmp_path)
    found = _Deck(deck.read_text(encoding="utf-8"))
    expected = _expected(notebook)
    assert found.slides >= 2, f"{path.name}: a lesson deck needs more than a title slide"
    assert (found.slides, found.subslides, found.notes) == (
        expected["slides"],
        expected["subslides"],
        expected["notes"],
    )
    assert found.fragments >= expected["fragments"]


def test_executed_deck_shows_the_outputs_and_figures(first_lesson_executed, tmp_path):
    path, notebook = first_lesson_executed
    outputs, figures = _shown_outputs(notebook)
    assert outputs > 0, f"{path.name}: executing the lesson shows no output on its slides"
    html = build_deck(notebook, path.stem, tmp_path).read_text(encoding="utf-8")
    assert len(re.findall(r'class="[^"]*\bjp-OutputArea-output\b', html)) >= outputs
    assert html.count('src="data:image/png;base64,') >= figures


def test_offline_deck_loads_nothing_from_the_internet(first_lesson_executed, tmp_path):
    if shutil.which("npm") is None and not (BUILD / ".cache" / "npm").exists():
        pytest.skip("npm not found: offline decks fetch reveal.js and MathJax with npm once")
    path, notebook = first_lesson_executed
    install_vendor(tmp_path)
    deck = build_deck(notebook, path.stem, tmp_path, offline=True)
    html = deck.read_text(encoding="utf-8")
    assert remote_urls(html) == []
    for local in (
        "vendor/reveal.js/dist/reveal.js",
        "vendor/reveal.js/plugin/notes/notes.js",
        "vendor/require.js",
        "vendor/mathjax/MathJax.js",
        "vendor/mathjax/config/TeX-AMS_CHTML-full.js",
        "vendor/mathjax/config/Safe.js",
        "vendor/html-manager/embed-amd.js",
        "vendor/reveal.js/dist/theme/white.css",
    ):
        assert (tmp_path / local).is_file(), local
        assert local.split("/")[-1] in html or local.startswith("vendor/mathjax/config"), local


def test_online_deck_lists_its_cdn_files(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# T", metadata={"slideshow": {"slide_type": "slide"}})
        ]
    )
    html = build_deck(notebook, "t", tmp_path).read_text(encoding="utf-8")
    found = remote_urls(html)
    assert "https://unpkg.com/reveal.js@4.0.2/dist/reveal.js" in found
    assert any("mathjax" in url for url in found)
    assert not any("fonts.googleapis" in url for url in found)


def test_slide_metadata_problems_name_the_cell():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# T", metadata={"slideshow": {"slide_type": "slide"}}),
            nbformat.v4.new_code_cell("1"),
            nbformat.v4.new_markdown_cell("x", metadata={"slideshow": {"slide_type": "sub-slide"}}),
        ]
    )
    problems = slide_metadata_problems(notebook)
    assert len(problems) == 2
    assert problems[0].startswith("cell 1 (code) has no")
    assert "'sub-slide'" in problems[1]


def test_remote_urls_ignores_links_and_local_files():
    page = """<link rel="stylesheet" href="vendor/reveal.js/dist/reveal.css">
    <script src="https://cdn.example.org/a.js"></script>
    <a href="https://pytorch.org/docs">docs</a>
    <style>@import url(https://fonts.example.org/f.css);</style>
    <script>require(["//cdn.example.org/b.js", "vendor/c.js"], function () {});</script>"""
    assert remote_urls(page) == [
        "//cdn.example.org/b.js",
        "https://cdn.example.org/a.js",
        "https://fonts.example.org/f.css",
    ]


def test_lecture_deck_shows_the_lessons_figures_without_code(first_lesson_executed, tmp_path):
    path, notebook = first_lesson_executed
    with_code = build_deck(notebook, path.stem, tmp_path).read_text(encoding="utf-8")
    deck = build_deck(notebook, path.stem, tmp_path, hide_code=True)
    assert deck.name == f"{path.stem}.no-code.slides.html"
    html = deck.read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*\bjp-InputArea-editor\b', with_code)  # code cells' source
    assert not re.search(r'class="[^"]*\bjp-InputArea-editor\b', html)
    assert _Deck(html).slides == _Deck(with_code).slides  # every section keeps its slide
    _, figures = _shown_outputs(notebook)
    assert html.count('src="data:image/png;base64,') >= figures


def test_links_between_lessons_go_to_the_decks_beside_them():
    page = link_lessons(
        '<a href="02_sgd.ipynb#recap">next</a> <a href="x.ipynb">',
        ["02_sgd"],
        lambda stem: f"{stem}.no-code.slides.html",
    )
    assert page == '<a href="02_sgd.no-code.slides.html#recap">next</a> <a href="x.ipynb">'
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("Intro\n## Lesson 2: SGD")]
    )
    assert lesson_title(notebook, "fallback") == "Lesson 2: SGD"


def _cell(kind, slide_type, outputs=(), source="x"):
    if kind == "markdown":
        cell = nbformat.v4.new_markdown_cell(source)
    else:
        cell = nbformat.v4.new_code_cell(source, outputs=list(outputs))
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def test_lecture_deck_leaves_console_output_out_and_keeps_the_slide_it_opened():
    printed = nbformat.v4.new_output("stream", name="stdout", text="0.1234567890123456\n")
    value = nbformat.v4.new_output("execute_result", data={"text/plain": "array([1.])"})
    figure = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"})
    notebook = nbformat.v4.new_notebook(
        cells=[
            _cell("markdown", "slide", source="# Title"),
            _cell("code", "subslide", [printed, value]),  # only console: left out
            _cell("markdown", "-", source="the text after it"),
            _cell("code", "-", [printed, figure]),  # the figure stays, the print goes
            _cell("markdown", "notes", source="Say this."),
        ]
    )
    lecture = lecture_notebook(notebook)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in lecture.cells]
    assert kinds == ["slide", "subslide", "-", "notes"]  # the text opens the sub-slide
    assert lecture.cells[1].source == "the text after it"
    assert [o.output_type for o in lecture.cells[2].outputs] == ["display_data"]
    assert len(notebook.cells) == 5 and notebook.cells[1].outputs  # the lesson is unchanged


def test_a_figure_cut_into_parts_takes_one_sub_slide_per_part():
    parts = {
        PARTS_MIME: {"svg": ["<svg>a</svg>", "<svg>b</svg>", "<svg>c</svg>"]},
        "image/svg+xml": "<svg>whole</svg>",
        "text/plain": "<Figure>",
    }
    notebook = nbformat.v4.new_notebook(
        cells=[
            _cell("markdown", "slide", source="# T"),
            _cell("code", "subslide", [nbformat.v4.new_output("display_data", data=parts)]),
        ]
    )
    lecture = lecture_notebook(notebook)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in lecture.cells]
    assert kinds == ["slide", "subslide", "subslide", "subslide"]
    assert [c.outputs[0].data["image/svg+xml"] for c in lecture.cells[1:]] == [
        "<svg>a</svg>",
        "<svg>b</svg>",
        "<svg>c</svg>",
    ]
    assert len({c.id for c in lecture.cells}) == 4


def test_scale_lays_lecture_slides_out_on_a_larger_canvas():
    lecture = deck_exporter(False, True)
    assert (lecture.reveal_width, lecture.reveal_height) == ("1280", "720")
    smaller_room = deck_exporter(False, True, scale=0.8)
    assert (smaller_room.reveal_width, smaller_room.reveal_height) == ("1600", "900")
    with pytest.raises(ValueError, match="scale must be between 0.4 and 1.5"):
        deck_exporter(False, True, scale=0)


def test_the_website_hides_speaker_notes_and_links_to_missing_files():
    notebook = nbformat.v4.new_notebook(cells=[_cell("markdown", "notes", source="Say this.")])
    assert hide_speaker_notes(notebook).cells[0].metadata["tags"] == ["remove-cell"]
    text = "[lesson 2](02_sgd.ipynb#x), [the code](../course_lib/optim/sgd.py), [web](https://a.b)"
    assert site_links(text, {"02_sgd"}) == "[lesson 2](02_sgd.ipynb#x), the code, [web](https://a.b)"


def test_deck_and_page_are_titled_by_the_lesson_heading(tmp_path):
    heading = nbformat.v4.new_markdown_cell(
        "# Lesson 9: Title", metadata={"slideshow": {"slide_type": "slide"}}
    )
    notebook = nbformat.v4.new_notebook(cells=[heading])
    html = build_deck(notebook, "09_x", tmp_path).read_text(encoding="utf-8")
    assert "<title>Lesson 9: Title slides</title>" in html
    assert "title" not in notebook.metadata  # the lesson itself is left alone


def test_linked_exercises_ship_with_the_pages(tmp_path):
    exercises = sorted((Path(__file__).resolve().parents[2] / "exercises").glob("*.ipynb"))
    if not exercises:
        pytest.fail("no exercise notebooks in exercises/")
    name = exercises[0].name
    page = f'<a href="../exercises/{name}">exercise</a> <a href="../exercises/none.ipynb">x</a>'
    assert ship_exercises(page, tmp_path) == (
        f'<a href="exercises/{name}">exercise</a> <a href="../exercises/none.ipynb">x</a>'
    )
    assert (tmp_path / "exercises" / name).read_bytes() == exercises[0].read_bytes()


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch, tmp_path):
    # Two kernels starting at once can race for the same port; the build retries that case only.
    import slides as slides_module

    calls = []

    class FlakyClient:
        def __init__(self, notebook, **_):
            self.notebook = notebook

        def execute(self):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("Kernel died before replying to kernel_info")

    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    monkeypatch.setattr(slides_module, "NotebookClient", FlakyClient)
    assert slides_module._execute(path).nbformat == 4
    assert len(calls) == 2

    class BrokenClient(FlakyClient):
        def execute(self):
            raise RuntimeError("something else")

    monkeypatch.setattr(slides_module, "NotebookClient", BrokenClient)
    with pytest.raises(RuntimeError, match="something else"):
        slides_module._execute(path)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_section_has_speaker_notes_hidden_from_learners(path):
    # A section starts at a Markdown cell opening with a level-1 or level-2 heading; its note
    # is a cell of slide type "notes" before the next section. JupyterLab shows a note
    # collapsed (jupyter.source_hidden), the website leaves it out (tag remove-cell).
    sections, shown = [], []
    for cell in nbformat.read(path, as_version=4).cells:
        is_note = cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source):
            sections.append([cell.source.splitlines()[0], 0])
        elif is_note and sections:
            sections[-1][1] += 1
        if is_note and not (
            "remove-cell" in cell.metadata.get("tags", [])
            and cell.metadata.get("jupyter", {}).get("source_hidden") is True
        ):
            shown.append(cell.source[:60])
    assert sections, f"{path.name} has no sections"
    assert [title for title, notes in sections if not notes] == [], "sections without notes"
    assert shown == [], "speaker notes a learner would see"


def test_builds_at_the_same_time_execute_a_lesson_once(monkeypatch, tmp_path):
    # The test workers, a deck and the website share the cache: the second build waits for the
    # first one's execution and reads it, and no half-written copy is ever read.
    import threading
    import time

    import slides as slides_module

    runs = []

    def slow_execute(path, setup=""):
        runs.append(path)
        time.sleep(0.5)
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])

    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    cache = tmp_path / "cache"
    monkeypatch.setattr(slides_module, "_execute", slow_execute)
    got = []
    builds = [threading.Thread(target=lambda: got.append(slides_module.executed(path, cache)))
              for _ in range(2)]
    for build in builds:
        build.start()
    for build in builds:
        build.join()
    assert len(runs) == 1 and len(got) == 2
    assert got[0].metadata["course_build"] == got[1].metadata["course_build"]
    assert sorted(p.name for p in cache.iterdir()) == ["lesson.ipynb", "lesson.ipynb.lock"]


def test_a_deck_leaves_out_the_explorers_page_copies_and_keeps_their_pictures():
    """The page copies (course_lib/explorers/browser_copy.py) serve a live kernel; a deck's
    widget renderer would fetch their code from the network. The Image widgets stay."""
    notebook = nbformat.v4.new_notebook()
    state = {"copy": {"model_module": "anywidget", "model_name": "AnyModel", "state": {}},
             "image": {"model_module": "@jupyter-widgets/controls", "model_name": "ImageModel",
                       "state": {}}}
    notebook.metadata["widgets"] = {WIDGET_STATE: {"state": state}}
    kept = without_page_copies(notebook).metadata["widgets"][WIDGET_STATE]["state"]
    assert list(kept) == ["image"]
    assert list(state) == ["copy", "image"], "the notebook given is left as it was"


def test_the_fonts_the_figures_name_are_shipped_with_the_deck(tmp_path):
    page = ("<html><head></head><body><svg><text style=\"font: 15px 'DejaVu Sans'; "
            "font-family: 'DejaVu Sans', sans-serif\">a</text><text style=\"font-family: "
            "'STIXNonUnicode'\">E</text></svg></body></html>")
    shipped = ship_figure_fonts(page, tmp_path)
    face = r"@font-face \{ font-family: '([^']+)'; src: url\('fonts/([^']+)'\)"
    faces = re.findall(face, shipped)
    assert {family for family, _ in faces} == {"DejaVu Sans", "STIXNonUnicode"}
    assert ("DejaVu Sans", "DejaVuSans.ttf") in faces
    assert all((tmp_path / "fonts" / name).is_file() for _, name in faces)
    assert (tmp_path / "fonts" / "LICENSE_STIX").is_file()
    assert shipped.index("@font-face") < shipped.index("</head>")
    no_figure = "<html><head></head><body>no figure</body></html>"
    assert ship_figure_fonts(no_figure, tmp_path / "none") == no_figure
    assert not (tmp_path / "none").exists()
