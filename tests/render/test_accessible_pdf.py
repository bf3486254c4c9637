"""The PDF a screen reader can read: tagged PDF/UA-1 by default, PDF/A-3a for archives, plain
on request (docs/accessible-pdf.md, "Accessible and archival PDF").

veraPDF and PAC, the real validators, cannot be installed here; these tests read the PDF's
structure with pikepdf the way they do: the structure tree, the document's and each foreign
passage's language, the conformance claim in the XMP metadata, alternate text on every figure,
table data cells linked to their header cells and header cells' /Scope, bookmarks that match
the headings, the title shown as the window title, and the trailer's /ID. And they run the
PyPI checker pdfua (0.1.3, the lock file's) on every variant in every language: its 12 checks
(16 of PDF/UA-1's 106 machine-checkable rules: a structure tree, /Marked, untagged content,
the language, figures' alternate text, tables' headers, links' and annotations' descriptions,
empty headings, the title and showing it, the PDF/UA claim) find nothing. They build the
example store's English, Arabic and French editions from the command line, as a user does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from pdfua.rules import structure as pdfua_structure
from pdfua.validator import Validator
from typer.testing import CliRunner

from sitrep.commands.cli import app
from sitrep.render.pdf import render_pdf
from support import REPO, copy_example

WEEK = "2016-W26"
LANGUAGES = ("en", "ar", "fr")  # every edition the example's config.yaml lists
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
        for language in LANGUAGES:
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
        assert title.startswith({"en": "Fallujah Situation Report — Report 2", "ar": "تقرير عن الوضع في الفلوجة"}[language])
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
        assert titles[:5] == ["منذ التقرير السابق (رقم ١)", "الأرقام الرئيسية", "الطرق في لمحة", "لمزيد من المعلومات",
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
    # The trend chart of people trapped says what it draws: the figure, the place, each report
    # with its qualifier ('about', as the source gave it).
    assert "Civilians trapped, Fallujah, as reported: June 2016: about 30,000–40,000" in alts["ua-en"]
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


# --- What a checker finds: pdfua ------------------------------------------------------------------

@pytest.fixture
def pdfua(monkeypatch):
    """pdfua's validator, its heading check mended. pdfua 0.1.3's UA-14-001 (headings are not
    empty) asks `getattr(kid, "is_integer", False)` of a heading's /K; when /K is an array,
    pikepdf answers with ValueError, not AttributeError, so the check stops on every heading
    whose content is an array (all of WeasyPrint's) and the report marks it "not evaluated".
    Its number test is wrapped so that an array or a dictionary is no number, and the check
    then walks the array as it means to. test_the_mended_heading_check_still_finds_an_empty_heading
    shows it still fires."""
    original = pdfua_structure.as_integer

    def as_integer(value):
        return None if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) else original(value)

    monkeypatch.setattr(pdfua_structure, "as_integer", as_integer)
    return Validator()


def findings(validator: Validator, pdf: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """Every finding of every check, and every check that could not run, as one line each."""
    report = validator.validate(str(pdf))
    assert len(report.outcomes) == 12  # each of pdfua 0.1.3's checks ran
    lines = []
    for outcome in report.outcomes:
        if outcome.rule_id in ignore:
            continue
        if outcome.skipped_reason:
            lines.append(f"{outcome.rule_id} not evaluated: {outcome.skipped_reason}")
        lines += [f"{f.rule_id} {f.severity.name} {f.location.describe()}: {f.message}" for f in outcome.findings]
    return lines


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdfua_finds_nothing_in_a_tagged_pdf(built, pdfua, language):
    """Before sitrep put /Scope on header cells, a warning per table (UA-15-003: "header cells
    but none carry /Scope or /Headers")."""
    assert findings(pdfua, built[f"ua-{language}"]) == []
    # PDF/A-3a is as tagged, but claims PDF/A, not PDF/UA (docs/accessible-pdf.md): UA-28-004,
    # the claim, is the one check that does not apply.
    assert findings(pdfua, built[f"archive-{language}"], ignore=("UA-28-004",)) == []


def test_pdfua_finds_a_plain_pdf_untagged_as_it_is(built, pdfua):
    """The plain variant is untagged on request: the checker says exactly that, and the tagged
    variants' silence is not a checker that finds nothing."""
    rules = {line.split()[0] for line in findings(pdfua, built["plain-en"])}
    assert {"UA-01-005", "UA-01-002", "UA-18-005", "UA-28-004"} <= rules


def test_the_mended_heading_check_still_finds_an_empty_heading(built, pdfua, tmp_path):
    with pikepdf.open(built["ua-en"]) as pdf:
        heading = next(e for e in structure(pdf) if tag(e) == "H2")
        heading.K = pikepdf.Array()
        pdf.save(tmp_path / "empty-heading.pdf")
    headings = [line.split(":")[0] for line in findings(pdfua, tmp_path / "empty-heading.pdf")
                if line.startswith("UA-14-001")]
    assert headings == ["UA-14-001 WARNING page 1 /H2"]


# --- Header cells, links, the file identifier ----------------------------------------------------

def test_every_header_cell_says_what_it_heads(built, tmp_path):
    with pikepdf.open(built["ua-ar"]) as pdf:
        scopes = [str(e.A.Scope) for e in structure(pdf) if tag(e) == "TH"]
    assert scopes and set(scopes) == {"/Column"}  # the report's tables: a header row each
    html = ('<html lang="en"><title>Scope</title><table><thead><tr><th>Place</th><th>Killed</th></tr></thead>'
            '<tbody><tr><th scope="row">Fallujah</th><td>5</td></tr></tbody></table></html>')
    (tmp_path / "scope.pdf").write_bytes(render_pdf(html, base_dir=tmp_path, allowed_roots=[tmp_path]))
    with pikepdf.open(tmp_path / "scope.pdf") as pdf:
        cells = [(tag(e), str(e.A.get("/Scope"))) for e in structure(pdf) if tag(e) in ("TH", "TD")]
    assert cells == [("TH", "/Column"), ("TH", "/Column"), ("TH", "/Row"), ("TD", "None")]


def links(pdf_path: Path) -> list[str]:
    """Every URI the PDF's link annotations open."""
    with pikepdf.open(pdf_path) as pdf:
        return [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A]


def test_the_other_editions_are_linked_by_their_pdf_next_to_this_one(built):
    """Before: /URI (file:///<build folder>/output/2016-W26/fallujah-sitrep-2016-W26-ar.html), a
    link dead for every reader that named the folder the report was built in."""
    for language in LANGUAGES:
        uris = links(built[f"ua-{language}"])
        others = {f"fallujah-sitrep-{WEEK}{'' if other == 'en' else '-' + other}.pdf" for other in LANGUAGES
                  if other != language}
        assert others <= set(uris), uris
        assert not [uri for uri in uris if not uri.startswith(("https://", "mailto:")) and uri not in others]


def test_a_link_to_a_file_stays_relative_to_the_pdf(tmp_path):
    folder = tmp_path / "a folder" / "2016-W26"
    folder.mkdir(parents=True)
    html = ('<html lang="en"><title>Links</title><p><a href="../index.html">index</a> '
            '<a href="annex/notes%20on%20sources.pdf#page=2">notes</a> <a href="#top" id="top">top</a> '
            '<a href="https://example.org/">web</a></p></html>')
    pdf = folder / "links.pdf"
    pdf.write_bytes(render_pdf(html, base_dir=folder, allowed_roots=[tmp_path]))
    assert links(pdf) == ["../index.html", "annex/notes%20on%20sources.pdf#page=2", "https://example.org/"]
    assert str(tmp_path).encode() not in uncompressed(pdf)


def uncompressed(pdf_path: Path) -> bytes:
    """The PDF's bytes with every stream decompressed and no object streams: what a search of
    its text, names and links must see."""
    import io

    buffer = io.BytesIO()
    with pikepdf.open(pdf_path) as pdf:
        pdf.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buffer.getvalue()


def test_every_variant_has_a_file_identifier_drawn_from_its_content(built):
    """PDF/A requires the trailer's /ID; before, no variant had one. It is a digest of the
    document (not random: test_every_variant_and_language_builds_reproducibly)."""
    identifiers = {}
    for name, path in built.items():
        with pikepdf.open(path) as pdf:
            first, second = (bytes(part) for part in pdf.trailer.ID)
        assert len(first) == 32 and first == second, name  # an MD5, in hexadecimal, for a file never edited
        identifiers[name] = first
    assert len(set(identifiers.values())) == len(identifiers)  # each document its own


@pytest.mark.parametrize("meta, date", [('<meta name="dcterms.modified" content="2016-07-03">', "D:20160703"),
                                        ("", "D:19700101000000Z")])
def test_an_attached_file_is_dated_as_the_report_not_by_the_clock(tmp_path, meta, date):
    """Before: WeasyPrint dated each attachment with the build's clock (D:20261207173557Z), so a
    PDF with an attachment told when it was built and was never the same bytes twice."""
    (tmp_path / "notes.txt").write_text("attached notes\n", encoding="utf-8")
    html = (f'<html lang="en"><title>Attached</title>{meta}<link rel="attachment" href="notes.txt">'
            '<p><a rel="attachment" href="notes.txt" download="annex.txt">annex</a></p></html>')
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(render_pdf(html, base_dir=tmp_path, allowed_roots=[tmp_path]))
    with pikepdf.open(pdf) as document:
        files = [obj for obj in document.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile"]
        assert len(files) == 2  # the document's attachment and the link's
        assert {(str(f.Params.CreationDate), str(f.Params.ModDate)) for f in files} == {(date, date)}
