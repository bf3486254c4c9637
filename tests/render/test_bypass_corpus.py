"""Issue 22: what a report's reader receives cannot run a script or send a request. Each attempt
of the corpus (bypass_corpus.py) written into a section template is either refused, at the
template line that wrote it, or built into a file that headless Chromium opens without running
anything and without a request reaching a local listener."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from bypass_corpus import CORPUS, HARMLESS, REFUSED, markup
from support import EXAMPLE_WEEK, assert_refused, copy_example, use_templates_folder, wait_until, write
from sitrep.errors import TemplateProblem
from sitrep.pipeline import Workspace

SECTION = "templates/sections/outlook.html"
HTML_OUT = f"output/{EXAMPLE_WEEK}/fallujah-sitrep-{EXAMPLE_WEEK}.html"
SETTLE = 1.5  # seconds a loaded page is given to run or request anything


@pytest.fixture(scope="module")
def listener():
    """A local HTTP listener: ('http://127.0.0.1:PORT', the paths it was asked for)."""
    heard: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            heard.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", heard
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def corpus_ws(tmp_path_factory) -> Path:
    workspace = copy_example(tmp_path_factory.mktemp("corpus") / "ws")
    use_templates_folder(workspace)
    return workspace


def section(*lines: str) -> str:
    """A section template whose lines 2, 3... hold `lines`."""
    return '<section class="outlook">\n' + "\n".join(lines) + "\n</section>\n"


def verdict(ws: Path, text: str, monkeypatch) -> tuple[str, list]:
    """What the render and check stage does with `text` on line 2 of a section template."""
    write(ws / SECTION, section(text))
    monkeypatch.chdir(ws)
    workspace = Workspace.load("config.yaml")
    try:
        workspace.render_week(workspace.resolve(EXAMPLE_WEEK, "public"), "public")
    except TemplateProblem as refusal:
        return REFUSED, refusal.problems
    return HARMLESS, []


def test_the_corpus_holds_at_least_40_attempts_of_both_outcomes():
    assert len(CORPUS) >= 40
    assert {outcome for _, outcome in CORPUS.values()} == {REFUSED, HARMLESS}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_attempt_is_refused_at_its_line_or_built(corpus_ws, listener, monkeypatch, name):
    outcome, problems = verdict(corpus_ws, markup(name, listener[0]), monkeypatch)
    assert outcome == CORPUS[name][1], [str(p) for p in problems]
    for problem in problems:
        assert (problem.file, problem.line) == (SECTION, 2), str(problem)
        assert problem.severity == "error"


ISSUE_ATTEMPTS = ["comment-bang-end", "comment-abrupt-end", "style-end-tag-attribute", "style-end-tag-slash",
                  "noscript-attribute-breakout", "iframe-data-script", "object-data-script", "css-image-set",
                  "svg-set-href"]


@pytest.mark.parametrize("name", ISSUE_ATTEMPTS)
def test_the_build_refuses_the_issue_attempts_and_writes_nothing(corpus_ws, listener, sitrep_cli, name):
    write(corpus_ws / SECTION, section(markup(name, listener[0])))
    result = sitrep_cli("build", "--config", corpus_ws / "config.yaml", "--week", EXAMPLE_WEEK, "--format", "html")
    assert_refused(result, str(corpus_ws / SECTION), 2, "report")
    assert not (corpus_ws / HTML_OUT).exists()


def open_and_settle(browser, url: str) -> None:
    browser.call("Runtime.enable")
    browser.call("Page.enable")
    browser.call("Page.navigate", url=url)
    wait_until(lambda: browser.evaluate("document.readyState") == "complete", message="the page to load")
    time.sleep(SETTLE)


def scripts_that_ran(browser) -> list[str]:
    consoled = [str(arg.get("value")) for event in browser.events if event["method"] == "Runtime.consoleAPICalled"
                for arg in event["params"].get("args", [])]
    dialogs = [event["params"].get("message", "") for event in browser.events
               if event["method"] == "Page.javascriptDialogOpening"]
    title = browser.evaluate("document.title") or ""
    return [text for text in [*consoled, *dialogs, title] if "ran-" in text]


def test_the_harness_sees_a_script_and_a_request(listener, browser, tmp_path):
    """The control: a page without sitrep's checks, whose script and image Chromium runs and
    loads, is seen, so an empty result below means nothing ran."""
    url, heard = listener
    page = write(tmp_path / "control.html", f"<!DOCTYPE html><title>t</title><img src='{url}/control' alt=''>"
                                            "<script>console.log('ran-control')</script>")
    open_and_settle(browser, page.as_uri())
    assert scripts_that_ran(browser) == ["ran-control"]
    assert "/control" in heard
    heard.clear()


def test_the_built_attempts_run_nothing_and_request_nothing_in_chromium(corpus_ws, listener, browser, sitrep_cli):
    url, heard = listener
    built = [name for name, (_, outcome) in CORPUS.items() if outcome == HARMLESS]
    write(corpus_ws / SECTION, section(*(f'<div class="attempt">{markup(name, url)}</div>' for name in built)))
    result = sitrep_cli("build", "--config", corpus_ws / "config.yaml", "--week", EXAMPLE_WEEK, "--format", "html")
    assert result.exit_code == 0, result.output
    html = corpus_ws / HTML_OUT
    heard.clear()
    open_and_settle(browser, html.as_uri())
    assert browser.evaluate("document.querySelectorAll('.attempt').length") >= len(built) - 1  # the frameset is dropped
    assert scripts_that_ran(browser) == []
    assert heard == []
