"""Safety: fact text is never markup or template code; the PDF stage reads nothing outside the
workspace and nothing from the network; restricted facts never reach a public edition."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from support import png, without_embedded_files, write
from sitrep.errors import TemplateProblem
from sitrep.render.pdf import render_pdf

WEEK = "2016-W26"
HTML_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.html"
PDF_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.pdf"


@pytest.fixture
def ws(workspace: Path, monkeypatch) -> Path:
    monkeypatch.chdir(workspace)
    return workspace


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_metadata_and_outline(path: Path) -> str:
    """Every metadata value and bookmark title of the PDF, as one string."""
    reader = PdfReader(path)
    values = [str(v) for v in (reader.metadata or {}).values()]

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield str(item.title)

    values += list(titles(reader.outline))
    return "\n".join(values)


def build(sitrep_cli, ws: Path, *args: str):
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, *args)
    assert result.exit_code == 0, result.output
    return result


# --- (a) fact text is data, never markup or template code -------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
JINJA = "{{ 7*7 }}"
RAW = "{% raw %}"

PROBE_FACTS = f"""\
sources:
  - id: probe-source
    name: 'Probe source {RAW} {JINJA} <b>bold</b>'
    kind: media
    reliability: C
    url: 'https://example.org/"><script>alert(3)</script>'

places:
  - id: probe-place
    name: 'Probe place {IMG}'
    names: {{ar: '<i>probe-ar</i>', 'x" onmouseover="alert(5)': probe-lang}}
    kind: area
    parent: fallujah

incidents:
  - id: probe-incident
    type: human_shields
    date: 2016-06
    place: probe-place
    perpetrator: isis
    status: alleged
    summary: 'Markup probe {SCRIPT} {IMG} and Jinja probe {JINJA} then {RAW} end.'
    cited:
      - {{source: probe-source, date: 2016-06, credibility: 3, note: 'Note probe {JINJA}'}}

narrative:
  - id: probe-outlook-2016-w26
    week: 2016-W26
    section: outlook
    text: 'Outlook probe {JINJA} {SCRIPT} [[probe-incident]]'  # cited: its numbers are the probe's, not claims
