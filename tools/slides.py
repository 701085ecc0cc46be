"""Build a reveal.js slide deck from every lesson in notebooks/.

    .venv/bin/python tools/slides.py               # build/slides/ (reveal.js from a CDN)
    .venv/bin/python tools/slides.py --offline     # self-contained, in build/slides-offline/
    .venv/bin/python tools/slides.py --hide-code   # the lecture decks: figures, no code
    .venv/bin/python tools/slides.py --hide-code --scale 0.8   # the same for a smaller room
    .venv/bin/python tools/slides.py notebooks/01_gradient_descent.ipynb

Each lesson is executed once, so its figures are in the deck; the executed copy is cached in
build/executed/ and reused while neither the lesson, course_lib nor data/ changes
(tools/website.py and the tests share the cache; builds running at the same time wait for one
another's execution instead of repeating it). The deck is what `jupyter nbconvert --to
slides` makes, with our choices: the "white" reveal.js theme (its fonts ship with reveal.js,
no web font is fetched), slide numbers, links to other lessons pointing at their decks and
exercise notebooks copied beside the decks (exercises/), and speaker notes (cells of slide
type "notes") in the speaker view (S).

--hide-code writes <lesson>.no-code.slides.html, the lecture deck: sized for a large room at
1280 x 720 (LECTURE_CSS: 26-px text, 21-px code; LECTURE_MIN_PX are the floors the deck test
holds them to), the lesson executed a second time with its figures drawn for the slide
(tools/slide_figures.py: SVG, 14-15 pt type and none under 13 pt, sized to fit the slide, a
figure taller than a slide cut into rows, each on its own sub-slide, an explorer shown as the
SVG of its figure; cached in build/executed-lecture/; the fonts those SVGs name are copied
from Matplotlib into fonts/ beside the deck, so their text looks the same on any machine),
and console output left out (a number the lecture needs is in a table, a sentence or the
speaker notes). --scale S lays the
slides out on a canvas 1/S times larger, so everything is S times smaller on the screen.

--offline is for a lecture room without internet: reveal.js, require.js, jQuery, MathJax and
the widget renderer are downloaded once with `npm pack` (the npm registry, cached in
build/.cache/npm/) and copied into a vendor/ folder beside the decks, which then reference
nothing outside that folder. Copy the whole output folder to the lecture machine and open a
deck in a browser.

Every cell should say how it shows up in the deck (metadata.slideshow.slide_type); cells
without it are reported on stderr.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbconvert import SlidesExporter

try:
    import fcntl
except ImportError:  # Windows: no lock; two builds at the same moment may both run a lesson
    fcntl = None

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
PARTS_MIME = "application/vnd.course.slide-parts+json"  # tools/slide_figures.py
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
EXECUTION_TIMEOUT = 300  # seconds per cell

# The versions nbconvert's reveal template is written for (reveal.js 4.0.2, MathJax 2.7.7 with
# its MathJax.Hub API, require.js 2.1.10) and the widget renderer for ipywidgets 8.
NPM_PACKAGES = {
    "reveal.js": "4.0.2",
    "requirejs": "2.1.10",
    "jquery": "3.7.1",
    "mathjax": "2.7.7",
    "@jupyter-widgets/html-manager": "1.0.7",
}
# What the decks load from vendor/, as (npm package, path inside it, path under vendor/).
# Source maps, ES-module builds, the non-AMD widget bundles and legacy font formats are left out.
VENDOR_FILES = [
    ("reveal.js", "dist", "reveal.js/dist"),
    ("reveal.js", "plugin/notes", "reveal.js/plugin/notes"),
    ("reveal.js", "LICENSE", "reveal.js/LICENSE"),
    ("requirejs", "require.js", "require.js"),
    ("jquery", "dist/jquery.min.js", "jquery.min.js"),
    ("jquery", "LICENSE.txt", "jquery.LICENSE.txt"),
    ("mathjax", "MathJax.js", "mathjax/MathJax.js"),
    ("mathjax", "LICENSE", "mathjax/LICENSE"),
    ("mathjax", "config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax", "config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax", "extensions", "mathjax/extensions"),
    ("mathjax", "jax/element", "mathjax/jax/element"),
    ("mathjax", "jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax", "jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax", "jax/output/PreviewHTML", "mathjax/jax/output/PreviewHTML"),
    ("mathjax", "fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax", "localization/en", "mathjax/localization/en"),
    ("@jupyter-widgets/html-manager", "dist", "html-manager"),
]
OFFLINE_URLS = {
    "reveal_url_prefix": "vendor/reveal.js",
    "require_js_url": "vendor/require.js",
    "jquery_url": "vendor/jquery.min.js",
    "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "widget_renderer_url": "vendor/html-manager/embed-amd.js",
}

# nbconvert's reveal template, without the mermaid diagram loader (a CDN module no lesson
# uses), with our styles (DECK_CSS or LECTURE_CSS) and window.Reveal for the tests.
DECK_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block html_head_css %}
<style type="text/css">
{{ resources.course_css }}
</style>
<script type="text/x-mathjax-config">
// Formulas on hidden slides are laid out with zero width; automatic line breaks would then
// split them at every operator.
MathJax.Hub.Config({CommonHTML: {linebreaks: {automatic: false}}});
</script>
{% endblock html_head_css %}
{% block data_svg scoped -%}
{%- if resources.course_lecture -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock data_svg %}
{% block footer_js %}
{%- if resources.course_lecture %}
<script>
// reveal.js started as nbconvert starts it, but without typesetting the formulas of a slide
// again each time it is entered (up to 3 s for a slide full of formulas, flickering on the
// screen): course_split_js typesets every slide once, at its real size. A lecture slide
// fills the screen (margin 0): the sizes in LECTURE_CSS are the sizes the room sees.
require({waitSeconds: 15}, ["{{ resources.reveal.url_prefix }}/dist/reveal.js",
                            "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
        function (Reveal, RevealNotes) {
  Reveal.initialize({controls: true, progress: true, history: true, margin: 0,
                     transition: "{{ resources.reveal.transition }}",
                     slideNumber: "{{ resources.reveal.number }}", plugins: [RevealNotes],
                     width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }}});
  window.Reveal = Reveal;   // for the browser console and the tests
  {{ resources.course_split_js }}
});
</script>
{%- else %}
{{ super() }}
<script>
// window.Reveal, for the browser console and the tests (reveal.js is loaded as an AMD module).
require(["{{ resources.reveal.url_prefix }}/dist/reveal.js"], function (Reveal) {
  window.Reveal = Reveal;
  // nbconvert makes a slide taller than the screen scroll when it is entered; do the same for
  // the slide the deck opens on.
  function scrollIfTall() {
    var limit = document.querySelector(".reveal").offsetHeight * 0.95;
    var slide = Reveal.getCurrentSlide();
    if (slide && slide.offsetHeight > limit) {
      slide.style.height = "calc(95vh)";
      slide.style.overflowY = "scroll";
      slide.style.marginTop = "20px";
    }
  }
  if (Reveal.isReady()) { scrollIfTall(); } else { Reveal.on("ready", scrollIfTall); }
});
</script>
{%- endif %}
{% endblock footer_js %}
"""

