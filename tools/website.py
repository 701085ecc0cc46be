"""Build the course website with Jupyter Book: build/website/_build/html/index.html.

    make website                       # or: .venv/bin/python tools/website.py
    .venv/bin/python tools/website.py --out /tmp/site

The site has, in the left sidebar and in "previous / next" order: the course's home page
(README's introduction and syllabus), every lesson executed with its figures, a page per
exercise notebook with a download link, and the instructors' page (docs/instructors.md).
Full-text search and links between lessons are Jupyter Book's; formulas are typeset by
MathJax 2.7.7 copied beside the pages (the offline decks' copy, fetched once with npm into
build/.cache/npm/), so a page needs no internet.

The book's source is staged in <out>/source/ from the repository: lessons from the executed
cache of tools/slides.py (build/executed/), so a lesson runs once for decks and site alike;
exercises as they are (unexecuted). An explorer shows the last picture it drew, as an image
(``explorer_pictures``): a page has no kernel to move its sliders. Speaker notes (slide type
"notes") are left out of every page, whatever their tags. Jupyter Book 1.x on Sphinx is
used because it builds without any network access: its theme (sphinx-book-theme) ships
inside the Python package.
"""

from __future__ import annotations

import argparse
import base64
import io
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
from matplotlib.image import imread
from slides import BUILD, ROOT, WIDGET_STATE, copy_vendor_files, executed, lessons

from course_lib.explorers.canvas import encode_png, lay_over

TITLE = "First-order optimization for deep learning"
NOTES_TAG = "remove-cell"  # what Jupyter Book (myst-nb) leaves out of a page

CONFIG = f"""\
title: "{TITLE}"
author: "The course's authors"
copyright: ""
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_download_button: false
  home_page_in_navbar: true
  extra_footer: ""
sphinx:
  config:
    html_show_copyright: false
    html_last_updated_fmt: ""
    html_extra_path: ["_offline"]
    mathjax_path: "../mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    mathjax3_config: null
    mathjax2_config:
      messageStyle: "none"
      tex2jax:
        inlineMath: [['\\(', '\\)']]
        displayMath: [['\\[', '\\]']]
        processRefs: false
        processEnvironments: false
        # Jupyter Book marks the page "tex2jax_ignore" and each formula "math".
        processClass: "tex2jax_process|mathjax_process|math|output_area"
        ignoreClass: "tex2jax_ignore|mathjax_ignore|document"
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type"]
    nb_ipywidgets_js: {{}}
    # The theme's light/dark mode until a reader picks one: left empty, the theme writes
    # "Got invalid theme mode" to the console on a first visit.
    html_context: {{default_mode: auto}}
"""


def extensions() -> str:
    """The line of the book's config that lists its Sphinx extensions: Jupyter Book's own but
    sphinx_thebe. The site runs no code, and Sphinx put sphinx-thebe's inline script on every
    page twice, so the second threw "Identifier 'THEBE_JS_URL' has already been declared".
    (This list replaces Jupyter Book's: an extension the book needs goes here, not in
    ``sphinx.extra_extensions``.)"""
    from jupyter_book.config import get_default_sphinx_config

    names = [name for name in get_default_sphinx_config()["extensions"] if name != "sphinx_thebe"]
    return f"    extensions: [{', '.join(names)}]\n"


