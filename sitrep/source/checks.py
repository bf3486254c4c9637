"""What the schema alone cannot see, once every file of the store is loaded: references between
entries, ranges that make no sense (errors), and what is legal but worth a second look before
publishing (warnings). `store.load_store` runs them; `sitrep trace` reads `references`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from sitrep.errors import ConfigError, Problem, ProblemLog, did_you_mean
from sitrep.source.basemap import load_layer
from sitrep.source.dates import IsoWeek, format_day, known_on
from sitrep.source.provenance import grade, reported_dates
from sitrep.source.schema import (KINDS, NARRATIVE_REFERENCE, Amount, Area, Citation, Figure, LocalText, Model,
                                  Narrative, Route)

if TYPE_CHECKING:
    from sitrep.source.store import Store

CHANGE_FACTOR = 3.0  # a figure that moves by more than this factor from its last value is suspicious
LOW_RELIABILITY = ("D", "E")
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|\[\.\.\.\]|\[…\]|lorem ipsum", re.I)


# --- Cross-checks: what the schema alone cannot see ------------------------------------------

def references(store: Store) -> Iterator[tuple[Model, tuple, str, str]]:
    """Every reference one entry makes to another: (entry, field path, target id, target kind).
    The one table of what points where, for cross-checking and for `sitrep trace`."""
    def cited(entry: Model, fields: tuple, citations: Iterable[Citation]):
        for i, citation in enumerate(citations):
            yield entry, fields + (i, "source"), citation.source, "sources"
            if citation.via:
                yield entry, fields + (i, "via"), citation.via, "sources"

    def maybe(entry: Model, fields: tuple, target: str | None, kind: str):
        if target is not None:
            yield entry, fields, target, kind

    for place in store.places.values():
        yield from maybe(place, ("parent",), place.parent, "places")
    for actor in store.actors.values():
        yield from maybe(actor, ("part_of",), actor.part_of, "actors")
    for figure in store.figures.values():
        yield figure, ("place",), figure.place, "places"
        yield from cited(figure, ("cited",), figure.cited)
    for incident in store.incidents.values():
        yield incident, ("place",), incident.place, "places"
        yield from maybe(incident, ("perpetrator",), incident.perpetrator, "actors")
        yield from cited(incident, ("cited",), incident.cited)
    for route in store.routes.values():
        yield route, ("origin",), route.origin, "places"
        yield route, ("destination",), route.destination, "places"
        for i, place in enumerate(route.via):
            yield route, ("via", i), place, "places"
        for u, update in enumerate(route.updates):
            for i, actor in enumerate(update.controlled_by):
                yield route, ("updates", u, "controlled_by", i), actor, "actors"
            yield from cited(route, ("updates", u, "cited"), update.cited)
    for area in store.areas.values():
        for u, update in enumerate(area.updates):
            for i, actor in enumerate(update.controlled_by):
                yield area, ("updates", u, "controlled_by", i), actor, "actors"
            yield from cited(area, ("updates", u, "cited"), update.cited)
    for movement in store.movements.values():
        yield movement, ("origin",), movement.origin, "places"
        yield movement, ("destination",), movement.destination, "places"
        yield from maybe(movement, ("route",), movement.route, "routes")
        yield from cited(movement, ("cited",), movement.cited)


def cross_check(store: Store, log: ProblemLog) -> None:
    checker = _CrossChecker(store, log)
    for entry, fields, target, kind in references(store):
        checker.ref(entry, fields, target, kind)
        referred = store.kind(kind).get(target)
        if (getattr(entry, "sensitivity", "public") == "public" and kind != "sources"  # sources have public names
                and getattr(referred, "sensitivity", "public") == "restricted"):
            checker.error(entry, fields, f"a public {type(entry).__name__.lower()} refers to the restricted "
                                         f"{kind[:-1]} '{target}'",
                          expected=f"a public {kind[:-1]}, or this entry marked 'sensitivity: restricted' too",
                          hint="a public edition would otherwise have to name what is restricted")
    for figure in store.figures.values():
        checker.amount(figure, (), figure)
    for incident in store.incidents.values():
        if incident.victims:
            for outcome in ("killed", "injured", "affected"):
                amount = getattr(incident.victims, outcome)
                if amount is not None:
                    checker.amount(incident, ("victims", outcome), amount)
        if incident.duration:
            checker.amount(incident, ("duration",), incident.duration)
    for movement in store.movements.values():
        if movement.count:
            checker.amount(movement, ("count",), movement.count)
    for area in store.areas.values():
        _check_area_shapes(store, area, checker)
    for narrative in store.narrative.values():
        try:
            IsoWeek.parse(narrative.week)
        except ValueError as exc:
            checker.error(narrative, ("week",), str(exc))
        if not narrative.text and not narrative.items:
            checker.error(narrative, (), "a narrative entry needs its words", expected="'text:' paragraphs or 'items:' bullet points")
        else:
            _check_narrative_references(store, narrative, checker)


DATED_KINDS = ("figures", "incidents", "routes", "areas", "movements")


def _check_narrative_references(store: Store, narrative: Narrative, checker: "_CrossChecker") -> None:
    """Each [[id]] in narrative text names a dated entry that its week's report may print:
    one that exists, is public when the narrative is, and was known by the week's end."""
    try:
        week_end = IsoWeek.parse(narrative.week).end
    except ValueError:
        return  # reported above
    for fields, text in narrative_texts(narrative):
        for match in NARRATIVE_REFERENCE.finditer(text):
            target = match[1]
            kind = next((k for k in DATED_KINDS if target in store.kind(k)), None)
            if kind is None:
                if target in store.broken_ids or store.unread_files:
                    continue
                dated = {i: e for k in DATED_KINDS for i, e in store.kind(k).items()}
                checker.error(narrative, fields, f"[[{target}]]: unknown entry '{target}'",
                              expected="the id of a figure, incident, route or movement",
                              hint=did_you_mean(target, dated))
                continue
            entry = store.kind(kind)[target]
            if narrative.sensitivity == "public" and getattr(entry, "sensitivity", "public") == "restricted":
                checker.error(narrative, fields, f"[[{target}]]: public narrative refers to the restricted "
                                                 f"{kind[:-1]} '{target}'",
                              expected="a public entry, or this narrative marked 'sensitivity: restricted' too",
                              hint="a public edition would otherwise print what is restricted")
            # A public narrative is printed in public reports, which date facts without the
            # dates of withheld citations (report/timeline.py): judge it by the same days.
            public_only = narrative.sensitivity == "public"
            known, why = min((known_on(date, reported_dates(cited, store.sources, public_only))
                              for date, cited in _dated_parts(entry)), key=lambda pair: pair[0])
            if known > week_end:
                checker.error(narrative, fields, f"[[{target}]]: the narrative of week {narrative.week} refers to "
                                                 f"'{target}', which became known only on {format_day(known)} ({why})",
                              expected=f"an entry known by {format_day(week_end)}, the end of week {narrative.week}",
                              hint="a report cannot cite what was not yet known; move the narrative to a later week")


