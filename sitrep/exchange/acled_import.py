"""`sitrep import acled FILE.csv`: ACLED events as the store's incidents (docs/imports.md, "Imported data").

The file's format (its column set since 2015, dyadic or monadic) is told from its header
(acled_formats.py); a monadic file's two rows of an event are merged into one. Every row is checked first, and any bad row stops the import before anything is written (one
message per problem, with its row). Then, for the rows of the types sitrep documents
(acled.SITREP_TYPE_OF; the others are counted and left out):

- the date, at ACLED's time_precision: a day (1), the ISO week holding the date (2), its month (3);
- the place: the store's place of that name within 25 km, or any place within 1 km; else a place
  proposed for it, under its admin1 region (itself matched or proposed), under the row's country;
- the victims: ACLED's fatalities are civilians killed where it codes civilian targeting (or, in a
  format without that column, the event is violence against civilians); otherwise fatalities of
  unknown civilian status, never added to civilians killed;
- the perpetrator: actor1, matched by name or alias, or proposed (with its kind from inter1);
  none when actor1 is civilians, protesters or rioters;
- the citations: each outlet of ACLED's `source` field (matched by name, or proposed with
  reliability F until a person grades it), relayed by ACLED (the source `acled`);
- status "alleged": ACLED codes what outlets report; the report attributes what one ungraded
  source says, never states it;
- provenance: the dataset, its event id, the file's name and SHA-256, the import's day, and the
  row's `timestamp`.

Re-importing merges by event id: a row whose timestamp is newer than the one held replaces it, an
older or equal one changes nothing, a new one is added (a row without a timestamp, from a file
before 2019, replaces only an event held without one); events held but absent from the file are
kept unless `--drop-missing` (an ACLED file is often one period or one region of the dataset).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sitrep.errors import Problem
from sitrep.progress import SILENT, Progress
from sitrep.exchange import acled, acled_formats
from sitrep.exchange.acled_formats import Format
from sitrep.exchange.importdates import column_dates, define_date_macro
from sitrep.exchange.importfile import ImportFile, ImportRefused, read_csv, refuse_if_any, row_problems
from sitrep.exchange.matching import Matcher
from sitrep.source.bulk import EVENT_COLUMNS, events_of

# The columns a format may lack, read as empty (acled_formats says which each format has).
OPTIONAL = ("year", "disorder_type", "sub_event_type", "assoc_actor_1", "actor2", "assoc_actor_2", "inter2",
            "interaction", "civilian_targeting", "iso", "iso3", "region", "admin2", "admin3", "geo_precision",
            "source_scale", "tags", "timestamp")

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
    format: Format
    skipped: Counter = field(default_factory=Counter)  # sub-event type (or old event type) -> rows left out


def check_rows(connection, source: ImportFile, today: dt.date, date_format: str | None = None) -> AcledRows:
    """Load the file into the table `acled` (today's columns, a monadic file's events merged) and
    check every row; raises ImportRefused listing each bad row. An empty cell where a value is
    needed is a bad row too. `date_format` (--date-format) says how to read a numeric date."""
    columns = read_csv(connection, source, "acled")
    fmt = acled_formats.detect(source, columns)
    for old, new in acled_formats.RENAMED.items():
        if old in columns and new not in columns:
            connection.execute(f'ALTER TABLE acled RENAME COLUMN "{old}" TO "{new}"')
            columns.append(new)
    for column in OPTIONAL:
        if column not in columns:
            connection.execute(f'ALTER TABLE acled ADD COLUMN "{column}" VARCHAR')
    if fmt.monadic:
        merge_monadic(connection, source)
    else:
        connection.execute("ALTER TABLE acled ADD COLUMN _merged BOOLEAN DEFAULT false; "
                           "ALTER TABLE acled ADD COLUMN _second BIGINT")
    problems = []  # the dates' first, with the other checks' below
    define_date_macro(connection, _DATE, column_dates(connection, source, "acled", "event_date", stated=date_format,
                                                      today=today, expected="the date of an event that has happened",
                                                      problems=problems))
    refuse_if_any(source, problems + row_problems(connection, source, _checks(fmt), "acled"))
    rows = connection.execute("SELECT count(*) + count(_second) FROM acled").fetchone()[0]  # as the file has them
    if rows == 0:
        raise ImportRefused([_problem(source, "the file holds a header and no rows", "at least one event")])
    _classify(connection, fmt)
    # Every row of the file, kept or not: what the merge knows of each event the file has.
    connection.execute(f"""CREATE TEMP TABLE _file AS SELECT {RECORD} AS record,
        CAST(trim(timestamp) AS BIGINT) AS timestamp, _type IS NOT NULL AS kept,
        {_DATE} AS event_date, trim(country) AS country FROM acled""")
    skipped = Counter(dict(connection.execute(
        "SELECT _label, count(*) + count(_second) FROM acled WHERE _type IS NULL GROUP BY 1").fetchall()))
    return AcledRows(rows, fmt, skipped)


def _checks(fmt: Format) -> list[tuple[str, str, str, str]]:
    """The checks of every row, as importfile.row_problems takes them; of its format's event types."""
    known_subs = ", ".join(f"'{s}'" for s in acled.EVENT_TYPE_OF_SUB)
    old_types = ", ".join(f"'{t}'" for t in acled_formats.OLD_EVENT_TYPES)
    types = [(f"lower(trim(event_type)) NOT IN ({old_types})", "event_type",
              "{value} is not one of ACLED's event types before 2019",
              "an event type of ACLED's codebook before 2019, such as Battle-No change of territory")]
    if fmt.key != "pre2019":
        types = [(f"trim(sub_event_type) NOT IN ({known_subs})", "sub_event_type",
                  "{value} is not one of ACLED's sub-event types",
                  "a sub-event type of ACLED's codebook, such as Armed clash or Attack")]
    if "timestamp" not in fmt.lacks:
        types.append((f"NOT {_COUNT.format(c='timestamp')}", "timestamp", "{value} is not a timestamp",
                      "ACLED's timestamp: seconds since 1970"))
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
        *types,
        (f"NOT {_NUMBER.format(c='latitude')} OR NOT (TRY_CAST(trim(latitude) AS DOUBLE) BETWEEN -90 AND 90)", "latitude",
         "{value} is not a latitude", "a number from -90 to 90"),
        (f"NOT {_NUMBER.format(c='longitude')} OR NOT (TRY_CAST(trim(longitude) AS DOUBLE) BETWEEN -180 AND 180)",
         "longitude", "{value} is not a longitude", "a number from -180 to 180"),
        ("coalesce(trim(location), '') = ''", "location", "is empty", "the place's name"),
        ("coalesce(trim(country), '') = ''", "country", "is empty", "the country's name"),
        (f"NOT {_COUNT.format(c='fatalities')}", "fatalities", "{value} is not a count",
         "a whole number, 0 when none were reported"),
    ]
    # A condition on an empty cell is NULL, neither true nor false: such a row is wrong too.
    return [(f"coalesce(({condition}), true)", *rest) for condition, *rest in checks]


