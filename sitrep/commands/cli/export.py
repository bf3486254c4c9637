"""`sitrep export`: a report's facts as HXL-tagged CSV, ACLED-compatible CSV or JSON.

The export itself is sitrep/exchange/export.py, imported inside the command: it loads the store
(pydantic, YAML), which `sitrep --help` should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import AsOfOption, ConfigOption, Edition, app
from sitrep.commands.usage import CommandLineMistake
from sitrep.errors import display_path


class ExportFormat(str, Enum):
    hxl = "hxl"
    acled = "acled"
    json = "json"


class ExportKind(str, Enum):
    incidents = "incidents"
    figures = "figures"
    routes = "routes"
    movements = "movements"


@app.command()
def export(
    format: ExportFormat = typer.Argument(..., help="hxl (HXL-tagged CSV, a table per kind), acled (ACLED's "
                                          "columns, one row per incident) or json (the report, shaped as "
                                          "ReliefWeb's, with its facts and citations)."),
    week: Optional[str] = typer.Option(None, "--week", "-w", help="The report to export, by its ISO week, e.g. "
                                       "2016-W26. Default: the series' latest report."),
    all_weeks: bool = typer.Option(False, "--all", help="What every report of the series brought (JSON: an "
                                   "array of reports)."),
    kinds: Optional[list[ExportKind]] = typer.Option(None, "--kind", "-k", help="With hxl: a table to export "
                                                     "(repeat for several). Default: all four."),
    edition: Optional[Edition] = typer.Option(None, "--edition", help="public (leaves out restricted facts and "
                                              "withheld sources' identities) or internal. Default: 'edition' in "
                                              "config.yaml."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The file to write ('-' or none: standard "
                                          "output); with several tables, the folder to write them into."),
    raw_cells: bool = typer.Option(False, "--raw-cells", help="With hxl or acled: write every cell as the store has "
                                   "it, even one a spreadsheet would run as a formula (=, +, -, @...), which by "
                                   "default gets a leading '. For programs that read the CSV; never open such a "
                                   "file in a spreadsheet."),
    config: Path = ConfigOption,
    as_of: Optional[str] = AsOfOption,
) -> None:
    """Export what a report brings (or, with --all, every report) as data: HXL, ACLED or JSON.

    The same entries as the report, in the same edition: a public export holds no restricted fact, and of a withheld source only its public name and grades. A CSV is safe to open in a spreadsheet: a text cell that would run as a formula starts with ' (--raw-cells: as the store has it). hxl writes one table per kind (incidents, figures, routes, movements): one to a file or standard output, several into a folder (-o FOLDER). Exports are deterministic: the same store gives the same bytes. Files are written atomically.

    Example: sitrep export hxl --kind incidents --week 2016-W26 -o incidents.csv
    """
    if week and all_weeks:
        raise CommandLineMistake("--week and --all do not go together (expected one of them)")
    if kinds and format is not ExportFormat.hxl:
        raise CommandLineMistake(f"--kind chooses hxl tables; {format.value} has none (expected --kind with hxl only)")
    if raw_cells and format is ExportFormat.json:
        raise CommandLineMistake("--raw-cells is about CSV cells; json has none "
                                 "(expected --raw-cells with hxl or acled only)")
    from sitrep.exchange.export import export as run_export, standard_output, write_export

    result = run_export(config, format.value, week=week, all_weeks=all_weeks,
                        edition=edition.value if edition else None, kinds=[k.value for k in kinds or []],
                        raw_cells=raw_cells, as_of=as_of)
    if output is None or str(output) == "-":
        typer.echo(standard_output(result), nl=False)  # bytes: UTF-8 whatever the terminal's encoding
        return
    for path in write_export(result, output):
        typer.echo(f"Wrote {display_path(path)}")