def narrative_texts(narrative: Narrative) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of each paragraph block and bullet of a narrative entry, in each
    language it is written in."""
    if narrative.text:
        yield from _variants(("text",), narrative.text)
    for i, item in enumerate(narrative.items):
        yield from _variants(("items", i), item)


def _variants(path: tuple, text: str) -> Iterator[tuple[tuple, str]]:
    """(path, text) of a text and of each of its translations (schema.LocalText)."""
    if isinstance(text, LocalText):
        for where, variant in text.variants():
            yield path + where, variant
    else:
        yield path, text


def _check_area_shapes(store: Store, area: Area, checker: "_CrossChecker") -> None:
    """Each update of an area draws it: an outline of three points or more (a front line: two),
    or a GeoJSON file in the store folder that holds one; not both."""
    least = 2 if area.shape == "front_line" else 3
    for u, update in enumerate(area.updates):
        where = ("updates", u)
        if (update.outline is None) == (update.file is None):
            checker.error(area, where, "an area's update needs its shape: 'outline:' or 'file:'" if update.outline is None
                          else "both 'outline:' and 'file:' are given", expected="one of them")
        elif update.outline is not None and len(update.outline) < least:
            checker.error(area, where + ("outline",), f"outline has {len(update.outline)} points",
                          expected=f"at least {least} [latitude, longitude] points")
    # A `file:` is read by area_file_problems, on every load: the store cache knows the YAML, not the file.


def area_file_problems(store: Store) -> list[Problem]:
    """The GeoJSON files areas name, read and checked on every load (not cached with the store:
    a file can change while its entry does not)."""
    log = ProblemLog()
    for area in store.areas.values():
        origin = store.origins[area.id]
        for u, update in enumerate(area.updates):
            if update.file is None or update.outline is not None:
                continue
            try:
                rings = area_shape(store, update)
            except ConfigError as exc:
                log.error(origin.file, origin.line_of("updates", u, "file"), f"file: {exc.problems[0].message}",
                          expected="a GeoJSON file inside the store folder, with a LineString or Polygon",
                          entry_id=area.id)
                continue
            least = 2 if area.shape == "front_line" else 3
            if not rings or any(len(ring) < least for ring in rings):
                log.error(origin.file, origin.line_of("updates", u, "file"),
                          f"file: '{update.file}' holds a shape of fewer than {least} positions",
                          expected=f"at least {least} positions per line or outline", entry_id=area.id)
    return log.problems


def area_files(store: Store) -> list[Path]:
    """The GeoJSON files the store's areas name: inputs of every report, like the templates."""
    return sorted({(store.root / update.file).resolve() for area in store.areas.values()
                   for update in area.updates if update.file})


