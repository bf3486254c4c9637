"""`sitrep edit`: the command; the editor itself is sitrep/edit/server.py (docs/editor.md).

The editor is imported inside the command: it loads the pipeline, which `sitrep --help` should
not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import ConfigOption, app


@app.command()
def edit(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week the desk and the preview show, e.g. "
                                       "2016-W26. Default: the series' latest report."),
    config: Path = ConfigOption,
    port: int = typer.Option(8001, "--port", "-p", min=0, max=65535, help="Port to listen on (on 127.0.0.1 only); "
                             "0 picks a free one."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", metavar="NAME",
                                                   help="Also answer requests addressed to NAME, e.g. the name an "
                                                   "authenticating reverse proxy forwards (docs/editor.md). "
                                                   "Repeatable."),
) -> None:
    """Edit the fact store in the browser: forms for every kind of entry, checked as `sitrep check` checks them, the week's report previewed beside them.

    Listens on 127.0.0.1 only; every save carries the session's token and is written only if the file is unchanged since its form was opened. Ctrl+C stops it.

    Example: sitrep edit --port 8001
    """
    from sitrep.edit.server import EditorServer

    editor = EditorServer(config, port=port, week=week, allowed_hosts=allow_host or (), log=typer.echo)

    def _terminate(signum, frame):  # `kill` stops it as cleanly as Ctrl+C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        editor.start()
        typer.echo(f"Editing {editor.config.store_dir.name}/ at {editor.url} — Ctrl+C to stop")
        editor.serve_forever()
    finally:
        editor.close()
        signal.signal(signal.SIGTERM, previous)
