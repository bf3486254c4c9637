"""`sitrep new KIND`: the command; the skeleton entries and their insertion are sitrep/commands/new.py.

The store and the insertion are imported inside the command: they load pydantic and YAML, which
`sitrep --help` should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, Kind, app
from sitrep.errors import display_path


@app.command()
def new(
    kind: Kind = typer.Argument(..., help="What to add: figure, incident, route, movement, narrative, source, place "
                                "or actor."),
    file: Optional[Path] = typer.Option(None, "--file", help="The store file to add it to. Default: the file that "
                                        "already holds the most entries of that kind."),
    entry_id: Optional[str] = typer.Option(None, "--id", help="The new entry's id. Default: new-KIND-YYYY-MM-DD."),
    config: Path = ConfigOption,
) -> None:
    """Add a skeleton entry of KIND to a store file, with a fresh id and today's date, for you to fill in.

    What is already in the file stays byte for byte; the file is checked and written atomically. A new fact is a draft: marked restricted (kept out of public editions) with TODO text that `sitrep check` warns about, until you fill it in and delete its sensitivity line.

    Example: sitrep new figure --file facts/2016-06-fallujah.yaml
    """
    from sitrep.build import check as run_check
    from sitrep.commands.new import add_entry

    checked = run_check(config)
    added = add_entry(checked.config, checked.store, kind.value, file, entry_id)
    typer.echo(f"Added {added.kind} '{added.id}' at {display_path(added.file)}:{added.line}. "
               "Replace its TODO values, then run sitrep check.")
