"""Render the whole course as static web pages: every lesson executed, with its figures.

    .venv/bin/python tools/render_html.py             # build/html/index.html + one page per lesson
    .venv/bin/python tools/render_html.py --offline   # the same, readable without internet

The index links the lessons in course order. Lessons are executed once and cached in
build/executed/ (shared with tools/slides.py). Links between lessons (`02_….ipynb`) point to
the rendered pages; the exercise notebooks a lesson links to are copied beside them for
download. --offline copies MathJax, require.js and the widget renderer into
build/html/vendor/ (fetched once with npm, see tools/slides.py) so no page loads anything from
the internet.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

from jinja2 import DictLoader
from nbconvert import HTMLExporter
from slides import (
    BUILD,
    ROOT,
    configure_offline,
    executed,
    install_vendor,
    lesson_title,
    lessons,
    titled,
)

# nbconvert's lab page without the mermaid diagram loader (a CDN module no lesson uses).
PAGE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


def link_lessons_to_pages(page: str, stems: list[str]) -> str:
    """Rewrite href="NN_name.ipynb" (optionally ./ or #anchor) to the rendered NN_name.html."""
    for stem in stems:
        page = re.sub(
            rf'href="(\./)?{re.escape(stem)}\.ipynb(#[^"]*)?"', rf'href="{stem}.html\2"', page
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
        (out_dir / "exercises").mkdir(exist_ok=True)
        shutil.copy2(source, out_dir / "exercises" / name)
        return f'href="exercises/{name}"'

    return re.sub(r'href="\.\./exercises/([\w.-]+\.ipynb)"', shipped, page)


def index_page(entries: list[tuple[str, str]]) -> str:
    """A plain index: the course title and one link per lesson (file name, title)."""
    items = "\n".join(
        f'  <li><a href="{html.escape(name)}">{html.escape(title)}</a></li>'
        for name, title in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>First-order optimization for deep learning</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
ul {{ list-style: none; padding-left: 0; }}
li {{ margin: 0.5rem 0; }}
</style>
</head>
<body>
<h1>First-order optimization for deep learning</h1>
<p>The lessons, executed, with their figures. Interactive widgets show the state they were
rendered in; to move the sliders, open the notebooks in JupyterLab.</p>
<ul>
{items}
</ul>
</body>
</html>
"""


def render(
    paths: list[Path], out_dir: Path, offline: bool = False, cache: Path = BUILD / "executed"
) -> Path:
    """Write OUT_DIR/<lesson>.html for each lesson and OUT_DIR/index.html; return the index."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"course_page.html.j2": PAGE_TEMPLATE})],
        template_file="course_page.html.j2",
    )
    if offline:
        install_vendor(out_dir)
        configure_offline(exporter)
    stems = [p.stem for p in paths]
    entries = []
    for path in paths:
        notebook = executed(path, cache)
        resources = {"metadata": {"name": path.stem}}
        page, _ = exporter.from_notebook_node(titled(notebook, path.stem), resources=resources)
        page = ship_exercises(link_lessons_to_pages(page, stems), out_dir)
        (out_dir / f"{path.stem}.html").write_text(page, encoding="utf-8")
        entries.append((f"{path.stem}.html", lesson_title(notebook, path.stem)))
    index = out_dir / "index.html"
    index.write_text(index_page(entries), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="lessons (default: notebooks/*.ipynb)"
    )
    parser.add_argument("--offline", action="store_true", help="copy MathJax etc. into vendor/")
    parser.add_argument(
        "--out", type=Path, default=BUILD / "html", help="output folder (default: build/html)"
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or lessons()
    if not paths:
        print("no lessons found in notebooks/", file=sys.stderr)
        return 1
    index = render(paths, args.out, offline=args.offline)
    print(index.relative_to(ROOT) if index.is_relative_to(ROOT) else index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
