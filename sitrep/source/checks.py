"""What the schema alone cannot see, once every file of the store is loaded: references between
entries, and ranges and shapes that make no sense (errors). `store.load_store` runs them; the
warnings are contentwarnings.py's and untranslated.py's. `references`, `citation_lists` and
`narrative_texts` walk an entry's parts for them and for `sitrep trace`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Iterator

from sitrep.errors import ProblemLog, did_you_mean
from sitrep.source.dates import IsoWeek, format_day, known_on
from sitrep.source.entries import Store
from sitrep.source.provenance import reported_dates
from sitrep.source.schema import (KINDS, NARRATIVE_REFERENCE, Amount, Area, Citation, LocalText, Model, Narrative,
                                  Route)


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
            for outcome in ("killed", "injured", "affected", "fatalities"):
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
                              expected="the id of a figure, incident, route, area or movement",
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
            known, why = min((known_on(date, reported_dates(cited, store.sources, public_only, date))
                              for date, cited in _dated_parts(entry)), key=lambda pair: pair[0])
            if known > week_end:
                checker.error(narrative, fields, f"[[{target}]]: the narrative of week {narrative.week} refers to "
                                                 f"'{target}', which became known only on {format_day(known)} ({why})",
                              expected=f"an entry known by {format_day(week_end)}, the end of week {narrative.week}",
                              hint="a report cannot cite what was not yet known; move the narrative to a later week")


def future_dates(store: Store, log: ProblemLog, as_of: dt.date) -> None:
    """The one check that depends on the day it runs, never cached (source/cache.py): a date of
    an entry, a route's or area's update, or a citation that begins after the as-of day is an
    error at its line. A report states what happened; a future date is a typo far more often
    than a forecast, and a fact dated after the as-of day would make a report of a week not yet
    ended."""
    def late(entry: Model, fields: tuple, date) -> None:
        origin = store.origins[entry.id]
        what = "citation date" if fields[-1] == "date" and "cited" in fields else "date"
        log.error(origin.file, origin.line_of(*fields), f"{what} {date} is in the future: after "
                  f"{format_day(as_of)}, the day this run is as of",
                  expected=f"a date on or before {format_day(as_of)}; a future date is most often a typo "
                           "of the year or the month",
                  hint="`--as-of DATE` checks or builds as of another day", entry_id=entry.id)

    for entry, fields, date in store.dated_fields():
        if date.start > as_of:
            late(entry, fields, date)
    for kind in ("figures", "incidents", "movements", "routes", "areas"):
        for entry in store.kind(kind).values():
            if entry.id not in store.origins:  # imported (bulk.py): checked as it was imported
                continue
            for fields, cited in citation_lists(entry):
                for i, citation in enumerate(cited):
                    if citation.date is not None and citation.date.start > as_of:
                        late(entry, fields + (i, "date"), citation.date)


def narrative_texts(narrative: Narrative) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of each paragraph block and bullet of a narrative entry, in each
    language it is written in."""
    if narrative.text:
        yield from text_variants(("text",), narrative.text)
    for i, item in enumerate(narrative.items):
        yield from text_variants(("items", i), item)


def text_variants(path: tuple, text: str) -> Iterator[tuple[tuple, str]]:
    """(path, text) of a text and of each of its translations (schema.LocalText)."""
    if isinstance(text, LocalText):
        for where, variant in text.variants():
            yield path + where, variant
    else:
        yield path, text


def citation_lists(entry: Model) -> Iterator[tuple[tuple, list[Citation]]]:
    """(field path, citations) of each list of citations an entry carries: its `cited:`, or
    each route update's."""
    fields = entry.__dict__  # not getattr: pydantic's __getattr__ is slow for a field a model lacks
    if fields.get("cited"):
        yield ("cited",), fields["cited"]
    for u, update in enumerate(fields.get("updates") or ()):
        yield ("updates", u, "cited"), update.cited


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
