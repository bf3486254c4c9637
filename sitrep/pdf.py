"""The pdf stage: the report's HTML into a PDF with WeasyPrint, reading files only from inside
the workspace (and the built-in templates) and nothing from the network."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import Problem, TemplateProblem


def _fetcher_class():
    # WeasyPrint is imported lazily: it takes over half a second, and `check` never needs it.
    from weasyprint.urls import URLFetcher

    class WorkspaceFetcher(URLFetcher):
        """Serves file: URLs inside the allowed folders and data: URLs; refuses the rest."""

        def __init__(self, allowed_roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"})
            self.allowed_roots = [root.resolve() for root in allowed_roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in self.allowed_roots):
                    self.refused.append(url)
                    raise ValueError(f"refused: {url} is outside the workspace")
            elif scheme != "data":
                self.refused.append(url)
                raise ValueError(f"refused: {url} (sitrep never fetches from the network)")
            return super().fetch(url, headers)

    return WorkspaceFetcher


def render_pdf(html: str, *, base_dir: Path, allowed_roots: list[Path], title: str = "report",
               created: str | None = None) -> bytes:
    """Lay out `html` (whose relative links resolve against `base_dir`) as PDF bytes."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(allowed_roots)
    # WeasyPrint reports missing resources through logging; sitrep turns refusals into errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_identifier=False)
    if fetcher.refused:
        raise TemplateProblem([Problem("report", 0, f"the report tries to read {url}",
                                       expected="files inside the workspace only; no network access")
                               for url in sorted(set(fetcher.refused))])
    return pdf
