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
"""

from __future__ import annotations

import sys

_prestarted = None  # the PDF helper forked for a `build`, until the build command takes it


def main() -> None:
    prestart_for(sys.argv[1:])
    from sitrep.commands.app import main as run_command_line

    run_command_line()


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
