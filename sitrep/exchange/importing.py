"""`sitrep import`: rows of a dataset a user downloaded (ACLED events, IOM DTM displacement
figures) merged into the workspace's bulk store (source/bulk.py), all or nothing.

What the datasets have in common lives here: reading a CSV file with DuckDB (all text, each row
numbered as a spreadsheet numbers it), the report of what an import changes, matching names to
the curated store's places, actors and sources, and proposing new ones for what it lacks.
acled_import.py and dtm_import.py say what each dataset's columns mean.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.progress import LOADING, SILENT, Progress
from sitrep.source.schema import Actor, Place, Source

MAX_ROW_PROBLEMS = 30  # listed one by one; more are counted


class ImportRefused(SitrepError):
    """A file that cannot be imported: every problem found, each with its row."""


@dataclass
class ImportFile:
    path: Path
    shown: str  # as messages name it
    sha256: str
    recorded_as: str  # as manifest.json records it: relative to the workspace when inside it


def import_file(path: Path, workspace: Path) -> ImportFile:
    shown = display_path(path)
    try:
        if not path.is_file():
            raise ImportRefused(Problem(shown, 0, "no such file" if not path.exists() else "this is not a file",
                                       expected="a CSV file downloaded from the dataset"))
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ImportRefused(Problem(shown, 0, f"cannot read: {exc.strerror}")) from None
    if path.stat().st_size == 0:
        raise ImportRefused(Problem(shown, 0, "the file is empty", expected="a CSV file downloaded from the dataset"))
    resolved = path.resolve()
    # Outside the workspace, its name only: a home folder's path (a user's name) is not the
    # workspace's business, and the SHA-256 identifies the file.
    recorded = (resolved.relative_to(workspace.resolve()).as_posix() if resolved.is_relative_to(workspace.resolve())
                else resolved.name)
    return ImportFile(path, shown, digest.hexdigest(), recorded)


def read_csv(connection, source: ImportFile, table: str) -> list[str]:
    """Load the CSV into `table`: every value as text (the import checks each itself, with its
    row), plus `_row`, the row's number as a spreadsheet shows it (the header is row 1).
    Returns the columns, lower-cased as the datasets' documentation writes them."""
    import duckdb

    path = str(source.path).replace("'", "''")
    try:
        connection.execute(f"""CREATE TEMP TABLE _raw AS SELECT * FROM read_csv('{path}', header = true,
            all_varchar = true, sample_size = -1, strict_mode = true, encoding = 'utf-8',
            max_line_size = 4194304, buffer_size = 16777216)""")
    except duckdb.Error as exc:
        raise ImportRefused(Problem(source.shown, _line_of(str(exc)), "the file is not a CSV table that can be read: "
                                   + _first_line(str(exc)),
                                   expected="a comma-separated file in UTF-8 with one header row, as the dataset's "
                                            "export gives it")) from None
    columns = [row[0] for row in connection.execute("DESCRIBE _raw").fetchall()]
    quoted = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731  (a header may hold quotes)
    renamed = ", ".join(f"{quoted(c)} AS {quoted(c.strip().lower())}" for c in columns)
    connection.execute(f"CREATE TEMP TABLE {table} AS SELECT row_number() OVER () + 1 AS _row, {renamed} FROM _raw")
    connection.execute("DROP TABLE _raw")
    return [c.strip().lower() for c in columns]


