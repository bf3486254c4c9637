"""`sitrep serve`: the report on localhost, rebuilt whenever a fact, a template or the config
changes, and reloaded in the browser by itself.

A `ThreadingHTTPServer` answers the browser, and a watcher thread (servewatch.py) hears each save
of config.yaml, a file of the store, the built-in templates, the user's templates folder or the
theme's files as a file event. Each rebuild runs the library's pipeline in memory (check ► report
► render, with the config's templates and theme as `sitrep build` uses them), so nothing is
written to output/. Besides the page, the server answers only the fonts and theme files the page
names, never another file of the workspace. A build that fails shows its problems on the page
instead of a stale report, and the server keeps running; fixing the file brings the report back.

The page holds a server-sent event stream open (``/events``) and reloads when it says `reload`:
at once after a rebuild, or when it connects again to a server restarted meanwhile. The PDF is
laid out in the background after each rebuild, in a process that imported WeasyPrint when the
server started, and `/report.pdf` answers from memory (servepdf.py).

Facing the network and other web pages: it answers only requests addressed to a name it may
answer to (servehosts.py: the DNS-rebinding defence, on every address), every HTML answer carries
the reports' Content-Security-Policy as a header (servepages.py); a deep listen queue takes a
burst of connections without resetting any.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from sitrep.commands.servehosts import AllowedHosts
from sitrep.commands.servepages import (ASSET_POLICY, EVENTS_PATH, SERVED_POLICY, VERSION_PATH, Page, error_page,
                                        internal_error_page)
from sitrep.commands.servepdf import LayoutProcess, PdfCache, Stopped
from sitrep.commands.servewatch import watch_inputs
from sitrep.errors import Problem, SitrepError, display_path
from sitrep.pipeline import Layout, Workspace
from sitrep.publish.layout import ASSETS_DIR
from sitrep.render.templates import builtin_templates_dir
from sitrep.render.theme import THEME_ASSETS, font_file_names, logo_file_name
from sitrep.report.context import ReportContext
from sitrep.source.config import Config, load_config

ASSETS_URL = "/assets"  # the report's fonts, {{ assets }}/fonts/<name>, and theme files, {{ assets }}/theme/...
WORKSPACE_URL = "/workspace"  # {{ workspace }} in templates: not served, so the store can never be read here
PDF_PATH = "/report.pdf"
WATCH_START_SECONDS = 10.0  # at most this long for the file events to be watched, at start
KEEP_ALIVE_SECONDS = 15.0  # a comment down an idle event stream, so a closed page's thread ends
# Connections the kernel holds until they are accepted (capped by net.core.somaxconn): the
# standard library's 5 reset most of a burst of 200.
LISTEN_QUEUE = 1024
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
CONTENT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
                 ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg",
                 ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}


def render_report(config_path: Path | str, week: str | None = None, edition: str | None = None,
                  language: str | None = None, as_of: dt.date | None = None) -> tuple[ReportContext, str, Config]:
    """The report's context and HTML, made by the pipeline that `sitrep build` uses, and the
    config it came from; the page names its fonts and theme files by ASSETS_URL and the
    workspace by WORKSPACE_URL, and its references are judged as the build's. `as_of`: the day
    it is as of (default: today, on each rebuild). Raises SitrepError."""
    workspace = Workspace.load(config_path, as_of=as_of)
    edition = workspace.edition(edition)
    iso_week = workspace.resolve(week, edition)
    rendered = workspace.render_week(iso_week, edition,
                                     Layout.served(workspace.config, iso_week, ASSETS_URL, WORKSPACE_URL), language)
    return rendered.context, rendered.html.text, workspace.config


def render_report_pdf(config_path: Path | str, week: str | None = None, edition: str | None = None,
                      language: str | None = None, as_of: dt.date | None = None, renderer=None) -> bytes:
    """The report as PDF bytes, made by the pipeline that `sitrep build` uses, with the fonts
    and theme files laid out in a temporary folder as output/ holds them; `renderer`: a PdfHelper's
    (default: WeasyPrint in this process). Raises SitrepError."""
    workspace = Workspace.load(config_path, as_of=as_of)
    edition = workspace.edition(edition)
    iso_week = workspace.resolve(week, edition)
    with tempfile.TemporaryDirectory(prefix="sitrep-serve-") as folder:
        layout = Layout.in_folder(workspace.config, Path(folder) / str(iso_week), Path(folder) / ASSETS_DIR)
        layout.week_dir.mkdir()
        workspace.install_assets(layout.assets_dir)
        return workspace.pdf(workspace.render_week(iso_week, edition, layout, language), renderer)


def theme_assets(config: Config) -> dict[str, Path]:
    """URL path -> workspace file, for the theme's logo and font files: exactly the URLs the
    rendered report names under ASSETS_URL, and nothing else."""
    assets: dict[str, Path] = {}
    if config.logo_path is not None:
        assets[f"{ASSETS_URL}/{THEME_ASSETS}/{logo_file_name(config.logo_path)}"] = config.logo_path
    for font, name in zip(config.model.theme.fonts.files, font_file_names(config)):
        assets[f"{ASSETS_URL}/{THEME_ASSETS}/fonts/{name}"] = config.font_path(font)
    return assets


class ReportServer:
    """Serves one week's report and rebuilds it when its sources change.

    `start()` runs the HTTP server and the watcher in background threads; `close()` stops
    both. Build errors never stop the server: they become the page.
    """

    def __init__(self, config_path: Path | str = "config.yaml", *, week: str | None = None,
                 edition: str | None = None, language: str | None = None, host: str = "127.0.0.1", port: int = 8000,
                 allowed_hosts: tuple[str, ...] | list[str] = (), log: Callable[[str], None] | None = None,
                 as_of: dt.date | None = None, framed_by: str | None = None):
        self.config_path = Path(config_path)
        if not self.config_path.is_file():
            raise SitrepError(Problem(display_path(self.config_path), 0, "config file not found",
                                      expected="a config.yaml in the workspace, or --config PATH"))
        self.week = week
        self.edition = edition
        self.language = language
        self.as_of = as_of  # None: today, as of each rebuild (a server may run past a week's end)
        # The origins that may show the pages in a frame (`sitrep edit`'s, beside its form); none by default.
        self.framed_by = framed_by
        self.log = log or (lambda line: print(line, flush=True))
        self.fonts_dir = (builtin_templates_dir() / "fonts").resolve()
        self.title = "sitrep"
        self._builtin_templates = builtin_templates_dir()
        workspace = self.config_path.resolve().parent
        self._watched: list[Path] = [self.config_path.resolve(), workspace / "facts", self._builtin_templates]
        self._started = time.time_ns()
        self._count = 0
        self._page: Page | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._rebuilt = threading.Condition(self._lock)  # told of each new page, and of close()
        self.watching = threading.Event()  # set once file events are being watched: a save is seen
        self._threads: list[threading.Thread] = []
        self._theme_assets: dict[str, Path] = {}
        self.allowed_hosts = AllowedHosts(host, allowed_hosts)
        self._refused_hosts: set[str] = set()
        self._pdf_helper = LayoutProcess()  # imports WeasyPrint now, in a process of its own
        self.pdf = PdfCache(self._make_pdf)
        try:
            self.httpd = _server_class(host)((host, port), _handler_for(self))
        except OSError as exc:
            address = f"[{host}]" if ":" in host else host
            self._pdf_helper.close()
            raise SitrepError(Problem("--port", 0, f"cannot listen on {address}:{port}: {exc.strerror or exc}",
                                      hint="pass --port 0 to pick a free port")) from None
        self.host = host
        self.port = self.httpd.server_address[1]
        self.rebuild()  # also settles which folders to watch

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def page(self) -> Page:
        with self._lock:
            assert self._page is not None
            return self._page

    # -- building -------------------------------------------------------------------------

    def rebuild(self) -> Page:
        """Build the report (or the error page) and publish it; never raises."""
        started = time.perf_counter()
        config: Config | None = None
        try:
            context, body, config = render_report(self.config_path, self.week, self.edition, self.language, self.as_of)
            self.title = context.title
            status, summary = HTTPStatus.OK, f"{context.week}: ok"
        except SitrepError as error:
            body = error_page(error.problems, self.title)
            errors = [p for p in error.problems if p.severity == "error"] or error.problems
            first = f" — {errors[0]}" if errors else ""
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            summary = f"{len(errors)} error{'s' if len(errors) != 1 else ''} (shown on the page){first}"
        except Exception as error:  # a bug in sitrep: show it, keep serving
            body = internal_error_page(error, self.title)
            status, summary = HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(error).__name__}: {error}"
        self._update_watched(config)
        with self._lock:
            previous = self._page
            if previous is None or previous.body != body or previous.status != status:
                self._count += 1
            page = Page(body, int(status), f"{self._started}-{self._count}", summary)
            self._page = page
            self._rebuilt.notify_all()
        self.pdf.changed()  # an input changed: the PDF is laid out again, in the background
        seconds = time.perf_counter() - started
        self.log(f"[{time.strftime('%H:%M:%S')}] {'built' if previous is None else 'rebuilt'} "
                 f"{summary} ({seconds:.1f} s)")
        return page

    def _update_watched(self, config: Config | None) -> None:
        """Watch the store and templates folders the config names now (kept if it is broken);
        `config`: the one the build loaded, if it got that far."""
        try:
            config = config or load_config(self.config_path)
        except Exception:  # a broken config: keep watching what was watched
            return
        # bulk/manifest.json: replaced by every `sitrep import` (source/bulk.py)
        watched = [config.path, config.store_dir, self._builtin_templates, config.workspace / "bulk" / "manifest.json"]
        if config.templates_dir is not None:
            watched.append(config.templates_dir)
        assets = theme_assets(config)
        self._theme_assets = assets
        self._watched = watched + [path for path in assets.values() if path not in watched]

    def _watch(self) -> None:
        watch_inputs(lambda: list(self._watched), self.rebuild, self._stop, self.watching, self.log)

    def next_generation(self, seen: str, timeout: float) -> str | None:
        """The current page's generation once it is not `seen` (at once if it is not already), or
        `seen` after `timeout` seconds without a new page; None once the server is stopping."""
        with self._rebuilt:
            self._rebuilt.wait_for(lambda: self._stop.is_set() or (self._page is not None and
                                                                   self._page.generation != seen), timeout)
            if self._stop.is_set():
                return None
            assert self._page is not None
            return self._page.generation

    # -- running --------------------------------------------------------------------------

    def start(self) -> "ReportServer":
        http = lambda: self.httpd.serve_forever(poll_interval=0.2)  # noqa: E731 (how soon close() returns)
        self.pdf.start()
        for target, name in ((http, "sitrep-http"), (self._watch, "sitrep-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.watching.wait(WATCH_START_SECONDS)  # a save from now on is heard
        return self

    def serve_forever(self) -> None:
        """Start, then block until `close()` or Ctrl+C (KeyboardInterrupt propagates)."""
        if not self._threads:
            self.start()
        while not self._stop.is_set():
            self._stop.wait(0.5)

    def close(self) -> None:
        with self._rebuilt:
            self._stop.set()
            self._rebuilt.notify_all()  # open event streams end
        self.pdf.close()
        self._pdf_helper.close()
        if self._threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def __enter__(self) -> "ReportServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- answering ------------------------------------------------------------------------

    def asset(self, url_path: str) -> Path | None:
        """The file an /assets/... URL names: a built-in font, or one of the theme's files, else
        None (never anything outside the fonts folder, never another workspace file)."""
        theme_file = self._theme_assets.get(url_path)
        if theme_file is not None:
            return theme_file if theme_file.is_file() else None
        prefix = f"{ASSETS_URL}/fonts/"
        if not url_path.startswith(prefix):
            return None
        name = unquote(url_path[len(prefix):])
        if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
            return None
        path = (self.fonts_dir / name).resolve()
        if path.parent != self.fonts_dir or not path.is_file():
            return None
        return path

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether to answer a request with this Host header (servehosts.py); the first refusal
        of each name is logged, with how to allow it."""
        if self.allowed_hosts.allows(host_header):
            return True
        name = self.allowed_hosts.name_to_allow(host_header)
        with self._lock:
            first = name is not None and name not in self._refused_hosts and len(self._refused_hosts) < 20
            if first:
                self._refused_hosts.add(name)
        if first:
            self.log(f"[{time.strftime('%H:%M:%S')}] refused a request addressed to {name}: "
                     f"pass --allow-host {name} to open the report by that name")
        return False

    def _make_pdf(self) -> bytes:
        """One layout of the PDF of the inputs as they are now (PdfCache's thread calls it)."""
        renderer = self._pdf_helper.render if self._pdf_helper.running else None  # else: in this process
        return render_report_pdf(self.config_path, self.week, self.edition, self.language, self.as_of, renderer)


