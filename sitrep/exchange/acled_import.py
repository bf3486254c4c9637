"""`sitrep import acled FILE.csv`: ACLED events as the store's incidents (docs/imports.md, "Imported data").

Every row is checked first, and any bad row stops the import before anything is written (one
message per problem, with its row). Then, for the rows of the types sitrep documents
(acled.SITREP_TYPE_OF; the others are counted and left out):

- the date, at ACLED's time_precision: a day (1), the ISO week holding the date (2), its month (3);
- the place: the store's place of that name within 25 km, or any place within 1 km; else a place
  proposed for it, under its admin1 region (itself matched or proposed);
- the perpetrator: actor1, matched by name or alias, or proposed (with its kind from inter1);
  none when actor1 is civilians, protesters or rioters;
- the citations: each outlet of ACLED's `source` field (matched by name, or proposed with
  reliability F until a person grades it), relayed by ACLED (the source `acled`);
- status "alleged": ACLED codes what outlets report; the report attributes what one ungraded
  source says, never states it;
- provenance: the dataset, its event id, the file's name and SHA-256, the import's day, and the
  row's `timestamp`.

Re-importing merges by event id: a row whose timestamp is newer than the one held replaces it, an
older or equal one changes nothing, a new one is added; events held but absent from the file are
kept unless `--drop-missing` (an ACLED file is often one period or one region of the dataset).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sitrep.errors import Problem
from sitrep.progress import SILENT, Progress
from sitrep.exchange import acled
from sitrep.exchange.importdates import column_dates, define_date_macro
from sitrep.exchange.importfile import (ImportFile, ImportRefused, read_csv, refuse_if_any, require_columns,
                                        row_problems)
from sitrep.exchange.matching import Matcher
from sitrep.source.bulk import EVENT_COLUMNS, empty_events_sql

REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
            "country", "admin1", "location", "latitude", "longitude", "source", "notes", "fatalities", "timestamp")
OPTIONAL = ("year", "disorder_type", "assoc_actor_1", "actor2", "assoc_actor_2", "inter2", "interaction",
            "civilian_targeting", "iso", "region", "admin2", "admin3", "geo_precision", "source_scale", "tags")

ACLED_SOURCE_ID = "acled"
ACLED_SOURCE_NAME = "ACLED (Armed Conflict Location & Event Data)"
ACLED_URL = "https://acleddata.com"

# ACLED's event_date, in whichever form the file writes it: a macro of the expression that
# importdates.column_dates decides for the file, defined by check_rows.
_DATE = "_event_date(event_date)"
_COUNT = r"regexp_full_match(trim({c}), '[0-9]{{1,15}}')"  # a whole number that fits (no overflow)
_NUMBER = r"regexp_full_match(trim({c}), '-?[0-9]{{1,3}}(\.[0-9]+)?')"
RECORD = "upper(trim(event_id_cnty))"  # ACLED's ids are upper case: irq1 and IRQ1 are one event


@dataclass
class AcledRows:
    """What the checked file holds, ready to merge."""

    rows: int
    skipped: Counter = field(default_factory=Counter)  # sub-event type -> rows left out


def check_rows(connection, source: ImportFile, today: dt.date, date_format: str | None = None) -> AcledRows:
    """Load the file into the table `acled` and check every row; raises ImportRefused listing
    each bad row. An empty cell where a value is needed is a bad row too."""
    columns = read_csv(connection, source, "acled")
    require_columns(source, columns, REQUIRED, "an ACLED export")
    for column in OPTIONAL:
        if column not in columns:
            connection.execute(f'ALTER TABLE acled ADD COLUMN "{column}" VARCHAR')
    problems = []  # the dates' first, with the other checks' below
    define_date_macro(connection, _DATE, column_dates(connection, source, "acled", "event_date", stated=date_format,
                                                      today=today, expected="the date of an event that has happened",
                                                      problems=problems))
    known_subs = ", ".join(f"'{s}'" for s in acled.EVENT_TYPE_OF_SUB)
    checks = [
        ("coalesce(trim(event_id_cnty), '') = ''", "event_id_cnty", "is empty", "ACLED's event id, such as IRQ12345"),
        ("NOT regexp_full_match(lower(trim(event_id_cnty)), '[a-z0-9][a-z0-9._-]{0,100}')", "event_id_cnty",
         "{value} is not an ACLED event id", "letters and digits, such as IRQ12345"),
        (f"{RECORD} IN (SELECT {RECORD} FROM acled GROUP BY 1 HAVING count(*) > 1)",
         "event_id_cnty", "{value} is on more than one row (ids are compared regardless of case)", "each event once"),
        ("trim(time_precision) NOT IN ('1', '2', '3')", "time_precision", "{value} is not a precision code",
         "1 (the day), 2 (the week) or 3 (the month)"),
        ("coalesce(trim(geo_precision), '1') NOT IN ('1', '2', '3')", "geo_precision", "{value} is not a precision code",
         "1 (the place), 2 (near it) or 3 (the region)"),
        (f"trim(sub_event_type) NOT IN ({known_subs})", "sub_event_type", "{value} is not one of ACLED's sub-event types",
         "a sub-event type of ACLED's codebook, such as Armed clash or Attack"),
        (f"NOT {_NUMBER.format(c='latitude')} OR NOT (TRY_CAST(trim(latitude) AS DOUBLE) BETWEEN -90 AND 90)", "latitude",
         "{value} is not a latitude", "a number from -90 to 90"),
        (f"NOT {_NUMBER.format(c='longitude')} OR NOT (TRY_CAST(trim(longitude) AS DOUBLE) BETWEEN -180 AND 180)",
         "longitude", "{value} is not a longitude", "a number from -180 to 180"),
        ("coalesce(trim(location), '') = ''", "location", "is empty", "the place's name"),
        ("coalesce(trim(country), '') = ''", "country", "is empty", "the country's name"),
        (f"NOT {_COUNT.format(c='fatalities')}", "fatalities", "{value} is not a count",
         "a whole number, 0 when none were reported"),
        (f"NOT {_COUNT.format(c='timestamp')}", "timestamp", "{value} is not a timestamp",
         "ACLED's timestamp: seconds since 1970"),
    ]
    # A condition on an empty cell is NULL, neither true nor false: such a row is wrong too.
    checks = [(f"coalesce(({condition}), true)", *rest) for condition, *rest in checks]
    refuse_if_any(source, problems + row_problems(connection, source, checks, "acled"))
    rows = connection.execute("SELECT count(*) FROM acled").fetchone()[0]
    if rows == 0:
        raise ImportRefused([_problem(source, "the file holds a header and no rows", "at least one event")])
    mapped = ", ".join(f"'{s}'" for s in acled.SITREP_TYPE_OF)
    # Every row of the file, kept or not: what the merge knows of each event the file has.
    connection.execute(f"""CREATE TEMP TABLE _file AS SELECT {RECORD} AS record,
        CAST(trim(timestamp) AS BIGINT) AS timestamp, trim(sub_event_type) IN ({mapped}) AS kept,
        {_DATE} AS event_date, trim(country) AS country FROM acled""")
    skipped = Counter(dict(connection.execute(
        f"SELECT trim(sub_event_type), count(*) FROM acled WHERE trim(sub_event_type) NOT IN ({mapped}) GROUP BY 1"
    ).fetchall()))
    return AcledRows(rows, skipped)


def _problem(source: ImportFile, message: str, expected: str) -> Problem:
    return Problem(source.shown, 0, message, expected=expected)


@dataclass
class Matched:
    """The ids the import's own sources were matched to (the store may call ACLED otherwise)."""

    acled: str = ACLED_SOURCE_ID


