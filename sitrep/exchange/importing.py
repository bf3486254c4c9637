"""`sitrep import`: rows of a dataset a user downloaded (ACLED events, IOM DTM displacement
figures, HDX HAPI's tables) merged into the workspace's bulk store (source/bulk.py), all or nothing.

One import, from the file to a new version of the bulk tables: the store loaded without earlier
imports, the file read and checked (importfile.py) by its dataset's module (acled_import.py,
dtm_import.py, hapi_import.py), names matched to the store (matching.py), the report of what the import changes,
and the new version written under the workspace lock.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from sitrep.errors import Problem, display_path
from sitrep.exchange import acled_import, dtm_import, hapi_import, proposals
from sitrep.exchange.importfile import ImportFile, ImportRefused, import_file, transcoded
from sitrep.exchange.matching import Matcher
from sitrep.pipeline import Workspace
from sitrep.progress import LOADING, SILENT, Progress
from sitrep.publish.lock import WorkspaceLock
from sitrep.source import bulk as bulk_store
from sitrep.source.dates import IsoWeek


def today() -> dt.date:
    return dt.date.today()


DATASETS = ("acled", "dtm", "hapi")
DATASET_NAMES = {"acled": "ACLED", "dtm": "IOM DTM", "hapi": "HDX HAPI"}


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dataset: str
    file: ImportFile
    rows: int
    counts: dict[str, int]  # added, updated, unchanged, and missing (kept) or dropped
    skipped: dict[str, int]  # rows left out, by reason
    proposed: dict[str, list[str]]  # kind -> ids of the entries proposed
    what: str  # what the dataset's rows become: "event", "figure"
    dry_run: bool
    bulk_folder: Path
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # said on stderr, as `sitrep check` says its own
    # The file's format as detected from its header ("ACLED export, 2019-2021 columns, dyadic"), if
    # the dataset has several; rows read but not counted, by the reason (a duplicate report of the
    # same area and date); and what the import assumed, with how many rows each concerns.
    format: str | None = None
    set_aside: dict[str, int] = field(default_factory=dict)
    assumptions: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> proposed id -> why (proposals.py)

    def lines(self) -> list[str]:
        name = DATASET_NAMES[self.dataset]
        lines = [f"{name} import of {self.file.shown} (SHA-256 {self.file.sha256[:12]}…): "
                 f"{_count(self.rows, 'row')} read" + (f", {self.format}" if self.format else "")]
        counts, what = self.counts, self.what
        lines.append(f"  added      {counts['added']:>9,} {_noun(counts['added'], what)}")
        lines.append(f"  updated    {counts['updated']:>9,} (a newer row, matched anew to the store, or made restricted)")
        lines.append(f"  unchanged  {counts['unchanged']:>9,}")
        if n := counts.get("older"):
            lines.append(f"  older      {n:>9,} {_noun(n, 'row')} older than the {what}s held: kept as held")
        if n := counts.get("left_out"):
            lines.append(f"  dropped    {n:>9,} held {_noun(n, what)} now of a type sitrep does not document")
        if n := counts.get("dropped"):
            lines.append(f"  dropped    {n:>9,} held {_noun(n, what)} within the file's countries and dates "
                         "that it no longer has")
        if n := counts.get("missing"):
            lines.append(f"  kept       {n:>9,} held {_noun(n, what)} that the file does not have "
                         "(--drop-missing drops those within its countries and dates)")
        if self.skipped:
            n = sum(self.skipped.values())
            by_count = sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
            detail = ", ".join(f"{reason} {k:,}" for reason, k in by_count)
            lines.append(f"  left out   {n:>9,} {_noun(n, 'row')} of {_noun(len(self.skipped), 'a type', 'types')} "
                         f"sitrep does not document: {detail}")
        for reason, n in sorted(self.set_aside.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  set aside  {n:>9,} {_noun(n, 'row')}: {reason}")
        for assumption, n in sorted(self.assumptions.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  assumed    {n:>9,} {_noun(n, 'row')}: {assumption}")
        proposed = [_count(len(ids), kind[:-1]) for kind, ids in self.proposed.items() if ids]
        if proposed and self.dry_run:
            lines.append(f"  would propose {', '.join(proposed)} (dry run: nothing written)")
        elif proposed:
            lines.append(f"  proposed   {', '.join(proposed)}, in {display_path(self.bulk_folder / 'proposed.yaml')}: "
                         "copy them into the store to curate them (a proposed source is graded F until you do)")
        if proposed:
            lines.extend(proposals.summary_lines(self.proposed, self.reasons, self.dry_run))
        lines.extend(self.notes)
        lines.append("Dry run: nothing was written." if self.dry_run
                     else f"Written to {display_path(self.bulk_folder)}; the next build includes them.")
        return lines


def _count(n: int, noun: str) -> str:
    """'1 row', '2,000 rows'."""
    return f"{n:,} {_noun(n, noun)}"


def _noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun for `n` of it: 'event' for 1, 'events' otherwise."""
    return singular if n == 1 else plural or f"{singular}s"


