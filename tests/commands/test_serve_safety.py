"""`sitrep serve` facing hostile web pages and a burst of requests (issue 22).

- The Host check (the DNS-rebinding defence) holds on every address serve listens on.
- Every HTML answer carries the reports' Content-Security-Policy as a header, and a served page
  still shows its styles, fonts, images and map in Chromium, its links work and it reloads itself.
- A burst of PDF requests is answered from one PDF, laid out once in the background, never a
  reset connection, while the page keeps being served (issue 25).
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import http.server
import re
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from support import PATIENCE, png, use_templates_folder, wait_until
from sitrep.commands import serve as serve_module
from sitrep.commands.serve import ReportServer
from sitrep.render.contentpolicy import CONTENT_SECURITY_POLICY

TITLE = "Fallujah Situation Report"
FACTS = "facts/2016-06-fallujah.yaml"
KILLED_LINE = "    value: 30\n"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def policy(self) -> str:
        return self.headers.get("content-security-policy", "")


def ask(address: str, port: int, path: str = "/", host: str | None = "localhost",
        timeout: float = PATIENCE) -> Answer:
    """GET `path` from the server at `address`, with this Host header (None: no Host header)."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return Answer(response.status, {name.lower(): value for name, value in response.getheaders()}, response.read())
    finally:
        connection.close()


@pytest.fixture
def served(workspace, monkeypatch):
    """Start a ReportServer on the example workspace: served(host=..., allowed_hosts=...)."""
    monkeypatch.chdir(workspace)
    started: list[ReportServer] = []

    def start(**options) -> ReportServer:
        lines: list[str] = []
        server = ReportServer(workspace / "config.yaml", port=0, log=lines.append, **options)
        server.lines = lines
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.close()


# -- the Host check, on every address ------------------------------------------------------------

