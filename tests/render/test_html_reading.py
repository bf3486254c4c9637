"""The HTML report as people read it (docs/report.md, "On a phone, and as one file"): one file that
travels (its fonts, styles, charts and map inside it; under 1 MB; the same bytes every build),
and a page that reads at phone width in a real browser (headless Chromium at 390 px) without
sideways scrolling and without a word split mid-word."""

from __future__ import annotations

import re
import shutil

import pytest

from support import wait_until

WEEK = "2016-W26"
PHONE = 390


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example's latest week, HTML only, in English and Arabic: language -> the file."""
    from typer.testing import CliRunner

    from sitrep.commands.cli import app
    from support import copy_example

    ws = copy_example(tmp_path_factory.mktemp("reading") / "ws")
    result = CliRunner().invoke(app, ["build", "--config", str(ws / "config.yaml"), "--format", "html"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {language: ws / "output" / WEEK / f"fallujah-sitrep-{WEEK}{suffix}.html"
            for language, suffix in (("en", ""), ("ar", "-ar"), ("fr", "-fr"))}


def test_the_html_report_is_one_file_under_a_megabyte(built):
    for language, path in built.items():
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size < 1_000_000, (language, path.stat().st_size)
        # Nothing it needs lives beside it: every url() and src is inside the file.
        assert not re.findall(r"""url\(\s*(?!["']?(?:data:|#))""", html), language
        assert not re.findall(r"""<img\b[^>]*\bsrc=(?!["']data:)""", html), language
        assert html.count("data:font/woff2;base64,") >= 6  # Noto Sans, and the Arabic faces the page uses
        assert '<svg class="situation-map"' in html and '<svg class="trend"' in html


def test_the_single_file_is_reproducible(built, tmp_path):
    from sitrep.pipeline import Workspace

    first = built["ar"].read_bytes()
    workspace = Workspace.load(built["ar"].parents[2] / "config.yaml")
    week = workspace.resolve(WEEK, "public")
    again = workspace.standalone(workspace.render_week(week, "public", language="ar"))
    assert again.encode("utf-8") == first


def open_at_width(browser, url: str, width: int) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=844, deviceScaleFactor=1, mobile=True)
    browser.call("Page.navigate", url=url)
    wait_until(lambda: browser.evaluate("document.readyState") == "complete", message="the page to load")
    wait_until(lambda: browser.evaluate("document.fonts.status") == "loaded", message="the fonts to load")


OVERFLOWING = """(() => {
  const width = document.documentElement.clientWidth;
  // Inside an SVG, shapes may run past the map's frame: it clips them.
  const wide = [...document.querySelectorAll('body *')].filter(e => !e.ownerSVGElement).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
  }).map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''));
  return {width: width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
})()"""

SPLIT_STATUS = """[...document.querySelectorAll('.status')].filter(e => e.getClientRects().length > 1)
  .map(e => e.textContent)"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_report_reads_on_a_phone_without_sideways_scrolling(built, browser, tmp_path, language):
    # The file alone, in a folder of its own: nothing beside it to lean on.
    alone = tmp_path / built[language].name
    shutil.copy(built[language], alone)
    open_at_width(browser, alone.as_uri(), PHONE)
    layout = browser.evaluate(OVERFLOWING)
    assert layout["width"] == PHONE
    assert layout["scroll"] <= PHONE and not layout["wide"], layout
    assert browser.evaluate(SPLIT_STATUS) == []  # 'Unsafe', 'Alleged' on one line each
    # Tables read as cards: each cell says which column it is.
    assert browser.evaluate("getComputedStyle(document.querySelector('table.facts thead')).display") == "none"
    label = browser.evaluate("getComputedStyle(document.querySelector('td[data-label]'), '::before').content")
    assert label and label != "none"
    # The fonts came from inside the file.
    faces = browser.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Noto Sans" in face for face in faces), faces
    if language == "ar":
        assert browser.evaluate("document.documentElement.dir") == "rtl"
        assert any("Noto Naskh Arabic" in face for face in faces), faces


def test_on_a_wide_screen_the_tables_stay_tables(built, browser):
    open_at_width(browser, built["en"].as_uri(), 1100)
    assert browser.evaluate("getComputedStyle(document.querySelector('table.facts thead')).display") == "table-header-group"


# --- The inlining itself ----------------------------------------------------------------------

FONT = "NotoSans-Regular.ttf"


def test_only_the_pages_own_styles_and_readable_files_are_inlined(tmp_path):
    from support import REPO
    from sitrep.render.singlefile import self_contained

    fonts, store = tmp_path / "assets", tmp_path / "facts"
    fonts.mkdir(), store.mkdir()
    shutil.copy(REPO / "templates/fonts" / FONT, fonts / FONT)
    shutil.copy(REPO / "templates/fonts" / FONT, store / "withheld.ttf")
    html = ('<style>@font-face { font-family: "A"; src: url("assets/NotoSans-Regular.ttf") format("truetype"); }'
            '@font-face { font-family: "B"; src: url(facts/withheld.ttf); }</style>'
            '<p>Note @font-face{src:url(assets/NotoSans-Regular.ttf)} end</p>'
            '<img data-src="assets/NotoSans-Regular.ttf" alt="x">')
    out = self_contained(html, tmp_path, [tmp_path], tmp_path / "cache", withheld=[store])
    first_rule = re.search(r'@font-face \{ font-family: "A"; (src:[^}]*)\}', out).group(1)
    assert first_rule.startswith('src: url("data:font/woff2;base64,') and first_rule.count("format(") == 1
    assert 'src: url(facts/withheld.ttf)' in out  # a withheld folder is never read
    assert "<p>Note @font-face{src:url(assets/NotoSans-Regular.ttf)} end</p>" in out  # text stays text
    assert '<img data-src="assets/NotoSans-Regular.ttf"' in out


def test_a_damaged_cached_font_is_made_again(tmp_path):
    from support import REPO
    from sitrep.render import singlefile

    font = (REPO / "templates/fonts" / FONT).read_bytes()
    cache = tmp_path / "cache"
    first = singlefile.subset_font(font, frozenset("Fallujah Ω"), cache)  # Ω: outside the shipped cut
    (cached,) = cache.glob("*.woff2")
    cached.write_bytes(first[:100])  # truncated
    singlefile._subset.cache_clear()
    again = singlefile.subset_font(font, frozenset("Fallujah Ω"), cache)
    assert again == first and again[:4] == b"wOF2"


def test_a_font_cache_that_cannot_be_written_only_costs_time(tmp_path):
    from support import REPO
    from sitrep.render import singlefile

    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")  # no folder can be made here
    singlefile._subset.cache_clear()
    font = (REPO / "templates/fonts" / FONT).read_bytes()
    subset = singlefile.subset_font(font, frozenset("Fallujah Ω"), cache)  # Ω: outside the shipped cut
    assert subset[:4] == b"wOF2"
