"""The command line's application: the Typer app, the options and choices its commands share,
its one error boundary, and `main`, which runs it. The commands themselves are in cli/, one
module each.

User mistakes arrive as `SitrepError` and leave as one clean message per problem on stderr,
with exit code 1 — never a traceback (`_ErrorBoundary`).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path

import typer

from sitrep import __version__
from sitrep.errors import SitrepError

# Commands that write files: when one fails, its message says that nothing was written.
WRITING_COMMANDS = {"build", "new", "schema", "init", "copy", "import", "export"}


class _ErrorBoundary(typer.core.TyperGroup):
    """The one place where a user's mistake, raised anywhere in a command as SitrepError,
    becomes its problems on stderr, one line each, and exit code 1: never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SitrepError as error:
            _fail(error, writes=(ctx.invoked_subcommand or ctx.info_name) in WRITING_COMMANDS)


app = typer.Typer(
    cls=_ErrorBoundary,
    help="Weekly humanitarian situation reports (HTML and PDF) from a sourced YAML fact store.\n\n"
         "Example: sitrep check && sitrep build --week 2016-W26",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOption = typer.Option(Path("config.yaml"), "--config", "-c", help="The workspace's config file.",
                            show_default=True)


LanguageOption = typer.Option(None, "--language", "-l", help="The edition's language: en, ar, fr... "
                              "Default: 'language' in config.yaml.")


class PdfVariant(str, Enum):
    ua1 = "pdf/ua-1"
    a3a = "pdf/a-3a"
    plain = "plain"


class Format(str, Enum):
    html = "html"
    pdf = "pdf"
    both = "both"


class Edition(str, Enum):
    public = "public"
    internal = "internal"


def _fail(error: SitrepError, writes: bool = True) -> None:
    """Print each problem, then how many errors there were, and exit 1. `writes`: the command
    writes files (build, new, schema, init, templates copy), so the count says that nothing
    was written; a command that only reads (check, weeks, trace...) passes False."""
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len([p for p in error.problems if p.severity == "error"])
    if count > 1:
        typer.echo(f"{count} errors; nothing was written." if writes else f"{count} errors.", err=True)
    raise typer.Exit(1)


def _counted(n: int, noun: str) -> str:
    """'1 warning', '3 warnings'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _say_waiting(message: str) -> None:
    """Another build holds the workspace: say why nothing seems to happen (Ctrl+C stops waiting)."""
    typer.echo(message, err=True)


class Kind(str, Enum):
    source = "source"
    place = "place"
    actor = "actor"
    figure = "figure"
    incident = "incident"
    route = "route"
    area = "area"
    movement = "movement"
    narrative = "narrative"


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
    """The command line (commands/entry.py starts it). Its commands live in cli/, which registers them on `app` as it is
    imported: imported here, not at the top, because each of them imports this module."""
    from sitrep.commands import cli  # noqa: F401

    try:
        app()
    except SystemExit as done:
        if done.code == 130:  # Typer turns Ctrl+C into a silent exit 130
            print("interrupted; every file is either as it was or complete (writes are atomic)", file=sys.stderr)
        _exit_now(done.code)
    except SitrepError as error:  # raised outside a command (should not happen, but never a traceback)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; every file is either as it was or complete (writes are atomic)", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # a bug in sitrep, not the user's mistake
        if os.environ.get("SITREP_DEBUG"):
            raise
        print(f"sitrep: internal error: {type(error).__name__}: {error}\n"
              "This is a bug in sitrep. Run again with SITREP_DEBUG=1 for details and report it.", file=sys.stderr)
        sys.exit(70)


def _exit_now(code) -> None:
    """End the process without tearing the interpreter down: every file was written (atomically)
    and closed, so the 0.05-0.1 s Python spends freeing a run's objects at exit is pure waiting."""
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message") prints it, as Python would
        print(code, file=sys.stderr)
        code = 1
    if sys.gettrace() or sys.getprofile() or os.environ.get("SITREP_DEBUG"):
        sys.exit(code)  # a profiler, debugger or coverage tool writes its results at a normal exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
