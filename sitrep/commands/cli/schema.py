"""`sitrep schema`: the store's JSON Schema, for editors.

The schema's modules (pydantic) are imported inside the command: `sitrep --help` should not pay
for loading them (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, app
from sitrep.errors import display_path


@app.command()
def schema(
    config: Path = ConfigOption,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write the JSON Schema; '-' prints it. "
                                          "Default: sitrep.schema.json in the store folder."),
) -> None:
    """Write the store's JSON Schema, so editors can autocomplete and underline mistakes as you type.

    Point the YAML language server at it with a first line in each store file: # yaml-language-server: $schema=sitrep.schema.json

    Example: sitrep schema --output facts/sitrep.schema.json
    """
    from sitrep.output import write_atomic
    from sitrep.source.config import load_config
    from sitrep.source.schema import SCHEMA_FILE_NAME, store_json_schema

    text = json.dumps(store_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    if output is None:
        output = load_config(config).store_dir / SCHEMA_FILE_NAME
    write_atomic(output, text)
    typer.echo(f"Wrote {display_path(output)}")