# The deck with code: the notebook's sizes, on a 1280 x 720 slide that scrolls when taller.
DECK_CSS = """
.reveal .slides { text-align: left; }
.reveal .slides h1, .reveal .slides h2, .reveal .slides h3 { text-transform: none; }
.reveal .jp-RenderedImage img { max-height: 520px; width: auto; }
:root {
    --jp-content-font-size1: 18px;
    --jp-code-font-size: 16px;
    --jp-cell-prompt-width: 80px;
}
.reveal .jp-OutputArea-output pre { font-size: 15px; }
.reveal .jupyter-widgets { --jp-widgets-font-size: 14px; font-size: 14px; }
.reveal table { table-layout: auto; }
"""

# The lecture deck (no code): sizes in CSS px of the 1280 x 720 slide, chosen for a large room
# (LECTURE_MIN_PX); figures are drawn for the slide by tools/slide_figures.py.
LECTURE_MIN_PX = {"text": 24, "code": 20, "figure": 16}
LECTURE_CSS = """
.reveal .slides { text-align: left; }
.reveal .slides section .jp-Cell { padding: 0 40px; }
:root {
    --jp-content-font-size1: 26px;
    --jp-code-font-size: 21px;
    --jp-ui-font-size1: 24px;
    --jp-content-line-height: 1.35;
    --jp-cell-prompt-width: 0px;
}
.reveal .slides section .jp-RenderedHTMLCommon { font-size: 26px; line-height: 1.35; }
.reveal .slides section .jp-RenderedHTMLCommon p { margin: 0 0 14px 0; }
.reveal .slides section .jp-RenderedHTMLCommon li { margin-bottom: 6px; }
.reveal .slides h1, .reveal .slides h2, .reveal .slides h3 {
    text-transform: none; margin: 0 0 18px 0; line-height: 1.15;
}
.reveal .slides h1 { font-size: 50px; }
.reveal .slides h2 { font-size: 42px; }
.reveal .slides h3 { font-size: 34px; }
.reveal .slides section .jp-RenderedHTMLCommon table { font-size: 24px; table-layout: auto; }
.reveal .slides section .jp-RenderedHTMLCommon td,
.reveal .slides section .jp-RenderedHTMLCommon th { padding: 4px 12px; }
.reveal .slides section code, .reveal .slides section pre { font-size: 21px; }
.reveal .slides section .jp-RenderedHTMLCommon pre { font-size: 21px; line-height: 1.3; }
.reveal .jp-OutputArea-output pre { font-size: 21px; }
.reveal .jp-RenderedSVG, .reveal .jp-RenderedImage { text-align: center; }
.reveal .jp-RenderedSVG svg { max-width: 100%; height: auto; }
.reveal .jp-RenderedImage img { max-width: 100%; max-height: 600px; width: auto; height: auto; }
.reveal .jupyter-widgets { --jp-widgets-font-size: 24px; font-size: 24px; }
.reveal .widget-label, .reveal .widget-readout { font-size: 24px; }
.reveal details summary { font-size: 26px; }
"""


