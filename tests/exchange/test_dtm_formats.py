"""`sitrep import dtm`: IOM DTM's files as IOM, HDX and HDX HAPI publish them (the invented
copies of their real formats in tests/exchange/formats/), imported from the command line and
read back as a user would; and each stage directly: the format told from the header, the rule
that keeps one report of an area and date."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import copy_example
from support import import_count as _count

FORMATS = Path(__file__).parent / "formats"
WEEK = "2016-W26"  # the example's latest report, which holds 30 June 2016


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def run(sitrep_cli, ws: Path, *args):
    return sitrep_cli(*args, "--config", ws / "config.yaml")


def imported(sitrep_cli, ws: Path, name: str):
    """Import a copy of the fixture `name` (its place in the workspace, as a user's download)."""
    shutil.copy(FORMATS / name, ws / name)
    result = run(sitrep_cli, ws, "import", "dtm", ws / name)
    assert result.exit_code == 0, result.stderr
    return result


def figures(ws: Path) -> dict:
    from sitrep.pipeline import Workspace

    return {f.id: f for f in Workspace.load(ws / "config.yaml").store.figures.values() if f.imported}


def store(ws: Path):
    from sitrep.pipeline import Workspace

    return Workspace.load(ws / "config.yaml").store


# --- Each format, through the command line --------------------------------------------------------

@pytest.mark.parametrize("name, described, rows, added", [
    ("dtm-hdx-admin0-2.csv", "IOM DTM via HDX, admin 0–2, with HXL row", 17, 8),
    ("dtm-hdx-admin1-2024.csv", "IOM DTM via HDX, admin 1, with HXL row", 4, 3),
    ("dtm-api-v3-admin2.csv", "IOM DTM API export, admin 2", 5, 3),
    ("hapi-idps.csv", "HDX HAPI IDPs table, admin 0, 2", 6, 3),
    ("hapi-idps-hxl.csv", "HDX HAPI IDPs table, admin 1, with HXL row", 3, 2),
])
def test_each_format_is_told_from_its_header_and_named(ws, sitrep_cli, name, described, rows, added):
    result = imported(sitrep_cli, ws, name)
    first = result.stdout.splitlines()[0]
    assert first.endswith(f": {rows} rows read, {described}"), first
    assert _count(result.stdout, "added") == added
    held = figures(ws)
    assert len(held) == added and {f.imported.format for f in held.values()} == {described}
    again = run(sitrep_cli, ws, "import", "dtm", ws / name)  # the same file again changes nothing
    assert _count(again.stdout, "unchanged") == added and _count(again.stdout, "added") == 0


def test_a_district_reported_by_baseline_and_site_assessment_is_counted_once(ws, sitrep_cli):
    """The issue's case: 61,828 by BA and by SA is 61,828, in the figure, the PDF and the HXL export."""
    result = imported(sitrep_cli, ws, "dtm-hdx-admin0-2.csv")
    assert ("  set aside          4 rows: a site assessment (SA) of an area and date that a baseline assessment "
            "(BA) reports (a baseline counts the whole area's IDPs)") in result.stdout.splitlines()
    falluja = figures(ws)["dtm-irq-g01q01-20160630"]
    assert falluja.value == 61828
    assert falluja.imported.set_aside == ["SA, round 50, row 9: 61,828, the same count"]

    built = run(sitrep_cli, ws, "build", "--week", WEEK, "--language", "en", "--format", "pdf")
    assert built.exit_code == 0, built.stderr
    text = " ".join(page.extract_text() for page in PdfReader(next((ws / "output" / WEEK).glob("*.pdf"))).pages)
    assert "61,828" in text and "123,656" not in text
    exported = run(sitrep_cli, ws, "export", "hxl", "--kind", "figures", "--week", WEEK)
    rows = [row for row in csv.reader(exported.stdout.splitlines()) if "dtm-irq-g01q01-20160630" in row]
    assert len(rows) == 1 and "61828" in rows[0] and "123656" not in exported.stdout


def test_only_genuine_splits_are_added_up_and_each_rule_is_said(ws, sitrep_cli):
    result = imported(sitrep_cli, ws, "dtm-hdx-admin0-2.csv")
    lines = result.stdout.splitlines()
    assert "  set aside          1 row: an earlier round of an area and date that a later round reports" in lines
    assert ("  set aside          1 row: a repeat of another row (the same area, date, assessment, round, reason "
            "and origin)") in lines
    assert ("  assumed            4 rows: rows of one assessment and round, split by displacement reason or origin, "
            "added up") in lines
    assert ("  assumed            2 rows: IDPs of two or more operations (crises) in one area and date, "
            "added up") in lines
    assert "  assumed            2 rows: country outside the workspace's region IQ: Chad" in lines
    held = figures(ws)
    ramadi = held["dtm-irq-g01q03-20160630"]  # BA by reason added up; the SA's 9,000 not
    assert ramadi.value == 21500
    assert ramadi.imported.assumptions == ["2 rows of BA, round 50 by displacement reason or origin added up: "
                                           "Conflict: 20,000; Other reason: 1,500"]
    assert ramadi.imported.set_aside == ["SA, round 50, row 12: 9,000, where BA, round 50 counts 21,500"]
    assert held["dtm-irq-g01q04-20160630"].value == 5400  # the latest round, not 5,000 + 5,400
    assert held["dtm-irq-g01q04-20160630"].imported.set_aside == ["BA, round 49, row 13: 5,000, where BA, "
                                                                  "round 50 counts 5,400"]
    assert held["dtm-irq-g01q02-20160630"].value == 3300  # a row repeated is one row
    assert held["dtm-irq-g01q02-20160630"].imported.set_aside == ["row 16: 3,300, a repeat of row 15"]
    chad = held["dtm-tcd-20160630"]  # two crises' IDPs in one country
    assert chad.value == 85300 and "IDPs of 2 operations added up: Lake Chad Basin Crisis: 81,200; " \
                                   "Floods (2016): 4,100" in chad.imported.assumptions
    assert "country outside the workspace's region IQ: Chad" in chad.imported.assumptions
    assert held["dtm-irq-20160630"].value == 3148550  # the country's BA, by reason; its SA set aside
    assert held["dtm-irq-g01q01-20160531"].value == 58100  # another date is another report


def test_admin_levels_0_1_2_are_a_country_its_region_and_a_district(ws, sitrep_cli):
    imported(sitrep_cli, ws, "dtm-hdx-admin0-2.csv")
    held, places = figures(ws), store(ws).places
    assert places[held["dtm-irq-20160630"].place].kind == "country"
    region = places[held["dtm-irq-g01-20160630"].place]
    assert region.kind == "governorate" and places[region.parent].kind == "country"
    district = places[held["dtm-irq-g01q01-20160630"].place]
    assert district.kind == "district" and district.parent == region.id
    chad = places[held["dtm-tcd-20160630"].place]
    assert chad.kind == "country" and chad.pcode == "TCD" and chad.name == "Chad"


def test_hapi_idps_table_keeps_its_warnings_and_sets_aside_its_errors(ws, sitrep_cli):
    result = imported(sitrep_cli, ws, "hapi-idps.csv")  # with a byte order mark before its header
    lines = result.stdout.splitlines()
    assert "  set aside          1 row: a row HDX HAPI marks with an error" in lines
    held = figures(ws)
    assert set(held) == {"hapi-idps-irq-20160630", "hapi-idps-iqg01q02-20160630", "hapi-idps-tcd0704-20160630"}
    fouli = held["hapi-idps-tcd0704-20160630"]
    assert fouli.imported.dataset == "hapi" and fouli.value == 21300
    assert ("HDX HAPI's warning on the row, kept as HAPI gives it: PCode length TD0704->TCD0704|PCode length "
            "TD07->TCD07") in fouli.imported.assumptions
    assert "country outside the workspace's region IQ: Chad" in fouli.imported.assumptions  # named from its code
    assert held["hapi-idps-iqg01q02-20160630"].value == 61828


def test_hapi_reference_period_end_is_the_date_and_said(ws, sitrep_cli):
    imported(sitrep_cli, ws, "hapi-idps-hxl.csv")
    baghdad = figures(ws)["hapi-idps-iqg07-20160630"]
    assert baghdad.as_of.text == "2016-06-30"
    assert baghdad.imported.assumptions == ["the end of the reference period 2016-06-01 – 2016-06-30 taken as the "
                                            "count's date"]


def test_trace_shows_the_format_assumptions_and_rows_set_aside(ws, sitrep_cli):
    imported(sitrep_cli, ws, "dtm-hdx-admin0-2.csv")
    result = run(sitrep_cli, ws, "trace", "dtm-irq-g01q03-20160630")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "dtm-irq-g01q03-20160630: figure, imported by `sitrep import` (bulk/)"
    place = figures(ws)["dtm-irq-g01q03-20160630"].place
    assert f"  people_displaced at {place}: 21,500 people, as of 2016-06-30" in lines
    assert "  format: IOM DTM via HDX, admin 0–2, with HXL row" in lines
    assert ("  assumed: 2 rows of BA, round 50 by displacement reason or origin added up: Conflict: 20,000; "
            "Other reason: 1,500") in lines
    assert "  set aside, not counted: SA, round 50, row 12: 9,000, where BA, round 50 counts 21,500" in lines
    assert any(line.startswith("  It enters report No. ") and f"({WEEK}," in line for line in lines)


# --- Files refused: one message each, with its row ----------------------------------------------

def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fixture_lines(name: str) -> list[str]:
    return (FORMATS / name).read_text(encoding="utf-8-sig").splitlines()


def test_a_header_of_no_known_format_names_the_closest_and_what_it_lacks(ws, sitrep_cli):
    lines = fixture_lines("dtm-api-v3-admin2.csv")
    lines[0] = lines[0].replace("numPresentIdpInd", "idps").replace("reportingDate", "date")
    result = run(sitrep_cli, ws, "import", "dtm", write(ws / "d.csv", lines))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{ws / 'd.csv'}:1: error: the header fits no DTM format sitrep reads: it lacks numpresentidpind "
                      "and reportingdate of IOM DTM API export, the closest (expected the columns of IOM DTM API "
                      "export: admin0name, admin0pcode, numpresentidpind, reportingdate (docs/imports.md, \"From "
                      "IOM DTM\")); a location-level master list is not read: download DTM's IDPs by admin area "
                      "(admin 0, 1 or 2)"]


