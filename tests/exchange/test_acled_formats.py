"""Every ACLED export format since 2015 (tests/exchange/formats/README.md says where each comes
from), imported from the command line into a copy of the example workspace, then read back as a
user would: the summary, the events held, the week's report, `sitrep export acled`. And each stage
on its own: the header's format (acled_formats.detect), a row's country (country_codes)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from sitrep.exchange import acled_formats
from sitrep.exchange.importfile import ImportFile, ImportRefused
from support import REPO, copy_example, event_rows, generated_imports, import_count, without_progress

FORMATS = REPO / "tests/exchange/formats"
WEEK = "2016-W26"  # the example's latest report: 27 June - 3 July 2016, when the fixtures' events happen


@pytest.fixture
def ws(tmp_path):
    return copy_example(tmp_path / "ws")


def run(sitrep_cli, ws: Path, *args):
    return sitrep_cli(*args, "--config", ws / "config.yaml")


def imported(sitrep_cli, ws: Path, name: str) -> str:
    result = run(sitrep_cli, ws, "import", "acled", FORMATS / name)
    assert result.exit_code == 0, result.output
    return result.stdout


def held(ws: Path, columns: str) -> dict[str, tuple]:
    """The imported events' `columns` by ACLED event id."""
    return {row[0]: row[1:] for row in event_rows(ws, f"record, {columns}")}


# --- each format through the command line -------------------------------------------------------------

@pytest.mark.parametrize("name, fmt, added, left_out", [
    ("acled-current.csv", "ACLED export, current columns (2022 onwards), dyadic", 3, "Peaceful protest 1"),
    ("acled-2019.csv", "ACLED export, 2019–2021 columns (no disorder type, civilian targeting or tags), dyadic",
     2, "Peaceful protest 1"),
    ("acled-2018-lowercase.csv", "ACLED export, columns before 2019 (no sub-event type, disorder type, civilian "
     "targeting or tags), dyadic", 2, "Strategic development 1"),
    ("acled-pre2019.csv", "ACLED export, columns before 2019 (no sub-event type, disorder type, civilian "
     "targeting, tags or timestamp), dyadic", 4, "Riots/Protests 1"),
    ("acled-monadic.csv", "ACLED export, current columns (2022 onwards), monadic", 2, "Peaceful protest 1"),
])
def test_each_format_is_told_from_its_header_and_named_in_the_summary(ws, sitrep_cli, name, fmt, added, left_out):
    stdout = imported(sitrep_cli, ws, name)
    first = stdout.splitlines()[0]
    assert first.endswith(f"rows read, {fmt}"), first
    assert import_count(stdout, "added") == added
    assert left_out in stdout
    lines = {row[0]: row[1:] for row in event_rows(ws, "record, format")}
    assert {f for (f,) in lines.values()} == {fmt}  # carried on every event


def test_a_current_export_keeps_coded_civilians_apart_from_other_fatalities(ws, sitrep_cli):
    stdout = imported(sitrep_cli, ws, "acled-current.csv")
    events = held(ws, "killed, fatalities, assumptions, civilian_targeting")
    assert events["IRQ90001"][:2] == (2, 2)  # civilian targeting: civilians killed
    assert events["IRQ90002"][:2] == (None, 12)  # a clash: 12 fatalities, never civilians killed
    assert events["IRQ90001"][2] == [] and events["IRQ90002"][2] == []  # coded: nothing assumed
    assert "assumed            1 row: country outside the workspace's region IQ: Kenya" in stdout
    assert events["KEN90004"][2] == ["country outside the workspace's region IQ: Kenya"]


def test_each_row_lies_in_its_country_as_a_place_of_the_store_or_proposed(ws, sitrep_cli):
    imported(sitrep_cli, ws, "acled-current.csv")
    entries = json.loads(next((ws / "bulk").glob("tables-*/entries.json")).read_text())
    places = {p["id"]: p for p in entries["places"]}
    kenya = next(p for p in places.values() if p["kind"] == "country")
    assert (kenya["name"], kenya["pcode"], kenya.get("parent")) == ("Kenya", "KEN", None)
    place_of = dict(event_rows(ws, "record, place"))
    mandera = places[place_of["KEN90004"]]
    assert places[mandera["parent"]]["parent"] == kenya["id"]  # Mandera, in Mandera county, in Kenya
    # Iraq is the store's own country (facts/places.yaml: `iraq`, drawn at its centre): never proposed again.
    assert [p["name"] for p in places.values() if p["kind"] == "country"] == ["Kenya"]
    # ACLED's 'Al Anbar' is the store's Anbar governorate (under `iraq`): no second one proposed.
    assert not [p for p in places.values() if p["kind"] == "governorate" and "anbar" in p["name"].lower()]