def match_entries(connection, matcher: Matcher, sensitivity: str, progress: Progress = SILENT) -> Matched:
    """Match each distinct location, actor and outlet of the rows to the store (or propose one),
    into the tables `_places`, `_actors`, `_sources` that the events query joins. The places,
    the slow part (each compared with every place by distance), are counted on `progress`."""
    mapped = ", ".join(f"'{s}'" for s in acled.SITREP_TYPE_OF)
    connection.execute(f"CREATE TEMP VIEW _kept AS SELECT * FROM acled WHERE trim(sub_event_type) IN ({mapped})")
    matched = Matched(matcher.source(ACLED_SOURCE_NAME, "ngo", ACLED_SOURCE_ID, ACLED_URL))
    places = []
    regions: dict[tuple[str, str], str] = {}
    locations = connection.execute("""
            SELECT trim(country), trim(coalesce(admin1, '')), trim(location),
                   round(CAST(trim(latitude) AS DOUBLE), 4), round(CAST(trim(longitude) AS DOUBLE), 4),
                   min(CAST(coalesce(trim(geo_precision), '1') AS INTEGER))
            FROM _kept GROUP BY ALL ORDER BY ALL""").fetchall()
    progress.start(len(locations), "places to match")
    try:
        for location in locations:
            places.append(_matched_place(matcher, regions, *location))
            progress.advance()
    finally:
        progress.finish()
    _insert_places(connection, places)
    actors = []
    for name, inter in connection.execute("SELECT DISTINCT trim(actor1), trim(inter1) FROM _kept "
                                          "WHERE coalesce(trim(actor1), '') <> '' ORDER BY ALL").fetchall():
        kind = acled.ACTOR_KIND_OF_TYPE.get(_actor_type(inter))
        actors.append((name, inter, matcher.actor(name, kind) if kind else None))
    connection.execute("CREATE TEMP TABLE _actors (name VARCHAR, inter VARCHAR, actor VARCHAR)")
    if actors:
        connection.executemany("INSERT INTO _actors VALUES (?, ?, ?)", actors)
    outlets = [(name, matcher.source(name, sensitivity=sensitivity)) for (name,) in connection.execute(
        "SELECT DISTINCT trim(s) AS name FROM (SELECT unnest(string_split(source, ';')) AS s FROM _kept) "
        "WHERE trim(s) <> '' ORDER BY name").fetchall()]
    connection.execute("CREATE TEMP TABLE _sources (name VARCHAR, source VARCHAR)")
    if outlets:
        connection.executemany("INSERT INTO _sources VALUES (?, ?)", outlets)
    return matched