def run_import(config_path: Path | str, dataset: str, path: Path, *, dry_run: bool = False,
               drop_missing: bool = False, sensitivity: str | None = None, replace: bool = False,
               on_day: dt.date | None = None, progress: Progress = SILENT,
               date_format: str | None = None, encoding: str | None = None) -> ImportReport:
    """Import `path` (a CSV of `dataset`) into the workspace's bulk store: all of it, or nothing
    (any bad row, or any failure while writing, leaves the last version as it was). `replace`:
    start from an empty bulk store, whatever it held (the way to make a damaged one again).
    `sensitivity`: "restricted" (--restricted), "public" (--public, which also makes public the
    held rows the file has), or None: as this file was imported before (import_sensitivity).
    `progress` is told each stage, and counts the names matched to the store. `date_format`
    (--date-format, importdates.date_format): how the file's numeric dates are ordered, when
    its dates cannot tell. `encoding` (--encoding): the file's, when it is not UTF-8."""
    # The store without what earlier imports brought: an import must work, and mend them, even
    # when they no longer fit the store (a place they name deleted since).
    progress.stage("", LOADING)
    workspace = Workspace.load(config_path, imported=False)
    config, store = workspace.config, workspace.store
    progress.stage(display_path(path), "reading the file")
    source = import_file(Path(path), config.workspace)
    folder = config.workspace / bulk_store.BULK_DIR
    existed = folder.exists()
    lock = WorkspaceLock(folder)
    lock.acquire(progress.say)
    try:
        held = None if replace else bulk_store.BulkStore.open(config.workspace)  # under the lock: another may have run
        history, unreadable = (bulk_store.import_history(config.workspace) if replace
                               else (held.history if held else [], None))
        stated = sensitivity
        sensitivity, sensitivity_notes = import_sensitivity(stated, dataset, source, history, unreadable)
        lowering = stated == "public"
        private = sensitivity == "restricted" or (held is not None and held.holds_restricted())
        if private and not dry_run:
            bulk_store.make_private(folder)  # before DuckDB spills any restricted row into it
        old_entries = held.entries() if held else {kind: [] for kind in ("places", "actors", "sources", "figures")}
        curated = {kind: store.kind(kind) for kind in ("places", "actors", "sources")}
        matcher = Matcher.for_import(curated, old_entries, config.model.region)
        existing = str(held.events_file).replace("'", "''") if held else None
        imported_on = on_day or today()
        spill = folder / ".spill"
        if encoding and codecs.lookup(encoding).name != "utf-8":
            source = transcoded(source, encoding, spill)  # removed with the spill folder, below
        with bulk_store.connect(spill) as connection:
            progress.stage(source.shown, "checking the rows")
            described = {}  # the format, rows set aside and assumptions, where the dataset's module says them
            if dataset == "acled":
                checked = acled_import.check_rows(connection, source, imported_on, date_format)
                matched = acled_import.match_entries(connection, matcher, sensitivity, progress, config.model.region)
                progress.stage(source.shown, "merging with the events held")
                connection.execute(f"CREATE TEMP TABLE _new AS "
                                   f"{acled_import.events_sql(source, imported_on, sensitivity, matched, checked.format)}")
                assumptions, set_aside = acled_import.assumption_counts(connection)
                described = {"format": checked.format.name, "assumptions": dict(assumptions),
                             "set_aside": dict(set_aside)}
                _refuse_curated_ids(connection, source, store)
                _validate_sample(connection)
                counts = acled_import.change_counts(connection, existing, drop_missing, sensitivity, lowering)
                events = acled_import.merge_sql(existing, drop_missing, sensitivity, lowering)
                figures = old_entries["figures"]
                rows, skipped, what = checked.rows, dict(checked.skipped), "event"
                earliest = connection.execute("SELECT min(known_on) FROM _new").fetchone()[0]
                if drop_missing and not connection.execute("SELECT count(*) FROM _new").fetchone()[0]:
                    raise ImportRefused(Problem(source.shown, 0, "--drop-missing with a file that has no event sitrep "
                                                                "imports, which cannot tell what the dataset deleted",
                                               expected="a file of the events of your countries and dates"))
            else:
                read_table = hapi_import.import_table if dataset == "hapi" else dtm_import.import_figures
                table = read_table(connection, source, matcher, old_entries["figures"], imported_on, drop_missing,
                                   sensitivity, progress, lowering=lowering, region=config.model.region,
                                   date_format=date_format)
                rows, figures, counts = table.rows, table.figures, table.counts
                described = {"format": table.format, "set_aside": table.set_aside, "assumptions": table.assumptions}
                events = bulk_store.events_of(existing)
                skipped, what = table.skipped, "figure"
                earliest = min((f.as_of.end for f in figures if f.imported), default=None)
            entries = {kind: [e for e in {**{e.id: e for e in old_entries[kind]},
                                          **matcher.proposed[kind]}.values()]
                       for kind in ("places", "actors", "sources")}
            entries["figures"] = figures
            report = ImportReport(dataset, source, rows, counts, skipped,
                                  {kind: sorted(ids) for kind, ids in matcher.proposed.items()}, what, dry_run, folder,
                                  sensitivity_notes + _series_notes(workspace, held, earliest), source.warnings,
                                  **described,
                                  reasons=proposals.reasons(matcher, {k: list(v.values()) for k, v in matcher.proposed.items()}))
            if not dry_run:
                progress.stage(source.shown, f"writing {display_path(folder)}/")
                record = bulk_store.Import(dataset, source.recorded_as, source.sha256, imported_on.isoformat(), rows,
                                           counts["added"], counts["updated"], counts["unchanged"],
                                           counts.get("dropped", 0) + counts.get("left_out", 0),
                                           dict(sorted(skipped.items())), sensitivity)
                private = private or bulk_store.restricted_entries(entries)
                bulk_store.write_version(folder, events, connection, entries, [*(held.imports if held else []), record],
                                         proposals.proposed_yaml(entries, proposals.reasons(matcher, entries)),
                                         held.tables if held else None,
                                         replaced=history if replace else (held.replaced if held else []),
                                         private=private)
        return report
    finally:
        shutil.rmtree(folder / ".spill", ignore_errors=True)
        lock.release()
        if not existed and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a dry run, or a refused import, leaves no empty bulk/ behind


