"""The `sitrep` program's entry point (the console script, and `python -m sitrep`).

A one-week PDF build waits on its PDF helper (render/pdfhelper.py), which spends about 0.45 s
importing WeasyPrint: every millisecond before it is forked is a millisecond more on the build.
Loading the command line (Typer and the commands) takes about 65 ms, and forking the helper only
once the build command runs made a one-week PDF build 1.16 times as slow as WeasyPrint alone
(make bench, 84 entries; 1.05 with the helper forked here). So when the command's first word is
`build`, the helper is forked here, before anything else loads. That is a guess, not a reading of
the options, which stay Typer's to parse: the build command takes the helper when it makes one
week's PDF and ends it unused otherwise (--format html, --all, --help, a mistake). The library
never forks; this module and the build command are the only places that ask for a helper.

Ctrl+C while the program starts (forking the helper, importing the command line) ends it at once
with the one line and exit code 130 that every interrupted command gives: nothing has been done
yet. The command line takes Ctrl+C over as it starts running the command (app.main).
"""

from __future__ import annotations

import os
import signal
import sys

_prestarted = None  # the PDF helper forked for a `build`, until the build command takes it
_program = 0  # the program's process id (the helper, a fork of it, inherits the Ctrl+C handler below)

# Commands that write files: when one fails, its message says that nothing was written, and
# when one is interrupted, that every file is as it was or complete (app.py says it once running).
WRITING_COMMANDS = {"build", "new", "schema", "init", "copy", "import", "export"}
INTERRUPTED = "interrupted"
INTERRUPTED_WRITING = "interrupted; every file is either as it was or complete (writes are atomic)"


def main() -> None:
    global _program
    _program = os.getpid()
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    prestart_for(sys.argv[1:])
    from sitrep.commands.app import main as run_command_line

    run_command_line()


def _interrupted_while_starting(signum, frame) -> None:
    # No traceback from the middle of an import, and no clean-up to wait for: the helper, if
    # forked, ends with this process (processes.end_with_parent), and says nothing itself.
    if os.getpid() == _program:
        os.write(2, interrupted_line(command_in(sys.argv[1:])).encode() + b"\n")
    os._exit(130)


def interrupted_line(command: str) -> str:
    """The one line that ends an interrupted `command` ('build', 'copy' of `sitrep templates`)."""
    return INTERRUPTED_WRITING if command in WRITING_COMMANDS else INTERRUPTED


def command_in(args: list[str]) -> str:
    """The command a command line runs, before Typer has read it: 'build'; 'copy' for `templates copy`."""
    words = [arg for arg in args if not arg.startswith("-")]
    return words[1] if words[:1] == ["templates"] and len(words) > 1 else (words[0] if words else "")


def prestart_for(args: list[str]) -> None:
    """Fork the PDF helper now if the command line is a build (its first word is `build`)."""
    global _prestarted
    if args[:1] == ["build"] and _prestarted is None:
        from sitrep.render.pdfhelper import PdfHelper

        _prestarted = PdfHelper()


def take_prestarted_helper():
    """The helper forked for this build, once (None when there is none); the caller ends it."""
    global _prestarted
    helper, _prestarted = _prestarted, None
    return helper
