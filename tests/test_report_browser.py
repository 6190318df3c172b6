"""The report in a real browser: headless Chromium renders it, draws every chart, logs
nothing, and its screenshot is a page with the report's colours, not a blank one. On a
390 px phone the page does not scroll sideways, and community messages' emoji are drawn with
a colour emoji font (`make test` installs Noto Color Emoji), not as boxes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from learnloop.config import load_config
from learnloop.paths import Home
from learnloop.report import parse_iso_week, write_report
from learnloop.report.html import RENDER_CHECK_SCRIPT
from tests.cdp_browser import browser_page
from tests.conftest import FIXTURE_CONFIG
from tests.headless_chromium import WINDOW, dump_dom, root_attributes, screenshot
from tests.png_pixels import read_png
from tests.report_pages import publish_contract_warehouse

# Headless Chromium: `make test` installs it, `make test-fast` does without.
pytestmark = pytest.mark.slow

OUTPUT = Path(__file__).parent / "output"  # screenshots stay here for a look (git-ignored)
CURRENT_BAR = (0x24, 0x3B, 0x53)  # svg.chart .mark.current in html.py
# Every headline card of the docs/kpis.md-shaped warehouse: learned 3 + did 7 + listened 5 +
# reach 5 + followers 2 = 22 charts.
CHARTS = 22


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = Home(tmp_path_factory.mktemp("browser") / "home")
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    publish_contract_warehouse(home)
    page = write_report(load_config(home, environ={}), parse_iso_week("2026-W10"))
    assert page is not None
    return page


def test_every_chart_draws_and_the_page_logs_nothing(report_page, tmp_path):
    dom, console = dump_dom(report_page, tmp_path / "profile")
    rendered = root_attributes(dom)
    assert console == []
    assert "data-errors" not in rendered
    assert (rendered["data-charts"], rendered["data-charts-drawn"]) == (str(CHARTS), str(CHARTS))


def test_the_screenshot_shows_the_report(report_page, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    target = OUTPUT / "report-2026-W10-en.png"
    target.unlink(missing_ok=True)
    console = screenshot(report_page, target, tmp_path / "profile")
    assert console == []
    pixels = read_png(target)[:, :, :3]
    width, height = WINDOW
    assert pixels.shape == (height, width, 3)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 100  # text anti-aliasing, cards, bars: far from a blank page
    # The dark bar of the reported week, in every chart that has a value this week (all 22):
    # each is at least 1 px high and about 17 px wide, so at least 22 * 17 pixels.
    current = (pixels == np.array(CURRENT_BAR, dtype=np.uint8)).all(axis=2).sum()
    assert current >= CHARTS * 17


PHONE_WIDTH = 390
# Marks every element with an emoji (Extended_Pictographic) in its own text.
MARK_EMOJI_JS = r"""Array.from(document.querySelectorAll('body *')).filter(e =>
  Array.from(e.childNodes).some(n => n.nodeType === 3 && /\p{Extended_Pictographic}/u.test(n.data))
).map(e => e.setAttribute('data-emoji', '')).length"""


def test_on_a_phone_the_page_never_scrolls_sideways_and_emoji_are_drawn(report_page, tmp_path):
    with browser_page(tmp_path / "profile", width=PHONE_WIDTH, height=800) as page:
        page.goto(report_page.as_uri())
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        marked = page.evaluate(MARK_EMOJI_JS)
        drawn_with = page.fonts_used("[data-emoji]")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(OUTPUT / "report-2026-W10-en-390px.png")
    assert scroll <= client <= PHONE_WIDTH  # wide tables scroll inside their own box
    # The one emoji of the week's quotes (ig-c-3), drawn from the emoji font, the text
    # around it from the page's font.
    assert marked == 1
    ((text, fonts),) = drawn_with
    assert text == "Dark mode in the app would be great 🌙"
    assert "Noto Color Emoji" in fonts and len(fonts) == 2


def test_the_checks_catch_a_broken_page(tmp_path):
    # The same render check on a page with a script error and a chart whose bar cannot draw:
    # the test above would fail for such a report.
    page = tmp_path / "broken.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><script>{RENDER_CHECK_SCRIPT}</script></head><body>"
        '<svg class="chart" data-points="1" width="100" height="50">'
        '<rect class="mark" x="0" y="0" width="0" height="10"/></svg>'
        "<script>console.error('boom'); notAFunction();</script></body></html>",
        encoding="utf-8",
    )
    dom, console = dump_dom(page, tmp_path / "profile")
    rendered = root_attributes(dom)
    assert rendered["data-errors"] == "1"
    assert (rendered["data-charts"], rendered["data-charts-drawn"]) == ("1", "0")
    assert [line.split(",")[0] for line in console] == [
        '"boom"',
        '"Uncaught ReferenceError: notAFunction is not defined"',
    ]