def readme_sections() -> tuple[str, str]:
    """The learners' part of README.md (up to "For instructors and developers") and
    docs/instructors.md, its links made relative to the site's root, where the page goes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    learners = readme[: readme.index("\n## For instructors and developers")]
    instructors = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    return learners, instructors.replace("](../", "](")


def site_links(markdown: str, pages: set[str], depth: int = 0) -> str:
    """Links to lessons and exercises stay (Jupyter Book turns them into page links); a link to
    a file the site does not have (course_lib/…, tools/…) keeps its text, without the link."""

    def keep_or_drop(match):
        text, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+://|#|mailto:", target):
            return match.group(0)
        path = target.split("#")[0]
        if path.removesuffix(".ipynb").removesuffix(".md") in pages:
            return match.group(0)
        return text

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", keep_or_drop, markdown)


def hide_speaker_notes(notebook):
    """Every speaker note tagged NOTES_TAG, so no page shows it."""
    for cell in notebook.cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            tags = cell.metadata.setdefault("tags", [])
            if NOTES_TAG not in tags:
                tags.append(NOTES_TAG)
    return notebook


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def explorer_pictures(notebook):
    """NOTEBOOK with each widget output replaced by the picture its widgets last showed.

    A page has no kernel and Jupyter Book loads no widget code, so an explorer would be an
    empty space. Its last picture is in the widget state nbclient saved in the notebook:
    the Image widgets of ``course_lib.explorers.wiring.picture`` (a background, an overlay
    laid over it) or the images an Output widget holds. They become one PNG, shown where
    the widgets were. The widget state, read by no page, is then left out of the book."""
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            layers = _pictures_in(view.get("model_id"), state)
            if layers:
                outputs.append(nbformat.v4.new_output("display_data", data={
                    "image/png": base64.b64encode(_laid_together(layers)).decode("ascii"),
                    "text/plain": "the explorer's figure: move its sliders in JupyterLab"}))
        cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return notebook


def _pictures_in(model_id, state):
    """The PNG images shown by widget MODEL_ID and the widgets inside it, in drawing order."""
    model = state.get(model_id)
    if model is None:
        return []
    if model.get("model_name") == "ImageModel":
        return [base64.b64decode(buffer["data"]) for buffer in model.get("buffers", [])
                if buffer.get("path") == ["value"] and buffer.get("data")]
    if model.get("model_name") == "OutputModel":
        return [base64.b64decode(out["data"]["image/png"])
                for out in model["state"].get("outputs", []) if "image/png" in out.get("data", {})]
    children = model.get("state", {}).get("children", [])
    return [png for child in children for png in _pictures_in(child.removeprefix("IPY_MODEL_"),
                                                               state)]


def _laid_together(pngs):
    """One PNG of the images PNGS laid one over the other, the first at the bottom (an
    explorer's overlay over its background); unless they are RGBA images of one size: then
    the one with the most pixels alone."""
    pixels = [np.rint(255 * imread(io.BytesIO(png), format="png")).astype(np.uint8)
              for png in pngs]
    if any(layer.ndim != 3 or layer.shape[-1] != 4 or layer.shape != pixels[0].shape
           for layer in pixels):
        return pngs[max(range(len(pngs)), key=lambda i: pixels[i].shape[0] * pixels[i].shape[1])]
    picture = pixels[0].copy()
    for layer in pixels[1:]:
        lay_over(picture, layer, 0, 0)
    return encode_png(picture)


def exercise_page(path: Path):
    """The exercise notebook, opened by a line with its download link."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(
        0,
        nbformat.v4.new_markdown_cell(
            f"**Download** {{download}}`{path.name} <../downloads/{path.name}>` and open it in "
            "JupyterLab beside the course (`make lab`): write your code where a cell says "
            "`raise NotImplementedError(...)`, run it, then run the `check(...)` cell below it."
        ),
    )
    return notebook


def stage(source: Path, paths: list[Path]) -> list[str]:
    """Write the book's source into SOURCE; return its pages in reading order."""
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    (source / "exercises").mkdir()
    (source / "downloads").mkdir()
    lesson_pages = [f"notebooks/{p.stem}" for p in paths]
    exercises = sorted((ROOT / "exercises").glob("*.ipynb"))
    exercise_pages = [f"exercises/{p.stem}" for p in exercises]
    pages = {*lesson_pages, *exercise_pages, "index", "instructors"}
    # Links inside the notebooks are relative to notebooks/ (../exercises/…): the same layout.
    known = {page.split("/")[-1] for page in pages} | {f"../{page}" for page in pages}
    for path in paths:
        notebook = explorer_pictures(hide_speaker_notes(executed(path)))
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = site_links(cell.source, known)
        notebook.metadata.pop("course_build", None)
        nbformat.write(notebook, source / "notebooks" / path.name)
    for path in exercises:
        nbformat.write(exercise_page(path), source / "exercises" / path.name)
        shutil.copy2(path, source / "downloads" / path.name)
    learners, instructors = readme_sections()
    (source / "index.md").write_text(site_links(learners, pages), encoding="utf-8")
    (source / "instructors.md").write_text(site_links(instructors, pages), encoding="utf-8")

    def chapters(names):
        return "".join(f"      - file: {name}\n" for name in names)

    (source / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n"
        f"  - caption: Lessons\n    chapters:\n{chapters(lesson_pages)}"
        f"  - caption: Exercises\n    chapters:\n{chapters(exercise_pages)}"
        f"  - caption: For instructors\n    chapters:\n{chapters(['instructors'])}",
        encoding="utf-8",
    )
    (source / "_config.yml").write_text(CONFIG + extensions(), encoding="utf-8")
    # MathJax beside the pages, not in _static/ (whose scripts every page would load): the
    # files the offline decks use (tools/slides.py), fetched once with npm.
    copy_vendor_files(source / "_offline", {"mathjax"})   # MathJax 2.7.7, as in the decks
    return ["index", *lesson_pages, *exercise_pages, "instructors"]


def build(out: Path, paths: list[Path] | None = None) -> Path:
    """Stage the book in OUT/source and build it into OUT/_build/html; return its index.html."""
    paths = paths if paths is not None else lessons()
    source = out / "source"
    stage(source, paths)
    subprocess.run(
        [
            Path(sys.executable).with_name("jupyter-book"),
            "build",
            str(source),
            "--path-output",
            str(out),
            "--warningiserror",
            "--keep-going",
        ],
        check=True,
    )
    return out / "_build" / "html" / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=BUILD / "website", help="output folder (default: build/website)"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    index = build(args.out)
    shown = index.relative_to(ROOT) if index.is_relative_to(ROOT) else index
    print(f"{shown} (built in {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
