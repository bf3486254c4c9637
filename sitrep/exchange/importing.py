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
from sitrep.source.schema import Actor, Place, Source

MAX_ROW_PROBLEMS = 30  # listed one by one; more are counted


class ImportError_(SitrepError):
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
            raise ImportError_(Problem(shown, 0, "no such file" if not path.exists() else "this is not a file",
                                       expected="a CSV file downloaded from the dataset"))
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ImportError_(Problem(shown, 0, f"cannot read: {exc.strerror}")) from None
    if path.stat().st_size == 0:
        raise ImportError_(Problem(shown, 0, "the file is empty", expected="a CSV file downloaded from the dataset"))
    resolved = path.resolve()
    recorded = (resolved.relative_to(workspace.resolve()).as_posix() if resolved.is_relative_to(workspace.resolve())
                else str(resolved))
    return ImportFile(path, shown, digest.hexdigest(), recorded)


def read_csv(connection, source: ImportFile, table: str) -> list[str]:
    """Load the CSV into `table`: every value as text (the import checks each itself, with its
    row), plus `_row`, the row's number as a spreadsheet shows it (the header is row 1).
    Returns the columns, lower-cased as the datasets' documentation writes them."""
    import duckdb

    path = str(source.path).replace("'", "''")
    try:
        connection.execute(f"""CREATE TEMP TABLE _raw AS SELECT * FROM read_csv('{path}', header = true,
            all_varchar = true, sample_size = -1, strict_mode = true, encoding = 'utf-8')""")
    except duckdb.Error as exc:
        raise ImportError_(Problem(source.shown, _line_of(str(exc)), "the file is not a CSV table that can be read: "
                                   + _first_line(str(exc)),
                                   expected="a comma-separated file in UTF-8 with one header row, as the dataset's "
                                            "export gives it")) from None
    columns = [row[0] for row in connection.execute("DESCRIBE _raw").fetchall()]
    renamed = ", ".join(f'"{c}" AS "{c.strip().lower()}"' for c in columns)
    connection.execute(f"CREATE TEMP TABLE {table} AS SELECT row_number() OVER () + 1 AS _row, {renamed} FROM _raw")
    connection.execute("DROP TABLE _raw")
    return [c.strip().lower() for c in columns]