def area_shape(store: Store, update) -> list[list[tuple[float, float]]]:
    """The (lat, lon) rings an area's update draws: its outline, or its GeoJSON file's shapes."""
    if update.outline is not None:
        return [list(update.outline)]
    path = (store.root / update.file).resolve()
    if not path.is_relative_to(store.root.resolve()) or not path.is_file():
        raise ConfigError(Problem(update.file, 0, f"'{update.file}' is not a file inside the store folder"))
    layer = load_layer(path, update.file, "boundary", "", "")
    return [list(ring) for ring in (*layer.areas, *layer.lines)]


def _dated_parts(entry: Model) -> Iterator[tuple]:
    """(date, citations) of an entry: one pair, or one per update of a route."""
    if isinstance(entry, (Route, Area)):
        for update in entry.updates:
            yield update.as_of, update.cited
    else:
        yield (getattr(entry, "as_of", None) or getattr(entry, "date", None) or entry.period), entry.cited


@dataclass
class _CrossChecker:
    store: Store
    log: ProblemLog

    def error(self, entry: Model, fields: tuple, message: str, expected: str = "", hint: str = "") -> None:
        origin = self.store.origins[entry.id]
        self.log.error(origin.file, origin.line_of(*fields), message, expected=expected, hint=hint, entry_id=entry.id)

    def ref(self, entry: Model, fields: tuple, target: str, kind: str) -> None:
        if target in self.store.kind(kind) or target in self.store.broken_ids or self.store.unread_files:
            return
        name = ".".join(str(f) for f in fields if not isinstance(f, int))
        other = next((k for k in KINDS if target in self.store.kind(k)), None)
        hint = f"'{target}' is one of the {other}, not the {kind}" if other else did_you_mean(target, self.store.kind(kind))
        self.error(entry, fields, f"{name}: unknown {kind[:-1] if kind != 'narrative' else kind} '{target}'",
                   expected=f"the id of an entry under '{kind}:'", hint=hint)

    def amount(self, entry: Model, fields: tuple, amount: Amount) -> None:
        has_value = amount.value is not None
        has_low, has_high = amount.low is not None, amount.high is not None
        if has_value and (has_low or has_high):
            self.error(entry, fields + ("value",), "both a value and a low-high range are given",
                       expected="either 'value:' or 'low:' with 'high:'")
        elif not has_value and not (has_low and has_high):
            missing = "high" if has_low else "low" if has_high else "value"
            self.error(entry, fields, f"the number is incomplete: '{missing}' is missing",
                       expected="either 'value:' or both 'low:' and 'high:'")
        elif has_low and amount.low > amount.high:
            self.error(entry, fields + ("low",), f"inverted range: low {amount.low:g} is greater than high {amount.high:g}",
                       expected="low <= high")
        for name in ("value", "low", "high"):
            number = getattr(amount, name)
            if number is not None and number < 0:
                self.error(entry, fields + (name,), f"{name}: {number:g} is negative", expected="a number of 0 or more")