def test_an_admin1_row_without_pcode_or_name_is_refused_with_its_row(ws, sitrep_cli):
    lines = fixture_lines("dtm-hdx-admin0-2.csv")
    lines[5] = lines[5].replace("Al-Anbar,IRQ-G01", ",")  # row 6: an admin 1 row naming no region
    result = run(sitrep_cli, ws, "import", "dtm", write(ws / "d.csv", lines))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert (f"d.csv:6: error: row 6: admin1pcode: is empty, and so is the area's name (an admin 1 row) (expected the "
            "governorate's or province's P-code or name)") in result.stderr
    assert result.stderr.count(": error: ") == 1


def test_a_bad_date_is_one_problem_not_three(ws, sitrep_cli):
    lines = fixture_lines("dtm-api-v3-admin2.csv")
    lines[2] = lines[2].replace("2016-06-30T00:00:00", "31-06-2016")
    result = run(sitrep_cli, ws, "import", "dtm", write(ws / "d.csv", lines))
    assert result.exit_code == 1
    assert result.stderr.count(": error: ") == 1
    assert "d.csv:3: error: row 3: reportingdate: '31-06-2016' is not a date" in result.stderr


def test_a_level_that_is_not_one_is_refused(ws, sitrep_cli):
    lines = fixture_lines("dtm-hdx-admin0-2.csv")
    lines[2] = lines[2].replace(",,,,0,", ",,,,3,")
    result = run(sitrep_cli, ws, "import", "dtm", write(ws / "d.csv", lines))
    assert result.exit_code == 1 and result.stderr.count(": error: ") == 1
    assert "d.csv:3: error: row 3: adminlevel: '3' is not an admin level" in result.stderr


