"""Stand-ins for sitrep.edit.yamledit and sitrep.edit.forms, written in parallel by other helpers
(issue 26): the interfaces of the common brief, done simply, so that the editor's server can be
tested before they are merged. `install()` uses the real modules whenever they import.

Simple on purpose: the stand-in writer re-dumps an edited entry with PyYAML (the real one keeps
its formatting), and the stand-in form is one text input per value of the entry.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitrep.errors import Problem, SitrepError, display_path
from sitrep.output import write_atomic
from sitrep.source.schema import KINDS
from sitrep.source.yamlsource import parse_yaml_bytes


# -- yamledit ---------------------------------------------------------------------------------

class EditConflict(SitrepError):
    def __init__(self, path, *rest):
        super().__init__(Problem(display_path(path), 0, "the file changed on disk since it was opened"))
        self.path = path


@dataclass(frozen=True)
class StoreText:
    path: Path
    text: str
    digest: str


@dataclass(frozen=True)
class EntrySpan:
    kind: str
    id: str
    index: int
    start: int
    end: int


def read_store_file(path) -> StoreText:
    raw = Path(path).read_bytes()
    return StoreText(Path(path), raw.decode("utf-8"), hashlib.sha256(raw).hexdigest())


def _doc(text: str):
    return parse_yaml_bytes(text.encode("utf-8"), "stand-in")


def entry_spans(text: str) -> list[EntrySpan]:
    doc = _doc(text)
    spans = []
    for kind, entries in (doc.data or {}).items():
        if kind not in KINDS or not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            lines = [line for path, line in doc.positions.items() if path[:2] == (kind, index)]
            spans.append(EntrySpan(kind, str(entry.get("id")), index, min(lines), max(lines)))
    return spans


def _span(text: str, kind: str, entry_id: str) -> EntrySpan:
    for span in entry_spans(text):
        if span.kind == kind and span.id == entry_id:
            return span
    raise KeyError(entry_id)


def entry_data(text: str, kind: str, entry_id: str) -> dict:
    return _doc(text).data[kind][_span(text, kind, entry_id).index]


def _dumped(data: dict, indent: str) -> list[str]:
    dumped = yaml.safe_dump([data], allow_unicode=True, sort_keys=False, default_flow_style=False)
    return [indent + line + "\n" if i == 0 else indent + line + "\n" for i, line in enumerate(dumped.splitlines())]


def replace_entry(text: str, kind: str, entry_id: str, data: dict) -> str:
    span = _span(text, kind, entry_id)
    lines = text.splitlines(keepends=True)
    indent = re.match(r"\s*", lines[span.start - 1]).group(0)
    return "".join(lines[:span.start - 1] + _dumped(data, indent) + lines[span.end:])


def add_entry(text: str, kind: str, data: dict) -> str:
    spans = [span for span in entry_spans(text) if span.kind == kind]
    lines = text.splitlines(keepends=True)
    if not spans:
        return text + ("" if text.endswith("\n") or not text else "\n") + f"{kind}:\n" + "".join(_dumped(data, "  "))
    last = spans[-1]
    indent = re.match(r"\s*", lines[last.start - 1]).group(0)
    return "".join(lines[:last.end] + ["\n"] + _dumped(data, indent) + lines[last.end:])


def field_at_line(text: str, line: int):
    doc = _doc(text)
    found = [path for path, at in doc.positions.items() if at == line and len(path) > 2 and path[0] in KINDS]
    if not found:
        return None
    path = max(found, key=len)
    entry = doc.data[path[0]][path[1]]
    return path[0], str(entry.get("id")), tuple(path[2:])


def write_store_file(path, text: str, expected_digest: str, store_dir=None) -> StoreText:
    path = Path(path)
    if store_dir is not None and not path.resolve().is_relative_to(Path(store_dir).resolve()):
        raise SitrepError(Problem(str(path), 0, "not inside the store folder"))
    if read_store_file(path).digest != expected_digest:
        raise EditConflict(path)
    write_atomic(path, text)
    return read_store_file(path)


# -- forms ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pickers:
    sources: list
    places: list
    actors: list

    @classmethod
    def from_store(cls, store) -> "Pickers":
        return cls([(s.id, str(s.name), s.reliability, s.sensitivity == "restricted") for s in store.sources.values()],
                   [(p.id, str(p.name), ()) for p in store.places.values()],
                   [(a.id, str(a.name), ()) for a in store.actors.values()])


def render_form(kind, data, *, problems, pickers, token, digest, action) -> str:
    parts = [f'<form method="post" action="{html.escape(action)}">',
             f'<input type="hidden" name="_token" value="{html.escape(token)}">',
             f'<input type="hidden" name="_digest" value="{html.escape(digest)}">']
    from sitrep.edit.server import flattened

    for name, value in flattened(data).items():
        listed = "".join(f"<li>{html.escape(p)}</li>" for p in (problems or {}).get(name, []))
        parts.append(f'<div id="field-{html.escape(name)}"><label>{html.escape(name)} '
                     f'<input name="{html.escape(name)}" value="{html.escape(value)}"></label>'
                     f'<ul class="problems">{listed}</ul></div>')
    parts.append('<button type="submit">Save</button></form>')
    return "\n".join(parts)


def _typed(value: str):
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def data_from_form(kind, fields: dict) -> dict:
    data: dict = {}
    for name, value in fields.items():
        if value == "":
            continue
        keys = [int(part) if part.isdigit() else part for part in name.split(".")]
        node = data
        for key, following in zip(keys, keys[1:]):
            node = node.setdefault(key, {})
        node[keys[-1]] = value if keys[-1] in ("id", "as_of", "date", "text") else _typed(value)

    def listed(node):
        if isinstance(node, dict):
            if node and all(isinstance(key, int) for key in node):
                return [listed(node[key]) for key in sorted(node)]
            return {key: listed(value) for key, value in node.items()}
        return node

    return listed(data)


def install() -> dict[str, bool]:
    """The real modules where they import, else these stand-ins; {module: real?}."""
    real = {}
    for name, members in (("yamledit", (EditConflict, StoreText, EntrySpan, read_store_file, entry_spans, entry_data,
                                        replace_entry, add_entry, field_at_line, write_store_file)),
                          ("forms", (Pickers, render_form, data_from_form))):
        full = f"sitrep.edit.{name}"
        try:
            __import__(full)
            real[name] = not getattr(sys.modules[full], "STANDIN", False)  # installed by an earlier test
        except ImportError:
            module = types.ModuleType(full)
            module.STANDIN = True
            for member in members:
                setattr(module, member.__name__, member)
            sys.modules[full] = module
            real[name] = False
    return real