"""


def test_fact_text_is_escaped_and_never_evaluated(ws, sitrep_cli):
    write(ws / "facts/zz-probe.yaml", PROBE_FACTS)
    config = (ws / "config.yaml").read_text(encoding="utf-8")
    write(ws / "config.yaml", config.replace(
        "    en: sitrep example desk (illustrative, not a real organisation)",
        "    en: 'Desk </style><script>alert(4)</script> {{ 7*7 }}'"))
    build(sitrep_cli, ws)
    html = (ws / HTML_OUT).read_text(encoding="utf-8")

    # No markup from the data: the templates have no <script>, <img> or <i>/<b> of their own.
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>bold</b>" not in html and "<i>probe-ar</i>" not in html
    assert 'onmouseover="alert(5)"' not in html and "probe-lang" in html  # a language code cannot add attributes
    assert "</style><" not in html  # the organisation's name inside the CSS string cannot end <style>
    assert html.count("</style>") == 1
    # ... it is all there as text.
    assert "Markup probe &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;" in html
    assert "Probe place &lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;i&gt;probe-ar&lt;/i&gt;" in html
    # The quote is text inside the attribute: escaped, or the attribute quoted with the other quote.
    assert any(f"{quote}&gt;&lt;script&gt;alert(3)" in html for quote in ("&#34;", "&quot;", "'https://example.org/\""))
    # Jinja syntax prints as written, and is never evaluated.
    assert f"Jinja probe {JINJA} then {RAW} end." in html
    assert f"Outlook probe {JINJA}" in html
    assert f"Probe source {RAW} {JINJA}" in html
    assert f"Note probe {JINJA}" in html
    assert "Jinja probe 49" not in html and "Outlook probe 49" not in html and "Note probe 49" not in html
    assert "Desk" in html and "Desk 49" not in html

    # The PDF shows the same literal text.
    text = pdf_text(ws / PDF_OUT)
    assert f"Markup probe {SCRIPT}" in text, text
    assert f"Jinja probe {JINJA} then {RAW} end." in text
    assert "Jinja probe 49" not in text


# --- (b) the PDF stage reads only inside the allowed folders ---------------------------------

def write_png(path: Path) -> Path:
    """A valid 1x1 red PNG."""
    path.write_bytes(png(1, 1, (0xff, 0, 0)))
    return path


@pytest.fixture
def allowed(tmp_path: Path) -> Path:
    root = tmp_path / "allowed"
    root.mkdir()
    return root


@pytest.mark.parametrize("markup, url", [
    ('<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
    ('<img src="file:///etc/hostname">', "file:///etc/hostname"),
    ('<img src="http://example.com/x.png">', "http://example.com/x.png"),
    ('<img src="https://example.com/x.png">', "https://example.com/x.png"),
    ('<img src="../../../../../../../../etc/hostname">', "file:///etc/hostname"),
    ('<style>@import url("http://example.com/x.css");</style>', "http://example.com/x.css"),
    ('<img src="file://localhost/etc/hostname">', "file://localhost/etc/hostname"),
    ('<img src="file:///etc/%70asswd">', "file:///etc/%70asswd"),
], ids=["attachment-passwd", "img-file", "img-http", "img-https", "relative-escape", "css-import", "file-localhost",
        "percent-encoded"])
def test_pdf_refuses_files_outside_the_workspace_and_the_network(allowed, markup, url):
    html = f"<html><body><p>Probe</p>{markup}</body></html>"
    with pytest.raises(TemplateProblem) as caught:
        render_pdf(html, base_dir=allowed, allowed_roots=[allowed])
    assert url in str(caught.value)
    assert "expected files inside the workspace only" in str(caught.value)


def test_pdf_refuses_a_symlink_that_leads_out_of_the_workspace(allowed):
    link = allowed / "innocent.png"
    try:
        link.symlink_to("/etc/hostname")
    except OSError:
        pytest.skip("symlinks not available")
    with pytest.raises(TemplateProblem) as caught:
        render_pdf('<img src="innocent.png">', base_dir=allowed, allowed_roots=[allowed])
    assert "innocent.png" in str(caught.value)


def test_pdf_refuses_a_sibling_folder_that_shares_the_name_prefix(allowed):
    sibling = allowed.parent / (allowed.name + "-evil")
    sibling.mkdir()
    write_png(sibling / "dot.png")
    with pytest.raises(TemplateProblem) as caught:
        render_pdf(f'<img src="{(sibling / "dot.png").as_uri()}">', base_dir=allowed, allowed_roots=[allowed])
    assert "allowed-evil/dot.png" in str(caught.value)


def test_pdf_loads_files_inside_the_allowed_folder(allowed):
    write_png(allowed / "dot.png")
    write(allowed / "notes.txt", "attached notes\n")
    pdf = render_pdf('<p>Probe</p><img src="dot.png" style="width: 2cm"><link rel="attachment" href="notes.txt">',
                     base_dir=allowed, allowed_roots=[allowed])
    assert pdf.startswith(b"%PDF")
    out = allowed / "probe.pdf"
    out.write_bytes(pdf)
    reader = PdfReader(out)
    assert len(reader.pages[0].images) == 1
    assert "notes.txt" in reader.attachments


# --- (c) restricted facts never reach a public edition ---------------------------------------

SECRET_NAME = "Abu Zaid Hadithi, shopkeeper in Jolan"
SECRET_ID = "abu-zaid-contact"
SECRET_URL = "https://example.org/zzqx-private-channel"
SECRET_DESCRIPTION = "Zzqx private contact description"
SECRET_SUMMARY = "Zzqx restricted summary: fighters use the Jolan safe house on 40th Street"
SECRET_FIGURE = 987654

RESTRICTED_FACTS = f"""\
sources:
  - id: {SECRET_ID}
    name: '{SECRET_NAME}'
    kind: local_source
    reliability: C
    url: {SECRET_URL}
    description: {SECRET_DESCRIPTION}.
    sensitivity: restricted
    public_name: A local contact