def merge_monadic(connection, source: ImportFile) -> None:
    """A monadic export's event on one row per actor, as one row: actor1 from its first row,
    actor2 from its second. Refused, once, where an event's rows cannot be one event: more than
    two, or two that differ in anything but the actor; never "on more than one row"."""
    names = [name for (name,) in connection.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'acled' ORDER BY column_index").fetchall()]
    shared = [n for n in names if n not in ("_row", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
                                            "inter2")]
    differ = ", ".join(f"""CASE WHEN a."{n}" IS DISTINCT FROM b."{n}" THEN '{n}' END""" for n in shared)
    connection.execute(f"""CREATE TEMP TABLE _monadic AS SELECT *,
        row_number() OVER (PARTITION BY {RECORD} ORDER BY _row) AS _k, count(*) OVER (PARTITION BY {RECORD}) AS _n
        FROM acled""")
    pairs = f"FROM _monadic a LEFT JOIN _monadic b ON b._k = 2 AND {RECORD.replace('event_id_cnty', 'b.event_id_cnty')} " \
            f"= {RECORD.replace('event_id_cnty', 'a.event_id_cnty')} WHERE a._k = 1"
    bad = connection.execute(f"""SELECT a._row, b._row, trim(a.event_id_cnty), a._n,
        list_filter([{differ}], lambda x: x IS NOT NULL) AS differs {pairs}
        AND (a._n > 2 OR (b._row IS NOT NULL AND len(list_filter([{differ}], lambda x: x IS NOT NULL)) > 0))
        ORDER BY a._row""").fetchall()
    if bad:
        first, second, event, rows, differs = bad[0]
        what = f"is on {rows} rows" if rows > 2 else f"is on rows {first} and {second}, which differ in {', '.join(differs)}"
        others = f" (and {len(bad) - 1} other events likewise)" if len(bad) > 1 else ""
        raise ImportRefused(Problem(source.shown, first, f"row {first}: event {event} {what}{others}: a monadic "
                                    "export (one row per actor) whose rows cannot be merged into one event",
                                    expected="each event on one row, or on two rows that differ only in the actor",
                                    hint=acled_formats.DYADIC_SETTING))
    connection.execute(f"""CREATE TEMP TABLE _merged AS SELECT a.* EXCLUDE (_k, _n)
        REPLACE (b.actor1 AS actor2, b.assoc_actor_1 AS assoc_actor_2, b.inter1 AS inter2),
        b._row IS NOT NULL AS _merged, b._row AS _second {pairs} ORDER BY a._row""")
    connection.execute("DROP TABLE acled")
    connection.execute("DROP TABLE _monadic")
    connection.execute("ALTER TABLE _merged RENAME TO acled")


_MILITARY = ("Armed clash", "Shelling/artillery/missile attack", "Grenade", "Air/drone strike")


def _classify(connection, fmt: Format) -> None:
    """Each row's sitrep type (`_type`, NULL for a row left out), what it is counted as when left
    out (`_label`), and whether civilians were its target (`_targeted`): as ACLED codes it, or,
    where the format has no civilian_targeting column, inferred from its event type (`_inferred`)."""
    coded = "civilian_targeting" not in fmt.lacks
    inferred = "false" if coded else f"lower(trim(event_type)) = '{acled_formats.TARGETS_CIVILIANS}'"
    targeted = f"coalesce(trim(civilian_targeting) = '{acled.CIVILIAN_TARGETING}', false)" if coded else inferred
    if fmt.key == "pre2019":
        cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in acled_formats.OLD_EVENT_TYPES.items() if new)
        sitrep_type, label = f"CASE lower(trim(event_type)) {cases} END", "trim(event_type)"
    else:
        cases = " ".join(f"WHEN '{sub}' THEN '{code}'" for sub, code in acled.SITREP_TYPE_OF.items())
        military = ", ".join(f"'{s}'" for s in _MILITARY)
        sitrep_type = (f"CASE WHEN {targeted} AND trim(sub_event_type) IN ({military}) THEN 'attack_on_civilians' "
                       f"ELSE CASE trim(sub_event_type) {cases} END END")
        label = "trim(sub_event_type)"
    connection.execute("ALTER TABLE acled ADD COLUMN _type VARCHAR; ALTER TABLE acled ADD COLUMN _label VARCHAR; "
                       "ALTER TABLE acled ADD COLUMN _targeted BOOLEAN; ALTER TABLE acled ADD COLUMN _inferred BOOLEAN")
    connection.execute(f"UPDATE acled SET _type = {sitrep_type}, _label = {label}, _targeted = {targeted}, "
                       f"_inferred = {inferred}")


