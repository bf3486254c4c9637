"""What `sitrep import` reads of a file's text (issue 22): the CSV as RFC 4180 writes it, each
quoting mistake named by its row; and the cells' characters checked as the store's texts are
(source/texthygiene.py): a control character refuses the file by row and column, an invisible
character is a warning. Through the command line, as a user runs it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from support import acled_attacks, acled_file, assert_refused, copy_example, event_rows, generated_imports

IN_WEEK = dict(start=dt.date(2016, 6, 27), end=dt.date(2016, 7, 3))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    return workspace


def rows(n: int = 5) -> list[dict]:
    """ACLED rows whose texts need no quotes (no comma, quote or line break in any cell)."""
    found = [dict(row, notes=f"Plain note {i}") for i, row in enumerate(acled_attacks(n, 51, **IN_WEEK))]
    assert not any(ch in value for row in found for value in row.values() for ch in ',"\r\n')
    return found


def csv_text(records: list[dict]) -> str:
    from sitrep.exchange.acled import COLUMNS

    lines = [",".join(COLUMNS)] + [",".join(record.get(column, "") for column in COLUMNS) for record in records]
    return "\n".join(lines) + "\n"


def assert_not_imported(ws: Path, result) -> None:
    assert not (ws / "bulk/manifest.json").exists(), result.output
    assert "Traceback" not in result.output and "duckdb" not in result.output.lower(), result.output
    assert "sniff" not in result.output.lower() and "Invalid Input Error" not in result.output, result.output


# --- CSV quoting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line_break", ["\r", "\r\n", "\n"], ids=["bare-cr", "crlf", "lf"])
def test_a_line_break_inside_a_quoted_field_is_part_of_it(ws, sitrep_cli, line_break):
    records = rows()
    records[1]["notes"] = f"First part{line_break}second part"
    with (ws / "a.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    summaries = {record: summary for record, summary in event_rows(ws, "record, summary")}
    assert summaries[records[1]["event_id_cnty"]] == f"First part{line_break}second part"
    assert len(summaries) == 5


def test_a_bare_cr_in_a_field_not_quoted_is_a_line_break_named_by_its_row(ws, sitrep_cli):
    # Python's csv writer quotes a field holding a CR only when its line ends are CRs: an export
    # written with "\n" line ends leaves it bare, and the database refused that file with a
    # "sniffing" message of its own.
    records = rows()
    records[1]["notes"] = "First part\rsecond part"
    acled_file(ws / "a.csv", records)
    assert b'"' not in (ws / "a.csv").read_bytes() and b"\r" in (ws / "a.csv").read_bytes()
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 3, "row 3 has 28 fields (expected 31, one for each column of the header)",
                   "; a field that holds a comma or a line break must be quoted whole")
    assert_not_imported(ws, result)


def test_an_unterminated_quote_is_refused_at_the_row_where_it_opens(ws, sitrep_cli):
    text = csv_text(rows())
    lines = text.split("\n")
    lines[2] = lines[2].replace(",Plain note 1,", ',"Plain note 1,')  # row 3: its quote never closes
    (ws / "a.csv").write_text("\n".join(lines), encoding="utf-8")
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 3, "row 3: a quoted field opens on line 3 and its closing quote never comes")
    assert_not_imported(ws, result)


def test_a_quote_inside_a_field_not_quoted_whole_is_refused_at_its_row(ws, sitrep_cli):
    text = csv_text(rows()).split("\n")
    text[3] = text[3].replace(",Plain note 2,", ',"Plain" note 2,')  # row 4
    (ws / "a.csv").write_text("\n".join(text), encoding="utf-8")
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 4, "row 4: a quote in a field not quoted whole (from line 4)")
    assert_not_imported(ws, result)


def test_a_row_with_another_number_of_fields_is_refused_at_its_row(ws, sitrep_cli):
    text = csv_text(rows()).split("\n")
    text[4] += ",one too many"  # row 5
    (ws / "a.csv").write_text("\n".join(text), encoding="utf-8")
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 5, "row 5 has 32 fields (expected 31, one for each column of the header)")
    assert_not_imported(ws, result)


def test_text_that_is_not_utf8_is_refused_at_its_line(ws, sitrep_cli):
    text = csv_text(rows()).replace("Plain note 3", "Pl\u00e4in note 3")
    (ws / "a.csv").write_bytes(text.encode("latin-1"))
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 5, "not a CSV table that can be read: line 5 is not UTF-8 text")
    assert_not_imported(ws, result)


def test_a_header_naming_a_column_twice_is_refused(ws, sitrep_cli):
    text = csv_text(rows()).replace("notes,", "Notes,", 1).replace(",timestamp", ",notes", 1)
    (ws / "a.csv").write_text(text, encoding="utf-8")
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 1, "row 1: the header names notes more than once", "(expected each column once)")


# --- Control and invisible characters ------------------------------------------------------------

@pytest.mark.parametrize("column, value, shown", [
    ("notes", "Shots\x00 fired", "U+0000"),
    ("actor1", "Islamic State\x1b[2J (Iraq)", "U+001B"),
    ("location", "Village\x85 12", "U+0085"),
    ("source", "Shafaq\x07 News", "U+0007"),
], ids=["nul-in-notes", "esc-in-actor", "c1-in-location", "bell-in-source"])
def test_a_control_character_in_a_cell_refuses_the_file_by_row_and_column(ws, sitrep_cli, column, value, shown):
    records = rows()
    records[2][column] = value  # row 4
    acled_file(ws / "a.csv", records)
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 4, f"row 4: {column}: holds a control character {shown}",
                   "(expected printable text: a tab or a line break, but no other control character)")
    assert "\x1b" not in result.output and "\x00" not in result.output
    assert_not_imported(ws, result)


def test_a_control_character_in_a_dtm_cell_refuses_the_file(ws, sitrep_cli):
    generated_imports().write_dtm(ws / "round.csv", 1, seed=1)
    with (ws / "round.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    column = table[0].index("admin1Name")
    table[1][column] = "Nin\x1bewa"
    with (ws / "round.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    result = sitrep_cli("import", "dtm", "round.csv")
    assert_refused(result, "round.csv", 2, "row 2: admin1name: holds a control character U+001B")
    assert "\x1b" not in result.output


def test_an_invisible_character_in_a_cell_is_a_warning_by_row_and_column(ws, sitrep_cli):
    records = rows()
    records[0]["notes"] = "Shots fired \u202egnp.exe"  # row 2: a right-to-left override
    records[3]["actor1"] = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # row 5: a joiner between letters, as Persian writes
    acled_file(ws / "a.csv", records)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == ["a.csv:2: warning: row 2: notes: holds an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE), "
                        "which can reverse or hide text in the report; delete it from the file and import it again"]


def test_a_control_character_after_many_warned_cells_is_still_found(ws, sitrep_cli):
    # The rows with an invisible character (warnings) must not use up the rows read for
    # control characters (errors), nor joiners between letters the rows read for warnings.
    records = rows(60)
    for record in records[:45]:
        record["notes"] = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a joiner, as Persian writes: fine
    for record in records[45:55]:
        record["notes"] = "Shots fired \u202egnp.exe"
    records[58]["notes"] = "Shots\x00 fired"  # row 60
    acled_file(ws / "a.csv", records)
    result = sitrep_cli("import", "acled", "a.csv")
    assert_refused(result, "a.csv", 60, "row 60: notes: holds a control character U+0000")
    del records[58]
    acled_file(ws / "a.csv", records)
    result = sitrep_cli("import", "acled", "a.csv")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert [line.split(":")[1] for line in warned] == [str(row) for row in range(47, 57)], warned