figures:
  - id: zzqx-restricted-figure
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-06
    value: {SECRET_FIGURE}
    unit: people
    cited:
      - {{source: ibtimes, date: 2016-06}}
    sensitivity: restricted

incidents:
  - id: zzqx-restricted-incident
    type: human_shields
    date: 2016-06
    place: fallujah
    perpetrator: isis
    status: alleged
    summary: '{SECRET_SUMMARY}.'
    cited:
      - {{source: {SECRET_ID}, date: 2016-06, credibility: 3}}
    sensitivity: restricted

  - id: public-incident-citing-a-contact
    type: movement_restriction
    date: 2016-06
    place: fallujah
    perpetrator: isis
    status: alleged
    summary: Public probe summary, reported by a restricted contact.
    cited:
      - {{source: {SECRET_ID}, date: 2016-06, credibility: 3}}
      - {{source: ibtimes, via: {SECRET_ID}, date: 2016-06, credibility: 4}}
"""

SECRETS = [SECRET_NAME, "Abu Zaid", "Jolan", SECRET_ID, SECRET_URL, "zzqx", "Zzqx", "987,654", "987654",
           "zzqx-restricted-incident", "zzqx-restricted-figure"]


def _outputs(ws: Path, edition: str = "public") -> tuple[str, str, str]:
    suffix = "-internal" if edition == "internal" else ""  # an internal edition never shares the public file names
    html_out, pdf_out = (Path(str(p).replace("-2016-W26.", f"-2016-W26{suffix}.")) for p in (HTML_OUT, PDF_OUT))
    html = without_embedded_files((ws / html_out).read_text(encoding="utf-8"))
    return html, pdf_text(ws / pdf_out), pdf_metadata_and_outline(ws / pdf_out)


def test_restricted_facts_and_sources_stay_out_of_the_public_edition(ws, sitrep_cli):
    write(ws / "facts/zz-restricted.yaml", RESTRICTED_FACTS)
    check = sitrep_cli("check", "--config", ws / "config.yaml")
    assert check.exit_code == 0, check.output

    build(sitrep_cli, ws)  # config.yaml says edition: public
    html, text, meta = _outputs(ws)
    raw_pdf = (ws / PDF_OUT).read_bytes()
    for secret in SECRETS:
        assert secret not in html, f"{secret!r} in the public HTML"
        assert secret not in text, f"{secret!r} in the public PDF text"
        assert secret not in meta, f"{secret!r} in the public PDF metadata or bookmarks"
        assert secret.encode() not in raw_pdf, f"{secret!r} in the public PDF bytes (links, metadata)"
    # The public fact that cites the contact is there, crediting the contact by its public name.
    assert "Public probe summary" in html and "Public probe summary" in text
    assert "A local contact" in html and "A local contact" in text

    internal = build(sitrep_cli, ws, "--edition", "internal")
    assert "internal edition" in internal.stdout
    html, text, _ = _outputs(ws, "internal")
    # ... and the public edition's files were left as they were.
    assert SECRET_NAME not in _outputs(ws)[0]
    for shown in (SECRET_NAME, SECRET_SUMMARY, "987,654"):
        assert shown in html, f"{shown!r} missing from the internal HTML"
        assert shown in text, f"{shown!r} missing from the internal PDF"
    assert 'data-fact="zzqx-restricted-incident"' in html


def test_a_later_restricted_fact_does_not_break_the_default_public_build(ws, sitrep_cli):
    later = RESTRICTED_FACTS.replace("    date: 2016-06\n    place: fallujah\n    perpetrator: isis\n"
                                     "    status: alleged\n    summary: 'Zzqx",
                                     "    date: 2016-08-10\n    place: fallujah\n    perpetrator: isis\n"
                                     "    status: alleged\n    summary: 'Zzqx")
    assert later != RESTRICTED_FACTS
    write(ws / "facts/zz-restricted.yaml", later)
    result = sitrep_cli("build", "--config", ws / "config.yaml", "--format", "html")
    assert result.exit_code == 0, result.output
    assert WEEK in result.stdout