# In a lecture deck, once MathJax has typeset the formulas: a slide whose content is taller
# than the screen is cut, between paragraphs, list items, table rows, formulas or outputs,
# into as many sub-slides as it needs (the speaker note stays with the first). The cut is made
# in the browser, where the heights are known; the lesson's own slides are not changed.
SPLIT_TALL_SLIDES_JS = """
  var CUTTABLE = /^(UL|OL|DETAILS|BLOCKQUOTE|TABLE|TBODY)$/;
  function contentOf(unit) {
    // a code cell's outputs (some of them Markdown), or a Markdown cell's text
    return unit.querySelector(".jp-OutputArea") || unit.querySelector(".jp-RenderedMarkdown");
  }
  function below(element, top, limit) {
    return (element.getBoundingClientRect().bottom - top) / Reveal.getScale() > limit;
  }
  // The children of CONTAINER from the first one reaching below LIMIT on, moved into a copy
  // of it (a list goes on numbering; the rest of an answer keeps no second summary); a child
  // that can be cut is cut rather than moved whole. Null when nothing would stay behind.
  function cutTail(container, top, limit) {
    var kids = Array.prototype.slice.call(container.children);
    for (var i = 0; i < kids.length; i++) {
      if (!below(kids[i], top, limit)) { continue; }
      var rest = container.tagName === "DETAILS" ? document.createElement("div")
        : container.cloneNode(false);
      if (container.tagName === "OL") { rest.start = (container.start || 1) + i; }
      if (container.tagName === "TABLE" && container.tHead && kids[i] !== container.tHead) {
        rest.appendChild(container.tHead.cloneNode(true));  // the rest of a table keeps its head
      }
      var inner = CUTTABLE.test(kids[i].tagName) ? cutTail(kids[i], top, limit) : null;
      if (inner) { rest.appendChild(inner); i += 1; }
      else if (i === 0) { return null; }
      kids.slice(i).forEach(function (kid) { rest.appendChild(kid); });
      return rest;
    }
    return null;
  }
  function cutIfTall(section, limit) {
    var shown = section.style.display;
    section.style.display = "block";  // and its slide (splitTallSlides): laid out, unseen
    var top = section.getBoundingClientRect().top, next = null;
    var units = Array.prototype.slice.call(section.children).filter(function (unit) {
      return unit.tagName !== "ASIDE" && contentOf(unit); });
    for (var u = 0; u < units.length && !next; u++) {
      var box = contentOf(units[u]), blocks = Array.prototype.slice.call(box.children);
      for (var b = 0; b < blocks.length; b++) {
        if (!below(blocks[b], top, limit)) { continue; }
        var moved = units[u].cloneNode(true);
        var movedBox = contentOf(moved);
        movedBox.innerHTML = "";
        var tail = CUTTABLE.test(blocks[b].tagName) ? cutTail(blocks[b], top, limit) : null;
        if (tail) { movedBox.appendChild(tail); b += 1; }
        else if (u === 0 && b === 0) { b = 1; }  // taller than the screen alone: cut after it
        blocks.slice(b).forEach(function (block) { movedBox.appendChild(block); });
        next = document.createElement("section");
        if (movedBox.children.length) { next.appendChild(moved); }
        units.slice(u + 1).forEach(function (unit) { next.appendChild(unit); });
        break;
      }
    }
    section.style.display = shown;
    if (next && next.children.length) {
      section.parentNode.insertBefore(next, section.nextSibling);
      return next;
    }
    return null;
  }
  function splitTallSlides() {
    var limit = Reveal.getConfig().height - 24;
    var sections = Array.prototype.slice.call(
      document.querySelectorAll(".reveal .slides > section > section"));
    var slides = Array.prototype.slice.call(
      document.querySelectorAll(".reveal .slides > section"));
    document.querySelectorAll(".reveal details").forEach(function (d) { d.open = true; });
    var typeset = false, resized = null;
    // Cut every slide still taller than the screen. It runs once MathJax has typeset the
    // formulas at their real size; if MathJax is still busy after WAIT_MS (a slow machine, or
    // a typesetting request of the widget renderer it waits on for ever), it runs with the
    // formulas as they are then, and again, with their final sizes, when MathJax finishes.
    var cut = function (final) {
      if (typeset) { return; }
      typeset = final;
      sections.concat(slides).forEach(function (s) { s.style.display = "block"; });
      var queue = Array.prototype.slice.call(
        document.querySelectorAll(".reveal .slides > section > section"));
      while (queue.length) {
        var section = queue.shift(), added = cutIfTall(section, limit);
        // What stays can grow once the rest has gone (a table's columns are sized anew): it
        // is checked again, before what was cut off.
        if (added) { queue.unshift(section, added); }
      }
      Array.prototype.slice.call(document.querySelectorAll(".reveal .slides section")).concat(
        [document.querySelector(".reveal .slides")]).forEach(
        function (s) { s.style.display = ""; s.style.visibility = ""; });
      Reveal.sync();
      var at = Reveal.getIndices();
      Reveal.slide(at.h, at.v);
      // A slide changes height after it is laid out (formulas typeset again when it is shown,
      // answers revealed): centre it again each time, so it stays within the screen.
      if (!resized) { resized = new ResizeObserver(function () { Reveal.layout(); }); }
      document.querySelectorAll(".reveal .slides section").forEach(function (section) {
        resized.observe(section); });
      // "done" once the formulas had their final sizes (what the deck test waits for).
      document.body.dataset.slidesSplit = final ? "done" : "before-typesetting";
    };
    if (!window.MathJax || !window.MathJax.Hub) { cut(true); return; }
    // Formulas on slides that were hidden were laid out at zero width: lay every slide out,
    // unseen, and typeset them again at their real size before measuring.
    document.querySelector(".reveal .slides").style.visibility = "hidden";
    sections.concat(slides).forEach(function (s) { s.style.display = "block"; });
    window.MathJax.Hub.Queue(["Rerender", window.MathJax.Hub, document.querySelector(".reveal")]);
    window.MathJax.Hub.Queue(function () {
      document.fonts.ready.then(function () { cut(true); }); });
    setTimeout(function () { cut(false); }, WAIT_MS);
  }
  var WAIT_MS = 30000;
  var started = false;
  function whenReady() {
    if (started) { return; }
    started = true;
    if (Reveal.isReady()) { splitTallSlides(); } else { Reveal.on("ready", splitTallSlides); }
  }
  if (window.MathJax && window.MathJax.Hub) {
    window.MathJax.Hub.Queue(whenReady);
    setTimeout(whenReady, WAIT_MS);  // the same wait for ever as below
  } else { whenReady(); }
"""