def test_a_hashtag_row_alone_is_a_file_with_no_rows(ws, sitrep_cli):
    result = run(sitrep_cli, ws, "import", "dtm", write(ws / "d.csv", fixture_lines("dtm-hdx-admin1-2024.csv")[:2]))
    assert result.exit_code == 1 and "the file holds a header and no rows" in result.stderr


# --- The stages, directly ---------------------------------------------------------------------

def test_formats_are_detected_from_the_header_only():
    from sitrep.exchange.dtm_formats import FORMATS as KNOWN, detect, title
    from sitrep.exchange.importfile import ImportFile

    source = ImportFile(Path("hapi-idps.csv"), "dtm.csv", "0" * 64, "dtm.csv")  # the name says nothing
    header = [c.lower() for c in fixture_lines("hapi-idps.csv")[0].split(",")]
    assert detect(source, header).key == "hapi-idps"
    assert detect(source, [c.lower() for c in fixture_lines("dtm-api-v3-admin2.csv")[0].split(",")]).key == "dtm"
    dtm = next(f for f in KNOWN if f.key == "dtm")
    assert title(dtm, [0, 1, 2], True) == "IOM DTM via HDX, admin 0–2, with HXL row"
    assert title(dtm, [2], False) == "IOM DTM API export, admin 2"
    assert title(dtm, [0, 2], False) == "IOM DTM API export, admin 0, 2"


