"""The manual as the tests read it: README.md and the pages under docs/, their fenced blocks, and
the console blocks whose output tests/test_manual.py produces by running the commands they show.

A console block that shows what sitrep prints is marked by an HTML comment on the line before it
(invisible on GitHub and in the built site):

    <!-- output -->                                    a copy of the example workspace
    <!-- output | setup: four-mistakes | exit: 1 -->   the workspace a named setup makes
    <!-- output | setup: first-week | step: typo -->   a named step changes it first

Its `$ ` lines are the commands (`sitrep ...`, or `cd FOLDER`); the lines after each are what the
command printed, standard output and error as a terminal interleaves them. docs/development.md
("The manual's command outputs") is the user-facing description of the same rules.
"""

from __future__ import annotations

import fcntl
import re
from dataclasses import dataclass
from pathlib import Path

from support import REPO

README = REPO / "README.md"
DOCS = REPO / "docs"
MARKER = re.compile(r"^\s*<!--\s*output\b(?P<options>.*?)-->\s*$")
OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
MARKER_KEYS = {"setup": "NAME", "step": "NAME", "exit": "CODE"}


def pages() -> list[Path]:
    """Every page of the manual: the README, then docs/ in name order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def shown(page: Path) -> str:
    """A page's path as messages name it: relative to the repository."""
    return page.relative_to(REPO).as_posix() if page.is_relative_to(REPO) else page.as_posix()


@dataclass(frozen=True)
class Marker:
    setup: str = "example"
    step: str | None = None
    exit: int = 0


@dataclass
class Block:
    """One fenced block of a page: where it is, its language tag, its text, and its marker."""

    page: Path
    line: int  # of the opening fence, 1-based
    info: str  # the language tag: console, sh, yaml...
    indent: str  # of the fence (a block inside a list item is indented)
    start: int  # offset in the page of the body's first character
    end: int  # offset of the closing fence's line
    body: str  # without the indent
    marker: Marker | None = None

    @property
    def where(self) -> str:
        return f"{shown(self.page)}:{self.line}"

    @property
    def transcript(self) -> list[tuple[str, str]]:
        """(command, what it printed) for each `$ ` line of the block."""
        pairs: list[tuple[str, str]] = []
        for line in self.body.splitlines(keepends=True):
            if line.startswith("$ "):
                pairs.append((line[2:].strip(), ""))
            elif pairs:
                pairs[-1] = (pairs[-1][0], pairs[-1][1] + line)
        return pairs


def render_transcript(transcript: list[tuple[str, str]]) -> str:
    """The body of a console block: each command after `$ `, then what it printed."""
    out = []
    for command, printed in transcript:
        out.append(f"$ {command}\n")
        out.append(printed if not printed or printed.endswith("\n") else printed + "\n")
    return "".join(out)


def parse_marker(options: str) -> tuple[Marker, list[str]]:
    values: dict[str, str] = {}
    problems = []
    for part in filter(None, (p.strip() for p in options.split("|"))):
        key, colon, value = (s.strip() for s in part.partition(":"))
        if not colon or key not in MARKER_KEYS or not value:
            problems.append(f"'{part}' is not an option of an output marker (expected {', '.join(f'{k}: {v}' for k, v in MARKER_KEYS.items())})")
        else:
            values[key] = value
    if "exit" in values and not values["exit"].isdigit():
        problems.append(f"exit: '{values['exit']}' is not an exit code")
        values.pop("exit")
    return Marker(values.get("setup", "example"), values.get("step"),
                  int(values.get("exit", 0))), problems


def read_page(page: Path, text: str | None = None) -> tuple[list[Block], list[str]]:
    """Every fenced block of a page, in order, each with the marker on the line right before it
    (if any); and the page's problems with markers: an unknown option, a marker with no fenced
    block right after it."""
    text = page.read_text(encoding="utf-8") if text is None else text
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[Block] = []
    problems: list[str] = []
    pending: tuple[int, Marker] | None = None  # a marker's line, and the marker
    number = 0
    while number < len(lines):
        line = lines[number].rstrip("\n")
        opening = OPENING.match(line)
        if pending and not opening:
            problems.append(f"{shown(page)}:{pending[0]}: an output marker must be right before the block it marks")
            pending = None
        if (marker := MARKER.match(line)):
            parsed, wrong = parse_marker(marker.group("options"))
            problems += [f"{shown(page)}:{number + 1}: {message}" for message in wrong]
            pending = (number + 1, parsed)
        if not opening:
            number += 1
            continue
        indent, fence = opening.group("indent"), opening.group("fence")
        closing_fence = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        closing = number + 1
        while closing < len(lines) and not closing_fence.match(lines[closing]):
            closing += 1
        body = "".join(l[len(indent):] if l.startswith(indent) else l.lstrip(" \t") for l in lines[number + 1:closing])
        found.append(Block(page, number + 1, opening.group("info").strip(), indent, offsets[number + 1],
                           offsets[closing], body, pending[1] if pending else None))
        pending = None
        number = closing + 1
    if pending:
        problems.append(f"{shown(page)}:{pending[0]}: an output marker must be right before the block it marks")
    return found, problems


def blocks(page: Path, text: str | None = None) -> list[Block]:
    return read_page(page, text)[0]


def marked_blocks(page: Path, text: str | None = None) -> list[Block]:
    return [block for block in blocks(page, text) if block.marker]


def rewrite_block(page: Path, index: int, body: str) -> None:
    """Replace the body of the page's `index`th marked block with `body`. Under an exclusive lock,
    reading the page afresh: tests running in parallel (pytest -n) may rewrite other blocks of
    the same page meanwhile."""
    with page.open("r+", encoding="utf-8", newline="") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        block = marked_blocks(page, text)[index]
        indented = "".join(block.indent + line if line.strip() else line for line in body.splitlines(keepends=True))
        handle.seek(0)
        handle.write(text[:block.start] + indented + text[block.end:])
        handle.truncate()


def block_after(page_text: str, marker: str, fence: str = "```") -> str:
    """The first fenced block of a page's text after `marker`, without its fences."""
    text = page_text[page_text.index(marker):]
    text = text[text.index(fence) + len(fence):]
    text = text[text.index("\n") + 1:]  # past the fence's language tag
    return text[:text.index(fence)]
