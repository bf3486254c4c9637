"""Citation numbers and the sources list: each distinct reference numbered, then renumbered in
the order a reader meets it (`number_in_reading_order`), and a restricted source withheld in a
public edition (nothing of it but its public name).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Iterator

from sitrep.language import N_, Language
from sitrep.language import gettext as _
from sitrep.report.context import ReportContext, SourceEntry
from sitrep.report.translation import Translator
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import format_fuzzy
from sitrep.source.entries import Store
from sitrep.source.schema import Citation

# What a public edition calls a restricted source that has no public_name.
WITHHELD_SOURCE_NAME = N_("Unnamed source")


class CitationIndex:
    """Numbers each distinct citation on first use, so the sources list follows the page.

    In a public edition, a restricted source is withheld: only its public name is printed, on
    its own numbered line and wherever a fact credits it, with its grades. Its id, kind,
    description and URL stay out, and so does everything a citation of it carries (the outlet
    that relayed it, the date, the URL, the note), since any of them can point to a person."""

    def __init__(self, store: Store, edition: str, translator: Translator | None = None):
        self.store = store
        self.edition = edition
        self.translator = translator or Translator(Language(), "en")
        self.numbers: dict[tuple, int] = {}
        self.rows: list[SourceEntry] = []

    def number(self, citation: Citation) -> int:
        """One number per reference; the credibility grades of the facts citing it are
        gathered on its line of the sources list."""
        key = self.reference(citation)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.rows.append(self.entry(self.numbers[key], citation))
        row = self.rows[self.numbers[key] - 1]
        if citation.credibility and citation.credibility not in row.credibility:
            row.credibility.append(citation.credibility)
            row.credibility.sort()
        return self.numbers[key]

    def reference(self, citation: Citation) -> tuple:
        """What makes citations one line: the same source, outlet, date, URL and note. A
        withheld line shows none of these, so every citation of a withheld source shares one
        line; separate lines would tell the reader how many dates, notes or go-betweens lie
        behind the public name."""
        if self.withholds(citation.source):
            return ("withheld", citation.source)
        if self.withholds(citation.via):
            return ("withheld", citation.source, citation.via)
        return (citation.source, citation.via, str(citation.date or ""), citation.url, citation.note)

    def withholds(self, source_id: str | None) -> bool:
        """A restricted source in a public edition: nothing of it may be printed but its public name."""
        return (source_id is not None and self.edition == "public"
                and self.store.sources[source_id].sensitivity == "restricted")

    def credit(self, citation: Citation) -> str:
        """'Capt. X (via Fox News)': who reported, for a line that names its source. Who relayed
        a withheld source's words is left out: the outlet can lead to the person."""
        name = self.source_name(citation.source)
        if citation.via and not self.withholds(citation.source):
            return _("%(source)s (via %(outlet)s)") % {"source": name, "outlet": self.source_name(citation.via)}
        return name

    def source_name(self, source_id: str) -> str:
        if self.withholds(source_id):
            # Not even the kind of source when it has no public name: 'Witness' narrows it down.
            public_name = self.store.sources[source_id].public_name
            return self.translator.name(public_name, {}) if public_name else _(WITHHELD_SOURCE_NAME)
        return self.translator.name(self.store.sources[source_id].name, {})

    def entry(self, number: int, citation: Citation) -> SourceEntry:
        if self.withholds(citation.source):
            return self.withheld_entry(number, citation.source)
        if self.withholds(citation.via):
            return self.relayed_by_withheld_entry(number, citation)
        source = self.store.sources[citation.source]
        return SourceEntry(
            number=number,
            source_id=citation.source,
            name=self.source_name(citation.source),
            withheld=False,
            kind=_(vocab.SOURCE_KINDS[source.kind]),
            reliability=source.reliability,
            reliability_label=_(vocab.RELIABILITY[source.reliability]),
            via=self.source_name(citation.via) if citation.via else None,
            date=format_fuzzy(citation.date) if citation.date else None,
            url=citation.url or self.store.sources[citation.via or citation.source].url,
            credibility=[],
            note=self.translator.text(citation.note),
        )

    def withheld_entry(self, number: int, source_id: str) -> SourceEntry:
        """A restricted source's line: its public name and its grades. The reliability letter
        stays: it is the analyst's assessment, shared by many sources, and the reader needs it
        to weigh the claim (the fact's own grade, 'best C2', shows it anyway)."""
        source = self.store.sources[source_id]
        return SourceEntry(number=number, source_id=None, name=self.source_name(source_id), withheld=True, kind=None,
                           reliability=source.reliability, reliability_label=_(vocab.RELIABILITY[source.reliability]),
                           via=None, date=None, url=None, credibility=[], note=None)

    def relayed_by_withheld_entry(self, number: int, citation: Citation) -> SourceEntry:
        """A public source whose words came through a restricted one: both named (the go-between
        by its public name), but the citation's date, URL and note are left out, as they may
        describe the go-between."""
        source = self.store.sources[citation.source]
        return SourceEntry(number=number, source_id=citation.source, name=self.source_name(citation.source), withheld=True,
                           kind=_(vocab.SOURCE_KINDS[source.kind]), reliability=source.reliability,
                           reliability_label=_(vocab.RELIABILITY[source.reliability]),
                           via=self.source_name(citation.via), date=None, url=None, credibility=[], note=None)

    def entries(self) -> list[SourceEntry]:
        return list(self.rows)