def _matched_place(matcher: Matcher, regions: dict[tuple[str, str], str], country: str, admin1: str, location: str,
                   lat: float, lon: float, precision: int) -> tuple:
    """A row of `_places`: the location, and the place it is matched to (its region's first)."""
    parent = None
    if admin1:
        key = (country, admin1)
        if key not in regions:
            regions[key] = matcher.place(admin1, None, None, "governorate", None, kinds=REGION_KINDS)
        parent = regions[key]
    kind = "town" if precision == 1 else "area"
    return country, admin1, location, lat, lon, matcher.place(location, lat, lon, kind, parent, kinds=LOCATION_KINDS)


def _insert_places(connection, places: list[tuple]) -> None:
    connection.execute("CREATE TEMP TABLE _places (at_country VARCHAR, at_admin1 VARCHAR, at_location VARCHAR, "
                       "at_lat DOUBLE, at_lon DOUBLE, place VARCHAR)")
    if places:
        connection.executemany("INSERT INTO _places VALUES (?, ?, ?, ?, ?, ?)", places)


# What an ACLED location may be matched to by its name, and what its admin1 may.
REGION_KINDS = ("governorate",)
LOCATION_KINDS = ("city", "town", "village", "neighbourhood", "area", "camp", "checkpoint", "crossing")


def _actor_type(inter: str | None) -> str:
    """ACLED's actor type in its export's words: older files write a digit, and some the plural
    ("Rebel groups")."""
    inter = (inter or "").strip()
    inter = acled.ACTOR_TYPES.get(inter, inter)
    singular = inter[:-1] if inter.endswith("s") and inter[:-1] in acled.ACTOR_KIND_OF_TYPE else inter
    return singular