def _problem(source: ImportFile, message: str, expected: str) -> Problem:
    return Problem(source.shown, 0, message, expected=expected)


@dataclass
class Matched:
    """The ids the import's own sources were matched to (the store may call ACLED otherwise)."""

    acled: str = ACLED_SOURCE_ID


def match_entries(connection, matcher: Matcher, sensitivity: str, progress: Progress = SILENT,
                  region: str | None = None) -> Matched:
    """Match each distinct country, location, actor and outlet of the rows to the store (or propose
    one), into the tables `_countries`, `_places`, `_actors`, `_sources` that the events query joins.
    The places, the slow part (each compared with every place by distance), are counted on
    `progress`. `region`: config.yaml's (IQ); a country outside it is said on each of its rows."""
    connection.execute("CREATE TEMP VIEW _kept AS SELECT * FROM acled WHERE _type IS NOT NULL")
    matched = Matched(matcher.source(ACLED_SOURCE_NAME, "ngo", ACLED_SOURCE_ID, ACLED_URL))
    countries = _match_countries(connection, matcher, region)
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
            places.append(_matched_place(matcher, regions, countries, *location))
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


def _match_countries(connection, matcher: Matcher, region: str | None) -> dict[str, str]:
    """Each row's country as a place of kind country (matched by its ISO alpha-3 P-code, name or
    alias, else proposed with it), into `_countries` with the words said of a row outside the
    workspace's `region`. Returns the place of each country name."""
    found = {}
    outside = []
    for name, iso, iso3 in connection.execute("SELECT DISTINCT trim(country), trim(min(iso)), trim(min(iso3)) "
                                              "FROM _kept GROUP BY trim(country) ORDER BY 1").fetchall():
        alpha3, alpha2 = acled_formats.country_codes(name, iso, iso3)
        found[name] = matcher.place(name, None, None, "country", None, alpha3 or None, kinds=("country",))
        text = (f"country outside the workspace's region {region}: {name}"
                if region and alpha2 != region else None)
        outside.append((name, found[name], text))
    connection.execute("CREATE TEMP TABLE _countries (country VARCHAR, place VARCHAR, outside VARCHAR)")
    if outside:
        connection.executemany("INSERT INTO _countries VALUES (?, ?, ?)", outside)
    return found