# --- Warnings: legal, but worth a second look before publishing -----------------------------

def _warner(store: Store, log: ProblemLog):
    def warn(entry: Model, fields: tuple, message: str, hint: str = "") -> None:
        origin = store.origins[entry.id]
        log.warning(origin.file, origin.line_of(*fields), message, hint=hint, entry_id=entry.id)
    return warn


def future_dates(store: Store, log: ProblemLog, today: dt.date) -> None:
    """The one warning that depends on the day it runs (the store cache recomputes it)."""
    warn = _warner(store, log)
    for entry, fields, date in store.dated_fields():
        if date.start > today:
            warn(entry, fields, f"date {date} is in the future")


def warnings_of_content(store: Store, log: ProblemLog) -> None:
    """Every warning that depends only on the store's content."""
    warn = _warner(store, log)
    cited_sources: set[str] = set()
    for entry, fields, cited in _citations_of(store):
        cited_sources.update(c.source for c in cited)
        cited_sources.update(c.via for c in cited if c.via)
        sourcing = grade(cited, store.sources)
        if sourcing.single_source and sourcing.reliability in LOW_RELIABILITY:
            warn(entry, fields, f"cited to a single source of low reliability ({sourcing.originators[0]}, "
                                f"grade {sourcing.reliability})", hint="add an independent source if there is one")
        if entry.__dict__.get("status") == "corroborated" and sourcing.single_source:
            warn(entry, ("status",), "status is 'corroborated' but the incident cites a single source",
                 hint="corroborated means consistent reports from independent sources: cite them, or use 'alleged'")
    for source in store.sources.values():
        if source.id not in cited_sources:
            warn(source, ("id",), f"source '{source.id}' is cited nowhere")
    for place in store.places.values():
        if place.lat is None or place.lon is None:
            warn(place, ("id",), f"place '{place.id}' has no coordinates", hint="add lat: and lon:")
    for kind in KINDS:
        for entry in store.kind(kind).values():
            for fields, text in _texts_of(entry):
                if match := PLACEHOLDER.search(text):
                    what = "the narrative" if kind == "narrative" else f"'{'.'.join(map(str, fields))}'"
                    warn(entry, fields, f"{what} still holds a placeholder: '{match.group(0)}'",
                         hint="replace it with what was reported before publishing")
    for narrative in store.narrative.values():
        for fields, text in narrative_texts(narrative):
            if number := unsourced_number(text):
                warn(narrative, fields, f"the narrative states the number '{number}' with no source",
                     hint="refer to the figure as [[figure-id]] (the report prints it with its qualifier and "
                          "citation), or cite what the sentence reports with [[entry-id]] after it")
    _figure_jumps(store, warn)


_NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?:\s*(?:-|–|to)\s*\d[\d,]*)?")
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()


