"""A dataset's file as `sitrep import` reads it: the file identified (its SHA-256, and how the
manifest records it), read into DuckDB as text with each row numbered as a spreadsheet numbers
it, and checked: its columns, then each row, one problem per failing check (ImportRefused).
acled_import.py and dtm_import.py say which columns and checks each dataset has.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sitrep.errors import Problem, SitrepError, display_path

MAX_ROW_PROBLEMS = 30  # listed one by one; more are counted


class ImportRefused(SitrepError):
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
            raise ImportRefused(Problem(shown, 0, "no such file" if not path.exists() else "this is not a file",
                                       expected="a CSV file downloaded from the dataset"))
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ImportRefused(Problem(shown, 0, f"cannot read: {exc.strerror}")) from None
    if path.stat().st_size == 0:
        raise ImportRefused(Problem(shown, 0, "the file is empty", expected="a CSV file downloaded from the dataset"))
    resolved = path.resolve()
    # Outside the workspace, its name only: a home folder's path (a user's name) is not the
    # workspace's business, and the SHA-256 identifies the file.
    recorded = (resolved.relative_to(workspace.resolve()).as_posix() if resolved.is_relative_to(workspace.resolve())
                else resolved.name)
    return ImportFile(path, shown, digest.hexdigest(), recorded)


def read_csv(connection, source: ImportFile, table: str) -> list[str]:
    """Load the CSV into `table`: every value as text (the import checks each itself, with its
    row), plus `_row`, the row's number as a spreadsheet shows it (the header is row 1).
    Returns the columns, lower-cased as the datasets' documentation writes them."""
    import duckdb

    path = str(source.path).replace("'", "''")
    try:
        connection.execute(f"""CREATE TEMP TABLE _raw AS SELECT * FROM read_csv('{path}', header = true,
            all_varchar = true, sample_size = -1, strict_mode = true, encoding = 'utf-8',
            max_line_size = 4194304, buffer_size = 16777216)""")
    except duckdb.Error as exc:
        raise ImportRefused(Problem(source.shown, _line_of(str(exc)), "the file is not a CSV table that can be read: "
                                   + _first_line(str(exc)),
                                   expected="a comma-separated file in UTF-8 with one header row, as the dataset's "
                                            "export gives it")) from None
    columns = [row[0] for row in connection.execute("DESCRIBE _raw").fetchall()]
    quoted = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731  (a header may hold quotes)
    renamed = ", ".join(f"{quoted(c)} AS {quoted(c.strip().lower())}" for c in columns)
    connection.execute(f"CREATE TEMP TABLE {table} AS SELECT row_number() OVER () + 1 AS _row, {renamed} FROM _raw")
    connection.execute("DROP TABLE _raw")
    return [c.strip().lower() for c in columns]


def require_columns(source: ImportFile, columns: list[str], required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportRefused(Problem(source.shown, 1, f"the header lacks {_listed(missing)}",
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
    if len(problems) > MAX_ROW_PROBLEMS:  # listed last, at the last row shown
        shown.append(Problem(source.shown, shown[-1].line, f"and more rows like these: at least "
                                                           f"{len(problems) - MAX_ROW_PROBLEMS} not listed",
                             expected="every row as above"))
    raise ImportRefused(shown)


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