def require_columns(source: ImportFile, columns: list[str], required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportError_(Problem(source.shown, 1, f"the header lacks {_listed(missing)}",
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
    if len(problems) > MAX_ROW_PROBLEMS:
        shown.append(Problem(source.shown, 0, f"and more rows like these: {len(problems) - MAX_ROW_PROBLEMS} "
                                              "or more not listed", expected="every row as above"))
    raise ImportError_(shown)


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
              pcode: str | None = None) -> str:
        """The id of the store's place for a dataset's location, or of a place proposed for it."""
        if pcode:
            for place in self.places.values():
                if place.pcode == pcode:
                    return place.id
        for place in self._place_names.get(folded(name), []):
            if lat is None or place.lat is None or distance_km(lat, lon, place.lat, place.lon) <= NAME_MATCH_KM:
                return place.id
        if lat is not None:
            for place in self.places.values():
                if place.lat is not None and distance_km(lat, lon, place.lat, place.lon) <= SAME_SPOT_KM:
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

    def source(self, name: str, kind: str = "media", source_id: str | None = None, url: str | None = None) -> str:
        found = self._source_names.get(folded(name)) or (source_id if source_id in self.sources else None)
        if found:
            return found
        new_id = source_id or self._free_id("source", slug(name), "sources")
        # "F": reliability cannot be judged, until a person grades the source (README, "Imported data").
        source = Source.model_validate({"id": new_id, "name": name, "kind": kind, "reliability": "F", "url": url})
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
    what: str  # "events", "figures"
    dry_run: bool
    bulk_folder: Path
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        name = {"acled": "ACLED", "dtm": "IOM DTM"}[self.dataset]
        lines = [f"{name} import of {self.file.shown} (SHA-256 {self.file.sha256[:12]}…): "
                 f"{_count(self.rows, 'row')} read"]
        counts = self.counts
        lines.append(f"  added      {counts['added']:>9,} {self.what}")
        lines.append(f"  updated    {counts['updated']:>9,} (the file's is newer or different)")
        lines.append(f"  unchanged  {counts['unchanged']:>9,}")
        if "dropped" in counts:
            lines.append(f"  dropped    {counts['dropped']:>9,} held {self.what} that the file no longer has")
        elif counts.get("missing"):
            lines.append(f"  kept       {counts['missing']:>9,} held {self.what} that the file does not have "
                         "(--drop-missing drops them)")
        if self.skipped:
            detail = ", ".join(f"{reason} {n:,}" for reason, n in sorted(self.skipped.items(), key=lambda i: (-i[1], i[0])))
            lines.append(f"  left out   {sum(self.skipped.values()):>9,} rows of types sitrep does not document: {detail}")
        proposed = [_count(len(ids), kind[:-1]) for kind, ids in self.proposed.items() if ids]
        if proposed:
            lines.append(f"  proposed   {', '.join(proposed)}, in {display_path(self.bulk_folder / 'proposed.yaml')}: "
                         "copy them into the store to curate them (a proposed source is graded F until you do)")
        lines.extend(self.notes)
        lines.append("Dry run: nothing was written." if self.dry_run
                     else f"Written to {display_path(self.bulk_folder)}; the next build includes them.")
        return lines


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def run_import(config_path: Path | str, dataset: str, path: Path, *, dry_run: bool = False,
               drop_missing: bool = False, sensitivity: str = "public", on_day: dt.date | None = None) -> ImportReport:
    """Import `path` (a CSV of `dataset`) into the workspace's bulk store: all of it, or nothing
    (any bad row, or any failure while writing, leaves the last version as it was)."""
    from sitrep.exchange import acled_import, dtm_import
    from sitrep.pipeline import Workspace
    from sitrep.publish.lock import WorkspaceLock
    from sitrep.source import bulk as bulk_store

    workspace = Workspace.load(config_path)
    config, store = workspace.config, workspace.store
    source = import_file(Path(path), config.workspace)
    folder = config.workspace / bulk_store.BULK_DIR
    lock = WorkspaceLock(folder)
    lock.acquire()
    try:
        held = bulk_store.BulkStore.open(config.workspace)  # again, under the lock: another import may have run
        old_entries = held.entries() if held else {kind: [] for kind in ("places", "actors", "sources", "figures")}
        curated = {kind: {k: v for k, v in store.kind(kind).items() if k in store.origins}
                   for kind in ("places", "actors", "sources")}
        matcher = Matcher(*({**{e.id: e for e in old_entries[kind]}, **curated[kind]}
                            for kind in ("places", "actors", "sources")))
        existing = str(held.events_file).replace("'", "''") if held else None
        imported_on = on_day or today()
        spill = folder / ".spill"
        with bulk_store.connect(spill) as connection:
            if dataset == "acled":
                checked = acled_import.check_rows(connection, source)
                acled_import.match_entries(connection, matcher)
                connection.execute(f"CREATE TEMP TABLE _new AS "
                                   f"{acled_import.events_sql(source, imported_on, sensitivity)}")
                _validate_sample(connection)
                counts = acled_import.change_counts(connection, existing, drop_missing)
                events = acled_import.merge_sql(existing, drop_missing)
                figures = old_entries["figures"]
                rows, skipped, what = checked.rows, dict(checked.skipped), "events"
                earliest = connection.execute("SELECT min(known_on) FROM _new").fetchone()[0]
            else:
                rows, figures, counts = dtm_import.import_figures(connection, source, matcher, old_entries["figures"],
                                                                  imported_on, drop_missing, sensitivity)
                events = (f"SELECT * FROM read_parquet('{existing}')" if existing else bulk_store.empty_events_sql())
                skipped, what = {}, "figures"
                earliest = min((f.as_of.end for f in figures if f.imported), default=None)
            entries = {kind: [e for e in {**{e.id: e for e in old_entries[kind]},
                                          **matcher.proposed[kind]}.values()]
                       for kind in ("places", "actors", "sources")}
            entries["figures"] = figures
            report = ImportReport(dataset, source, rows, counts, skipped,
                                  {kind: sorted(ids) for kind, ids in matcher.proposed.items()}, what, dry_run, folder,
                                  _series_notes(workspace, earliest))
            if not dry_run:
                record = bulk_store.Import(dataset, source.recorded_as, source.sha256, imported_on.isoformat(), rows,
                                           counts["added"], counts["updated"], counts["unchanged"],
                                           counts.get("dropped", 0), dict(sorted(skipped.items())))
                bulk_store.write_version(folder, events, connection, entries, [*(held.imports if held else []), record],
                                         proposed_yaml(entries), held.tables if held else None)
        return report
    finally:
        shutil.rmtree(folder / ".spill", ignore_errors=True)
        lock.release()


def _series_notes(workspace, earliest: dt.date | None) -> list[str]:
    """A warning when the import makes the series start earlier: every report's number would
    change, published ones included, unless config.yaml pins the series' first week."""
    from sitrep.source.dates import IsoWeek

    if earliest is None or workspace.config.model.series.first:
        return []
    before = workspace.series(workspace.config.edition).first
    if before is None or IsoWeek.containing(earliest) >= before:
        return []
    return [f"Note: the series would now start at {IsoWeek.containing(earliest)}, not {before}, so every "
            "report's number changes. To keep the numbers, set `first:` under `series:` in config.yaml: "
            f"first: {before} (imported events before it are then left out of the reports)."]


def _validate_sample(connection, limit: int = 2000) -> None:
    """Read the first rows back as the report will (bulk.incident_of): a safety net under the
    checks above, so that a row the report could not read is never written."""
    from pydantic import ValidationError

    from sitrep.source.bulk import _MODEL_COLUMNS, incident_of

    for row in connection.execute(f"SELECT {', '.join(_MODEL_COLUMNS)} FROM _new LIMIT {limit}").fetchall():
        try:
            incident_of(dict(zip(_MODEL_COLUMNS, row)))
        except ValidationError as exc:  # a mapping mistake of sitrep's, not the user's: say so plainly
            raise ImportError_(Problem("(import)", 0, f"an imported row would not be a valid incident: {exc}",
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
