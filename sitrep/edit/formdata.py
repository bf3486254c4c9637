"""An entry's data as a browser posts it, and back: `form_values` flattens an entry into the
name -> text map its form would post, `data_from_form` reads such a map back into entry data
(typed, in the schema's key order), and `list_action` adds or removes a list's item for the
form's "add"/"remove" buttons, which work without JavaScript.

Posted names, beside a field's own ("cited.0.source", formfields.py):
- `NAME._written`: the entry wrote this field, so a value equal to the schema's default
  (`sensitivity: public`) stays written; otherwise such a value is left out, as a person would;
- a translatable text: `NAME` the original, `NAME._lang` its language (empty: the store's
  language, a plain string), `NAME._tr.N.lang`, `.text`, `.from` (the fingerprint of the original
  the translation was made from) and `.current` (ticked: made from the original as it is now).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sitrep.errors import SitrepError, excerpt
from sitrep.edit.formfields import ITEM, FormField, form_for
from sitrep.language import fingerprint

WRITTEN = "._written"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 30,000 as people write it


class FormProblems(SitrepError):
    """What a posted form holds that cannot be entry data (a word in a number field): `problems`
    by input name, and `data`, the entry as far as it could be read, each unreadable value kept
    as the text typed, for the form to show again beside its problem."""

    def __init__(self, problems: dict[str, list[str]], data: dict):
        super().__init__("; ".join(f"{name}: {message}" for name, messages in problems.items() for message in messages))
        self.field_problems = problems
        self.data = data


# --- entry -> posted names -----------------------------------------------------------------------

def form_values(kind: str, data: dict) -> dict[str, str]:
    """The flat name -> value map a browser posts for the form showing `data`."""
    values: dict[str, str] = {}
    _flatten(form_for(kind).fields, data, (), values)
    return values


def _flatten(fields, data: dict, indexes: tuple, out: dict) -> None:
    for field in fields:
        key = field.path[-1]
        if not isinstance(data, dict) or key not in data:
            continue
        name = field.named(*indexes)
        if field.default is not None:
            out[name + WRITTEN] = "1"
        _flatten_value(field, data[key], name, indexes, out)


def _flatten_value(field: FormField, value, name: str, indexes: tuple, out: dict) -> None:
    if value is None:
        return
    if field.widget == "group":
        _flatten(field.children, value, indexes, out)
    elif field.widget == "list":
        items = list(value.items()) if field.shape == "mapping" and isinstance(value, dict) else value
        for i, item in enumerate(items if isinstance(items, list) else []):
            if field.shape == "mapping":
                out[f"{name}.{i}.key"] = str(item[0])
                _flatten_value(field.children[1], item[1], f"{name}.{i}.value", indexes + (i,), out)
            elif is_item_field(field):
                _flatten_value(field.children[0], item, f"{name}.{i}", indexes + (i,), out)
            else:
                _flatten(field.children, item, indexes + (i,), out)
    elif field.widget == "local-text":
        _flatten_local_text(value, name, out)
    elif field.shape == "pair" and isinstance(value, (list, tuple)):
        out[name] = ", ".join(_number_text(v) for v in value)
    elif field.widget in ("number", "integer"):
        out[name] = _number_text(value)
    elif isinstance(value, dt.date):
        out[name] = value.isoformat()
    else:
        out[name] = str(value)


def _flatten_local_text(value, name: str, out: dict) -> None:
    if not isinstance(value, dict):
        out[name] = str(value)
        return
    (language, original), *translations = value.items()
    out[name], out[name + "._lang"] = str(original), str(language)
    for i, (key, text) in enumerate(translations):
        language, _, made_from = str(key).partition("@")
        out[f"{name}._tr.{i}.lang"], out[f"{name}._tr.{i}.text"] = language, str(text)
        if made_from:
            out[f"{name}._tr.{i}.from"] = made_from


def _number_text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def is_item_field(field: FormField) -> bool:
    """Whether a list's items are single values (aliases, via) rather than groups of fields."""
    return field.shape != "mapping" and len(field.children) == 1 and field.children[0].path[-1] == ITEM


# --- posted names -> entry -------------------------------------------------------------------------

@dataclass
class _Reading:
    posted: dict[str, str]
    problems: dict[str, list[str]]

    def problem(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)

    def indexes(self, name: str) -> list[int]:
        """The item numbers posted under list `name`, in order (the browser's, whatever gaps a removal left)."""
        found = {int(m[1]) for key in self.posted if (m := re.match(re.escape(name) + r"\.(\d+)(?:\.|$)", key))}
        return sorted(found)


def data_from_form(kind: str, fields: dict[str, str]) -> dict:
    """The entry data a posted form says (formfields.py names each input): empty optional fields
    left out, numbers typed, list items renumbered from 0, keys in the schema's order. Checking
    the entry is `sitrep check`'s work (edit/validate.py); what cannot even be typed (a word in a
    number field) raises FormProblems, carrying each problem under its input's name."""
    reading = _Reading(dict(fields), {})
    data = _read(form_for(kind).fields, (), reading)
    if reading.problems:
        raise FormProblems(reading.problems, data)
    return data


