"""The typed shape of every kind of entry in the store (one pydantic model per kind).

Shape and types live here; meaning (references between entries, ranges, duplicate ids) is
checked in `store.py`, where every value's line is known.
"""

from __future__ import annotations

import functools
import re
import typing
from typing import Annotated, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic.json_schema import models_json_schema

from sitrep.errors import describe_value, did_you_mean, excerpt
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import FUZZY_DATE_PATTERN, FuzzyDate, parse_fuzzy_date


def _literal(codes):
    return Literal[tuple(codes)]  # type: ignore[valid-type]


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"found {describe_value(value)}; expected a number")
    return value


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
# Narrative text refers to a dated entry as [[entry-id]]: the report prints the figure with its
# qualifier and citations, or the entry's citations (report/prose.py).
NARRATIVE_REFERENCE = re.compile(r"\[\[\s*([a-z0-9][a-z0-9._-]*)\s*\]\]")
# Narrative words between backticks state no claim: '`24` hours', 'Route `10`'. A number in them
# needs no source, and the report prints the words without the backticks (source/narrativenumbers.py).
NOT_A_CLAIM = re.compile(r"`([^`\n]+)`")
Text = Annotated[str, Field(min_length=1, pattern=r"\S")]  # not empty, and not only spaces


# --- Text in several languages -----------------------------------------------------------------
# A free-text field is written in the store's language, or as a mapping from language to text:
# the first key is the original; each translation's key may record the fingerprint of the
# original it was made from, `fr@1a2b3c4d` (docs/languages.md, "Translations"), so that `sitrep check`
# knows a translation made before its original last changed.
LANGUAGE_KEY = re.compile(r"^([a-z]{2,3}(?:-[A-Z]{2})?)(?:@([0-9a-f]{8}))?$")


class LocalText(str):
    """A text as the store gives it: the original (this string itself, so that every check
    and message reads it as before), its language (None: the store's language, config.yaml's
    `store_language`), and its translations by language: (text, fingerprint made from or None)."""

    language: str | None
    translations: dict[str, tuple[str, str | None]]

    def __new__(cls, original: str, language: str | None = None,
                translations: dict[str, tuple[str, str | None]] | None = None):
        text = super().__new__(cls, original)
        text.language = language
        text.translations = translations or {}
        return text

    def __reduce__(self):  # pickled (the store cache) with its translations
        return (LocalText, (str(self), self.language, self.translations))

    def __repr__(self) -> str:  # an entry's repr is its digest (publish/archive.py): every translation counts
        if self.language is None and not self.translations:
            return str.__repr__(self)
        return f"LocalText({str.__repr__(self)}, {self.language!r}, {self.translations!r})"

    def variants(self) -> Iterator[tuple[tuple, str]]:
        """(where, text) of the original, then of each translation: where is () for a plain
        string, else the key in the YAML mapping, ('en',), ('fr@1a2b3c4d',)."""
        yield ((self.language,) if self.language else ()), str(self)
        for language, (text, made_from) in self.translations.items():
            yield (f"{language}@{made_from}" if made_from else language,), text


def _local_text(value: object) -> LocalText:
    if isinstance(value, LocalText):
        return value
    if isinstance(value, str):
        return LocalText(_text(value))
    if not isinstance(value, dict) or not value:
        raise ValueError(f"found {describe_value(value)}; expected text, or a mapping of language to text")
    keys = list(value)
    parsed = []
    for key in keys:
        match = LANGUAGE_KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(f"'{excerpt(key)}' is not a language; expected a language code such as en, ar or fr, "
                             "a translation's optionally followed by @ and the fingerprint of its original (fr@1a2b3c4d)")
        parsed.append((match[1], match[2]))
    (original_language, recorded), *_ = parsed
    if recorded:
        raise ValueError(f"the first language, '{excerpt(keys[0])}', is the original, which is not made from "
                         f"another; expected '{original_language}'")
    seen = [language for language, _ in parsed]
    repeated = next((language for language in seen if seen.count(language) > 1), None)
    if repeated:
        raise ValueError(f"'{repeated}' is given twice; expected one text per language")
    texts = {}
    for key, (language, made_from) in zip(keys, parsed):
        item = value[key]
        if not isinstance(item, str):
            raise ValueError(f"{key}: found {describe_value(item)}; expected text")
        texts[language] = (_text(item, key), made_from)
    original, _ = texts.pop(original_language)
    return LocalText(original, original_language, texts)


def _text(value: str, key: str | None = None) -> str:
    if not value.strip():
        raise ValueError(f"{key + ' ' if key else ''}is blank; expected some text")
    return value


