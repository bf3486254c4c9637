"""A column of dates as people's files hold them, read by `sitrep import` (docs/imports.md, "Dates").

`column_dates` checks every cell of a column and gives the SQL expression of its DATE for each
row. A cell may be written as:

- ISO: 2020-05-09 (also 2020/05/09), a time after it ignored (2020-05-09T00:00:00,
  2010-11-30 00:00:00+00:00);
- a day, a month's name and a year: 9 May 2020 (ACLED's), 09 May 2020, 9-May-20, 09-May-2020,
  9 May 20;
- eight digits, 20201231;
- numbers, day first or month first (31-12-19, 31/12/2019, 12/31/2019, 5/9/2020): the order
  is decided for the WHOLE column, since one cell rarely can be: day-first if some cell's first
  number is over 12, month-first if some cell's second number is. A column with both is refused;
  a column where no cell decides is refused once, naming a cell and `--date-format`, unless
  every cell reads the same either way (5/5/2020).

A two-digit year is read as POSIX's strptime (and DuckDB's %y, and Python's) reads it: 69-99
are 1969-1999, 00-68 are 2000-2068, so 97 is 1997 (ACLED starts in 1997) and 20 is 2020.

The work is done in DuckDB: a million cells are decided and checked in a few scans, with no
Python per row. Each bad cell gets ONE problem, the first of: not a date, out of range (before
1800 or after 2199), after today.
"""

from __future__ import annotations

import datetime as dt
import re

from sitrep.errors import Problem
from sitrep.exchange.importfile import ImportFile, ImportRefused, refuse_if_any, row_problems

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
FORMS = "a date such as 2020-05-09, 9 May 2020, 9-May-20, 20200509 or 09/05/2020"
OPTION_HELP = ("--date-format day-first (31/12/2019) or month-first (12/31/2019), or a pattern such as "
               "%d/%m/%Y")
FIRST_YEAR, LAST_YEAR = 1800, 2199

# The forms, as RE2 (DuckDB's regular expressions) reads them; each matches a whole trimmed cell.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?)?"
_ISO = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}" + _TIME
_COMPACT = r"\d{8}"
_NAMED = r"\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]"  # then a year of 4 digits or 2
_NUMERIC = r"\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"

# What --date-format may name in an explicit pattern: the strptime directives of a date (DuckDB's
# and Python's agree on these), and of a time, which is then ignored.
_DIRECTIVE = re.compile(r"%(-?[a-zA-Z%])")
_ALLOWED = {"d", "-d", "e", "m", "-m", "Y", "y", "b", "B", "h", "j", "-j", "H", "-H", "M", "-M", "S", "-S", "f",
            "z", "Z", "p", "I", "-I", "a", "A", "%", "T"}


def date_format(value: str | None) -> str | None:
    """`--date-format`'s value as the import uses it: day-first, month-first, or a strptime
    pattern naming a year, a month and a day. Raises ValueError with the one line to say."""
    if value is None:
        return None
    value = value.strip()
    if value.lower() in (DAY_FIRST, MONTH_FIRST):
        return value.lower()
    directives = _DIRECTIVE.findall(value)
    unknown = [f"%{d}" for d in directives if d not in _ALLOWED]
    if not directives or unknown:
        what = f"'{value}' is not a date format" + (f" ({', '.join(unknown)} is not a date directive)" if unknown else "")
        raise ValueError(f"--date-format: {what} (expected day-first, month-first, or a pattern such as %d/%m/%Y)")
    names = {d.lstrip("-") for d in directives}
    if not (names & {"Y", "y"} and (names & {"m", "b", "B", "h"} and names & {"d", "e"} or "j" in names)):
        raise ValueError(f"--date-format: '{value}' does not name a year, a month and a day "
                         "(expected a pattern such as %d/%m/%Y or %Y%m%d)")
    return value


def column_dates(connection, source: ImportFile, table: str, column: str, *, stated: str | None = None,
                 today: dt.date, expected: str, problems: list[Problem] | None = None) -> str:
    """The SQL expression of the DATE of each row's `column` in `table`, once every cell is
    checked. `stated` is --date-format's value (date_format); `expected` says what a date of
    this column is ("the date of an event that has happened"), for a date after `today`.

    A column whose numeric dates cannot be ordered (both orders found, or neither and some cell
    reads two ways) raises ImportRefused at once, with one problem. Each bad cell is one problem:
    added to `problems` when given (the caller refuses with its other checks), else raised."""
    cell = f"trim({_quoted(column)})"
    order = stated if stated in (DAY_FIRST, MONTH_FIRST) else None
    if stated and not order:
        parsed = f"try_strptime({cell}, {_text(stated)})::DATE"
    else:
        order = order or _numeric_order(connection, source, table, column, cell)
        parsed = _date_sql(cell, order)
    found = _cell_problems(connection, source, table, column, parsed, stated, today, expected)
    if problems is None:
        refuse_if_any(source, found)
    else:
        problems.extend(found)
    return parsed


def define_date_macro(connection, call: str, expression: str) -> None:
    """Define `call` ("_event_date(event_date)") as a DuckDB macro of `expression` (column_dates'),
    so that a dataset module names a file's dates with one constant wherever its SQL needs them:
    the macro's parameter stands for the column, and DuckDB inlines it (no cost per row)."""
    connection.execute(f"CREATE OR REPLACE TEMP MACRO {call} AS {expression}")


