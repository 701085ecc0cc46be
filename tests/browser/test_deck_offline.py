"""An offline lecture deck shown in Chromium with the network cut: reveal.js starts, the
formulas are typeset by the local MathJax, widgets render, nothing is fetched from outside.
Screenshots of its first slides go to artifacts/browser/.
"""

import shutil
from pathlib import Path

import pytest
from deck_pages import COUNT_LAYOUTS, LAID_OUT  # tests/: a slide laid out, without fixed sleeps
from slides import build_deck, executed, install_vendor, lessons  # tools/, see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser
SLIDES_TO_SHOW = 4


def _deck_lesson():
    """Lesson 1 when it exists (formulas, figures and a widget), else the first lesson."""
    found = lessons()
    preferred = [p for p in found if p.name.startswith("01_")]
    return (preferred or found or [None])[0]


@pytest.fixture(scope="module")
def offline_deck(tmp_path_factory):
    path = _deck_lesson()
    if path is None:
        pytest.fail("no lessons in notebooks/")
    if shutil.which("npm") is None and not (ROOT / "build" / ".cache" / "npm").exists():
        pytest.skip("npm not found: offline decks fetch reveal.js and MathJax with npm once")
    out = tmp_path_factory.mktemp("deck")
    install_vendor(out)
    notebook = executed(path)   # the cache the website and the other deck tests share
    return path, notebook, build_deck(notebook, path.stem, out, offline=True)


def test_offline_deck_displays_without_network(offline_deck, offline_context, artifacts):
    path, notebook, deck = offline_deck
    context = offline_context(viewport={"width": 1280, "height": 720})
    outside, failed = context.outside, []
    page = context.new_page()
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=20_000)
        page.wait_for_function("window.MathJax && window.MathJax.Hub", timeout=20_000)
        page.evaluate(COUNT_LAYOUTS)
        has_math = any("$" in c.source for c in notebook.cells if c.cell_type == "markdown")
        if has_math:
            page.wait_for_selector(".MathJax_CHTML", timeout=20_000)
        has_widgets = "application/vnd.jupyter.widget-state+json" in notebook.metadata.get(
            "widgets", {}
        )
        if has_widgets:
            page.wait_for_selector(".reveal .widget-slider", state="attached", timeout=20_000)
        for number in range(1, SLIDES_TO_SHOW + 1):
            page.evaluate(LAID_OUT)
            page.screenshot(path=artifacts / f"deck-{path.stem}-{number}.png")
            page.keyboard.press("ArrowRight")
        if has_widgets:  # the slide with the first widget, as the class would see it
            page.evaluate("""() => {
              const slide = document.querySelector('.reveal .widget-slider').closest('section');
              const at = window.Reveal.getIndices(slide);
              window.Reveal.slide(at.h, at.v);
            }""")
            page.evaluate(LAID_OUT)
            page.screenshot(path=artifacts / f"deck-{path.stem}-widget.png")
        broken_math = page.locator(".reveal .MathJax_Error, .reveal merror").count()
        assert broken_math == 0, f"{path.name}: MathJax could not typeset {broken_math} formulas"
    finally:
        context.close()
    assert outside == [], f"the offline deck asked the network for {outside}"
    assert failed == [], f"the offline deck could not load {failed}"
    assert context.errors == [], f"errors in the deck's page: {context.errors}"
