"""The course website (tools/website.py, Jupyter Book), built and opened in Chromium from the disk
with the network cut: the home page lists the lessons in order, a search for "Nesterov" finds
the lessons and a result opens its page, formulas are typeset by the MathJax beside the pages,
exercises can be downloaded, every explorer stands as its last figure, no speaker note shows on
any page, and no error is met (uncaught, or written to the console) on the home page, a lesson's
page or an exercise's page. Screenshots of the home page, the search results, the page the
result opens and each lesson's last explorer: artifacts/browser/site-*.png.
"""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from slides import lessons
from test_jupyterlab import EXPLORER_CALL
from website import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = Path(__file__).resolve().parents[2]
    if shutil.which("npm") is None and not (root / "build" / ".cache" / "npm").exists():
        pytest.skip("npm not found: the site's MathJax is fetched with npm once")
    return build(tmp_path_factory.mktemp("website"))


@pytest.fixture()
def offline_page(offline_context):
    context = offline_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # Errors are not checked on the search page: opened from the disk, the browser refuses
    # the requests it makes for each result's summary.
    page.outside, page.errors = context.outside, context.errors
    yield page
    context.close()


def _wait_for_math(page):
    page.wait_for_function("window.MathJax && window.MathJax.isReady", timeout=30_000)
    page.evaluate("() => new Promise(done => window.MathJax.Hub.Queue(done))")


def test_home_page_lists_the_lessons_in_order(site, offline_page, artifacts):
    page = offline_page
    page.goto(site.as_uri())
    nav = page.locator("nav.bd-docs-nav a.reference.internal")
    titles = nav.all_inner_texts()
    lesson_titles = page.locator(
        "nav.bd-docs-nav a.reference.internal[href^='notebooks/']"
    ).all_inner_texts()
    expected = [
        re.search(r"^#+\s+(.+)$", nbformat.read(p, as_version=4).cells[0].source, re.M)
        for p in lessons()
    ]
    assert lesson_titles == [m.group(1).strip() for m in expected]
    assert "For instructors" in titles
    _wait_for_math(page)
    page.screenshot(path=artifacts / "site-index.png")
    # The next-page link of the home page is the first lesson.
    assert page.locator("a.right-next").get_attribute("href").startswith("notebooks/00_")
    assert page.errors == [], f"errors in the home page: {page.errors}"


def test_search_for_nesterov_opens_a_lesson(site, offline_page, artifacts):
    page = offline_page
    page.goto(site.with_name("search.html").as_uri() + "?q=Nesterov")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    found = results.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any("03_momentum_and_nesterov" in href for href in found), found
    page.screenshot(path=artifacts / "site-search.png")
    page.locator("#search-results ul.search li a[href*='notebooks/03_momentum']").first.click()
    page.wait_for_load_state("load")
    assert "03_momentum_and_nesterov" in page.url
    _wait_for_math(page)
    assert "Nesterov" in page.locator("main").inner_text()
    assert page.locator(".MathJax_CHTML").count() > 0
    assert page.locator(".MathJax_Error, merror").count() == 0
    assert page.locator("main img").count() > 0  # the executed figures
    page.screenshot(path=artifacts / "site-lesson.png")
    assert page.outside == [], f"the site asked the network for {page.outside}"


def test_exercises_have_a_download_link(site, offline_page):
    page = offline_page
    exercise = sorted((site.parent / "exercises").glob("*.html"))[0]
    page.goto(exercise.as_uri())
    link = page.locator("a.download").first
    href = link.get_attribute("href")
    assert href.endswith(exercise.stem + ".ipynb")
    downloaded = (exercise.parent / href).resolve()
    source = Path(__file__).resolve().parents[2] / "exercises" / downloaded.name
    assert downloaded.read_bytes() == source.read_bytes()
    assert page.errors == [], f"errors in an exercise's page: {page.errors}"


def test_no_speaker_note_is_on_a_page(site):
    notes = [
        cell.source
        for path in lessons()
        for cell in nbformat.read(path, as_version=4).cells
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
    ]
    pages = " ".join(
        p.read_text(encoding="utf-8") for p in (site.parent / "notebooks").glob("*.html")
    )
    page_words = " ".join(re.sub(r"<[^>]+>", " ", pages).split())
    assert notes, "the lessons have no speaker notes"
    # Every note opens with a label no lesson text uses ("Point." or "Speaker notes."), and
    # most ask the room a question; none of it may reach a page.
    labels = {
        "**Point.**": "Point.",
        "*Speaker notes.*": "Speaker notes.",
        "**Ask the room.**": "Ask the room.",
    }
    for note in notes:
        for label, shown in labels.items():
            if label in note:
                assert shown not in page_words, f"a speaker note shows on the site: {note[:80]}"


def test_every_explorer_is_shown_as_its_last_figure(site, offline_page, artifacts):
    """A page has no kernel: where a lesson shows an explorer, its last picture stands, as an
    image the browser has loaded (not an empty widget). Every lesson's page is opened."""
    explorers = 0
    for path in lessons():
        calls = [cell.source for cell in nbformat.read(path, as_version=4).cells
                 if cell.cell_type == "code" and EXPLORER_CALL.search(cell.source)]
        page_file = site.parent / "notebooks" / f"{path.stem}.html"
        assert "application/vnd.jupyter.widget-view+json" not in page_file.read_text("utf-8")
        offline_page.goto(page_file.as_uri())
        for source in calls:
            explorers += 1
            line = next(line for line in source.splitlines() if EXPLORER_CALL.search(line))
            cell = offline_page.locator(".cell", has_text=line.strip()[:40]).last
            image = cell.locator(".cell_output img").first
            image.scroll_into_view_if_needed()
            size = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
            assert size[0] and size[1] > 400 and size[2] > 200, f"{path.stem}: {size}"
        if calls:
            offline_page.screenshot(path=str(artifacts / f"site-explorer-{path.stem}.png"))
    assert explorers == 8 and offline_page.outside == []
    assert offline_page.errors == [], f"errors in the lessons' pages: {offline_page.errors}"
