"""What a long run tells whoever watches it: the stage each report is in, and how many of a
run's steps are done. A build of one week in three languages takes some twenty seconds on a
busy machine, a whole series much longer; without a word meanwhile, a user thinks it hung.

The library says it through a `Progress`, passed in by its caller. The default, `Progress()`,
says nothing: `build_week`, `build_all` and `run_import` called from Python print nothing. The
command line passes one that shows it on the terminal (commands/progress.py).
"""

from __future__ import annotations

# The stages of one report, in the words a user reads.
LOADING = "loading the store"
RENDERING = "rendering HTML"
LAYING_OUT = "laying out the PDF"
WRITING = "writing"
INDEXING = "writing the archive index"


class Progress:
    """Tells nothing. A subclass shows what it is told, between entering and leaving it as a
    context manager; the library calls it from the process that runs it only (never from a
    build's worker processes)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        """The run is over, however it ended: whatever showed it is cleared or closed."""

    def stage(self, subject: str, stage: str) -> None:
        """`subject` (a report, '2016-W26, ar'; '' for the run as a whole) has entered `stage`."""

    def start(self, total: int, what: str, subject: str = "") -> None:
        """A run of `total` steps begins: `what` they are ('reports to build', 'places to match')."""

    def advance(self, subject: str = "", outcome: str = "") -> None:
        """One step of the run is done: `subject` ('2016-W26, ar') and how it ended ('built'),
        each worth a line in a log; or, without them, one of many (a place matched)."""

    def finish(self) -> None:
        """The run of steps is over, however it ended."""

    def say(self, message: str) -> None:
        """A line to show as it is (another build holds the workspace: waiting)."""


SILENT = Progress()