def _read(fields, indexes: tuple, reading: _Reading) -> dict:
    data = {}
    for field in fields:
        name = field.named(*indexes)
        value = _read_value(field, name, indexes, reading)
        if value is None or value in ([], {}) and field.default is None:
            continue
        if value == field.default and not reading.posted.get(name + WRITTEN):
            continue  # the schema's default, which the entry did not write: left unwritten
        data[field.path[-1]] = value
    return data


def _read_value(field: FormField, name: str, indexes: tuple, reading: _Reading):
    if field.widget == "group":
        return _read(field.children, indexes, reading) or None
    if field.widget == "list":
        return _read_list(field, name, indexes, reading)
    if field.widget == "local-text":
        return _read_local_text(name, reading)
    text = reading.posted.get(name, "").strip()
    if not text:
        return None
    if field.shape == "pair":
        numbers = [_number(part.strip(), name, reading) for part in text.split(",")]
        if len(numbers) != 2:
            reading.problem(name, f"'{excerpt(text)}' is not two numbers; expected two numbers separated by a comma")
            return text
        return text if any(isinstance(n, str) for n in numbers) else numbers
    if field.widget == "number":
        return _number(text, name, reading)
    if field.widget == "integer":
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        reading.problem(name, f"'{excerpt(text)}' is not a whole number; expected digits only, such as 3")
        return text
    return text


def _number(text: str, name: str, reading: _Reading):
    plain = text.replace(",", "") if _THOUSANDS.match(text) else text
    if re.fullmatch(r"[+-]?\d+", plain):
        return int(plain)  # as YAML reads 30: a whole number stays one
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?|[+-]?\d+[eE][+-]?\d+", plain):
        return float(plain)
    reading.problem(name, f"'{excerpt(text)}' is not a number; expected a number such as 30, 30,000 or 2.5")
    return text


def _read_list(field: FormField, name: str, indexes: tuple, reading: _Reading):
    items = []
    for i in reading.indexes(name):
        if field.shape == "mapping":
            key = reading.posted.get(f"{name}.{i}.key", "").strip()
            value = _read_value(field.children[1], f"{name}.{i}.value", indexes + (i,), reading)
            if key or value is not None:
                items.append((key, value))
        elif is_item_field(field):
            value = _read_value(field.children[0], f"{name}.{i}", indexes + (i,), reading)
            if value is not None:
                items.append(value)
        else:
            value = _read(field.children, indexes + (i,), reading)
            if value:  # an item left empty (an "add" not filled in) is no item
                items.append(value)
    if field.shape == "mapping":
        for key, _ in items:
            if not key:
                reading.problem(name, "a value without its key; expected a key such as a language code (ar)")
        return dict(items)
    return items


def _read_local_text(name: str, reading: _Reading):
    posted = reading.posted
    original = _text_area(posted.get(name, ""))
    language = posted.get(name + "._lang", "").strip()
    translations = {}
    for i in reading.indexes(name + "._tr"):
        prefix = f"{name}._tr.{i}"
        text = _text_area(posted.get(prefix + ".text", ""))
        target = posted.get(prefix + ".lang", "").strip()
        if not text and not target:
            continue  # the empty row offered for a new translation
        if not target:
            reading.problem(prefix + ".lang", "a translation without its language; expected a code such as fr or ar")
        made_from = fingerprint(original) if posted.get(prefix + ".current") else posted.get(prefix + ".from", "").strip()
        translations[f"{target}@{made_from}" if made_from else target] = text
    if not translations and (not language or not original):
        return original or None  # a language left beside no text is no text
    if not language:
        reading.problem(name + "._lang", "a translation needs its original's language; expected a code such as en")
    return {language: original, **translations}


def _text_area(text: str) -> str:
    """A textarea's text as the store keeps it: browsers post line ends as CR LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else ""


# --- add and remove a list's item ---------------------------------------------------------------

def list_action(kind: str, data: dict, posted: dict[str, str]) -> dict:
    """`data` with the item the form's button asked for added (`_add`: the list's name, "cited" or
    "updates.0.cited") or removed (`_remove`: the item's name, "cited.1"); unchanged without one."""
    form = form_for(kind)
    if target := posted.get("_add"):
        field = form.field(target)
        if field is not None and field.widget == "list":
            empty = {} if not is_item_field(field) else ""
            return _changed(data, _key_path(target), lambda items: [*items, empty] if isinstance(items, list)
                            else {**items, "": ""} if field.shape == "mapping" else [empty])
    if target := posted.get("_remove"):
        *where, last = _key_path(target)
        field = form.field(tuple(where))
        if field is not None and field.widget == "list" and isinstance(last, int):
            return _changed(data, tuple(where), lambda items: _without(items, last))
    return data


def _without(items, index: int):
    if isinstance(items, dict):
        return {k: v for i, (k, v) in enumerate(items.items()) if i != index}
    return [item for i, item in enumerate(items or []) if i != index]


def _key_path(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def _changed(data, path: tuple, change):
    """A copy of `data` with the value at `path` replaced by change(value); the rest shared."""
    if not path:
        return change(data)
    head, *rest = path
    if isinstance(data, list) and isinstance(head, int) and head < len(data):
        return [_changed(item, tuple(rest), change) if i == head else item for i, item in enumerate(data)]
    if isinstance(data, dict) and isinstance(head, str):
        return {**data, head: _changed(data.get(head) or ([] if rest == [] else {}), tuple(rest), change)}
    return data
