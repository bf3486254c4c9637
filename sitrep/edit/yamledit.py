"""The round-trip writer: one entry of a store file changed, added or removed as a person would.

The store's files are the single source of truth, read in review and diffed in git, so an edit
must look like an analyst's: only the lines of the entry it changes (or adds) change. The file
is never re-dumped whole: the entry's own lines are found here (from PyYAML's node marks), written
anew by yamlemit.py (ruamel.yaml's round trip, only the fields that changed) and spliced back
between their neighbours. A new entry goes at the end of its kind's list, as `sitrep new` puts
its skeletons (the insertion is this module's, and both use it).

Every edit is then read back with the store's own loader (`parse_yaml_bytes`, PyYAML's YAML 1.1,
not ruamel's 1.2): the edited entry must read as the data given, every other entry as before.
A mismatch is a bug in this module, raised as `EditBug`, never written.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitrep.edit.yamlemit import TOP_LEVEL_KEY, canon, layout_of, new_entry_lines, plain, reemit_entry
from sitrep.errors import Problem, SitrepError, StoreError, display_path
from sitrep.output import write_atomic
from sitrep.source.regularfiles import YamlLoadError, read_yaml_bytes
from sitrep.source.schema import KIND_SINGULAR, KINDS
from sitrep.source.yamlsource import parse_yaml_bytes

_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it: marks the same, faster
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")  # line breaks YAML counts and "\n" does not


class EditConflict(SitrepError):
    """The file changed on disk since the form was opened: saving would lose that change."""

    def __init__(self, path: Path | str, expected_digest: str = "", found_digest: str = ""):
        self.path = Path(path)
        self.expected_digest, self.found_digest = expected_digest, found_digest
        super().__init__(Problem(display_path(path), 0,
                                 "this file changed on disk since it was opened (another editor saved it, or a "
                                 "text editor did), so your changes were not saved",
                                 expected="the file as it was when the form opened",
                                 hint="reload it and make your change again"))


class EditBug(RuntimeError):
    """The edited text does not read back as intended: a bug in this module, never the user's."""


@dataclass(frozen=True)
class StoreText:
    path: Path
    text: str
    digest: str  # SHA-256 hex of the file's bytes, as read


@dataclass(frozen=True)
class EntrySpan:
    kind: str  # a key of schema.KINDS
    id: str
    index: int  # its position in its kind's list
    start: int  # 1-based line of its first line ('- id: ...')
    end: int  # 1-based line of its last line of content (trailing comments and blank lines are not its)


# --- Reading ---------------------------------------------------------------------------------------

def read_store_file(path: Path) -> StoreText:
    """The file's text and digest; a file that is not UTF-8 is a StoreError naming it."""
    shown = display_path(path)
    try:
        raw = read_yaml_bytes(Path(path), shown)
    except YamlLoadError as exc:
        raise StoreError(exc.problem) from None
    try:
        text = raw.decode("utf-8")  # a byte-order mark stays, as U+FEFF, and is written back
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StoreError(Problem(shown, line, "this file is not UTF-8 text, so it cannot be edited here",
                                 expected="a file saved as UTF-8")) from None
    return StoreText(Path(path), text, hashlib.sha256(raw).hexdigest())


def entry_spans(text: str, *, shown: str = "store file") -> list[EntrySpan]:
    """Every entry of the file, in file order, with its lines."""
    return _parse(text, shown).spans


def entry_data(text: str, kind: str, entry_id: str, *, shown: str = "store file") -> dict:
    """The entry as the store's loader reads it, as plain data (dates as the text written)."""
    parsed = _parse(text, shown)
    index = _find(parsed, kind, entry_id, shown).index
    return plain(parsed.data[kind][index])


def field_at_line(text: str, line: int, *, shown: str = "store file") -> tuple[str, str, tuple] | None:
    """(kind, entry id, key path) of the value on `line`, such as ("figures", "x", ("cited", 0)):
    the deepest field that alone holds the line (a flow-style citation's line is the citation's).
    The entry's id and an empty path for a comment between its fields; None outside entries."""
    parsed = _parse(text, shown)
    for span, node in zip(parsed.spans, parsed.nodes):
        if span.start <= line <= span.end:
            return span.kind, span.id, _deepest(node, line, (), parsed.lines)
    return None


# --- Editing ---------------------------------------------------------------------------------------