def _date_sql(cell: str, order: str | None) -> str:
    """The DATE of `cell` (a trimmed text expression), NULL when it is none of the forms;
    numeric dates read in `order` (DAY_FIRST, MONTH_FIRST; None when the column has none)."""
    named = f"regexp_replace({cell}, '[ .-]+', ' ', 'g')"
    numbers = f"string_split_regex({cell}, '[-/.]')"
    year = (f"CASE WHEN length({numbers}[3]) = 2 THEN CAST({numbers}[3] AS INTEGER) "
            f"+ CASE WHEN CAST({numbers}[3] AS INTEGER) >= 69 THEN 1900 ELSE 2000 END "
            f"ELSE CAST({numbers}[3] AS INTEGER) END")
    day, month = ((f"{numbers}[1]", f"{numbers}[2]") if order == DAY_FIRST else (f"{numbers}[2]", f"{numbers}[1]"))
    numeric = f"TRY_CAST(CAST({year} AS VARCHAR) || '-' || {month} || '-' || {day} AS DATE)"
    # ISO as the APIs write it first, read by a plain cast: most files are all of it.
    return f"""(CASE
        WHEN regexp_full_match({cell}, '\\d{{4}}-\\d{{2}}-\\d{{2}}{_TIME}') THEN TRY_CAST(left({cell}, 10) AS DATE)
        WHEN regexp_full_match({cell}, '{_ISO}')
            THEN TRY_CAST(regexp_replace(regexp_extract({cell}, '^\\d{{4}}[-/.]\\d{{1,2}}[-/.]\\d{{1,2}}'), '[/.]', '-', 'g')
                          AS DATE)
        WHEN regexp_full_match({cell}, '{_COMPACT}') THEN try_strptime({cell}, '%Y%m%d')::DATE
        WHEN regexp_full_match({cell}, '{_NAMED}\\d{{4}}') THEN try_strptime({named}, ['%d %B %Y', '%d %b %Y'])::DATE
        WHEN regexp_full_match({cell}, '{_NAMED}\\d{{2}}') THEN try_strptime({named}, ['%d %B %y', '%d %b %y'])::DATE
        {f"WHEN regexp_full_match({cell}, '{_NUMERIC}') THEN {numeric}" if order else ""}
    END)"""


def _numeric_order(connection, source: ImportFile, table: str, column: str, cell: str) -> str | None:
    """DAY_FIRST or MONTH_FIRST, as the column's numeric dates show (None when it has none).
    Refuses the file, once, when they show both, or neither and a cell reads two ways."""
    first, second = (f"CAST(string_split_regex({cell}, '[-/.]')[{i}] AS INTEGER)" for i in (1, 2))
    decided = connection.execute(f"""
        SELECT min(_row) FILTER (WHERE {first} > 12), arg_min({_quoted(column)}, _row) FILTER (WHERE {first} > 12),
               min(_row) FILTER (WHERE {second} > 12), arg_min({_quoted(column)}, _row) FILTER (WHERE {second} > 12),
               min(_row) FILTER (WHERE {first} <> {second}),
               arg_min({_quoted(column)}, _row) FILTER (WHERE {first} <> {second}),
               count(*)
        FROM {table} WHERE regexp_full_match({cell}, '{_NUMERIC}')""").fetchone()
    day_row, day_cell, month_row, month_cell, two_ways_row, two_ways_cell, numeric = decided
    if not numeric:
        return None
    if day_row and month_row:
        row = max(day_row, month_row)
        _refuse(source, row, f"row {row}: {column}: the column has dates day first (row {day_row}: "
                f"'{day_cell.strip()}') and month first (row {month_row}: '{month_cell.strip()}')",
                "one order for the whole column", "correct the file: which rows are which cannot be known")
    if day_row or month_row:
        return DAY_FIRST if day_row else MONTH_FIRST
    if two_ways_row is None:  # every numeric date reads the same in either order (5/5/2020)
        return DAY_FIRST
    first_number, second_number, _ = (part.lstrip("0") or "0" for part in re.split(r"[-/.]", two_ways_cell.strip()))
    _refuse(source, two_ways_row, f"row {two_ways_row}: {column}: '{two_ways_cell.strip()}' may be day first or month "
            f"first ({first_number} {_month_name(second_number)} or {second_number} {_month_name(first_number)}), "
            "and no date of the column has a number over 12 to tell", OPTION_HELP, "say which the file's dates are")


def _month_name(number: str) -> str:
    return dt.date(2000, int(number), 1).strftime("%B") if 1 <= int(number) <= 12 else number


def _cell_problems(connection, source: ImportFile, table: str, column: str, parsed: str, stated: str | None,
                   today: dt.date, expected: str) -> list[Problem]:
    """One problem per bad cell, the first that applies: not a date, out of range, after today.
    One scan counts them; a file with none (the common case) is not read again."""
    in_range = f"year({parsed}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR}"
    after = f"{parsed} > DATE '{today.isoformat()}'"
    if not connection.execute(f"SELECT count(*) FILTER (WHERE d IS NULL OR NOT (year(d) BETWEEN {FIRST_YEAR} AND "
                              f"{LAST_YEAR}) OR d > DATE '{today.isoformat()}') FROM (SELECT {parsed} AS d FROM {table})"
                              ).fetchone()[0]:
        return []
    forms = (f"a date as --date-format {stated} says" if stated else FORMS)
    checks = [
        (f"{parsed} IS NULL", column, "{value} is not a date", forms),
        (f"{parsed} IS NOT NULL AND NOT {in_range}", column, "{value} is out of range",
         f"a date between {FIRST_YEAR} and {LAST_YEAR}"),
        (f"{parsed} IS NOT NULL AND {in_range} AND {after}", column, "{value} is after today", expected),
    ]
    return row_problems(connection, source, checks, table)


def _refuse(source: ImportFile, row: int, message: str, expected: str, hint: str) -> None:
    raise ImportRefused(Problem(source.shown, row, message, expected=expected, hint=hint))


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