def _matched_place(matcher: Matcher, regions: dict[tuple[str, str], str], countries: dict[str, str], country: str,
                   admin1: str, location: str, lat: float, lon: float, precision: int) -> tuple:
    """A row of `_places`: the location, and the place it is matched to (its country's, then its
    region's, first)."""
    parent = countries.get(country)
    if admin1:
        key = (country, admin1)
        if key not in regions:
            regions[key] = matcher.place(admin1, None, None, "governorate", parent, kinds=REGION_KINDS)
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


def events_sql(source: ImportFile, imported_on: dt.date, sensitivity: str, matched: Matched, fmt: Format) -> str:
    """The file's kept rows as rows of the events table (bulk.EVENT_COLUMNS)."""
    date = _DATE
    precision = "CAST(trim(time_precision) AS INTEGER)"
    quoted = lambda text: "'" + text.replace("'", "''") + "'"  # noqa: E731
    return f"""
    WITH rows AS (
        SELECT k.*, {date} AS d, {precision} AS tp,
               round(CAST(trim(latitude) AS DOUBLE), 4) AS lat, round(CAST(trim(longitude) AS DOUBLE), 4) AS lon
        FROM _kept k),
    -- The outlets in ACLED's order (the first it names first), each once: exports give them back so.
    outlets AS (
        SELECT _row, trim(unnest(string_split(source, ';'))) AS name,
               generate_subscripts(string_split(source, ';'), 1) AS position FROM _kept),
    cited AS (
        SELECT _row, list(source ORDER BY position) AS sources
        FROM (SELECT _row, s.source, min(position) AS position FROM outlets JOIN _sources s USING (name) GROUP BY ALL)
        GROUP BY _row)
    SELECT
        'acled-' || lower(trim(event_id_cnty)) AS id,
        _type AS type,
        CASE tp WHEN 1 THEN strftime(d, '%Y-%m-%d') WHEN 2 THEN strftime(d, '%G-W%V') ELSE strftime(d, '%Y-%m') END AS date,
        CASE tp WHEN 1 THEN d WHEN 2 THEN date_trunc('week', d)::DATE ELSE date_trunc('month', d)::DATE END AS date_start,
        CASE tp WHEN 1 THEN d WHEN 2 THEN (date_trunc('week', d) + INTERVAL 6 DAY)::DATE ELSE last_day(d) END AS date_end,
        CASE tp WHEN 1 THEN d WHEN 2 THEN (date_trunc('week', d) + INTERVAL 6 DAY)::DATE ELSE last_day(d) END AS known_on,
        p.place,
        a.actor AS perpetrator,
        -- ACLED's fatalities count every party: they are civilians killed only where civilians were
        -- the target. Otherwise they stay fatalities of unknown civilian status (bulk.incident_of).
        CASE WHEN _targeted AND CAST(trim(fatalities) AS BIGINT) > 0 THEN CAST(trim(fatalities) AS BIGINT) END AS killed,
        CASE WHEN coalesce(trim(notes), '') = '' THEN coalesce(trim(sub_event_type), trim(event_type)) || ' at '
                  || trim(location) || ' (ACLED)'
             ELSE trim(notes) END AS summary,
        'en' AS summary_language,
        coalesce(c.sources, [{quoted(matched.acled)}]) AS sources,
        {quoted(matched.acled)} AS via,
        'alleged' AS status,
        '{sensitivity}' AS sensitivity,
        'acled' AS dataset, {RECORD} AS record, {quoted(source.recorded_as)} AS file,
        '{source.sha256}' AS sha256, DATE '{imported_on.isoformat()}' AS imported_on,
        CAST(trim(timestamp) AS BIGINT) AS timestamp,
        {quoted(fmt.name)} AS format, {_assumptions_sql(fmt)} AS assumptions,
        CASE WHEN _merged THEN ['row ' || _second || ': ' || {quoted(MERGED_ROW)}] ELSE [] END AS set_aside,
        d AS event_date, trim(disorder_type) AS disorder_type, trim(assoc_actor_1) AS assoc_actor_1,
        trim(assoc_actor_2) AS assoc_actor_2, trim(interaction) AS interaction, trim(region) AS region,
        trim(event_type) AS event_type, trim(sub_event_type) AS sub_event_type, trim(actor1) AS actor1,
        trim(actor2) AS actor2, trim(inter1) AS inter1, trim(inter2) AS inter2,
        trim(civilian_targeting) AS civilian_targeting, trim(r.country) AS country, trim(iso) AS iso,
        trim(admin1) AS admin1, trim(admin2) AS admin2, trim(admin3) AS admin3, trim(location) AS location,
        lat AS latitude, lon AS longitude, CAST(coalesce(trim(geo_precision), '1') AS INTEGER) AS geo_precision,
        tp AS time_precision, trim(source) AS source, trim(source_scale) AS source_scale, trim(tags) AS tags,
        CAST(trim(fatalities) AS BIGINT) AS fatalities
    FROM rows r
    LEFT JOIN cited c USING (_row)
    LEFT JOIN _countries n ON n.country = trim(r.country)
    JOIN _places p ON p.at_country IS NOT DISTINCT FROM trim(r.country) AND p.at_admin1 = trim(coalesce(r.admin1, ''))
         AND p.at_location = trim(r.location) AND p.at_lat = r.lat AND p.at_lon = r.lon
    LEFT JOIN _actors a ON a.name = trim(r.actor1) AND a.inter IS NOT DISTINCT FROM trim(r.inter1)
    """