LocalizedText = Annotated[
    LocalText,
    PlainValidator(_local_text),
    WithJsonSchema({"anyOf": [
        {"type": "string", "minLength": 1, "pattern": r"\S"},
        {"type": "object", "minProperties": 1,
         "patternProperties": {LANGUAGE_KEY.pattern: {"type": "string", "minLength": 1, "pattern": r"\S"}},
         "additionalProperties": False,
         "description": "the text by language: the first is the original; a translation's key may record "
                        "the fingerprint of the original it was made from (fr@1a2b3c4d)"},
    ]}),
]
Date = Annotated[
    FuzzyDate,
    PlainValidator(parse_fuzzy_date),
    PlainSerializer(lambda date: date.text, when_used="json"),  # as written (the bulk store's JSON)
    WithJsonSchema({"type": "string", "pattern": FUZZY_DATE_PATTERN,
                    "description": "YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY or START/END"}),
]
Number = Annotated[float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
Count = Annotated[int, Field(ge=0, strict=True)]
Sensitivity = Literal["public", "restricted"]
Qualifier = _literal(vocab.QUALIFIERS)


class Model(BaseModel):
    # defer_build: validators built on first use, not on import (a store read from its cache needs few)
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, arbitrary_types_allowed=True, defer_build=True)


list_of = functools.cache(lambda model: TypeAdapter(list[model]))  # a list of `model`'s validator, built on first use


class Citation(Model):
    """Who reported a fact, and how far the report can be trusted."""

    source: Id
    via: Optional[Id] = None  # the outlet that carried the source's words, if not the source itself
    date: Optional[Date] = None
    url: Optional[Annotated[str, Field(pattern=r"^https?://\S+$")]] = None
    credibility: Optional[Annotated[int, Field(ge=1, le=6)]] = None  # Admiralty 1-6
    note: Optional[LocalizedText] = None


Cited = Annotated[list[Citation], Field(min_length=1)]


class Amount(Model):
    """A reported number: one value or a low-high range, and how to read it."""

    value: Optional[Number] = None
    low: Optional[Number] = None
    high: Optional[Number] = None
    qualifier: Qualifier = "exact"


class Quantity(Amount):
    unit: _literal(vocab.UNITS)


class Source(Model):
    id: Id
    name: LocalizedText
    kind: _literal(vocab.SOURCE_KINDS)
    reliability: Literal["A", "B", "C", "D", "E", "F"]
    url: Optional[Annotated[str, Field(pattern=r"^https?://\S+$")]] = None
    description: Optional[LocalizedText] = None
    sensitivity: Sensitivity = "public"
    public_name: Optional[LocalizedText] = None  # what a public edition prints for a restricted source


class Place(Model):
    id: Id
    name: Text
    names: dict[str, Text] = {}  # language code -> name, e.g. {ar: الفلوجة}
    kind: _literal(vocab.PLACE_KINDS)
    parent: Optional[Id] = None
    lat: Optional[Annotated[float, PlainValidator(_number), Field(ge=-90, le=90)]] = None
    lon: Optional[Annotated[float, PlainValidator(_number), Field(ge=-180, le=180)]] = None
    pcode: Optional[Text] = None
    aliases: list[Text] = []  # other spellings, datasets' names (ACLED's, DTM's), other P-codes
    notes: Optional[LocalizedText] = None


class Actor(Model):
    id: Id
    name: Text
    names: dict[str, Text] = {}
    kind: _literal(vocab.ACTOR_KINDS)
    aliases: list[Text] = []
    part_of: Optional[Id] = None
    notes: Optional[LocalizedText] = None


class Imported(Model):
    """Where an imported entry came from (`sitrep import`): the dataset, the row's own id in it,
    the import file's name and SHA-256, the day it was imported, and (ACLED) the row's
    `timestamp`, which says whether a later file updates it."""

    dataset: Literal["acled", "dtm", "hapi"]
    record: Text  # ACLED's event_id_cnty; DTM's place code and reporting date
    file: Text
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    on: Date
    timestamp: Optional[Annotated[int, Field(ge=0, strict=True)]] = None
    format: Optional[Text] = None  # the dataset's file format the row came in, as the import named it
    assumptions: list[Text] = []  # what the import assumed of this row, in words (none is silent)
    set_aside: list[Text] = []  # other rows of the file reporting the same thing, not counted, and why