def lan_address() -> str | None:
    """This machine's address on its network (the one a default route leaves by), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent, only a route chosen
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


REFUSED_HOSTS = ["evil.example", "evil.example:{port}", "evil.example.", "localhost.evil.example",
                 "127.0.0.1.evil.example", "evil.example:{port}:{port}", "[::1", "[evil.example]:{port}",
                 "local host", None]
ANSWERED_HOSTS = ["localhost", "localhost:{port}", "LOCALHOST.:{port}", "report.localhost:{port}",
                  "127.0.0.1:{port}", "127.0.0.2:{port}", "[::1]:{port}", "192.0.2.7:{port}", "{connect}:{port}"]


@pytest.mark.parametrize("listen", ["127.0.0.1", "127.0.0.2", "::1", "0.0.0.0", "::", "lan"])
def test_the_host_check_holds_on_every_address(served, listen):
    """A DNS-rebinding page's request names its own domain as Host, whatever address serve
    listens on; an IP address or a localhost name can only come from a reader who typed it."""
    if listen == "lan" and (listen := lan_address()) is None:
        pytest.skip("this machine has no network address besides loopback")
    connect = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(listen, listen)
    server = served(host=listen)
    for host in REFUSED_HOSTS:
        header = host.format(port=server.port) if host else None
        answer = ask(connect, server.port, "/", host=header)
        assert answer.status == 403, (listen, header)
        assert TITLE.encode() not in answer.body
        assert b"a defence against DNS rebinding" in answer.body
    bracketed = f"[{connect}]" if ":" in connect else connect
    for host in ANSWERED_HOSTS:
        header = host.format(port=server.port, connect=bracketed)
        answer = ask(connect, server.port, "/", host=header)
        assert answer.status == 200 and TITLE.encode() in answer.body, (listen, header)
    assert ask(connect, server.port, "/report.pdf", host="evil.example").status == 403


def test_allowed_names_and_domains_are_answered_and_a_refusal_says_how(served):
    server = served(host="0.0.0.0", allowed_hosts=["laptop.local", ".example.org"])
    for host in ("laptop.local", f"Laptop.Local:{server.port}", "example.org", f"a.b.example.org:{server.port}"):
        assert ask("127.0.0.1", server.port, "/", host=host).status == 200, host
    for host in ("laptop.local.evil.example", "badexample.org", "example.org.evil.example", "evil.example"):
        assert ask("127.0.0.1", server.port, "/", host=host).status == 403, host
    answer = ask("127.0.0.1", server.port, "/", host=f"mybox.lan:{server.port}")
    assert answer.body.decode().endswith("; to open the report as mybox.lan, start sitrep serve with "
                                         "--allow-host mybox.lan\n")
    ask("127.0.0.1", server.port, "/", host="mybox.lan")
    refusals = [line for line in server.lines if "refused" in line]
    assert len([line for line in refusals if "mybox.lan" in line]) == 1  # once per name, not per request
    assert refusals[-1].endswith("refused a request addressed to mybox.lan: pass --allow-host mybox.lan "
                                 "to open the report by that name")
    # A Host that is no name is refused without being repeated.
    answer = ask("127.0.0.1", server.port, "/", host="evil\x1b[31m.example")
    assert answer.status == 403 and b"\x1b" not in answer.body and b"--allow-host evil" not in answer.body
    assert not any("\x1b" in line for line in server.lines)


def test_the_command_refuses_a_host_name_it_cannot_allow(sitrep_cli, workspace):
    result = sitrep_cli("serve", "--config", workspace / "config.yaml", "--port", 0, "--allow-host", "evil example/")
    assert result.exit_code == 1
    assert ("--allow-host: error: 'evil example/' is not a host name (expected a name such as laptop.local, "
            "or .example.org for that domain and every name under it)") in result.stderr
    assert "Traceback" not in result.output


# -- the Content-Security-Policy header -----------------------------------------------------------

def script_hash(page: str) -> str:
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 1, scripts  # serve's live-reload script, and no other
    return "sha256-" + base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()


def assert_page_policy(answer: Answer) -> None:
    """The reports' policy, no framing, and serve's one script by its hash with the poll it makes."""
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.policy.startswith(CONTENT_SECURITY_POLICY + "; ")
    directives = answer.policy.split("; ")
    assert "frame-ancestors 'none'" in directives and "connect-src 'self'" in directives
    assert f"script-src '{script_hash(answer.body.decode())}'" in directives


def assert_plain_policy(answer: Answer) -> None:
    assert answer.policy == CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'"


def test_every_html_answer_carries_the_content_security_policy(served, workspace, monkeypatch):
    server = served()
    port = server.port
    assert_page_policy(ask("127.0.0.1", port, "/"))
    assert_page_policy(ask("127.0.0.1", port, "/index.html"))
    for path in ("/nothing-here", "/__sitrep/version"):
        assert_plain_policy(ask("127.0.0.1", port, path))
    assert_plain_policy(ask("127.0.0.1", port, "/", host="evil.example"))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    make_pdf = serve_module.render_report_pdf
    monkeypatch.setattr(serve_module, "render_report_pdf", broken)  # a bug in sitrep: the 500 page
    server.rebuild()  # laid out again
    answer = ask("127.0.0.1", port, "/report.pdf")
    assert answer.status == 500 and b"internal error: RuntimeError: boom" in answer.body
    assert answer.headers["content-type"].startswith("text/html")
    assert_plain_policy(answer)
    monkeypatch.setattr(serve_module, "render_report_pdf", make_pdf)

    before = server.page.generation
    text = (workspace / FACTS).read_text(encoding="utf-8")
    (workspace / FACTS).write_text(text.replace(KILLED_LINE, "    value: [30\n", 1), encoding="utf-8")
    wait_until(lambda: server.page.generation != before, message="a rebuild of the broken store")
    for path in ("/", "/report.pdf"):  # the build's error page, and the PDF's
        answer = ask("127.0.0.1", port, path)
        assert answer.status == 500 and b"could not be built" in answer.body, path
        assert_page_policy(answer)


def with_policy_meta(page: str, quoted: str) -> str:
    """`page` with the policy <meta> the written HTML files carry (sitrep.render), as the first
    child of <head>."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{quoted}">'
    return page.replace("<head>", "<head>" + meta, 1)


@pytest.mark.parametrize("quoted", [CONTENT_SECURITY_POLICY, html.escape(CONTENT_SECURITY_POLICY)],
                         ids=["raw", "escaped"])
def test_the_page_is_served_without_the_policy_meta_the_header_replaces(served, monkeypatch, quoted):
    """A <meta> policy adds to the header's and forbids the live-reload script: serve leaves the
    written file's <meta> out and sends the same policy, and more, as its header."""
    render_report = serve_module.render_report

    def with_meta(*args, **kwargs):
        context, page, config = render_report(*args, **kwargs)
        return context, with_policy_meta(page, quoted) + '<meta name="keep" content="x">', config

    monkeypatch.setattr(serve_module, "render_report", with_meta)
    server = served()
    answer = ask("127.0.0.1", server.port, "/")
    assert b"Content-Security-Policy" not in answer.body and b'<meta name="keep" content="x">' in answer.body
    assert_page_policy(answer)


# -- in Chromium: the policy enforced, and the page whole --------------------------------------

class Listener:
    """A local HTTP listener that records every path asked of it (a beacon, or a followed link)."""

    def __init__(self):
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"listener")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


