"""The fields of an entry's form, read off the store's own pydantic models (schema.py): no form is
written per kind, so a field added to the schema appears in the editor by itself.

A field's path is its key path in the entry; the items of a list are "*" in it
(("cited", "*", "source"), named "cited.*.source"): `Form.field` finds the field of a concrete
name ("cited.0.source") or key path. Which fields hold another entry's id is not guessed from
their names: it is read from the store's one table of references (checks.references), run over
a probe entry of each kind.
"""

from __future__ import annotations

import ast
import functools
import inspect
import io
import tokenize
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, WithJsonSchema
from pydantic_core import PydanticUndefined

from sitrep.errors import SitrepError, did_you_mean
from sitrep.source import schema
from sitrep.source.checks import references
from sitrep.source.dates import FuzzyDate
from sitrep.source.entries import Store
from sitrep.source.schema import KINDS, LocalText

WIDGETS = ("text", "textarea", "number", "integer", "choice", "fuzzy-date", "reference", "local-text", "flag",
           "list", "group")
ITEM = "*"  # a list's item in a field's path


@dataclass(frozen=True)
class FormField:
    path: tuple
    name: str  # the path joined with ".": the HTML input's name, with the item's index for "*"
    label: str
    widget: str  # one of WIDGETS
    required: bool
    choices: tuple = ()
    refers_to: str | None = None  # the kind of entry whose id the field holds: "sources", "places", ...
    help: str = ""
    children: tuple = ()  # a group's fields, or the fields of one item of a list
    default: object = None  # the schema's default, written only when the entry already wrote it
    shape: str | None = None  # "mapping": a list of key/value items read as a dict; "pair": "a, b" as [a, b]

    def named(self, *indexes: int) -> str:
        """The input name of this field in a concrete item: ("cited", "*", "source") with 2 -> "cited.2.source"."""
        numbers = iter(indexes)
        return ".".join(str(next(numbers)) if part == ITEM else str(part) for part in self.path)


@dataclass(frozen=True)
class Form:
    kind: str
    fields: tuple[FormField, ...]

    def field(self, name_or_path: str | tuple) -> FormField | None:
        """The field of a concrete name or key path ("cited.0.source", ("cited", 0, "source")), or None."""
        parts = name_or_path.split(".") if isinstance(name_or_path, str) else name_or_path
        wanted = tuple(ITEM if isinstance(p, int) or str(p).isdigit() else str(p) for p in parts)
        return next((f for f in walk(self.fields) if tuple(map(str, f.path)) == wanted), None)


def walk(fields) -> typing.Iterator[FormField]:
    """Every field, depth first, children after their parent."""
    for field in fields:
        yield field
        yield from walk(field.children)


class UnknownKind(SitrepError):
    """A form was asked for a kind of entry the store does not have."""


def form_for(kind: str) -> Form:
    """The form of one kind of entry (a top-level key of a store file: "sources", "incidents"...)."""
    if kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        raise UnknownKind(f"there is no form for '{kind}'; expected one of: {', '.join(KINDS)}"
                          + (f" ({hint})" if hint else ""))
    return _form(kind, tuple(KINDS.items()))


@functools.cache
def _form(kind: str, models: tuple) -> Form:
    """form_for's work, once for each state of the schema (`models`: KINDS as it is now)."""
    refs = reference_fields()
    return Form(kind, tuple(_model_fields(dict(models)[kind], (), refs.get(kind, {}))))


def written_order(model: type[BaseModel]) -> list[str]:
    """The order a person writes a model's keys in, as the store's files do. pydantic lists
    inherited fields first: a figure's value, low, high and qualifier (Amount's) before its id.
    An entry that inherits an amount and has a date of its own is written what, where, when, then
    the amount (a figure: id, metric, place, as_of, value, low, high, qualifier, unit, note, ...);
    any other model in pydantic's order (an amount's value before its qualifier). Forms show
    fields in this order, and a new entry is written in it."""
    fields = list(model.model_fields)
    own = [key for key in fields if key in model.__dict__.get("__annotations__", {})]
    dated = [i for i, key in enumerate(own) if _unwrap(model.model_fields[key].annotation)[0] is FuzzyDate]
    if not dated or len(own) == len(fields):
        return fields
    inherited = [key for key in fields if key not in own]
    return own[:dated[0] + 1] + inherited + own[dated[0] + 1:]


def _model_fields(model: type[BaseModel], prefix: tuple, refs: dict) -> typing.Iterator[FormField]:
    for key in written_order(model):
        info = model.model_fields[key]
        default = None if info.default is PydanticUndefined else info.default
        help_text = info.description or _comments(model).get(key, "") or STORE_MANUAL_HELP.get(key, "")
        yield _field(info.annotation, list(info.metadata), prefix + (key,), refs, required=info.is_required(),
                     default=default, help_text=help_text)


