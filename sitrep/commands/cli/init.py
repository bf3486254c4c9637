"""`sitrep init DIR`: the command; the starter workspace is sitrep/commands/starter.py.

The starter is imported inside the command: it loads the schema (pydantic), which `sitrep --help`
should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path

import typer

from sitrep.commands.app import app
from sitrep.errors import display_path


@app.command()
def init(
    folder: Path = typer.Argument(..., metavar="DIR", help="The new workspace: a folder that does not exist yet, or is empty."),
) -> None:
    """Create a workspace that builds at once: config.yaml, a starter store and a templates folder.

    The store holds one small example entry of each kind, each marked EXAMPLE, to replace with your own; sitrep check and sitrep build work in it straight away. Refuses a folder that is not empty.

    Example: sitrep init my-crisis && cd my-crisis && sitrep build
    """
    from sitrep.commands.starter import init_workspace

    written = init_workspace(folder)
    shown = display_path(folder)
    typer.echo(f"Created a sitrep workspace in {shown} ({len(written)} files):")
    typer.echo("  config.yaml   title, organisation, theme, sections: the report's settings")
    typer.echo("  facts/        the store: one example entry of each kind, marked EXAMPLE, to replace")
    typer.echo("  templates/    your own templates, searched before the built-ins (sitrep templates)")
    typer.echo(f"Next: cd {shown} && sitrep check && sitrep build")
