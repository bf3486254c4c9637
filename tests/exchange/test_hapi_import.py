"""`sitrep import hapi`: HDX HAPI's conflict-event table as HDX and the API serve it (the
fixtures in formats/ copy their headers, HXL row and quirks, with invented numbers), imported
into a copy of the example workspace from the command line and read back: the summary, the
figures held, a second import, the week's report; and every way a file is refused."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest

from support import REPO, assert_refused, copy_example
from support import import_count as _count

sys.path.insert(0, str(REPO / "bench"))

from generate_imports import write_dtm  # noqa: E402

FORMATS = Path(__file__).parent / "formats"
HEADER = ("location_code,has_hrp,in_gho,provider_admin1_name,provider_admin2_name,admin1_code,admin1_name,"
          "admin2_code,admin2_name,admin_level,event_type,events,fatalities,reference_period_start,"
          "reference_period_end")
FALLUJA = "IRQ,True,True,Anbar,Falluja,IQG01,Al-Anbar,IQG01Q02,Al-Falluja,2"


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def run(sitrep_cli, ws: Path, *args):
    return sitrep_cli(*args, "--config", ws / "config.yaml")


def hapi_file(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def imported_figures(ws: Path) -> dict:
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    return {f.id: f for f in store.figures.values() if f.imported}


def with_pcodes(ws: Path) -> None:
    """The example's Iraq and Anbar governorate given their P-codes, as a user curating the store does."""
    places = ws / "facts/places.yaml"
    text = places.read_text(encoding="utf-8")
    text = text.replace("    kind: country\n", "    kind: country\n    pcode: IRQ\n", 1)
    text = text.replace("    kind: governorate\n    parent: iraq\n", "    kind: governorate\n    parent: iraq\n"
                        "    pcode: IQG01\n", 1)
    places.write_text(text, encoding="utf-8")


# --- The formats as HDX and the API serve them --------------------------------------------------------

def test_hdx_csv_with_its_hxl_row_becomes_figures_never_added_together(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx.csv")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("HDX HAPI import of ") and first.endswith(
        "10 rows read, HDX HAPI conflict events, admin 2 (HDX's CSV, with HXL hashtags)")
    assert _count(result.stdout, "added") == 8  # 10 rows, the 2 demonstrations left out
    assert "left out           2 rows of a type sitrep does not document: demonstration 2" in result.stdout
    figures = imported_figures(ws)
    killed = figures["hapi-iqg01q02-2016-06-civilians-killed"]
    assert (killed.metric, killed.value, killed.unit, killed.as_of.text) == ("civilians_killed", 12, "people", "2016-06")
    assert [(c.source, c.via, c.date.text) for c in killed.cited] == [("acled", "hdx-hapi", "2016-06")]
    assert killed.note.startswith("6 events of civilian targeting")
    assert (killed.imported.dataset, killed.imported.record) == ("hapi", "IQG01Q02 2016-06 civilian_targeting")
    all_parties = figures["hapi-iqg01q02-2016-06-conflict-fatalities"]
    assert (all_parties.metric, all_parties.value, all_parties.place) == ("conflict_fatalities", 41, killed.place)
    assert figures["hapi-iqg01q06-2016-05-civilians-killed"].value == 0  # a month's zero is a count, kept
    assert not any("demonstration" in f.imported.record for f in figures.values())

    again = run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx.csv")
    assert _count(again.stdout, "unchanged") == 8 and _count(again.stdout, "added") == 0
    assert run(sitrep_cli, ws, "check").exit_code == 0


def test_areas_match_the_stores_places_by_p_code_under_their_country(ws, sitrep_cli):
    with_pcodes(ws)
    assert run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx.csv").exit_code == 0
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    proposed = [p for p in store.places.values() if p.id not in ("iraq", "anbar") and p.pcode]
    assert sorted(p.pcode for p in proposed) == ["IQG01Q02", "IQG01Q06"]
    assert {p.kind for p in proposed} == {"district"} and {p.parent for p in proposed} == {"anbar"}
    falluja = next(p for p in proposed if p.pcode == "IQG01Q02")
    assert falluja.name == "Al-Falluja" and falluja.aliases == ["Falluja"]  # ACLED's own spelling kept


def test_a_district_proposed_lies_under_its_governorate_and_country(ws, sitrep_cli):
    # HAPI's 'Al-Anbar' is the store's Anbar governorate (the article and generic word aside),
    # itself in the store's Iraq: the districts proposed are put under it.
    assert run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx.csv").exit_code == 0
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    district = next(p for p in store.places.values() if p.pcode == "IQG01Q02")
    assert (district.kind, district.parent, store.places[district.parent].parent) == ("district", "anbar", "iraq")
    assert not [p for p in store.places.values() if p.kind == "country" and p.id != "iraq"]


