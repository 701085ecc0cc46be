"""Every lecture deck (tools/slides.py --hide-code --offline), walked slide by slide in Chromium
at 1280 × 720 with the network cut, as the room would see it.

On every slide, and for every piece of text on it, the size it is drawn at on the 1280 × 720
slide is measured: prose, tables and widget labels ("text"), code and console output
("code"), and the labels, tick labels and legends of the figures ("figure", SVG text, its
font size times the scale the figure is drawn at). Also measured: whether anything on the
slide reaches beyond the screen. The table of the smallest size of each kind per deck, the
slides that overflow and the number of slides with a speaker note (what reveal.js hands the
speaker view) is printed at the end of the run and written to
artifacts/browser/lecture-decks.md (and .json, every slide; tests/conftest.py puts them
together from artifacts/browser/lecture-decks/<lesson>.json). A deck fails when text of a
kind is smaller than slides.LECTURE_MIN_PX (24 px text, 20 px code, 16 px figure text) on any
slide, anything reaches beyond the 1280 × 720 screen, or a figure is a picture whose text
cannot be measured. One test per deck (`-k 04_adaptive` walks one), so the test workers share
the decks; each lesson is executed for its deck once per run (the cache of tools/slides.py,
shared by the workers).
Screenshots of every slide (artifacts/browser/decks/<lesson>/) when COURSE_DECK_SCREENSHOTS=1.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from deck_pages import SHOW_SLIDE, TYPESET  # tests/: slides shown, laid out, no fixed sleeps
from slides import LECTURE_MIN_PX, build_deck, install_vendor, lecture_executed, lessons

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1280, 720
KINDS = ("text", "code", "figure")
LESSONS = lessons()
SCREENSHOTS = os.environ.get("COURSE_DECK_SCREENSHOTS") == "1"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Runs in the deck: the current slide's smallest size of each kind (CSS px of the 1280 × 720
# slide, reveal.js's own scaling taken out), where it was, and how far the content reaches
# beyond the slide.
MEASURE_SLIDE = """() => {
  const scale = window.Reveal.getScale();
  const slide = window.Reveal.getCurrentSlide();
  slide.querySelectorAll("details").forEach(d => { d.open = true; });
  const smallest = {};
  const note = (kind, size, element) => {
    if (!(kind in smallest) || size < smallest[kind].px) {
      smallest[kind] = {px: Math.round(size * 10) / 10,
                        sample: element.textContent.trim().slice(0, 40)};
    }
  };
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest("aside.notes, script, style")) continue;
    // A formula is drawn at the size of the text around it, which is measured there.
    if (element.closest(".MathJax_CHTML, .MathJax, .MathJax_Display, mjx-container")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not displayed
    const svg = element.closest("svg");
    const fontPx = parseFloat(getComputedStyle(element).fontSize);
    if (svg) {
      const view = svg.viewBox.baseVal;
      const svgScale = svg.getBoundingClientRect().width / scale / (view && view.width
        ? view.width : svg.width.baseVal.value);
      // A label is one <g id="text_…"> of matplotlib's SVG; its size is that of its main text
      // (the exponent of 10⁻² is drawn smaller on purpose, as on paper).
      const label = element.closest('g[id^="text_"]') || element;
      let largest = 0;
      for (const text of label.querySelectorAll("text").length
           ? label.querySelectorAll("text") : [element]) {
        const inner = svg.getScreenCTM().inverse().multiply(text.getScreenCTM());
        const textScale = Math.sqrt(Math.abs(inner.a * inner.d - inner.b * inner.c));
        largest = Math.max(largest,
          parseFloat(getComputedStyle(text).fontSize) * svgScale * textScale);
      }
      note("figure", largest, label);
    } else if (element.closest("pre, code, .jp-OutputArea-output pre")) {
      note("code", fontPx, element);
    } else {
      note("text", fontPx, element);
    }
  }
  const images = [...slide.querySelectorAll(".jp-RenderedImage img, .widget-image")]
    .filter(image => image.getBoundingClientRect().width > 0).length;
  // How far the slide's content reaches past the edges of the slide, in CSS px.
  const frame = document.querySelector(".reveal .slides").getBoundingClientRect();
  let overflow = 0;
  for (const element of slide.querySelectorAll("*")) {
    if (element.closest("aside.notes")) continue;
    // A figure's drawing is clipped to its <svg> box, which is what is measured.
    if (element.ownerSVGElement) continue;
    // MathJax's inner boxes do not match where it paints (a display formula's box is wider
    // than the formula); the paragraph or block holding a formula is measured instead.
    if (element.closest(".MathJax_CHTML, .MathJax, mjx-container")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    overflow = Math.max(overflow,
      (frame.top - box.top) / scale, (box.bottom - frame.bottom) / scale,
      (frame.left - box.left) / scale, (box.right - frame.right) / scale);
  }
  const indices = window.Reveal.getIndices();
  return {slide: `${indices.h + 1}.${(indices.v || 0) + 1}`, smallest, images,
          overflow: Math.round(overflow),
          // What the speaker view (S) shows for this slide.
          notes: (window.Reveal.getSlideNotes() || "").trim() ? 1 : 0};
}"""


# MathJax has finished what it was asked to do (at most 3 s: a typesetting request of the
# widget renderer can keep its queue waiting).
MATHJAX_IDLE = """() => Promise.race([new Promise(done => window.MathJax.Hub.Queue(done)),
                                    new Promise(done => setTimeout(done, 3000))])"""


@pytest.fixture(scope="session")
def lecture_out(tmp_path_factory):
    """A folder for this worker's decks, with the files an offline deck loads."""
    if shutil.which("npm") is None and not (ROOT / "build" / ".cache" / "npm").exists():
        pytest.skip("npm not found: offline decks fetch reveal.js and MathJax with npm once")
    out = tmp_path_factory.mktemp("lecture-decks")
    install_vendor(out)
    return out


