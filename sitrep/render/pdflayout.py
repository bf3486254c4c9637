"""WeasyPrint, in the calling process: the report's HTML laid out as PDF bytes, reading files
only through a fetcher locked to the workspace, in the PDF variant config.yaml asks for, with
/Lang on each passage in another language and /Scope on each table header cell. Links to files
are relative to the PDF (never a file: URL of the building machine), attached files are dated
as the document is (never by the clock), and the trailer's /ID is a digest of the document:
the same report makes the same bytes in any folder, on any day. render/pdf.py
reports what the fetcher refused; render/pdfhelper.py runs the same layout in a process of its own.

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
               variant: str = "pdf/ua-1", retarget: dict[str, str] | None = None) -> tuple[bytes, list[str]]:
    """WeasyPrint, in this process: the HTML text as PDF bytes, and every URL the fetcher
    refused (render/pdf.render_pdf reports them). `retarget`: links the PDF makes to another
    file than the HTML does, by the path relative to `base_dir` ('x-ar.html' -> 'x-ar.pdf')."""
    import logging

    from weasyprint import HTML

    _complete_the_structure_tree()
    fetcher = _fetcher_class()(allowed_roots, withheld_roots)
    # WeasyPrint reports missing resources through logging; sitrep turns refusals into errors.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    folder = base_dir.resolve()
    # pdf_identifier=True: pydyf writes the trailer's /ID (which PDF/A requires) as an MD5 of the
    # document's objects, not a random one: the same report makes the same bytes
    # (docs/commands.md, "Reproducible builds").
    options = {"pdf_identifier": True, "pdf_variant": PDF_VARIANTS[variant]}
    document = HTML(string=text, base_url=folder.as_uri() + "/", url_fetcher=fetcher).render(**options)
    for page in document.pages:
        page.links[:] = [(kind, relative_link(target, folder, retarget or {}) if kind == "external" else target,
                          *rest) for kind, target, *rest in page.links]
    return document.write_pdf(finisher=_date_attachments_as_the_document, **options), fetcher.refused


def _date_attachments_as_the_document(document, pdf) -> None:
    """WeasyPrint dates each attached file (<link rel="attachment">, <a rel="attachment">) with
    the clock at the build, which told readers when the PDF was made and made every build's
    bytes differ. They get the document's own date instead (the report's as-of date, which the
    built-in templates give as dcterms.modified and dcterms.created), or 1 January 1970 when the
    template gives none. A finisher runs before the trailer, so /ID digests these dates."""
    import pydyf

    date = pdf.info.get("ModDate") or pdf.info.get("CreationDate") or pydyf.String("D:19700101000000Z")
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if isinstance(extra, dict) and extra.get("Type") == "/EmbeddedFile" and "Params" in extra:
            extra["Params"]["CreationDate"] = extra["Params"]["ModDate"] = date


def relative_link(url: str, folder: Path, retarget: dict[str, str]) -> str:
    """A link as the PDF in `folder` writes it: a file: URL (what WeasyPrint makes of a relative
    href, against the folder) as a URL relative to the PDF, which a reader resolves against
    where the PDF is, and which names no folder of the building machine; any other URL as it is."""
    import os
    from urllib.parse import quote, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        return url
    path = os.path.relpath(unquote(parts.path), folder).replace(os.sep, "/")
    path = retarget.get(path, path)
    query = f"?{parts.query}" if parts.query else ""
    return quote(path, safe="/") + query + (f"#{parts.fragment}" if parts.fragment else "")


def _complete_the_structure_tree() -> None:
    """WeasyPrint 70 tags every element of a tagged PDF, but:
    - gives none the language of its `lang` attribute (only the document's, in the catalog), so
      a screen reader would read an English name in an Arabic report with an Arabic voice;
    - gives a table header cell no /Scope (it links each data cell to its headers, /Headers,
      but PDF/UA checkers ask the header cell itself whether it heads a column or a row).
    Its structure-tree builder is wrapped so that an element with a `lang` of its own carries
    /Lang (ISO 32000 14.9.2; its children inherit it), and a TH carries /Scope (14.8.5.7):
    /Row for `<th scope="row">`, else /Column, as WeasyPrint itself pairs headers with cells.
    tests/render/test_accessible_pdf.py checks both on every WeasyPrint the lock file pins; drop
    this when WeasyPrint does it itself (its issue #2482 tracks PDF/UA)."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "completes_the_tree", False):
        return

    def build_completing_the_tree(box, parent, *args):
        element = getattr(box, "element", None)
        element_tag = getattr(box, "element_tag", None)
        own = element.get("lang") if element is not None and element_tag not in ("html", "body") else None
        for structure in build(box, parent, *args):
            if own and "Lang" not in structure:
                structure["Lang"] = pydyf.String(own)
            if element_tag == "th" and structure.get("S") == "/TH" and "A" in structure:
                structure["A"]["Scope"] = "/Row" if element.get("scope") == "row" else "/Column"
            yield structure

    build_completing_the_tree.completes_the_tree = True
    tags._build_box_tree = build_completing_the_tree


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