def refusal(name: str | None) -> str:
    """The 403 answer to a request addressed to a name serve may not answer to."""
    how = f"; to open the report as {name}, start sitrep serve with --allow-host {name}" if name else ""
    return ("sitrep serve answers only requests addressed to localhost, an IP address or a name given "
            f"with --host or --allow-host (a defence against DNS rebinding){how}\n")


def _server_class(host: str) -> type[ThreadingHTTPServer]:
    """A threading HTTP server for `host`'s address family, with a deep listen queue."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return type("SitrepHTTPServer", (ThreadingHTTPServer,),
                {"address_family": family, "request_queue_size": LISTEN_QUEUE, "daemon_threads": True})


def _handler_for(server: ReportServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sitrep-serve"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            try:
                self._route(send_body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            except Exception as error:  # never let a request take the server down
                try:
                    self._send(500, HTML, internal_error_page(error).encode(), send_body)
                except OSError:
                    pass

        def _route(self, send_body: bool) -> None:
            host = self.headers.get("Host")
            if not server.host_allowed(host):
                self._send(403, TEXT, refusal(server.allowed_hosts.name_to_allow(host)).encode(), send_body)
                return
            path = urlsplit(self.path).path
            if path in ("/", "/index.html"):
                page = server.page
                self._send(page.status, HTML, page.html(), send_body, policy=page.policy())
            elif path == EVENTS_PATH:
                self._events(parse_qs(urlsplit(self.path).query).get("generation", [""])[0], send_body)
            elif path == VERSION_PATH:
                self._send(200, TEXT, server.page.generation.encode(), send_body)
            elif path == PDF_PATH:
                self._pdf(send_body)
            elif (asset := server.asset(path)) is not None:
                content_type = CONTENT_TYPES.get(asset.suffix.lower(), "application/octet-stream")
                self._send(200, content_type, asset.read_bytes(), send_body, policy=ASSET_POLICY, cache="no-cache")
            else:
                self._send(404, TEXT, b"not found\n", send_body)

        def _events(self, seen: str, send_body: bool) -> None:
            """A server-sent event stream: `reload` once the page's generation (`seen`) is not
            the current one, then the stream ends; a comment now and then until it is."""
            self.send_response(200)
            for name, value in (("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"),
                                ("X-Content-Type-Options", "nosniff")):
                self.send_header(name, value)
            self.end_headers()
            if not send_body:
                return
            self.wfile.write(b"retry: 300\n\n")  # how soon the browser connects again to a restarted server
            while (current := server.next_generation(seen, KEEP_ALIVE_SECONDS)) is not None:
                if current != seen:
                    self.wfile.write(f"event: reload\ndata: {current}\n\n".encode())
                    return
                self.wfile.write(b": waiting for a change\n\n")  # fails once the page is closed

        def _pdf(self, send_body: bool) -> None:
            try:
                pdf = server.pdf.get()
            except Stopped:
                self._send(503, TEXT, b"the server is stopping\n", send_body)
            except SitrepError as error:
                page = Page(error_page(error.problems, server.title), 500, server.page.generation, "")
                self._send(500, HTML, page.html(), send_body, policy=page.policy())
            else:
                self._send(200, "application/pdf", pdf, send_body, policy=None)

        def _send(self, status: int, content_type: str, body: bytes, send_body: bool,
                  policy: str | None = SERVED_POLICY, cache: str = "no-store",
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", cache)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")  # a link followed does not tell where it was clicked
            if policy is not None:
                if server.framed_by:
                    policy = policy.replace("frame-ancestors 'none'", f"frame-ancestors {server.framed_by}")
                self.send_header("Content-Security-Policy", policy)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # the console shows rebuilds only
            pass

    return Handler
