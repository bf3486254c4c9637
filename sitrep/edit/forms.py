"""An entry's form as HTML, rendered on the server from the fields formfields.py reads off the
schema: every widget, each problem beside its field, pickers of sources (with their grades),
places and actors (by name or alias), fuzzy dates explained in words, translations beside their
original with their staleness, and the restricted flag marked on the whole form. No script:
lists grow and shrink by submit buttons (`_add`, `_remove`, formdata.list_action).

The templates are templates/editor/, rendered by an environment of their own (autoescaped,
strict about undefined names), never the reports' sandbox: the editor's pages are not a report.
"""

from __future__ import annotations

import functools
from pathlib import Path
from dataclasses import dataclass, field as dataclass_field

import jinja2

from sitrep.edit.formdata import WRITTEN, FormProblems, data_from_form, form_values, is_item_field, list_action
from sitrep.edit.formfields import Form, FormField, form_for, walk
from sitrep.language import fingerprint
from sitrep.source.config import EDITOR_PAGES, builtin_templates_dir
from sitrep.source.dates import format_day, format_fuzzy, known_day, parse_fuzzy_date
from sitrep.source.entries import Store

# The editor's one front door to its forms (the server imports this module only), the fields and
# the posted data included.
__all__ = ["Form", "FormField", "FormProblems", "Pickers", "data_from_form", "explain_fuzzy_date", "field_id", "form_for", "form_values",
           "list_action", "render_form"]

TOKEN_INPUT = "_token"  # the session's token (CSRF), which every write carries
DIGEST_INPUT = "_digest"  # the SHA-256 of the file as the form was opened: a later change is a conflict
NEW_SOURCE_URL = "/new/sources"


@dataclass(frozen=True)
class Pickers:
    """What a reference field offers to pick from: each source with its grade and whether it is
    restricted, each place and actor with the other names it is found by."""

    sources: tuple = ()  # (id, name, reliability, restricted)
    places: tuple = ()  # (id, name, aliases)
    actors: tuple = ()  # (id, name, aliases)

    @classmethod
    def from_store(cls, store: Store) -> "Pickers":
        return cls(
            tuple((s.id, str(s.name), s.reliability, s.sensitivity == "restricted") for s in store.sources.values()),
            tuple((p.id, p.name, tuple(p.aliases)) for p in store.places.values()),
            tuple((a.id, a.name, tuple(a.aliases)) for a in store.actors.values()))

    def options(self, kind: str) -> list[tuple[str, str]]:
        """(id, what the list shows) for a datalist: "news-roundup-2016-06 — Fox News (B)"."""
        if kind == "sources":
            return [(id_, f"{id_} — {name} ({grade})" + (" — restricted" if restricted else ""))
                    for id_, name, grade, restricted in self.sources]
        named = self.places if kind == "places" else self.actors if kind == "actors" else ()
        return [(id_, f"{id_} — {name}" + (f" (also: {', '.join(aliases)})" if aliases else ""))
                for id_, name, aliases in named]

    def described(self, kind: str, entry_id: str) -> str:
        """What a reference's value names, said beside it: "Fox News, graded B", "Fallujah"."""
        for id_, name, grade, restricted in self.sources if kind == "sources" else ():
            if id_ == entry_id:
                return f"{name}, graded {grade}" + (
                    "; restricted: a public edition prints only its public name" if restricted else "")
        named = self.places if kind == "places" else self.actors if kind == "actors" else ()
        return next((name for id_, name, _ in named if id_ == entry_id), "")


def field_id(name: str) -> str:
    """The HTML id of a field's input (its container: the element with it, or `<id>-set` for a
    translatable text), for a field's name ("cited.0.source" -> "f-cited-0-source"): the desk
    links to it, the page's script puts a live problem beside it."""
    return "f-" + name.replace(".", "-").replace("@", "-")


def explain_fuzzy_date(text: str) -> str:
    """A store date in words, and the day it makes a fact known without a dated citation:
    "June 2016 — the whole month: known on 30 June 2016 at the latest". A date that is not one
    is explained by what is wrong with it."""
    try:
        date = parse_fuzzy_date(str(text).strip())
    except ValueError as exc:
        return str(exc)
    meaning = {"day": "that day", "week": "some day of that week, Monday to Sunday",
               "month": "the whole month", "year": "the whole year", "span": "some time in that span"}[date.precision]
    if date.precision == "day":
        return f"{format_fuzzy(date)} — {meaning}: known on that day at the latest"
    return f"{format_fuzzy(date)} — {meaning}: known on {format_day(known_day(date, None))} at the latest"


# --- The form's fields bound to one entry ----------------------------------------------------------