def events_sql(source: ImportFile, imported_on: dt.date, sensitivity: str, matched: Matched) -> str:
    """The file's kept rows as rows of the events table (bulk.EVENT_COLUMNS)."""
    date = _DATE
    precision = "CAST(trim(time_precision) AS INTEGER)"
    types = " ".join(f"WHEN '{sub}' THEN '{code}'" for sub, code in acled.SITREP_TYPE_OF.items())
    quoted = lambda text: "'" + text.replace("'", "''") + "'"  # noqa: E731
    targeting = f"trim(civilian_targeting) = '{acled.CIVILIAN_TARGETING}'"
    return f"""
    WITH rows AS (
        SELECT k.*, {date} AS d, {precision} AS tp,
               round(CAST(trim(latitude) AS DOUBLE), 4) AS lat, round(CAST(trim(longitude) AS DOUBLE), 4) AS lon
        FROM _kept k),
    cited AS (
        SELECT _row, list_sort(list_distinct(list(s.source))) AS sources
        FROM (SELECT _row, trim(unnest(string_split(source, ';'))) AS name FROM _kept) o
        JOIN _sources s USING (name) GROUP BY _row)
    SELECT
        'acled-' || lower(trim(event_id_cnty)) AS id,
        CASE WHEN coalesce({targeting}, false)
                  AND trim(sub_event_type) IN ('Armed clash', 'Shelling/artillery/missile attack', 'Grenade',
                                               'Air/drone strike')
             THEN 'attack_on_civilians' ELSE CASE trim(sub_event_type) {types} END END AS type,
        CASE tp WHEN 1 THEN strftime(d, '%Y-%m-%d') WHEN 2 THEN strftime(d, '%G-W%V') ELSE strftime(d, '%Y-%m') END AS date,
        CASE tp WHEN 1 THEN d WHEN 2 THEN date_trunc('week', d)::DATE ELSE date_trunc('month', d)::DATE END AS date_start,
        CASE tp WHEN 1 THEN d WHEN 2 THEN (date_trunc('week', d) + INTERVAL 6 DAY)::DATE ELSE last_day(d) END AS date_end,
        CASE tp WHEN 1 THEN d WHEN 2 THEN (date_trunc('week', d) + INTERVAL 6 DAY)::DATE ELSE last_day(d) END AS known_on,
        p.place,
        a.actor AS perpetrator,
        -- ACLED's fatalities count every party: they are civilians killed only where it marks
        -- civilian targeting. Otherwise they stay with ACLED's coding (exports give them back).
        CASE WHEN coalesce({targeting}, false) AND CAST(trim(fatalities) AS BIGINT) > 0
             THEN CAST(trim(fatalities) AS BIGINT) END AS killed,
        CASE WHEN coalesce(trim(notes), '') = '' THEN trim(sub_event_type) || ' at ' || trim(location) || ' (ACLED)'
             ELSE trim(notes) END AS summary,
        'en' AS summary_language,
        coalesce(c.sources, [{quoted(matched.acled)}]) AS sources,
        {quoted(matched.acled)} AS via,
        'alleged' AS status,
        '{sensitivity}' AS sensitivity,
        'acled' AS dataset, {RECORD} AS record, {quoted(source.recorded_as)} AS file,
        '{source.sha256}' AS sha256, DATE '{imported_on.isoformat()}' AS imported_on,
        CAST(trim(timestamp) AS BIGINT) AS timestamp,
        d AS event_date, trim(disorder_type) AS disorder_type, trim(assoc_actor_1) AS assoc_actor_1,
        trim(assoc_actor_2) AS assoc_actor_2, trim(interaction) AS interaction, trim(region) AS region,
        trim(event_type) AS event_type, trim(sub_event_type) AS sub_event_type, trim(actor1) AS actor1,
        trim(actor2) AS actor2, trim(inter1) AS inter1, trim(inter2) AS inter2,
        trim(civilian_targeting) AS civilian_targeting, trim(country) AS country, trim(iso) AS iso,
        trim(admin1) AS admin1, trim(admin2) AS admin2, trim(admin3) AS admin3, trim(location) AS location,
        lat AS latitude, lon AS longitude, CAST(coalesce(trim(geo_precision), '1') AS INTEGER) AS geo_precision,
        tp AS time_precision, trim(source) AS source, trim(source_scale) AS source_scale, trim(tags) AS tags,
        CAST(trim(fatalities) AS BIGINT) AS fatalities
    FROM rows r
    LEFT JOIN cited c USING (_row)
    JOIN _places p ON p.at_country IS NOT DISTINCT FROM trim(r.country) AND p.at_admin1 = trim(coalesce(r.admin1, ''))
         AND p.at_location = trim(r.location) AND p.at_lat = r.lat AND p.at_lon = r.lon
    LEFT JOIN _actors a ON a.name = trim(r.actor1) AND a.inter IS NOT DISTINCT FROM trim(r.inter1)
    """


# What a merge may do with each event, held or in the file (`_decide`):
FATES = {
    "added": "new in this file",
    "updated": "changed in this file: a newer row, or matched anew to the store",
    "unchanged": "as held",
    "older": "the file's row is older than the one held: kept as held",
    "left_out": "now of a type sitrep does not document: dropped",
    "missing": "held, and not in the file: kept",
    "dropped": "held, not in the file, and within its countries and dates: dropped (--drop-missing)",
}
# What must differ for a re-imported row to count as updated (its provenance aside).
_CONTENT = [c for c in EVENT_COLUMNS if c not in ("file", "sha256", "imported_on")]


