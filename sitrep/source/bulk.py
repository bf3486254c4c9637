"""The bulk store: rows imported from ACLED and IOM DTM (`sitrep import`), kept beside the
curated YAML store and read as the same models (README, "Imported data").

A country's events are 10^4-10^6 rows: too many for YAML, which people edit and git diffs. They
live in the workspace's `bulk/` folder instead:

    bulk/manifest.json          which tables are current, and every import that made them (git-diffable)
    bulk/tables-<digest>/       one version of the tables, never changed once written
        events.parquet          imported incidents, one row each, sorted by the day each became known
        entries.json            the figures, places, actors and sources imports brought (thousands at most)
    bulk/proposed.yaml          those places, actors and sources in the store's format, for a person to curate

Events are plain Parquet, read with DuckDB: a week's report loads only the rows that became known
in its week (the file is sorted by that day, so DuckDB reads only the row groups that hold it).
Everything else an import brings is small and is loaded whole. An import writes a new tables
folder and then replaces manifest.json atomically, so a reader sees the old version or the new
one, never half of one, and a failed import leaves the last good one.

The curated store wins: a place, actor or source defined in the YAML store replaces the one an
import proposed under the same id, so curating a proposal is copying it from proposed.yaml into
facts/ and grading or correcting it there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pydantic import TypeAdapter, ValidationError

from sitrep.errors import Problem, StoreError, display_path
from sitrep.output import write_atomic
from sitrep.source.schema import Actor, Figure, Incident, Place, Source

BULK_DIR = "bulk"
MANIFEST = "manifest.json"
EVENTS = "events.parquet"
ENTRIES = "entries.json"
PROPOSED = "proposed.yaml"
FORMAT = 1

# The events table: one imported incident per row. What the model needs, then what was read
# from the dataset (kept so that an export gives back what was imported).
EVENT_COLUMNS = {
    "id": "VARCHAR", "type": "VARCHAR", "date": "VARCHAR", "date_start": "DATE", "date_end": "DATE",
    "known_on": "DATE", "place": "VARCHAR", "perpetrator": "VARCHAR", "killed": "BIGINT", "summary": "VARCHAR",
    "summary_language": "VARCHAR", "sources": "VARCHAR[]", "via": "VARCHAR", "status": "VARCHAR",
    "sensitivity": "VARCHAR",
    # provenance
    "dataset": "VARCHAR", "record": "VARCHAR", "file": "VARCHAR", "sha256": "VARCHAR", "imported_on": "DATE",
    "timestamp": "BIGINT",
    # the dataset's own coding
    "event_type": "VARCHAR", "sub_event_type": "VARCHAR", "actor1": "VARCHAR", "actor2": "VARCHAR",
    "inter1": "VARCHAR", "inter2": "VARCHAR", "civilian_targeting": "VARCHAR", "country": "VARCHAR",
    "iso": "VARCHAR", "admin1": "VARCHAR", "admin2": "VARCHAR", "admin3": "VARCHAR", "location": "VARCHAR",
    "latitude": "DOUBLE", "longitude": "DOUBLE", "geo_precision": "INTEGER", "time_precision": "INTEGER",
    "source": "VARCHAR", "source_scale": "VARCHAR", "tags": "VARCHAR",
}
# What the report needs of a row: read for a week, and nothing else.
_MODEL_COLUMNS = ("id", "type", "date", "place", "perpetrator", "killed", "summary", "summary_language", "sources",
                  "via", "status", "sensitivity", "dataset", "record", "file", "sha256", "imported_on", "timestamp")

_ENTRY_KINDS = {"places": Place, "actors": Actor, "sources": Source, "figures": Figure}


def connect():
    """A DuckDB connection in memory, with a memory limit and one thread per core: the
    bulk tables are files; nothing is kept in a database between runs."""
    import duckdb  # loaded only where imported rows are read: 40 ms, and most workspaces have none

    connection = duckdb.connect(config={"memory_limit": "1GB"})
    return connection


@dataclass
class Import:
    """One run of `sitrep import`, as manifest.json records it."""

    dataset: str
    file: str  # as the user named it, relative to the workspace where it lies inside it
    sha256: str
    imported_on: str
    rows: int  # rows read from the file
    added: int
    updated: int
    unchanged: int
    dropped: int
    skipped: dict[str, int] = field(default_factory=dict)  # rows left out, by the reason


@dataclass
class BulkStore:
    """The current version of the workspace's bulk tables."""

    folder: Path  # bulk/
    tables: str  # the name of the current tables folder
    imports: list[Import]
    digest: str  # of manifest.json: changes whenever any table does (their folder is named by their digest)
    _entries: dict | None = field(default=None, repr=False)

    @classmethod
    def open(cls, workspace: Path) -> BulkStore | None:
        """The workspace's bulk store, or None when nothing was ever imported."""
        folder = workspace / BULK_DIR
        manifest_path = folder / MANIFEST
        shown = display_path(manifest_path)
        try:
            raw = manifest_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(Problem(shown, 0, f"cannot read the imported data's manifest: {exc.strerror}")) from None
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            imports = [Import(**item) for item in data["imports"]]
            tables = str(data["tables"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(Problem(shown, 0, f"the imported data's manifest is damaged ({exc})",
                                     expected=f"the manifest `sitrep import` writes (format {FORMAT})",
                                     hint="import the files it listed again: sitrep import acled FILE --replace"))
        if "/" in tables or tables.startswith(".") or not (folder / tables / EVENTS).is_file():
            raise StoreError(Problem(shown, 0, f"the imported tables it names ({tables}) are missing",
                                     expected="a tables folder beside manifest.json, as `sitrep import` writes it",
                                     hint="import the files it lists again: sitrep import acled FILE --replace"))
        return cls(folder, tables, imports, hashlib.sha256(raw).hexdigest())

    @property
    def tables_dir(self) -> Path:
        return self.folder / self.tables

    @property
    def events_file(self) -> Path:
        return self.tables_dir / EVENTS

    def entries(self) -> dict[str, list]:
        """The figures, places, actors and sources the imports brought, as models."""
        if self._entries is None:
            self._entries = read_entries(self.tables_dir / ENTRIES)
        return self._entries

    # Events ------------------------------------------------------------------------------------

    def query(self, sql: str, parameters: Iterable = ()) -> list[tuple]:
        """Rows of `sql`, in which the events table is called `events`."""
        with connect() as connection:
            connection.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{_sql_path(self.events_file)}')")
            return connection.execute(sql, list(parameters)).fetchall()

    def known_days(self, public_only: bool) -> dict[dt.date, int]:
        """How many events became known on each day (public ones only, for a public edition)."""
        where = "WHERE sensitivity = 'public'" if public_only else ""
        return dict(self.query(f"SELECT known_on, count(*) FROM events {where} GROUP BY known_on"))

    def incidents_known(self, first: dt.date | None, last: dt.date, public_only: bool) -> list[Incident]:
        """The events that became known from `first` (None: any day before) to `last`, as
        incidents, in the order they became known."""
        conditions = ["known_on <= ?"] + (["known_on >= ?"] if first else [])
        if public_only:
            conditions.append("sensitivity = 'public'")
        rows = self.query(f"SELECT {', '.join(_MODEL_COLUMNS)} FROM events WHERE {' AND '.join(conditions)} "
                          "ORDER BY known_on, date_start, id", [last] + ([first] if first else []))
        return [incident_of(dict(zip(_MODEL_COLUMNS, row))) for row in rows]

    def counts(self) -> dict[str, int]:
        """What the imports brought, by kind: 'incidents' are the events."""
        counts = {kind: len(entries) for kind, entries in self.entries().items()}
        counts["incidents"] = self.query("SELECT count(*) FROM events")[0][0]
        return counts

    def summary(self) -> str:
        """'1,684 incidents, 16 figures, 406 places, 6 actors, 15 sources imported (bulk/)'."""
        from sitrep.source.schema import KIND_SINGULAR

        counts = self.counts()
        listed = [f"{counts[kind]:,} {KIND_SINGULAR[kind] if counts[kind] == 1 else kind}"
                  for kind in ("incidents", "figures", "places", "actors", "sources") if counts[kind]]
        return f"{', '.join(listed) or 'nothing'} imported ({display_path(self.folder)}/)"


def incident_of(row: dict) -> Incident:
    """An events row as the store's Incident (validated: a damaged table is refused, not printed)."""
    from sitrep.source.schema import LocalText

    summary = LocalText(row["summary"], row["summary_language"]) if row["summary_language"] else row["summary"]
    killed = row["killed"]
    return Incident.model_validate({
        "id": row["id"], "type": row["type"], "date": row["date"], "place": row["place"],
        "perpetrator": row["perpetrator"], "status": row["status"], "summary": summary,
        "victims": {"killed": {"value": killed}} if killed else None,
        "cited": [{"source": source, "via": row["via"]} if row["via"] and row["via"] != source else {"source": source}
                  for source in row["sources"]],
        "sensitivity": row["sensitivity"],
        "imported": {"dataset": row["dataset"], "record": row["record"], "file": row["file"], "sha256": row["sha256"],
                     "on": row["imported_on"].isoformat(), "timestamp": row["timestamp"]},
    })


def acled_event_id(entry) -> str | None:
    """The ACLED event id of an entry imported from ACLED (event_id_cnty), else None."""
    imported = getattr(entry, "imported", None)
    return imported.record if imported is not None and imported.dataset == "acled" else None


# Entries -----------------------------------------------------------------------------------------

_ENTRY_LISTS = {kind: TypeAdapter(list[model]) for kind, model in _ENTRY_KINDS.items()}


def read_entries(path: Path) -> dict[str, list]:
    shown = display_path(path)
    try:
        data = json.loads(path.read_bytes())
        return {kind: _ENTRY_LISTS[kind].validate_python(data.get(kind, [])) for kind in _ENTRY_KINDS}
    except FileNotFoundError:
        return {kind: [] for kind in _ENTRY_KINDS}
    except (ValueError, ValidationError, AttributeError) as exc:
        raise StoreError(Problem(shown, 0, f"the imported entries are damaged ({str(exc).splitlines()[0]})",
                                 expected="the file `sitrep import` writes",
                                 hint="import the files again: sitrep import acled FILE --replace")) from None


def entries_json(entries: dict[str, list]) -> bytes:
    """entries.json: each kind's entries sorted by id, as JSON (stable: same entries, same bytes)."""
    data = {kind: [entry.model_dump(mode="json", exclude_defaults=True)
                   for entry in sorted(entries.get(kind, []), key=lambda e: e.id)] for kind in _ENTRY_KINDS}
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


# Attaching the bulk store to a loaded store ------------------------------------------------------

def attach(store, bulk: BulkStore) -> None:
    """Make the imported rows part of `store`: the places, actors, sources and figures imports
    brought (the curated store's own entries win), and the events, read week by week through
    the series. Raises StoreError when an imported row names what the store no longer has."""
    shown = display_path(bulk.folder / MANIFEST)
    entries = bulk.entries()
    problems = []
    for kind in ("places", "actors", "sources"):
        curated = store.kind(kind)
        for entry in entries[kind]:
            curated.setdefault(entry.id, entry)
    for figure in entries["figures"]:
        if figure.id in store.origins:
            where = store.origins[figure.id]
            problems.append(Problem(where.file, where.line, f"the id '{figure.id}' is also an imported figure's",
                                    expected="an id that `sitrep import` does not use (imported ids start with dtm-)"))
            continue
        store.figures[figure.id] = figure
    imported_ids = {row[0] for row in bulk.query(
        "SELECT id FROM events WHERE id IN (SELECT unnest(?::VARCHAR[]))",
        [[i for i in store.origins if i.startswith("acled-")]])}
    for entry_id in sorted(imported_ids):
        where = store.origins[entry_id]
        problems.append(Problem(where.file, where.line, f"the id '{entry_id}' is also an imported event's",
                                expected="an id that `sitrep import` does not use (imported ids start with acled-)"))
    for column, kind in (("place", "places"), ("perpetrator", "actors"), ("unnest(sources)", "sources"),
                         ("via", "sources")):
        for (missing,) in bulk.query(f"SELECT DISTINCT ref FROM (SELECT {column} AS ref FROM events) "
                                     "WHERE ref IS NOT NULL AND ref NOT IN (SELECT unnest(?::VARCHAR[])) ORDER BY ref",
                                     [list(store.kind(kind))]):
            problems.append(Problem(shown, 0, f"imported events name the {kind[:-1]} '{missing}', which the store "
                                              "no longer holds",
                                    expected=f"a {kind[:-1]} of the store, or of the imports (bulk/{PROPOSED})",
                                    hint="import the file again to match its rows to the store as it is now"))
    if problems:
        raise StoreError(problems)
    store.bulk = bulk


# Writing a new version ---------------------------------------------------------------------------

def write_version(folder: Path, events_sql: str, connection, entries: dict[str, list], imports: list[Import],
                  proposed_yaml: str, previous: str | None = None) -> None:
    """Write the tables of a new version, then make it current: the events the query
    `events_sql` gives (on `connection`), sorted by the day they became known; the entries; the
    manifest listing `imports`. Older versions are removed once the new one is current, but for
    the `previous` one, which a build that started before may still be reading."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".tables-new-{dt.datetime.now().strftime('%Y%m%d%H%M%S%f')}"
    staging.mkdir()
    try:
        connection.execute(f"COPY (SELECT {', '.join(EVENT_COLUMNS)} FROM ({events_sql}) "
                           "ORDER BY known_on, date_start, id) "
                           f"TO '{_sql_path(staging / EVENTS)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)")
        write_atomic(staging / ENTRIES, entries_json(entries))
        digest = hashlib.sha256()
        for name in (EVENTS, ENTRIES):
            digest.update(hashlib.sha256((staging / name).read_bytes()).digest())
        tables = f"tables-{digest.hexdigest()[:16]}"
        final = folder / tables
        if final.exists():  # the same tables as a version already written (an import that changed nothing)
            shutil.rmtree(staging)
        else:
            staging.rename(final)
        manifest = {"format": FORMAT, "tables": tables, "imports": [vars(item) for item in imports]}
        write_atomic(folder / PROPOSED, proposed_yaml)
        write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in folder.glob("tables-*"):
        if old.name not in (tables, previous):
            shutil.rmtree(old, ignore_errors=True)


def empty_events_sql() -> str:
    columns = ", ".join(f"NULL::{kind} AS {name}" for name, kind in EVENT_COLUMNS.items())
    return f"SELECT {columns} WHERE false"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