def import_sensitivity(stated: str | None, dataset: str, source: ImportFile, history: list[bulk_store.Import],
                       unreadable: str | None = None) -> tuple[str, list[str]]:
    """(what this import makes its rows, notes for its report). Stated (--restricted, --public),
    it is that. Unstated, it is what the last import of this file made them: the same file is
    one with the same SHA-256 or the same name, so a file once imported --restricted stays
    restricted, after --replace too, until --public says otherwise. Never public by default
    where the manifest cannot say: an import recorded before sitrep kept sensitivity is refused
    until the user says which."""
    notes = []
    if unreadable:
        notes.append(f"Note: the replaced {bulk_store.BULK_DIR}/{bulk_store.MANIFEST} could not be read "
                     f"({unreadable}), so which files were imported --restricted is not known: import each of "
                     "them again with --restricted.")
    if stated is not None:
        return stated, notes
    earlier = [record for record in history if record.dataset == dataset
               and (record.sha256 == source.sha256 or record.file == source.recorded_as)]
    if not earlier:
        return "public", notes
    last = earlier[-1]
    if last.sensitivity is None:
        raise ImportRefused(Problem(source.shown, 0, f"{bulk_store.BULK_DIR}/{bulk_store.MANIFEST} does not say whether "
                                    f"this file ({last.file}, imported {last.imported_on}) was imported --restricted: "
                                    "it was written by an earlier sitrep",
                                    expected="--restricted or --public, to say which its rows are"))
    if last.sensitivity == "restricted":
        notes.append(f"Restricted: this file was imported --restricted before ({last.file}, {last.imported_on}), "
                     "so its rows are restricted again; --public makes them public.")
    return last.sensitivity, notes


def _refuse_curated_ids(connection, source: ImportFile, store) -> None:
    """An event whose id a curated entry already has (acled-irq1 written by hand) is refused:
    two entries would share it, and the store's checks would then stop every command."""
    curated = [entry_id for entry_id in store.origins if entry_id.startswith("acled-")]
    if not curated:
        return
    clashes = connection.execute("SELECT id FROM _new WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
                                 [curated]).fetchall()
    if clashes:
        raise ImportRefused([Problem(store.origins[entry_id].file, store.origins[entry_id].line,
                                    f"the id '{entry_id}' is a curated entry's, and the file's event "
                                    f"{entry_id.removeprefix('acled-').upper()} would be imported under it",
                                    expected="an id of your own that does not start with acled-")
                            for (entry_id,) in clashes])


def _series_notes(workspace, held, earliest: dt.date | None) -> list[str]:
    """A warning when the import makes the series start earlier: every report's number would
    change, published ones included, unless config.yaml pins the series' first week."""
    if earliest is None or workspace.config.model.series.first:
        return []
    starts = [workspace.series(workspace.config.edition).first]
    if held is not None and held.known_days(public_only=True):
        starts.append(IsoWeek.containing(min(held.known_days(public_only=True))))
    before = min((start for start in starts if start is not None), default=None)
    if before is None or IsoWeek.containing(earliest) >= before:
        return []
    return [f"Note: the series would now start at {IsoWeek.containing(earliest)}, not {before}, so every "
            "report's number changes. To keep the numbers, set `first:` under `series:` in config.yaml: "
            f"first: {before} (imported events before it are then left out of the reports)."]


def _validate_sample(connection, limit: int = 2000) -> None:
    """Read the first rows back as the report will (bulk.incident_of): a safety net under the
    checks above, so that a row the report could not read is never written."""
    for row in connection.execute(f"SELECT {', '.join(bulk_store.MODEL_COLUMNS)} FROM _new LIMIT {limit}").fetchall():
        try:
            bulk_store.incident_of(dict(zip(bulk_store.MODEL_COLUMNS, row)))
        except ValidationError as exc:  # a mapping mistake of sitrep's, not the user's: say so plainly
            raise ImportRefused(Problem("(import)", 0, f"an imported row would not be a valid incident: {exc}",
                                       expected="please report this as a bug")) from None