# What each part of the report prints that carries citations, in the order the built-in
# templates print it: each section as config.yaml's
# `sections:` orders them (a section left out prints nothing, so cites nothing). 'a.b': of each
# item of `a`, only its `b` (the trapped section restates a key figure with its citations only).
READING_ORDER: dict[str, tuple[str, ...]] = {
    "since_last": ("since_last",),
    "key_figures": ("key_figures", "dropped_key_figures"),  # the figures, then those no longer reported
    "routes_glance": ("routes.citations",),  # each route's current status (rows that are `current` only), restated in the routes section
    "overview": ("overview",),
    "highlights": ("highlights",),
    "trapped": ("trapped_notes", "trapped_key_figures.citations", "trapped_figures"),
    "routes": ("routes_notes", "route_changes", "routes", "stale_routes"),
    "movements": ("movements_notes", "movements"),
    "abuses": ("abuses_notes", "abuses"),
    "context": ("context_notes", "context_events"),
    "map": ("map",),  # the areas of control listed under the map
    "other_figures": ("other_figures",),
    "outlook": ("outlook",),
}


def number_in_reading_order(context: ReportContext) -> ReportContext:
    """The final pass over the report as the built-in templates print it: citations renumbered
    1, 2, 3… in the order a reader meets them, each list of them in ascending order, and the
    sources list in that order with only the references the printed report cites. (The render
    stage checks the order in the HTML itself, and renumbers again for templates that print in
    another order: render/templates.render_document.)"""
    order: list[int] = []  # provisional numbers, in the order they are first printed
    seen: set[int] = set()
    for part in ("header", *context.sections):
        for name in READING_ORDER.get(part, ()):
            for numbers in _printed_lists(context, name):
                for number in numbers:
                    if number not in seen:
                        seen.add(number)
                        order.append(number)
    return renumber(context, order)


def renumber(context: ReportContext, order: list[int]) -> ReportContext:
    """Citations renumbered so that order[0] becomes 1, order[1] 2, and so on; a number not in
    `order` is printed nowhere, so it leaves the citation lists and the sources list."""
    new = {old: i for i, old in enumerate(order, start=1)}
    renumbered: set[int] = set()  # a list the context holds twice (a key figure is also the trapped section's) changes once
    for name in sorted({name.split(".")[0] for names in READING_ORDER.values() for name in names}):
        for numbers in _citation_lists(getattr(context, name)):
            if id(numbers) not in renumbered:
                renumbered.add(id(numbers))
                numbers[:] = sorted(new[n] for n in numbers if n in new)
    sources = [row for row in context.sources if row.number in new]
    for row in sources:
        row.number = new[row.number]
    context.sources = sorted(sources, key=lambda row: row.number)
    return context


def _printed_lists(context: ReportContext, name: str) -> Iterator[list[int]]:
    """The citation lists a READING_ORDER entry prints, in print order."""
    field, _, only = name.partition(".")
    value = getattr(context, field)
    if only:  # a restatement: of what is current only (the glance leaves out a superseded update)
        for item in value:
            if getattr(item, "current", True):
                yield getattr(item, only)
    else:
        yield from _citation_lists(value)


def _citation_lists(value) -> Iterator[list[int]]:
    """Every `citations` list inside a part of the context, in field order (the print order)."""
    if isinstance(value, list):
        for item in value:
            yield from _citation_lists(item)
    elif is_dataclass(value):
        for field in fields(value):
            if field.name == "citations":
                yield getattr(value, field.name)
            elif field.name not in ("sourcing", "place", "trend"):
                yield from _citation_lists(getattr(value, field.name))
