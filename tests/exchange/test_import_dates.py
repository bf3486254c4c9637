"""Dates as people's files hold them (exchange/importdates.py): each style of an ACLED or DTM
file imported as its day, through the command line; the order of numeric dates decided for the
whole column, an undecidable column refused once and imported with --date-format; one problem
per bad cell; and the function itself on the cases a file rarely holds (two-digit years)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from support import acled_attacks, acled_file, assert_refused, event_rows, example_here, generated_imports

IN_WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))
DAY = dt.date(2016, 6, 29)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    return example_here(tmp_path, monkeypatch)


def attacks(dates: list[str], seed: int = 61) -> list[dict]:
    """ACLED rows, each an attack on civilians of the day's precision, dated as `dates` write it."""
    return [dict(row, event_date=date, time_precision="1")
            for row, date in zip(acled_attacks(len(dates), seed, **IN_WEEK), dates)]


def imported_days(ws: Path) -> dict[str, dt.date]:
    return dict(event_rows(ws, "record, event_date"))


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]


# --- Each style, as its day ----------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "2016-06-29T00:00:00",  # DTM's API, HDX
    "2016-06-29 00:00:00+00:00",  # HDX HAPI
    "29 Jun 2016",
    "29-Jun-16",  # a spreadsheet's
    "29-Jun-2016",
    "29 June 16",
    "20160629",
    "2016/06/29",
    "29-06-16",  # day first, two-digit year
    "29.06.2016",
    "06/29/2016",  # month first
    "6/29/2016",
])
def test_each_date_style_of_an_acled_file_is_imported_as_its_day(ws, sitrep_cli, written):
    rows = attacks([written, written])
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    assert set(imported_days(ws).values()) == {DAY}


@pytest.mark.parametrize("written, day", [
    ("31/05/2016", dt.date(2016, 5, 31)),
    ("31-May-16", dt.date(2016, 5, 31)),
    ("20160531", dt.date(2016, 5, 31)),
    ("05/31/2016", dt.date(2016, 5, 31)),
])
def test_each_date_style_of_a_dtm_file_is_imported_as_its_day(ws, sitrep_cli, written, day):
    generated_imports().write_dtm(ws / "dtm.csv", 1)
    with (ws / "dtm.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["reportingDate"] = written
    with (ws / "dtm.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = sitrep_cli("import", "dtm", "dtm.csv")
    assert result.exit_code == 0, result.output
    from sitrep.pipeline import Workspace

    figures = [f for f in Workspace.load(ws / "config.yaml").store.figures.values() if f.imported]
    assert len(figures) == 4 and {f.as_of.end for f in figures} == {day}


def test_a_date_style_the_column_mixes_with_others_is_read_cell_by_cell(ws, sitrep_cli):
    rows = attacks(["29 June 2016", "2016-06-29", "29/06/2016", "30-06-16", "20160629"])
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    assert sorted(imported_days(ws).values()) == [DAY, DAY, DAY, DAY, dt.date(2016, 6, 30)]


# --- The order of numeric dates ------------------------------------------------------------------

def test_a_column_no_date_of_which_tells_the_order_is_refused_once_then_imported_with_the_option(ws, sitrep_cli):
    rows = attacks(["01/07/2016", "02/07/2016", "03/07/2016", "01/07/2016"])
    acled_file(ws / "a.csv", rows)
    refused = sitrep_cli("import", "acled", "a.csv")
    assert len(errors(refused)) == 1, refused.stderr
    assert_refused(refused, "a.csv", 2, "row 2: event_date: '01/07/2016' may be day first or month first",
                   "(1 July or 7 January)", "--date-format day-first (31/12/2019) or month-first (12/31/2019)")
    assert not (ws / "bulk/manifest.json").exists()

    day_first = sitrep_cli("import", "acled", "a.csv", "--date-format", "day-first", "--dry-run")
    assert day_first.exit_code == 0, day_first.output
    month_first = sitrep_cli("import", "acled", "a.csv", "--date-format", "month-first")
    assert month_first.exit_code == 0, month_first.output
    assert sorted(set(imported_days(ws).values())) == [dt.date(2016, 1, 7), dt.date(2016, 2, 7), dt.date(2016, 3, 7)]
    pattern = sitrep_cli("import", "acled", "a.csv", "--date-format", "%d/%m/%Y")
    assert pattern.exit_code == 0, pattern.output
    assert sorted(set(imported_days(ws).values())) == [dt.date(2016, 7, 1), dt.date(2016, 7, 2), dt.date(2016, 7, 3)]


def test_one_date_over_12_decides_the_whole_column(ws, sitrep_cli):
    rows = attacks(["07/01/2016", "12/31/2015"])  # month first: 31 is no month
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    assert imported_days(ws)[rows[0]["event_id_cnty"]] == dt.date(2016, 7, 1)


def test_a_column_with_both_orders_is_refused_once_naming_a_cell_of_each(ws, sitrep_cli):
    rows = attacks(["28/06/2016", "2016-06-29", "06/30/2016", "01/07/2016"])
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "a.csv", 4, "event_date: the column has dates day first (row 2: '28/06/2016') and month "
                   "first (row 4: '06/30/2016')", "one order for the whole column")


def test_a_stated_order_makes_a_date_of_the_other_order_a_bad_cell(ws, sitrep_cli):
    rows = attacks(["06/30/2016", "28/06/2016"])
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv", "--date-format", "month-first")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "a.csv", 3, "event_date: '28/06/2016' is not a date",
                   "a date as --date-format month-first says")


