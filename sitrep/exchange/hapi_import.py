"""`sitrep import hapi FILE.csv`: HDX HAPI's tables as the store's figures (docs/imports.md,
"From HDX HAPI").

HDX HAPI serves ACLED's conflict events aggregated by admin area and month, and IOM DTM's IDPs.
Which table a file is, is read from its header, never from its name: a conflict-event table is
read here, an IDP table is read as `sitrep import dtm` reads DTM's own (dtm_import.py).

A conflict-event row is one area, one month and one of HAPI's three event types, which overlap
(HAPI's enums: political violence includes ACLED's violence against civilians, which civilian
targeting counts too). So each becomes its own figure, never added to another:
civilian targeting's fatalities -> `civilians_killed`; political violence's fatalities ->
`conflict_fatalities` (all parties); demonstrations are left out, and counted. The figures are
merged as every admin-area table's are (area_figures.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from sitrep.errors import Problem
from sitrep.exchange import dtm_formats, dtm_import
from sitrep.exchange.acled_import import ACLED_SOURCE_ID, ACLED_SOURCE_NAME, ACLED_URL
from sitrep.exchange.area_figures import AreaTable, area_place, merge_figures
from sitrep.exchange.importdates import column_dates, define_date_macro
from sitrep.exchange.importfile import (ImportFile, ImportRefused, header_names, read_csv, refuse_if_any,
                                        row_problems)
from sitrep.exchange.matching import Matcher, slug
from sitrep.exchange.places import country_named, country_of
from sitrep.progress import SILENT, Progress
from sitrep.source.schema import Figure

# The columns of each HAPI table, as its API and HDX's downloads name them (HDX's files add
# has_hrp, in_gho, provider_admin1_name...; the API's add location_ref, location_name...).
CONFLICT_EVENTS = ("location_code", "admin1_code", "admin1_name", "admin2_code", "admin2_name", "event_type",
                   "events", "fatalities", "reference_period_start", "reference_period_end")
IDPS = ("location_code", "admin1_code", "admin1_name", "admin2_code", "admin2_name", "operation",
        "assessment_type", "population", "reporting_round", "reference_period_start", "reference_period_end")
TABLES = {"HDX HAPI conflict events": CONFLICT_EVENTS, "HDX HAPI IDPs": IDPS}
OPTIONAL = ("admin_level", "location_name", "provider_admin1_name", "provider_admin2_name", "warning", "error")

EVENT_TYPES = ("political_violence", "civilian_targeting", "demonstration")
METRICS = {"civilian_targeting": "civilians_killed", "political_violence": "conflict_fatalities"}
EVENT_WORDS = {"civilian_targeting": "civilian targeting", "political_violence": "political violence"}

HAPI_SOURCE_ID = "hdx-hapi"
HAPI_SOURCE_NAME = "HDX HAPI (Humanitarian API, OCHA)"
HAPI_URL = "https://hapi.humdata.org"

# HAPI writes an area it has no code for as "Unspecified", its P-code as its parent's with -XXX.
_UNSPECIFIED = "unspecified"
_EVENT = "regexp_replace(lower(trim(event_type)), '^eventtype\\.', '')"  # a file once wrote EventType.CIVILIAN_TARGETING
_COUNT = "[0-9]{1,12}([.]0+)?"  # a whole number; HDX's files write one as 2.0 where a column has empty cells

SET_ASIDE_SAME = "the same area, period and event type reported again with the same numbers (counted once)"
SET_ASIDE_EMPTY = ("fatalities empty: HDX HAPI gives no count for this area, period and event type "
                   "(an empty cell is never read as 0)")


# A reference period's days, in whichever form the file writes them: a macro of the expression
# that importdates.column_dates decided for the period's start.
_DATE = '_hapi_date("reference_period_start")'


def _date_sql(column: str) -> str:
    return f'_hapi_date("{column}")'


def import_table(connection, source: ImportFile, matcher: Matcher, held: list[Figure], imported_on: dt.date,
                 drop_missing: bool, sensitivity: str, progress: Progress = SILENT, lowering: bool = False,
                 region: str | None = None, date_format: str | None = None) -> AreaTable:
    """The file's figures merged with those held, and what the import did. `region` is
    config.yaml's (IQ): a country outside it is imported, and said. `date_format`
    (--date-format) says how to read a numeric date."""
    table = table_of(source)
    if table == "HDX HAPI IDPs":
        return dtm_import.import_figures(connection, source, matcher, held, imported_on, drop_missing, sensitivity,
                                         progress, lowering=lowering, region=region, date_format=date_format)
    columns = read_csv(connection, source, "hapi")
    for column in OPTIONAL:
        if column not in columns:
            connection.execute(f'ALTER TABLE hapi ADD COLUMN "{column}" VARCHAR')
    level = _level_sql("admin_level" in columns)
    problems = []  # the dates' first, with the other checks' below
    define_date_macro(connection, _DATE, column_dates(connection, source, "hapi", "reference_period_start",
                                                      stated=date_format, today=imported_on, problems=problems,
                                                      expected="the start of a period that has begun"))
    checks = _checks(level, "admin_level" in columns)
    refuse_if_any(source, problems + row_problems(connection, source, checks, "hapi"))
    rows = connection.execute("SELECT count(*) FROM hapi").fetchone()[0]
    if rows == 0:
        raise ImportRefused(Problem(source.shown, 0, "the file holds a header and no rows", expected="at least one row"))
    _normalise(connection, level)
    named = _format_name(connection, columns, columns.hxl_row is not None)
    made = _Figures(source, matcher, imported_on, sensitivity, region, named, derived_level="admin_level" not in columns)
    made.build(connection, progress)
    merged, counts = merge_figures(held, made.figures, "hapi", drop_missing, lowering)
    skipped = dict(connection.execute("SELECT event, count(*) FROM _hapi WHERE event = 'demonstration' "
                                      "GROUP BY event").fetchall())
    return AreaTable(rows, merged, counts, named, skipped, made.set_aside, made.assumptions)


def table_of(source: ImportFile) -> str:
    """Which HAPI table the file is, from its header: a DTM export of IDPs (DTM's API columns)
    is HAPI's IDP table's source, read the same way. Anything else is refused in one message
    naming the closest table and the columns it lacks."""
    names = header_names(source)
    for table, required in TABLES.items():
        if all(column in names for column in required):
            return table
    if any(all(column in names for column in fmt.required) for fmt in dtm_formats.FORMATS):
        return "HDX HAPI IDPs"  # or DTM's own export: read as `sitrep import dtm` reads it
    table, required = max(TABLES.items(), key=lambda item: sum(c in names for c in item[1]))
    missing = [c for c in required if c not in names]
    raise ImportRefused(Problem(source.shown, 1, f"the header fits no HDX HAPI table: the closest is {table}, "
                                f"and it lacks {', '.join(missing)}",
                                expected=f"the columns of {table}: {', '.join(required)} "
                                "(HDX HAPI's conflict-event or IDP table, as its API or HDX gives it as CSV)"))


def _given(column: str) -> str:
    """The cell's text, or NULL where the file gives none: empty, HAPI's 'Unspecified', or a
    P-code ending in -XXX (an area HAPI could not name)."""
    text = f'trim("{column}")'
    return (f"CASE WHEN coalesce({text}, '') = '' OR lower({text}) = '{_UNSPECIFIED}' "
            f"OR upper({text}) LIKE '%-XXX' THEN NULL ELSE {text} END")


def _level_sql(stated: bool) -> str:
    """The row's admin level: as the file states it, else the deepest area it gives a P-code of
    (an older download has no admin_level column; the import says it assumed so)."""
    if stated:
        return "TRY_CAST(trim(admin_level) AS INTEGER)"
    return f"CASE WHEN {_given('admin2_code')} IS NOT NULL THEN 2 WHEN {_given('admin1_code')} IS NOT NULL THEN 1 ELSE 0 END"


def _checks(level: str, stated_level: bool) -> list[tuple[str, str, str, str]]:
    """(condition true when the row is wrong, column, what is wrong, what was expected): at
    most one problem for each cell (the period's start is importdates.column_dates')."""
    start, end = _date_sql("reference_period_start"), _date_sql("reference_period_end")
    blank = lambda column: f"coalesce(trim(\"{column}\"), '') = ''"  # noqa: E731
    count = lambda column: (f"NOT {blank(column)} AND NOT regexp_full_match(trim(\"{column}\"), '{_COUNT}')",  # noqa: E731
                            column, "{value} is not a count", f"a whole number of {column}, or an empty cell")
    area = "the admin {n} area's {what}, as admin_level is {levels}"
    return [
        ("NOT regexp_full_match(coalesce(trim(location_code), ''), '[A-Za-z]{3}')", "location_code",
         "{value} is not a country code", "the country's ISO 3166 alpha-3 code, such as IRQ"),
        (f"coalesce({_EVENT}, '') NOT IN {EVENT_TYPES}", "event_type", "{value} is not an event type of HDX HAPI",
         ", ".join(EVENT_TYPES)),
        count("events"), count("fatalities"),
        (f"NOT {blank('reference_period_end')} AND {end} IS NULL", "reference_period_end", "{value} is not a date",
         "a date in the form of the period's start, or an empty cell"),
        (f"coalesce({end} < {start}, false)", "reference_period_end", "{value} is before the period's start",
         "the last day of the period"),
        (f"{stated_level} AND coalesce(trim(admin_level), '') NOT IN ('0', '1', '2')", "admin_level",
         "{value} is not an admin level", "0 (the country), 1 or 2"),
        (f"coalesce({level} >= 1, false) AND {_given('admin1_code')} IS NULL", "admin1_code", "{value} names no area",
         area.format(n=1, what="P-code", levels="1 or 2")),
        (f"coalesce({level} >= 1, false) AND {_given('admin1_name')} IS NULL", "admin1_name", "{value} names no area",
         area.format(n=1, what="name", levels="1 or 2")),
        (f"coalesce({level} = 2, false) AND {_given('admin2_code')} IS NULL", "admin2_code", "{value} names no area",
         area.format(n=2, what="P-code", levels="2")),
        (f"coalesce({level} = 2, false) AND {_given('admin2_name')} IS NULL", "admin2_name", "{value} names no area",
         area.format(n=2, what="name", levels="2")),
    ]


def _normalise(connection, level: str) -> None:
    """`_hapi`: the checked rows as the import reads them. A period without an end is taken as
    the month it starts in: HAPI's conflict events are monthly (the import says it assumed so)."""
    number = lambda column: f"CAST(nullif(regexp_extract(trim(\"{column}\"), '^[0-9]+'), '') AS BIGINT)"  # noqa: E731
    start, end = _date_sql("reference_period_start"), _date_sql("reference_period_end")
    connection.execute(f"""CREATE TEMP TABLE _hapi AS SELECT _row, upper(trim(location_code)) AS iso3,
        nullif(trim(location_name), '') AS country, {level} AS level,
        {_given('admin1_code')} AS pcode1, {_given('admin1_name')} AS admin1, {_given('provider_admin1_name')} AS named1,
        {_given('admin2_code')} AS pcode2, {_given('admin2_name')} AS admin2, {_given('provider_admin2_name')} AS named2,
        {_EVENT} AS event, {number('events')} AS events, {number('fatalities')} AS fatalities,
        {start} AS start_day, coalesce({end}, last_day({start})) AS end_day, {end} IS NULL AS end_assumed,
        nullif(trim(warning), '') AS warning, nullif(trim(error), '') AS error
        FROM hapi""")


def _format_name(connection, columns: list[str], hxl: bool) -> str:
    """'HDX HAPI conflict events, admin 2 (HDX's CSV, with HXL hashtags)': the table, the admin
    levels its rows hold, and where the file comes from, as its header tells."""
    levels = [str(n) for (n,) in connection.execute("SELECT DISTINCT level FROM _hapi ORDER BY level").fetchall()]
    listed = levels[0] if len(levels) == 1 else ", ".join(levels[:-1]) + " and " + levels[-1]
    origin = "HDX's CSV" if "has_hrp" in columns else "the API's CSV"
    return f"HDX HAPI conflict events, admin {listed} ({origin}{', with HXL hashtags' if hxl else ''})"


def period_text(start: dt.date, end: dt.date) -> str:
    """The store's date for a reference period: a month (2024-03), a year, a day, or a span."""
    if start == end:
        return start.isoformat()
    if start.day == 1 and (start.year, start.month) == (end.year, end.month) and end.day == _last_day(end):
        return f"{start:%Y-%m}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()}/{end.isoformat()}"


def _last_day(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


@dataclass
class _Figures:
    """The file's figures, by id, and what making them set aside and assumed, row by row."""

    source: ImportFile
    matcher: Matcher
    imported_on: dt.date
    sensitivity: str
    region: str | None
    format: str  # the file's, as the summary names it
    derived_level: bool
    figures: dict[str, Figure] = field(default_factory=dict)
    set_aside: dict[str, int] = field(default_factory=dict)
    assumptions: dict[str, int] = field(default_factory=dict)
    _countries: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _areas: dict[tuple, tuple[str, str]] = field(default_factory=dict)

    def build(self, connection, progress: Progress) -> None:
        groups = connection.execute("""
            SELECT iso3, min(country), level, pcode1, min(admin1), min(named1), pcode2, min(admin2), min(named2),
                   event, start_day, end_day, bool_or(end_assumed), min(warning), min(error),
                   list(_row ORDER BY _row), list(DISTINCT {'events': events, 'fatalities': fatalities})
            FROM _hapi WHERE event <> 'demonstration'
            GROUP BY iso3, level, pcode1, pcode2, event, start_day, end_day ORDER BY min(_row)""").fetchall()
        self.hapi = self.matcher.source(HAPI_SOURCE_NAME, "un_agency", HAPI_SOURCE_ID, HAPI_URL)
        self.acled = self.matcher.source(ACLED_SOURCE_NAME, "ngo", ACLED_SOURCE_ID, ACLED_URL)
        progress.start(len(groups), "areas to match")
        try:
            for group in groups:
                self.add(*group)
                progress.advance()
        finally:
            progress.finish()

    def add(self, iso3, country, level, pcode1, admin1, named1, pcode2, admin2, named2, event, start, end,
            end_assumed, warning, error, rows, numbers) -> None:
        if len(numbers) > 1:
            self._refuse_conflicting(rows, event, numbers)
        events, fatalities = numbers[0]["events"], numbers[0]["fatalities"]
        if error or fatalities is None:  # HAPI's v2 files flag a row it found wrong in `error`
            self._count(self.set_aside, f"HDX HAPI marks it as an error: {error}" if error else SET_ASIDE_EMPTY,
                        len(rows))
            return
        set_aside = [f"row {row}: {SET_ASIDE_SAME}" for row in rows[1:]]
        self._count(self.set_aside, SET_ASIDE_SAME, len(rows) - 1)
        place, pcode, assumed = self._place(iso3, country, level, pcode1, admin1, named1, pcode2, admin2, named2)
        if warning:
            assumed.append(f"HDX HAPI's warning on the row taken as no reason to leave it out: {warning}")
        if end_assumed:
            assumed.append("reference_period_end empty: taken as the end of the month the period starts in "
                           "(HDX HAPI's conflict events are monthly)")
        for assumption in assumed:
            self._count(self.assumptions, assumption, len(rows))
        period = period_text(start, end)
        metric = METRICS[event]
        figure_id = f"hapi-{slug(pcode)}-{slug(period)}-{metric.replace('_', '-')}"
        self.figures[figure_id] = Figure.model_validate({
            "id": figure_id, "metric": metric, "place": place, "as_of": period, "value": fatalities, "unit": "people",
            "note": _note(event, events),
            "cited": [{"source": self.acled, "via": self.hapi, "date": period, "url": HAPI_URL}],
            "sensitivity": self.sensitivity,
            "imported": {"dataset": "hapi", "record": f"{pcode} {period} {event}", "file": self.source.recorded_as,
                         "sha256": self.source.sha256, "on": self.imported_on.isoformat(),
                         "format": self.format, "assumptions": assumed, "set_aside": set_aside},
        })

    def _place(self, iso3, country, level, pcode1, admin1, named1, pcode2, admin2, named2):
        """(place id, its P-code, what was assumed): the row's country, or its admin area under it."""
        assumed = []
        if self.derived_level:
            assumed.append("admin level taken from the P-codes given (the file has no admin_level column)")
        country_id, outside = self._country(iso3, country)
        if outside:
            assumed.append(outside)
        if level == 0:
            return country_id, iso3, assumed
        key = (iso3, level, pcode1, pcode2)
        if key not in self._areas:  # an area is matched once, not once a month (matching scans the places)
            region, pcode = area_place(self.matcher, admin1, pcode1)
            self._adopt(region, country_id, admin1, named1)
            if level == 2:
                district, pcode = area_place(self.matcher, admin1, pcode1, admin2, pcode2)
                self._adopt(district, None, admin2, named2)
            self._areas[key] = (district if level == 2 else region), pcode
        return *self._areas[key], assumed

    def _country(self, iso3: str, given: str | None) -> tuple[str, str | None]:
        """(the country's place, matched by its ISO code or name, or proposed; the assumption
        made when it lies outside config.yaml's region)."""
        if iso3 not in self._countries:  # once a country: CLDR's tables are slow to ask a row at a time
            known, home = country_named(iso3), country_of(self.region)
            name = given or (known.name if known else iso3)
            place = self.matcher.place(name, None, None, "country", None, iso3, kinds=("country",))
            self._countries[iso3] = place, (f"country outside the workspace's region {self.region}: {name}"
                                            if home and home.iso3 and home.iso3 != iso3 else None)
        return self._countries[iso3]

    def _adopt(self, place_id: str, parent: str | None, name: str, provider_name: str | None) -> None:
        """A place this import proposed gets its country as parent (a governorate) and ACLED's
        own spelling of its name as an alias: a curated place is never changed."""
        place = self.matcher.proposed["places"].get(place_id)
        if place is None:
            return
        update = {}
        if parent and not place.parent:
            update["parent"] = parent
        if provider_name and provider_name != name and provider_name not in place.aliases:
            update["aliases"] = [*place.aliases, provider_name]
        if update:
            place = place.model_copy(update=update)
            self.matcher.proposed["places"][place_id] = self.matcher.places[place_id] = place

    def _refuse_conflicting(self, rows: list[int], event: str, numbers: list[dict]) -> None:
        shown = " against ".join(f"{n['events']} events, {n['fatalities']} fatalities" for n in numbers)
        raise ImportRefused(Problem(self.source.shown, rows[-1], f"row {rows[-1]}: the same area, period and event "
                                    f"type ({event}) as row {rows[0]}, with other numbers ({shown})",
                                    expected="one row for each area, period and event type, as HDX HAPI gives it"))

    @staticmethod
    def _count(counts: dict[str, int], reason: str, n: int) -> None:
        if n:
            counts[reason] = counts.get(reason, 0) + n


def _note(event: str, events: int | None) -> str:
    """The events ACLED coded, kept with the deaths they count (a count of events is not a
    count of people, so not a figure of its own)."""
    what = EVENT_WORDS[event]
    counted = f"{events:,} {'event' if events == 1 else 'events'} of {what}" if events is not None else f"Events of {what}"
    deaths = "" if event == "civilian_targeting" else "; deaths of all parties, civilians among them"
    return f"{counted} coded by ACLED in this period (HDX HAPI's monthly counts){deaths}."
