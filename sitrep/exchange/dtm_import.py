"""`sitrep import dtm FILE.csv`: IOM DTM's counts of internally displaced people as the store's
figures (docs/imports.md, "From IOM DTM").

The file is one of the formats dtm_formats.py knows (DTM's API export, HDX's copy of it with its
HXL row, HDX HAPI's IDP table), told apart by its header. Each area (a country, an admin 1
region or an admin 2 district) and reporting date becomes one figure: `people_displaced` at that
area, as of that date, cited to IOM DTM. An area and date that DTM reports more than once is
one report, never a sum of them: dtm_reports.py picks the rows counted and says why the others
were set aside. The figures are merged as every admin-area table's are (area_figures.py).
"""

from __future__ import annotations

import datetime as dt

from sitrep.errors import Problem
from sitrep.exchange import dtm_formats
from sitrep.exchange.area_figures import AreaTable, admin_place, merge_figures
from sitrep.exchange.dtm_reports import Area, Report, areas_of
from sitrep.exchange.importdates import column_dates, define_date_macro
from sitrep.exchange.importfile import ImportFile, ImportRefused, read_csv, refuse_if_any, row_problems
from sitrep.exchange.matching import Matcher, slug
from sitrep.exchange.places import country_of
from sitrep.progress import SILENT, Progress
from sitrep.source.schema import Figure

DTM_SOURCE_ID = "iom-dtm"
DTM_SOURCE_NAME = "IOM Displacement Tracking Matrix (DTM)"
DTM_URL = "https://dtm.iom.int"


def import_figures(connection, source: ImportFile, matcher: Matcher, held: list[Figure], imported_on: dt.date,
                   drop_missing: bool, sensitivity: str, progress: Progress = SILENT, lowering: bool = False,
                   *, region: str | None = None, date_format: str | None = None) -> AreaTable:
    """The file's figures merged with those held. The areas matched to the store's places are
    counted on `progress`. `lowering` (--public): the file's figures are public, those held
    restricted included. `region` (config.yaml's, such as IQ): a country outside it is imported,
    and the assumption said. `date_format` (--date-format) says how to read a numeric date."""
    columns = read_csv(connection, source, "dtm")
    fmt = dtm_formats.detect(source, columns)
    problems = []  # the dates' first, with the other checks' below
    day = fmt.column("day", columns)
    define_date_macro(connection, f"{_DATE}({_quoted(day)})",
                      column_dates(connection, source, "dtm", day, stated=date_format, today=imported_on,
                                   problems=problems, expected="the date of a round that has been reported"))
    refuse_if_any(source, problems + row_problems(connection, source, _checks(fmt, columns), "dtm"))
    reports = _reports(connection, fmt, columns)
    if not reports:
        raise ImportRefused(Problem(source.shown, 0, "the file holds a header and no rows",
                                    expected="at least one row"))
    described = dtm_formats.title(fmt, sorted({r.level for r in reports}), columns.hxl_row is not None)
    areas, set_aside, assumptions = areas_of(reports, country_of(region).iso3 if region else None, region)
    dtm = matcher.source(DTM_SOURCE_NAME, "un_agency", DTM_SOURCE_ID, DTM_URL)  # the store may call it otherwise
    figures = {}
    progress.start(len(areas), "areas to match")
    try:
        for area in areas:
            figure = _figure(matcher, area, fmt, described, dtm, source, imported_on, sensitivity)
            figures[figure.id] = figure
            progress.advance()
    finally:
        progress.finish()
    merged, counts = merge_figures(held, figures, fmt.dataset, drop_missing, lowering, table=f"{_prefix(fmt)}-")
    return AreaTable(len(reports), merged, counts, described, set_aside=set_aside, assumptions=assumptions)


# The file's dates (its day column, and HAPI's period start), in whichever form it writes them:
# a macro of the expression that importdates.column_dates decided for the day column.
_DATE = "_dtm_date"


def _date_sql(cell: str) -> str:
    return f"{_DATE}({cell})"


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _level_sql(fmt: dtm_formats.DtmFormat, columns: list[str]) -> str:
    """The row's admin level: the file's own column where it has one, else the finest level
    whose name or P-code it fills (a file of DTM's API holds one level and says none)."""
    field = lambda name: dtm_formats.field_sql(fmt, name, columns)  # noqa: E731
    if fmt.column("level", columns):
        return f"TRY_CAST({field('level')} AS INTEGER)"
    return (f"CASE WHEN coalesce({field('admin2')}, {field('pcode2')}) IS NOT NULL THEN 2 "
            f"WHEN coalesce({field('admin1')}, {field('pcode1')}) IS NOT NULL THEN 1 ELSE 0 END")


