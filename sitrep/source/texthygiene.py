"""Characters a text should not hold: the one checker for the store's texts (store.py),
config.yaml's (config.py) and imported rows' (exchange/importfile.py).

- Control characters (C0 and C1, DEL; tab, line feed and carriage return aside) are refused:
  a NUL or an ESC has no meaning in a report, and an ESC sequence printed to a terminal acts
  rather than shows.
- Format characters (Unicode category Cf: bidirectional controls, zero-width spaces, a stray
  byte-order mark) are legal but can reverse or hide text, so they are warned about. A
  zero-width joiner or non-joiner between letters is not one of them: Persian, Arabic and Indic
  scripts need them there.
"""

from __future__ import annotations

import unicodedata
from typing import Iterator

from sitrep.errors import Problem

_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
# Whitespace that a multi-line text (an ACLED note, a summary) may hold.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]) - _ALLOWED_CONTROLS
# The same, as a database's regular expression (RE2, DuckDB's) finds them: exactly the control
# characters; the format characters, each text of which is then looked at (hidden_characters); either.
CONTROL_PATTERN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
FORMAT_PATTERN = r"\p{Cf}"
SUSPECT_PATTERN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\p{Cf}]"


def control_characters(text: str) -> list[str]:
    """The control characters in `text` (tab, line feed and carriage return aside), each once,
    in order of first appearance."""
    if text.isprintable():  # most text: nothing to look for, at C speed
        return []
    return list(dict.fromkeys(char for char in text if char in CONTROL_CHARACTERS))


def hidden_characters(text: str) -> list[str]:
    """The format characters (Unicode category Cf) in `text`, each once, in order of first
    appearance: bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C),
    zero-width spaces, word joiners, a byte-order mark inside text, tags... A zero-width
    joiner or non-joiner between letters (or a letter's marks) is not one of them."""
    if text.isascii():  # most text: nothing to look for
        return []
    suspects = {char for char in set(text) if unicodedata.category(char) == "Cf"}
    if not suspects:
        return []
    found: list[str] = []
    for index, char in enumerate(text):
        if char in suspects and char not in found and not _joins_letters(text, index):
            found.append(char)
    return found


def named(chars: list[str], what: str) -> str:
    """'an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)', 'control characters U+0000 and
    U+001B' (`what`: 'invisible character', 'control character')."""
    names = [f"U+{ord(char):04X}" + (f" ({unicodedata.name(char)})" if unicodedata.name(char, "") else "")
             for char in chars]
    if len(names) == 1:
        return f"{'an' if what[0] in 'aeiou' else 'a'} {what} {names[0]}"
    return f"{what}s {', '.join(names[:-1])} and {names[-1]}"


def texts_in(value: object, fields: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, text) of every text in a value as loaded (mappings and lists walked)."""
    if isinstance(value, str):
        yield fields, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts_in(item, fields + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts_in(item, fields + (index,))


def _joins_letters(text: str, index: int) -> bool:
    return (text[index] in _JOINERS and 0 < index < len(text) - 1
            and _is_letter(text[index - 1]) and _is_letter(text[index + 1]))


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"  # letters, and marks such as a virama


def document_problems(data: object, line_of, shown: str) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of every text of a YAML file's `data` (config.yaml's): a control
    character, which YAML lets a double-quoted escape write ("\\e", "\\0"), is an error; an
    invisible character a warning. `line_of(path)` gives a value's line."""
    errors, warnings = [], []
    for fields, text in texts_in(data):
        key = "'" + ".".join(map(str, fields)) + "'" if fields else "the file"
        if controls := control_characters(text):
            errors.append(Problem(shown, line_of(fields), f"{key} holds {named(controls, 'control character')}",
                                  expected="printable text; delete it"))
        elif hidden := hidden_characters(text):
            warnings.append(Problem(shown, line_of(fields), f"{key} holds {named(hidden, 'invisible character')}, "
                                    "which can reverse or hide text in the report", severity="warning",
                                    hint="delete it" if len(hidden) == 1 else "delete them"))
    return errors, warnings
