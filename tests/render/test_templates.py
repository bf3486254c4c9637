"""Templates an organisation can make its own: a templates folder searched before the built-ins,
a theme in config.yaml, filters, `sitrep templates`, template mistakes reported with their file
and line, and the documented template context."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import REPO, copy_example, png, use_templates_folder, without_progress, write
from sitrep.language import Language, speaking
from sitrep.commands import contextdoc
from sitrep.commands.contextdoc import DOC_PATH, REGENERATE, generate_repository_doc
from sitrep.report.formatting import format_count, format_date
from sitrep.commands.templates import builtin_template_names
from sitrep.render.templates import make_environment
from sitrep.source.vocabulary import SECTIONS

WEEK = "2016-W26"
HTML_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.html"
PDF_OUT = f"output/{WEEK}/fallujah-sitrep-{WEEK}.pdf"


def configure(ws: Path, extra: str, replace: dict[str, str] | None = None) -> Path:
    """Add settings to the workspace's config.yaml; returns the config's path."""
    path = ws / "config.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text + extra, encoding="utf-8")
    return path


def build(sitrep_cli, ws: Path, *args: str):
    return sitrep_cli("build", "--config", ws / "config.yaml", "--week", WEEK, *args)


@pytest.fixture
def ws(workspace: Path) -> Path:
    """The example workspace with a templates folder of its own."""
    use_templates_folder(workspace)
    return workspace


# --- The templates folder -----------------------------------------------------------------------

def test_overriding_a_single_section(ws, sitrep_cli):
    write(ws / "templates/sections/outlook.html",
          '<section class="outlook" id="outlook"><h2>What we expect</h2>'
          '{% for p in report.outlook %}<p class="ours">{{ p }}</p>{% endfor %}</section>\n')
    result = build(sitrep_cli, ws, "--format", "html")
    assert result.exit_code == 0, result.output
    html = (ws / HTML_OUT).read_text(encoding="utf-8")
    assert "<h2>What we expect</h2>" in html and '<p class="ours">As fighting moves' in html
    assert "<h2>Outlook</h2>" not in html
    assert "<h2>Documented abuses</h2>" in html and "<h2>Sources</h2>" in html  # the rest are built-in


def test_extending_a_builtin_changes_one_block(ws, sitrep_cli):
    write(ws / "templates/report.html", '{% extends "builtin:report.html" %}\n'
          "{% block title %}Weekly brief: {{ report.period }}{% endblock %}\n"
          "{% block extra_style %}h2 { text-transform: uppercase; }{% endblock %}\n")
    assert build(sitrep_cli, ws, "--format", "html").exit_code == 0
    html = (ws / HTML_OUT).read_text(encoding="utf-8")
    assert "<title>Weekly brief: 27 June – 3 July 2016</title>" in html
    assert "h2 { text-transform: uppercase; }" in html
    assert "<h2>Documented abuses</h2>" in html  # the content block is still the built-in one


def test_a_user_stylesheet_can_include_the_builtin_one(ws, sitrep_cli):
    write(ws / "templates/report.css", '{% include "builtin:report.css" %}\n.doc-title { letter-spacing: 0.1em; }\n')
    assert build(sitrep_cli, ws, "--format", "html").exit_code == 0
    html = (ws / HTML_OUT).read_text(encoding="utf-8")
    assert ".doc-title { letter-spacing: 0.1em; }" in html and "@font-face" in html


def test_a_template_may_show_a_file_of_the_workspace_in_the_pdf(ws, sitrep_cli):
    (ws / "maps").mkdir()
    (ws / "maps/week.png").write_bytes(png())
    write(ws / "templates/sections/places.html", '<img class="map" src="{{ workspace }}/maps/week.png" alt="map">\n')
    result = build(sitrep_cli, ws, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert any(page.images for page in PdfReader(ws / PDF_OUT).pages)


def test_a_templates_folder_that_does_not_exist_is_a_config_error_with_its_line(workspace, sitrep_cli):
    config = use_templates_folder(workspace, "my-templates", create=False)
    result = build(sitrep_cli, workspace)
    assert result.exit_code == 1
    line = config.read_text().splitlines().index("templates: my-templates") + 1
    assert f"config.yaml:{line}: error: templates: 'my-templates' does not exist" in result.stderr


# --- Theme settings -------------------------------------------------------------------------

THEME = """\
sections: [key_figures, highlights, routes, abuses, outlook, sources]
theme:
  logo: brand/logo.png
  colours:
    accent: "#7a1f5c"
    panel: rgb(251, 243, 224)
  fonts:
    body: [Brand Sans]
    headings: [Brand Serif]
