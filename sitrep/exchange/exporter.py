"""What every export format shares (docs/commands.md, "sitrep export"): the entries an export holds, each
with the report that brought it (Item); the edition's view of the store they are shown in
(Exporter: the store's own words, citations as the report shows them, a restricted route left
out of a public edition); and values and files as data.

Exports are deterministic: rows sorted by date then id, UTF-8 without a byte-order mark, `\\n`
line ends, keys in a fixed order, and nothing from the clock.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Iterable

from sitrep.exchange.places import country_of
from sitrep.language import Language
from sitrep.pipeline import Workspace
from sitrep.report.citations import CitationIndex
from sitrep.report.timeline import Arrival
from sitrep.report.translation import Translator
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


def csv_bytes(headers: Iterable[str], hashtags: Iterable[str] | None, rows: list[dict[str, str]]) -> bytes:
    """A CSV as UTF-8 (no byte-order mark), '\\n' line ends: the header row, HXL's hashtag row
    when given, then the rows."""
    headers = list(headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    if hashtags is not None:
        writer.writerow(hashtags)
    for row in rows:
        assert set(row) == set(headers), sorted(set(row) ^ set(headers))  # a column left out or misnamed is a bug
        writer.writerow([row[h] for h in headers])
    return buffer.getvalue().encode("utf-8")


def json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
