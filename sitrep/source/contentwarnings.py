"""The store's warnings: what is legal but worth a second look before publishing (a single source
of low reliability, a source cited nowhere, a placeholder left in, a number the narrative states
without a source (which a public build refuses: source/narrativenumbers.py), a figure that jumps
more than threefold, a citation dated before what it reports began. `store.load_store` runs them (a date in the future is an error:
checks.future_dates); what each edition's language lacks is untranslated.py's.
"""

from __future__ import annotations

import re
from typing import Iterator

from sitrep.errors import ProblemLog
from sitrep.source.aliases import alias_warnings
from sitrep.source.checks import citation_lists, narrative_texts, text_variants
from sitrep.source.entries import Store
from sitrep.source.narrativenumbers import CITE_IT, NOT_A_CLAIM_HINT, language_of, uncited_message, uncited_numbers
from sitrep.source.provenance import grade
from sitrep.source.schema import KINDS, Amount, Figure, Model

CHANGE_FACTOR = 3.0  # a figure that moves by more than this factor from its last value is suspicious
LOW_RELIABILITY = ("D", "E")
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|\[\.\.\.\]|\[…\]|lorem ipsum", re.I)


def _warner(store: Store, log: ProblemLog):
    def warn(entry: Model, fields: tuple, message: str, hint: str = "") -> None:
        origin = store.origins[entry.id]
        log.warning(origin.file, origin.line_of(*fields), message, hint=hint, entry_id=entry.id)
    return warn


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
            if numbers := uncited_numbers(text, language_of(fields)):
                refused = "; a public build refuses it" if narrative.sensitivity == "public" else ""
                warn(narrative, fields, uncited_message(numbers, language_of(fields)) + refused,
                     hint=f"cite {'it' if len(numbers) == 1 else 'each'}: {CITE_IT}; {NOT_A_CLAIM_HINT}")
    _figure_jumps(store, warn)
    _cited_before_it_began(store, warn)
    alias_warnings(store, warn)


TEXT_FIELDS = ("name", "public_name", "summary", "note", "notes", "description", "text", "author")


def _texts_of(entry: Model) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of the free-text fields of an entry, where placeholders hide."""
    # The model's fields by name (`getattr` with a default on a field a model lacks goes
    # through pydantic's slow __getattr__; this runs for every entry of the store).
    fields = entry.__dict__
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            yield from text_variants((name,), value)
    for list_name in ("items", "aliases"):
        for i, item in enumerate(fields.get(list_name) or ()):
            yield from text_variants((list_name, i), item)
    for path, citations in citation_lists(entry):
        for i, citation in enumerate(citations):
            if citation.note:
                yield from text_variants(path + (i, "note"), citation.note)
    for name, value in (fields.get("names") or {}).items():
        yield ("names", name), value
    for u, update in enumerate(fields.get("updates") or ()):
        if update.summary:
            yield from text_variants(("updates", u, "summary"), update.summary)
    victims = fields.get("victims")
    if victims is not None and victims.description:
        yield from text_variants(("victims", "description"), victims.description)


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


DATE_FIELDS = {"figures": "as_of", "incidents": "date", "movements": "period"}


def _cited_before_it_began(store: Store, warn) -> None:
    """A citation dated before the date it reports begins: a source cannot report what had not
    yet happened, so one of the two dates is most likely a typo, and the fact would enter a report
    whose week ends before its own date (docs/report.md, "When a fact enters the series")."""
    def check(entry: Model, fields: tuple, date, cited) -> None:
        for i, citation in enumerate(cited):
            if citation.date is not None and citation.date.end < date.start:
                warn(entry, fields + (i, "date"), f"citation date {citation.date} is before the date it reports "
                                                  f"begins ({date}): a source cannot report what had not happened",
                     hint="check the year and month of both dates; what is expected belongs in the narrative")

    for kind, field in DATE_FIELDS.items():
        for entry in store.kind(kind).values():
            if entry.id in store.origins:  # imported rows were checked as they were imported
                check(entry, ("cited",), getattr(entry, field), entry.cited)
    for entry in (*store.routes.values(), *store.areas.values()):
        for j, update in enumerate(entry.updates):
            check(entry, ("updates", j, "cited"), update.as_of, update.cited)