def _checks(fmt: dtm_formats.DtmFormat, columns: list[str]) -> list[tuple[str, str, str, str]]:
    """(SQL true for a wrong row, the file's column, what is wrong, what was expected): one
    problem per bad cell (the dates are importdates.column_dates')."""
    field = lambda name: dtm_formats.field_sql(fmt, name, columns)  # noqa: E731
    column = lambda name: fmt.column(name, columns)  # noqa: E731
    level = _level_sql(fmt, columns)
    checks = [
        (f"NOT coalesce(regexp_full_match({field('people')}, '[0-9]{{1,15}}'), false)", column("people"),
         "{value} is not a count", "a whole number of people"),
        (f"coalesce({field('iso3')}, {field('country')}) IS NULL", column("iso3"), "is empty",
         "the country's ISO 3166 alpha-3 code, such as IRQ"),
        (f"NOT coalesce(regexp_full_match({field('iso3')}, '[A-Za-z]{{3}}'), true)", column("iso3"),
         "{value} is not a country's code", "an ISO 3166 alpha-3 code, such as IRQ"),
    ]
    if column("level"):
        checks.append((f"coalesce({level} NOT IN (0, 1, 2), true)", column("level"), "{value} is not an admin level",
                       "0 (a country), 1 (a governorate or province) or 2 (a district)"))
    # An admin 1 or 2 row names its area (a level that is none is said once, above).
    for admin, levels, what in ((1, "1, 2", "governorate's or province's"), (2, "2", "district's")):
        where = column(f"pcode{admin}") or column(f"admin{admin}")
        if where:
            checks.append((f"{level} IN ({levels}) AND coalesce({field(f'admin{admin}')}, {field(f'pcode{admin}')}) "
                           "IS NULL", where, f"is empty, and so is the area's name (an admin {admin} row)",
                           f"the {what} P-code or name"))
        elif column("level"):  # the file says the level and has no column for the area
            checks.append((f"{level} IN ({levels})", column("level"),
                           f"{{value}}: the file has no admin {admin} columns", "the admin level of the file's areas"))
    return [(condition, where, message, expected) for condition, where, message, expected in checks if where]


def _reports(connection, fmt: dtm_formats.DtmFormat, columns: list[str]) -> list[Report]:
    """Every row, read as what it reports, in the file's order."""
    field = lambda name: dtm_formats.field_sql(fmt, name, columns)  # noqa: E731
    selected = connection.execute(f"""
        SELECT _row, {_level_sql(fmt, columns)}, upper({field('iso3')}), {field('country')}, {field('admin1')},
               {field('pcode1')}, {field('admin2')}, {field('pcode2')}, {_date_sql(field('day'))},
               CAST({field('people')} AS BIGINT), {field('operation')}, upper({field('assessment')}),
               TRY_CAST({field('round')} AS BIGINT), {field('reason')}, {field('origin')}, {field('id')},
               {_date_sql(field('period_start'))}, {field('warning')}, {field('error')}
        FROM dtm ORDER BY _row""").fetchall()
    return [Report(*row) for row in selected]


def _figure(matcher: Matcher, area: Area, fmt: dtm_formats.DtmFormat, described: str, dtm: str,
            source: ImportFile, imported_on: dt.date, sensitivity: str) -> Figure:
    first = area.kept[0]
    place, pcode = admin_place(matcher, first.level, first.iso3, first.country, first.admin1, first.pcode1,
                               first.admin2, first.pcode2)
    day = first.day.isoformat()
    return Figure.model_validate({
        "id": f"{_prefix(fmt)}-{slug(pcode)}-{first.day:%Y%m%d}", "metric": "people_displaced", "place": place,
        "as_of": day, "value": area.people, "unit": "people",
        "cited": [{"source": dtm, "date": day, "url": DTM_URL}],
        "sensitivity": sensitivity,
        "imported": {"dataset": fmt.dataset, "record": f"{pcode} {day}", "file": source.recorded_as,
                     "sha256": source.sha256, "on": imported_on.isoformat(), "format": described,
                     "assumptions": area.assumptions, "set_aside": area.set_aside},
    })


def _prefix(fmt: dtm_formats.DtmFormat) -> str:
    """The start of the figures' ids: `dtm`, or `hapi-idps` (HDX HAPI has other tables)."""
    return "dtm" if fmt.dataset == "dtm" else "hapi-idps"