"""


@pytest.fixture
def themed(workspace: Path) -> Path:
    (workspace / "brand").mkdir()
    (workspace / "brand/logo.png").write_bytes(png())
    configure(workspace, THEME, {
        "paper: A4": "paper: Letter",
        "    en: Example contact line — replace with your organisation's":
            "    en:\n      - Desk officer\n      - desk@example.org",
    })
    return workspace


def test_theme_settings_need_no_template(themed, sitrep_cli):
    result = build(sitrep_cli, themed)
    assert result.exit_code == 0, result.output
    html = (themed / HTML_OUT).read_text(encoding="utf-8")
    # Colours become CSS custom properties; unset ones keep their defaults.
    assert "--accent: #7a1f5c;" in html and "--panel: rgb(251, 243, 224);" in html and "--ink: #1d2327;" in html
    assert '--font-body: "Brand Sans", "Noto Sans"' in html and '--font-headings: "Brand Serif", "Noto Sans"' in html
    # The logo is copied beside the fonts, where the HTML and the PDF both find it.
    assert '<img class="logo" src="data:image/png;base64,' in html  # inside the HTML: one file that travels
    assert (themed / "output/assets/theme/logo.png").read_bytes() == (themed / "brand/logo.png").read_bytes()
    # Sections: only those chosen, in the order chosen.
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["Key figures", "Highlights", "Displacement routes", "Documented abuses", "Outlook", "Sources"]
    # Contact lines, one each.
    assert '<p class="contact-line">Desk officer</p>' in html and '<p class="contact-line">desk@example.org</p>' in html
    # The PDF: Letter paper, with the logo on page 1.
    reader = PdfReader(themed / PDF_OUT)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert reader.pages[0].images


def test_theme_font_files_are_declared_and_copied(workspace, sitrep_cli):
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not font.is_file():
        pytest.skip("DejaVu Serif is not installed")
    (workspace / "fonts").mkdir()
    (workspace / "fonts/Brand.ttf").write_bytes(font.read_bytes())
    configure(workspace, "theme:\n  fonts:\n    headings: [Brand Serif]\n    files:\n"
                         "      - {family: Brand Serif, file: fonts/Brand.ttf, weight: bold}\n")
    result = build(sitrep_cli, workspace)
    assert result.exit_code == 0, result.output
    html = (workspace / HTML_OUT).read_text(encoding="utf-8")
    # Inside the HTML, cut down to what the report uses; the PDF reads the file copied beside it.
    assert '@font-face { font-family: "Brand Serif"; src: url("data:font/woff2;base64,' in html
    assert (workspace / "output/assets/theme/fonts/Brand.ttf").is_file()
    fonts = [str(f.get("/BaseFont")) for page in PdfReader(workspace / PDF_OUT).pages
             for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values()]
    assert any("Brand-Serif" in name for name in fonts), fonts


def test_a_theme_font_is_cut_down_without_a_word_on_stderr(workspace, tmp_path):
    """fontTools leaves out the tables it cannot subset (FontForge's FFTM in DejaVu), and says so
    on stderr once per font, on every build: expected, and nothing for the user to do."""
    from fontTools.ttLib import TTFont

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not font.is_file():
        pytest.skip("DejaVu Serif is not installed")
    assert "FFTM" in TTFont(font, lazy=True)
    (workspace / "fonts").mkdir()
    (workspace / "fonts/Brand.ttf").write_bytes(font.read_bytes())
    configure(workspace, "theme:\n  fonts:\n    headings: [Brand Serif]\n    files:\n"
                         "      - {family: Brand Serif, file: fonts/Brand.ttf, weight: bold}\n")
    # A cache of its own, so that the font is cut down in this run and not found cut already.
    done = subprocess.run([sys.executable, "-m", "sitrep", "build", "--week", WEEK, "--format", "html", "--quiet"],
                          cwd=workspace, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    assert any((tmp_path / "cache/sitrep/fonts").iterdir())  # it was cut down here


@pytest.mark.parametrize("setting, message", [
    ('theme:\n  colours:\n    accent: "#12345"\n', "theme.colours.accent: '#12345' is not a CSS colour"),
    ('theme:\n  colours:\n    accent: "red; } </style><script>alert(1)</script>"\n', "is not a CSS colour"),
    ("theme:\n  colours:\n    accent: #1f5f8b\n", "YAML reads an unquoted '#' as a comment"),
    ("theme:\n  colours:\n    acent: navy\n", "unknown key 'acent'"),
    ("theme:\n  logo: brand/missing.png\n", "theme.logo: 'brand/missing.png' does not exist"),
    ("theme:\n  logo: config.yaml\n", "theme.logo: 'config.yaml' is not a logo file by its name"),
    ("theme:\n  logo: fake.png\n", "theme.logo: 'fake.png' does not hold a PNG logo"),
    ("theme:\n  logo: ../outside.png\n", "theme.logo: '../outside.png' is outside the workspace"),
    ("theme:\n  fonts:\n    body: ['Evil\"; } body { color: red']\n", "is not a font family name"),
    ("theme:\n  fonts:\n    files:\n      - {family: X, file: fonts/none.ttf}\n", "theme.fonts.files: 'fonts/none.ttf' does not exist"),
    ("sections: [highlights, outlok]\n", "sections: 'outlok' is not a report section"),
    ("sections: [highlights, highlights]\n", "sections: 'highlights' is listed twice"),
    ("sections: []\n", "sections is an empty list"),
])
def test_a_theme_mistake_is_a_config_error_with_its_line(workspace, sitrep_cli, setting, message):
    (workspace / "fake.png").write_text("not an image")
    (workspace.parent / "outside.png").write_bytes(png())
    before = len((workspace / "config.yaml").read_text().splitlines())
    configure(workspace, setting)
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    line = int(re.search(r"config\.yaml:(\d+): error", result.stderr).group(1))
    assert before < line <= before + setting.count("\n")
    assert "Traceback" not in result.output


def test_an_unknown_section_gets_a_suggestion(workspace, sitrep_cli):
    configure(workspace, "sections: [highlights, outlok]\n")
    assert "did you mean 'outlook'?" in sitrep_cli("check", "--config", workspace / "config.yaml").stderr


def test_a_section_of_your_own_can_be_listed(ws, sitrep_cli):
    write(ws / "templates/sections/annex.html", '<section id="annex"><h2>Annex</h2></section>\n')
    configure(ws, "sections: [highlights, annex, sources]\n")
    assert build(sitrep_cli, ws, "--format", "html").exit_code == 0
    assert re.findall(r"<h2>([^<]+)</h2>", (ws / HTML_OUT).read_text()) == ["Highlights", "Annex", "Sources"]


def test_a_language_without_date_formats_is_a_config_error(workspace, sitrep_cli):
    configure(workspace, "", {"language: en": "language: zz"})
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1 and "language: 'zz' is not a language sitrep can print dates in" in result.stderr


# --- Filters -------------------------------------------------------------------------------

def test_date_filter_speaks_the_reports_language():
    day = dt.date(2016, 7, 3)
    assert format_date(day) == "3 July 2016"
    with speaking(Language("en-US")):
        assert format_date(day) == "July 3, 2016"
    with speaking(Language("fr")):
        assert format_date(day) == "3 juillet 2016"
        assert format_date(day, "d MMM y") == "3 juil. 2016"
        assert make_environment().from_string("{{ d | date }} / {{ d | date('full') }}").render(d=day) == \
            "3 juillet 2016 / dimanche 3 juillet 2016"
    with speaking(Language("ar")):
        assert format_date(day) == "3 يوليو 2016"
    with speaking(Language("ar", "IQ", "native")):  # Iraqi month names, Arabic-Indic digits
        assert format_date(day) == "٣ تموز ٢٠١٦"
        assert format_date("2016-06") == "حزيران ٢٠١٦"
    assert format_date("2016-06") == "June 2016"


def test_unit_filter_is_singular_or_plural():
    assert format_count(1, "families") == "1 family"
    assert format_count(30000, "people") == "30,000 people"
    assert format_count(2.5, "km") == "2.5 km"
    env = make_environment()
    assert env.from_string("{{ 1 | unit('people') }}, {{ 4500 | unit('households') }}").render() == \
        "1 person, 4,500 households"


def test_number_and_range_filters():
    env = make_environment()
    assert env.from_string("{{ 30000 | number }} {{ 30000 | range(40000) }}").render() == "30,000 30,000–40,000"


# --- Template mistakes: file, line, a hint; no traceback; the last report untouched ---------------

TEMPLATE_MISTAKES = [
    ("sections/outlook.html", "<section>\n  <p>{{ report.outlok }}</p>\n</section>\n", 2,
     "ReportContext has no field 'outlok'", "did you mean 'outlook'?"),
    ("sections/places.html", "<ul>\n{% for place in report.places %}\n<li>{{ place.nmae }}</li>\n{% endfor %}\n</ul>\n", 3,
     "PlaceRef has no field 'nmae'", "PlaceRef fields: id, name, local_names"),
    ("sections/sources.html", "<p>\n{{ reprot.title }}\n</p>\n", 2,
     "'reprot' is undefined", "variables here: assets, report"),
    ("sections/since_last.html", "<p>\n\n{{ report.number | numbr }}</p>\n", 3,
     "unknown filter 'numbr'", "did you mean 'number'?"),
    ("sections/trapped.html", "{% if report.trapped_notes is defined %}\n{{ report.number | citee }}\n{% endif %}\n", 2,
     "unknown filter 'citee'", "sitrep's filters: amount, cite"),
    ("sections/context.html", "<section>\n{% if %}\n</section>\n", 2, "template syntax error", ""),
    ("sections/routes.html", "<section>\n{% for r in report.routes %}\n</section>\n", 3, "template syntax error", ""),
    ("sections/abuses.html", "<div>\n{% include 'sections/_incident_tabel.html' %}\n</div>\n", 2,
     "template not found: sections/_incident_tabel.html", "did you mean 'sections/_incident_table.html'?"),
    ("sections/movements.html", "<p>{{ theme.colours.acent }}</p>\n", 1,
     "no key 'acent'", "did you mean 'accent'?"),
    # Text after a tag is traced to its own line, not the tag's: in a block of a template that
    # extends a built-in, and in an if.
    ("report.html", '{% extends "builtin:report.html" %}\n{% block content %}\n<p>one</p>\n'
                    '<img src="https://example.org/a.png">\n{% endblock %}\n', 4,
     "a report never loads anything from the network", ""),
    ("report.html", '{% extends "builtin:report.html" %}\n{% block content %}\n<p>one</p>\n'
                    "<p>{{ report.nope }}</p>\n{% endblock %}\n", 4, "ReportContext has no field 'nope'", ""),
    ("sections/outlook.html", '{% if report.outlook is defined %}\n<p>x</p>\n\n<img src="https://example.org/b.png">'
                              "\n{% endif %}\n", 4, "a report never loads anything from the network", ""),
    ("report.html", '{% extends "builtin:report.html" %}\n{% block content %}\n<p>one</p>\n{% if %}\n'
                    "{% endblock %}\n", 4, "template syntax error", ""),
    ("report.html", '{% extends "builtin:reprot.html" %}\n', 1, "template not found: builtin:reprot.html",
     "did you mean 'builtin:report.html'?"),
]

# What `sitrep check` finds without rendering: a template that does not compile, and one named by a
# fixed name that does not exist.
COMPILE_MISTAKES = [m for m in TEMPLATE_MISTAKES if m[3].startswith(("template syntax error", "template not found"))]


@pytest.mark.parametrize("name, text, line, message, hint", TEMPLATE_MISTAKES,
                         ids=[m[3].split(":")[0].split("'")[0].strip() + "-" + m[0] for m in TEMPLATE_MISTAKES])
def test_a_template_mistake_names_its_file_and_line(ws, sitrep_cli, name, text, line, message, hint):
    assert build(sitrep_cli, ws, "--format", "html").exit_code == 0
    before = (ws / HTML_OUT).read_bytes()
    write(ws / "templates" / name, text)
    result = build(sitrep_cli, ws, "--format", "html")
    assert result.exit_code == 1
    assert f"templates/{name}:{line}: error: " in result.stderr, result.stderr
    assert message in result.stderr and hint in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.stderr.splitlines()[-1] == "1 error; nothing was written."
    assert (ws / HTML_OUT).read_bytes() == before  # the previous report is untouched


@pytest.mark.parametrize("name, text, line, message, hint", COMPILE_MISTAKES, ids=[m[0] for m in COMPILE_MISTAKES])
def test_check_finds_a_template_that_does_not_compile_as_a_build_does(ws, sitrep_cli, name, text, line, message, hint):
    write(ws / "templates" / name, text)
    built = build(sitrep_cli, ws, "--format", "html")
    checked = sitrep_cli("check", "--config", ws / "config.yaml")
    assert checked.exit_code == 1 and not checked.stdout.startswith("OK")
    error = [line for line in built.stderr.splitlines() if ": error: " in line]
    assert [line for line in checked.stderr.splitlines() if ": error: " in line] == error  # the same words
    assert error[0].startswith(f"{ws}/templates/{name}:{line}: error: {message}") and hint in error[0]


def test_check_lists_the_stores_and_the_templates_problems_together(ws, sitrep_cli):
    write(ws / "templates/sections/outlook.html", "<section>\n{% if %}\n</section>\n")
    write(ws / "templates/sections/annex.html", "{% include 'sections/_nothere.html' ignore missing %}\n"
                                                "{% include 'sections/_footr.html' %}\n")
    facts = ws / "facts/2016-06-fallujah.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("omar-nazar", "omar-nazr", 1), encoding="utf-8")
    checked = sitrep_cli("check", "--config", ws / "config.yaml")
    assert checked.exit_code == 1
    errors = checked.stderr.replace(f"{ws}/", "").splitlines()
    assert errors[-1] == "3 errors."
    assert errors[0].startswith("facts/2016-06-fallujah.yaml:") and "unknown source 'omar-nazr'" in errors[0]
    assert errors[1].startswith("templates/sections/annex.html:2: error: template not found: sections/_footr.html")
    assert "did you mean 'sections/_footer.html'?" in errors[1]
    assert errors[2].startswith("templates/sections/outlook.html:2: error: template syntax error")


def test_check_passes_templates_that_compile(ws, sitrep_cli):
    write(ws / "templates/report.html", '{% extends "builtin:report.html" %}\n{% block content %}<p>ours</p>'
                                        "{{ super() }}{% endblock %}\n")
    write(ws / "templates/sections/outlook.html", "{% include 'sections/_' ~ 'footer.html' %}\n")  # named while rendering
    checked = sitrep_cli("check", "--config", ws / "config.yaml")
    assert checked.exit_code == 0 and checked.stdout.startswith("OK: "), checked.output


def test_a_template_mistake_in_a_real_run_leaves_both_files_untouched(ws, sitrep_process):
    first = sitrep_process("build", "--week", WEEK, cwd=ws)
    assert first.exit_code == 0, first.output
    before = {p: (ws / p).read_bytes() for p in (HTML_OUT, PDF_OUT)}
    write(ws / "templates/sections/outlook.html", "<section>\n  <p>{{ report.outlok }}</p>\n</section>\n")
    result = sitrep_process("build", "--week", WEEK, cwd=ws)
    assert result.exit_code == 1
    assert without_progress(result.stderr).startswith("templates/sections/outlook.html:2: error: template error: "
                                    "ReportContext has no field 'outlok'; did you mean 'outlook'?"), result.stderr
    assert "Traceback" not in result.output
    assert {p: (ws / p).read_bytes() for p in before} == before


# --- sitrep templates -------------------------------------------------------------------------

def test_templates_lists_each_template_and_where_it_is_found(ws, sitrep_cli):
    write(ws / "templates/sections/outlook.html", "<p>ours</p>\n")
    write(ws / "templates/sections/annex.html", "<p>new</p>\n")
    result = sitrep_cli("templates", "--config", ws / "config.yaml")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.strip() and " " in line}
    assert rows["sections/outlook.html"][0] == "user" and rows["sections/outlook.html"][1].endswith("templates/sections/outlook.html")
    assert rows["sections/annex.html"][:2] == ["user,", "new"]
    assert rows["base.html"][0] == "built-in" and rows["report.css"][0] == "built-in"
    assert set(builtin_template_names()) <= set(rows)


def test_templates_copy_starts_from_the_builtin_and_never_overwrites(ws, sitrep_cli):
    config = ws / "config.yaml"
    result = sitrep_cli("templates", "copy", "outlook", "--config", config)
    assert result.exit_code == 0, result.output
    copied = ws / "templates/sections/outlook.html"
    assert copied.read_bytes() == (REPO / "templates/sections/outlook.html").read_bytes()
    copied.write_text("<p>edited</p>\n")
    again = sitrep_cli("templates", "copy", "sections/outlook.html", "--config", config)
    assert again.exit_code == 1 and "you already have this template" in again.stderr and "--force" in again.stderr
    assert copied.read_text() == "<p>edited</p>\n"
    forced = sitrep_cli("templates", "copy", "sections/outlook.html", "--force", "--config", config)
    assert forced.exit_code == 0 and copied.read_bytes() != b"<p>edited</p>\n"


def test_templates_copy_suggests_the_nearest_name(ws, sitrep_cli):
    result = sitrep_cli("templates", "copy", "outlok", "--config", ws / "config.yaml")
    assert result.exit_code == 1 and "did you mean 'sections/outlook.html'?" in result.stderr


def test_templates_copy_needs_a_templates_folder(workspace, sitrep_cli):
    use_templates_folder(workspace, None)
    result = sitrep_cli("templates", "copy", "outlook", "--config", workspace / "config.yaml")
    assert result.exit_code == 1 and "config.yaml sets no templates folder" in result.stderr


def test_templates_context_prints_the_variables_with_examples_from_the_store(workspace, sitrep_cli):
    result = sitrep_cli("templates", "context", "--config", workspace / "config.yaml", "--week", "2015-W31")
    assert result.exit_code == 0, result.output
    assert "| `report` |" in result.stdout and "## ReportContext" in result.stdout
    assert '| `week` | `str` |' in result.stdout and '"2015-W31"' in result.stdout


# --- The documented context ----------------------------------------------------------------------

def test_the_template_context_doc_is_what_the_code_generates(tmp_path, monkeypatch):
    # Generated from a copy of the repository's example workspace: loading a store writes its
    # cache beside it, and tests write nothing into the repository.
    monkeypatch.setattr(contextdoc, "REPO", copy_example(tmp_path / "repository"))
    committed = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.is_file() else ""
    assert committed == generate_repository_doc(), f"docs/template-context.md is out of date: run {REGENERATE}"


def test_the_context_doc_lists_every_field_of_the_context():
    import dataclasses

    from sitrep.report.context import ReportContext

    text = DOC_PATH.read_text(encoding="utf-8")
    for field in dataclasses.fields(ReportContext):
        assert f"| `{field.name}` |" in text


def test_the_manual_documents_every_filter_with_an_example():
    templates_page = (REPO / "docs/templates.md").read_text(encoding="utf-8")
    filters = templates_page[templates_page.index("## Filters"):]
    for name in ("number", "range", "amount", "unit", "date", "cite", "local_names", "css_string"):
        assert re.search(rf"\| `{name}` \|.*\{{\{{.*\| *{name}", filters), f"no example of the {name} filter"


def test_every_builtin_section_has_a_template():
    assert all(f"sections/{name}.html" in builtin_template_names() for name in SECTIONS)


# --- The built-in templates folder is never "yours" ---------------------------------------------

def _config_with_templates(ws: Path, folder: str) -> tuple[Path, int]:
    config = use_templates_folder(ws, folder, create=False)
    return config, config.read_text(encoding="utf-8").splitlines().index(f"templates: {folder}") + 1


@pytest.mark.parametrize("how", ["path", "link", "inside"])
def test_the_builtin_templates_folder_is_refused_as_your_own_at_its_line(workspace, sitrep_cli, how):
    from sitrep.render.templates import builtin_templates_dir

    builtin = builtin_templates_dir().resolve()
    before = {p: p.read_bytes() for p in builtin.rglob("*") if p.is_file()}
    if how == "link":  # a folder of the workspace that is the built-in one under another name
        (workspace / "templates").symlink_to(builtin, target_is_directory=True)
        folder = "templates"
    else:
        folder = str(builtin if how == "path" else builtin / "sections")
    config, line = _config_with_templates(workspace, folder)
    what = "is inside sitrep's built-in templates folder" if how == "inside" else "is sitrep's built-in templates folder"
    for command in (("check",), ("templates",), ("templates", "copy", "outlook", "--force"), ("build",)):
        result = sitrep_cli(*command, "--config", config)
        assert result.exit_code == 1, (command, result.output)
        assert f"config.yaml:{line}: error: templates: '{folder}' {what}, not a folder of your own" in result.stderr
        assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in builtin.rglob("*") if p.is_file()} == before


def test_templates_copy_never_copies_a_builtin_onto_itself(workspace, sitrep_cli):
    """A folder of your own whose sections/ is a link to the built-in sections: the copy would
    be the built-in file itself."""
    from sitrep.render.templates import builtin_templates_dir

    builtin = builtin_templates_dir() / "sections/outlook.html"
    before = builtin.read_bytes()
    (workspace / "custom/sections").symlink_to(builtin.parent.resolve(), target_is_directory=True)
    for args in ((), ("--force",)):
        result = sitrep_cli("templates", "copy", "outlook", *args, "--config", workspace / "config.yaml")
        assert result.exit_code == 1, result.output
        assert "custom/sections/outlook.html: error: is the built-in template itself" in result.stderr
        assert "Traceback" not in result.output
    assert builtin.read_bytes() == before and not builtin.is_symlink()


def test_without_a_templates_folder_the_hint_never_names_the_builtin_one(tmp_path, sitrep_cli):
    """At the top of sitrep's repository, templates/ is the built-ins: the hint names another."""
    from sitrep.render.templates import builtin_templates_dir

    ws = tmp_path / "ws"
    shutil.copytree(REPO / "facts", ws / "facts")
    (ws / "templates").symlink_to(builtin_templates_dir().resolve(), target_is_directory=True)
    config = ws / "config.yaml"
    shutil.copy(REPO / "config.yaml", config)
    use_templates_folder(ws, None)
    listed = sitrep_cli("templates", "--config", config)
    assert listed.exit_code == 0 and "add 'templates: custom' to config.yaml" in listed.stdout
    copied = sitrep_cli("templates", "copy", "outlook", "--config", config)
    assert copied.exit_code == 1 and "a line such as 'templates: custom'" in copied.stderr


def test_citations_read_in_order_whatever_order_a_users_template_prints(tmp_path):
    from sitrep.render.templates import citation_order, render_html
    from sitrep.report.builder import build_context
    from sitrep.source.config import load_config
    from sitrep.source.store import load_store

    config = load_config(REPO / "config.yaml")
    store = load_store(config.store_dir, cache=False)  # writes nothing into the repository

    def sources_of_each_fact(context) -> dict[str, list[str]]:
        names = {s.number: s.name for s in context.sources}
        rows = [*context.routes, *(i for g in context.abuses for i in g.incidents),
                *(r for k in context.key_figures for r in k.reports)]
        return {row.id: [names[n] for n in row.citations] for row in rows}

    built_in = build_context(store, config, "2015-W31")
    assert citation_order(render_html(built_in)) == list(range(1, len(built_in.sources) + 1))
    # A template of the user's that prints the sections in reverse order: the numbers follow it.
    write(tmp_path / "report.html", '{% extends "builtin:report.html" %}{% block content %}'
          '{% for section in report.sections | reverse %}{% include "sections/" ~ section ~ ".html" %}{% endfor %}'
          '{% endblock %}')
    reversed_context = build_context(store, config, "2015-W31")
    html = render_html(reversed_context, user_dir=tmp_path)
    assert citation_order(html) == list(range(1, len(reversed_context.sources) + 1))
    assert html.index("<h2>Sources</h2>") < html.index("<h2>For further information</h2>")  # it did print in reverse
    assert sources_of_each_fact(reversed_context) == sources_of_each_fact(built_in)  # every fact cites the same sources
    assert [int(n) for n in re.findall(r'<li id="source-(\d+)"', html)] == list(range(1, len(reversed_context.sources) + 1))


def test_a_source_cited_only_in_an_omitted_section_is_not_listed(workspace):
    from sitrep.render.templates import citation_order, render_html
    from sitrep.report.builder import build_context
    from sitrep.source.config import load_config
    from sitrep.source.store import load_store

    config_file = workspace / "config.yaml"
    config_file.write_text(config_file.read_text(encoding="utf-8") + "sections: [routes, key_figures, sources]\n",
                           encoding="utf-8")
    config = load_config(config_file)
    context = build_context(load_store(config.store_dir), config, "2015-W31")
    cited = {n for route in context.routes for n in route.citations} | {n for p in context.overview for n in p.citations}
    cited |= {n for k in context.key_figures for n in k.citations}
    assert [s.number for s in context.sources] == sorted(cited) == list(range(1, len(cited) + 1))
    assert citation_order(render_html(context)) == list(range(1, len(cited) + 1))
    everything = build_context(load_store(config.store_dir), load_config(REPO / "config.yaml"), "2015-W31")
    assert len(context.sources) < len(everything.sources)  # the abuses' own sources are not listed
