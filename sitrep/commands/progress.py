"""What the command line shows while a build or an import runs, on stderr (the results stay on
stdout): the library tells a `Progress` (sitrep/progress.py), and `progress_for` picks how it
is shown.

- On a terminal, a line that Rich redraws: the stage the report is in, and for a run of many
  steps (`build --all`, the names an import matches) a bar with the count and the time left.
  It is cleared when the run ends, leaving the results.
- Anywhere else (a log, a pipe, CI), plain lines: one per stage of a report, and one per report
  of a longer run with its count, `sitrep build: 2016-W26, ar: built (3 of 12)`. No control
  characters, nothing redrawn.
- With --quiet, nothing: only errors, and the result lines on stdout.
"""

from __future__ import annotations

import os
import sys

import typer

from sitrep.progress import Progress


def progress_for(command: str, quiet: bool = False) -> Progress:
    """How `command` ('sitrep build') shows its progress: a context manager, entered around the run."""
    if quiet:
        return Progress()  # says nothing
    if sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
        return _OnTerminal()
    return _AsLines(command)


class _AsLines(Progress):
    """One plain line per stage worth saying; within a run of steps, one per named step."""

    def __init__(self, command: str):
        self.command = command
        self.total = 0  # the steps of the run under way (0: none)
        self.done = 0

    def stage(self, subject: str, stage: str) -> None:
        if not self.total:  # within a run, its steps say it (one line per report, not per stage)
            self._line(subject, stage)

    def start(self, total: int, what: str, subject: str = "") -> None:
        self.total, self.done = total, 0
        self._line(subject, f"{total:,} {what}")

    def advance(self, subject: str = "", outcome: str = "") -> None:
        self.done += 1
        if subject:
            self._line(subject, f"{outcome} ({self.done:,} of {self.total:,})")

    def finish(self) -> None:
        self.total = self.done = 0

    def say(self, message: str) -> None:
        typer.echo(message, err=True)

    def _line(self, subject: str, what: str) -> None:
        typer.echo(f"{self.command}: {subject}: {what}" if subject else f"{self.command}: {what}", err=True)


class _OnTerminal(Progress):
    """One line Rich redraws: a spinner and the stage; during a run of steps, a bar, the count
    and the time left too."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import Progress as Bars

        self.bars = Bars(*_columns(), console=Console(stderr=True), transient=True)
        self.task = self.bars.add_task("starting", total=None)
        self.what = ""

    def __enter__(self) -> Progress:
        self.bars.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bars.stop()

    def stage(self, subject: str, stage: str) -> None:
        self.bars.update(self.task, description=self._described(subject, stage))

    def start(self, total: int, what: str, subject: str = "") -> None:
        self.what = self._described(subject, f"{total:,} {what}")
        self.bars.reset(self.task, total=total, completed=0, description=self.what)

    def advance(self, subject: str = "", outcome: str = "") -> None:
        self.bars.update(self.task, advance=1,
                         description=f"{self.what} — {self._described(subject, outcome)}" if subject else None)

    def finish(self) -> None:
        self.bars.remove_task(self.task)  # back to a line without a bar (Rich cannot unset a total)
        self.task = self.bars.add_task("", total=None)
        self.what = ""

    def say(self, message: str) -> None:
        self.bars.console.print(message, markup=False, highlight=False)

    @staticmethod
    def _described(subject: str, what: str) -> str:
        from rich.markup import escape

        return escape(f"{subject}: {what}" if subject else what)


def _columns() -> list:
    """A spinner and the description; the bar, the count and the time left only during a run of
    counted steps (for one stage a bar means nothing). Rich is imported on a terminal only."""
    from rich.progress import (BarColumn, MofNCompleteColumn, ProgressColumn, SpinnerColumn, TextColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class WhenCounted(ProgressColumn):
        def __init__(self, column: ProgressColumn):
            super().__init__()
            self.column = column

        def render(self, task):
            return self.column.render(task) if task.total is not None else Text("")

    return [SpinnerColumn(), TextColumn("{task.description}"), WhenCounted(BarColumn()),
            WhenCounted(MofNCompleteColumn()), WhenCounted(TimeRemainingColumn(compact=True))]
