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
import sys

# The C module under `signal`: `signal` itself imports enum (about 18 ms, most of this module's
# import), and Ctrl+C in that time would end in a KeyboardInterrupt traceback before main() can
# take it over. Python's own start-up before this is out of reach: Ctrl+C then ends the process
# by the signal itself, which a shell reports as 130, with no traceback.
import _signal

from sitrep.commands.startup import command_in, interrupted_line, prestart_for

_program = 0  # the program's process id (the helper, a fork of it, inherits the Ctrl+C handler below)


def main() -> None:
    global _program
    _program = os.getpid()
    _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    prestart_for(sys.argv[1:])
    # The command line (Typer, and each command registering on `app` as cli/ is imported), only
    # now: the helper is forked first (see above).
    from sitrep.commands.cli import main as run_command_line

    run_command_line()


def _interrupted_while_starting(signum, frame) -> None:
    # No traceback from the middle of an import, and no clean-up to wait for: the helper, if
    # forked, ends with this process (processes.end_with_parent), and says nothing itself.
    if os.getpid() == _program:
        os.write(2, interrupted_line(command_in(sys.argv[1:])).encode() + b"\n")
    os._exit(130)