def unsourced_number(text: str) -> str | None:
    """The first number in narrative text that is neither inside an [[id]] reference nor
    followed by a citation of one, and not a year or a day of a month: a claim with no source."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    for sentence in sentences:
        if NARRATIVE_REFERENCE.search(sentence):
            continue  # the sentence cites what it reports
        for match in _NUMBER.finditer(sentence):
            number = match.group(0)
            if re.fullmatch(r"(1[89]|20|21)\d\d", number):
                continue  # a year
            around = sentence[max(0, match.start() - 12):match.end() + 12].lower()
            if any(re.search(rf"\b{month}\b", around) for month in _MONTHS):
                continue  # a day of a month: '3 June'
            return number
    return None


TEXT_FIELDS = ("name", "public_name", "summary", "note", "notes", "description", "text", "author")


def _texts_of(entry: Model) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of the free-text fields of an entry, where placeholders hide."""
    # The model's fields by name (`getattr` with a default on a field a model lacks goes
    # through pydantic's slow __getattr__; this runs for every entry of the store).
    fields = entry.__dict__
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            yield from _variants((name,), value)
    for list_name in ("items", "aliases"):
        for i, item in enumerate(fields.get(list_name) or ()):
            yield from _variants((list_name, i), item)
    for path, citations in citation_lists(entry):
        for i, citation in enumerate(citations):
            if citation.note:
                yield from _variants(path + (i, "note"), citation.note)
    for name, value in (fields.get("names") or {}).items():
        yield ("names", name), value
    for u, update in enumerate(fields.get("updates") or ()):
        if update.summary:
            yield from _variants(("updates", u, "summary"), update.summary)
    victims = fields.get("victims")
    if victims is not None and victims.description:
        yield from _variants(("victims", "description"), victims.description)


def citation_lists(entry: Model) -> Iterator[tuple[tuple, list[Citation]]]:
    """(field path, citations) of each list of citations an entry carries: its `cited:`, or
    each route update's."""
    fields = entry.__dict__  # not getattr: pydantic's __getattr__ is slow for a field a model lacks
    if fields.get("cited"):
        yield ("cited",), fields["cited"]
    for u, update in enumerate(fields.get("updates") or ()):
        yield ("updates", u, "cited"), update.cited


def _citations_of(store: Store):
    for kind in ("figures", "incidents", "routes", "areas", "movements"):
        for entry in store.kind(kind).values():
            for fields, cited in citation_lists(entry):
                yield entry, fields, cited


def _figure_jumps(store: Store, warn) -> None:
    """A figure that is more than CHANGE_FACTOR times, or less than 1/CHANGE_FACTOR of, the
    previous figure of the same metric, place and unit: often a typo (an extra zero)."""
    series: dict[tuple, list[Figure]] = {}
    for figure in store.figures.values():
        series.setdefault((figure.metric, figure.place, figure.unit), []).append(figure)
    for figures in series.values():
        figures.sort(key=lambda f: (f.as_of.end, f.as_of.start))
        for before, after in zip(figures, figures[1:]):
            if (before.as_of.start, before.as_of.end) == (after.as_of.start, after.as_of.end):
                continue  # same date: a conflict between sources, shown side by side, not a jump
            old, new = _midpoint(before), _midpoint(after)
            if old > 0 and new > 0 and max(old, new) / min(old, new) > CHANGE_FACTOR:
                warn(after, ("value" if after.value is not None else "low",),
                     f"{after.metric} moved from {old:g} ({before.id}) to {new:g}, more than {CHANGE_FACTOR:g}-fold",
                     hint="check for a typo")


def _midpoint(amount: Amount) -> float:
    if amount.value is not None:
        return float(amount.value)
    return (amount.low + amount.high) / 2


# --- Translations: what each edition's language lacks, and what is out of date ----------------

CONFIG_TEXTS = (("title",), ("crisis",), ("organisation", "name"), ("organisation", "contact"), ("disclaimer",))