def lessons(root: Path = ROOT) -> list[Path]:
    """The lesson notebooks, in course order (notebooks/00_…, 01_…, …)."""
    return sorted(p for p in (root / "notebooks").glob("*.ipynb") if not p.name.startswith("."))


def lesson_title(notebook, fallback: str) -> str:
    """The text of the lesson's first Markdown heading, or FALLBACK."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#+\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def titled(notebook, fallback: str):
    """A copy of NOTEBOOK whose metadata.title (the page's <title>) is its first heading."""
    title = notebook.metadata.get("title") or lesson_title(notebook, fallback)
    return nbformat.from_dict({**notebook, "metadata": {**notebook.metadata, "title": title}})


def slide_metadata_problems(notebook) -> list[str]:
    """Cells whose metadata.slideshow.slide_type is missing or not a reveal.js slide type."""
    found = []
    for index, cell in enumerate(notebook.cells):
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        if slide_type is None:
            found.append(f"cell {index} ({cell.cell_type}) has no metadata.slideshow.slide_type")
        elif slide_type not in SLIDE_TYPES:
            found.append(f"cell {index}: slide_type {slide_type!r} is not one of {SLIDE_TYPES}")
    return found


SLIDE_FIGURES = ROOT / "tools" / "slide_figures.py"


def _source_hash(path: Path, setup: str = "") -> str:
    """Hash of the lesson, of course_lib, of the data the lessons load (data/) and of the
    set-up code run before the lesson: the executed copy is stale when any of them changes."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(setup.encode())
    sources = sorted((ROOT / "course_lib").rglob("*.py")) + sorted(
        p for p in (ROOT / "data").rglob("*") if p.is_file()
    )
    for source in sources:
        digest.update(source.relative_to(ROOT).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _cached(cached: Path, key: str):
    """The executed notebook at CACHED when it was made from sources hashing to KEY, or None."""
    if cached.exists():
        notebook = nbformat.read(cached, as_version=4)
        if notebook.metadata.get("course_build", {}).get("source_hash") == key:
            return notebook
    return None


def executed(path: Path, cache: Path = BUILD / "executed", setup: str = ""):
    """The lesson run top to bottom in its own folder, from the cache when it is up to date.
    SETUP, when given, is code run in the same kernel before the lesson's first cell (its own
    output is not kept).

    Builds running at the same time (the test workers, a deck and the website) share the cache:
    one executes the lesson while holding CACHE/<lesson>.lock, the others wait for it and read
    what it wrote (written whole under another name, then renamed into place)."""
    path = Path(path).resolve()
    key = _source_hash(path, setup)
    cached = cache / path.name
    notebook = _cached(cached, key)
    if notebook is not None:
        return notebook
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{path.name}.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file is closed
        notebook = _cached(cached, key)   # written by another build while this one waited
        if notebook is not None:
            return notebook
        notebook = _execute(path, setup)
        notebook.metadata["course_build"] = {"source_hash": key}
        partial = cache / f".{path.name}.{os.getpid()}.partial"
        nbformat.write(notebook, partial)
        os.replace(partial, cached)
    return notebook


def lecture_executed(path: Path, cache: Path = BUILD / "executed-lecture"):
    """The lesson executed with its figures drawn for the slide (tools/slide_figures.py)."""
    return executed(path, cache, setup=SLIDE_FIGURES.read_text(encoding="utf-8"))


def _execute(path: Path, setup: str = "", attempts: int = 3):
    """Run the lesson in a fresh kernel. A kernel that dies before it answers is started again:
    jupyter_client picks free ports and binds them later, so another kernel starting at the
    same moment (parallel tests) can take one of them first."""
    for attempt in range(1, attempts + 1):
        notebook = nbformat.read(path, as_version=4)
        if setup:
            notebook.cells.insert(0, nbformat.v4.new_code_cell(setup))
        try:
            NotebookClient(
                notebook,
                timeout=EXECUTION_TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
            if setup:
                del notebook.cells[0]
            return notebook
        except RuntimeError as error:
            if "Kernel died before replying" not in str(error) or attempt == attempts:
                raise


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _with_slide_type(cell, kind: str):
    cell = copy.deepcopy(cell)
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    return cell


def _inline_svg(svg: str) -> str:
    """An SVG document as an element to put in a page: no XML declaration or doctype (the
    lecture deck inlines matplotlib's SVG, so its text is text the browser lays out)."""
    svg = svg[svg.index("<svg") :] if "<svg" in svg else svg
    # matplotlib sizes the figure in pt; in px (1 pt = 4/3 px) CSS can scale it keeping its shape.
    return re.sub(
        r'\b(width|height)="([\d.]+)pt"',
        lambda match: f'{match.group(1)}="{float(match.group(2)) * 4 / 3:.1f}"',
        svg,
        count=2,
    )


def _lecture_outputs(cell) -> list[list]:
    """The outputs of a code cell a lecture shows, as the list of outputs for each slide:
    console text (print, warnings, a bare value's repr) is left out, and a figure cut into
    parts by tools/slide_figures.py gives one slide per part."""
    pieces = [[]]
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.output_type == "stream" or set(data) <= {"text/plain"}:
            continue
        parts = data.get(PARTS_MIME, {}).get("svg")
        if parts:
            for number, part in enumerate(parts):
                if number or pieces[-1]:
                    pieces.append([])
                pieces[-1].append(
                    nbformat.v4.new_output("display_data",
                                           data={"image/svg+xml": _inline_svg(part)})
                )
            continue
        if PARTS_MIME in data or "image/svg+xml" in data:
            output = copy.deepcopy(output)
            output["data"].pop(PARTS_MIME, None)
            if "image/svg+xml" in data:
                output["data"]["image/svg+xml"] = _inline_svg(data["image/svg+xml"])
        pieces[-1].append(output)
    return [piece for piece in pieces if piece]


def lecture_notebook(notebook):
    """NOTEBOOK (executed) as a lecture shows it: code cells left as their figures, tables and
    widgets only; a cell left with nothing to show is skipped, and the slide or sub-slide it
    opened is opened by the next cell shown; each part of a cut figure on its own sub-slide."""
    cells, opened = [], None
    for cell in notebook.cells:
        kind = slide_type(cell)
        if kind == "skip":
            continue
        if cell.cell_type == "code":
            pieces = _lecture_outputs(cell)
            if not pieces:
                if kind in ("slide", "subslide") and opened != "slide":
                    opened = kind
                continue
            replaced = []
            for number, outputs in enumerate(pieces):
                part = copy.deepcopy(cell)
                part.outputs = outputs
                if number and "id" in part:
                    part["id"] = f"{cell['id']}-part{number}"
                replaced.append(_with_slide_type(part, kind if number == 0 else "subslide"))
        else:
            replaced = [cell]
        if opened and kind != "notes":
            first = slide_type(replaced[0])
            if first not in ("slide", "subslide") or (opened == "slide" and first == "subslide"):
                replaced[0] = _with_slide_type(replaced[0], opened)
            opened = None
        cells.extend(replaced)
    return nbformat.from_dict({**notebook, "cells": cells})


def npm_package(name: str, cache: Path = BUILD / ".cache" / "npm") -> Path:
    """The unpacked npm package NAME at the pinned version, fetched once with `npm pack`.

    It is unpacked in a private folder and renamed into place, so two builds running at once
    (parallel tests) never see half a package."""
    version = NPM_PACKAGES[name]
    unpacked = cache / f"{name.replace('/', '__')}-{version}"
    if (unpacked / "package.json").exists():
        return unpacked
    if shutil.which("npm") is None:
        raise SystemExit("--offline needs npm (Node.js) once, to fetch reveal.js and MathJax.")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        packed = subprocess.run(
            ["npm", "pack", "--silent", f"{name}@{version}"],
            cwd=work,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        with tarfile.open(Path(work) / packed) as archive:
            archive.extractall(work, **safe)
        try:
            os.rename(Path(work) / "package", unpacked)
        except OSError:  # another build put it there first
            if not (unpacked / "package.json").exists():
                raise
    return unpacked


_NOT_LOADED = shutil.ignore_patterns(
    "*.map", "*.esm.js", "embed.js", "*.embed.js", "libembed-amd.js", "*.eot", "*.ttf", "*.svg"
)


def install_vendor(out_dir: Path) -> Path:
    """Copy the files an offline deck loads into OUT_DIR/vendor/ and return that folder."""
    vendor = out_dir / "vendor"
    copy_vendor_files(vendor, {package for package, _, _ in VENDOR_FILES})
    return vendor


def copy_vendor_files(folder: Path, packages: set[str]) -> None:
    """Copy the files of VENDOR_FILES that come from the npm PACKAGES into FOLDER (the website
    takes MathJax only)."""
    for package, source, target in VENDOR_FILES:
        if package not in packages:
            continue
        origin, destination = npm_package(package) / source, folder / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True, ignore=_NOT_LOADED)
        else:
            shutil.copy2(origin, destination)


def configure_offline(exporter) -> None:
    """Point an nbconvert HTML or slides exporter at the files of install_vendor()."""
    for trait, url in OFFLINE_URLS.items():
        if exporter.has_trait(trait):
            setattr(exporter, trait, url)


def deck_exporter(offline: bool, hide_code: bool = False, scale: float = 1.0) -> SlidesExporter:
    """The reveal.js exporter. A lecture deck (HIDE_CODE) at SCALE < 1 lays its slides out on a
    canvas 1/SCALE times larger, which reveal.js then fits to the screen: everything is SCALE
    times smaller and more fits on a slide (a smaller room)."""
    if not 0.4 <= scale <= 1.5:
        raise ValueError(f"scale must be between 0.4 and 1.5 (1 is lecture size), not {scale}")
    exporter = SlidesExporter(
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
        extra_loaders=[DictLoader({"course_reveal.html.j2": DECK_TEMPLATE})],
        template_file="course_reveal.html.j2",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_scroll=not hide_code,
        reveal_width=str(round(1280 / scale)),
        reveal_height=str(round(720 / scale)),
    )
    if offline:
        configure_offline(exporter)
    return exporter


def deck_name(stem: str, hide_code: bool = False) -> str:
    return f"{stem}{'.no-code' if hide_code else ''}.slides.html"


def link_lessons(page: str, stems: list[str], target) -> str:
    """Rewrite href="NN_name.ipynb" (optionally ./ or #anchor) to href="TARGET(NN_name)#anchor"."""
    for stem in stems:
        page = re.sub(
            rf'href="(?:\./)?{re.escape(stem)}\.ipynb(#[^"]*)?"',
            lambda match, stem=stem: f'href="{target(stem)}{match.group(1) or ""}"',
            page,
        )
    return page


def ship_exercises(page: str, out_dir: Path) -> str:
    """Copy each exercise notebook the page links to (../exercises/NN_name.ipynb) into
    OUT_DIR/exercises/ and point the link there, so a reader can download it."""

    def shipped(match):
        name = match.group(1)
        source = ROOT / "exercises" / name
        if not source.is_file():
            return match.group(0)
        (out_dir / "exercises").mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, out_dir / "exercises" / name)
        return f'href="exercises/{name}"'

    return re.sub(r'href="\.\./exercises/([\w.-]+\.ipynb)"', shipped, page)


