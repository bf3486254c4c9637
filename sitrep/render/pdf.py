"""The pdf stage: the report's HTML into a PDF with WeasyPrint, reading files only from inside
the workspace (and the built-in templates) and nothing from the network. The layout itself
(WeasyPrint and its locked fetcher) is render/pdflayout.py's, which the PDF helper process
(render/pdfhelper.py) runs with nothing else loaded; this module turns what it refused into
errors that name the template line that wrote the reference."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote, urlparse

from sitrep.errors import Problem, TemplateProblem
from sitrep.render.pdflayout import layout_pdf

# (html text, base folder, allowed roots, withheld roots, variant, retargeted links) -> (PDF bytes, the URLs it refused)
Layout = Callable[[str, Path, list, list, str, dict], tuple]

if TYPE_CHECKING:  # a type only: importing templates.py would load Jinja for nothing
    from sitrep.render.templates import RenderedHtml


def render_pdf(html: str | RenderedHtml, *, base_dir: Path, allowed_roots: list[Path],
               withheld_roots: list[Path] = (), variant: str = "pdf/ua-1", retarget: dict[str, str] | None = None,
               layout: Layout = layout_pdf) -> bytes:
    """Lay out `html` (whose relative links resolve against `base_dir`) as PDF bytes, reading
    files only inside `allowed_roots` and never inside `withheld_roots`; `layout` does the
    work (WeasyPrint in this process, or the PDF helper's). `variant`: pdf/ua-1 (tagged, for
    screen readers), pdf/a-3a (tagged, archival) or plain. A link to a file stays relative in
    the PDF; `retarget` sends some elsewhere, by their path relative to `base_dir` (another
    edition's HTML -> its PDF).

    sitrep.render.references has refused every reference it can see before this runs; the fetcher
    enforces the same limits on whatever WeasyPrint itself goes on to load, and each URL it
    refused is reported with the template file and line that wrote it."""
    text = html if isinstance(html, str) else html.text
    pdf, refused = layout(text, base_dir, list(allowed_roots), list(withheld_roots), variant, dict(retarget or {}))
    if refused:
        raise TemplateProblem([Problem(*_written_at(html, url), f"the report tries to read {url}",
                                       expected="files inside the workspace only; no network access")
                               for url in sorted(set(refused))])
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
