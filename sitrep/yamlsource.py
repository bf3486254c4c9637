"""Load one YAML file safely, remembering the line every value came from.

The store is edited by hand, so this loader is the first line of defence:

- libyaml's composer (`CSafeLoader`) builds a node graph; nothing is ever constructed from a
  tag, so ``!!python/object`` and friends are refused, not executed;
- duplicate keys, anchors/aliases (the "billion laughs" bomb), multiple documents, files that
  are not UTF-8, binary junk, oversized files and absurd nesting are refused with the line;
- every mapping key and list item records its 1-based line in `positions`, keyed by its path
  (``("figures", 3, "cited", 0, "source")``), so later stages can point at the exact line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

try:  # libyaml is 6-10x faster; the pure-Python loader is a correct fallback.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64  # the store needs about 6 levels; libyaml itself crashes near 100,000

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

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


class YamlLoadError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def load_yaml_file(path: Path, shown_as: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read and parse `path`; raises `YamlLoadError` with the file and line on any problem."""
    shown = shown_as or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlLoadError(Problem(shown, 0, f"file is {size / 1e6:.0f} MB, larger than the limit of {max_bytes / 1e6:.0f} MB",
                                        expected="a fact file of a few MB at most; split the store into several files"))
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlLoadError(Problem(shown, 0, f"cannot read file: {exc.strerror or exc}")) from None
    return parse_yaml_bytes(raw, shown)


def parse_yaml_bytes(raw: bytes, shown: str) -> YamlDocument:
    text = _decode(raw, shown)
    _check_flow_depth(text, shown)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(_problem_from_yaml_error(exc, shown)) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(Problem(shown, 0, f"invalid YAML: {exc}")) from None
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        raise YamlLoadError(Problem(shown, line, "a second YAML document starts here ('---')",
                                    expected="one document per file"))
    doc = YamlDocument(file=shown, data=None)
    if nodes:
        doc.positions[()] = nodes[0].start_mark.line + 1
        doc.data = _Builder(shown, doc.positions).build(nodes[0], (), 0)
    return doc


def _decode(raw: bytes, shown: str) -> str:
    if b"\x00" in raw[:8192]:
        raise YamlLoadError(Problem(shown, 0, "this is a binary file, not YAML text",
                                    expected="a UTF-8 text file"))
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


def _check_flow_depth(text: str, shown: str) -> None:
    """Refuse deeply nested flow collections before libyaml's recursive composer sees them.

    Counting brackets over-estimates (brackets inside strings count too), so only when the
    rough count is over the limit do we walk the parser's events for the true depth.
    """
    brackets = _BRACKETS.sub("", text)
    if not brackets:
        return
    rough = max(accumulate(1 if c in "[{" else -1 for c in brackets))
    if rough <= MAX_DEPTH:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlLoadError(Problem(shown, event.start_mark.line + 1,
                                                f"nesting deeper than {MAX_DEPTH} levels",
                                                expected="the store's flat lists of entries"))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise YamlLoadError(_problem_from_yaml_error(exc, shown)) from None


def _problem_from_yaml_error(exc: yaml.MarkedYAMLError, shown: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    what = exc.problem or "invalid YAML"
    if exc.context:
        what = f"{exc.context}, {what}"
    hint = ""
    if "\t" in what or "tab" in what.lower():
        hint = "YAML indents with spaces only; replace the tabs with spaces"
    return Problem(shown, line, f"invalid YAML: {what}", hint=hint)


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
            self.fail(node, f"nesting deeper than {MAX_DEPTH} levels", expected="the store's flat lists of entries")
        # An alias makes the composer hand back a node it has already given us.
        if id(node) in self.seen:
            self.fail(node, "YAML anchors and aliases (&name / *name) are not allowed in the store",
                      expected="every value written out in full")
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.fail(node, f"the tag {node.tag!r} is not allowed", expected="a plain YAML list")
            items = []
            for index, child in enumerate(node.value):
                self.positions[path + (index,)] = child.start_mark.line + 1
                items.append(self.build(child, path + (index,), depth + 1))
            return items
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        if node.tag != _MAP_TAG:
            self.fail(node, f"the tag {node.tag!r} is not allowed", expected="a plain YAML mapping")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a mapping key must be a plain name", expected="key: value")
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "merge keys ('<<') are not allowed in the store", expected="every value written out in full")
            # Keys are names: keep their text, so 'no:' or 'on:' never turn into booleans.
            key = key_node.value
            if key in result:
                first = self.positions.get(path + (key,), 0)
                self.fail(key_node, f"duplicate key '{key}' (first set on line {first})",
                          expected="each key once per entry")
            self.positions[path + (key,)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.fail(node, f"the tag {node.tag!r} is not allowed",
                      expected="plain text, numbers, dates, true/false", hint="the store never constructs objects from tags")
        try:
            value = self.scalar_constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            if node.tag == "tag:yaml.org,2002:timestamp":
                # '2016-06-31' looks like a date but is not one: keep the text so the schema
                # reports it with its field, beside every other problem in the file.
                return node.value
            self.fail(node, f"cannot read value {node.value!r}: {exc}")
        if isinstance(value, float) and value != value:  # .nan
            self.fail(node, "'.nan' is not a number the store can use", expected="a number")
        return value