def replace_entry(text: str, kind: str, entry_id: str, data: dict, *, shown: str = "store file") -> str:
    """The text with the entry `entry_id` of `kind` replaced by `data`; only its lines change."""
    parsed = _parse(text, shown)
    span = _find(parsed, kind, entry_id, shown)
    _refuse_taken_id(parsed, data, shown, but=span)
    lines = parsed.lines
    block = "".join(lines[span.start - 1:span.end])
    new_block = reemit_entry(block, kind, parsed.data[kind][span.index], data, layout_of(lines))
    updated = "".join(lines[:span.start - 1]) + new_block + "".join(lines[span.end:])
    _verify(parsed.data, updated, kind, lambda entries: entries.__setitem__(span.index, data), shown)
    return _restore_newlines(text, updated)


def add_entry(text: str, kind: str, data: dict, *, shown: str = "store file") -> str:
    """The text with `data` added at the end of its kind's list (or a new list at the file's end)."""
    _check_kind(kind)
    parsed = _parse(text, shown)
    _refuse_taken_id(parsed, data, shown)
    layout = layout_of(parsed.lines)
    updated = insert_entry_text(_normalised(text), shown, kind, new_entry_lines(data, layout), " " * layout.offset)
    _verify(parsed.data, updated, kind, lambda entries: entries.append(data), shown)
    return _restore_newlines(text, updated)


def remove_entry(text: str, kind: str, entry_id: str, *, shown: str = "store file") -> str:
    """The text without the entry, and without the blank lines that set it apart. The last entry
    of a list takes its `kind:` line with it when nothing but blank lines lies between them."""
    parsed = _parse(text, shown)
    span = _find(parsed, kind, entry_id, shown)
    lines = parsed.lines
    first, last = span.start - 1, span.end  # the 0-based slice to remove
    siblings = [s for s in parsed.spans if s.kind == kind and s.index != span.index]
    key_line = next(k.start_mark.line for k, _ in parsed.root.value if k.value == kind)
    if siblings and span.index > 0:
        while first > 0 and not lines[first - 1].strip():
            first -= 1
    elif siblings:
        while last < len(lines) and not lines[last].strip():
            last += 1
    elif all(not line.strip() for line in lines[key_line + 1:first]):
        first = key_line
        while first > 0 and not lines[first - 1].strip():
            first -= 1
    updated = "".join(lines[:first] + lines[last:])
    _verify(parsed.data, updated, kind, lambda entries: entries.pop(span.index), shown)
    return _restore_newlines(text, updated)


def insert_entry_text(text: str, shown: str, key: str, skeleton: str, new_list_indent: str = "  ",
                      hint: str = "add the entry by hand, or pass --file to add it to another file") -> str:
    """`text` with `skeleton` (an entry's lines at zero indentation, '- id: ...') inserted at the
    end of its `key:` list, lined up with the items there, or as a new `key:` list at the end of
    the file. Only new characters are added; the existing ones are not changed."""
    bom, text = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    key_line = next((i for i, line in enumerate(lines) if TOP_LEVEL_KEY.match(line) and
                     TOP_LEVEL_KEY.match(line).group(1) == key), None)
    if key_line is None:
        # No list of this kind in the file yet: start one at its end.
        block = f"{key}:{newline}" + _indented(skeleton, new_list_indent, newline)
        separator = "" if not text or text.endswith(("\n", "\r")) else newline
        spacer = newline if text.strip() else ""
        return bom + text + separator + spacer + block
    after_key = lines[key_line][len(key) + 1:].split("#")[0].strip()
    if after_key:
        raise StoreError(Problem(shown, key_line + 1, f"'{key}:' is written on one line ({after_key[:30]}), "
                                 "so an entry cannot be added to it without rewriting it",
                                 expected=f"'{key}:' on its own line, its entries below as '- id: ...' items",
                                 hint=hint))
    # The list runs to the next top-level key; comments and blank lines just before that key
    # belong to what follows, so the entry goes after the list's last line of content.
    end = next((i for i in range(key_line + 1, len(lines)) if TOP_LEVEL_KEY.match(lines[i])), len(lines))
    last = end - 1
    while last > key_line and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    indent = _item_indent(lines[key_line + 1:end])
    before = "".join(lines[:last + 1])
    if before and not before.endswith(("\n", "\r")):
        before += newline
    insertion = _indented(skeleton, indent, newline)
    if last > key_line and _entries_apart(lines):  # not before a list's first entry
        insertion = newline + insertion
    return bom + before + insertion + "".join(lines[last + 1:])


