"""WeasyPrint, in the calling process: the report's HTML laid out as PDF bytes, reading files
only through a fetcher locked to the workspace, in the PDF variant config.yaml asks for, with
/Lang on each passage in another language. render/pdf.py reports what the fetcher refused;
render/pdfhelper.py runs the same layout in a process of its own.

This module imports only the standard library at its top, so that the PDF helper can import it
before its fork (pdfhelper.py); WeasyPrint itself is imported when the first PDF is laid out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nothing more at run time (see above)
    from pathlib import Path


# config.yaml's `pdf_variant` -> WeasyPrint's (docs/accessible-pdf.md, "Accessible and archival PDF"): tagged
# PDF/UA-1 for screen readers by default; tagged PDF/A-3a for archives; or an untagged PDF.
PDF_VARIANTS = {"pdf/ua-1": "pdf/ua-1", "pdf/a-3a": "pdf/a-3a", "plain": None}


def layout_pdf(text: str, base_dir: Path, allowed_roots: list[Path], withheld_roots: list[Path],
               variant: str = "pdf/ua-1") -> tuple[bytes, list[str]]:
    """WeasyPrint, in this process: the HTML text as PDF bytes, and every URL the fetcher
    refused (render/pdf.render_pdf reports them)."""
    import logging

    from weasyprint import HTML

    _mark_languages_in_the_structure_tree()
    fetcher = _fetcher_class()(allowed_roots, withheld_roots)
    # WeasyPrint reports missing resources through logging; sitrep turns refusals into errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=text, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
    # No random file identifier: the same report makes the same bytes (docs/commands.md, "Reproducible builds").
    return document.write_pdf(pdf_identifier=False, pdf_variant=PDF_VARIANTS[variant]), fetcher.refused


def _mark_languages_in_the_structure_tree() -> None:
    """WeasyPrint 70 tags every element of a tagged PDF but gives none the language of its
    `lang` attribute (only the document's, in the catalog), so a screen reader would read an
    English name in an Arabic report with an Arabic voice. Its structure-tree builder is wrapped
    so that an element with a `lang` of its own carries /Lang (ISO 32000 14.9.2); its children
    inherit it. tests/render/test_accessible_pdf.py checks it on every WeasyPrint the lock file
    pins; drop this when WeasyPrint marks languages itself (its issue #2482 tracks PDF/UA)."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "marks_languages", False):
        return

    def build_marking_languages(box, parent, *args):
        element = getattr(box, "element", None)
        own = (element.get("lang") if element is not None and getattr(box, "element_tag", None) not in ("html", "body")
               else None)
        for structure in build(box, parent, *args):
            if own and "Lang" not in structure:
                structure["Lang"] = pydyf.String(own)
            yield structure

    build_marking_languages.marks_languages = True
    tags._build_box_tree = build_marking_languages


def _fetcher_class():
    # WeasyPrint is imported lazily: it takes over half a second, and `check` never needs it.
    from pathlib import Path
    from urllib.parse import unquote, urlparse

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
