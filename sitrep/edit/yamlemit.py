"""One store entry written as a person would write it, in ruamel.yaml's round-trip mode.

An edited entry's own lines are loaded (comments, key order, quoting, flow-style citations
kept), updated in place only where the store's loader would read a different value, dumped
with the file's indentation; and even then every field whose value did not change keeps its
original lines, since ruamel's emitter does not reproduce every layout (a flow list wrapped
over two lines) and unchanged must mean unchanged. A new entry is written in the file's
conventions: block style, citations and short lists in flow style, long texts folded, dates
unquoted, quotes only where the store's loader (PyYAML, YAML 1.1: `yes`, `null`, `012`) would
read the text as something else. yamledit.py splices what this writes into the file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString,
                                      SingleQuotedScalarString)

from sitrep.edit.formfields import written_order
from sitrep.source.schema import KINDS, _model_at

TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
FOLD_OVER, FOLD_WIDTH = 100, 88  # a new text longer than this is folded, its lines this long at most
_FOLDABLE = re.compile(r"^\S+(?: \S+)+$")  # single spaces only, none at either end: folds back the same
_OPENS = re.compile(r"^\s*(- )?[\w@.-]+:\s*(#.*)?$")  # a key whose value is on the lines below
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUOTED_STYLES = (SingleQuotedScalarString, DoubleQuotedScalarString)
_BLOCK_STYLES = (LiteralScalarString, FoldedScalarString)
_PYYAML_RESOLVER = yaml.resolver.Resolver()  # how the store's loader (YAML 1.1) reads a plain scalar
_WRAPPER = "k:\n"  # an entry's lines are loaded and dumped under a stand-in key, at their own indentation


@dataclass(frozen=True)
class Layout:
    """The file's block indentation: `offset` spaces before a list item's '-', its content `sequence`
    spaces in ('  - id:' is 2 and 4), `mapping` spaces per nested mapping's level."""

    offset: int = 2
    sequence: int = 4
    mapping: int = 2


def layout_of(lines: list[str]) -> Layout:
    """How the file indents: a list's items under its key, a nested mapping's keys under theirs."""
    content = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    offset = mapping = None
    sequence = 4
    for line, below in zip(content, content[1:]):
        indent, below_indent = len(line) - len(line.lstrip(" ")), len(below) - len(below.lstrip(" "))
        opens = _OPENS.match(line)
        if offset is None and TOP_LEVEL_KEY.match(line) and opens and below.lstrip().startswith("- "):
            offset, sequence = below_indent, len(below) - len(below.lstrip(" -"))  # '-   id:' is offset + 4
        elif mapping is None and opens and indent > 0 and below_indent > indent and not below.lstrip().startswith("-"):
            mapping = below_indent - len(line) + len(line.lstrip(" -"))  # under a '- key:' line, from the key
    if offset is None:
        offset, sequence = 2, 4
    return Layout(offset, sequence, mapping if mapping and mapping > 0 else 2)


def reemit_entry(block: str, kind: str, old: dict, new: dict, layout: Layout) -> str:
    """The entry's lines (`block`, at their indentation in the file; `old` is what the store's
    loader reads in them) with `new` written into them."""
    root = _yaml(layout).load(_WRAPPER + block)
    entry = root["k"][0]
    _merge(entry, old, new, kind, ())
    dumped = _dump(entry, layout)
    changed = {k for k in {*old, *new} if canon(old.get(k)) != canon(new.get(k))}
    return _keep_unchanged_fields(block, dumped, changed)


def new_entry_lines(data: dict, layout: Layout) -> str:
    """A new entry's lines at zero indentation ('- id: ...'), in the file's layout."""
    dumped = _dump(_fresh(data, top=True), layout)
    return "".join(line[layout.offset:] if line.strip() else line for line in dumped.splitlines(keepends=True))