def test_without_civilian_targeting_violence_against_civilians_is_inferred_and_other_fatalities_kept(ws, sitrep_cli):
    stdout = imported(sitrep_cli, ws, "acled-2019.csv")
    events = held(ws, "type, killed, fatalities, assumptions, civilian_targeting")
    strike, shooting = events["IRQ91001"], events["IRQ91002"]
    assert strike[:3] == ("air_strikes", None, 2)  # 2 fatalities, not 2 civilians killed
    assert shooting[:3] == ("attack_on_civilians", 3, 3)
    assert shooting[4] is None  # ACLED's coding kept as it was: no civilian_targeting column
    lacks = "the file gives no disorder type, civilian targeting or tags (ACLED export, 2019–2021 columns)"
    assert strike[3] == [lacks, "fatalities of unknown civilian status (the file has no civilian_targeting column)"]
    assert shooting[3][1].startswith("civilians targeted, as ACLED defines violence against civilians")
    assert f"assumed            2 rows: {lacks}" in stdout
    assert "assumed            1 row: fatalities of unknown civilian status" in stdout


def test_old_event_types_are_read_as_sitrep_types_and_said(ws, sitrep_cli):
    stdout = imported(sitrep_cli, ws, "acled-pre2019.csv")
    events = held(ws, "type, killed, fatalities, event_type, sub_event_type, timestamp, actor1, assoc_actor_1")
    assert {record: e[0] for record, e in events.items()} == {
        "92001IRQ": "military_operation", "92002IRQ": "attack_on_civilians", "92003IRQ": "military_operation",
        "92005IRQ": "change_of_control"}
    assert events["92001IRQ"][1:6] == (None, 5, "Remote violence", None, None)
    assert events["92002IRQ"][1:3] == (4, 4)  # violence against civilians: civilians killed, as ACLED defines it
    assert events["92003IRQ"][6:] == ("Military Forces of Iraq (2014-)", "Popular Mobilization Forces")  # ALLY_ACTOR_1
    assert "event type Remote violence read as military_operation (no sub-event type before 2019)" in stdout
    assert "assumed            4 rows: no ACLED timestamp: the row replaces only an event held without one" in stdout


def test_a_monadic_export_is_merged_into_one_event_per_pair_of_rows(ws, sitrep_cli):
    stdout = imported(sitrep_cli, ws, "acled-monadic.csv")
    assert stdout.splitlines()[0].startswith("ACLED import of") and "5 rows read" in stdout.splitlines()[0]
    assert ("set aside          2 rows: the second actor's row of an event in a monadic export, merged into the "
            "event's first row") in stdout
    events = held(ws, "actor1, inter1, actor2, inter2, killed, fatalities, set_aside")
    assert events["IRQ94001"][:6] == ("Military Forces of Iraq (2014-)", "State forces", "Civilians (Iraq)",
                                      "Civilians", 2, 2)
    assert events["IRQ94002"][2:6] == ("Islamic State (Iraq)", "Rebel group", None, 9)
    assert events["IRQ94002"][6] == ["row 5: the second actor's row of an event in a monadic export, merged into "
                                     "the event's first row"]


def _fixture_rows(name: str) -> list[list[str]]:
    return list(csv.reader((FORMATS / name).open(encoding="utf-8", newline="")))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def test_a_monadic_event_whose_rows_differ_is_refused_once_with_the_export_setting(ws, sitrep_cli, tmp_path):
    rows = _fixture_rows("acled-monadic.csv")
    rows[4][rows[0].index("fatalities")] = "8"  # the clash's second row: 8, not 9
    rows[2][rows[0].index("notes")] = "Another text."  # the strike's second row
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "m.csv", rows))
    errors = [line for line in without_progress(result.stderr).splitlines() if ": error: " in line]
    assert result.exit_code == 1 and len(errors) == 1, result.stderr
    assert "row 2: event IRQ94001 is on rows 2 and 3, which differ in notes (and 1 other events likewise)" in errors[0]
    assert "export_type=dyadic" in errors[0] and "export type 'dyadic'" in errors[0]
    assert "more than one row" not in result.stderr and "Traceback" not in result.stderr
    assert not (ws / "bulk").exists()


