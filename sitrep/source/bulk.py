"""The bulk store: rows imported from ACLED and IOM DTM (`sitrep import`), kept beside the
curated YAML store and read as the same models (docs/imports.md, "Imported data").

A country's events are 10^4-10^6 rows: too many for YAML, which people edit and git diffs. They
live in the workspace's `bulk/` folder instead:

    bulk/manifest.json          which tables are current, and every import that made them (git-diffable)
    bulk/tables-<digest>/       one version of the tables, never changed once written
        events.parquet          imported incidents, one row each, sorted by the day each became known
        entries.json            the figures, places, actors and sources imports brought (thousands at most)
        index.json              what every build asks of the events, worked out once as they are written:
                                how many became known each day, and the entries they name
    bulk/proposed.yaml          those places, actors and sources in the store's format, for a person to curate

Events are plain Parquet, read with DuckDB: a week's report loads only the rows that became known
in its week (the file is sorted by that day: DuckDB reads only its row groups); a report with none
never starts DuckDB (the series and checks read index.json). Everything else is small and loaded
whole. An import writes a new tables folder, then replaces manifest.json atomically: a reader sees
the old version or the new one, never half of one, and a failed import leaves the last good one.

The curated store wins: a place, actor or source defined in the YAML store replaces the one an
import proposed under the same id, so curating a proposal is copying it from proposed.yaml into
facts/ and grading or correcting it there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from sitrep.errors import Problem, StoreError, display_path
from sitrep.output import write_atomic
from sitrep.source.schema import KIND_SINGULAR, Actor, Figure, Incident, LocalText, Place, Source, list_of

BULK_DIR = "bulk"
MANIFEST = "manifest.json"
EVENTS = "events.parquet"
ENTRIES = "entries.json"
INDEX = "index.json"
PROPOSED = "proposed.yaml"
FORMAT = 1
# How a damaged bulk store is made again: from the files manifest.json lists.
REIMPORT_HINT = ("import the files again, the first with --replace (sitrep import acled FILE --replace): "
                 "bulk/manifest.json lists them")

# The events table: one imported incident per row. What the model needs, then what was read
# from the dataset (kept so that an export gives back what was imported).
EVENT_COLUMNS = {
    "id": "VARCHAR", "type": "VARCHAR", "date": "VARCHAR", "date_start": "DATE", "date_end": "DATE",
    "known_on": "DATE", "place": "VARCHAR", "perpetrator": "VARCHAR", "killed": "BIGINT", "summary": "VARCHAR",
    "summary_language": "VARCHAR", "sources": "VARCHAR[]", "via": "VARCHAR", "status": "VARCHAR",
    "sensitivity": "VARCHAR",
    # provenance
    "dataset": "VARCHAR", "record": "VARCHAR", "file": "VARCHAR", "sha256": "VARCHAR", "imported_on": "DATE",
    "timestamp": "BIGINT", "format": "VARCHAR", "assumptions": "VARCHAR[]", "set_aside": "VARCHAR[]",
    # the dataset's own coding (ACLED's columns), given back as it was by `sitrep export acled`
    "event_date": "DATE", "disorder_type": "VARCHAR", "assoc_actor_1": "VARCHAR", "assoc_actor_2": "VARCHAR",
    "interaction": "VARCHAR", "region": "VARCHAR", "event_type": "VARCHAR", "sub_event_type": "VARCHAR", "actor1": "VARCHAR", "actor2": "VARCHAR",
    "inter1": "VARCHAR", "inter2": "VARCHAR", "civilian_targeting": "VARCHAR", "country": "VARCHAR",
    "iso": "VARCHAR", "admin1": "VARCHAR", "admin2": "VARCHAR", "admin3": "VARCHAR", "location": "VARCHAR",
    "latitude": "DOUBLE", "longitude": "DOUBLE", "geo_precision": "INTEGER", "time_precision": "INTEGER",
    "source": "VARCHAR", "source_scale": "VARCHAR", "tags": "VARCHAR", "fatalities": "BIGINT",
}
# What the report needs of a row: read for a week, and nothing else.
MODEL_COLUMNS = ("id", "type", "date", "place", "perpetrator", "killed", "summary", "summary_language", "sources",
                 "via", "status", "sensitivity", "dataset", "record", "file", "sha256", "imported_on", "timestamp",
                 "fatalities", "format", "assumptions", "set_aside")

_ENTRY_KINDS = {"places": Place, "actors": Actor, "sources": Source, "figures": Figure}


def connect(spill_to: Path | None = None):
    """A DuckDB connection in memory: nothing is kept in a database between runs. A query opens
    its own (20 ms): `build --all` forks its workers, and a connection must not cross a fork. An
    import passes `spill_to`, where DuckDB may write what exceeds its memory (a 10^6-row file is 450 MB)."""
    import duckdb  # loaded only where imported rows are read: 40 ms, and most workspaces have none

    settings = {"memory_limit": MEMORY_LIMIT}
    if spill_to is not None:
        settings["temp_directory"] = str(spill_to)
    return duckdb.connect(config=settings)


MEMORY_LIMIT = "400MB"  # DuckDB's own buffers; it spills to disk beyond them


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
    # What the import made its rows: "public" or "restricted". None in a manifest written before
    # sitrep recorded it: not known, and a re-import of that file must then say which.
    sensitivity: str | None = None


@dataclass
class BulkStore:
    """The current version of the workspace's bulk tables."""

    folder: Path  # bulk/
    tables: str  # the name of the current tables folder
    imports: list[Import]
    digest: str  # of manifest.json: changes whenever any table does (their folder is named by their digest)
    # The imports of the versions that `--replace` discarded: what each file was imported as
    # outlives them, so that importing it again keeps it restricted.
    replaced: list[Import] = field(default_factory=list)
    _entries: dict | None = field(default=None, repr=False)
    _index: dict | None = field(default=None, repr=False)

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
            imports, replaced, data = _manifest_imports(raw)
            tables = str(data["tables"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(Problem(shown, 0, f"the imported data's manifest is damaged ({exc})",
                                     expected=f"the manifest `sitrep import` writes (format {FORMAT})",
                                     hint=REIMPORT_HINT))
        if "/" in tables or tables.startswith(".") or not all((folder / tables / name).is_file()
                                                               for name in (EVENTS, ENTRIES, INDEX)):
            raise StoreError(Problem(shown, 0, f"the imported tables it names ({tables}) are missing",
                                     expected="a tables folder beside manifest.json, as `sitrep import` writes it",
                                     hint=REIMPORT_HINT))
        return cls(folder, tables, imports, hashlib.sha256(raw).hexdigest(), replaced=replaced)

    @property
    def history(self) -> list[Import]:
        """Every import recorded, the replaced ones first, in the order they ran."""
        return [*self.replaced, *self.imports]

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

    def index(self) -> dict:
        """index.json: the events' counts by day, and the entries they name."""
        if self._index is None:
            path = self.tables_dir / INDEX
            try:
                self._index = json.loads(path.read_bytes())
                self._index["known_days"]["public"], self._index["references"]["places"]  # noqa: B018
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(Problem(display_path(path), 0, f"the imported events' index is damaged ({exc})",
                                         expected="the file `sitrep import` writes",
                                         hint=REIMPORT_HINT)) from None
        return self._index

    # Events ------------------------------------------------------------------------------------

    def query(self, sql: str, parameters: Iterable = ()) -> list[tuple]:
        """Rows of `sql`, in which the events table is called `events`. A table DuckDB cannot
        read (truncated, replaced) is one clear error, not a crash."""
        import duckdb

        with connect() as connection:
            try:
                connection.execute(f"CREATE VIEW events AS {events_of(_sql_path(self.events_file))}")
                return connection.execute(sql, list(parameters)).fetchall()
            except (duckdb.IOException, duckdb.InvalidInputException, duckdb.BinderException) as exc:
                raise StoreError(Problem(display_path(self.events_file), 0, "the imported events table cannot be read "
                                         f"({str(exc).splitlines()[0]})",
                                         expected="the file `sitrep import` writes",
                                         hint=REIMPORT_HINT)) from None

    def known_days(self, public_only: bool) -> dict[dt.date, int]:
        """How many events became known on each day (public ones only, for a public edition)."""
        days = self.index()["known_days"]["public" if public_only else "all"]
        return {dt.date.fromisoformat(day): n for day, n in days.items()}

    def incidents_known(self, first: dt.date | None, last: dt.date, public_only: bool) -> list[Incident]:
        """The events that became known from `first` (None: any day before) to `last`, as
        incidents, in the order they became known."""
        conditions = ["known_on <= ?"] + (["known_on >= ?"] if first else [])
        if public_only:
            conditions.append("sensitivity = 'public'")
        rows = self.query(f"SELECT {', '.join(MODEL_COLUMNS)} FROM events WHERE {' AND '.join(conditions)} "
                          "ORDER BY known_on, date_start, id", [last] + ([first] if first else []))
        return [incident_of(dict(zip(MODEL_COLUMNS, row))) for row in rows]

    def holds_restricted(self) -> bool:
        """Whether any imported event or entry is restricted."""
        days = self.index()["known_days"]
        return days["all"] != days["public"] or restricted_entries(self.entries())

    def counts(self) -> dict[str, int]:
        """What the imports brought, by kind: 'incidents' are the events."""
        counts = {kind: len(entries) for kind, entries in self.entries().items()}
        counts["incidents"] = sum(self.index()["known_days"]["all"].values())
        return counts

    def summary(self) -> str:
        """'1,684 incidents, 16 figures, 406 places, 6 actors, 15 sources imported (bulk/)'."""
        counts = self.counts()
        listed = [f"{counts[kind]:,} {KIND_SINGULAR[kind] if counts[kind] == 1 else kind}"
                  for kind in ("incidents", "figures", "places", "actors", "sources") if counts[kind]]
        return f"{', '.join(listed) or 'nothing'} imported ({display_path(self.folder)}/)"


def _manifest_imports(raw: bytes) -> tuple[list[Import], list[Import], dict]:
    """(the imports, the replaced imports, the whole manifest) of manifest.json's bytes; raises
    ValueError, KeyError, TypeError or AttributeError when they are not what an import writes."""
    data = json.loads(raw)
    if data.get("format") != FORMAT:
        raise ValueError(f"format {data.get('format')!r}")
    imports = [_import_of(item) for item in data["imports"]]
    replaced = [_import_of(item) for item in data.get("replaced_imports", [])]
    return imports, replaced, data


def _import_of(item: dict) -> Import:
    if Import(**item).sensitivity not in (None, "public", "restricted"):
        raise ValueError(f"sensitivity {item.get('sensitivity')!r}")
    return Import(**item)


def import_history(workspace: Path) -> tuple[list[Import], str | None]:
    """Every import bulk/manifest.json records (replaced ones included), even when the tables it
    names are lost: what `--replace` carries over. The second value says why the manifest could
    not be read, None when it could (or when there is none)."""
    path = workspace / BULK_DIR / MANIFEST
    try:
        imports, replaced, _ = _manifest_imports(path.read_bytes())
    except FileNotFoundError:
        return [], None
    except OSError as exc:
        return [], exc.strerror or str(exc)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return [], f"damaged: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return [*replaced, *imports], None


# What `sitrep export acled` gives back of an imported event as ACLED coded it: the columns that
# describe the event. Its sources, notes and fatalities are the incident's (a source a person has
# since restricted is withheld as in the report).
ACLED_CODING = ("event_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
                "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
                "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                "geo_precision", "source_scale", "fatalities", "tags")


def acled_coding(bulk: BulkStore | None, records: list[str]) -> dict[str, dict[str, str]]:
    """ACLED's own columns of the imported events with these event ids, as text ('' for none)."""
    if bulk is None or not records:
        return {}
    rows = bulk.query(f"SELECT record, {', '.join(ACLED_CODING)} FROM events WHERE dataset = 'acled' "
                      "AND record IN (SELECT unnest(?::VARCHAR[]))", [records])
    return {row[0]: {column: _acled_text(column, value) for column, value in zip(ACLED_CODING, row[1:])}
            for row in rows}


def _acled_text(column: str, value) -> str:
    if value is None or column in ("latitude", "longitude"):
        return "" if value is None else f"{value:.4f}"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def incident_of(row: dict) -> Incident:
    """An events row as the store's Incident (validated: a damaged table is refused, not printed).
    ACLED's fatalities not counted as civilians killed are fatalities of unknown civilian status."""
    summary = LocalText(row["summary"], row["summary_language"]) if row["summary_language"] else row["summary"]
    killed, fatalities = row["killed"], row.get("fatalities")
    victims = {"killed": {"value": killed}} if killed else {}
    if not killed and fatalities and row["dataset"] == "acled":
        victims["fatalities"] = {"value": fatalities}
    return Incident.model_validate({
        "id": row["id"], "type": row["type"], "date": row["date"], "place": row["place"],
        "perpetrator": row["perpetrator"], "status": row["status"], "summary": summary, "victims": victims or None,
        "cited": [{"source": source, "via": row["via"]} if row["via"] and row["via"] != source else {"source": source}
                  for source in row["sources"]],
        "sensitivity": row["sensitivity"],
        "imported": {"dataset": row["dataset"], "record": row["record"], "file": row["file"], "sha256": row["sha256"],
                     "on": row["imported_on"].isoformat(), "timestamp": row["timestamp"],
                     "format": row.get("format"), "assumptions": row.get("assumptions") or [],
                     "set_aside": row.get("set_aside") or []},
    })


def acled_event_id(entry) -> str | None:
    """The ACLED event id of an entry imported from ACLED (event_id_cnty), else None."""
    imported = getattr(entry, "imported", None)
    return imported.record if imported is not None and imported.dataset == "acled" else None


# Entries -----------------------------------------------------------------------------------------


def read_entries(path: Path) -> dict[str, list]:
    shown = display_path(path)
    try:
        data = json.loads(path.read_bytes())
        return {kind: list_of(_ENTRY_KINDS[kind]).validate_python(data.get(kind, [])) for kind in _ENTRY_KINDS}
    except FileNotFoundError:
        return {kind: [] for kind in _ENTRY_KINDS}
    except (ValueError, ValidationError, AttributeError) as exc:
        raise StoreError(Problem(shown, 0, f"the imported entries are damaged ({str(exc).splitlines()[0]})",
                                 expected="the file `sitrep import` writes",
                                 hint=REIMPORT_HINT)) from None


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
    for place in entries["places"]:  # a proposed place under a governorate of the store deleted since
        if place.parent and place.parent not in store.places and store.places.get(place.id) is place:
            problems.append(Problem(shown, 0, f"the imported place '{place.id}' lies in '{place.parent}', which the "
                                              "store no longer holds",
                                    expected=f"a place of the store, or of the imports (bulk/{PROPOSED})",
                                    hint="put the entry back, or import the file again"))
    for figure in entries["figures"]:
        named = [("place", figure.place, "places")] + [("source", s, "sources") for c in figure.cited
                                                        for s in (c.source, c.via) if s]
        for what, entry_id, kind in named:
            if entry_id not in store.kind(kind):
                problems.append(Problem(shown, 0, f"the imported figure '{figure.id}' names the {what} '{entry_id}', "
                                                  "which the store no longer holds",
                                        expected=f"a {what} of the store, or of the imports (bulk/{PROPOSED})",
                                        hint="import the file again, or put the entry back"))
        if figure.id in store.origins:
            where = store.origins[figure.id]
            problems.append(Problem(where.file, where.line, f"the id '{figure.id}' is also an imported figure's",
                                    expected="an id that `sitrep import` does not use (imported ids start with dtm-)"))
            continue
        store.figures[figure.id] = figure
    curated_like_imported = [i for i in store.origins if i.startswith("acled-")]  # rare: asked only then
    if curated_like_imported:
        for (entry_id,) in bulk.query("SELECT id FROM events WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
                                      [curated_like_imported]):
            where = store.origins[entry_id]
            problems.append(Problem(where.file, where.line, f"the id '{entry_id}' is also an imported event's",
                                    expected="an id that `sitrep import` does not use (imported ids start with acled-)"))
    for kind, named in bulk.index()["references"].items():
        for missing in sorted(set(named) - set(store.kind(kind))):
            problems.append(Problem(shown, 0, f"imported events name the {kind[:-1]} '{missing}', which the store "
                                              "no longer holds",
                                    expected=f"a {kind[:-1]} of the store, or of the imports (bulk/{PROPOSED})",
                                    hint="put the entry back, or import the file again (sitrep import acled FILE): "
                                         "its rows are matched to the store as it is now"))
    if problems:
        raise StoreError(problems)
    store.bulk = bulk


# Writing a new version ---------------------------------------------------------------------------

def write_version(folder: Path, events_sql: str, connection, entries: dict[str, list], imports: list[Import],
                  proposed_yaml: str, previous: str | None = None, replaced: list[Import] | None = None,
                  private: bool = False) -> None:
    """Write the tables of a new version, then make it current: the events the query
    `events_sql` gives (on `connection`), sorted by the day they became known; the entries; the
    manifest listing `imports` (and the `replaced` imports of discarded versions). Older versions
    are removed once the new one is current, but for the `previous` one, which a build that
    started before may still be reading. `private`: the version holds restricted rows, so
    bulk/ and everything in it become its owner's only (make_private)."""
    folder.mkdir(parents=True, exist_ok=True)
    if private:
        make_private(folder)  # before anything restricted is written into it
    staging = folder / f".tables-new-{dt.datetime.now().strftime('%Y%m%d%H%M%S%f')}"
    staging.mkdir(mode=0o700 if private else 0o777)
    try:
        connection.execute(f"COPY (SELECT {', '.join(EVENT_COLUMNS)} FROM ({events_sql}) "
                           "ORDER BY known_on, date_start, id) "
                           f"TO '{_sql_path(staging / EVENTS)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)")
        write_atomic(staging / ENTRIES, entries_json(entries))
        write_atomic(staging / INDEX, index_json(connection, staging / EVENTS))
        digest = hashlib.sha256()
        for name in (EVENTS, ENTRIES, INDEX):
            digest.update(hashlib.sha256((staging / name).read_bytes()).digest())
        tables = f"tables-{digest.hexdigest()[:16]}"
        final = folder / tables
        if final.exists() and _same_files(final, staging):  # an import that changed nothing
            shutil.rmtree(staging)
        else:
            shutil.rmtree(final, ignore_errors=True)  # a version of that name damaged since it was written
            staging.rename(final)
        if private:
            make_private(final)
        manifest = {"format": FORMAT, "tables": tables, "imports": [vars(item) for item in imports]}
        if replaced:
            manifest["replaced_imports"] = [vars(item) for item in replaced]
        write_atomic(folder / PROPOSED, proposed_yaml, private=private)
        write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", private=private)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in [*folder.glob("tables-*"), *folder.glob(".tables-new-*")]:  # and an interrupted import's
        if old.name not in (tables, previous):
            shutil.rmtree(old, ignore_errors=True)


def restricted_entries(entries: dict[str, list]) -> bool:
    """Whether any of the figures, places, actors or sources is restricted."""
    return any(getattr(entry, "sensitivity", "public") == "restricted" for kind in entries for entry in entries[kind])


def make_private(folder: Path) -> None:
    """`folder` and everything in it readable by the owner only (folders 0700, files 0600),
    whatever the umask: bulk/ holding restricted rows is kept as the internal edition is."""
    os.chmod(folder, 0o700)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _same_files(folder: Path, other: Path) -> bool:
    try:  # a version of that name unreadable since it was written is not the same
        return all((folder / name).read_bytes() == (other / name).read_bytes() for name in (EVENTS, ENTRIES, INDEX))
    except OSError:
        return False


def index_json(connection, events: Path) -> bytes:
    """index.json for the events file: how many became known each day (all, and public only),
    and the places, actors and sources they name."""
    table = f"read_parquet('{_sql_path(events)}')"

    def days(where: str) -> dict[str, int]:
        return {day.isoformat(): n for day, n in connection.execute(
            f"SELECT known_on, count(*) FROM {table} {where} GROUP BY known_on ORDER BY known_on").fetchall()}

    def named(column: str) -> list[str]:
        return [ref for (ref,) in connection.execute(
            f"SELECT DISTINCT ref FROM (SELECT {column} AS ref FROM {table}) WHERE ref IS NOT NULL ORDER BY ref").fetchall()]

    index = {"known_days": {"all": days(""), "public": days("WHERE sensitivity = 'public'")},
             "references": {"places": named("place"), "actors": named("perpetrator"),
                            "sources": sorted(set(named("unnest(sources)")) | set(named("via")))}}
    return json.dumps(index, indent=1).encode()


def empty_events_sql() -> str:
    return f"SELECT {', '.join(f'NULL::{kind} AS {name}' for name, kind in EVENT_COLUMNS.items())} WHERE false"


def events_of(path: str | None) -> str:
    """The events of a table file (its path quoted for SQL), or none: every column of
    EVENT_COLUMNS, those a store written by an earlier sitrep lacks (format, assumptions...) empty."""
    return (f"SELECT * FROM ({empty_events_sql()}) UNION ALL BY NAME SELECT * FROM read_parquet('{path}')"
            if path else empty_events_sql())


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

