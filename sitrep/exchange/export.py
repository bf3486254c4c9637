"""`sitrep export`: what a report brings, as data other tools read (docs/commands.md, "sitrep export").

- **hxl**: HXL-tagged CSV, one table per kind (hxl_export.py);
- **acled**: ACLED's columns, one row per incident (acled_export.py);
- **json**: one object per report, shaped as ReliefWeb's (json_export.py).

Selection goes through the series, as the report does, so that an export holds what its report
held, what was known by its date: `--week` exports the entries that report brings
(`Series.arrived_in`), `--all` those of every report of the series. Imported events (ACLED rows)
arrive there as ordinary incidents, so they are exported with the curated ones. Areas and the
narrative are not exported.

Editions: a public export is made from the public series (no restricted entry arrives in it),
and a citation of a withheld source shows only what the report shows of it (CitationIndex): its
public name and grades, never its id, name, URL, date or note.

What the formats share (the entries an export holds, the edition's view of the store, values and
files as data) is exporter.py's; where a place is, places.py's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sitrep.errors import OutputError, Problem, SitrepError, display_path
from sitrep.exchange import acled
from sitrep.exchange.acled_export import AcledExporter
from sitrep.exchange.exporter import Item, csv_bytes, json_bytes
from sitrep.exchange.hxl_export import HxlExporter
from sitrep.exchange.json_export import JsonExporter
from sitrep.output import write_atomic
from sitrep.pipeline import Workspace

FORMATS = ("hxl", "acled", "json")
KINDS = ("incidents", "figures", "routes", "movements")  # the HXL tables, in this order
EDITIONS = ("public", "internal")
SUFFIXES = {"hxl": ".csv", "acled": ".csv", "json": ".json"}


class ExportError(SitrepError):
    """An export asked for something that does not exist (a format, a kind, an edition)."""


@dataclass(frozen=True)
class Export:
    """What an export made: each table's bytes by name, in order ('incidents', 'acled', 'report')."""

    format: str
    edition: str
    tables: dict[str, bytes]

    def file_name(self, name: str) -> str:
        """The name a table gets in an output folder: incidents.csv; an internal edition's
        incidents-internal.csv, so that publishing a folder without *internal* publishes none."""
        return f"{name}{'-internal' if self.edition == 'internal' else ''}{SUFFIXES[self.format]}"


def export(config_path: Path | str, format: str, *, week: str | None = None, all_weeks: bool = False,
           edition: str | None = None, kinds: Iterable[str] | None = None, raw_cells: bool = False,
           as_of: dt.date | None = None) -> Export:
    """Export one report's entries (`week`, default the latest) or, with `all_weeks`, those of
    every report of the series, as `format` (hxl, acled or json). `kinds` chooses the HXL tables
    (default: all four). A CSV's cells are safe to open in a spreadsheet (exporter.spreadsheet_safe)
    unless `raw_cells`. `as_of` (default: today): only weeks ended before it have a report. Raises SitrepError for a broken store, an unknown week and the like."""
    _check_choice("format", format, FORMATS)
    if week is not None and all_weeks:
        raise ExportError(Problem("--week", 0, "--week and --all do not go together", expected="one of them"))
    if raw_cells and format == "json":
        raise ExportError(Problem("--raw-cells", 0, "json has no cells for a spreadsheet to run",
                                  expected="--raw-cells with hxl or acled only"))
    kinds = list(dict.fromkeys(kinds or KINDS))
    for kind in kinds:
        _check_choice("kind", kind, KINDS)
    if edition is not None:
        _check_choice("edition", edition, EDITIONS)
    workspace = Workspace.load(config_path, as_of=as_of)
    edition = workspace.edition(edition)  # config.yaml's, checked as it was loaded
    series = workspace.series(edition)
    latest = workspace.resolve(None if all_weeks else week, edition)  # refuses a store with no report too
    weeks = series.reports if all_weeks else [latest]
    reports = [(w, [Item(w, a) for a in series.arrived_in(w)]) for w in weeks]
    if format == "json":
        exporter = JsonExporter(workspace, edition)
        objects = [exporter.report(w, series.number(w), items) for w, items in reports]
        return Export(format, edition, {"report": json_bytes(objects if all_weeks else objects[0])})
    items = sorted((item for _, week_items in reports for item in week_items), key=lambda i: i.order)
    if format == "acled":
        rows = AcledExporter(workspace, edition).acled_rows(items)
        return Export(format, edition, {"acled": csv_bytes(acled.COLUMNS, None, rows, raw_cells=raw_cells)})
    exporter = HxlExporter(workspace, edition)
    return Export(format, edition, {kind: exporter.hxl_table(kind, items, raw_cells=raw_cells) for kind in kinds})


def standard_output(result: Export) -> bytes:
    """The one table an export made, for standard output; several tables need a folder."""
    if len(result.tables) > 1:
        raise OutputError(Problem("--output", 0, f"{len(result.tables)} tables ({', '.join(result.tables)}) cannot "
                                                 "all go to standard output",
                                  expected="-o FOLDER for several tables, or one --kind",
                                  hint=f"sitrep export {result.format} -o exports writes "
                                       f"exports/{result.file_name(next(iter(result.tables)))} and the others"))
    return next(iter(result.tables.values()))


def destinations(result: Export, output: Path) -> dict[Path, bytes]:
    """Where each table goes: one table to `output` (a file), several into the folder `output`
    (created if missing) by their file names."""
    if len(result.tables) > 1:
        if output.exists() and not output.is_dir():
            raise OutputError(Problem(display_path(output), 0, "is a file, and several tables need a folder",
                                      expected="a folder (created if missing), or one --kind to write one file"))
        return {output / result.file_name(name): data for name, data in result.tables.items()}
    (name, data), = result.tables.items()
    if output.is_dir():
        raise OutputError(Problem(display_path(output), 0, "is a folder, and one table is written to a file",
                                  expected=f"a file name, such as {display_path(output / result.file_name(name))}"))
    return {output: data}


def write_export(result: Export, output: Path) -> list[Path]:
    """Write the export under `output` (see `destinations`), each file atomically; an internal
    edition's files readable by their owner only, as the build writes them."""
    files = destinations(result, output)
    for path, data in files.items():
        write_atomic(path, data, private=result.edition == "internal")
    return list(files)


def _check_choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ExportError(Problem(f"--{what}", 0, f"sitrep exports no {what} '{value}'",
                                  expected="one of: " + ", ".join(choices)))
