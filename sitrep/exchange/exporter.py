"""What every export format shares (docs/commands.md, "sitrep export"): the entries an export holds, each
with the report that brought it (Item); the edition's view of the store they are shown in
(Exporter: the store's own words, citations as the report shows them, a restricted route left
out of a public edition); and values and files as data.

Exports are deterministic: rows sorted by date then id, UTF-8 without a byte-order mark, `\\n`
line ends, keys in a fixed order, and nothing from the clock.

A CSV is safe to open in a spreadsheet (docs/exports.md, "Safe to open in a spreadsheet"): a
text cell that a spreadsheet would evaluate as a formula gets a leading `'` (spreadsheet_safe).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from typing import Iterable

from sitrep.exchange.places import Location, coded_country, country_of, locate
from sitrep.language import Language
from sitrep.pipeline import Workspace
from sitrep.report.citations import CitationIndex
from sitrep.report.timeline import Arrival
from sitrep.report.translation import Translator
from sitrep.source.bulk import acled_coding, acled_event_id
from sitrep.source.dates import IsoWeek
from sitrep.source.schema import Movement


@dataclass(frozen=True)
class Item:
    """One entry an export holds (a route update counts as its own) and the report that brought it."""

    week: IsoWeek
    arrival: Arrival

    @property
    def order(self) -> tuple:
        return (self.arrival.date.start, self.arrival.date.end, self.arrival.key)


class Exporter:
    """What every format's exporter starts from: one edition's view of the store. Each format
    (HxlExporter, AcledExporter, JsonExporter) turns the entries an export holds into its rows
    or objects."""

    def __init__(self, workspace: Workspace, edition: str):
        self.store = workspace.store
        self.config = workspace.config
        self.edition = edition
        self.country = country_of(self.config.region)
        # The store's own words: a translator "into" the store's language prints every original.
        self.translator = Translator(Language(self.config.store_language), self.config.store_language)
        self.citations = CitationIndex(self.store, edition, self.translator)  # for the CSVs' names and URLs
        self.coding: dict[str, dict[str, str]] = {}  # ACLED's own columns of the imported events (read_coding)

    def read_coding(self, items: Iterable[Item]) -> None:
        """ACLED's own coding of the imported events among `items` (bulk.acled_coding), read in one
        query: an imported event keeps the country ACLED coded, in every export."""
        records = [record for item in items if (record := acled_event_id(item.arrival.entry))]
        self.coding = acled_coding(self.store.bulk, records)

    def where(self, place_id: str, entry: object = None) -> Location:
        """Where the place is (places.locate), config.yaml's region the country only when its
        chain of parents has none; the place of an imported ACLED event in the country ACLED coded."""
        where = locate(self.store, place_id, self.country)
        coded = self.coding.get(acled_event_id(entry) or "") if entry is not None else None
        if coded and (country := coded_country(coded["iso"], coded["country"])):
            where = replace(where, country=country)
        return where

    def visible_route(self, movement: Movement) -> str | None:
        """The movement's route, unless the edition leaves it out (as the report does)."""
        if movement.route is None:
            return None
        route = self.store.routes[movement.route]
        return route.id if self.edition == "internal" or route.sensitivity == "public" else None


def number_text(number: float | int | None) -> str:
    """A number as data: 30000, 2.5 (never 30000.0, never '30,000')."""
    if number is None:
        return ""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number))


# What a spreadsheet (Excel, LibreOffice Calc, Google Sheets) may evaluate when a cell starts with
# it, after OWASP's CSV Injection guidance: = + - @, tab and carriage return; also line feed and
# NUL (OWASP ASVS 5.0, 1.2.10), and the full-width ＝ ＋ － ＠ that Excel reads as their ASCII forms.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A number as number_text and the coordinates write it (-3, 2.5, -43.7800, 1e-05): a spreadsheet
# reads it as that number and nothing more, so it stays a number.
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_RISKY_FIRST = frozenset(FORMULA_STARTS) | {" "}  # a cell starting otherwise needs no closer look


def spreadsheet_safe(cell: str) -> str:
    """The cell as text a spreadsheet shows and never runs: a cell that starts (after any
    spaces) with a character in FORMULA_STARTS, and is not a plain number, gets a leading `'`,
    which spreadsheets take as "this is text" and do not show."""
    if not cell or cell[0] not in _RISKY_FIRST:  # most cells: a letter or a digit first
        return cell
    if cell.lstrip(" ").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_bytes(headers: Iterable[str], hashtags: Iterable[str] | None, rows: list[dict[str, str]], *,
              raw_cells: bool = False) -> bytes:
    """A CSV as UTF-8 (no byte-order mark), '\\n' line ends: the header row, HXL's hashtag row
    when given, then the rows, each cell spreadsheet_safe unless `raw_cells` (for a program that
    reads the CSV, never a spreadsheet)."""
    headers = list(headers)
    cell = str if raw_cells else spreadsheet_safe
    buffer = io.StringIO()
    # The csv module quotes a field holding a character of its line terminator: told '\\n', it
    # would leave a bare carriage return unquoted, which spreadsheets and most readers take for
    # the end of the row (the rest of the cell then the next row's first cell). Told '\\r\\n',
    # it quotes both; each line's terminator is then made '\\n', as every export's is.
    writer = csv.writer(buffer, lineterminator="\r\n")

    def write(cells: list[str]) -> None:
        writer.writerow(cells)
        buffer.seek(buffer.tell() - 2)
        buffer.write("\n")
        buffer.truncate()

    write(headers)
    if hashtags is not None:
        write(list(hashtags))
    for row in rows:
        assert set(row) == set(headers), sorted(set(row) ^ set(headers))  # a column left out or misnamed is a bug
        write([cell(row[h]) for h in headers])
    return buffer.getvalue().encode("utf-8")


def json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