def test_a_monadic_event_on_three_rows_is_refused(ws, sitrep_cli, tmp_path):
    rows = _fixture_rows("acled-monadic.csv")
    rows.insert(3, rows[2])
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "m.csv", rows))
    assert result.exit_code == 1 and "event IRQ94001 is on 3 rows" in result.stderr and "dyadic" in result.stderr


def test_an_unknown_header_is_refused_once_naming_the_closest_format_and_what_it_lacks(ws, sitrep_cli, tmp_path):
    rows = [[cell for i, cell in enumerate(row) if _fixture_rows("acled-2019.csv")[0][i] not in ("timestamp", "notes")]
            for row in _fixture_rows("acled-2019.csv")]
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "x.csv", rows))
    errors = [line for line in without_progress(result.stderr).splitlines() if ": error: " in line]
    assert result.exit_code == 1 and len(errors) == 1 and "Traceback" not in result.stderr
    assert "x.csv:1: error: the header lacks notes, timestamp: the closest known format is the ACLED export, " \
           "2019–2021 columns" in errors[0]


def test_an_event_type_unknown_before_2019_is_refused_with_its_row(ws, sitrep_cli, tmp_path):
    rows = _fixture_rows("acled-pre2019.csv")
    rows[2][rows[0].index("EVENT_TYPE")] = "Battle-Something else"
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "old.csv", rows))
    assert result.exit_code == 1
    assert "row 3: event_type: 'Battle-Something else' is not one of ACLED's event types before 2019" in result.stderr


# --- merging: a file without timestamps -----------------------------------------------------------------

def test_a_row_without_timestamp_never_replaces_an_event_held_with_one(ws, sitrep_cli, tmp_path):
    current = _fixture_rows("acled-pre2019.csv")
    header = current[0]
    imported(sitrep_cli, ws, "acled-pre2019.csv")
    again = [header] + [row[:] for row in current[1:]]
    again[1][header.index("FATALITIES")] = "6"  # a correction, in another file without timestamps: it replaces
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "b.csv", again))
    assert result.exit_code == 0 and import_count(result.stdout, "updated") == 1
    assert held(ws, "fatalities")["92001IRQ"] == (6,)
    # The same event from an export with timestamps replaces it; an old file again does not.
    newer = _fixture_rows("acled-2019.csv")
    newer[1][newer[0].index("event_id_cnty")] = "92001IRQ"
    assert run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "c.csv", newer)).exit_code == 0
    assert held(ws, "fatalities, timestamp")["92001IRQ"] == (2, 1467936000)
    result = run(sitrep_cli, ws, "import", "acled", _write(tmp_path / "d.csv", again))
    assert result.exit_code == 0 and import_count(result.stdout, "older") == 1
    assert held(ws, "fatalities, timestamp")["92001IRQ"] == (2, 1467936000)


# --- the report and the export -------------------------------------------------------------------------

def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_the_report_words_uncoded_fatalities_as_what_they_are(ws, sitrep_cli):
    imported(sitrep_cli, ws, "acled-2019.csv")
    built = run(sitrep_cli, ws, "build", "--week", WEEK, "--format", "html")
    assert built.exit_code == 0, built.output
    out = ws / "output" / WEEK
    english = _text(next(p for p in out.glob("*.html") if not re.search(r"-(fr|ar)\.html$", p.name)))
    assert "Victims: 2 fatalities, civilian status not coded" in english
    assert "Victims: 3 killed" in english and "2 killed ACLED event IRQ91001" not in english
    assert "2 décès, statut civil non codé" in _text(next(out.glob("*-fr.html")))
    assert "دون ترميز الصفة المدنية" in _text(next(out.glob("*-ar.html")))


