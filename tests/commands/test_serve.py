"""`sitrep serve`: the report on localhost, rebuilt and reloaded in the browser when a file changes.

The first tests talk HTTP to the server in-process (fast, no browser). The browser tests start
`python -m sitrep serve` as a user does and drive Debian's headless chromium through the Chrome
DevTools Protocol: they open the page once, edit the store, and watch the page reload itself.
`make test` (scripts/setup.sh --test) installs chromium, so these run in CI.
"""

from __future__ import annotations

import http.client
import io
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from support import PATIENCE, DevTools, busy_port, png, use_templates_folder, wait_until
from sitrep.commands import serve as serve_module
from sitrep.errors import Problem
from sitrep.render.templates import builtin_templates_dir
from sitrep.commands.serve import ReportServer
from sitrep.commands.servepages import EVENTS_PATH, VERSION_PATH, error_page

FACTS = "facts/2016-06-fallujah.yaml"
KILLED_LINE = "    value: 30\n"  # fallujah-fleeing-killed-2016-06: 'at least 30' civilians killed
TITLE = "Fallujah Situation Report"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- in-process: the serve module over plain HTTP ------------------------------------------------

def get(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    parts = urllib.request.urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=PATIENCE)
    try:
        connection.putrequest("GET", parts.path or "/", skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.fixture
def server(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    lines: list[str] = []
    with ReportServer(workspace / "config.yaml", port=0, log=lines.append) as running:
        running.lines = lines
        yield running


def test_serves_the_report_with_live_reload_and_its_fonts(server):
    status, content_type, body = get(server.url)
    page = body.decode()
    assert status == 200 and content_type.startswith("text/html")
    assert TITLE in page and "30,000–40,000" in page
    assert EVENTS_PATH in page and "new EventSource(" in page and "location.reload()" in page
    assert page.index("location.reload()") < page.rindex("</body>")
    assert '"/assets/fonts/NotoSans-Regular.ttf"' in page  # fonts from the server, not ../assets

    status, _, version = get(server.url + VERSION_PATH.lstrip("/"))
    assert status == 200 and version.decode() == server.page.generation
    assert f'"{server.page.generation}"' in page

    status, content_type, font = get(server.url + "assets/fonts/NotoSans-Regular.ttf")
    assert status == 200 and content_type == "font/ttf"
    assert font == (builtin_templates_dir() / "fonts" / "NotoSans-Regular.ttf").read_bytes()
    assert server.lines and server.lines[0].endswith(")") and "2016-W26: ok" in server.lines[0]


@pytest.mark.parametrize("path", ["/assets/fonts/../../pyproject.toml", "/assets/fonts/../report.css",
                                  "/assets/fonts/%2e%2e/report.css", "/assets/fonts/..%2freport.css",
                                  "/assets/fonts/%2e%2e%2f%2e%2e%2fconfig.yaml", "/assets/fonts/",
                                  "/assets/fonts/.hidden", "/assets/report.css", "/facts/sources.yaml",
                                  "/config.yaml", "//etc/passwd"])
def test_refuses_anything_but_the_fonts(server, path):
    status, _, body = get(server.url.rstrip("/") + path)
    assert status == 404
    assert b"Fallujah" not in body


def test_serves_the_theme_logo_and_no_other_workspace_file(workspace, monkeypatch):
    from sitrep.source.config import ConfigModel

    if "theme" not in ConfigModel.model_fields:
        pytest.skip("config.yaml has no `theme:` key in this version of sitrep")
    monkeypatch.chdir(workspace)
    (workspace / "logo.png").write_bytes(png(1, 1, (0x1f, 0x5f, 0x8b)))
    with (workspace / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("theme:\n  logo: logo.png\n")
    with ReportServer(workspace / "config.yaml", port=0, log=lambda line: None) as server:
        page = get(server.url)[2].decode()
        assert 'src="/assets/theme/logo.png"' in page
        assert get(server.url + "assets/theme/logo.png") == (200, "image/png", png(1, 1, (0x1f, 0x5f, 0x8b)))
        for path in ("assets/theme/../../config.yaml", "assets/theme/logo.png/..", "assets/theme/config.yaml",
                     "workspace/config.yaml", "workspace/facts/sources.yaml", "assets/theme/fonts/"):
            assert get(server.url + path)[0] == 404, path


def test_answers_only_to_localhost_names(server):
    assert get(server.url, host="evil.example")[0] == 403  # a DNS-rebinding page cannot read the report
    assert get(server.url, host=f"evil.example:{server.port}")[0] == 403
    assert get(server.url, host=f"localhost:{server.port}")[0] == 200
    assert get(server.url, host=f"127.0.0.1:{server.port}")[0] == 200


def test_rebuilds_when_a_fact_changes(server, workspace):
    before = server.page.generation
    edit(workspace / FACTS, KILLED_LINE, "    value: 4321\n")
    wait_until(lambda: get(server.url + VERSION_PATH.lstrip("/"))[2].decode() != before,
               message="a new build generation")
    assert "4,321" in get(server.url)[2].decode()
    # The server logs the rebuild just after it serves the new page.
    wait_until(lambda: any("rebuilt 2016-W26: ok" in line for line in server.lines), message="the rebuild's log line")


def test_the_watcher_hears_a_save_as_a_file_event(server, workspace, monkeypatch):
    """The save is heard as a file event: once the watcher is armed, its thread looks at no file
    (no os.stat) except while it rebuilds, and the save still brings the rebuild."""
    import os

    assert server.watching.wait(PATIENCE)
    real_stat = os.stat
    looked: list[str] = []

    def rebuilding() -> bool:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_name == "rebuild":
                return True
            frame = frame.f_back
        return False

    def stat(path, *args, **kwargs):
        if threading.current_thread().name == "sitrep-watch" and not rebuilding():
            looked.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    before = server.page.generation
    edit(workspace / FACTS, KILLED_LINE, "    value: 4321\n")
    wait_until(lambda: server.page.generation != before, message="a rebuild heard as a file event")
    monkeypatch.undo()
    assert "4,321" in get(server.url)[2].decode()
    assert looked == []  # nothing polled


def test_events_tell_a_page_to_reload_once_it_is_out_of_date(server):
    """/events: a page of the current build waits; a rebuild sends it `reload`; a page of an older
    build (or of a server since restarted) is told at once."""
    generation = server.page.generation
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=PATIENCE)
    connection.request("GET", f"{EVENTS_PATH}?generation={generation}")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    assert response.readline() == b"retry: 300\n"
    server._count += 1  # the next build differs from this one (as an edited fact makes it)
    server.rebuild()
    assert server.page.generation != generation
    lines = [response.readline() for _ in range(3)]
    assert lines == [b"\n", b"event: reload\n", f"data: {server.page.generation}\n".encode()]
    connection.close()

    status, content_type, body = get(server.url + f"{EVENTS_PATH.lstrip('/')}?generation=1-1")
    assert status == 200 and b"event: reload" in body
    assert get(server.url + EVENTS_PATH.lstrip("/"), host="evil.example")[0] == 403


def test_watched_folders_and_which_events_count(tmp_path):
    from sitrep.commands.servewatch import is_input, watch_roots

    (tmp_path / "facts" / "more").mkdir(parents=True)
    (tmp_path / "config.yaml").write_text("", encoding="utf-8")
    inputs = [tmp_path / "config.yaml", tmp_path / "facts", tmp_path / "bulk" / "manifest.json"]
    assert watch_roots(inputs) == [tmp_path]  # a file through its folder; bulk/ not made yet
    assert watch_roots([tmp_path / "facts", tmp_path / "facts" / "more"]) == [tmp_path / "facts"]
    for path in ("config.yaml", "facts/a.yaml", "facts/more/b.yaml", "bulk/manifest.json"):
        assert is_input(str(tmp_path / path), inputs), path
    for path in ("output/2016-W26/report.html", ".sitrep-cache/store.bin", "facts/.a.yaml.swp", "facts/a.yaml~",
                 "facts/.git/index", "config.yaml.tmp", "bulk/other.csv"):
        assert not is_input(str(tmp_path / path), inputs), path


def test_rebuilds_when_an_import_brings_events(server, workspace, sitrep_cli):
    import csv
    import datetime as dt
    import sys

    from support import REPO

    sys.path.insert(0, str(REPO / "bench"))
    from generate_imports import acled_rows
    from sitrep.exchange.acled import COLUMNS

    rows = [dict(row, sub_event_type="Attack", event_type="Violence against civilians", event_id_cnty="IRQ4321")
            for row in acled_rows(1, start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 1))]
    with (workspace / "acled.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    before = server.page.generation
    assert sitrep_cli("import", "acled", workspace / "acled.csv", "--config", workspace / "config.yaml").exit_code == 0
    wait_until(lambda: get(server.url + VERSION_PATH.lstrip("/"))[2].decode() != before,
               message="a new build generation after the import")
    assert "ACLED event IRQ4321" in get(server.url)[2].decode()


def test_a_broken_store_is_shown_escaped_then_the_report_comes_back(server, workspace):
    before = server.page.generation
    edit(workspace / FACTS, KILLED_LINE, KILLED_LINE + '    "<script>alert(1)</script>": 1\n')
    wait_until(lambda: server.page.generation != before, message="a rebuild")
    status, _, body = get(server.url)
    page = body.decode()
    assert status == 500
    assert f"{FACTS}:28: error: [fallujah-fleeing-killed-2016-06] unknown key" in page
    assert "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in page
    assert "<script>alert(1)" not in page
    assert EVENTS_PATH in page  # the error page reloads by itself too
    wait_until(lambda: any("1 error (shown on the page)" in line for line in server.lines),
               message="the log line about the error")

    broken = server.page.generation
    edit(workspace / FACTS, '    "<script>alert(1)</script>": 1\n', "")
    wait_until(lambda: server.page.generation != broken, message="a rebuild after the fix")
    status, _, body = get(server.url)
    assert status == 200 and TITLE in body.decode()


def test_the_pdf_is_made_on_demand_with_the_bundled_fonts(server):
    status, content_type, pdf = get(server.url + "report.pdf")
    assert status == 200 and content_type == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert TITLE in reader.pages[0].extract_text()
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("Noto-Sans" in name for name in fonts), fonts


def test_error_page_escapes_every_problem():
    page = error_page([Problem("facts/a.yaml", 3, "bad <script>alert('x')</script> & <b>"),
                       Problem("facts/<b>.yaml", 0, "whole file")])
    assert "<script>alert" not in page and "<b>" not in page
    assert "facts/a.yaml:3: error: bad &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "facts/&lt;b&gt;.yaml: error: whole file" in page
    assert "2 errors" in page


def test_an_unexpected_exception_is_shown_and_the_server_keeps_running(server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom <img src=x>")

    monkeypatch.setattr(serve_module, "render_report", broken)
    server.rebuild()
    status, _, body = get(server.url)
    page = body.decode()
    assert status == 500
    assert "internal error: RuntimeError: boom &lt;img src=x&gt;" in page and "<img src=x>" not in page
    monkeypatch.undo()
    server.rebuild()
    assert get(server.url)[0] == 200


def test_serve_refuses_a_missing_config_and_a_busy_port(sitrep_cli, workspace):
    result = sitrep_cli("serve", "--config", workspace / "nope.yaml")
    assert result.exit_code == 1 and "config file not found" in result.stderr
    with busy_port() as port:
        result = sitrep_cli("serve", "--port", port, "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert f"--port: error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.output


# -- the command as a user runs it ---------------------------------------------------------------

class ServeProcess:
    """`python -m sitrep serve --port 0` in a workspace; its console lines are collected."""

    def __init__(self, workspace: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitrep", "serve", "--port", "0", "--config", str(workspace / "config.yaml")],
            cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""
        deadline = time.monotonic() + PATIENCE
        while not self.url:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise AssertionError(f"sitrep serve printed no URL: {self.lines}") from None
            if match := re.match(r"Serving (.+) at (http://127\.0\.0\.1:\d+/) — Ctrl\+C to stop$", line):
                self.title, self.url = match.groups()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line.rstrip("\n"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._reader.join(timeout=10)  # every line it printed read: its pipe closes as it ends
        return self.proc.returncode


@pytest.fixture
def serve_process(workspace):
    started: list[ServeProcess] = []

    def start() -> ServeProcess:
        started.append(ServeProcess(workspace))
        return started[-1]

    yield start
    for process in started:
        process.stop()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_the_command_prints_its_url_and_stops_cleanly_with_exit_130(serve_process, sig):
    """README: 'Ctrl+C exits with 130' holds for serve too, which only ever ends interrupted."""
    process = serve_process()
    assert process.title == TITLE
    assert get(process.url)[0] == 200
    assert process.stop(sig) == 130
    assert "stopped" in process.lines, process.lines  # serve writes nothing: no word of files
    assert not any("every file" in line for line in process.lines)
    assert not any("Traceback" in line for line in process.lines)


def open_page(browser: DevTools, url: str) -> str:
    browser.call("Page.navigate", url=url)
    return browser.wait_for_text(TITLE)


def test_browser_shows_the_report(serve_process, browser):
    process = serve_process()
    text = open_page(browser, process.url)
    assert "Key figures" in text
    assert "30,000–40,000" in text
    assert browser.evaluate("document.title").startswith(TITLE)
    # The bundled font came from the server (fonts load after the text shows: wait for it).
    wait_until(lambda: browser.evaluate("document.fonts.check('12px \"Noto Sans\"')") is True,
               message="the Noto Sans font served by sitrep serve")


# Run by the browser before the page's own script (and not subject to its policy): it notes in the
# tab's sessionStorage, which outlives a reload, the event stream the page opens and its `reload`.
EVENT_SPY = """(function () {
  var Real = window.EventSource;
  if (!Real) { return; }
  function Spied(url, options) {
    var source = new Real(url, options);
    source.addEventListener("open", function () { sessionStorage.setItem("sitrepStream", url); });
    source.addEventListener("reload", function () { sessionStorage.setItem("sitrepReloadedBy", "the reload event"); });
    return source;
  }
  Spied.CONNECTING = Real.CONNECTING; Spied.OPEN = Real.OPEN; Spied.CLOSED = Real.CLOSED;
  window.EventSource = Spied;
})();"""


def test_browser_reloads_by_itself_when_a_fact_changes(serve_process, browser, workspace):
    """The reload is pushed: the page holds /events open (its policy allows it), and the `reload`
    event it gets is what reloads it (a spy on EventSource, added by the browser, says so)."""
    process = serve_process()
    browser.call("Page.enable")  # without it, the script below is not run
    browser.call("Page.addScriptToEvaluateOnNewDocument", source=EVENT_SPY)
    open_page(browser, process.url)
    browser.evaluate("window.sitrepTestMarker = 'not reloaded'")
    assert "4,321" not in browser.text()
    wait_until(lambda: browser.evaluate("sessionStorage.getItem('sitrepStream')"), message="the page's event stream")

    edit(workspace / FACTS, KILLED_LINE, "    value: 4321\n")
    browser.wait_for_text(TITLE, "4,321")  # no navigation from the test: the page reloaded itself
    assert browser.evaluate("window.sitrepTestMarker") is None
    assert browser.evaluate("sessionStorage.getItem('sitrepReloadedBy')") == "the reload event"
    assert process.alive()


def test_browser_shows_a_broken_store_then_the_report_again(serve_process, browser, workspace):
    process = serve_process()
    open_page(browser, process.url)

    edit(workspace / FACTS, KILLED_LINE, "    value: [30\n")  # a YAML syntax error on line 27
    text = browser.wait_for_text("could not be built")
    assert f"{FACTS}:27: error: invalid YAML" in text
    assert "30,000–40,000" not in text  # the error, never the stale report
    wait_until(lambda: any("1 error (shown on the page)" in line for line in process.lines),
               message="serve's line about the error")
    assert process.alive()

    edit(workspace / FACTS, "    value: [30\n", "    value: 31\n")
    text = browser.wait_for_text(TITLE, "30,000–40,000")
    assert "could not be built" not in text
    assert process.alive()


def test_browser_shows_a_template_error_from_the_user_templates(serve_process, browser, workspace):
    from sitrep.source.config import ConfigModel

    if "templates" not in ConfigModel.model_fields:
        pytest.skip("config.yaml has no `templates:` key in this version of sitrep, so there is no user "
                    "templates folder to break; the built-in templates are watched by the other tests' server")
    use_templates_folder(workspace)
    folder = workspace / "templates"
    good = '{% extends "builtin:report.html" %}\n{% block title %}Custom {{ report.title }}{% endblock %}\n'
    (folder / "report.html").write_text(good, encoding="utf-8")
    process = serve_process()
    open_page(browser, process.url)
    assert browser.evaluate("document.title").startswith("Custom ")

    (folder / "report.html").write_text(good.replace("{% endblock %}", "{% if %}{% endblock %}"), encoding="utf-8")
    text = browser.wait_for_text("could not be built")
    assert re.search(r"templates/report\.html:2: error: template syntax error", text), text
    assert process.alive()

    (folder / "report.html").write_text(good.replace("Custom", "Fixed"), encoding="utf-8")
    browser.wait_for_text(TITLE, "30,000–40,000")
    assert browser.evaluate("document.title").startswith("Fixed ")
    assert process.alive()
