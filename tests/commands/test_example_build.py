"""The whole pipeline run the way a user runs it, on the bundled Fallujah store."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from sitrep.report.series import series_of
from sitrep.source.config import load_config
from sitrep.source.store import load_store
from support import REPO


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_build_prints_where_the_files_are(example_built):
    ws, done = example_built
    assert "output/2016-W26/fallujah-sitrep-2016-W26.html" in done.stdout
    assert "output/2016-W26/fallujah-sitrep-2016-W26.pdf" in done.stdout
    assert (ws / "output/2016-W26/fallujah-sitrep-2016-W26.pdf").stat().st_size > 10_000
    assert (ws / "output/assets/fonts/NotoSansArabic-Regular.ttf").is_file()


def test_default_week_is_the_latest_with_facts():
    config = load_config(REPO / "config.yaml")
    store = load_store(REPO / "facts", cache=False)  # writes nothing into the repository
    assert str(series_of(store, config.series).reports[-1]) == "2016-W26"


def test_pdf_holds_the_weeks_figures_places_and_citations(example_built):
    ws, _ = example_built
    text = pdf_text(ws / "output/2016-W26/fallujah-sitrep-2016-W26.pdf")
    flat = " ".join(text.split())
    # Key figures with their range and qualifier, and who reported them.
    assert "30,000–40,000" in flat
    assert "at least 30" in flat
    assert "Iraqi military spokesman" in flat and "NBC News" in flat
    # Places, routes, abuses by type, and the numbered sources list.
    for expected in ("Fallujah", "Amiriyat al-Fallujah camp", "Shuhada", "Unsafe",
                     "Forced blood donation", "Use of civilians as human shields",
                     "Preventing civilians from leaving", "Capt. Omar Nazar", "Fox News",
                     "Sources", "Report 2", "27 June – 3 July 2016", "Page 1 of"):
        assert expected in flat, expected
    # Facts of other weeks stay out.
    assert "Badr Organization" not in flat


def test_pdf_metadata_and_page_size(example_built):
    ws, _ = example_built
    reader = PdfReader(ws / "output/2016-W26/fallujah-sitrep-2016-W26.pdf")
    assert reader.metadata.title.startswith("Fallujah Situation Report")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = {str(font) for page in reader.pages for font in _fonts(page)}
    assert any("Arabic" in f for f in fonts), fonts


def _fonts(page):
    resources = page.get("/Resources") or {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object().get("/BaseFont")


def test_html_is_self_contained_and_traceable(example_built):
    ws, _ = example_built
    html = (ws / "output/2016-W26/fallujah-sitrep-2016-W26.html").read_text(encoding="utf-8")
    assert "<style>" in html and "<link" not in html  # CSS inlined; fonts in ../assets
    assert 'data-fact="fallujah-trapped-2016-06"' in html
    assert 'id="source-1"' in html
    assert 'lang="ar" dir="rtl"' in html and "الفلوجة" in html


def test_build_an_earlier_week_html_only(workspace, sitrep_cli):
    result = sitrep_cli("build", "--config", workspace / "config.yaml", "--week", "2015-W31", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (workspace / "output/2015-W31/fallujah-sitrep-2015-W31.html").read_text(encoding="utf-8")
    assert "Badr Organization" in html
    assert "High Commissioner for Human Rights" in html
    assert not (workspace / "output/2015-W31/fallujah-sitrep-2015-W31.pdf").exists()


def test_check_on_the_example_store(workspace, sitrep_cli):
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 0, result.output
    assert "OK:" in result.stdout and "2016-W26" in result.stdout


def test_weeks_lists_the_series(workspace, sitrep_cli):
    result = sitrep_cli("weeks", "--config", workspace / "config.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2015-W31  No. 1   27 July – 2 August 2015  1 figure, 12 incidents, 1 route",
        "2016-W26  No. 2   27 June – 3 July 2016    6 figures, 8 incidents, 1 route, 2 areas, 1 movement",
    ]


def test_weeks_lists_the_series_of_the_edition_asked_for(workspace, sitrep_cli):
    (workspace / "facts/restricted.yaml").write_text(
        "incidents:\n  - {id: probe-restricted, type: attack_on_civilians, date: 2016-06-08, place: fallujah, "
        "status: alleged, summary: A restricted report., cited: [{source: ibtimes}], sensitivity: restricted}\n",
        encoding="utf-8")
    config = workspace / "config.yaml"
    public = sitrep_cli("weeks", "--config", config)
    internal = sitrep_cli("weeks", "--edition", "internal", "--config", config)
    assert public.exit_code == internal.exit_code == 0, public.output + internal.output
    assert "2016-W23" not in public.stdout and "2016-W26  No. 2 " in public.stdout
    added = next(line for line in internal.stdout.splitlines() if line.startswith("2016-W23"))
    assert added.startswith("2016-W23  No. 2 ") and "6–12 June 2016" in added and added.endswith("  1 incident")
    assert "2016-W26  No. 3 " in internal.stdout  # the internal series has a report more before it
    config.write_text(config.read_text(encoding="utf-8").replace("\nedition: public\n", "\nedition: internal\n"),
                      encoding="utf-8")
    assert sitrep_cli("weeks", "--config", config).stdout == internal.stdout  # config.yaml's edition by default
    assert sitrep_cli("weeks", "--edition", "public", "--config", config).stdout == public.stdout
