"""The one family of errors a user can cause, and the problems they carry.

Every mistake in the store, the config or a template becomes a `Problem` that knows its file
and line. The CLI catches `SitrepError` at its boundary and prints the problems, one per line,
as ``file:line: message (expected ...)`` — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in a file the user wrote."""

    file: str
    line: int  # 1-based; 0 when the problem is about the file as a whole
    message: str
    expected: str = ""
    severity: str = "error"  # "error" or "warning"
    entry_id: str = ""
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.severity}: "
        if self.entry_id:
            text += f"[{self.entry_id}] "
        text += self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f"; {self.hint}"
        return _escape_unprintable(text)


def _escape_unprintable(text: str) -> str:
    """`text` with each character that a terminal would act on, rather than show, escaped.

    One problem, one line: a value quoted from the store may hold a line break or a terminal
    escape ("\\r", "\\x1b[2J"). And a message must read as written: a bidirectional control
    (U+202E) in a quoted value would reverse the rest of the line, so format characters
    (Unicode category Cf: bidirectional controls, zero-width characters) are escaped too; the
    zero-width joiner and non-joiner, which Arabic, Persian and Indic names need, stay."""
    if text.isprintable():  # the common case, at C speed: no control or format character
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char in _KEPT or not (char in _CONTROL_CHARACTERS or unicodedata.category(char) == "Cf"):
        return char
    return char.encode("unicode_escape").decode("ascii")


# Control characters (but tab) and the Unicode line and paragraph separators.
_CONTROL_CHARACTERS = frozenset(map(chr, [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]))
_KEPT = frozenset("\t\u200c\u200d")  # tab; zero-width non-joiner and joiner


def excerpt(value: object, limit: int = 40) -> str:
    """`value` as text, cut to `limit` characters with a visible '…' when it is longer.

    Every message that quotes a value from a file quotes it through this: a value can be a
    whole file (one line of text is a valid YAML document), and a message says which value is
    wrong, it does not reproduce it."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_value(value: object, from_yaml: bool = True) -> str:
    """What a value is, in words a user reads, never a Python type name: 'the text '4x000'',
    'the number 2.5', 'the date 2016-06-01', 'a list', 'nothing (empty value)'.

    `from_yaml`: the value was read from a YAML file, so a true/false explains how YAML made
    it (a template's value did not come from YAML)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, bool):
        word = str(value).lower()
        return f"{word} (YAML reads yes/no/on/off as true/false; quote it)" if from_yaml else word
    if isinstance(value, str):
        return f"the text '{excerpt(value)}'"
    if isinstance(value, (int, float)):
        return f"the number {excerpt(value)}"
    if isinstance(value, dt.datetime):
        return f"the date and time {excerpt(value)}"
    if isinstance(value, dt.date):
        return f"the date {excerpt(value)}"
    return f"the value {excerpt(value)}"


class SitrepError(Exception):
    """Base of every error that a user can cause and fix. Printed without a traceback."""

    def __init__(self, problems: Problem | Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(file="sitrep", line=0, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems, key=problem_order)
        # The reports a run of several wrote before (or beside) the one that failed, '2016-W22 (en)':
        # a command that writes then names them, rather than saying that nothing was written.
        self.written: list[str] = []
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreError(SitrepError):
    """The fact store cannot be read or is invalid."""


class ConfigError(SitrepError):
    """config.yaml is missing or invalid."""


class TemplateProblem(SitrepError):
    """A template cannot be loaded or rendered."""


class PeriodError(SitrepError):
    """The requested week does not exist in the store or is malformed."""


class OutputError(SitrepError):
    """The report could not be written."""


def problem_order(problem: Problem) -> tuple:
    return (problem.file, problem.line, problem.severity != "error", problem.message)


def display_path(path: Path | str, base: Path | None = None) -> str:
    """A path as the user would type it: relative to `base` (or the current folder) if inside.

    The folders on the way are resolved, the last name is not: a symbolic link is shown by
    its own name, never by the (perhaps absolute, perhaps private) path it leads to."""
    path = Path(path)
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return str(_resolved_but_last(path).relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


def _resolved_but_last(path: Path) -> Path:
    if path.name in ("", ".", ".."):  # nothing to keep: '/', '.', 'a/..'
        return path.resolve()
    return path.parent.resolve() / path.name


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'did you mean X?' for the nearest valid choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@dataclass
class ProblemLog:
    """Collects problems across a whole run so that a user sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def error(self, file: str, line: int, message: str, **kw) -> None:
        self.problems.append(Problem(file, line, message, severity="error", **kw))

    def warning(self, file: str, line: int, message: str, **kw) -> None:
        self.problems.append(Problem(file, line, message, severity="warning", **kw))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=problem_order)
