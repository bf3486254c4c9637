"""`sitrep trace ID`: the command; tracing itself is sitrep/commands/trace.py.

The store and the tracing are imported inside the command: they load pydantic and YAML, which
`sitrep --help` should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

from pathlib import Path

import typer

from typing import Optional

from sitrep.commands.app import AsOfOption, ConfigOption, app


@app.command()
def trace(
    entry_id: str = typer.Argument(..., metavar="ID", help="An entry's id, as the report's HTML shows in data-fact."),
    config: Path = ConfigOption,
    as_of: Optional[str] = AsOfOption,
) -> None:
    """Trace an entry back to the store: where each of its lines is written, the sources it cites and where they are defined, how well sourced it is, what refers to it, and which reports of the series print it: the one it enters as news (and why that one), those that carry it forward, and where it is superseded or goes stale.

    Example: sitrep trace fallujah-trapped-2016-06
    """
    from sitrep.pipeline import check as run_check
    from sitrep.commands.trace import format_trace
    from sitrep.commands.trace import trace as trace_entry

    workspace = run_check(config, as_of=as_of)
    typer.echo(format_trace(trace_entry(workspace.store, entry_id, workspace.config)))
