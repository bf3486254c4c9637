"""The HXL hashtag row HDX's files have (exchange/importfile.py): recognised in any dataset's file,
dropped from the data, its tags given to the dataset, rows numbered as a spreadsheet numbers
them; where it is not row 2 (a title above the header, or hashtags as the only header); and the
header as spreadsheets write it (a byte order mark, unnamed empty columns). Through the command
line, with the fixtures of tests/exchange/formats/ (see its README.md), and read_csv itself."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from support import REPO, acled_attacks, acled_file, assert_refused, event_rows, example_here

FORMATS = REPO / "tests/exchange/formats"
IN_WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    return example_here(tmp_path, monkeypatch)


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def lines_of(name: str) -> list[str]:
    return (FORMATS / name).read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- Row 2, as HDX writes it ------------------------------------------------------------------------

def test_hdxs_dtm_file_is_imported_without_its_hashtag_row(ws, sitrep_cli):
    shutil.copy(FORMATS / "dtm-hdx-admin1.csv", ws / "dtm.csv")
    result = sitrep_cli("import", "dtm", "dtm.csv")
    assert result.exit_code == 0, result.output
    assert "6 rows read" in result.stdout and not errors(result)
    from sitrep.pipeline import Workspace

    figures = {f.imported.record: f for f in Workspace.load(ws / "config.yaml").store.figures.values() if f.imported}
    assert len(figures) == 6
    assert figures["IQG01 2016-06-30"].value == 52610 and figures["IQG07 2016-05-31"].value == 17390


def test_an_acled_file_with_hdxs_hashtag_row_is_imported_and_a_note_starting_with_a_hash_is_data(ws, sitrep_cli):
    shutil.copy(FORMATS / "acled-hdx-hxl.csv", ws / "acled.csv")
    result = sitrep_cli("import", "acled", "acled.csv")
    assert result.exit_code == 0, result.output
    imported = dict(event_rows(ws, "record, event_date"))
    assert imported == {"IRQ90001": dt.date(2016, 6, 27), "IRQ90002": dt.date(2016, 6, 29),
                        "IRQ90003": dt.date(2016, 7, 2)}  # day first, as 29/06/2016 tells
    summaries = dict(event_rows(ws, "record, summary"))
    assert summaries["IRQ90002"].startswith("#Invented")


def test_a_bad_cell_under_a_hashtag_row_is_named_by_its_spreadsheet_row(ws, sitrep_cli):
    lines = lines_of("dtm-hdx-admin1.csv")
    lines[4] = lines[4].replace(",8820,", ",many,")  # the third data row: row 5
    write_lines(ws / "dtm.csv", lines)
    result = sitrep_cli("import", "dtm", "dtm.csv")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "dtm.csv", 5, "row 5: numpresentidpind: 'many' is not a count")


def test_a_row_of_another_width_under_a_hashtag_row_is_named_by_its_row(ws, sitrep_cli):
    lines = lines_of("acled-hdx-hxl.csv")
    lines[3] += ",extra"
    write_lines(ws / "acled.csv", lines)
    result = sitrep_cli("import", "acled", "acled.csv")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "acled.csv", 4, "row 4 has 32 fields", "31, one for each column of the header")
    lines[3] = lines[3].removesuffix(",extra")
    assert sitrep_cli("import", "acled", write_lines(ws / "acled.csv", lines)).exit_code == 0


# --- Elsewhere than row 2 ---------------------------------------------------------------------------

def test_rows_above_the_header_of_a_hashtag_row_are_a_title_said_and_not_read(ws, sitrep_cli):
    lines = lines_of("dtm-hdx-admin1.csv")
    write_lines(ws / "dtm.csv", ["IDPs by governorate (invented title)", "Source: IOM DTM,as downloaded", *lines])
    result = sitrep_cli("import", "dtm", "dtm.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "6 rows read" in result.stdout
    assert ("dtm.csv:1: warning: rows 1 to 2 above the header (row 3, over the HXL hashtag row 4) are not read, "
            "as a title") in result.stderr

    lines[2] = lines[2].replace(",41250,", ",-5,")  # the first data row: row 5 under the title
    write_lines(ws / "dtm.csv", ["IDPs by governorate (invented title)", "", *lines])
    result = sitrep_cli("import", "dtm", "dtm.csv")
    assert len(errors(result)) == 1, result.stderr
    assert_refused(result, "dtm.csv", 4, "row 4: numpresentidpind: '-5' is not a count")  # the blank line is no row


def _read(path: Path):
    import duckdb

    from sitrep.exchange.importfile import import_file, read_csv

    connection = duckdb.connect()
    source = import_file(path, path.parent)
    columns = read_csv(connection, source, "t")
    return columns, connection.execute("SELECT * FROM t ORDER BY _row").fetchall(), source


def test_hashtags_as_the_only_header_name_the_columns(tmp_path):
    path = write_lines(tmp_path / "h.csv", ["#adm1+name,#affected+idps+ind,#date+reported", "Al Anbar,120,2016-05-31"])
    columns, rows, _ = _read(path)
    assert list(columns) == ["#adm1+name", "#affected+idps+ind", "#date+reported"] and columns.hxl_row == 1
    assert rows == [(2, "Al Anbar", "120", "2016-05-31")]
    assert columns.tagged("#affected+idps") == "#affected+idps+ind"


def test_the_tags_are_given_to_the_dataset_by_column_and_matched_as_hxl_matches(tmp_path):
    lines = lines_of("dtm-hdx-admin1.csv")
    lines[1] = lines[1].replace("#adm1+name", "#adm1 +name +i_en")  # spaces and more attributes are allowed
    columns, rows, _ = _read(write_lines(tmp_path / "d.csv", lines))
    assert columns.hxl_row == 2 and rows[0][0] == 3  # the first data row is row 3
    assert columns.hashtags["admin1name"] == "#adm1+name+i_en"
    assert columns.tagged("#adm1+name") == "admin1name" and columns.tagged("#ADM1+NAME") == "admin1name"
    assert columns.tagged("#affected+idps") == "numpresentidpind"
    assert columns.tagged("#affected+refugees") is None and columns.tagged("#adm2+name") is None


def test_a_row_with_some_cells_that_are_not_hashtags_is_data(tmp_path):
    path = write_lines(tmp_path / "d.csv", ["a,b,c", "#x,#y,not a tag", "1,2,3"])
    columns, rows, _ = _read(path)
    assert columns.hxl_row is None and columns.hashtags == {} and rows[0] == (2, "#x", "#y", "not a tag")


# --- The header as spreadsheets write it --------------------------------------------------------------

def test_a_byte_order_mark_is_not_part_of_the_first_column(ws, sitrep_cli):
    acled_file(ws / "a.csv", [dict(r, sub_event_type="Attack") for r in acled_attacks(2, 71, **IN_WEEK)])
    (ws / "a.csv").write_bytes(b"\xef\xbb\xbf" + (ws / "a.csv").read_bytes())
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    assert len(event_rows(ws)) == 2 and "invisible" not in result.stderr


def test_empty_unnamed_columns_after_the_last_are_not_a_header_naming_a_column_twice(ws, sitrep_cli):
    acled_file(ws / "a.csv", [dict(r, sub_event_type="Attack") for r in acled_attacks(2, 72, **IN_WEEK)])
    lines = (ws / "a.csv").read_text(encoding="utf-8").splitlines()
    write_lines(ws / "a.csv", [line + ",,," for line in lines])  # as ACLED's 2016 export has them
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    assert len(event_rows(ws)) == 2
