"""`sitrep import dtm FILE.csv`: IOM DTM's counts of internally displaced people as the store's
figures (docs/imports.md, "Imported data").

The file is DTM's API export of IDPs by admin area (its "IDP admin 1" or "IDP admin 2" data):
one row per area, reporting date and round, sometimes several per area (by displacement reason
or area of origin), which are added up. Each area and reporting date becomes one figure:
`people_displaced` at that area (the IDPs present in it), as of the reporting date, cited to IOM
DTM with that date. The area is the store's place with its P-code, else of its name, else a
place proposed for it (a governorate, or a district under its governorate).

The figures are merged as every admin-area table's are (area_figures.py).
"""

from __future__ import annotations

import datetime as dt

from sitrep.errors import Problem
from sitrep.exchange.area_figures import area_place, merge_figures
from sitrep.exchange.importdates import column_dates, define_date_macro
from sitrep.exchange.importfile import (ImportFile, ImportRefused, read_csv, refuse_if_any, require_columns,
                                        row_problems)
from sitrep.exchange.matching import Matcher, slug
from sitrep.progress import SILENT, Progress
from sitrep.source.schema import Figure

REQUIRED = ("admin0name", "admin1name", "admin1pcode", "numpresentidpind", "reportingdate")
OPTIONAL = ("id", "operation", "admin0pcode", "admin2name", "admin2pcode", "roundnumber")

DTM_SOURCE_ID = "iom-dtm"
DTM_SOURCE_NAME = "IOM Displacement Tracking Matrix (DTM)"
DTM_URL = "https://dtm.iom.int"

# reportingDate, in whichever form the file writes it: a macro of the expression that
# importdates.column_dates decides for the file.
_DATE = "_reporting_date(reportingdate)"


def import_figures(connection, source: ImportFile, matcher: Matcher, held: list[Figure], imported_on: dt.date,
                   drop_missing: bool, sensitivity: str,
                   progress: Progress = SILENT, lowering: bool = False,
                   date_format: str | None = None) -> tuple[int, list[Figure], dict[str, int]]:
    """(rows read, the figures after the merge, counts of what changed). The areas matched to
    the store's places are counted on `progress`. `lowering` (--public): the file's figures are
    public, those held restricted included."""
    columns = read_csv(connection, source, "dtm")
    require_columns(source, columns, REQUIRED, "a DTM export of IDPs by admin area (its API's admin 1 or admin 2 data)")
    for column in OPTIONAL:
        if column not in columns:
            connection.execute(f'ALTER TABLE dtm ADD COLUMN "{column}" VARCHAR')
    problems = []  # the dates' first, with the other checks' below
    define_date_macro(connection, _DATE, column_dates(connection, source, "dtm", "reportingdate", stated=date_format,
                                                      today=imported_on, problems=problems,
                                                      expected="the date of a round that has been reported"))
    checks = [
        ("NOT regexp_full_match(trim(numpresentidpind), '[0-9]{1,15}')", "numpresentidpind", "{value} is not a count",
         "a whole number of people"),
        ("coalesce(trim(admin1name), '') = ''", "admin1name", "is empty", "the governorate's or province's name"),
        ("coalesce(trim(admin1pcode), '') = ''", "admin1pcode", "is empty", "the area's P-code, such as IQG01"),
        ("coalesce(trim(admin2name), '') = '' AND coalesce(trim(admin2pcode), '') <> ''", "admin2name", "is empty",
         "the district's name, as its P-code is given"),
    ]
    # A condition on an empty cell is NULL, neither true nor false: such a row is wrong too.
    checks = [(f"coalesce(({condition}), true)", *rest) for condition, *rest in checks]
    refuse_if_any(source, problems + row_problems(connection, source, checks, "dtm"))
    rows = connection.execute("SELECT count(*) FROM dtm").fetchone()[0]
    if rows == 0:
        raise ImportRefused(Problem(source.shown, 0, "the file holds a header and no rows", expected="at least one row"))
    dtm = matcher.source(DTM_SOURCE_NAME, "un_agency", DTM_SOURCE_ID, DTM_URL)  # the store may call it otherwise
    areas = connection.execute(f"""
        SELECT trim(admin1name), trim(admin1pcode), nullif(trim(admin2name), ''), nullif(trim(admin2pcode), ''),
               {_DATE} AS day, sum(CAST(trim(numpresentidpind) AS BIGINT)), list(DISTINCT trim(id) ORDER BY trim(id))
        FROM dtm GROUP BY ALL ORDER BY ALL""").fetchall()
    figures = {}
    progress.start(len(areas), "areas to match")
    try:
        for admin1, pcode1, admin2, pcode2, day, people, ids in areas:
            place, pcode = area_place(matcher, admin1, pcode1, admin2, pcode2)
            figure_id = f"dtm-{slug(pcode)}-{day:%Y%m%d}"
            figures[figure_id] = Figure.model_validate({
                "id": figure_id, "metric": "people_displaced", "place": place, "as_of": day.isoformat(),
                "value": people, "unit": "people",
                "cited": [{"source": dtm, "date": day.isoformat(), "url": DTM_URL}],
                "sensitivity": sensitivity,
                "imported": {"dataset": "dtm", "record": f"{pcode} {day.isoformat()}", "file": source.recorded_as,
                             "sha256": source.sha256, "on": imported_on.isoformat()},
            })
            progress.advance()
    finally:
        progress.finish()
    merged, counts = merge_figures(held, figures, "dtm", drop_missing, lowering)
    return rows, merged, counts
