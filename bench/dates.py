"""What reading a column of dates costs `sitrep import`, before and after importdates.py.

    .venv/bin/python bench/dates.py [--rows 1000000] [--repeat 7] [--form iso|acled|numeric]

A table of `--rows` dates (DuckDB, in memory, as importfile.read_csv loads a file: text) is
checked as the import checks it, then used once as the import uses it:

- before: ACLED's expression of sitrep 3f118ed (four strptime forms) in its three checks (not a
  date, out of range, after today), each a scan;
- after: importdates.column_dates (the numeric order decided, every cell checked) and its
  expression as a macro.

The two alternate, `--repeat` times each (the machine is noisy, and alternating spreads its
noise over both); printed: each time, and the ratio after/before (median, min-max, n).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitrep.exchange.importdates import column_dates, define_date_macro  # noqa: E402
from sitrep.exchange.importfile import ImportFile, row_problems  # noqa: E402

BEFORE = ("coalesce(try_strptime(trim(event_date), '%Y-%m-%d'), try_strptime(trim(event_date), '%d %B %Y'), "
          "try_strptime(trim(event_date), '%d-%B-%Y'), try_strptime(trim(event_date), '%d/%m/%Y'))::DATE")
FORMS = {"iso": "strftime(d, '%Y-%m-%d')", "acled": "strftime(d, '%-d %B %Y')", "numeric": "strftime(d, '%d/%m/%Y')"}
TODAY = dt.date(2026, 12, 1)
SOURCE = ImportFile(Path("bench.csv"), "bench.csv", "0" * 64, "bench.csv")


def table(connection, rows: int, form: str) -> None:
    connection.execute(f"""CREATE OR REPLACE TABLE acled AS SELECT i + 1 AS _row,
        {FORMS[form]} AS event_date FROM (SELECT i, DATE '1997-01-01' + CAST(i % 10000 AS INTEGER) AS d
        FROM range({rows}) t(i))""")


def before(connection) -> float:
    started = time.perf_counter()
    checks = [(f"{BEFORE} IS NULL", "event_date", "{value} is not a date", ""),
              (f"NOT (year({BEFORE}) BETWEEN 1800 AND 2199)", "event_date", "{value} is out of range", ""),
              (f"{BEFORE} > DATE '{TODAY.isoformat()}'", "event_date", "{value} is after today", "")]
    checks = [(f"coalesce(({condition}), true)", *rest) for condition, *rest in checks]
    assert not row_problems(connection, SOURCE, checks, "acled")
    connection.execute(f"SELECT count(DISTINCT {BEFORE}) FROM acled").fetchone()
    return time.perf_counter() - started


def after(connection) -> float:
    started = time.perf_counter()
    define_date_macro(connection, "_event_date(event_date)", column_dates(
        connection, SOURCE, "acled", "event_date", today=TODAY, expected="the date of an event that has happened"))
    connection.execute("SELECT count(DISTINCT _event_date(event_date)) FROM acled").fetchone()
    return time.perf_counter() - started


def main() -> None:
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--form", choices=sorted(FORMS), default="acled")
    options = parser.parse_args()
    connection = duckdb.connect()
    table(connection, options.rows, options.form)
    ratios = []
    for _ in range(options.repeat):
        old = before(connection)
        new = after(connection)
        ratios.append(new / old)
        print(f"before {old:6.3f} s   after {new:6.3f} s   ratio {new / old:5.2f}")
    print(f"{options.rows:,} rows, form {options.form}: after/before median {statistics.median(ratios):.2f}, "
          f"min-max {min(ratios):.2f}-{max(ratios):.2f}, n={len(ratios)}")


if __name__ == "__main__":
    main()
