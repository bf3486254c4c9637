"""`sitrep serve`: the command; the server itself is sitrep/commands/serve.py.

The server is imported inside the command: it loads the pipeline (pydantic, Jinja, YAML), which
`sitrep --help` should not pay for (see sitrep/commands/cli/__init__.py).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer

from sitrep.commands.app import AsOfOption, ConfigOption, Edition, EditionOption, LanguageOption, app


@app.command()
def serve(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week to report on, e.g. 2016-W26. "
                                       "Default: the series' latest report."),
    config: Path = ConfigOption,
    edition: Optional[Edition] = EditionOption,
    language: Optional[str] = LanguageOption,
    as_of: Optional[str] = AsOfOption,
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="Port to listen on; 0 picks a free one."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but localhost shares "
                             "the report with your network."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", metavar="NAME",
                                                   help="Also answer requests addressed to NAME (e.g. laptop.local; "
                                                   ".example.org for that domain and every name under it). "
                                                   "localhost and IP addresses are always answered. Repeatable."),
) -> None:
    """Serve the report on localhost; rebuild it and reload the browser when a fact, a template or the config changes.

    A broken store or template shows its errors on the page, and the server keeps running: fix the file and the report comes back. Nothing is written to output/; /report.pdf is laid out in the background after each rebuild. Ctrl+C stops it.

    Example: sitrep serve --port 8000 --language ar
    """
    from sitrep.commands.serve import ReportServer

    server = ReportServer(config, week=week, edition=edition.value if edition else None, language=language,
                          host=host, port=port, allowed_hosts=allow_host or (), log=typer.echo, as_of=as_of)

    def _terminate(signum, frame):  # `kill` stops it as cleanly as Ctrl+C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        server.start()  # answering, and hearing saves, before the URL is printed
        typer.echo(f"Serving {server.title} at {server.url} — Ctrl+C to stop")
        server.serve_forever()  # until Ctrl+C: the error boundary (app.py) says "stopped", exit 130
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)