class Figure(Amount):
    id: Id
    metric: _literal(vocab.METRICS)
    place: Id
    as_of: Date
    unit: _literal(vocab.UNITS)
    note: Optional[LocalizedText] = None
    cited: Cited
    sensitivity: Sensitivity = "public"
    imported: Optional[Imported] = None  # set by `sitrep import` on the rows it brings


class Victims(Model):
    killed: Optional[Amount] = None
    injured: Optional[Amount] = None
    affected: Optional[Amount] = None
    fatalities: Optional[Amount] = None  # deaths of any party, civilian status not coded (imported)
    description: Optional[LocalizedText] = None


class Incident(Model):
    id: Id
    type: _literal(vocab.INCIDENT_TYPES)
    date: Date
    place: Id
    perpetrator: Optional[Id] = None  # an actor id
    victims: Optional[Victims] = None
    duration: Optional[Quantity] = None  # how long it had been going on when reported
    status: _literal(vocab.INCIDENT_STATUSES)
    summary: LocalizedText
    cited: Cited
    sensitivity: Sensitivity = "public"
    imported: Optional[Imported] = None  # set by `sitrep import` on the rows it brings


class RouteUpdate(Model):
    as_of: Date
    status: _literal(vocab.ROUTE_STATUSES)
    hazards: list[_literal(vocab.HAZARDS)] = []
    controlled_by: list[Id] = []  # actor ids
    summary: Optional[LocalizedText] = None
    cited: Cited


class Route(Model):
    id: Id
    name: Optional[LocalizedText] = None
    origin: Id
    destination: Id
    via: list[Id] = []
    updates: Annotated[list[RouteUpdate], Field(min_length=1)]
    sensitivity: Sensitivity = "public"


def _position(value: object) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"found {describe_value(value)}; expected a position [latitude, longitude] such as [33.35, 43.78]")
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"[{lat:g}, {lon:g}] is out of range; expected [latitude, longitude], latitude first")
    return lat, lon


Position = Annotated[tuple[float, float], PlainValidator(_position),
                     WithJsonSchema({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2})]


class AreaUpdate(Model):
    """The area as one report gave it: its outline (or front line), and who held it."""

    as_of: Date
    controlled_by: list[Id] = []  # actor ids; none: contested, or not reported
    outline: Optional[Annotated[list[Position], Field(min_length=2)]] = None  # [lat, lon] points, in order
    file: Optional[Text] = None  # or a GeoJSON file in the store folder holding the outline
    summary: Optional[LocalizedText] = None
    cited: Cited


class Area(Model):
    """An area of control, or a front line, as dated reports drew it (docs/map.md, "Areas of control")."""

    id: Id
    name: LocalizedText
    shape: Literal["area", "front_line"] = "area"
    updates: Annotated[list[AreaUpdate], Field(min_length=1)]
    sensitivity: Sensitivity = "public"


class Movement(Model):
    id: Id
    period: Date
    origin: Id
    destination: Id
    route: Optional[Id] = None
    count: Optional[Amount] = None  # omit when no count was reported
    unit: _literal(vocab.UNITS) = "people"
    summary: LocalizedText
    cited: Cited
    sensitivity: Sensitivity = "public"


class Narrative(Model):
    id: Id
    week: Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$")]
    section: _literal(vocab.NARRATIVE_SECTIONS)
    text: Optional[LocalizedText] = None  # paragraphs, separated by a blank line
    items: list[LocalizedText] = []  # bullet points (highlights)
    author: Optional[Text] = None
    sensitivity: Sensitivity = "public"


# The top-level keys of a store file, in the order the manual (docs/store.md) documents them.
KINDS: dict[str, type[Model]] = {
    "sources": Source,
    "places": Place,
    "actors": Actor,
    "figures": Figure,
    "incidents": Incident,
    "routes": Route,
    "areas": Area,
    "movements": Movement,
    "narrative": Narrative,
}

# One entry of each kind, as messages and commands name it: "1 route", `sitrep new route`.
KIND_SINGULAR: dict[str, str] = {"sources": "source", "places": "place", "actors": "actor", "figures": "figure",
                                 "incidents": "incident", "routes": "route", "areas": "area", "movements": "movement",
                                 "narrative": "narrative"}


def count_of(n: int, kind: str) -> str:
    """'1 route', '2 routes', '3 narrative'."""
    return f"{n} {KIND_SINGULAR[kind] if n == 1 else kind}"


