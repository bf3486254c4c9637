"""A dataset's file as `sitrep import` reads it: the file identified (its SHA-256, and how the
manifest records it), read into DuckDB as text with each row numbered as a spreadsheet numbers
it, and checked: its columns, then each row, one problem per failing check (ImportRefused).
acled_import.py and dtm_import.py say which columns and checks each dataset has.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.source import texthygiene

MAX_ROW_PROBLEMS = 30  # listed one by one; more are counted


class ImportRefused(SitrepError):
    """A file that cannot be imported: every problem found, each with its row."""


@dataclass
class ImportFile:
    path: Path
    shown: str  # as messages name it
    sha256: str
    recorded_as: str  # as manifest.json records it: relative to the workspace when inside it
    warnings: list[Problem] = field(default_factory=list)  # found while reading it: invisible characters


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


def transcoded(source: ImportFile, encoding: str, folder: Path) -> ImportFile:
    """The file as UTF-8, decoded from `encoding` (--encoding: ACLED's exports before 2019 are
    Windows-1252, cp1252) into `folder`, a line at a time; messages still name the file as the
    user gave it, and the manifest records its own SHA-256. A line that is not text in that
    encoding refuses the file, naming the line."""
    import codecs

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "transcoded.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with source.path.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
            for number, line in enumerate(raw, start=1):
                try:
                    out.write(decoder.decode(line))
                except UnicodeDecodeError:
                    raise ImportRefused(Problem(source.shown, number, f"line {number} is not {encoding} text",
                                                expected=f"a file in the encoding --encoding names ({encoding})",
                                                hint="name the file's own encoding, such as utf-8, cp1252 or "
                                                     "latin-1")) from None
            out.write(decoder.decode(b"", final=True))
    except OSError as exc:
        raise ImportRefused(Problem(source.shown, 0, f"cannot read: {exc.strerror}")) from None
    return ImportFile(target, source.shown, source.sha256, source.recorded_as, source.warnings)


def read_csv(connection, source: ImportFile, table: str) -> Columns:
    """Load the CSV into `table`: every value as text (the import checks each itself, with its
    row), plus `_row`, the row's number as a spreadsheet shows it (the header is row 1).
    Returns the columns, lower-cased as the datasets' documentation writes them, with their HXL
    hashtags when the file has a hashtag row (Columns; see _layout for where it may be).

    The file is read as RFC 4180 says, never guessed at: commas, double quotes (a quote inside
    a quoted field doubled), a line break of any kind inside a quoted field kept as part of it.
    Guessing the dialect from a sample failed on a field holding a bare carriage return, and
    took an unterminated quote for a plain character."""
    import duckdb

    layout = _layout(source)
    header = layout.header
    columns = "{" + ", ".join(f"{_sql_text(name)}: 'VARCHAR'" for name in header) + "}"
    path = str(source.path).replace("'", "''")
    # Without a hashtag row the header is DuckDB's to read; with one, the lines down to it are
    # skipped and the header given, so the hashtag row is never a row of data.
    start = "header = true" if layout.skip_lines == 0 else f"header = false, skip = {layout.skip_lines}"
    try:
        connection.execute(f"""CREATE TEMP TABLE _raw AS SELECT * FROM read_csv('{path}', {start},
            auto_detect = false, columns = {columns}, delim = ',', quote = '"', escape = '"', strict_mode = true,
            encoding = 'utf-8', max_line_size = 4194304, buffer_size = 16777216)""")
    except duckdb.Error:
        raise ImportRefused(_structure_problem(source, len(header), layout.header_row)) from None
    quoted = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731  (a header may hold quotes)
    renamed = ", ".join(f"{quoted(c)} AS {quoted(c.strip().lower())}" for c in header)
    connection.execute(f"CREATE TEMP TABLE {table} AS SELECT row_number() OVER () + {layout.first_row - 1} AS _row, "
                       f"{renamed} FROM _raw")
    connection.execute("DROP TABLE _raw")
    names = [c.strip().lower() for c in header]
    check_texts(connection, source, table, names)
    if layout.header_row > 1:
        source.warnings.append(Problem(
            source.shown, 1, f"{_rows(1, layout.header_row - 1)} above the header (row {layout.header_row}, over the HXL "
            f"hashtag row {layout.hxl_row}) {'is' if layout.header_row == 2 else 'are'} not read, as a title",
            severity="warning"))
    return Columns(names, dict(zip(names, layout.tags)), layout.hxl_row)


class Columns(list):
    """The file's columns, lower-cased, in order (a list of names, as datasets have always
    used it), with `hashtags`: each column's HXL hashtag (`#adm1+name`) when the file has a
    hashtag row, and `hxl_row`, that row's number (None without one)."""

    def __init__(self, names: list[str], hashtags: dict[str, str] | None = None, hxl_row: int | None = None):
        super().__init__(names)
        self.hashtags = {name: tag for name, tag in (hashtags or {}).items() if tag}
        self.hxl_row = hxl_row

    def tagged(self, pattern: str) -> str | None:
        """The first column whose hashtag matches `pattern` as HXL matches one: the same
        hashtag, with at least the pattern's attributes (`#affected+idps` matches
        `#affected+idps+ind`, not `#affected+refugees`). None when none does."""
        want_tag, *want_attributes = _hxl_parts(pattern)
        for name, tag in self.hashtags.items():
            have_tag, *have_attributes = _hxl_parts(tag)
            if have_tag == want_tag and set(want_attributes) <= set(have_attributes):
                return name
        return None