RECORD_VIOLATIONS = """window.sitrepViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.sitrepViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});"""


@pytest.mark.parametrize("written_meta", [False, True], ids=["header", "header-and-written-meta"])
def test_browser_enforces_the_header_and_the_page_stays_whole(served, browser, workspace, monkeypatch, written_meta):
    """Served with the header (and, when the rendered page carries the policy <meta> every
    written file carries, without it): the styles, the served fonts, the logo and the map show,
    links are followed, a load the report never makes is blocked, and the page still reloads
    itself when a fact changes."""
    listener = Listener()
    try:
        (workspace / "logo.png").write_bytes(png(8, 8, (0x1f, 0x5f, 0x8b)))
        with (workspace / "config.yaml").open("a", encoding="utf-8") as config:
            config.write("theme:\n  logo: logo.png\n")
        use_templates_folder(workspace)
        (workspace / "templates" / "sections").mkdir()
        (workspace / "templates" / "sections" / "outlook.html").write_text(
            '{% include "builtin:sections/outlook.html" %}\n'
            f'<p><a id="away" href="http://127.0.0.1:{listener.port}/followed">away</a></p>\n', encoding="utf-8")
        render_report = serve_module.render_report

        def with_meta(*args, **kwargs):
            context, page, config = render_report(*args, **kwargs)
            return context, with_policy_meta(page, html.escape(CONTENT_SECURITY_POLICY)), config

        if written_meta:
            monkeypatch.setattr(serve_module, "render_report", with_meta)
        server = served()
        browser.call("Page.enable")  # without it, the script below is not added
        browser.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
        browser.call("Page.navigate", url=server.url)
        browser.wait_for_text(TITLE, "30,000–40,000")
        wait_until(lambda: browser.evaluate("document.fonts.check('12px \"Noto Sans\"')") is True,
                   message="the Noto Sans font served by sitrep serve")
        assert "Noto Sans" in browser.evaluate("getComputedStyle(document.body).fontFamily")
        assert browser.evaluate("getComputedStyle(document.querySelector('h1')).fontWeight") == "700"
        wait_until(lambda: browser.evaluate("[...document.images].map(i => i.complete && i.naturalWidth)") == [8],
                   message="the theme's logo, shown")
        assert browser.evaluate("document.querySelector('svg.situation-map').getBoundingClientRect().width") > 100
        assert browser.evaluate("document.querySelectorAll('svg.situation-map path').length") > 3

        # A load the report never makes: refused by the browser, reported as a violation.
        browser.evaluate(f"(new Image()).src = 'http://127.0.0.1:{listener.port}/beacon'; 1")
        reported = "(window.sitrepViolations || []).some(v => v.includes('/beacon'))"
        wait_until(lambda: listener.paths or browser.evaluate(reported), message="the beacon reported as a policy violation")
        assert listener.paths == [], "the beacon reached the listener"
        assert browser.evaluate("window.sitrepViolations.length") == 1  # nothing of the page's own was blocked

        # The page reloads itself (serve's script runs under the policy, with its poll).
        browser.evaluate("window.sitrepTestMarker = 'not reloaded'")
        text = (workspace / FACTS).read_text(encoding="utf-8")
        (workspace / FACTS).write_text(text.replace(KILLED_LINE, "    value: 4321\n", 1), encoding="utf-8")
        browser.wait_for_text(TITLE, "4,321")
        assert browser.evaluate("window.sitrepTestMarker") is None
        assert browser.evaluate("window.sitrepViolations") == []

        # Links: within the page, and out of it.
        browser.evaluate("document.querySelector('a[href=\"#source-1\"]').click()")
        assert browser.evaluate("location.hash") == "#source-1"
        browser.evaluate("document.getElementById('away').click()")
        wait_until(lambda: "/followed" in listener.paths, message="the link followed to the listener")
        assert "/beacon" not in listener.paths
    finally:
        listener.close()


# -- a burst of PDF requests ------------------------------------------------------------------------

@dataclass
class Concurrency:
    """How many calls of a function run at once, and the most that ever did."""

    now: int = 0
    most: int = 0
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, function):
        def counted(*args, **kwargs):
            with self.lock:
                self.now += 1
                self.calls += 1
                self.most = max(self.most, self.now)
            try:
                return function(*args, **kwargs)
            finally:
                with self.lock:
                    self.now -= 1
        return counted


def timed_ask(port: int, path: str, start: threading.Barrier, timeout: float) -> tuple[float, Answer | BaseException]:
    start.wait()
    began = time.monotonic()
    try:
        answer: Answer | BaseException = ask("127.0.0.1", port, path, timeout=timeout)
    except OSError as error:  # a reset, a refusal or a timeout: what the test must never see
        answer = error
    return time.monotonic() - began, answer


