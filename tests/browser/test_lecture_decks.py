"""Every lecture deck (tools/slides.py --hide-code --offline), walked slide by slide in Chromium
at 1280 × 720 with the network cut, as the room would see it.

On every slide, and for every piece of text on it, the size it is drawn at on the 1280 × 720
slide is measured: prose, tables and widget labels ("text"), code and console output
("code"), and the labels, tick labels and legends of the figures ("figure", SVG text, its
font size times the scale the figure is drawn at). Also measured: whether anything on the
slide reaches beyond the screen. The table of the smallest size of each kind per deck, the
slides that overflow and the number of slides with a speaker note (what reveal.js hands the
speaker view) is printed and written to
artifacts/browser/lecture-decks.md (and .json, every slide). The test fails when, in any deck,
text of a kind is smaller than slides.LECTURE_MIN_PX (24 px text, 20 px code, 16 px figure
text), anything reaches beyond the 1280 × 720 screen, or a figure is a picture whose text
cannot be measured. Screenshots of every slide: artifacts/browser/decks/.

LECTURE_DECKS=01,04 walks only the decks whose names start with 01 or 04.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from slides import LECTURE_MIN_PX, build_deck, install_vendor, lecture_executed, lessons

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1280, 720
KINDS = ("text", "code", "figure")

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


@pytest.fixture(scope="module")
def lecture_decks(tmp_path_factory):
    if shutil.which("npm") is None and not (ROOT / "build" / ".cache" / "npm").exists():
        pytest.skip("npm not found: offline decks fetch reveal.js and MathJax with npm once")
    out = tmp_path_factory.mktemp("lecture-decks")
    install_vendor(out)
    found = lessons()
    if not found:
        pytest.fail("no lessons in notebooks/")
    if os.environ.get("LECTURE_DECKS"):
        wanted = tuple(os.environ["LECTURE_DECKS"].split(","))
        found = [path for path in found if path.stem.startswith(wanted)]
        if not found:
            pytest.fail(f"LECTURE_DECKS={os.environ['LECTURE_DECKS']} names no lesson")
    return [
        (path.stem,
         build_deck(lecture_executed(path), path.stem, out, offline=True, hide_code=True))
        for path in found
    ]


def walk(page, deck, shots: Path):
    """Open DECK and measure every slide; screenshots into SHOTS."""
    page.goto(deck.as_uri())
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=30_000)
    page.wait_for_load_state("load")
    # MathJax typesets the whole deck once it has started; wait for it to finish.
    page.wait_for_function("window.MathJax && window.MathJax.isReady", timeout=30_000)
    page.evaluate(MATHJAX_IDLE)
    # The deck has cut every slide taller than the screen (slides.SPLIT_TALL_SLIDES_JS).
    page.wait_for_function("document.body.dataset.slidesSplit === 'done'", timeout=120_000)
    slides = page.evaluate("""() => window.Reveal.getSlides().map(s => {
      const at = window.Reveal.getIndices(s); return [at.h, at.v || 0]; })""")
    measured = []
    shots.mkdir(parents=True, exist_ok=True)
    for h, v in slides:
        page.evaluate(f"window.Reveal.slide({h}, {v}, 99)")  # every fragment shown
        # MathJax lays out the formulas of the slide again when it is shown: let it finish.
        for _ in range(2):
            page.evaluate(MATHJAX_IDLE)
            page.wait_for_timeout(200)
        result = page.evaluate(MEASURE_SLIDE)
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


def report_table(rows) -> str:
    lines = [
        "| deck | slides | notes | text px | code px | figure px | overflow (slide: px) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        sizes = [("—" if row[k] is None else f"{row[k]:g}") for k in KINDS]
        overflow = ", ".join(f"{s}: {px}" for s, px in row["overflow"]) or "none"
        lines.append(
            f"| {row['deck']} | {row['slides']} | {row['notes']} | " + " | ".join(sizes)
            + f" | {overflow} |"
        )
    return "\n".join(lines)


def test_every_lecture_slide_is_readable_in_a_large_room(lecture_decks, browser, artifacts):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    outside = []

    def file_only(route):
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", file_only)
    page = context.new_page()
    rows, detail = [], {}
    try:
        for stem, deck in lecture_decks:
            measured = walk(page, deck, artifacts / "decks" / stem)
            detail[stem] = measured
            rows.append(summary(stem, measured))
    finally:
        context.close()
    table = report_table(rows)
    print("\n" + table)
    (artifacts / "lecture-decks.md").write_text(table + "\n", encoding="utf-8")
    (artifacts / "lecture-decks.json").write_text(json.dumps(detail, indent=1), encoding="utf-8")

    assert outside == [], f"the offline decks asked the network for {outside}"
    problems = []
    for row in rows:
        for kind in KINDS:
            if row[kind] is not None and row[kind] < LECTURE_MIN_PX[kind] - 0.05:
                problems.append(
                    f"{row['deck']}: {kind} drawn at {row[kind]} px (at least "
                    f"{LECTURE_MIN_PX[kind]}) on slide {row[f'{kind}_at']}"
                )
        if row["overflow"]:
            problems.append(f"{row['deck']}: content beyond the screen on {row['overflow']}")
        if row["images"]:
            problems.append(
                f"{row['deck']}: figures drawn as pictures (text not measurable) on {row['images']}"
            )
    assert not problems, "\n".join(problems)
