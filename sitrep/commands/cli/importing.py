"""`sitrep import acled|dtm|hapi FILE.csv`: merge a dataset's rows into the workspace's bulk store.

The import's modules (DuckDB, the store) are imported inside the command: `sitrep --help` should
not pay for loading them (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

import codecs
from enum import Enum
from pathlib import Path

import typer

from sitrep.commands.app import ConfigOption, app
from sitrep.commands.progress import progress_for
from sitrep.commands.usage import CommandLineMistake


class Dataset(str, Enum):
    acled = "acled"
    dtm = "dtm"
    hapi = "hapi"


@app.command("import")
def import_(
    dataset: Dataset = typer.Argument(..., help="acled: ACLED's events (as incidents); "
                                                "dtm: IOM DTM's IDPs by admin area (as figures); "
                                                "hapi: HDX HAPI's conflict events by admin area and month (as "
                                                "figures: civilians killed, deaths in political violence) or its "
                                                "IDP table."),
    file: Path = typer.Argument(..., help="The CSV file as downloaded from the dataset."),
    config: Path = ConfigOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; write nothing."),
    drop_missing: bool = typer.Option(False, "--drop-missing",
                                      help="Drop the rows held from earlier imports that this file no longer has "
                                           "(ACLED deletes events); by default they are kept."),
    restricted: bool = typer.Option(False, "--restricted",
                                    help="Mark every row of this file restricted (internal edition only), and the "
                                         "sources it proposes. A restricted row, and a file imported --restricted, "
                                         "stay restricted when imported again (after --replace too)."),
    public: bool = typer.Option(False, "--public",
                                help="Make this file's rows public, those held restricted included: the only way "
                                     "to lower a restriction."),
    replace: bool = typer.Option(False, "--replace",
                                 help="Start from an empty bulk store, whatever it held (also the way to make a damaged "
                                      "one again: then import the files bulk/manifest.json lists)."),
    date_format: str = typer.Option(None, "--date-format", metavar="ORDER|PATTERN",
                                    help="How the file's numeric dates are ordered, when they cannot tell (no day "
                                         "over 12): day-first (31/12/2019) or month-first (12/31/2019); or a strptime "
                                         "pattern every date of the file follows, such as %d/%m/%Y."),
    encoding: str = typer.Option(None, "--encoding", metavar="NAME",
                                 help="The file's text encoding when it is not UTF-8, such as cp1252 (Windows-1252, "
                                      "in which ACLED's exports before 2019 come) or latin-1."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="For scripts: no progress on stderr, only errors; "
                               "the summary of what changed is still printed on stdout."),
) -> None:
    """Import a CSV file of ACLED events, IOM DTM displacement figures or HDX HAPI's tables into the workspace (bulk/).

    Every row is checked first: a bad row stops the import, and nothing is written. Re-importing an updated file updates the changed rows and never duplicates one.

    While it runs, stderr shows its stage, and a bar with the count and the time left as the file's places are matched to the store (elsewhere than on a terminal, one line each); --quiet shows none of it.

    Example: sitrep import acled acled-iraq-2016.csv --dry-run
    """
    from sitrep.exchange.importdates import date_format as read_date_format
    from sitrep.exchange.importing import run_import

    if restricted and public:
        raise CommandLineMistake("--restricted and --public do not go together (expected one of them)")
    try:
        date_format = read_date_format(date_format)
    except ValueError as exc:
        raise CommandLineMistake(str(exc)) from None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CommandLineMistake(f"--encoding: '{encoding}' is not an encoding Python knows "
                                     "(expected a name such as utf-8, cp1252 or latin-1)") from None
    stated = "restricted" if restricted else "public" if public else None
    with progress_for("sitrep import", quiet) as progress:
        report = run_import(config, dataset.value, file, dry_run=dry_run, drop_missing=drop_missing,
                            sensitivity=stated, replace=replace, progress=progress, date_format=date_format,
                            encoding=encoding)
    for warning in report.warnings:
        typer.echo(str(warning), err=True)
    for line in report.lines():
        typer.echo(line)
