"""The PDF a screen reader can read: tagged PDF/UA-1 by default, PDF/A-3a for archives, plain
on request (docs/accessible-pdf.md, "Accessible and archival PDF").

veraPDF and PAC, the real validators, cannot be installed here; these tests read the PDF's
structure with pikepdf the way they do: the structure tree, the document's and each foreign
passage's language, the conformance claim in the XMP metadata, alternate text on every figure,
table data cells linked to their header cells, bookmarks that match the headings, and the
title shown as the window title. They build the example store's Arabic and English editions
from the command line, as a user does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from sitrep.commands.cli import app
from support import REPO, copy_example

WEEK = "2016-W26"
XMP = {"pdfuaid": "http://www.aiim.org/pdfua/ns/id/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
       "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The example's latest week built once per variant and language: name -> the PDF."""
    ws = copy_example(tmp_path_factory.mktemp("accessible") / "ws")
    pdfs = {}
    for variant, output in (("pdf/ua-1", "ua"), ("pdf/a-3a", "archive"), ("plain", "plain")):
        text = (REPO / "config.yaml").read_text(encoding="utf-8").replace("output: output", f"output: {output}")
        (ws / "config.yaml").write_text(text, encoding="utf-8")
        for language in ("en", "ar"):
            args = ["build", "--config", ws / "config.yaml", "--format", "pdf", "--language", language]
            if variant != "pdf/ua-1":  # the default, said by nobody
                args += ["--pdf-variant", variant]
            result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            suffix = "" if language == "en" else f"-{language}"
            pdfs[f"{output}-{language}"] = ws / output / WEEK / f"fallujah-sitrep-{WEEK}{suffix}.pdf"
    return pdfs


def structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in reading order."""
    elements = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            elements.append(node)
            walk(node.get("/K", pikepdf.Array()))

    walk(pdf.Root.StructTreeRoot.K)
    return elements


def tag(element: pikepdf.Dictionary) -> str:
    return str(element.S)[1:]


def metadata(pdf: pikepdf.Pdf) -> dict[str, str]:
    with pdf.open_metadata() as meta:
        return {key: str(value) for key, value in meta.items()}


@pytest.mark.parametrize("language, lang", [("en", "en"), ("ar", "ar")])
def test_the_default_pdf_is_tagged_pdf_ua_1_in_its_language(built, language, lang):
    with pikepdf.open(built[f"ua-{language}"]) as pdf:
        assert str(pdf.Root.Lang) == lang
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True  # the title, not the file name
        meta = metadata(pdf)
        assert meta[f"{{{XMP['pdfuaid']}}}part"] == "1"
        title = meta[f"{{{XMP['dc']}}}title"]
        assert title.startswith({"en": "Fallujah Situation Report — Report 4", "ar": "تقرير عن الوضع في الفلوجة"}[language])
        assert pdf.pdf_version == "1.7"
        kinds = [tag(e) for e in structure(pdf)]
        assert kinds[0] == "Document" and kinds.count("H1") == 1
        assert {"H2", "H3", "Table", "THead", "TH", "TD", "L", "LI", "Lbl", "LBody", "Link", "P"} <= set(kinds)


def test_headings_nest_and_the_bookmarks_are_the_headings(built):
    with pikepdf.open(built["ua-ar"]) as pdf:
        levels = [int(tag(e)[1]) for e in structure(pdf) if re.fullmatch(r"H\d", tag(e))]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels  # no level skipped
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        # The PDF's bookmarks: the report's sections, as its h2 headings say them, in Arabic.
        assert titles[:5] == ["منذ التقرير السابق (رقم ٣)", "الأرقام الرئيسية", "الطرق في لمحة", "لمزيد من المعلومات",
                              "خريطة الوضع"]
        assert titles[-1] == "المصادر"
        assert sum(1 for level in levels if level == 2) == len(titles)


def test_every_figure_has_alt_text_that_states_its_data(built):
    alts = {}
    for name in ("ua-en", "ua-ar", "archive-en"):
        with pikepdf.open(built[name]) as pdf:
            figures = [e for e in structure(pdf) if tag(e) == "Figure"]
            assert figures, name
            assert all(str(f.get("/Alt", "")).strip() for f in figures), f"{name}: a figure without alternate text"
            alts[name] = [str(f.Alt) for f in figures]
    # The trend chart of people trapped says what it draws: the figure, the place, each report.
    assert "Civilians trapped, Fallujah, as reported: June 2016: 30,000–40,000" in alts["ua-en"]
    assert alts["archive-en"] == alts["ua-en"]
    assert any("المدنيون المحاصرون" in alt and "٣٠٬٠٠٠–٤٠٬٠٠٠" in alt for alt in alts["ua-ar"])  # in the edition's digits


def test_every_data_cell_is_linked_to_its_header_cells(built):
    with pikepdf.open(built["ua-en"]) as pdf:
        elements = structure(pdf)
        header_ids = {bytes(e.ID) for e in elements if tag(e) == "TH" and "/ID" in e}
        cells = [e for e in elements if tag(e) == "TD"]
        assert cells and header_ids
        for cell in cells:
            headers = cell.A.get("/Headers") if "/A" in cell else None
            assert headers is not None and len(headers) >= 1, "a data cell without its headers"
            assert {bytes(h) for h in headers} <= header_ids


def test_a_passage_in_another_language_is_marked_in_the_structure_tree(built):
    """The Arabic edition names its English-language sources in English: a screen reader must
    switch voice for them (WeasyPrint alone leaves /Lang off; sitrep adds it, pdfhelper.py)."""
    with pikepdf.open(built["ua-ar"]) as pdf:
        marked = {(tag(e), str(e.Lang)) for e in structure(pdf) if "/Lang" in e}
    assert ("Span", "en") in marked  # 'NBC News' in an Arabic sentence
    assert ("Span", "fr") in marked  # a place's French name in the list of places


def test_pdf_a_3a_claims_its_conformance_and_is_tagged(built):
    with pikepdf.open(built["archive-ar"]) as pdf:
        meta = metadata(pdf)
        assert meta[f"{{{XMP['pdfaid']}}}part"] == "3" and meta[f"{{{XMP['pdfaid']}}}conformance"] == "A"
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "ar"
        assert "/OutputIntents" in pdf.Root  # PDF/A: the colours' meaning travels with the file


def test_a_plain_pdf_is_untagged_on_request(built):
    with pikepdf.open(built["plain-en"]) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert f"{{{XMP['pdfuaid']}}}part" not in metadata(pdf)


def test_every_variant_and_language_builds_reproducibly(built, tmp_path):
    """The same store and config make the same bytes, whichever the variant and language."""
    for name, pdf in built.items():
        first = pdf.read_bytes()
        config = pdf.parent.parent.parent / "config.yaml"
        output = pdf.parent.parent.name
        variant = {"ua": None, "archive": "pdf/a-3a", "plain": "plain"}[output]
        text = config.read_text(encoding="utf-8")
        config.write_text(re.sub(r"^output: .*$", f"output: {output}", text, flags=re.M), encoding="utf-8")
        language = name.rsplit("-", 1)[1]
        args = ["build", "--config", config, "--format", "pdf", "--language", language, "--force"]
        result = CliRunner().invoke(app, [str(a) for a in args + (["--pdf-variant", variant] if variant else [])],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert pdf.read_bytes() == first, f"{name}: a rebuild changed the PDF"