# --- Turning pydantic's errors into messages an analyst can act on ---------------------------

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def explain_error(error: dict, model: type[BaseModel]) -> tuple[str, str, str, tuple]:
    """(message, expected, hint, loc) for one pydantic error on `model`.

    `loc` is where the message should point: the unknown key itself, the missing field's
    parent, the bad value.
    """
    loc = tuple(error["loc"])
    kind = error["type"]
    # Every value from the file is quoted through excerpt(); so are keys (of `names:`, say).
    field = ".".join(excerpt(p) for p in loc if not isinstance(p, int)) or "entry"
    value = error.get("input")
    quoted = excerpt(value)
    if kind == "extra_forbidden":
        allowed = sorted(_model_at(model, loc[:-1]).model_fields)
        return (f"unknown key '{excerpt(loc[-1])}'", "one of: " + ", ".join(allowed), did_you_mean(loc[-1], allowed), loc)
    if kind == "missing":
        return (f"missing required field '{field}'", "", "", loc[:-1])
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip("'") for c in _split_choices(expected)]
        return (f"{field}: '{quoted}' is not one of the allowed values", "one of: " + ", ".join(choices),
                did_you_mean(value, choices), loc)
    if kind in _TYPE_NAMES:
        return (f"{field}: found {describe_value(value)}", _TYPE_NAMES[kind], "", loc)
    if kind == "string_pattern_mismatch":
        if error.get("ctx", {}).get("pattern") == r"\S":
            return (f"{field} is blank", "some text", "", loc)
        if field.endswith("email"):
            return (f"{field}: '{quoted}' is not an e-mail address", "an address such as name@example.org", "", loc)
        if field.endswith("phone"):
            return (f"{field}: '{quoted}' is not a phone number", "digits, spaces and + ( ) - ., such as +964 770 000 0000",
                    "", loc)
        if field.endswith("url"):
            return (f"{field}: '{quoted}' is not a web address", "http:// or https:// followed by the address", "", loc)
        if field == "week":
            return (f"week: '{quoted}' is not an ISO week", "YYYY-Www, such as 2016-W23", "", loc)
        if field in ("language", "languages", "store_language"):
            return (f"{field}: '{quoted}' is not a language code", "a code such as en, ar or fr-FR", "", loc)
        if field == "region":
            return (f"region: '{quoted}' is not a country code", "two capital letters, such as IQ", "", loc)
        if field == "file_stem":
            return (f"file_stem: '{quoted}' cannot be used in a file name",
                    "letters, digits, '.', '_' or '-', no spaces, starting with a letter or digit", "", loc)
        return (f"{field}: '{quoted}' is not a valid id",
                "lowercase letters, digits, '-', '_' or '.', starting with a letter or digit", "", loc)
    if kind == "string_too_short":
        return (f"{field} is empty", "some text", "", loc)
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length", "")
        return (f"{field} is {len(value)} characters long", f"at most {limit} characters", "", loc)
    if kind == "too_short":
        return (f"{field} is an empty list", "at least one item", "", loc)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": "at least", "less_than_equal": "at most",
                 "greater_than": "more than", "less_than": "less than"}[kind]
        limit = next(iter(error.get("ctx", {}).values()), "")
        return (f"{field}: {quoted} is out of range", f"a number {bound} {limit}", "", loc)
    if kind == "value_error":
        # Our own validators' words (dates, numbers): 'what is wrong; expected what'.
        message, _, expected = str(error.get("ctx", {}).get("error", error["msg"])).partition("; expected ")
        if message == "is blank":  # 'note is blank'
            return (f"{field} {message}", expected, "", loc)
        return (f"{field}: {message}", expected, "", loc)
    return (f"{field}: {error['msg']}", "", "", loc)


def _split_choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected) or [expected]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The model class that the path `loc` inside `model` points into."""
    current: type[BaseModel] = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            break
        stack = [info.annotation]
        found = None
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                found = ann
                break
            stack.extend(typing.get_args(ann))
        if found is None:
            break
        current = found
    return current


# --- JSON Schema for editors -------------------------------------------------------------------

SCHEMA_FILE_NAME = "sitrep.schema.json"


def store_json_schema() -> dict:
    """The JSON Schema of one store file: the same models that `sitrep check` validates with,
    for editors (the YAML language server) to autocomplete and underline as analysts type."""
    refs, schema = models_json_schema([(model, "validation") for model in KINDS.values()],
                                      ref_template="#/$defs/{model}")
    properties = {}
    for kind, model in KINDS.items():
        properties[kind] = {
            "description": f"A list of {kind} entries.",
            "type": ["array", "null"],
            "items": refs[(model, "validation")],
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sitrep fact store file",
        "description": "One YAML file of a sitrep fact store. Generated by `sitrep schema`; do not edit.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": properties,
        "$defs": schema["$defs"],
    }
