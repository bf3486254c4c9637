"""Load one YAML file safely, remembering the line every value came from.

The store is edited by hand, so this loader is the first line of defence:

- libyaml's composer (`CSafeLoader`) builds a node graph; nothing is ever constructed from a
  tag, so ``!!python/object`` and friends are refused, not executed;
- duplicate keys, anchors/aliases (the "billion laughs" bomb), multiple documents, files that
  are not UTF-8, binary junk, oversized files, absurd nesting and numbers too long to be counts
  are refused with the line;
- only a regular file is opened (`regularfiles.open_regular_file`): a named pipe, a device or a
  socket is refused without being opened, and the store refuses symbolic links even when one
  takes a file's place between listing and reading;
- every mapping key and list item records its 1-based line in `positions`, keyed by its path
  (``("figures", 3, "cited", 0, "source")``), so later stages can point at the exact line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from sitrep.errors import Problem, excerpt
from sitrep.source.regularfiles import MAX_FILE_BYTES, YamlLoadError, read_yaml_bytes

try:  # libyaml is 6-10x faster; the pure-Python loader is a correct fallback.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64  # the store needs about 6 levels; libyaml itself crashes near 100,000
# No count of people, days or meals has 16 digits, and up to 15 a number is exact as a float
# (the report computes with floats). Python itself refuses to read more than 4,300 digits.
MAX_INT_DIGITS = 15

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_TAG_EXPECTATIONS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "null": "an empty value",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _ComposeLoader(_Loader):
    """The C loader, with PyYAML's tag resolution short-cut. The C composer calls `resolve` in
    Python for every node, and for a plain scalar it tries regular expressions one by one;
    here a plain scalar seen before (ids, codes, dates repeat all over a store) is looked up,
    and text whose first character no implicit resolver handles is text. The tags are exactly
    what PyYAML's `resolve` returns (the safe loader has no path resolvers)."""

    def resolve(self, kind, value, implicit):
        if _FAST_RESOLVE:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    tag = _RESOLVED.get(value)
                    if tag is not None:
                        return tag
                    if value and value[0] not in _RESOLVER_FIRST_CHARS:
                        return _STR_TAG
                    tag = super().resolve(kind, value, implicit)
                    if len(value) <= 64 and len(_RESOLVED) < 100_000:
                        _RESOLVED[value] = tag
                    return tag
                return _STR_TAG
            if kind is yaml.MappingNode:
                return _MAP_TAG
            if kind is yaml.SequenceNode:
                return _SEQ_TAG
        return super().resolve(kind, value, implicit)

    # The composer also calls these two around every node, to follow path resolvers; the safe
    # loader has none, and PyYAML's own versions then return at once. Builtins that accept the
    # same arguments and do nothing spare a Python call per node (a tenth of a large load).
    if not _Loader.yaml_path_resolvers:
        descend_resolver = staticmethod(slice)  # (current_node, current_index) -> ignored
        ascend_resolver = staticmethod(tuple)  # () -> ignored


_RESOLVER_FIRST_CHARS = frozenset(k for k in _Loader.yaml_implicit_resolvers if k)
_FAST_RESOLVE = (None not in _Loader.yaml_implicit_resolvers and "" not in _RESOLVER_FIRST_CHARS
                 and not _Loader.yaml_path_resolvers and _Loader.DEFAULT_SCALAR_TAG == _STR_TAG
                 and _Loader.DEFAULT_MAPPING_TAG == _MAP_TAG and _Loader.DEFAULT_SEQUENCE_TAG == _SEQ_TAG)
_RESOLVED: dict[str, str] = {}


@contextlib.contextmanager
def gc_paused(*, freeze: bool = False):
    """Pause the cyclic garbage collector: loading builds hundreds of thousands of small
    objects (nodes, marks, values) and no cycles, and the collector's passes over them took
    more than half of a large store's load time. Reference counting still frees everything.

    What the load built (the store) lives as long as the run, so it is filed straight into
    the oldest generation: `freeze()` then `unfreeze()` moves every tracked object there
    without looking at it. Otherwise the first young collection after the pause walks all of
    it (a third of the time of a load from the cache). Everything stays collectable.

    With `freeze`, the objects stay frozen: no collection ever looks at them again (a large
    build spent half a second in full collections walking the store while WeasyPrint worked).
    Only for a process that ends after its run: whatever garbage cycle exists when it is
    frozen is never collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            if not freeze:
                gc.unfreeze()
            gc.enable()

Path_ = tuple  # a path into the document: keys and list indexes


@dataclass
class YamlDocument:
    """A loaded file: plain Python data plus the line of every value in it."""

    file: str  # as shown to the user
    data: Any
    positions: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), 1)


def load_yaml_file(path: Path, shown_as: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read and parse `path`; raises `YamlLoadError` with the file and line on any problem."""
    shown = shown_as or str(path)
    return parse_yaml_bytes(read_yaml_bytes(path, shown, max_bytes=max_bytes), shown)