def ship_figure_fonts(page: str, out_dir: Path) -> str:
    """PAGE with the fonts its SVG figures name copied from Matplotlib into OUT_DIR/fonts/ and
    declared there (@font-face). A slide figure keeps its text as text, laid out by Matplotlib
    with these fonts; a browser without them draws it in fonts of its own, a formula's parts
    apart (the √ and its bar) and a glyph its font lacks (𝔼) as an empty box."""
    from matplotlib import font_manager, get_data_path

    families = set(re.findall(r"font-family: ?'([^']+)'", page))
    fonts = [font for font in font_manager.fontManager.ttflist
             if font.name in families and Path(font.fname).is_relative_to(get_data_path())]
    if not fonts:
        return page
    folder = out_dir / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    for licence in ("LICENSE_DEJAVU", "LICENSE_STIX"):   # their terms travel with them
        shutil.copy2(Path(get_data_path()) / "fonts" / "ttf" / licence, folder)
    faces = []
    for font in fonts:
        shutil.copy2(font.fname, folder)
        weight = font_manager.weight_dict.get(font.weight, font.weight)
        faces.append(f"@font-face {{ font-family: '{font.name}'; "
                     f"src: url('fonts/{Path(font.fname).name}'); font-style: {font.style}; "
                     f"font-weight: {weight}; }}")
    return page.replace("</head>", "<style>\n" + "\n".join(sorted(faces)) + "\n</style>\n"
                        "</head>", 1)


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def without_page_copies(notebook):
    """A copy of NOTEBOOK without the widgets of its explorers' page copies
    (course_lib/explorers/browser_copy.py, never displayed): they serve a live kernel, which
    a deck has not, and a deck's widget renderer would fetch their code from the network."""
    notebook = copy.deepcopy(notebook)
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model_id in [k for k, model in state.items() if model.get("model_module") == "anywidget"]:
        del state[model_id]
    return notebook


