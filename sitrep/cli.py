"""The command line: a thin shell over the library (`sitrep.build`).

User mistakes arrive here as `SitrepError` and leave as one clean message per problem on
stderr, with exit code 1 — never a traceback.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .errors import SitrepError, display_path

app = typer.Typer(
    help="Weekly humanitarian situation reports (HTML and PDF) from a sourced YAML fact store.\n\n"
         "Example: sitrep check && sitrep build --week 2016-W26",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOption = typer.Option(Path("config.yaml"), "--config", "-c", help="The workspace's config file.",
                            show_default=True)


class Format(str, Enum):
    html = "html"
    pdf = "pdf"
    both = "both"


class Edition(str, Enum):
    public = "public"
    internal = "internal"


def _fail(error: SitrepError) -> None:
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len([p for p in error.problems if p.severity == "error"])
    if count > 1:
        typer.echo(f"{count} errors; nothing was written.", err=True)
    raise typer.Exit(1)


@app.command()
def build(
    week: Optional[str] = typer.Option(None, "--week", "-w", help="ISO week to report on, e.g. 2016-W26. "
                                       "Default: the latest week that has facts."),
    config: Path = ConfigOption,
    format: Format = typer.Option(Format.both, "--format", "-f", help="What to write: html, pdf or both."),
    edition: Optional[Edition] = typer.Option(None, "--edition", help="public (leaves out restricted facts) or "
                                              "internal. Default: 'edition' in config.yaml."),
) -> None:
    """Build one week's report into output/<week>/ as HTML and PDF.

    Checks the store first and refuses to build from a broken one. Files are written atomically: a failed build leaves the previous report untouched.

    Example: sitrep build --week 2016-W26 --format pdf
    """
    from .build import build_week

    formats = ("html", "pdf") if format is Format.both else (format.value,)
    try:
        result = build_week(config, week, formats, edition.value if edition else None)
    except SitrepError as error:
        _fail(error)
    report = result.context
    if result.warnings:
        typer.echo(f"{len(result.warnings)} warnings about the store; `sitrep check` lists them.", err=True)
    typer.echo(f"Report {report.number} for {result.week} ({report.period}), {report.edition} edition:")
    for fmt, path in result.files.items():
        typer.echo(f"  {fmt:4}  {display_path(path)}")
    typer.echo(f"Built in {result.seconds:.1f} s.")


@app.command()
def check(
    config: Path = ConfigOption,
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors (exit 1), for CI."),
) -> None:
    """Validate the config and every file of the fact store; print every problem found.

    Each problem reads file:line: what is wrong (what was expected). Exit code 1 when there is any error, 0 otherwise.

    Example: sitrep check --config config.yaml
    """
    from .build import check as run_check

    try:
        result = run_check(config)
    except SitrepError as error:
        _fail(error)
    for warning in result.warnings:
        typer.echo(str(warning), err=True)
    if strict and result.warnings:
        typer.echo(f"{len(result.warnings)} warnings, and --strict treats them as errors.", err=True)
        raise typer.Exit(1)
    counts = ", ".join(f"{n} {kind}" for kind, n in result.store.counts().items())
    weeks = result.store.weeks_with_facts()
    span = f"; weeks {weeks[0]} to {weeks[-1]} ({len(weeks)} with facts)" if weeks else ""
    warned = f" {len(result.warnings)} warnings." if result.warnings else ""
    typer.echo(f"OK: {len(result.store.files)} files, {counts}{span}.{warned}")


@app.command()
def weeks(
    config: Path = ConfigOption,
) -> None:
    """List the weeks that have facts: report number, period, and the facts dated in each.

    Example: sitrep weeks
    """
    from .build import check as run_check
    from .report import week_summaries

    try:
        result = run_check(config)
    except SitrepError as error:
        _fail(error)
    for summary in week_summaries(result.store):
        counts = ", ".join(f"{n} {kind}" for kind, n in summary.counts.items() if n)
        typer.echo(f"{summary.week}  No. {summary.number:<3} {summary.period:<28} {counts}")


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
    import json

    from .config import load_config
    from .output import write_atomic
    from .schema import SCHEMA_FILE_NAME, store_json_schema

    text = json.dumps(store_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    if output is None:
        try:
            output = load_config(config).store_dir / SCHEMA_FILE_NAME
        except SitrepError as error:
            _fail(error)
    write_atomic(output, text)
    typer.echo(f"Wrote {display_path(output)}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sitrep {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Weekly humanitarian situation reports (HTML and PDF) from a sourced YAML fact store.

    Run it in a workspace: a folder with config.yaml and a facts/ store.

    Example: sitrep check && sitrep build --week 2016-W26
    """


def main() -> None:
    try:
        app()
    except SitrepError as error:  # raised outside a command (should not happen, but never a traceback)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # a bug in sitrep, not the user's mistake
        if os.environ.get("SITREP_DEBUG"):
            raise
        print(f"sitrep: internal error: {type(error).__name__}: {error}\n"
              "This is a bug in sitrep. Run again with SITREP_DEBUG=1 for details and report it.", file=sys.stderr)
        sys.exit(70)