# --- One problem per bad cell --------------------------------------------------------------------

def test_each_bad_date_is_one_problem_the_first_that_applies(ws, sitrep_cli):
    rows = attacks(["2016-06-29", "last week", "2016-13-01", "31 Juny 2016", "1700-01-01", "2106-06-01", "", "29-Jun-16"])
    rows[2]["latitude"] = "north"  # another column's problem on a bad date's row: both said
    acled_file(ws / "a.csv", rows)
    result = sitrep_cli("import", "acled", "a.csv")
    dates = [line for line in errors(result) if "event_date" in line]
    assert [line.split(": error: ")[1].split(" (expected")[0] for line in dates] == [
        "row 3: event_date: 'last week' is not a date",
        "row 4: event_date: '2016-13-01' is not a date",
        "row 5: event_date: '31 Juny 2016' is not a date",
        "row 6: event_date: '1700-01-01' is out of range",
        "row 7: event_date: '2106-06-01' is after today",
        "row 8: event_date: (empty) is not a date",
    ], result.stderr
    assert "(expected a date such as 2020-05-09, 9 May 2020, 9-May-20, 20200509 or 09/05/2020)" in dates[0]
    assert "(expected the date of an event that has happened)" in dates[4]
    assert len(errors(result)) == 7 and "row 4: latitude: 'north' is not a latitude" in result.stderr


def test_a_bad_dtm_date_is_one_problem(ws, sitrep_cli):
    generated_imports().write_dtm(ws / "dtm.csv", 1)
    lines = (ws / "dtm.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2016-05-31T00:00:00", "31 Mai 2016")
    (ws / "dtm.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = sitrep_cli("import", "dtm", "dtm.csv")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "dtm.csv", 4, "row 4: reportingdate: '31 Mai 2016' is not a date")


# --- --date-format --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("sometimes", "--date-format: 'sometimes' is not a date format (expected day-first, month-first, or a pattern "
                  "such as %d/%m/%Y)"),
    ("%d/%Q/%Y", "--date-format: '%d/%Q/%Y' is not a date format (%Q is not a date directive)"),
    ("%d/%m", "--date-format: '%d/%m' does not name a year, a month and a day"),
])
def test_a_date_format_that_is_none_is_a_usage_error(ws, sitrep_cli, value, message):
    acled_file(ws / "a.csv", attacks(["2016-06-29"]))
    result = sitrep_cli("import", "acled", "a.csv", "--date-format", value)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert result.stderr.startswith(f"sitrep import: error: {message}"), result.stderr


def test_the_import_help_names_the_option(sitrep_cli):
    result = sitrep_cli("import", "--help")
    assert "--date-format" in result.stdout and "day-first" in result.stdout


# --- The function itself ---------------------------------------------------------------------------

def _dates(cells: list[str], **options) -> list[dt.date | None]:
    import duckdb

    from sitrep.exchange.importdates import column_dates
    from sitrep.exchange.importfile import ImportFile

    connection = duckdb.connect()
    connection.execute("CREATE TABLE t AS SELECT row_number() OVER () + 1 AS _row, c FROM "
                       "(SELECT unnest(?::VARCHAR[]) AS c)", [cells])
    source = ImportFile(Path("t.csv"), "t.csv", "0" * 64, "t.csv")
    expression = column_dates(connection, source, "t", "c", today=dt.date(2026, 12, 1), expected="a date", **options)
    return [day for (day,) in connection.execute(f"SELECT {expression} FROM t ORDER BY _row").fetchall()]


def test_two_digit_years_are_read_as_posix_reads_them():
    problems = []
    assert _dates(["9-May-97", "9-May-20", "31-12-69", "1-1-00", "9 May 68"], problems=problems) == [
        dt.date(1997, 5, 9), dt.date(2020, 5, 9), dt.date(1969, 12, 31), dt.date(2000, 1, 1), dt.date(2068, 5, 9)]
    assert [p.message for p in problems] == ["row 6: c: '9 May 68' is after today"]  # 2068, never 1968


def test_a_column_whose_numeric_dates_read_the_same_either_way_needs_no_option():
    assert _dates(["5/5/2020", "1/1/2020", "2020-05-09"]) == [dt.date(2020, 5, 5), dt.date(2020, 1, 1), dt.date(2020, 5, 9)]


def test_bad_cells_are_given_to_the_caller_when_it_asks():
    problems = []
    assert _dates(["2020-05-09", "soon"], problems=problems) == [dt.date(2020, 5, 9), None]
    assert [str(p) for p in problems] == ["t.csv:3: error: row 3: c: 'soon' is not a date (expected a date such as "
                                          "2020-05-09, 9 May 2020, 9-May-20, 20200509 or 09/05/2020)"]


def test_date_format_reads_the_options_values():
    from sitrep.exchange.importdates import date_format

    assert date_format(None) is None
    assert date_format(" Day-First ") == "day-first" and date_format("month-first") == "month-first"
    assert date_format("%d.%m.%y") == "%d.%m.%y" and date_format("%Y%j") == "%Y%j"
    with pytest.raises(ValueError, match="does not name a year"):
        date_format("%m/%Y")
