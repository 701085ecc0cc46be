"""The students' HTML reports as a browser shows them, with JavaScript off and the network cut:
a solution, an untouched exercise and a notebook with named mistakes, screenshot whole into
artifacts/browser/ (report-*.png) to be looked at."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import class_fixtures as cf  # noqa: E402

from course_grader.__main__ import main  # noqa: E402

pytestmark = pytest.mark.browser

NOTEBOOKS = {
    "solution": lambda: cf.submission(written={"w1": "m̂_1 = 1, so the first step is η·1/(1+ε).",
                                               "w2": "Adam divides λθ by √v̂ as well."}),
    "untouched": lambda: cf.submission(solved=False),
    "mistakes": lambda: cf.submission(replace=[cf.NO_BIAS_CORRECTION, cf.RMSPROP_OLD_AVERAGE,
                                               cf.ADAM_RUN_T_FIXED]),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("reports")
    folder = base / "submissions"
    folder.mkdir()
    for name, make in NOTEBOOKS.items():
        (folder / f"{name}.ipynb").write_bytes(make())
    assert main([str(folder), "--out", str(base / "out"), "--exercise", cf.EXERCISE]) == 0
    return base / "out"


@pytest.mark.parametrize("name", [*NOTEBOOKS, "index"])
def test_a_report_reads_offline_without_javascript(reports, offline_context, artifacts, name):
    context = offline_context(viewport={"width": 1000, "height": 800}, java_script_enabled=False)
    outside = context.outside
    page = context.new_page()
    try:
        page.goto((reports / "reports" / f"{name}.html").as_uri())
        page.screenshot(path=artifacts / f"report-{name}.png", full_page=True)
        text = page.inner_text("body")
        overflow = page.evaluate("document.documentElement.scrollWidth - "
                                 "document.documentElement.clientWidth")
    finally:
        context.close()
    assert outside == [] and overflow <= 0
    if name == "index":
        assert all(f"{n}.ipynb" in text for n in NOTEBOOKS)
        return
    record = json.loads((reports / "feedback" / f"{name}.json").read_text())
    assert f"Score: {record['score']:g} of 11 points" in text
    if name == "solution":
        assert "Adam divides λθ by √v̂ as well." in text and "not found" not in text
    if name == "untouched":
        assert record["score"] == 0 and text.count("not implemented yet") >= 5
    if name == "mistakes":
        assert "Likely mistake: bias correction is missing" in text
        assert "Likely mistake: the step uses the old average" in text
        assert "course's adam_step in place of yours" in text
        assert "def rmsprop_step" in text  # the learner's own code under the question