def _report(row, people, assessment="BA", round_=1, reason=None, operation="Op", day=dt.date(2016, 6, 30)):
    from sitrep.exchange.dtm_reports import Report

    return Report(row, 2, "IRQ", "Iraq", "Al-Anbar", "IRQ-G01", "Al-Falluja", "IRQ-G01Q01", day, people, operation,
                  assessment, round_, reason, None, None)


def test_the_rule_prefers_baseline_then_the_latest_round_and_adds_only_splits():
    from sitrep.exchange.dtm_reports import areas_of

    areas, set_aside, assumed = areas_of([
        _report(3, 100, "SA", 2), _report(4, 60, "BA", 1, "Conflict"), _report(5, 40, "BA", 1, "Other"),
        _report(6, 50, "BA", 0), _report(7, 7, "XX", 3), _report(8, 10, "BA", 1, operation="Second"),
    ], "IRQ", "IQ")
    [area] = areas
    assert area.people == 60 + 40 + 10  # BA round 1 by reason, and the second operation's BA
    assert [r.row for r in area.kept] == [4, 5, 8]
    assert set_aside == {
        "a site assessment (SA) of an area and date that a baseline assessment (BA) reports "
        "(a baseline counts the whole area's IDPs)": 1,
        "an earlier round of an area and date that a later round reports": 1,
        "an assessment of type 'XX' of an area and date that a baseline assessment (BA) reports "
        "(a baseline counts the whole area's IDPs)": 1}
    assert area.set_aside == ["BA, round 0, row 6: 50, where BA, round 1 counts 100",
                              "SA, round 2, row 3: 100, the same count", "XX, round 3, row 7: 7, where BA, round 1 "
                              "counts 100"]
    assert "country outside" not in " ".join(assumed)  # Iraq is the workspace's region


def test_a_hapi_idps_file_never_drops_another_hapi_tables_figures():
    """--drop-missing with HAPI's IDP table drops the IDP figures it no longer has, never the
    figures HAPI's conflict-event table brought (the same dataset, another table)."""
    from sitrep.exchange.area_figures import merge_figures
    from sitrep.source.schema import Figure

    def figure(figure_id: str, metric: str = "people_displaced") -> Figure:
        return Figure.model_validate({
            "id": figure_id, "metric": metric, "place": "fallujah", "as_of": "2016-06-30", "value": 1,
            "unit": "people", "cited": [{"source": "iom-dtm"}],
            "imported": {"dataset": "hapi", "record": figure_id, "file": "h.csv", "sha256": "0" * 64,
                         "on": "2026-12-07"}})

    held = [figure("hapi-irq-2016-06-civilians_killed", "civilians_killed"), figure("hapi-idps-irq-20160531")]
    merged, counts = merge_figures(held, {"hapi-idps-irq-20160630": figure("hapi-idps-irq-20160630")}, "hapi", True,
                                   table="hapi-idps-")
    assert counts["dropped"] == 1
    assert {f.id for f in merged} == {"hapi-irq-2016-06-civilians_killed", "hapi-idps-irq-20160630"}