def test_a_file_before_2019_goes_back_out_as_acled_coded_it(ws, sitrep_cli, monkeypatch):
    imported(sitrep_cli, ws, "acled-pre2019.csv")
    monkeypatch.chdir(ws)
    result = sitrep_cli("export", "acled", "--week", WEEK)
    assert result.exit_code == 0, result.output
    rows = {r["event_id_cnty"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    remote = rows["92001IRQ"]
    assert (remote["event_date"], remote["event_type"], remote["sub_event_type"], remote["fatalities"],
            remote["timestamp"], remote["civilian_targeting"]) == ("2016-06-28", "Remote violence", "", "5", "", "")
    assert (remote["country"], remote["admin1"], remote["location"]) == ("Iraq", "Al Anbar", "Falluja")
    assert rows["92003IRQ"]["assoc_actor_1"] == "Popular Mobilization Forces"


# --- a bulk store written before these columns ----------------------------------------------------------

def _as_an_earlier_sitrep_wrote_it(sitrep_cli, ws: Path) -> Path:
    """The 2019 fixture imported, then its events table rewritten without the columns this change
    added (format, assumptions, set_aside), as a store of 3f118ed holds it."""
    imported(sitrep_cli, ws, "acled-2019.csv")
    table = next((ws / "bulk").glob("tables-*/events.parquet"))
    older = table.with_name("older.parquet")
    duckdb.sql(f"COPY (SELECT * EXCLUDE (format, assumptions, set_aside) FROM '{table}') TO '{older}' (FORMAT parquet)")
    shutil.move(older, table)
    return table


def test_a_bulk_store_written_before_format_and_assumptions_still_builds_and_imports(ws, sitrep_cli):
    table = _as_an_earlier_sitrep_wrote_it(sitrep_cli, ws)
    assert "format" not in {c for (c, *_) in duckdb.sql(f"DESCRIBE SELECT * FROM '{table}'").fetchall()}
    built = run(sitrep_cli, ws, "build", "--week", WEEK, "--format", "html")
    assert built.exit_code == 0, built.output
    assert "2 fatalities, civilian status not coded" in _text(next((ws / "output" / WEEK).glob("*W26.html")))
    again = run(sitrep_cli, ws, "import", "acled", FORMATS / "acled-2019.csv")
    assert again.exit_code == 0 and import_count(again.stdout, "updated") == 2  # now with format and assumptions


def test_a_dtm_import_into_a_bulk_store_of_an_earlier_sitrep_keeps_its_events(ws, sitrep_cli):
    _as_an_earlier_sitrep_wrote_it(sitrep_cli, ws)
    result = run(sitrep_cli, ws, "import", "dtm", generated_imports().write_dtm(ws / "dtm.csv", 1))
    assert result.exit_code == 0, result.output
    assert sorted(held(ws, "fatalities")) == ["IRQ91001", "IRQ91002"]


# --- the stages on their own ----------------------------------------------------------------------------

def _source(tmp_path: Path) -> ImportFile:
    return ImportFile(tmp_path / "f.csv", "f.csv", "0" * 64, "f.csv")


@pytest.mark.parametrize("name, key, monadic", [
    ("acled-current.csv", "current", False), ("acled-2019.csv", "2019", False),
    ("acled-2018-lowercase.csv", "pre2019", False), ("acled-pre2019.csv", "pre2019", False),
    ("acled-monadic.csv", "current", True),
])
def test_detect_tells_the_format_from_the_header_alone(tmp_path, name, key, monadic):
    header = [c.lower() for c in _fixture_rows(name)[0]]
    fmt = acled_formats.detect(_source(tmp_path), header)
    assert (fmt.key, fmt.monadic) == (key, monadic)


def test_detect_refuses_a_header_of_no_format(tmp_path):
    with pytest.raises(ImportRefused) as refused:
        acled_formats.detect(_source(tmp_path), ["event_id_cnty", "event_date", "sub_event_type"])
    [problem] = refused.value.problems
    assert "the closest known format is the ACLED export, 2019–2021 columns" in problem.message
    assert "time_precision" in problem.message and "timestamp" in problem.message


def test_country_codes_from_iso3_iso_numeric_or_name():
    assert acled_formats.country_codes("Kenya", "404", None) == ("KEN", "KE")
    assert acled_formats.country_codes("Iraq", "", "IRQ") == ("IRQ", "IQ")
    assert acled_formats.country_codes("Algeria", None, None) == ("DZA", "DZ")
    assert acled_formats.country_codes("Democratic Republic of Congo", "180", None) == ("COD", "CD")
    assert acled_formats.country_codes("Atlantis", "", None) == ("", "")


def test_a_curated_incidents_fatalities_are_checked_as_every_number_is(ws, sitrep_cli):
    (ws / "facts" / "zz-fatalities.yaml").write_text("""incidents:
  - id: zz-clash-2016-06-30
    type: military_operation
    date: 2016-06-30
    place: fallujah
    victims:
      fatalities: {low: 12}
    status: alleged
    summary: Invented for a test.
    cited: [{source: nbc-news}]
""", encoding="utf-8")
    result = run(sitrep_cli, ws, "check")
    assert result.exit_code == 1
    assert "zz-fatalities.yaml:7: error: [zz-clash-2016-06-30] the number is incomplete: 'high' is missing" \
        in result.stderr, result.stderr  # line 7: the fatalities