def translation_warnings(store: Store, config) -> list[Problem]:
    """For each language config.yaml's `languages` asks for besides the store's own: every
    entry (and config.yaml) with free text not translated into it, one warning per entry
    naming the fields; and every translation made from an earlier version of its original
    (README, "Translations"). Names of sources, places and actors are not asked for: a name
    prints as the store writes it, unless `names:` (or a translation) gives another."""
    wanted = [tag for tag in config.languages if not same_language(tag, config.store_language)]
    log = ProblemLog()
    if not wanted:  # one language, the store's own: nothing to translate (and a big store is not walked)
        return []
    for kind in KINDS:
        for entry in store.kind(kind).values():
            origin = store.origins[entry.id]
            _translation_problems(log, origin.file, origin.line_of, list(_translatable_texts(entry)), wanted,
                                  config.store_language, entry.id)
    texts = [(path, _config_value(config.model, path)) for path in CONFIG_TEXTS]
    _translation_problems(log, config.shown, lambda *path: config.positions.get(tuple(path), 0),
                          [(p, v) for p, v in texts if v is not None], wanted, config.store_language, None)
    return log.problems


def _translation_problems(log: ProblemLog, file: str, line_of, texts: list[tuple[tuple, str]], wanted: list[str],
                          store_language: str, entry_id: str | None) -> None:
    from babel import Locale

    from sitrep.language import fingerprint

    for language in wanted:
        missing = [(path, text) for path, text in texts if not _has_translation(text, language, store_language)]
        if missing:
            fields = ", ".join(".".join(map(str, path)) for path, _ in missing)
            name = Locale.parse(language, sep="-").get_display_name("en")
            path, text = missing[0]
            field, key = ".".join(map(str, path)), f"{language}@{fingerprint(text)}"
            if isinstance(text, LocalText) and text.language:  # already a mapping of languages
                how = f"under {field}, add '{key}: ' and the translation"
            else:
                how = (f"write {field} as a mapping: '{store_language}: ' and the text, then '{key}: ' and the "
                       "translation (README, 'Translations')")
            log.warning(file, line_of(*path), f"no {name} translation of {fields}: the '{language}' edition prints "
                        f"{'it' if len(missing) == 1 else 'them'} in the original language, marked", hint=how,
                        entry_id=entry_id)
    for path, text in texts:
        if not isinstance(text, LocalText):
            continue
        current = fingerprint(text)
        for language, (_, made_from) in text.translations.items():
            if made_from is not None and made_from != current:
                log.warning(file, line_of(*path, f"{language}@{made_from}"),
                            f"{'.'.join(map(str, path))}: the '{language}' translation was made from an earlier "
                            f"version of the text ({made_from}; the text is now {current}), and is marked as such",
                            hint=f"bring the translation up to date, then write its key as {language}@{current}",
                            entry_id=entry_id)


def _translatable_texts(entry: Model) -> Iterator[tuple[tuple, str]]:
    """(path, text) of an entry's free text: the fields a translator translates."""
    fields = entry.__dict__
    own = ("summary", "note", "notes", "description", "text", "public_name")
    names = ("name",) if isinstance(entry, (Route, Area)) else ()  # a route's name describes it; a source's is a name
    for name in (*own, *names):
        if fields.get(name):
            yield (name,), fields[name]
    for i, item in enumerate(fields.get("items") or ()):
        yield ("items", i), item
    for path, citations in citation_lists(entry):
        for i, citation in enumerate(citations):
            if citation.note:
                yield path + (i, "note"), citation.note
    for u, update in enumerate(fields.get("updates") or ()):
        if update.summary:
            yield ("updates", u, "summary"), update.summary
    victims = fields.get("victims")
    if victims is not None and victims.description:
        yield ("victims", "description"), victims.description


def _has_translation(text: str, language: str, store_language: str) -> bool:
    original = text.language if isinstance(text, LocalText) and text.language else store_language
    if same_language(original, language):
        return True
    return isinstance(text, LocalText) and any(same_language(lang, language) for lang in text.translations)


def same_language(a: str, b: str) -> bool:
    """'en' and 'en-US' are one language for choosing a text; 'ar' and 'fr' are not."""
    return a.split("-")[0] == b.split("-")[0]


def _config_value(model, path: tuple):
    value = model
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