def _field(annotation, metadata: list, path: tuple, refs: dict, *, required: bool, default=None,
           help_text: str = "") -> FormField:
    base, more = _unwrap(annotation)
    metadata = metadata + more
    help_text = help_text or next((m.json_schema.get("description", "") for m in metadata
                                   if isinstance(m, WithJsonSchema) and m.json_schema), "")
    make = functools.partial(FormField, path=path, name=".".join(map(str, path)), label=_label(path),
                             required=required, help=help_text, default=default)
    origin = typing.get_origin(base)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return make(widget="group", children=tuple(_model_fields(base, path, refs)),
                    help=help_text or _docstring(base))
    if base is LocalText:
        return make(widget="local-text")
    if base is FuzzyDate:
        return make(widget="fuzzy-date")
    if origin is Literal:
        # The one field that decides what a public edition may print is a flag, not a choice among others.
        widget = "flag" if base == schema.Sensitivity else "choice"
        return make(widget=widget, choices=typing.get_args(base))
    if origin is list:
        item = _field(typing.get_args(base)[0], [], path + (ITEM,), refs, required=True)
        children = item.children if item.widget == "group" else (item,)
        return make(widget="list", children=children, help=help_text or item.help)
    if origin is dict:
        # A mapping with keys of the writer's choosing (`names: {ar: ...}`): edited as key/value items.
        key = FormField(path + (ITEM, "key"), ".".join(map(str, path + (ITEM, "key"))), "key", "text", True)
        value = _field(typing.get_args(base)[1], [], path + (ITEM, "value"), refs, required=True)
        return make(widget="list", shape="mapping", children=(key, value))
    if origin is tuple:
        return make(widget="text", shape="pair", help=help_text or "numbers separated by a comma")
    if refs.get(path):
        return make(widget="reference", refers_to=refs[path])
    if base is float:
        return make(widget="number")
    if base is int:
        return make(widget="integer")
    return make(widget="text")


def _unwrap(annotation) -> tuple[object, list]:
    """The type under Optional[...] and Annotated[...], and the Annotated metadata met on the way."""
    metadata: list = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *more = typing.get_args(annotation)
            metadata += more
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, metadata
            annotation = args[0]
        else:
            return annotation, metadata


def _label(path: tuple) -> str:
    last = next((p for p in reversed(path) if p != ITEM), "")
    return str(last).replace("_", " ")


def _docstring(model: type[BaseModel]) -> str:
    own = model.__dict__.get("__doc__") or ""
    return " ".join(own.split())


# --- Help: the comment beside each field in schema.py ------------------------------------------
# The schema says what its fields mean in comments (schema.py is at its line limit: moving them
# into Field(description=...) would push it over). A description, when a field has one, wins;
# for the fields schema.py says nothing of, the manual's words (docs/store.md).

STORE_MANUAL_HELP = {
    "id": "lowercase letters, digits, '-', '_' or '.', unique across the whole store",
    "reliability": "Admiralty A–F: A completely reliable, B usually reliable, C fairly reliable, "
                   "D not usually reliable, E unreliable, F cannot be judged",
    "sensitivity": "restricted: left out of every public edition (a restricted source: a public edition "
                   "prints only its public name)",
    "qualifier": "how to read the number: exact (the default), about, at least, at most, more than, less than",
    "value": "the number reported; or low and high for a range",
    "low": "the low end of a range reported",
    "high": "the high end of a range reported",
    "url": "the address of the report itself: http:// or https://",
    "week": "the week the words are for: YYYY-Www, such as 2016-W26",
    "summary": "in your own words",
    "status": "alleged, corroborated or verified",
    "cited": "who reported it: one or more citations, each a source id",
}

def _comments(model: type[BaseModel]) -> dict[str, str]:
    found: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel):
            found.update(_class_comments(klass))
    return found


def _class_comments(klass: type) -> dict[str, str]:
    try:
        return _module_comments(inspect.getsourcefile(klass)).get(klass.__qualname__, {})
    except TypeError:  # a class made at run time has no source
        return {}


@functools.cache
def _module_comments(source_file: str | None) -> dict[str, dict[str, str]]:
    if not source_file:
        return {}
    text = Path(source_file).read_text(encoding="utf-8")
    trailing = {token.start[0]: token.string.lstrip("# ").strip()
                for token in tokenize.generate_tokens(io.StringIO(text).readline) if token.type == tokenize.COMMENT}
    comments: dict[str, dict[str, str]] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            comments[node.name] = {item.target.id: trailing[item.end_lineno] for item in node.body
                                   if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                                   and item.end_lineno in trailing}
    return comments


# --- Which fields hold another entry's id --------------------------------------------------------

def reference_fields() -> dict[str, dict[tuple, str]]:
    """kind -> {field path: the kind it refers to}, from checks.references run over a probe entry of
    each kind whose every field is filled (every optional one, one item in every list)."""
    store = Store(root=Path("."))
    kind_of = {}
    for kind, model in KINDS.items():
        probe = _probe(model)
        store.kind(kind)[f"probe-{kind}"] = probe
        kind_of[id(probe)] = kind
    found: dict[str, dict[tuple, str]] = {}
    for entry, fields, _, target in references(store):
        path = tuple(ITEM if isinstance(p, int) else p for p in fields)
        found.setdefault(kind_of[id(entry)], {})[path] = target
    return found


def _probe(model: type[BaseModel]) -> BaseModel:
    values = {key: _probe_value(info.annotation) for key, info in model.model_fields.items()}
    return model.model_construct(**values)


def _probe_value(annotation):
    base, _ = _unwrap(annotation)
    origin = typing.get_origin(base)
    if isinstance(base, type) and issubclass(base, BaseModel):
        return _probe(base)
    if origin is list:
        return [_probe_value(typing.get_args(base)[0])]
    if origin is Literal:
        return typing.get_args(base)[0]
    if origin is dict:
        return {}
    if base is LocalText:
        return LocalText("probe")
    if base in (int, float):
        return 0
    return None if base is FuzzyDate or origin is tuple else "probe"