def parse_yaml_bytes(raw: bytes, shown: str) -> YamlDocument:
    text = _decode(raw, shown)
    try:
        _check_flow_depth(text, shown)
    except yaml.reader.ReaderError as exc:
        raise YamlLoadError(_reader_problem(exc, shown, text)) from None
    try:
        with gc_paused():
            nodes = list(yaml.compose_all(text, Loader=_ComposeLoader))
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(_problem_from_yaml_error(exc, shown, text)) from None
    except yaml.reader.ReaderError as exc:
        raise YamlLoadError(_reader_problem(exc, shown, text)) from None
    except yaml.YAMLError:  # libyaml marks every error it raises; this is only in case
        raise YamlLoadError(Problem(shown, 0, "invalid YAML", expected="valid YAML")) from None
    if len(nodes) > 1:
        line = _document_start_line(text, nodes[1].start_mark.line)
        raise YamlLoadError(Problem(shown, line, "a second YAML document starts here ('---')",
                                    expected="one document per file"))
    doc = YamlDocument(file=shown, data=None)
    if nodes:
        doc.positions[()] = nodes[0].start_mark.line + 1
        with gc_paused():
            doc.data = _Builder(shown, doc.positions).build(nodes[0], (), 0)
    return doc


def _document_start_line(text: str, first_value_line: int) -> int:
    """The 1-based line of the '---' that opens the document whose first value is on
    `first_value_line` (0-based)."""
    lines = text.split("\n")
    for index in range(min(first_value_line, len(lines) - 1), -1, -1):
        if lines[index].startswith("---"):
            return index + 1
    return first_value_line + 1


def _decode(raw: bytes, shown: str) -> str:
    if b"\x00" in raw[:8192]:
        raise YamlLoadError(Problem(shown, 0, "this is a binary file, not YAML text",
                                    expected="a UTF-8 text file"))
    if b"\x00" in raw:  # a text file with a stray NUL further down: point at its line
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise YamlLoadError(Problem(shown, line, "a NUL byte is not allowed in a YAML file",
                                    expected="printable text; remove the character or retype the line"))
    try:
        # utf-8-sig drops a byte-order mark that some Windows editors add.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlLoadError(Problem(shown, line, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                                    expected="a file saved as UTF-8")) from None
    # Windows line ends are fine; normalise so that every later line count agrees.
    return text.replace("\r\n", "\n")


_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# What can open block collections at the start of a line (in _check_flow_depth): indentation and
# the '- ', '? ', ': ' indicators ('- - - x' nests three sequences on one line).


def _check_flow_depth(text: str, shown: str) -> None:
    """Refuse deeply nested collections before libyaml's recursive composer sees them (it
    crashes the interpreter somewhere past 100,000 levels, which a 400 kB file of '- - - ...'
    reaches).

    A rough count over-estimates the depth: every bracket counts (even inside strings), and a
    block collection needs at least one more column of indentation or indicators for every two
    levels. Only when the rough count is over the limit do we walk the parser's events (libyaml's
    parser is not recursive) for the true depth.
    """
    brackets = _BRACKETS.sub("", text)
    flow = max(accumulate(map(_BRACKET_STEP.__getitem__, brackets))) if brackets else 0
    # rough = flow + 2 * (the longest line prefix) + 2; only whether it passes the limit matters,
    # so search for one prefix long enough instead of measuring every line's.
    longest_allowed = (MAX_DEPTH - 2 - max(flow, 0)) // 2
    if longest_allowed >= 0 and not re.search(rf"^[ \t?:-]{{{longest_allowed + 1}}}", text, re.M):
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlLoadError(_nesting_problem(shown, event.start_mark.line + 1))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(_problem_from_yaml_error(exc, shown, text)) from None