# --- Writing ---------------------------------------------------------------------------------------

# One save at a time in this process: between two of the editor's own saves, the digest check and
# the rename are one step. Another program (a text editor) saving in the instant between them is
# not excluded; it is caught by the next save's check, as is every save of its before the form's.
_WRITE_LOCK = threading.Lock()


def write_store_file(path: Path, text: str, expected_digest: str | None, store_dir: Path) -> StoreText:
    """Write `text` to the store file `path` atomically, if the file is still the one that was
    opened (its SHA-256 is `expected_digest`; None: the file must not exist yet). Raises
    EditConflict when it changed, StoreError for a path outside `store_dir` or a link."""
    path, root = Path(path), Path(store_dir).resolve()
    absolute = path if path.is_absolute() else Path.cwd() / path
    shown = display_path(absolute)
    if not absolute.resolve().is_relative_to(root) or absolute.suffix.lower() not in (".yaml", ".yml"):
        raise StoreError(Problem(shown, 0, "the editor writes only the store's own files",
                                 expected=f"a .yaml file inside {display_path(root)}/"))
    if absolute.is_symlink() or (absolute.exists() and not absolute.is_file()):
        raise StoreError(Problem(shown, 0, "this is not a regular file (a link, a folder...), so the editor will not "
                                 "write it", expected="a regular .yaml file"))
    data = text.encode("utf-8")
    with _WRITE_LOCK:
        try:
            found = hashlib.sha256(absolute.read_bytes()).hexdigest()
        except FileNotFoundError:
            found = None
        except OSError as exc:
            raise StoreError(Problem(shown, 0, f"cannot read the file to save it: {exc.strerror or exc}",
                                     expected="a store file this program can read and write")) from None
        if found != (expected_digest or None):
            raise EditConflict(absolute, expected_digest or "", found or "")
        mode = absolute.stat().st_mode & 0o777 if found is not None else None
        write_atomic(absolute, data)
        if mode is not None:
            os.chmod(absolute, mode)  # as the analyst set it, not as the umask would
    return StoreText(absolute, text, hashlib.sha256(data).hexdigest())


# --- The file read -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Parsed:
    data: dict  # as the store's loader reads it
    root: yaml.MappingNode | None  # PyYAML's nodes, which know where each value starts and ends
    lines: list[str]  # the text's lines, line ends normalised to "\n"
    spans: list[EntrySpan]
    nodes: list[yaml.MappingNode]  # each span's entry


def _parse(text: str, shown: str) -> _Parsed:
    if _OTHER_BREAKS.search(text):
        line = text[: _OTHER_BREAKS.search(text).start()].count("\n") + 1
        raise StoreError(Problem(shown, line, "a line break other than a plain line end (a lone CR, U+2028...)",
                                 expected="lines ended by LF or CRLF only; retype the line"))
    text = _normalised(text)
    lines = text.splitlines(keepends=True)
    try:
        doc = parse_yaml_bytes(text.encode("utf-8"), shown)
    except YamlLoadError as exc:
        raise StoreError(exc.problem) from None
    if doc.data is None:
        return _Parsed({}, None, lines, [], [])
    if not isinstance(doc.data, dict):
        raise StoreError(Problem(shown, doc.line_of(()), "this is not a store file: its top level is not a mapping",
                                 expected="lists of entries under keys such as 'figures:' or 'sources:'"))
    root = yaml.compose(text, Loader=_COMPOSER)
    spans, nodes = [], []
    for key_node, value_node in root.value:
        if key_node.value in KINDS and isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                if isinstance(item, yaml.MappingNode):
                    spans.append(EntrySpan(key_node.value, _id_of(item), index, _start_line(item, lines),
                                           _end_line(item, lines)))
                    nodes.append(item)
    return _Parsed(doc.data, root, lines, spans, nodes)


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n")


def _restore_newlines(original: str, text: str) -> str:
    return text.replace("\n", "\r\n") if "\r\n" in original else text


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise StoreError(Problem("sitrep edit", 0, f"there is no kind of entry called '{kind}'",
                                 expected="one of " + ", ".join(KINDS)))


def _find(parsed: _Parsed, kind: str, entry_id: str, shown: str) -> EntrySpan:
    _check_kind(kind)
    found = [s for s in parsed.spans if s.kind == kind and s.id == entry_id]
    if not found:
        raise StoreError(Problem(shown, 0, f"there is no {KIND_SINGULAR[kind]} '{entry_id}' in this file",
                                 expected=f"the id of an entry under '{kind}:' in this file"))
    if len(found) > 1:
        raise StoreError(Problem(shown, found[1].start, f"the id '{entry_id}' is used twice in this file "
                                 f"(lines {found[0].start} and {found[1].start}), so which to edit is unclear",
                                 expected="each id once in the store"))
    return found[0]