@dataclass
class Bound:
    """One field of the form as shown: its input's name and id, the value, its problems, and
    its items (a list), children (a group) or translations (a translatable text)."""

    field: FormField
    name: str
    value: str = ""
    problems: list = dataclass_field(default_factory=list)
    children: list = dataclass_field(default_factory=list)
    items: list = dataclass_field(default_factory=list)  # (item name, label, [Bound]) of a list
    language: str = ""  # a translatable text's original language ("" the store's)
    translations: list = dataclass_field(default_factory=list)  # (index, language, text, made from, stale)
    written: bool = False  # the entry wrote this field (formdata.WRITTEN)
    note: str = ""  # said beside the value: a date in words, a restricted source
    fingerprint: str = ""  # a translatable text's original's: what a translation made now records
    given: bool = False  # the entry gives this value (not a default shown)

    def filled(self) -> bool:
        """Whether the entry gives anything here, or a problem is here: an optional group that is
        neither is shown folded, so that an incident's form is not mostly empty amounts."""
        return bool(self.given or self.problems or any(b.filled() for b in self.children)
                    or self.items or any(text for _, _, text, _, _ in self.translations))

    @property
    def id(self) -> str:
        return field_id(self.name)

    def described_by(self) -> str:
        ids = [self.id + "-help"] if self.field.help else []
        ids += [self.id + "-note"] if self.note else []
        return " ".join(ids + ([self.id + "-problems"] if self.problems else []))


class _Binder:
    def __init__(self, values: dict[str, str], pickers: Pickers):
        self.values = values
        self.pickers = pickers
        self.all: dict[str, Bound] = {}

    def fields(self, fields, data, indexes: tuple) -> list[Bound]:
        return [self.one(field, data.get(field.path[-1]) if isinstance(data, dict) else None, field.named(*indexes),
                         indexes) for field in fields]

    def one(self, field: FormField, value, name: str, indexes: tuple) -> Bound:
        bound = Bound(field, name, written=self.values.get(name + WRITTEN) == "1")
        self.all[name] = bound
        if field.widget == "group":
            bound.children = self.fields(field.children, value or {}, indexes)
        elif field.widget == "list":
            self._items(bound, value, indexes)
        elif field.widget == "local-text":
            self._local_text(bound)
        else:
            bound.value = self.values.get(name, "" if value is None else str(value))
            if field.default is not None and value is None and not bound.value:
                bound.value = str(field.default)  # what the entry means without the field
            if field.widget == "fuzzy-date" and bound.value:
                bound.note = explain_fuzzy_date(bound.value)
            if field.refers_to and bound.value:
                bound.note = self.pickers.described(field.refers_to, bound.value)
            bound.given = name in self.values
        return bound

    def _items(self, bound: Bound, value, indexes: tuple) -> None:
        field = bound.field
        items = list(value.items()) if isinstance(value, dict) else value if isinstance(value, list) else []
        for i, item in enumerate(items):
            item_name, label = f"{bound.name}.{i}", f"{field.label} {i + 1}"
            if field.shape == "mapping":
                key, val = item
                children = [self.one(field.children[0], key, f"{item_name}.key", indexes + (i,)),
                            self.one(field.children[1], val, f"{item_name}.value", indexes + (i,))]
            elif is_item_field(field):
                children = [self.one(field.children[0], item, item_name, indexes + (i,))]
            else:
                children = self.fields(field.children, item, indexes + (i,))
            bound.items.append((item_name, label, children))

    def _local_text(self, bound: Bound) -> None:
        name, values = bound.name, self.values
        bound.value, bound.language = values.get(name, ""), values.get(name + "._lang", "")
        bound.given = bool(bound.value)
        current = fingerprint(bound.value)
        i = 0
        while f"{name}._tr.{i}.lang" in values or f"{name}._tr.{i}.text" in values:
            made_from = values.get(f"{name}._tr.{i}.from", "")
            bound.translations.append((i, values.get(f"{name}._tr.{i}.lang", ""), values.get(f"{name}._tr.{i}.text", ""),
                                       made_from, bool(made_from) and made_from != current))
            i += 1
        bound.translations.append((i, "", "", "", False))  # a row for a new translation
        bound.fingerprint = current

    def attach(self, problems: dict[str, list[str]]) -> list[str]:
        """Put each problem on its field, or the nearest field holding it ("summary.fr@1a2b3c4d"
        on summary); the rest, for the top of the form."""
        top = []
        for name, messages in problems.items():
            holder = name
            while holder and holder not in self.all:
                holder = holder.rpartition(".")[0]
            if holder:
                self.all[holder].problems.extend(messages)
            else:
                top.extend(messages)
        return top


@functools.cache
def editor_pages() -> Path:
    """The folder of sitrep edit's own pages, the forms' and the server's (templates/editor/)."""
    return builtin_templates_dir() / EDITOR_PAGES


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(editor_pages()),
                              autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_form(kind: str, data: dict, *, problems: dict[str, list[str]] | None = None, pickers: Pickers | None = None,
                token: str, digest: str, action: str) -> str:
    """The HTML form of one entry of `kind` showing `data` (entry data, or FormProblems.data),
    with `problems` by input name beside their fields (those of no field at the top)."""
    form = form_for(kind)
    pickers = pickers or Pickers()
    binder = _Binder(form_values(kind, data), pickers)
    bound = binder.fields(form.fields, data, ())
    top = binder.attach(problems or {})
    referred = sorted({f.refers_to for f in walk(form.fields) if f.refers_to})
    return _environment().get_template("form.html").render(
        kind=kind, fields=bound, top_problems=top, token=token, digest=digest, action=action,
        restricted=data.get("sensitivity") == "restricted", token_input=TOKEN_INPUT, digest_input=DIGEST_INPUT,
        datalists=[(kind_, pickers.options(kind_)) for kind_ in referred if pickers.options(kind_)],
        new_source_url=NEW_SOURCE_URL)