# An HXL hashtag, as libhxl recognises one: #name, then +attributes (spaces allowed between);
# a hyphen is let into attributes since HDX files have them (+iso639-3_lin).
HXL_HASHTAG = re.compile(r"\s*#[A-Za-z][A-Za-z0-9_]*(?:\s*\+\s*[A-Za-z][A-Za-z0-9_-]*)*\s*")
HXL_SCAN_ROWS = 25  # as far down as libhxl looks for the hashtag row


def _hxl_parts(tag: str) -> list[str]:
    return re.sub(r"\s+", "", tag).lower().split("+")


def is_hashtag_row(row: list[str]) -> bool:
    """A row of HXL hashtags: some cell is one, and every cell that is not empty is one."""
    cells = [cell for cell in row if cell.strip()]
    return bool(cells) and all(HXL_HASHTAG.fullmatch(cell) for cell in cells)


@dataclass
class _Layout:
    """Where the file's header, HXL hashtag row and data are (rows numbered as a spreadsheet does)."""

    header: list[str]
    header_row: int = 1
    hxl_row: int | None = None
    tags: list[str] = field(default_factory=list)
    skip_lines: int = 0  # lines before the first row of data, when the hashtag row is read here (else 0)

    @property
    def first_row(self) -> int:
        return (self.hxl_row or self.header_row) + 1


def _layout(source: ImportFile) -> _Layout:
    """The header, and the HXL hashtag row HDX's files have: looked for in the first rows (as
    libhxl looks). Under the header (row 2, the usual place) it is dropped, its tags kept; as
    the first row (a file of hashtags only) the tags are the header too; further down, the row
    above it is the header and the rows above that a title, not read. The header names each
    column once (compared as the import compares them: trimmed, regardless of case)."""
    rows: list[tuple[list[str], int]] = []  # (row, the line it ends on)
    first: list[str] = []
    try:
        # utf-8-sig: a byte order mark, as spreadsheets and HDX write one, is not part of the first name.
        with source.path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            first = next(reader, [])
            if first:
                rows.append((first, reader.line_num))
                for record in reader:
                    if record:  # a blank line is no row
                        rows.append((record, reader.line_num))
                    if len(rows) >= HXL_SCAN_ROWS:
                        break
    except (UnicodeDecodeError, csv.Error, ValueError):
        pass  # read as far as it goes: DuckDB then finds where the file stops being CSV
    except OSError as exc:
        raise ImportRefused(Problem(source.shown, 0, f"cannot read: {exc.strerror}")) from None
    if first in ([], [""]):  # not UTF-8 text, a quote never closed, nothing on the first line
        raise ImportRefused(_structure_problem(source, 0))
    found = next((number for number, (row, _) in enumerate(rows, start=1) if is_hashtag_row(row)), None)
    tags = [] if found is None else [re.sub(r"\s+", "", cell).lower() for cell in rows[found - 1][0]]
    if found is None:
        layout = _Layout(first)
    elif found == 1:  # hashtags only: they name the columns
        layout = _Layout(tags, hxl_row=1, tags=tags)
    else:
        layout = _Layout(rows[found - 2][0], found - 1, found, tags, rows[found - 1][1])
    # A column with no name (the empty columns a spreadsheet leaves after the last: `FATALITIES,,,`)
    # is named by its place, as a spreadsheet shows it, and no dataset reads it.
    layout.header = [name if name.strip() else f"(column {number})" for number, name in enumerate(layout.header, 1)]
    named = [name.strip().lower() for name in layout.header]
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        raise ImportRefused(Problem(source.shown, layout.header_row, f"row {layout.header_row}: the header names "
                                    f"{_listed(twice)} more than once", expected="each column once"))
    return layout


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first} to {last}"


_NOT_CSV = "a comma-separated file in UTF-8 with one header row, as the dataset's export gives it"


def header_names(source: ImportFile) -> list[str]:
    """The file's columns as the import names them (trimmed, lower-cased), read from its header
    only: what a dataset with several tables needs to know which one a file is."""
    return [name.strip().lower() for name in _layout(source).header]