def plain(value: Any) -> Any:
    """The store loader's value as JSON-able data: a date as the text it was written as."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canon(value: Any) -> Any:
    """`value` compared as the store sees it: 1, 1.0 and true differ; mappings in any key order."""
    value = plain(value)
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v) for v in value]
    return (type(value).__name__, value)


def _yaml(layout: Layout) -> YAML:
    emitter = YAML(typ="rt")
    emitter.preserve_quotes = True
    emitter.width = 1_000_000  # never wrap a line: the analyst's lines stay as they were written
    emitter.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    emitter.brace_single_entry_mapping_in_flow_sequence = True  # [{source: x}], never [source: x]
    return emitter


def _dump(entry: CommentedMap, layout: Layout) -> str:
    out = io.StringIO()
    _yaml(layout).dump(CommentedMap([("k", CommentedSeq([entry]))]), out)
    return out.getvalue().removeprefix(_WRAPPER)


def _merge(node: Any, old: Any, new: Any, kind: str, path: tuple) -> Any:
    """`node` (ruamel's, with its comments and styles) made to hold `new`; `old` is what the
    store's loader reads in it, so a value reads as changed only when the store would see it so."""
    if canon(old) == canon(new):
        return node
    if isinstance(node, CommentedMap) and isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        for key, value in new.items():
            if key in node:
                node[key] = _merge(node[key], old.get(key), value, kind, path + (key,))
            else:
                node.insert(_position(node, key, kind, path), key, _fresh(value))
        return node
    if isinstance(node, CommentedSeq) and isinstance(old, list) and isinstance(new, list):
        for index, value in enumerate(new):
            if index < len(node) and index < len(old):
                node[index] = _merge(node[index], old[index], value, kind, path + (index,))
            else:
                node.append(_fresh(value, like=node[-1] if len(node) else None, item=True))
        while len(node) > len(new):
            node.pop()
        return node
    return _fresh(new, like=node)


def _position(node: CommentedMap, key: str, kind: str, path: tuple) -> int:
    """Where a new key goes in the schema's field order: after the last key that comes before it
    there; right after the id, it goes before the first key that follows it instead (a figure's
    value, inherited from the schema's Amount, goes beside its low and high, not above its metric)."""
    order = _field_order(kind, path)
    if key not in order:
        return len(node)
    rank, keys = order.index(key), list(node)
    ranked = sorted((order.index(k), i) for i, k in enumerate(keys) if k in order)
    previous = [i for r, i in ranked if r < rank]
    following = [i for r, i in ranked if r > rank]
    if previous and keys[previous[-1]] != "id":
        return previous[-1] + 1
    return following[0] if following else len(keys)


def _field_order(kind: str, path: tuple) -> list[str]:
    """The schema's fields of the mapping at `path` in an entry of `kind`, in the order a person
    writes them (formfields.written_order: its id first, a figure's inherited value after its as_of)."""
    model = KINDS[kind]
    for part in (p for p in path if not isinstance(p, int)):
        nested = _model_at(model, (part,))
        if nested is model:
            return []  # text by language, names by language: no schema order
        model = nested
    return written_order(model)


def _fresh(value: Any, like: Any = None, top: bool = False, item: bool = False, flow: bool = False) -> Any:
    """`value` as a person would write it, in the style of `like` (the value it replaces, or the
    list item before it) where there is one; `flow`: inside a one-line {...} or [...]."""
    if isinstance(value, dict):
        if isinstance(like, CommentedMap):
            flow = flow or bool(like.fa.flow_style())
        else:  # a citation, a count: on one line; a long text by language: not
            flow = flow or (not top and all(map(_simple, value.values())) and _one_line(value) <= (100 if item else 60))
        node = CommentedMap((k, _fresh(v, flow=flow)) for k, v in value.items())
        node.fa.set_flow_style() if flow else node.fa.set_block_style()
        return node
    if isinstance(value, list):
        flow = flow or all(_simple(v) or (isinstance(v, list) and all(map(_simple, v))) for v in value)
        node = CommentedSeq()  # flow: [snipers, ieds]; an outline's [[lat, lon], ...]
        for each in value:
            node.append(_fresh(each, like=node[-1] if len(node) else None, item=True, flow=flow))
        node.fa.set_flow_style() if flow else node.fa.set_block_style()
        return node
    if isinstance(value, str):
        return _text(value, like, flow)
    if isinstance(value, float) and isinstance(like, ScalarFloat):
        return _float_like(value, like)
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    raise TypeError(f"cannot write a {type(value).__name__} into a store file: {value!r}")


def _text(value: str, like: Any, flow: bool = False) -> Any:
    if not flow and (isinstance(like, FoldedScalarString) or (like is None and len(value) > FOLD_OVER)):
        folded = _folded(value, like)
        if folded is not None:
            return folded
    if isinstance(like, _QUOTED_STYLES + _BLOCK_STYLES):
        return type(like)(value)
    if "\n" in value and not flow:
        return LiteralScalarString(value)
    if _ISO_DAY.match(value):
        try:
            return dt.date.fromisoformat(value)  # a day is written as a date, unquoted
        except ValueError:
            pass
    if _PYYAML_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return SingleQuotedScalarString(value)  # 'yes', '12', 'null': text, not what YAML 1.1 reads there
    return value


def _folded(text: str, like: Any = None) -> FoldedScalarString | None:
    """A long one-line text folded ('>-') as the store's long texts are written. Replacing a
    folded text, the lines up to the first change keep their breaks and the rest are filled to
    the old text's longest line; a new text is filled to FOLD_WIDTH. None when it cannot fold
    (several spaces in a row, a line break) and read back the same."""
    if not _FOLDABLE.match(text):
        return None
    positions, width = [], FOLD_WIDTH
    old_folds = getattr(like, "fold_pos", None) or []
    if old_folds:
        bounds = [-1, *old_folds, len(like)]
        width = max(b - a - 1 for a, b in zip(bounds, bounds[1:]))
        same = len(os.path.commonprefix([str(like), text]))
        positions = [f for f in old_folds if f < same]
    start = positions[-1] + 1 if positions else 0
    index, length = start, 0
    for word in text[start:].split(" "):
        if length and length + 1 + len(word) > width:
            positions.append(index - 1)  # the space before this word becomes the line break
            length = len(word)
        else:
            length = length + 1 + len(word) if length else len(word)
        index += len(word) + 1
    folded = FoldedScalarString(text)
    folded.fold_pos = positions
    return folded


def _float_like(value: float, like: ScalarFloat) -> float:
    """A number written with as many decimals as the one it replaces (33.30, not 33.3), when it
    has that many at most."""
    decimals = like._width - like._prec - 1 if like._exp is None and like._prec is not None and like._prec >= 0 else -1
    written = f"{value:.{decimals}f}" if decimals > 0 else ""
    if not written or float(written) != value:
        return value
    return YAML(typ="rt").load(written)  # ruamel's own float, which remembers how it is written


def _one_line(mapping: dict) -> int:
    return sum(len(str(k)) + len(str(v)) + 4 for k, v in mapping.items())


def _simple(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and "\n" not in value)


def _keep_unchanged_fields(old_block: str, new_block: str, changed: set) -> str:
    """`new_block`, with the lines of every field that did not change taken from `old_block`."""
    old_spans, new_spans = _field_lines(old_block), _field_lines(new_block)
    if not old_spans or not new_spans or next(iter(old_spans)) != next(iter(new_spans)):
        return new_block
    return "".join(old_spans[k] if k in old_spans and k not in changed else text for k, text in new_spans.items())


def _field_lines(block: str) -> dict[str, str]:
    """Each field of a one-entry block -> its lines, comments after it included; {} when two
    fields share a line (an entry in flow style), as they cannot then be told apart by lines."""
    lines = block.splitlines(keepends=True)
    item = yaml.compose(_WRAPPER + block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)).value[0][1].value[0]
    starts = [0] + [k.start_mark.line - 1 for k, _ in item.value[1:]]
    if item.flow_style or len(set(starts)) != len(starts):
        return {}
    ends = starts[1:] + [len(lines)]
    return {k.value: "".join(lines[a:b]) for (k, _), a, b in zip(item.value, starts, ends)}