# What libyaml's terse messages usually mean, and what the analyst should write instead.
_YAML_EXPECTATIONS = (
    ("mapping values are not allowed", "one 'key: value' per line; put text containing ': ' in quotes"),
    ("could not find expected ':'", "'key: value' lines, or text in quotes"),
    ("did not find expected key", "keys aligned under their parent, each as 'key: value'"),
    ("did not find expected '-' indicator", "list items aligned, each starting with '- '"),
    ("found unexpected end of stream", "a closing quote or bracket"),
    ("did not find expected ','", "a closing ']' or '}' for the list or mapping opened on this line, and commas between items"),
    ("found undefined alias", "every value written out in full (no *aliases)"),
    ("cannot start any token", "plain text, or text in quotes when it starts with @, ` or %"),
)


def _nesting_problem(shown: str, line: int) -> Problem:
    return Problem(shown, line, f"nesting deeper than {MAX_DEPTH} levels", expected="the store's flat lists of entries")


def _problem_from_yaml_error(exc: yaml.MarkedYAMLError, shown: str, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if exc.problem and "nesting depth" in exc.problem:
        # Newer libyaml stops at its own depth limit (1,000 levels), scanning ahead of the
        # events _check_flow_depth counts ('[[[[...' on one line): that is deeper than ours.
        return _nesting_problem(shown, mark.line + 1 if mark else 0)
    # An unclosed quote or bracket is found at the end of the file; its opening is what to fix.
    if exc.context_mark and exc.problem and ("end of stream" in exc.problem or "did not find expected ','" in exc.problem):
        mark = exc.context_mark
    line = mark.line + 1 if mark else 0
    if text and line > _line_count(text):
        # At the end of a file without a final line break libyaml counts one more line; point
        # at the last line that holds anything instead.
        line = max(1, _line_count(text.rstrip()))
    what = exc.problem or "invalid YAML"
    if exc.context:
        what = f"{exc.context}, {what}"
    expected = next((e for needle, e in _YAML_EXPECTATIONS if needle in what), "valid YAML")
    hint = ""
    if mark is not None and text:
        source_line = text.split("\n")[mark.line] if mark.line < text.count("\n") + 1 else ""
        if "\t" in source_line[: mark.column + 1] or "\t" in source_line[: len(source_line) - len(source_line.lstrip())]:
            hint = "YAML indents with spaces only; replace the tabs with spaces"
            expected = "indentation with spaces"
    return Problem(shown, line, f"invalid YAML: {what}", expected=expected, hint=hint)


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # what YAML counts as a line break


def _line_count(text: str) -> int:
    """The number of lines of `text`, counted as libyaml counts them."""
    breaks = len(_LINE_BREAK.findall(text))
    return breaks + (0 if text and _LINE_BREAK.fullmatch(text[-1]) else 1)


def _reader_problem(exc: yaml.reader.ReaderError, shown: str, text: str) -> Problem:
    """A character YAML does not allow (a control character, a stray NUL)."""
    # libyaml counts the position in bytes of the UTF-8 text, not in characters.
    line = text.encode("utf-8")[: exc.position].count(b"\n") + 1 if isinstance(exc.position, int) else 0
    char = exc.character
    code = f"0x{char:02x}" if isinstance(char, int) else f"U+{ord(char):04X}" if isinstance(char, str) and char else "?"
    return Problem(shown, line, f"control character {code} is not allowed in a YAML file",
                   expected="printable text; remove the character or retype the line")


class _Builder:
    """Turns composed nodes into plain Python values, recording positions and refusing
    anything the store has no use for (aliases, custom tags, duplicate keys)."""

    def __init__(self, shown: str, positions: dict):
        self.shown = shown
        self.positions = positions
        self.scalar_constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str, expected: str = "", hint: str = "") -> None:
        raise YamlLoadError(Problem(self.shown, node.start_mark.line + 1, message, expected=expected, hint=hint))

    def build(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlLoadError(_nesting_problem(self.shown, node.start_mark.line + 1))
        if id(node) in self.seen:
            self._refuse_alias(node)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.fail(node, f"the tag '{_written_tag(node.tag)}' is not allowed", expected="a plain YAML list")
            items = []
            positions, seen, scalar = self.positions, self.seen, self._scalar
            for index, child in enumerate(node.value):
                child_path = path + (index,)
                positions[child_path] = child.start_mark.line + 1
                # Scalars inline (most values are): the same checks as build(), without the call.
                if child.__class__ is yaml.ScalarNode and id(child) not in seen:
                    seen.add(id(child))
                    items.append(scalar(child))
                else:
                    items.append(self.build(child, child_path, depth + 1))
            return items
        return self._scalar(node)

    def _refuse_alias(self, node: yaml.Node) -> None:
        """An alias makes the composer hand back a node it has already given us (a key's, a
        value's or an item's: the same node, whatever its place). Its line is the anchor's."""
        self.fail(node, "YAML anchors and aliases (&name / *name) are not allowed in the store",
                  expected="every value written out in full")

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        if node.tag != _MAP_TAG:
            self.fail(node, f"the tag '{_written_tag(node.tag)}' is not allowed", expected="a plain YAML mapping")
        result: dict[str, Any] = {}
        positions, seen, scalar = self.positions, self.seen, self._scalar
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a mapping key must be a plain name", expected="key: value")
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "merge keys ('<<') are not allowed in the store", expected="every value written out in full")
            if id(key_node) in seen:  # '*a : 1', or a key's anchor ('&a key: 1') used again
                self._refuse_alias(key_node)
            seen.add(id(key_node))
            # Keys are names: keep their text, so 'no:' or 'on:' never turn into booleans.
            key = key_node.value
            if key in result:
                first = positions.get(path + (key,), 0)
                self.fail(key_node, f"duplicate key '{excerpt(key)}' (first set on line {first})",
                          expected="each key once per entry")
            child_path = path + (key,)
            positions[child_path] = key_node.start_mark.line + 1
            if value_node.__class__ is yaml.ScalarNode and id(value_node) not in seen:
                seen.add(id(value_node))
                result[key] = scalar(value_node)
            else:
                result[key] = self.build(value_node, child_path, depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        # The common forms first, giving what SafeConstructor gives for them: text, a decimal
        # whole number (not '0'-prefixed: YAML 1.1 reads that as octal), a YYYY-MM-DD date.
        tag, value = node.tag, node.value
        if tag == _STR_TAG:
            return value
        if tag == _INT_TAG:
            if len(value) > MAX_INT_DIGITS:
                self._refuse_long_number(node)
            if value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
                return int(value)
        if tag == _TIMESTAMP_TAG and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
            except ValueError:
                return value  # '2016-06-31': kept as text for the schema to report, as below
        if tag not in _SCALAR_TAGS:
            self.fail(node, f"the tag '{_written_tag(node.tag)}' is not allowed",
                      expected="plain text, numbers, dates, true/false", hint="the store never constructs objects from tags")
        try:
            value = self.scalar_constructor.construct_object(node)
        except Exception:  # each type fails its own way: '!!bool maybe' is a KeyError, '!!int ""' an IndexError
            if node.tag == "tag:yaml.org,2002:timestamp":
                # '2016-06-31' looks like a date but is not one: keep the text so the schema
                # reports it with its field, beside every other problem in the file.
                return node.value
            # Not the exception's words: they are Python's ("invalid literal for int() with base 10").
            kind = node.tag.rsplit(":", 1)[-1]
            self.fail(node, f"cannot read value '{excerpt(node.value)}' as {kind}",
                      expected=_TAG_EXPECTATIONS.get(kind, "a plain value"))
        if isinstance(value, float) and not math.isfinite(value):  # .nan, .inf
            self.fail(node, f"'{excerpt(node.value)}' is not a number the store can use", expected="a finite number")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_INT_DIGITS:
            self.fail(node, f"the number '{excerpt(node.value)}' is too large", **_LONG_NUMBER)  # 0x..., 1_000_...
        return value

    def _refuse_long_number(self, node: yaml.ScalarNode) -> None:
        """Refuse a whole number of more digits than any count has, before Python reads it (it
        refuses 4,300 digits and more, in its own words)."""
        digits = sum(char.isdigit() for char in node.value)
        if digits > MAX_INT_DIGITS:
            self.fail(node, f"the number has {digits} digits", **_LONG_NUMBER)


_LONG_NUMBER = {"expected": f"a whole number of at most {MAX_INT_DIGITS} digits",
                "hint": "put it in quotes if it is text, not a number"}


def _written_tag(tag: str) -> str:
    """A tag as it is written in the file: '!!python/object', not 'tag:yaml.org,2002:python/object'."""
    tag = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
    return excerpt(tag)