def _decide(existing: str | None, drop_missing: bool, lowering: bool = False) -> str:
    """The merge's decisions: one row per event held (of ACLED) or in the file, with its fate.
    `lowering` (--public): the file's events are public, those held restricted included."""
    held = f"SELECT * FROM read_parquet('{existing}')" if existing else empty_events_sql()
    same = " AND ".join(f"h.{c} IS NOT DISTINCT FROM n.{c}" for c in _CONTENT if c != "sensitivity")
    return f"""
    WITH held AS ({held}),
    h AS (SELECT * FROM held WHERE dataset = 'acled'),
    span AS (SELECT min(event_date) AS first_day, max(event_date) AS last_day FROM _file WHERE kept),
    countries AS (SELECT DISTINCT country FROM _file WHERE kept),
    joined AS (
        SELECT h.record AS held_record, n.record AS new_record, f.record AS file_record,
               CASE WHEN {str(lowering).lower()} AND f.record IS NOT NULL THEN 'public'
                    WHEN h.sensitivity = 'restricted' OR n.sensitivity = 'restricted' OR
                         (h.record IS NOT NULL AND f.record IS NOT NULL AND '{{import_sensitivity}}' = 'restricted')
                    THEN 'restricted' ELSE 'public' END AS sensitivity,
               CASE
                 WHEN h.record IS NULL THEN 'added'
                 WHEN f.record IS NULL THEN
                   CASE WHEN {str(drop_missing).lower()} AND h.country IN (SELECT country FROM countries)
                             AND h.event_date BETWEEN (SELECT first_day FROM span) AND (SELECT last_day FROM span)
                        THEN 'dropped' ELSE 'missing' END
                 WHEN f.timestamp < h.timestamp THEN 'older'
                 WHEN NOT f.kept THEN 'left_out'
                 WHEN {same} THEN 'unchanged'
                 ELSE 'updated'
               END AS fate
        FROM h FULL OUTER JOIN _new n ON n.record = h.record
        LEFT JOIN _file f ON f.record = coalesce(h.record, n.record))
    """


def merge_sql(existing: str | None, drop_missing: bool, sensitivity: str, lowering: bool = False) -> str:
    """The events table after the merge: events of other datasets as held; of ACLED, each as its
    fate says. Sensitivity only rises unless `lowering` (--public): a row restricted once stays
    restricted, and a restricted import makes the rows it holds restricted."""
    held = f"SELECT * FROM read_parquet('{existing}')" if existing else empty_events_sql()
    decide = _decide(existing, drop_missing, lowering).replace("{import_sensitivity}", sensitivity)
    held_columns = ", ".join("j.sensitivity" if c == "sensitivity" else f"h.{c}" for c in EVENT_COLUMNS)
    new_columns = ", ".join("j.sensitivity" if c == "sensitivity" else f"n.{c}" for c in EVENT_COLUMNS)
    all_held = ", ".join(EVENT_COLUMNS)
    return f"""{decide}
    SELECT {all_held} FROM ({held}) WHERE dataset <> 'acled'
    UNION ALL
    SELECT {held_columns} FROM joined j JOIN h ON h.record = j.held_record
    WHERE j.fate IN ('unchanged', 'older', 'missing')
    UNION ALL
    SELECT {new_columns} FROM joined j JOIN _new n ON n.record = j.new_record
    WHERE j.fate IN ('added', 'updated')
    """


def change_counts(connection, existing: str | None, drop_missing: bool, sensitivity: str,
                  lowering: bool = False) -> dict[str, int]:
    """How many events each fate holds (bulk's counts: added, updated, unchanged, ...)."""
    decide = _decide(existing, drop_missing, lowering).replace("{import_sensitivity}", sensitivity)
    found = dict(connection.execute(f"{decide} SELECT fate, count(*) FROM joined GROUP BY fate").fetchall())
    # A held row the file has unchanged, that this import makes restricted (or, --public, public), is updated.
    made_restricted = connection.execute(f"{decide} SELECT count(*) FROM joined j JOIN h ON h.record = j.held_record "
                                         "WHERE j.fate IN ('unchanged', 'older') AND j.sensitivity <> h.sensitivity"
                                         ).fetchone()[0]
    counts = {fate: found.get(fate, 0) for fate in FATES}
    counts["unchanged"] -= min(made_restricted, counts["unchanged"])
    counts["updated"] += made_restricted
    return counts