def test_a_burst_of_pdf_requests_is_answered_from_one_layout(served, monkeypatch):
    """200 PDF requests at once, and 20 page requests among them: no connection is reset or
    refused, every PDF request gets the same PDF, laid out once in the background after the
    build (the requests that come during the layout wait for it), and the page is served."""
    pdfs = Concurrency()
    monkeypatch.setattr(serve_module, "render_report_pdf", pdfs.wrap(serve_module.render_report_pdf))
    server = served()
    paths = ["/report.pdf"] * 200 + ["/"] * 20
    start = threading.Barrier(len(paths))
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        results = list(pool.map(lambda path: timed_ask(server.port, path, start, timeout=120), paths))
    failures = Counter(type(answer).__name__ for _, answer in results if isinstance(answer, BaseException))
    print(f"\n200 PDF + 20 page requests at once: failed {dict(failures)}; worst wait "
          f"{max(seconds for seconds, _ in results):.2f} s; PDF layouts: {pdfs.calls}, at once: at most {pdfs.most}")
    assert not failures, f"connections failed: {dict(failures)}"
    pdf_bodies = {answer.body for _, answer in results[:200] if answer.status == 200}
    assert [answer.status for _, answer in results[:200]] == [200] * 200
    assert len(pdf_bodies) == 1 and next(iter(pdf_bodies)).startswith(b"%PDF-")
    assert all(answer.status == 200 and TITLE.encode() in answer.body for _, answer in results[200:])
    assert pdfs.calls == 1 and server.pdf.layouts == 1


def test_the_pdf_is_laid_out_after_each_rebuild_and_served_from_memory(served, monkeypatch, workspace):
    """The PDF is laid out in the background once the report is built, before anyone asks; a
    repeat request lays nothing out; a change lays it out again, and a request during that layout
    waits for it and gets the new PDF; the page is served meanwhile."""
    entered, release = threading.Event(), threading.Event()
    layouts: list[int] = []
    make_pdf = serve_module.render_report_pdf

    def held(*args, **kwargs):  # the real PDF, made once the test lets it go on
        layouts.append(1)
        entered.set()
        release.wait(PATIENCE)
        return make_pdf(*args, **kwargs)

    monkeypatch.setattr(serve_module, "render_report_pdf", held)
    server = served()
    assert entered.wait(PATIENCE)  # laid out with nobody asking
    release.set()
    first = ask("127.0.0.1", server.port, "/report.pdf")
    assert first.status == 200 and first.headers["content-type"] == "application/pdf"
    assert ask("127.0.0.1", server.port, "/report.pdf").body == first.body
    assert len(layouts) == 1 and server.pdf.layouts == 1  # the repeat request came from memory

    entered.clear()
    release.clear()
    assert server.watching.wait(PATIENCE)
    text = (server.config_path.parent / FACTS).read_text(encoding="utf-8")
    (server.config_path.parent / FACTS).write_text(text.replace(KILLED_LINE, "    value: 4321\n", 1), encoding="utf-8")
    assert entered.wait(PATIENCE)  # the save was seen, the report rebuilt, a new layout begun
    with ThreadPoolExecutor(max_workers=1) as pool:
        during = pool.submit(ask, "127.0.0.1", server.port, "/report.pdf")
        try:
            page = ask("127.0.0.1", server.port, "/", timeout=10)
            assert page.status == 200 and b"4,321" in page.body
            assert not during.done()  # it waits for the layout under way, not for an old PDF
        finally:
            release.set()
        second = during.result()
    assert second.status == 200 and second.body.startswith(b"%PDF-") and second.body != first.body
    assert len(layouts) == 2 and server.pdf.layouts == 2


# -- the parts on their own -------------------------------------------------------------------------

@pytest.mark.parametrize("header, name", [
    ("localhost:8000", "localhost"), ("LocalHost.", "localhost"), ("[::1]:8000", "::1"), ("::1", "::1"),
    ("127.0.0.1", "127.0.0.1"), ("laptop.local:80", "laptop.local"), ("", None), (None, None),
    ("evil.example:8000:80", None), ("evil.example:", None), ("evil.example:http", None), ("[::1]x", None),
    ("[evil.example]", None), ("a b", None), ("user@evil.example", None), ("evil.example/x", None),
    ("evil\x00.example", None), ("-x.example", None),
])
def test_the_name_a_host_header_asks_for(header, name):
    from sitrep.commands.servehosts import requested_name

    assert requested_name(header) == name