def walk(page, deck, shots: Path | None = None):
    """Open DECK and measure every slide; screenshots into SHOTS when given."""
    page.goto(deck.as_uri())
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    page.wait_for_load_state("load")
    # MathJax typesets the whole deck once it has started; wait for it to finish.
    page.wait_for_function("window.MathJax && window.MathJax.isReady", timeout=30_000)
    page.evaluate(MATHJAX_IDLE)
    # The deck has cut every slide taller than the screen (slides.SPLIT_TALL_SLIDES_JS), and
    # MathJax has typeset every formula of it again since.
    page.wait_for_function("document.body.dataset.slidesSplit === 'done'", timeout=120_000)
    page.wait_for_function(f"({TYPESET})(document.body)", timeout=120_000)
    slides = page.evaluate("""() => window.Reveal.getSlides().map(s => {
      const at = window.Reveal.getIndices(s); return [at.h, at.v || 0]; })""")
    measured = []
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    for h, v in slides:
        page.evaluate(SHOW_SLIDE, [h, v])
        result = page.evaluate(MEASURE_SLIDE)
        if shots:
            page.screenshot(path=shots / f"{h + 1:02d}.{v + 1:02d}.png")
        measured.append(result)
    return measured


def summary(stem, measured):
    row = {"deck": stem, "slides": len(measured), "notes": sum(m["notes"] for m in measured)}
    for kind in KINDS:
        sizes = [(m["smallest"][kind]["px"], m) for m in measured if kind in m["smallest"]]
        if sizes:
            px, where = min(sizes, key=lambda pair: pair[0])
            row[kind] = px
            row[f"{kind}_at"] = f'{where["slide"]} "{where["smallest"][kind]["sample"]}"'
        else:
            row[kind] = None
    row["overflow"] = [(m["slide"], m["overflow"]) for m in measured if m["overflow"] > 1]
    row["images"] = [m["slide"] for m in measured if m["images"]]
    return row


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lecture_slide_is_readable_in_a_large_room(path, lecture_out, offline_context,
                                                          artifacts):
    stem = path.stem
    deck = build_deck(lecture_executed(path), stem, lecture_out, offline=True, hide_code=True)
    context = offline_context(viewport={"width": WIDTH, "height": HEIGHT})
    outside = context.outside
    page = context.new_page()
    try:
        measured = walk(page, deck, artifacts / "decks" / stem if SCREENSHOTS else None)
        # The figures' fonts shipped beside the deck (slides.ship_figure_fonts) all load.
        shipped = re.findall(r"@font-face \{ font-family: '([^']+)'", deck.read_text("utf-8"))
        unloaded = page.evaluate("""async (shipped) => { await document.fonts.ready;
          return [...document.fonts].map((f) => [f.family.replace(/"/g, ""), f.status])
            .filter(([family, status]) => shipped.includes(family) && status === "error"); }""",
                                 shipped)
    finally:
        context.close()
    row = summary(stem, measured)
    # The table of every deck (artifacts/browser/lecture-decks.md) is put together from these
    # at the end of the run (tests/conftest.py).
    (artifacts / "lecture-decks").mkdir(exist_ok=True)
    (artifacts / "lecture-decks" / f"{stem}.json").write_text(
        json.dumps({"row": row, "slides": measured}, indent=1), encoding="utf-8"
    )

    assert outside == [], f"the offline deck asked the network for {outside}"
    assert unloaded == [], f"{stem}: the figures' fonts {unloaded} did not load"
    assert context.errors == [], f"{stem}: errors in the deck's page: {context.errors}"
    problems = []
    for kind in KINDS:
        if row[kind] is not None and row[kind] < LECTURE_MIN_PX[kind] - 0.05:
            problems.append(
                f"{stem}: {kind} drawn at {row[kind]} px (at least {LECTURE_MIN_PX[kind]}) on "
                f"slide {row[f'{kind}_at']}"
            )
    if row["overflow"]:
        problems.append(f"{stem}: content beyond the screen on {row['overflow']}")
    if row["images"]:
        problems.append(
            f"{stem}: figures drawn as pictures (text not measurable) on {row['images']}"
        )
    assert not problems, "\n".join(problems)