def _refuse_taken_id(parsed: _Parsed, data: dict, shown: str, but: EntrySpan | None = None) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise StoreError(Problem(shown, 0, "the entry has no id", expected="an id: a new, unique name"))
    taken = [s for s in parsed.spans if s.id == data["id"] and s != but]
    if taken:
        raise StoreError(Problem(shown, taken[0].start, f"the id '{data['id']}' is already used here",
                                 expected="a new, unique id"))


def _id_of(item: yaml.MappingNode) -> str:
    return next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), "")


def _start_line(item: yaml.Node, lines: list[str]) -> int:
    """The 1-based line of an item's '- ' (on the line above when the item starts below a lone '-')."""
    line = item.start_mark.line
    if not lines[line][: item.start_mark.column].strip() and line > 0 and lines[line - 1].strip() == "-":
        line -= 1
    return line + 1


def _end_line(node: yaml.Node, lines: list[str]) -> int:
    """The 1-based line of the node's last character of content."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    mark = node.end_mark
    line = mark.line if mark.column == 0 and mark.line > node.start_mark.line else mark.line + 1
    keep = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">") and node.value.endswith("\n\n")
    while not keep and line > node.start_mark.line + 1 and not lines[line - 1].strip():
        line -= 1  # a block scalar's end is past the blank lines after it
    return line


def _deepest(node: yaml.Node, line: int, path: tuple, lines: list[str]) -> tuple:
    if isinstance(node, yaml.MappingNode):
        parts = [(k.value, k.start_mark.line + 1, v) for k, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        parts = [(i, _start_line(v, lines), v) for i, v in enumerate(node.value)]
    else:
        return path
    holding = [(part, value) for part, first, value in parts if first <= line <= _end_line(value, lines)]
    if len(holding) != 1:
        return path
    part, value = holding[0]
    return _deepest(value, line, path + (part,), lines)


def _indented(skeleton: str, indent: str, newline: str) -> str:
    return "".join(indent + line + newline if line else newline for line in skeleton.splitlines())


def _entries_apart(lines: list[str]) -> bool:
    """Whether the file sets its entries apart with a blank line (most do; a file where no two
    entries are does not), so that a new entry is set as the others are."""
    apart = together = 0
    key_line = None
    for index, line in enumerate(lines):
        if TOP_LEVEL_KEY.match(line):
            key_line, indent = index, None
        elif key_line is not None and line.lstrip(" ").startswith("- ") and line.strip():
            here = len(line) - len(line.lstrip(" "))
            indent = here if indent is None else indent
            if here == indent and index > key_line + 1:
                above = index - 1
                while above > key_line and lines[above].lstrip().startswith("#"):
                    above -= 1  # a comment that heads the entry: look above it
                if above > key_line and not lines[above].strip():
                    apart += 1
                elif above > key_line:
                    together += 1
    return apart >= together


def _item_indent(block: list[str]) -> str:
    """The indentation of the list's items ('  - id: ...'), so the new one lines up."""
    for line in block:
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") or stripped.rstrip() == "-":
            return line[: len(line) - len(stripped)]
    return "  "


# --- Reading back ----------------------------------------------------------------------------------

def _verify(old_data: dict, updated: str, kind: str, change, shown: str) -> None:
    """The edited text must read back, with the store's own loader, as the old data with `change`
    applied to `kind`'s list, and nothing else changed."""
    expected = {k: list(v) if isinstance(v, list) else v for k, v in old_data.items()}
    entries = expected.setdefault(kind, []) or []
    expected[kind] = entries
    change(entries)
    try:
        found = parse_yaml_bytes(updated.encode("utf-8"), shown).data or {}
    except YamlLoadError as exc:
        raise EditBug(f"the edited {shown} does not parse: {exc.problem}") from None
    if canon(_without_empty(found)) != canon(_without_empty(expected)):
        raise EditBug(f"the edited {shown} does not read back as intended (the edit of a {KIND_SINGULAR[kind]}); "
                      "it was not written")


def _without_empty(data: Any) -> Any:
    return {k: v for k, v in data.items() if v not in (None, [])} if isinstance(data, dict) else data