def test_hdx_global_download_with_a_byte_order_mark_national_rows_and_a_country_outside_the_region(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-global.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("5 rows read, HDX HAPI conflict events, admin 0 and 2 (HDX's CSV)")
    assert "assumed            2 rows: country outside the workspace's region IQ: Kenya" in result.stdout
    figures = imported_figures(ws)
    kenya = figures["hapi-ken-2016-06-civilians-killed"]
    from sitrep.pipeline import Workspace

    place = Workspace.load(ws / "config.yaml").store.places[kenya.place]
    assert (place.name, place.kind, place.pcode) == ("Kenya", "country", "KEN")
    assert kenya.imported.assumptions == ["country outside the workspace's region IQ: Kenya"]
    assert figures["hapi-ken-2016-06-conflict-fatalities"].value == 52


def test_an_older_download_without_admin_level_and_with_enum_names(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx-2024.csv")
    assert result.exit_code == 0, result.stderr
    assert "admin 1 and 2 (HDX's CSV, with HXL hashtags)" in result.stdout.splitlines()[0]
    assert ("assumed            3 rows: admin level taken from the P-codes given (the file has no admin_level "
            "column)") in result.stdout
    figures = imported_figures(ws)
    # Row 5: "Unspecified" district, IQG01-XXX: the governorate's own figure, not a district called Unspecified.
    anbar = figures["hapi-iqg01-2016-05-civilians-killed"]
    from sitrep.pipeline import Workspace

    store = Workspace.load(ws / "config.yaml").store
    assert store.places[anbar.place].kind == "governorate" and anbar.value == 2
    assert not any(p.name == "Unspecified" for p in store.places.values())


def test_the_weeks_report_shows_civilians_killed_from_hapi_cited_and_not_added_to_all_deaths(ws, sitrep_cli):
    assert run(sitrep_cli, ws, "import", "hapi", FORMATS / "hapi-conflict-hdx.csv").exit_code == 0
    built = run(sitrep_cli, ws, "build", "--week", "2016-W26", "--format", "html", "--language", "en")
    assert built.exit_code == 0, built.stderr
    html = next((ws / "output/2016-W26").glob("*W26.html")).read_text(encoding="utf-8")
    key = re.search(r'<div class="key-figure[^"]*" data-fact="hapi-iqg01q02-2016-06-civilians-killed">(.*?)</div>',
                    html, re.S)
    assert key, "HAPI's civilians killed is not among the key figures"
    assert '<p class="kf-number">12</p>' in key[1] and "Al-Falluja" in key[1]  # 12, never 12 + 41
    source = re.search(r'href="#source-(\d+)"', key[1])[1]
    entry = re.search(rf'id="source-{source}"(.*?)</li>', html, re.S)[1]
    assert "ACLED" in entry and "HDX HAPI" in entry and "hapi.humdata.org" in entry
    other = html[html.index('id="other-figures"'):]
    assert 'data-fact="hapi-iqg01q02-2016-06-conflict-fatalities"' in other
    assert "Deaths in political violence (all parties)" in other and "41 people" in other
    assert 'class="key-figure' not in other and "conflict-fatalities" not in html[:html.index('id="other-figures"')]


def test_the_apis_own_csv_is_read_by_the_same_columns(ws, sitrep_cli):
    # The columns of the API's response model (OCHA-DAP/hdx-hapi, endpoints/models/conflict_event.py),
    # its datetimes written in full; location_name names the country proposed.
    header = ("location_ref,location_code,location_name,admin1_ref,admin1_code,admin1_name,admin2_ref,admin2_code,"
              "admin2_name,resource_hdx_id,event_type,events,fatalities,reference_period_start,reference_period_end")
    path = hapi_file(ws / "api.csv", "5,SDN,Sudan,0,,,0,,,1b2c,political_violence,12,3,"
                     "2016-06-01T00:00:00,2016-06-30T23:59:59", header=header)
    result = run(sitrep_cli, ws, "import", "hapi", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("1 row read, HDX HAPI conflict events, admin 0 (the API's CSV)")
    figure = imported_figures(ws)["hapi-sdn-2016-06-conflict-fatalities"]
    assert figure.value == 3 and figure.as_of.text == "2016-06"


def test_an_idp_table_given_to_import_hapi_is_read_as_the_dtm_import_reads_it(ws, sitrep_cli):
    # HAPI's IDP table is DTM's figures: routed to the DTM import, which names the format it read.
    shutil.copy(FORMATS / "hapi-idps.csv", ws / "idps.csv")
    result = run(sitrep_cli, ws, "import", "hapi", ws / "idps.csv")
    assert result.exit_code == 0, result.stderr
    assert "HDX HAPI IDPs table" in result.stdout.splitlines()[0] and _count(result.stdout, "added") == 3
    assert {f.metric for f in imported_figures(ws).values()} == {"people_displaced"}
    write_dtm(ws / "dtm.csv", 1)  # and DTM's own API export, the same way
    result = run(sitrep_cli, ws, "import", "hapi", ws / "dtm.csv")
    assert result.exit_code == 0, result.stderr
    assert "IOM DTM API export" in result.stdout.splitlines()[0] and _count(result.stdout, "added") == 4


# --- What a row may hold -----------------------------------------------------------------------------

def test_identical_rows_are_counted_once_and_said(ws, sitrep_cli):
    row = f"{FALLUJA},civilian_targeting,3,5,2016-06-01,2016-06-30"
    result = run(sitrep_cli, ws, "import", "hapi", hapi_file(ws / "h.csv", row, row))
    assert result.exit_code == 0, result.stderr
    assert _count(result.stdout, "added") == 1
    assert ("set aside          1 row: the same area, period and event type reported again with the same numbers "
            "(counted once)") in result.stdout
    figure = imported_figures(ws)["hapi-iqg01q02-2016-06-civilians-killed"]
    assert figure.value == 5 and figure.imported.set_aside == [
        "row 3: the same area, period and event type reported again with the same numbers (counted once)"]


def test_a_revised_count_of_events_updates_the_figure(ws, sitrep_cli):
    path = hapi_file(ws / "h.csv", f"{FALLUJA},civilian_targeting,3,5,2016-06-01,2016-06-30")
    assert run(sitrep_cli, ws, "import", "hapi", path).exit_code == 0
    hapi_file(path, f"{FALLUJA},civilian_targeting,4,5,2016-06-01,2016-06-30")  # ACLED found one more event
    again = run(sitrep_cli, ws, "import", "hapi", path)
    assert _count(again.stdout, "updated") == 1 and _count(again.stdout, "unchanged") == 0
    figure = imported_figures(ws)["hapi-iqg01q02-2016-06-civilians-killed"]
    assert figure.note.startswith("4 events") and figure.imported.format == "HDX HAPI conflict events, admin 2 (HDX's CSV)"


def test_an_empty_fatalities_cell_is_never_a_zero(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "hapi", hapi_file(
        ws / "h.csv", f"{FALLUJA},civilian_targeting,3,,2016-06-01,2016-06-30",
        f"{FALLUJA},political_violence,4,2.0,2016-06-01,2016-06-30"))  # 2.0: a whole number as HDX's files may write it
    assert result.exit_code == 0, result.stderr
    assert "set aside          1 row: fatalities empty" in result.stdout
    assert [(f.metric, f.value) for f in imported_figures(ws).values()] == [("conflict_fatalities", 2)]


def test_a_row_hapi_marks_as_an_error_is_set_aside_and_its_warning_said(ws, sitrep_cli):
    header = (FORMATS / "hapi-conflict-global.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    ids = "3f0c9d2e-5b1a-4c7e-9a61-0d2b7e8f4a10,7c1e4b9a-2d3f-4e8a-b5c6-1a2b3c4d5e6f"
    path = hapi_file(ws / "h.csv", f"{FALLUJA},civilian_targeting,3,5,2016-06-01,2016-06-30,{ids},,negative value",
                     f"{FALLUJA},political_violence,4,9,2016-06-01,2016-06-30,{ids},partial month,", header=header)
    result = run(sitrep_cli, ws, "import", "hapi", path)
    assert result.exit_code == 0, result.stderr
    assert "set aside          1 row: HDX HAPI marks it as an error: negative value" in result.stdout
    assert ("assumed            1 row: HDX HAPI's warning on the row taken as no reason to leave it out: "
            "partial month") in result.stdout
    assert list(imported_figures(ws)) == ["hapi-iqg01q02-2016-06-conflict-fatalities"]


def test_a_period_without_an_end_is_taken_as_its_month_and_said(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "hapi", hapi_file(
        ws / "h.csv", f"{FALLUJA},civilian_targeting,3,5,2016-06-01T00:00:00,"))
    assert result.exit_code == 0, result.stderr
    assert "assumed            1 row: reference_period_end empty: taken as the end of the month" in result.stdout
    figure = imported_figures(ws)["hapi-iqg01q02-2016-06-civilians-killed"]
    assert figure.as_of.text == "2016-06" and figure.imported.assumptions[0].startswith("reference_period_end empty")


def test_period_text_says_a_month_a_year_a_day_or_a_span():
    from sitrep.exchange.hapi_import import period_text

    day = dt.date
    assert period_text(day(2024, 2, 1), day(2024, 2, 29)) == "2024-02"
    assert period_text(day(2024, 1, 1), day(2024, 12, 31)) == "2024"
    assert period_text(day(2024, 3, 5), day(2024, 3, 5)) == "2024-03-05"
    assert period_text(day(2024, 3, 1), day(2024, 3, 30)) == "2024-03-01/2024-03-30"


# --- Refused, in one readable message each --------------------------------------------------------------

def test_a_header_of_no_hapi_table_names_the_closest_and_what_it_lacks(ws, sitrep_cli):
    refugees = ("origin_location_code,origin_has_hrp,origin_in_gho,asylum_location_code,asylum_has_hrp,asylum_in_gho,"
                "population_group,gender,age_range,min_age,max_age,population,reference_period_start,"
                "reference_period_end")
    path = hapi_file(ws / "refugees.csv", "AFG,True,True,PAK,False,False,REF,all,ALL,,,100,2024-01-01,2024-12-31",
                     header=refugees)
    result = run(sitrep_cli, ws, "import", "hapi", path)
    message = assert_refused(result, str(path), 1, "the header fits no HDX HAPI table: the closest is")
    assert "HDX HAPI IDPs, and it lacks location_code, admin1_code" in message
    assert len([line for line in result.stderr.splitlines() if ": error: " in line]) == 1


def test_a_conflict_table_lacking_a_column_says_which(ws, sitrep_cli):
    path = hapi_file(ws / "h.csv", "IRQ,civilian_targeting,3,5,2016-06-01,2016-06-30",
                     header="location_code,event_type,events,fatalities,reference_period_start,reference_period_end")
    assert_refused(run(sitrep_cli, ws, "import", "hapi", path), str(path), 1,
                   "the closest is HDX HAPI conflict events, and it lacks admin1_code, admin1_name, admin2_code, "
                   "admin2_name")


def test_each_bad_cell_is_one_problem_at_its_row(ws, sitrep_cli):
    path = hapi_file(
        ws / "h.csv",
        f"{FALLUJA},civilian_targeting,3,5,2016-13-01,2016-06-30",  # row 2
        f"{FALLUJA},civilian_targeting,3,5,2500-01-01,2500-01-31",  # row 3: out of range, and not "after today" too
        f"{FALLUJA},riots,3,5,2016-06-01,2016-06-30",  # row 4
        f"{FALLUJA},civilian_targeting,three,many,2016-06-01,2016-06-30",  # row 5
        "IRQ,True,True,Anbar,Unspecified,IQG01,Al-Anbar,IQG01-XXX,Unspecified,2,civilian_targeting,1,1,2016-06-01,2016-06-30",
        f"{FALLUJA[:-1]}3,civilian_targeting,3,5,2016-06-01,2016-05-31",  # row 7
        f"{FALLUJA},political_violence,3,5,2190-01-01,2190-01-31")  # row 8: after the import's day
    result = run(sitrep_cli, ws, "import", "hapi", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    expected = ["h.csv:2: error: row 2: reference_period_start: '2016-13-01' is not a date",
                "h.csv:3: error: row 3: reference_period_start: '2500-01-01' is out of range",
                "h.csv:4: error: row 4: event_type: 'riots' is not an event type of HDX HAPI",
                "h.csv:5: error: row 5: events: 'three' is not a count",
                "h.csv:5: error: row 5: fatalities: 'many' is not a count",
                "h.csv:6: error: row 6: admin2_code: 'IQG01-XXX' names no area",
                "h.csv:6: error: row 6: admin2_name: 'Unspecified' names no area",
                "h.csv:7: error: row 7: admin_level: '3' is not an admin level",
                "h.csv:7: error: row 7: reference_period_end: '2016-05-31' is before the period's start",
                "h.csv:8: error: row 8: reference_period_start: '2190-01-01' is after today"]
    for text in expected:
        assert sum(line.startswith(f"{ws}/{text}") for line in errors) == 1, (text, result.stderr)
    assert len(errors) == len(expected), result.stderr
    assert not (ws / "bulk").exists()


def test_the_same_area_and_month_with_other_numbers_is_refused(ws, sitrep_cli):
    path = hapi_file(ws / "h.csv", f"{FALLUJA},civilian_targeting,3,5,2016-06-01,2016-06-30",
                     f"{FALLUJA},civilian_targeting,3,6,2016-06-01,2016-06-30")
    assert_refused(run(sitrep_cli, ws, "import", "hapi", path), str(path), 3,
                   "row 3: the same area, period and event type (civilian_targeting) as row 2, with other numbers")


def test_a_header_and_no_rows_is_refused(ws, sitrep_cli):
    path = hapi_file(ws / "h.csv")
    assert_refused(run(sitrep_cli, ws, "import", "hapi", path), str(path), None,
                   "the file holds a header and no rows")
