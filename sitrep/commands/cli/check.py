"""`sitrep check`: validate the config and every file of the store, print every problem found.

The store's modules (pydantic, YAML) are imported inside the command: `sitrep --help` should not
pay for loading them (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path

import typer

from typing import Optional

from sitrep.commands.app import AsOfOption, ConfigOption, _counted, app


@app.command()
def check(
    config: Path = ConfigOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors (exit 1), for CI."),
    as_of: Optional[str] = AsOfOption,
) -> None:
    """Validate the config, every file of the fact store and your templates; print every problem found.

    Each problem reads file:line: what is wrong (what was expected). Your templates (config.yaml's templates: folder) are compiled as a build compiles them, with the built-ins they extend or include. Exit code 1 when there is any error, 0 otherwise.

    Example: sitrep check --config config.yaml
    """
    from sitrep.pipeline import check as run_check

    result = run_check(config, templates=True, as_of=as_of)
    for warning in result.warnings:
        typer.echo(str(warning), err=True)
    if strict and result.warnings:
        typer.echo(f"{_counted(len(result.warnings), 'warning')}, and --strict treats "
                   f"{'it as an error' if len(result.warnings) == 1 else 'them as errors'}.", err=True)
        raise typer.Exit(1)
    from sitrep.source.schema import count_of

    # Areas of control are optional (most stores have none): not listed while there are none.
    counts = ", ".join(count_of(n, kind) for kind, n in result.store.counts().items() if n or kind != "areas")
    weeks = result.weeks(result.config.edition)
    span = f"; reports {weeks[0]} to {weeks[-1]} ({_counted(len(weeks), 'report')})" if weeks else ""
    warned = f" {_counted(len(result.warnings), 'warning')}." if result.warnings else ""
    imported = f"; {result.store.bulk.summary()}" if result.store.bulk is not None else ""
    typer.echo(f"OK: {len(result.store.files)} files, {counts}{imported}{span}.{warned}")
