"""Build a reveal.js slide deck from every lesson in notebooks/.

    .venv/bin/python tools/slides.py               # build/slides/ (reveal.js from a CDN)
    .venv/bin/python tools/slides.py --offline     # self-contained, in build/slides-offline/
    .venv/bin/python tools/slides.py --hide-code   # figures and results without the code
    .venv/bin/python tools/slides.py notebooks/01_gradient_descent.ipynb

Each lesson is executed once, so its figures are in the deck; the executed copy is cached in
build/executed/ and reused while neither the lesson nor course_lib changes (tools/render_html.py
shares the cache). The deck is what `jupyter nbconvert --to slides` makes, with three choices of
ours: the "white" reveal.js theme (its fonts ship with reveal.js, no web font is fetched), slide
numbers, and scrolling inside a slide taller than the screen.

--offline is for a lecture room without internet: reveal.js, require.js, jQuery, MathJax and
the widget renderer are downloaded once with `npm pack` (the npm registry, cached in
build/.cache/npm/) and copied into a vendor/ folder beside the decks, which then reference
nothing outside that folder. Copy the whole output folder to the lecture machine and open a
deck in a browser.

--hide-code leaves the code cells' input out (their outputs stay) and writes
<lesson>.no-code.slides.html: a lecture deck about the figures, on fewer and shorter slides.

Every cell should say how it shows up in the deck (metadata.slideshow.slide_type); cells
without it are reported on stderr.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
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
# uses), with styles that fit code, figures and widgets on a 1280 x 720 slide.
DECK_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block html_head_css %}
<style type="text/css">
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
</style>
<script type="text/x-mathjax-config">
// Formulas on hidden slides are laid out with zero width; automatic line breaks would then
// split them at every operator.
MathJax.Hub.Config({CommonHTML: {linebreaks: {automatic: false}}});
</script>
{% endblock html_head_css %}
{% block footer_js %}
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
{% endblock footer_js %}
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


def _source_hash(path: Path) -> str:
    """Hash of the lesson and of course_lib: the executed copy is stale when either changes."""
    digest = hashlib.sha256(path.read_bytes())
    for module in sorted((ROOT / "course_lib").rglob("*.py")):
        digest.update(module.relative_to(ROOT).as_posix().encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def executed(path: Path, cache: Path = BUILD / "executed"):
    """The lesson run top to bottom in its own folder, from the cache when it is up to date."""
    path = Path(path).resolve()
    key = _source_hash(path)
    cached = cache / path.name
    if cached.exists():
        notebook = nbformat.read(cached, as_version=4)
        if notebook.metadata.get("course_build", {}).get("source_hash") == key:
            return notebook
    notebook = _execute(path)
    notebook.metadata["course_build"] = {"source_hash": key}
    cache.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, cached)
    return notebook


def _execute(path: Path, attempts: int = 3):
    """Run the lesson in a fresh kernel. A kernel that dies before it answers is started again:
    jupyter_client picks free ports and binds them later, so another kernel starting at the
    same moment (parallel tests) can take one of them first."""
    for attempt in range(1, attempts + 1):
        notebook = nbformat.read(path, as_version=4)
        try:
            NotebookClient(
                notebook,
                timeout=EXECUTION_TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
            return notebook
        except RuntimeError as error:
            if "Kernel died before replying" not in str(error) or attempt == attempts:
                raise


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
    for package, source, target in VENDOR_FILES:
        origin, destination = npm_package(package) / source, vendor / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True, ignore=_NOT_LOADED)
        else:
            shutil.copy2(origin, destination)
    return vendor


def configure_offline(exporter) -> None:
    """Point an nbconvert HTML or slides exporter at the files of install_vendor()."""
    for trait, url in OFFLINE_URLS.items():
        if exporter.has_trait(trait):
            setattr(exporter, trait, url)


def deck_exporter(offline: bool, hide_code: bool = False) -> SlidesExporter:
    exporter = SlidesExporter(
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
        extra_loaders=[DictLoader({"course_reveal.html.j2": DECK_TEMPLATE})],
        template_file="course_reveal.html.j2",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_scroll=True,
        reveal_width="1280",
        reveal_height="720",
    )
    if offline:
        configure_offline(exporter)
    return exporter


def build_deck(
    notebook, name: str, out_dir: Path, offline: bool = False, hide_code: bool = False
) -> Path:
    """Write OUT_DIR/<name>[.no-code].slides.html from NOTEBOOK (executed, to show outputs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = deck_exporter(offline, hide_code)
    resources = {"metadata": {"name": name}}
    body, _ = exporter.from_notebook_node(titled(notebook, name), resources=resources)
    deck = out_dir / f"{name}{'.no-code' if hide_code else ''}.slides.html"
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
        deck = build_deck(
            executed(path), path.stem, out_dir, offline=args.offline, hide_code=args.hide_code
        )
        print(deck.relative_to(ROOT) if deck.is_relative_to(ROOT) else deck)
        if args.offline and (remote := remote_urls(deck.read_text(encoding="utf-8"))):
            print(f"warning: {deck.name} still loads {remote}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
