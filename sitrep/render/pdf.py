"""The pdf stage: the report's HTML into a PDF with WeasyPrint, reading files only from inside
the workspace (and the built-in templates) and nothing from the network."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from sitrep.errors import Problem, TemplateProblem
from sitrep.processes import end_with_parent

if TYPE_CHECKING:  # not imported at run time: the CLI starts the PDF helper before anything heavy loads
    from sitrep.render.templates import RenderedHtml


def _fetcher_class():
    # WeasyPrint is imported lazily: it takes over half a second, and `check` never needs it.
    from weasyprint.urls import URLFetcher

    class WorkspaceFetcher(URLFetcher):
        """Serves file: URLs inside the allowed folders and data: URLs; refuses the rest."""

        def __init__(self, allowed_roots: list[Path], withheld_roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"})
            self.allowed_roots = [root.resolve() for root in allowed_roots]
            self.withheld_roots = [root.resolve() for root in withheld_roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if (not any(path.is_relative_to(root) for root in self.allowed_roots)
                        or any(path.is_relative_to(root) for root in self.withheld_roots)):
                    self.refused.append(url)
                    raise ValueError(f"refused: {url} is outside the workspace")
            elif scheme != "data":
                self.refused.append(url)
                raise ValueError(f"refused: {url} (sitrep never fetches from the network)")
            return super().fetch(url, headers)

    return WorkspaceFetcher


def render_pdf(html: str | RenderedHtml, *, base_dir: Path, allowed_roots: list[Path],
               withheld_roots: list[Path] = ()) -> bytes:
    """Lay out `html` (whose relative links resolve against `base_dir`) as PDF bytes, reading
    files only inside `allowed_roots` and never inside `withheld_roots`.

    sitrep.render.references has refused every reference it can see before this runs; the fetcher
    enforces the same limits on whatever WeasyPrint itself goes on to load."""
    from weasyprint import HTML

    text = html if isinstance(html, str) else html.text
    fetcher = _fetcher_class()(allowed_roots, list(withheld_roots))
    # WeasyPrint reports missing resources through logging; sitrep turns refusals into errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=text, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_identifier=False)
    if fetcher.refused:
        raise TemplateProblem([Problem(*_written_at(html, url), f"the report tries to read {url}",
                                       expected="files inside the workspace only; no network access")
                               for url in sorted(set(fetcher.refused))])
    return pdf


def _written_at(html: str | RenderedHtml, url: str) -> tuple[str, int]:
    """The template file and line that wrote a reference WeasyPrint resolved to `url`: where
    the URL, or else its file name, first appears in the HTML."""
    if not isinstance(html, str):
        for written in (url, unquote(urlparse(url).path).rsplit("/", 1)[-1]):
            at = html.text.find(written) if written else -1
            if at >= 0:
                return html.origin_at(at)
    return "report", 0


class PdfHelper:
    """A helper process that renders PDFs, started at the beginning of a one-week build.

    Importing WeasyPrint takes about 0.4 s, as long as loading the store and rendering the
    HTML. Forked first, the helper imports WeasyPrint on the second core meanwhile; the HTML
    then goes to it through a pipe and the PDF's bytes come back. The build still writes
    every file itself, atomically. Where fork is not available it renders in this process.
    """

    def __init__(self) -> None:
        self.process = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_pdf_helper_main, args=(child_end, self.connection, os.getpid()),
                                       daemon=True)
        self.process.start()
        child_end.close()

    def render(self, html: str | RenderedHtml, *, base_dir: Path, allowed_roots: list[Path],
               withheld_roots: list[Path] = ()) -> bytes:
        if self.process is None:
            return render_pdf(html, base_dir=base_dir, allowed_roots=allowed_roots, withheld_roots=withheld_roots)
        try:
            self.connection.send((html, base_dir, list(allowed_roots), list(withheld_roots)))
            kind, payload = self.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise RuntimeError("the PDF helper process ended unexpectedly") from None
        if kind == "pdf":
            return payload
        if kind == "problems":
            raise TemplateProblem(payload)
        raise RuntimeError(f"rendering the PDF failed: {payload}")

    def close(self) -> None:
        """Stop the helper without waiting for it: it writes nothing, so a helper still busy
        importing WeasyPrint (a build that had nothing to do) is simply ended."""
        if self.process is None:
            return
        try:
            self.connection.send(None)
            self.connection.close()
        except OSError:
            pass
        self.process.join(timeout=0.05)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process = None

    def __enter__(self) -> "PdfHelper":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pdf_helper_main(connection, parents_end, parent_pid: int) -> None:
    """The helper process: import WeasyPrint at once, then render each request until told to
    stop, or until the parent is gone (its end of the pipe closes, or it was killed)."""
    # Its pipe closing tells the helper only once it next reads it, after a whole import or
    # PDF; a parent killed outright (SIGKILL) takes the helper with it at once instead.
    end_with_parent(parent_pid)
    parents_end.close()  # the fork copied it; kept open here, the pipe would never report EOF

    # Ctrl+C is the parent's to handle (it says "interrupted"); the helper then sees its pipe
    # close and ends quietly, instead of printing a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import weasyprint  # noqa: F401  (the point of the helper: imported while the parent works)
    except Exception:  # noqa: BLE001 - reported with the first request
        pass
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        html, base_dir, allowed_roots, withheld_roots = request
        try:
            reply = ("pdf", render_pdf(html, base_dir=base_dir, allowed_roots=allowed_roots,
                                       withheld_roots=withheld_roots))
        except TemplateProblem as problem:
            reply = ("problems", problem.problems)
        except Exception as error:  # noqa: BLE001 - a bug: the parent reports it as an internal error
            reply = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}")
        try:
            connection.send(reply)
        except OSError:  # the parent is gone (interrupted): nobody is waiting for this PDF
            return
