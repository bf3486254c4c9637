"""What a browser receives is what the checker judged (issue 22): every HTML file sitrep writes
is the serialisation of the WHATWG parse it was judged on (so reading it again builds the same
tree), its Content-Security-Policy comes first in <head>, put there by sitrep, and a browser that
enforces it still shows the report as it is meant to look and follows its links."""

from __future__ import annotations

from pathlib import Path

import pytest

from bypass_corpus import CORPUS, HARMLESS, markup
from support import EXAMPLE_WEEK, copy_workspace, wait_until, write
from sitrep.render import htmltree
from sitrep.render.contentpolicy import CONTENT_SECURITY_POLICY

SECTION = "templates/sections/outlook.html"
REPORT = f"output/{EXAMPLE_WEEK}/fallujah-sitrep-{EXAMPLE_WEEK}"


def written_html(workspace: Path) -> list[Path]:
    files = sorted((workspace / "output").rglob("*.html"))
    assert len(files) >= 6  # the report in three languages, and their three indexes
    return files


def test_every_html_file_written_is_its_own_parse_serialised(example_html_built):
    for path in written_html(example_html_built):
        text = path.read_text(encoding="utf-8")
        document = htmltree.parse(text)
        assert htmltree.serialised(document) == text, path.name
        assert htmltree.first_mutation(document, text) is None, path.name


def test_every_html_file_starts_its_head_with_the_content_policy(example_html_built):
    for path in written_html(example_html_built):
        document = htmltree.parse(path.read_text(encoding="utf-8"))
        head = next(e for e in htmltree.elements(document) if e.name == "head")
        first = head.children[0]
        assert (first.name, first.attrs) == ("meta", {"http-equiv": "Content-Security-Policy",
                                                      "content": CONTENT_SECURITY_POLICY}), path.name
        assert sum("http-equiv" in (e.attrs or {}) for e in htmltree.elements(document)) == 1, path.name


@pytest.mark.parametrize("name", sorted(n for n, (_, outcome) in CORPUS.items() if outcome == HARMLESS))
def test_what_is_built_reads_back_as_the_same_tree(name):
    text = f"<!DOCTYPE html><html><head><title>t</title></head><body>{markup(name, 'http://127.0.0.1:9')}</body></html>"
    document = htmltree.parse(text)
    once = htmltree.serialised(document)
    assert htmltree.first_mutation(document, once) is None
    assert htmltree.serialised(htmltree.parse(once)) == once


@pytest.mark.parametrize("name", ["mathml-mglyph-style"])
def test_markup_that_mutates_when_read_again_is_found(name):
    before = "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p>"
    document = htmltree.parse(before + markup(name, "http://127.0.0.1:9"))
    mutated = htmltree.first_mutation(document, htmltree.serialised(document))
    assert mutated is not None and htmltree.origin_offset(mutated) >= len(before)  # found in the attempt


@pytest.fixture
def styled(example_html_built, tmp_path, sitrep_cli) -> Path:
    """The example with a stylesheet of the workspace linked from a section, built (HTML)."""
    workspace = copy_workspace(example_html_built, tmp_path / "ws")
    write(workspace / "maps/style.css", ".outlook { border-top: 7px solid rgb(1, 2, 3); }\n")
    write(workspace / SECTION, '<section class="outlook">\n<link rel="stylesheet" href="{{ workspace }}/maps/style.css">\n'
                               '<p>Outlook</p>\n</section>\n')
    result = sitrep_cli("build", "--config", workspace / "config.yaml", "--week", EXAMPLE_WEEK, "--format", "html")
    assert result.exit_code == 0, result.output
    return workspace


def test_the_policy_lets_a_file_opened_from_disk_use_the_workspace_and_follow_links(styled, browser):
    report = styled / f"{REPORT}.html"
    browser.call("Page.navigate", url=report.as_uri())
    wait_until(lambda: browser.evaluate("document.readyState") == "complete", message="the report to load")
    wait_until(lambda: browser.evaluate("document.fonts.status") == "loaded", message="the fonts to load")
    # 'self', for a file opened from disk, covers the workspace's files beside it (../../maps).
    border = "getComputedStyle(document.querySelector('section.outlook')).borderTopWidth"
    wait_until(lambda: browser.evaluate(border) == "7px", message="the workspace's stylesheet to apply")
    # The fonts written into the file (data: URLs) load.
    assert browser.evaluate("[...document.fonts].some(f => f.status === 'loaded')")
    # A reader's click on a link follows it: to the report in another language.
    box = browser.evaluate("""(() => { const a = document.querySelector('a[hreflang="fr"]');
        a.scrollIntoView(); const r = a.getBoundingClientRect();
        return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()""")
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)
    wait_until(lambda: (browser.evaluate("location.href") or "").endswith(f"{EXAMPLE_WEEK}-fr.html"),
               message="the link to be followed")


def test_the_written_html_still_knows_the_template_line_of_each_element(example_html_built, tmp_path, monkeypatch):
    # What the PDF stage names when WeasyPrint's fetcher refuses an address the HTML holds.
    from sitrep.pipeline import Workspace

    workspace = copy_workspace(example_html_built, tmp_path / "ws")
    write(workspace / SECTION, '<section class="outlook">\n<p>Outlook</p>\n'
                               '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot">\n</section>\n')
    monkeypatch.chdir(workspace)
    loaded = Workspace.load("config.yaml")
    html = loaded.render_week(loaded.resolve(EXAMPLE_WEEK, "public"), "public").html
    assert html.text.startswith("<!DOCTYPE html>")
    assert html.origin_at(html.text.index('<img src="data:image/gif')) == (SECTION, 3)
    assert html.origin_at(html.text.index("<p>Outlook")) == (SECTION, 2)