def _assumptions_sql(fmt: Format) -> str:
    """Each row's assumptions, in the words a person reads (Imported.assumptions): what its
    format cannot give, and each guess made of the row for it."""
    said = lambda text: "'" + text.replace("'", "''") + "'"  # noqa: E731
    items = [said(fmt.lacks_text())] if fmt.lacks_text() else []
    if "civilian_targeting" in fmt.lacks:
        items += [f"CASE WHEN _inferred THEN {said(INFERRED_TARGETING)} END",
                  f"CASE WHEN NOT _targeted AND CAST(trim(fatalities) AS BIGINT) > 0 THEN {said(UNCODED_FATALITIES)} END"]
    if fmt.key == "pre2019":
        items.append("'event type ' || trim(event_type) || ' read as ' || _type || ' (no sub-event type before 2019)'")
    if "timestamp" in fmt.lacks:
        items.append(said(NO_TIMESTAMP))
    items += [f"CASE WHEN _merged THEN {said(MONADIC_MERGED)} END", "n.outside"]
    return f"list_filter([{', '.join(items)}]::VARCHAR[], lambda x: x IS NOT NULL)"


INFERRED_TARGETING = ("civilians targeted, as ACLED defines violence against civilians (the file has no "
                      "civilian_targeting column): its fatalities counted as civilians killed")
UNCODED_FATALITIES = "fatalities of unknown civilian status (the file has no civilian_targeting column)"
NO_TIMESTAMP = "no ACLED timestamp: the row replaces only an event held without one"
MONADIC_MERGED = "two rows of a monadic export merged: actor1 from the first, actor2 from the second"
MERGED_ROW = "the second actor's row of an event in a monadic export, merged into the event's first row"


def assumption_counts(connection) -> tuple[Counter, Counter]:
    """How many of the events to import carry each assumption, and how many rows were set aside
    for each reason (ImportReport.assumptions, .set_aside)."""
    assumed = Counter(dict(connection.execute(
        "SELECT a, count(*) FROM (SELECT unnest(assumptions) AS a FROM _new) GROUP BY a").fetchall()))
    set_aside = connection.execute("SELECT count(*) FROM _new WHERE len(set_aside) > 0").fetchone()[0]
    return assumed, Counter({MERGED_ROW: set_aside} if set_aside else {})


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
    held = events_of(existing)
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
                 WHEN f.timestamp < h.timestamp OR (f.timestamp IS NULL AND h.timestamp IS NOT NULL) THEN 'older'
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
    held = events_of(existing)
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