def require_columns(source: ImportFile, columns: list[str], required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportRefused(Problem(source.shown, 1, f"the header lacks {_listed(missing)}",
                                   expected=f"the columns of {what}: {', '.join(required)}"))


def row_problems(connection, source: ImportFile, checks: list[tuple[str, str, str]], table: str) -> list[Problem]:
    """One problem per failing check of each row: (SQL condition that is true when the row is
    wrong, the column, what is wrong with an {value} placeholder, what was expected)."""
    problems = []
    for condition, column, message, expected in checks:
        rows = connection.execute(f'SELECT _row, "{column}" FROM {table} WHERE {condition} ORDER BY _row '
                                  f"LIMIT {MAX_ROW_PROBLEMS + 1}").fetchall()
        for row, value in rows:
            problems.append(Problem(source.shown, row, f"row {row}: {column}: "
                                    + message.format(value=_shown(value)), expected=expected))
    return problems


def refuse_if_any(source: ImportFile, problems: list[Problem]) -> None:
    if not problems:
        return
    problems.sort(key=lambda p: (p.line, p.message))
    shown = problems[:MAX_ROW_PROBLEMS]
    if len(problems) > MAX_ROW_PROBLEMS:  # listed last, at the last row shown
        shown.append(Problem(source.shown, shown[-1].line, f"and more rows like these: at least "
                                                           f"{len(problems) - MAX_ROW_PROBLEMS} not listed",
                             expected="every row as above"))
    raise ImportRefused(shown)


def _shown(value) -> str:
    if value is None or str(value).strip() == "":
        return "(empty)"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _line_of(text: str) -> int:
    match = re.search(r"[Ll]ine:? (\d+)", text)
    return int(match[1]) if match else 0


# Matching the store's entries, and proposing new ones ---------------------------------------------

def slug(text: str) -> str:
    """An id's part for a name: 'Al-Karmah' -> 'al-karmah', 'Ṣaqlāwiyah' -> 'saqlawiyah';
    a name with no Latin letters gets a short digest instead."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return made or hashlib.sha256(text.encode()).hexdigest()[:10]


def folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


NAME_MATCH_KM = 25.0  # a place of the same name within this distance is the same place
SAME_SPOT_KM = 1.0  # a place this close is the same place, whatever it is called (spellings differ)


@dataclass
class Matcher:
    """Matches a dataset's names to the store's entries (curated, or proposed by an earlier
    import), and proposes entries for the rest, with ids of their own."""

    places: dict[str, Place]
    actors: dict[str, Actor]
    sources: dict[str, Source]
    proposed: dict[str, dict] = field(default_factory=lambda: {"places": {}, "actors": {}, "sources": {}})
    _place_names: dict[str, list[Place]] = field(default_factory=dict)
    _actor_names: dict[str, str] = field(default_factory=dict)
    _source_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for place in self.places.values():
            for name in {place.name, *place.names.values()}:
                self._place_names.setdefault(folded(name), []).append(place)
        for actor in self.actors.values():
            for name in (actor.name, *actor.names.values(), *actor.aliases):
                self._actor_names.setdefault(folded(name), actor.id)
        for source in self.sources.values():
            self._source_names.setdefault(folded(str(source.name)), source.id)
            self._source_names.setdefault(folded(source.id), source.id)

    def place(self, name: str, lat: float | None, lon: float | None, kind: str, parent: str | None,
              pcode: str | None = None, *, kinds: tuple[str, ...] | None = None) -> str:
        """The id of the store's place for a dataset's location, or of a place proposed for it.

        A place of the store is the same place when it has the row's P-code; else when it has
        its name and one of `kinds` (a governorate is not the city of the same name), no other
        P-code, and, where both have coordinates, lies within 25 km (a place without them is
        matched by a row without them only: an admin area, not a located event); else when it
        lies within 1 km, whatever its name, as long as its kind is one of `kinds`."""
        if pcode:
            for place in self.places.values():
                if place.pcode == pcode:
                    return place.id
        for place in self._place_names.get(folded(name), []):
            if kinds and place.kind not in kinds:
                continue
            if pcode and place.pcode and place.pcode != pcode:
                continue
            if lat is None and place.lat is None:
                return place.id
            if lat is not None and place.lat is not None and distance_km(lat, lon, place.lat, place.lon) <= NAME_MATCH_KM:
                return place.id
        if lat is not None:
            for place in self.places.values():
                if (place.lat is not None and (not kinds or place.kind in kinds)
                        and distance_km(lat, lon, place.lat, place.lon) <= SAME_SPOT_KM):
                    return place.id
        place_id = self._free_id("place", slug(name) + (f".{slug(parent.split('.')[-1])}" if parent else ""), "places")
        place = Place.model_validate({"id": place_id, "name": name, "kind": kind, "parent": parent,
                                      "lat": lat, "lon": lon, "pcode": pcode})
        self.places[place_id] = place
        self._place_names.setdefault(folded(name), []).append(place)
        self.proposed["places"][place_id] = place
        return place_id

    def actor(self, name: str, kind: str) -> str:
        found = self._actor_names.get(folded(name))
        if found:
            return found
        actor_id = self._free_id("actor", slug(name), "actors")
        actor = Actor.model_validate({"id": actor_id, "name": name, "kind": kind})
        self.actors[actor_id] = actor
        self._actor_names[folded(name)] = actor_id
        self.proposed["actors"][actor_id] = actor
        return actor_id

    def source(self, name: str, kind: str = "media", source_id: str | None = None, url: str | None = None,
               sensitivity: str = "public") -> str:
        """The id of the store's source of this name (or id), or of one proposed for it: restricted
        when the import is (an outlet known only from restricted rows must not be printed)."""
        found = self._source_names.get(folded(name)) or (source_id if source_id in self.sources else None)
        if found:
            return found
        new_id = source_id or self._free_id("source", slug(name), "sources")
        # "F": reliability cannot be judged, until a person grades the source (README, "Imported data").
        source = Source.model_validate({"id": new_id, "name": name, "kind": kind, "reliability": "F", "url": url,
                                        "sensitivity": sensitivity})
        self.sources[new_id] = source
        self._source_names[folded(name)] = new_id
        self.proposed["sources"][new_id] = source
        return new_id

    def _free_id(self, prefix: str, stem: str, kind: str) -> str:
        taken = getattr(self, kind)
        candidate, n = f"{prefix}.{stem}", 2
        while candidate in taken:
            candidate, n = f"{prefix}.{stem}-{n}", n + 1
        return candidate


def today() -> dt.date:
    return dt.date.today()


# One import, from the file to a new version of the bulk tables ------------------------------------

DATASETS = ("acled", "dtm")


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

    def lines(self) -> list[str]:
        name = {"acled": "ACLED", "dtm": "IOM DTM"}[self.dataset]
        lines = [f"{name} import of {self.file.shown} (SHA-256 {self.file.sha256[:12]}…): "
                 f"{_count(self.rows, 'row')} read"]
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
        proposed = [_count(len(ids), kind[:-1]) for kind, ids in self.proposed.items() if ids]
        if proposed and self.dry_run:
            lines.append(f"  would propose {', '.join(proposed)} (dry run: nothing written)")
        elif proposed:
            lines.append(f"  proposed   {', '.join(proposed)}, in {display_path(self.bulk_folder / 'proposed.yaml')}: "
                         "copy them into the store to curate them (a proposed source is graded F until you do)")
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
               drop_missing: bool = False, sensitivity: str = "public", replace: bool = False,
               on_day: dt.date | None = None, progress: Progress = SILENT) -> ImportReport:
    """Import `path` (a CSV of `dataset`) into the workspace's bulk store: all of it, or nothing
    (any bad row, or any failure while writing, leaves the last version as it was). `replace`:
    start from an empty bulk store, whatever it held (the way to make a damaged one again).
    `progress` is told each stage, and counts the names matched to the store."""
    from sitrep.exchange import acled_import, dtm_import
    from sitrep.pipeline import Workspace
    from sitrep.publish.lock import WorkspaceLock
    from sitrep.source import bulk as bulk_store

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
        old_entries = held.entries() if held else {kind: [] for kind in ("places", "actors", "sources", "figures")}
        curated = {kind: store.kind(kind) for kind in ("places", "actors", "sources")}
        matcher = Matcher(*({**{e.id: e for e in old_entries[kind]}, **curated[kind]}
                            for kind in ("places", "actors", "sources")))
        existing = str(held.events_file).replace("'", "''") if held else None
        imported_on = on_day or today()
        spill = folder / ".spill"
        with bulk_store.connect(spill) as connection:
            progress.stage(source.shown, "checking the rows")
            if dataset == "acled":
                checked = acled_import.check_rows(connection, source, imported_on)
                matched = acled_import.match_entries(connection, matcher, sensitivity, progress)
                progress.stage(source.shown, "merging with the events held")
                connection.execute(f"CREATE TEMP TABLE _new AS "
                                   f"{acled_import.events_sql(source, imported_on, sensitivity, matched)}")
                _refuse_curated_ids(connection, source, store)
                _validate_sample(connection)
                counts = acled_import.change_counts(connection, existing, drop_missing, sensitivity)
                events = acled_import.merge_sql(existing, drop_missing, sensitivity)
                figures = old_entries["figures"]
                rows, skipped, what = checked.rows, dict(checked.skipped), "event"
                earliest = connection.execute("SELECT min(known_on) FROM _new").fetchone()[0]
                if drop_missing and not connection.execute("SELECT count(*) FROM _new").fetchone()[0]:
                    raise ImportRefused(Problem(source.shown, 0, "--drop-missing with a file that has no event sitrep "
                                                                "imports, which cannot tell what the dataset deleted",
                                               expected="a file of the events of your countries and dates"))
            else:
                rows, figures, counts = dtm_import.import_figures(connection, source, matcher, old_entries["figures"],
                                                                  imported_on, drop_missing, sensitivity, progress)
                events = (f"SELECT * FROM read_parquet('{existing}')" if existing else bulk_store.empty_events_sql())
                skipped, what = {}, "figure"
                earliest = min((f.as_of.end for f in figures if f.imported), default=None)
            entries = {kind: [e for e in {**{e.id: e for e in old_entries[kind]},
                                          **matcher.proposed[kind]}.values()]
                       for kind in ("places", "actors", "sources")}
            entries["figures"] = figures
            report = ImportReport(dataset, source, rows, counts, skipped,
                                  {kind: sorted(ids) for kind, ids in matcher.proposed.items()}, what, dry_run, folder,
                                  _series_notes(workspace, held, earliest))
            if not dry_run:
                progress.stage(source.shown, f"writing {display_path(folder)}/")
                record = bulk_store.Import(dataset, source.recorded_as, source.sha256, imported_on.isoformat(), rows,
                                           counts["added"], counts["updated"], counts["unchanged"],
                                           counts.get("dropped", 0) + counts.get("left_out", 0),
                                           dict(sorted(skipped.items())))
                bulk_store.write_version(folder, events, connection, entries, [*(held.imports if held else []), record],
                                         proposed_yaml(entries), held.tables if held else None)
        return report
    finally:
        shutil.rmtree(folder / ".spill", ignore_errors=True)
        lock.release()
        if not existed and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a dry run, or a refused import, leaves no empty bulk/ behind


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
    from sitrep.source.dates import IsoWeek

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
    from pydantic import ValidationError

    from sitrep.source.bulk import MODEL_COLUMNS, incident_of

    for row in connection.execute(f"SELECT {', '.join(MODEL_COLUMNS)} FROM _new LIMIT {limit}").fetchall():
        try:
            incident_of(dict(zip(MODEL_COLUMNS, row)))
        except ValidationError as exc:  # a mapping mistake of sitrep's, not the user's: say so plainly
            raise ImportRefused(Problem("(import)", 0, f"an imported row would not be a valid incident: {exc}",
                                       expected="please report this as a bug")) from None


def proposed_yaml(entries: dict[str, list]) -> str:
    """bulk/proposed.yaml: the places, actors and sources imports proposed, in the store's
    format, for a person to review and copy into the store."""
    import yaml

    data = {kind: [entry.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
                   for entry in sorted(entries[kind], key=lambda e: e.id)]
            for kind in ("sources", "places", "actors") if entries[kind]}
    header = ("# Proposed by `sitrep import` for what the imported rows name and the store lacks. sitrep reads\n"
              "# them from the bulk tables, not from here. To curate one, copy it into a file of the store\n"
              "# (facts/) and correct it there: the store's entry then replaces the proposal. A proposed\n"
              "# source is graded F (reliability cannot be judged) until you grade it.\n")
    return header + (yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100) if data else "")
