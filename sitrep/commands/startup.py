"""What the program knows before its command line loads (commands/entry.py runs first, app.py
and the build command later): which command a command line runs and whether it writes, the one
line an interruption ends with, and the PDF helper forked for a build before anything heavy
loads. Standard library only, so that entry.py can import it at once.
"""

from __future__ import annotations

_prestarted = None  # the PDF helper forked for a `build`, until the build command takes it

# Commands that write files: when one fails, its message says that nothing was written, and
# when one is interrupted, that every file is as it was or complete (app.py says it once running).
WRITING_COMMANDS = {"build", "new", "edit", "schema", "init", "copy", "import", "export"}
INTERRUPTED = "interrupted"
INTERRUPTED_WRITING = "interrupted; every file is either as it was or complete (writes are atomic)"


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
        # Imported here, not at the top: only a build forks it (pdfhelper loads only the standard library).
        from sitrep.render.pdfhelper import PdfHelper, default_lanes

        _prestarted = PdfHelper(lanes=default_lanes())


def take_prestarted_helper():
    """The helper forked for this build, once (None when there is none); the caller ends it."""
    global _prestarted
    helper, _prestarted = _prestarted, None
    return helper