def build_deck(
    notebook,
    name: str,
    out_dir: Path,
    offline: bool = False,
    hide_code: bool = False,
    scale: float = 1.0,
) -> Path:
    """Write OUT_DIR/<name>[.no-code].slides.html from NOTEBOOK (executed, to show outputs;
    for a lecture deck, executed by lecture_executed). Links to other lessons go to their decks
    beside it, links to exercise notebooks to copies in OUT_DIR/exercises/."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = deck_exporter(offline, hide_code, scale)
    notebook = without_page_copies(notebook)
    if hide_code:
        notebook = lecture_notebook(notebook)
    resources = {
        "metadata": {"name": name},
        "course_css": LECTURE_CSS if hide_code else DECK_CSS,
        "course_lecture": hide_code,
        "course_split_js": SPLIT_TALL_SLIDES_JS,
    }
    body, _ = exporter.from_notebook_node(titled(notebook, name), resources=resources)
    body = link_lessons(body, [p.stem for p in lessons()], lambda s: deck_name(s, hide_code))
    body = ship_exercises(body, out_dir)
    if hide_code:
        body = ship_figure_fonts(body, out_dir)
    deck = out_dir / deck_name(name, hide_code)
    deck.write_text(body, encoding="utf-8")
    return deck


class _LoadedURLs(HTMLParser):
    """Collects what a page fetches by itself: script src, link href, img/iframe/… src, and
    quoted absolute URLs inside inline scripts (require.js module lists, the widget renderer)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.urls.append(attrs.get("href") or "")
        elif tag in ("script", "img", "iframe", "source", "audio", "video", "embed"):
            self.urls.append(attrs.get("src") or "")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.urls += re.findall(r"[\"'`]((?:https?:)?//[^\"'`\s]+)", data)


