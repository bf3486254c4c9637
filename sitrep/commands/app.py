"""The command line's application: the Typer app, the options and choices its commands share,
its one error boundary, and `main`, which runs it. The commands themselves are in cli/, one
module each.

User mistakes arrive as `SitrepError` and leave as one clean message per problem on stderr,
with exit code 1 — never a traceback (`_ErrorBoundary`). A mistake in the command line itself
leaves as one line in sitrep's words with exit code 2 (usage.py), and Ctrl+C as one line with
exit code 130.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sys
from enum import Enum
from pathlib import Path

import typer

from sitrep import __version__
from sitrep.commands.startup import WRITING_COMMANDS, command_in, interrupted_line
from sitrep.commands.usage import CommandLineMistake, NoArgsIsHelpError, UsageError, command_path, in_our_words
from sitrep.errors import SitrepError, did_you_mean

STOPPED = "stopped"  # sitrep serve and edit only ever end this way (edit's saves are atomic)


class _ErrorBoundary(typer.core.TyperGroup):
    """The one place where a user's mistake, raised anywhere in a command as SitrepError,
    becomes its problems on stderr, one line each, and exit code 1: never a traceback. A
    mistaken command line becomes one line and exit code 2; Ctrl+C one line and exit code 130."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SitrepError as error:
            _fail(error, writes=_command_of(ctx) in WRITING_COMMANDS)
        except UsageError as error:
            _refuse_command_line(error, ctx)
        except KeyboardInterrupt:
            self._interrupted(ctx)
        except Exception:
            # A library that catches the KeyboardInterrupt raised in its callback raises its own
            # error instead (pydantic-core: a PydanticSerializationError naming KeyboardInterrupt):
            # pressed Ctrl+C, that is the interruption, not a bug in sitrep.
            if not ctrl_c_pressed:
                raise
            self._interrupted(ctx)

    def _interrupted(self, ctx):
        command = _command_of(ctx)
        _say_interrupted(STOPPED if command in ("serve", "edit") else interrupted_line(command))
        raise typer.Exit(130) from None

    def parse_args(self, ctx, args):
        try:  # the program's own options (sitrep --bogus); a command's are parsed in invoke()
            return super().parse_args(ctx, args)
        except UsageError as error:
            _refuse_command_line(error, ctx)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            suggestion = did_you_mean(name, self.list_commands(ctx))
            raise CommandLineMistake(f"there is no command '{name}'" + (f"; {suggestion}" if suggestion else "")
                                     + f" (`{command_path(ctx)} --help` lists them)")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None and not isinstance(command, _ErrorBoundary):
            _show_flags_without_a_value(command.get_params(ctx))
        return command

    def get_params(self, ctx):
        return _show_flags_without_a_value(super().get_params(ctx))


def _command_of(ctx) -> str:
    """The command being run under this group: 'build', or 'copy' under `sitrep templates`."""
    return ctx.invoked_subcommand or ctx.info_name


def _refuse_command_line(error: UsageError, ctx) -> None:
    """A mistaken command line: one line on stderr in sitrep's words, exit code 2 (no box, no usage
    screen). `sitrep` alone still shows the help."""
    if isinstance(error, NoArgsIsHelpError):
        raise error
    if error.ctx is not None:
        where = command_path(error.ctx)
    else:  # raised by a command about its own options, or while choosing the command
        where = command_path(ctx) + (f" {ctx.invoked_subcommand}" if ctx.invoked_subcommand else "")
    typer.echo(in_our_words(error, where), err=True)
    raise typer.Exit(2)


def _show_flags_without_a_value(params: list) -> list:
    """A flag (--all, --force, --help) takes no value: its help shows none, not '<bool>'."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


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


EditionOption = typer.Option(None, "--edition", help="public (leaves out restricted facts) or internal. "
                             "Default: 'edition' in config.yaml.")


def _as_of_day(value: str | None) -> dt.date | None:
    """--as-of's value as a day; a mistake is a mistaken command line (exit code 2)."""
    if value is None:
        return None
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise CommandLineMistake(f"--as-of must be a day written YYYY-MM-DD, such as 2016-06-27 (got '{value}')")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandLineMistake(f"--as-of must be a real day, YYYY-MM-DD (got '{value}', which is not one)") from None


AsOfOption = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", callback=_as_of_day,
                          help="Run as of this day instead of today: a report is made only for a week that "
                               "ended before it, and a date after it is an error. For tests and catching up.")


def _fail(error: SitrepError, writes: bool = True) -> None:
    """Print each problem, then how many errors there were, and exit 1. `writes`: the command
    writes files (build, new, schema, init, templates copy...), so the count, even of one error,
    says what was written: nothing, or the reports a run of several wrote besides the one that
    failed; a command that only reads (check, weeks, trace...) passes False, and counts the
    errors when there are several."""
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    count = len([p for p in error.problems if p.severity == "error"])
    if writes and count:
        written = f"only these reports were written: {', '.join(error.written)}" if error.written else \
            "nothing was written"
        typer.echo(f"{_counted(count, 'error')}; {written}.", err=True)
    elif count > 1:
        typer.echo(f"{count} errors.", err=True)
    raise typer.Exit(1)


def _counted(n: int, noun: str) -> str:
    """'1 warning', '3 warnings'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
    """The command line (commands/entry.py starts it, through cli/, whose import registers the
    commands on `app`).

    Until here, Ctrl+C ends the program at once (entry.py: nothing has been done yet); from
    here on it raises KeyboardInterrupt, so that whatever a command has under way is undone or
    finished (locks released, temporary files removed) before the one line that says so."""
    try:
        signal.signal(signal.SIGINT, _interrupt)
        app()
    except SystemExit as done:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run is over: a late Ctrl+C changes nothing
        if done.code == 130 and not _interruption_said:  # Typer turns Ctrl+C while it parses into a silent 130
            _say_interrupted(interrupted_line(command_in(sys.argv[1:])))
        _exit_now(done.code)
    except SitrepError as error:  # raised outside a command (should not happen, but never a traceback)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:  # before Typer took over: nothing was done yet
        _say_interrupted(interrupted_line(command_in(sys.argv[1:])))
        sys.exit(130)
    except Exception as error:  # a bug in sitrep, not the user's mistake
        if os.environ.get("SITREP_DEBUG"):
            raise
        print(f"sitrep: internal error: {type(error).__name__}: {error}\n"
              "This is a bug in sitrep. Run again with SITREP_DEBUG=1 for details and report it.", file=sys.stderr)
        sys.exit(70)


_interruption_said = False  # the error boundary, which knows the command, said how it was interrupted
ctrl_c_pressed = False  # SIGINT came during this run


def _interrupt(signum, frame) -> None:
    """Ctrl+C: KeyboardInterrupt where the program is (as Python's own handler), remembered."""
    global ctrl_c_pressed
    ctrl_c_pressed = True
    raise KeyboardInterrupt


def _say_interrupted(line: str) -> None:
    """The one line that ends an interrupted run."""
    global _interruption_said
    _interruption_said = True
    print(line, file=sys.stderr, flush=True)


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