def _structure_problem(source: ImportFile, width: int, header_row: int = 1) -> Problem:
    """Why the file is not a CSV table, at the row (and line) where it stops being one: a
    quote that opens and never closes, a quote inside a field not quoted whole, a row of
    another number of fields than the header, text that is not UTF-8. Read again with
    Python's own reader only now that the file was refused: never the database's words."""
    row, line = 0, 1  # the last row read whole, and the line the next one starts on
    try:
        with source.path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                for record in reader:
                    if record:  # a blank line is no row
                        row += 1
                        if width and row >= header_row and len(record) != width:  # a title above may be narrower
                            return Problem(source.shown, row, f"row {row} has {len(record)} fields",
                                           expected=f"{width}, one for each column of the header",
                                           hint="a field that holds a comma or a line break must be quoted whole")
                    line = reader.line_num + 1
            except csv.Error:
                if handle.read(1) == "":  # the reader ran to the end of the file inside a quoted field
                    return Problem(source.shown, row + 1, f"row {row + 1}: a quoted field opens on line {line} "
                                   "and its closing quote never comes",
                                   expected='a " at the end of the field; a quote inside a field written twice ("")')
                return Problem(source.shown, row + 1, f"row {row + 1}: a quote in a field not quoted whole "
                               f"(from line {line})",
                               expected='a field quoted whole ("...") with each quote inside it written twice ("")')
    except UnicodeDecodeError:
        line = _first_line_not_utf8(source.path)
        return Problem(source.shown, line, "the file is not a CSV table that can be read: "
                       + (f"line {line} is not UTF-8 text" if line else "it is not UTF-8 text"), expected=_NOT_CSV,
                       hint="if the file is in another encoding, name it with --encoding (ACLED's exports before "
                            "2019 are Windows-1252: --encoding cp1252)")
    except OSError as exc:
        return Problem(source.shown, 0, f"cannot read: {exc.strerror}")
    return Problem(source.shown, 0, "the file is not a CSV table that can be read", expected=_NOT_CSV)


def _first_line_not_utf8(path: Path) -> int:
    """The first line of the file that is not UTF-8 (0 when no one line is: a character cut
    by a line break); text decoding reads ahead by blocks, so it cannot say."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_texts(connection, source: ImportFile, table: str, columns: list[str]) -> None:
    """Every cell and header's text, as the store's are (source/texthygiene.py): a control
    character (a NUL, an ESC) refuses the file, naming each row and column; an invisible
    character (a bidirectional control, a zero-width space) is a warning in `source.warnings`."""
    problems = [Problem(source.shown, 1, f"row 1: the header's column '{column}' holds "
                        f"{texthygiene.named(controls, 'control character')}", expected=_PRINTABLE)
                for column in columns if (controls := texthygiene.control_characters(column))]
    quoted = {column: '"' + column.replace('"', '""') + '"' for column in columns}
    # One pass over every cell first: most files hold no such character, and then no column is read again.
    if connection.execute(f"SELECT 1 FROM {table} WHERE regexp_matches(concat({', '.join(quoted.values())}), ?) "
                          "LIMIT 1", [texthygiene.SUSPECT_PATTERN]).fetchone():
        for column in columns:
            for row, text in _rows_matching(connection, table, quoted[column], texthygiene.CONTROL_PATTERN):
                problems.append(Problem(source.shown, row, f"row {row}: {column}: holds "
                                        f"{texthygiene.named(texthygiene.control_characters(text), 'control character')}",
                                        expected=_PRINTABLE))
                if len(problems) > MAX_ROW_PROBLEMS:
                    break
            _warn_of_hidden_characters(connection, source, table, column, quoted[column])
    refuse_if_any(source, problems)


def _rows_matching(connection, table: str, column: str, pattern: str):
    """(row, text) of the cells of `column` that `pattern` finds, in row order, read a batch at a time."""
    cursor = connection.execute(f"SELECT _row, {column} FROM {table} WHERE regexp_matches({column}, ?) ORDER BY _row",
                                [pattern])
    while batch := cursor.fetchmany(1000):
        yield from batch


def _warn_of_hidden_characters(connection, source: ImportFile, table: str, column: str, quoted: str) -> None:
    """A warning for each cell of `column` holding an invisible character (up to the number of
    problems listed): not every format character is one (a joiner between Persian letters)."""
    found = 0
    for row, text in _rows_matching(connection, table, quoted, texthygiene.FORMAT_PATTERN):
        hidden = texthygiene.hidden_characters(text)
        if not hidden:
            continue
        source.warnings.append(Problem(
            source.shown, row, f"row {row}: {column}: holds {texthygiene.named(hidden, 'invisible character')}, "
            "which can reverse or hide text in the report", severity="warning",
            hint="delete it from the file and import it again" if len(hidden) == 1
            else "delete them from the file and import it again"))
        found += 1
        if found >= MAX_ROW_PROBLEMS:
            return


_PRINTABLE = "printable text: a tab or a line break, but no other control character"


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