def remote_urls(html: str) -> list[str]:
    """Every http(s) or protocol-relative URL the page would fetch when opened (links a reader
    may click are not fetched and not listed)."""
    parser = _LoadedURLs()
    parser.feed(html)
    remote = [u for u in parser.urls if re.match(r"(https?:)?//", u)]
    remote += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", html)
    return sorted(set(remote))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="lessons (default: notebooks/*.ipynb)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="decks that need no internet: reveal.js, MathJax, … copied to vendor/",
    )
    parser.add_argument(
        "--hide-code",
        action="store_true",
        help="leave the code out, keep its outputs: <lesson>.no-code.slides.html",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of everything on a lecture slide (--hide-code): 1 (default) is for a large "
        "room, 24-px text on a 1280 x 720 screen; 0.8 is 20-px text with more on each slide",
    )
    parser.add_argument(
        "--out", type=Path, help="output folder (default: build/slides or build/slides-offline)"
    )
    args = parser.parse_args(argv)

    paths = args.notebooks or lessons()
    if not paths:
        print("no lessons found in notebooks/", file=sys.stderr)
        return 1
    out_dir = args.out or BUILD / ("slides-offline" if args.offline else "slides")
    if args.offline:
        install_vendor(out_dir)
    for path in paths:
        for problem in slide_metadata_problems(nbformat.read(path, as_version=4)):
            print(f"warning: {path.name}: {problem}", file=sys.stderr)
        notebook = lecture_executed(path) if args.hide_code else executed(path)
        deck = build_deck(
            notebook,
            path.stem,
            out_dir,
            offline=args.offline,
            hide_code=args.hide_code,
            scale=args.scale,
        )
        print(deck.relative_to(ROOT) if deck.is_relative_to(ROOT) else deck)
        if args.offline and (remote := remote_urls(deck.read_text(encoding="utf-8"))):
            print(f"warning: {deck.name} still loads {remote}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
